with source as (
    select * from {{ source('raw', 'raw_load_test_history') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        users,
        sampled_at,
        user_count,
        request_type,
        endpoint,
        is_aggregate,
        requests_per_s,
        failures_per_s,
        p50_ms,
        p95_ms,
        p99_ms,
        total_request_count,
        total_failure_count,
        source_row
    from source
)

select * from final
