-- p95 over time of every Locust history sample, with the point at target concurrency marked
-- (the one the latency check reads).
{{ config(materialized='incremental') }}

with history as (
    select * from {{ ref('int_load_test_history') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || source || ':' || cast(source_row as varchar)
            as load_test_history_id,
        run_id,
        project_id,
        source,
        sampled_at,
        cast(elapsed_s as bigint) as elapsed_s,
        user_count,
        target_concurrency,
        request_type,
        endpoint,
        is_aggregate,
        requests_per_s,
        failures_per_s,
        p50_ms,
        p95_ms,
        p99_ms,
        p95_latency_slo_ms,
        p95_vs_slo,
        total_request_count,
        total_failure_count,
        is_target_point
    from history
)

select * from final
where {{ new_runs() }}
