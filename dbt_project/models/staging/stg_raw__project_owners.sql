with source as (
    select * from {{ source('raw', 'raw_project_owners') }}
),

final as (
    select
        run_id,
        project_id,
        role,
        owner
    from source
)

select * from final
