with source as (
    select * from {{ source('raw', 'raw_retraining_schedules') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        format,
        model,
        schedules,
        found
    from source
)

select * from final
