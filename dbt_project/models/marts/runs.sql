-- A view, not a table: the flow records a run's end (status, finished_at) after dbt has built.
{{ config(materialized='view') }}

with runs as (
    select * from {{ ref('stg_raw__runs') }}
),

projects as (
    select * from {{ ref('stg_raw__project_runs') }}
),

recommendations as (
    select * from {{ ref('recommendations') }}
),

project_counts as (
    select
        run_id,
        count(*) as projects_assessed,
        cast(sum(case when status = 'failed' then 1 else 0 end) as bigint) as projects_failed
    from projects
    group by run_id
),

verdicts as (
    select
        run_id,
        cast(sum(case when recommendation = 'go' then 1 else 0 end) as bigint) as projects_go,
        cast(sum(case when recommendation = 'not_yet' then 1 else 0 end) as bigint) as projects_not_yet
    from recommendations
    group by run_id
),

final as (
    select
        runs.run_id,
        runs.portfolio_id,
        runs.started_at,
        runs.finished_at,
        runs.status,
        runs.rubric_version,
        runs.code_version,
        runs.lock_fingerprint,
        runs.package_versions,
        runs.portfolio_path,
        runs.archive,
        runs.as_of,
        runs.ready_threshold,
        runs.at_risk_threshold,
        runs.min_confidence,
        runs.day_rate,
        runs.day_rate_currency,
        coalesce(project_counts.projects_assessed, 0) as projects_assessed,
        coalesce(project_counts.projects_failed, 0) as projects_failed,
        coalesce(verdicts.projects_go, 0) as projects_go,
        coalesce(verdicts.projects_not_yet, 0) as projects_not_yet,
        runs.message
    from runs
    left join project_counts on runs.run_id = project_counts.run_id
    left join verdicts on runs.run_id = verdicts.run_id
)

select * from final
