with source as (
    select * from {{ source('raw', 'raw_alert_rules') }}
),

final as (
    select
        run_id,
        project_id,
        service,
        source,
        group_name,
        alert,
        line_number,
        signals,
        receivers,
        delivers
    from source
)

select * from final
