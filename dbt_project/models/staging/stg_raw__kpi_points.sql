with source as (
    select * from {{ source('raw', 'raw_kpi_points') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        kpi,
        measured_on,
        value,
        cadence_days,
        launch_date
    from source
)

select * from final
