-- The checks whose result differs between a project's run and its previous run
-- (int_previous_runs); a null result: the check was not in that run.
-- Same definition as PAIR_CHECK_CHANGES in readmodel/queries.py (any two runs): change both.
-- Incremental (macros/new_runs.sql): a run's rows depend on it and its previous run only.
{{ config(materialized='incremental', on_schema_change='fail') }}

with pairs as (
    select * from {{ ref('int_previous_runs') }}
    where {{ new_runs() }}
),

checks as (
    select * from {{ ref('check_results') }}
),

earlier as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        checks.check_id,
        checks.gap,
        checks.severity,
        checks.severity_rank,
        checks.title,
        checks.result
    from pairs
    inner join checks
        on pairs.previous_run_id = checks.run_id and pairs.project_id = checks.project_id
),

later as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        checks.check_id,
        checks.gap,
        checks.severity,
        checks.severity_rank,
        checks.title,
        checks.result
    from pairs
    inner join checks
        on pairs.run_id = checks.run_id and pairs.project_id = checks.project_id
),

final as (
    select
        coalesce(later.run_id, earlier.run_id) as run_id,
        coalesce(later.project_id, earlier.project_id) as project_id,
        coalesce(later.previous_run_id, earlier.previous_run_id) as previous_run_id,
        coalesce(later.check_id, earlier.check_id) as check_id,
        coalesce(later.gap, earlier.gap) as gap,
        coalesce(later.severity, earlier.severity) as severity,
        coalesce(later.severity_rank, earlier.severity_rank) as severity_rank,
        coalesce(later.title, earlier.title) as title,
        earlier.result as result_before,
        later.result as result_after,
        later.result = 'fail' and coalesce(earlier.result, '') <> 'fail' as newly_failing
    from later
    full outer join earlier
        on
            later.run_id = earlier.run_id
            and later.project_id = earlier.project_id
            and later.check_id = earlier.check_id
    where coalesce(earlier.result, '') <> coalesce(later.result, '')
)

select * from final
