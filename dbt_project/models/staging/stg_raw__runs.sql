with source as (
    select * from {{ source('raw', 'raw_runs') }}
),

final as (
    select
        run_id,
        portfolio_id,
        started_at,
        finished_at,
        as_of,
        status,
        rubric_version,
        rubric_fingerprint,
        code_version,
        min_confidence,
        ready_threshold,
        at_risk_threshold,
        day_rate,
        message
    from source
)

select * from final
