-- Load test results per file and endpoint (the latency and error charts of the drill-down),
-- with the error rate of each row.
with stats as (
    select * from {{ ref('stg_raw__load_test_stats') }}
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
        failure_count * 1.0 / nullif(request_count, 0) as error_rate,
        median_ms,
        average_ms,
        p95_ms,
        p99_ms,
        requests_per_s
    from stats
)

select * from final
