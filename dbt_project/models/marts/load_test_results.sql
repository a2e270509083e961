-- Load test results per file and endpoint (the latency and error charts of the drill-down),
-- with the error rate of each row and how much of the latency SLO and error budget it uses.
{{ config(materialized='incremental') }}

with stats as (
    select * from {{ ref('stg_raw__load_test_stats') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

measured as (
    select
        stats.*,
        projects.p95_latency_slo_ms,
        projects.max_error_rate,
        projects.target_concurrency,
        cast(stats.failure_count as double precision) / nullif(stats.request_count, 0) as error_rate
    from stats
    inner join projects on stats.run_id = projects.run_id and stats.project_id = projects.project_id
),

final as (
    select
        run_id || ':' || project_id || ':' || source || ':' || coalesce(request_type, '')
        || ':' || endpoint as load_test_result_id,
        run_id,
        project_id,
        source,
        users,
        request_type,
        endpoint,
        is_aggregate,
        request_count,
        failure_count,
        error_rate,
        median_ms,
        average_ms,
        p95_ms,
        p99_ms,
        requests_per_s,
        tool,
        target_concurrency,
        users >= target_concurrency as at_target_concurrency,
        p95_latency_slo_ms,
        p95_ms / p95_latency_slo_ms as p95_vs_slo,
        p95_ms <= p95_latency_slo_ms as within_slo,
        max_error_rate as error_budget,
        case
            when max_error_rate > 0 then error_rate / max_error_rate
            when failure_count = 0 then 0.0
        end as error_budget_used,
        error_rate <= max_error_rate as within_error_budget
    from measured
)

select * from final
where {{ new_runs() }}
