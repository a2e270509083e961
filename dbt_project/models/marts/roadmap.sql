-- Failing, partial and unevidenced checks become actions: ordered by severity, then by gap
-- points gained per day of effort; each owner role works its actions in sequence, roles in
-- parallel, so start and end days form a timeline. An action on legal or compliance blockers
-- starts with the blockers' reasons ("Legal: the DPA is not signed"); evidence to provide names
-- the survey rows that were refused.
{{ config(materialized='incremental') }}

with checks as (
    select * from {{ ref('check_results') }}
),

gaps as (
    select * from {{ ref('gap_scores') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

actions as (
    select
        checks.*,
        projects.day_rate,
        100.0 * checks.weight * (1 - coalesce(checks.points, 0)) / gaps.weight_total as score_gain
    from checks
    inner join gaps
        on checks.run_id = gaps.run_id and checks.project_id = gaps.project_id and checks.gap = gaps.gap
    inner join projects on checks.run_id = projects.run_id and checks.project_id = projects.project_id
    where checks.result in ('fail', 'partial', 'no_evidence')
),

prioritised as (
    select
        *,
        score_gain / greatest(effort_days, 0.5) as gain_per_day,
        row_number() over (
            partition by run_id, project_id
            order by severity_rank asc, score_gain / greatest(effort_days, 0.5) desc, check_id
        ) as priority
    from actions
),

scheduled as (
    select
        *,
        sum(effort_days) over (
            partition by run_id, project_id, owner_role
            order by priority
            rows between unbounded preceding and current row
        ) as end_day
    from prioritised
),

final as (
    select
        run_id || ':' || project_id || ':' || check_id as roadmap_item_id,
        run_id,
        project_id,
        priority,
        check_id,
        gap,
        title,
        severity,
        result,
        case
            when result = 'no_evidence'
                then
                    'Provide evidence: ' || title
                    || coalesce(' (answers refused: ' || {{ json_text('evidence', ['detail', 'refused_rows']) }} || ')', '')
            when {{ json_text('evidence', ['detail', 'blockers']) }} is not null
                then rtrim({{ json_text('evidence', ['detail', 'blockers']) }}, '.') || '. ' || remediation
            else remediation
        end as action,
        owner_role,
        owner,
        owner_named,
        effort_days,
        effort_days * day_rate as cost,
        {{ round_to('score_gain', 1) }} as score_gain,
        {{ round_to('gain_per_day', 2) }} as gain_per_day,
        end_day - effort_days as start_day,
        end_day,
        waiver
    from scheduled
)

select * from final
where {{ new_runs() }}
