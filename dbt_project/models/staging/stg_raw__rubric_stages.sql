with source as (
    select * from {{ source('raw', 'raw_rubric_stages') }}
),

final as (
    select
        run_id,
        stage_id,
        stage_order,
        stage_title,
        requirement_kind,
        requirement
    from source
)

select * from final
