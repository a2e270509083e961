with source as (
    select * from {{ source('raw', 'raw_incident_summary') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        incidents,
        acknowledged,
        resolved,
        ack_median_minutes,
        ack_p90_minutes,
        resolve_median_minutes,
        resolve_p90_minutes
    from source
)

select * from final
