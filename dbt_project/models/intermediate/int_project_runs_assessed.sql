-- Projects of every run that counts: runs that did not fail (a failed or interrupted run is kept
-- in raw_runs for the record, but scores nothing), with the run's thresholds.
with runs as (
    select * from {{ ref('stg_raw__runs') }}
    where status <> 'failed'
),

projects as (
    select * from {{ ref('stg_raw__project_runs') }}
),

final as (
    select
        projects.run_id,
        projects.project_id,
        projects.project_name,
        projects.business_unit,
        projects.owner,
        projects.status as project_status,
        projects.error as project_error,
        projects.p95_latency_slo_ms,
        projects.max_error_rate,
        projects.target_concurrency,
        runs.started_at as run_started_at,
        runs.as_of,
        runs.rubric_version,
        runs.min_confidence,
        runs.ready_threshold,
        runs.at_risk_threshold,
        runs.day_rate
    from projects
    inner join runs on projects.run_id = runs.run_id
)

select * from final
