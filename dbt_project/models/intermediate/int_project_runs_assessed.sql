-- Projects of every run that counts: runs that did not fail (a failed or interrupted run is kept
-- in raw_runs for the record, but scores nothing), with the run's thresholds. A run recorded
-- before the rubric had its evidence rules is judged without them, as it was then.
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
        runs.day_rate,
        coalesce(runs.min_gap_evidence, 0.0) as min_gap_evidence,
        coalesce(runs.major_fail_caps_gap, false) as major_fail_caps_gap,
        coalesce(runs.claim_penalty, 0.0) as claim_penalty,
        coalesce(runs.refused_critical, 'no_evidence') as refused_critical,
        coalesce(runs.min_group_respondents, 1) as min_group_respondents,
        coalesce(runs.waive_critical, false) as waive_critical,
        coalesce(runs.waiver_notice_days, 14) as waiver_notice_days
    from projects
    inner join runs on projects.run_id = runs.run_id
)

select * from final
