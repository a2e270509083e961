with source as (
    select * from {{ source('raw', 'raw_on_call_people') }}
),

final as (
    select
        run_id,
        project_id,
        handle,
        hours
    from source
)

select * from final
