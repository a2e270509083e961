with source as (
    select * from {{ source('raw', 'raw_project_dates') }}
),

final as (
    select
        run_id,
        project_id,
        kind,
        cast(day as date) as day
    from source
)

select * from final
