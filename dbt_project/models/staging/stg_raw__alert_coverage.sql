with source as (
    select * from {{ source('raw', 'raw_alert_coverage') }}
),

final as (
    select
        run_id,
        project_id,
        service,
        signal,
        alerts,
        delivering_alerts
    from source
)

select * from final
