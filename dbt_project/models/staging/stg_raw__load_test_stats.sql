with source as (
    select * from {{ source('raw', 'raw_load_test_stats') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        users,
        request_type,
        endpoint,
        is_aggregate,
        request_count,
        failure_count,
        median_ms,
        average_ms,
        p95_ms,
        p99_ms,
        requests_per_s,
        coalesce(tool, 'locust') as tool
    from source
)

select * from final
