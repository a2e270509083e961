with source as (
    select * from {{ source('raw', 'raw_runbooks') }}
),

final as (
    select
        run_id,
        project_id,
        runbook,
        is_url,
        usable,
        problem
    from source
)

select * from final
