with source as (
    select * from {{ source('raw', 'raw_project_requirements') }}
),

final as (
    select
        run_id,
        project_id,
        kind,
        name
    from source
)

select * from final
