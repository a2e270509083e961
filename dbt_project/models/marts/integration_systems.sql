-- The system inventory as the drill-down shows it: one row per system with its role, status and
-- whether each capability is solved (the systems x capabilities matrix).
{{ config(materialized='incremental') }}

with systems as (
    select * from {{ ref('stg_raw__inventory_systems') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || source || ':' || cast(source_row as varchar) as integration_system_id,
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
    from systems
)

select * from final
where {{ new_runs() }}
