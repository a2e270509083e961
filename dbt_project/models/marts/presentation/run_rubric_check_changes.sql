-- The rubric's checks that differ between a project's run and its previous run
-- (int_previous_runs: the run before it assessed without failing): a check added, removed, or
-- changed in its gap, severity, weight, direction or thresholds, with both values. So that a
-- verdict flip that coincides with a rubric change is seen as one (`readiness diff`, history,
-- the trends page).
-- Incremental (macros/new_runs.sql): a run's rows depend on it and its previous run only.
{{ config(materialized='incremental') }}

with pairs as (
    select * from {{ ref('int_previous_runs') }}
    where {{ new_runs() }}
),

rubric_checks as (
    select * from {{ ref('stg_raw__rubric_checks') }}
),

earlier as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        rubric_checks.check_id,
        rubric_checks.title,
        rubric_checks.gap,
        rubric_checks.severity,
        rubric_checks.weight,
        rubric_checks.direction,
        rubric_checks.pass_threshold,
        rubric_checks.partial_threshold
    from pairs
    inner join rubric_checks on pairs.previous_run_id = rubric_checks.run_id
),

later as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        rubric_checks.check_id,
        rubric_checks.title,
        rubric_checks.gap,
        rubric_checks.severity,
        rubric_checks.weight,
        rubric_checks.direction,
        rubric_checks.pass_threshold,
        rubric_checks.partial_threshold
    from pairs
    inner join rubric_checks on pairs.run_id = rubric_checks.run_id
),

compared as (
    select
        coalesce(later.run_id, earlier.run_id) as run_id,
        coalesce(later.project_id, earlier.project_id) as project_id,
        coalesce(later.previous_run_id, earlier.previous_run_id) as previous_run_id,
        coalesce(later.check_id, earlier.check_id) as check_id,
        coalesce(later.title, earlier.title) as title,
        case
            when earlier.check_id is null then 'added'
            when later.check_id is null then 'removed'
            else 'changed'
        end as change,
        case
            when earlier.check_id is not null and later.check_id is not null
                then concat_ws(
                    ',',
                    case when earlier.gap is distinct from later.gap then 'gap' end,
                    case when earlier.severity is distinct from later.severity then 'severity' end,
                    case when earlier.weight is distinct from later.weight then 'weight' end,
                    case when earlier.direction is distinct from later.direction then 'direction' end,
                    case when earlier.pass_threshold is distinct from later.pass_threshold then 'pass_threshold' end,
                    case when earlier.partial_threshold is distinct from later.partial_threshold then 'partial_threshold' end
                )
            else ''
        end as changed_fields,
        earlier.gap as gap_before,
        later.gap as gap_after,
        earlier.severity as severity_before,
        later.severity as severity_after,
        earlier.weight as weight_before,
        later.weight as weight_after,
        earlier.direction as direction_before,
        later.direction as direction_after,
        earlier.pass_threshold as pass_threshold_before,
        later.pass_threshold as pass_threshold_after,
        earlier.partial_threshold as partial_threshold_before,
        later.partial_threshold as partial_threshold_after
    from later
    full outer join earlier
        on
            later.run_id = earlier.run_id
            and later.project_id = earlier.project_id
            and later.check_id = earlier.check_id
),

final as (
    select
        run_id || ':' || project_id || ':' || check_id as run_rubric_check_change_id,
        cast(run_id as varchar) as run_id,
        cast(project_id as varchar) as project_id,
        cast(previous_run_id as varchar) as previous_run_id,
        cast(check_id as varchar) as check_id,
        cast(title as varchar) as title,
        cast(change as varchar) as change,
        {{ text_list('changed_fields') }} as changed_fields,
        cast(gap_before as varchar) as gap_before,
        cast(gap_after as varchar) as gap_after,
        cast(severity_before as varchar) as severity_before,
        cast(severity_after as varchar) as severity_after,
        cast(weight_before as double precision) as weight_before,
        cast(weight_after as double precision) as weight_after,
        cast(direction_before as varchar) as direction_before,
        cast(direction_after as varchar) as direction_after,
        cast(pass_threshold_before as double precision) as pass_threshold_before,
        cast(pass_threshold_after as double precision) as pass_threshold_after,
        cast(partial_threshold_before as double precision) as partial_threshold_before,
        cast(partial_threshold_after as double precision) as partial_threshold_after
    from compared
    where change <> 'changed' or changed_fields <> ''
)

select * from final
