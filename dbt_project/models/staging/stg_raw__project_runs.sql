with source as (
    select * from {{ source('raw', 'raw_project_runs') }}
),

final as (
    select
        run_id,
        project_id,
        project_name,
        business_unit,
        owner,
        status,
        error,
        config_fingerprint,
        p95_latency_slo_ms,
        max_error_rate,
        target_concurrency,
        model_version
    from source
)

select * from final
