with source as (
    select * from {{ source('raw', 'raw_waivers') }}
),

final as (
    select
        run_id,
        project_id,
        check_id,
        reason,
        approver,
        cast(given_on as date) as given_on,
        cast(expires_on as date) as expires_on,
        source,
        line
    from source
)

select * from final
