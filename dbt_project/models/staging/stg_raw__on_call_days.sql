with source as (
    select * from {{ source('raw', 'raw_on_call_days') }}
),

final as (
    select
        run_id,
        project_id,
        day,
        day_start,
        covered_hours,
        gap_hours
    from source
)

select * from final
