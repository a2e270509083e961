-- Whether the rubric changed between a project's run and its previous run (int_previous_runs):
-- the rubric's version and fingerprint in both, and how many checks were added, removed or
-- changed (run_rubric_check_changes holds them). One row per run of a project that has a
-- previous run, so a reader of a verdict flip sees whether the rubric moved under it.
-- Incremental (macros/new_runs.sql): a run's rows depend on it and its previous run only.
{{ config(materialized='incremental') }}

with pairs as (
    select * from {{ ref('int_previous_runs') }}
    where {{ new_runs() }}
),

runs as (
    select
        run_id,
        rubric_version,
        rubric_fingerprint
    from {{ ref('stg_raw__runs') }}
),

check_changes as (
    select * from {{ ref('run_rubric_check_changes') }}
),

counted as (
    select
        run_id,
        project_id,
        sum(case when change = 'added' then 1 else 0 end) as checks_added,
        sum(case when change = 'removed' then 1 else 0 end) as checks_removed,
        sum(case when change = 'changed' then 1 else 0 end) as checks_changed
    from check_changes
    group by run_id, project_id
),

final as (
    select
        pairs.run_id || ':' || pairs.project_id as run_rubric_change_id,
        cast(pairs.run_id as varchar) as run_id,
        cast(pairs.project_id as varchar) as project_id,
        cast(pairs.previous_run_id as varchar) as previous_run_id,
        cast(earlier.rubric_version as varchar) as rubric_version_before,
        cast(later.rubric_version as varchar) as rubric_version_after,
        cast(earlier.rubric_fingerprint as varchar) as rubric_fingerprint_before,
        cast(later.rubric_fingerprint as varchar) as rubric_fingerprint_after,
        (
            earlier.rubric_version is distinct from later.rubric_version
            or earlier.rubric_fingerprint is distinct from later.rubric_fingerprint
        ) as rubric_changed,
        cast(coalesce(counted.checks_added, 0) as bigint) as checks_added,
        cast(coalesce(counted.checks_removed, 0) as bigint) as checks_removed,
        cast(coalesce(counted.checks_changed, 0) as bigint) as checks_changed
    from pairs
    inner join runs as earlier on pairs.previous_run_id = earlier.run_id
    inner join runs as later on pairs.run_id = later.run_id
    left join counted
        on pairs.run_id = counted.run_id and pairs.project_id = counted.project_id
)

select * from final
