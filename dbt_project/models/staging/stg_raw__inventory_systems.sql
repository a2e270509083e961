with source as (
    select * from {{ source('raw', 'raw_inventory_systems') }}
),

final as (
    select
        run_id,
        project_id,
        system,
        role,
        status,
        authentication,
        rate_limit_rps,
        error_handling,
        observability,
        rollback,
        versioning,
        integration_tests,
        owner,
        source,
        source_row
    from source
)

select * from final
