-- Integration measurements from the system inventory, one item per project and check. The
-- required systems are those filling a role the project requires (all systems when it names none).
with inputs as (
    select
        run_id,
        project_id
    from {{ ref('int_evidence_read') }}
    where evidence_kind = 'inventory'
),

systems as (
    select * from {{ ref('stg_raw__inventory_systems') }}
),

required_roles as (
    select
        run_id,
        project_id,
        name as role
    from {{ ref('stg_raw__project_requirements') }}
    where kind = 'system_role'
),

mapped_roles as (
    select distinct
        run_id,
        project_id,
        role
    from systems
),

projects_with_roles as (
    select distinct
        run_id,
        project_id
    from required_roles
),

required_systems as (
    select systems.*
    from systems
    left join projects_with_roles
        on
            systems.run_id = projects_with_roles.run_id
            and systems.project_id = projects_with_roles.project_id
    where
        projects_with_roles.project_id is null
        or exists (
            select 1
            from required_roles
            where
                required_roles.run_id = systems.run_id
                and required_roles.project_id = systems.project_id
                and required_roles.role = systems.role
        )
),

roles_mapped as (
    select
        inputs.run_id,
        inputs.project_id,
        'int_roles_mapped' as check_id,
        'required roles' as item,
        coalesce(avg(
            case
                when required_roles.role is null then null
                when mapped.role is not null then 1.0
                else 0.0
            end
        ), 1.0) as value,
        {{ json_object([
            ('required_roles', 'count(required_roles.role)'),
            ('unmapped_roles', "string_agg(case when mapped.role is null then required_roles.role end, ', ' order by required_roles.role)"),
        ]) }} as detail
    from inputs
    left join required_roles
        on inputs.run_id = required_roles.run_id and inputs.project_id = required_roles.project_id
    left join mapped_roles as mapped
        on
            required_roles.run_id = mapped.run_id
            and required_roles.project_id = mapped.project_id
            and required_roles.role = mapped.role
    group by inputs.run_id, inputs.project_id
),

per_system as (
    select
        run_id,
        project_id,
        system,
        role,
        case
            when status in ('tested', 'in_production') then 1.0
            when status = 'in_progress' then 0.5
            else 0.0
        end as progress,
        (
            cast(authentication as integer) + cast(error_handling as integer)
            + cast(observability as integer) + cast(rollback as integer)
            + cast(versioning as integer)
        ) / 5.0 as capability_share,
        status,
        integration_tests,
        owner
    from required_systems
),

system_checks as (
    select
        inputs.run_id,
        inputs.project_id,
        {{ figure('avg(per_system.progress)') }} as progress,
        {{ figure('avg(per_system.capability_share)') }} as capability_share,
        {{ figure('avg(case when per_system.integration_tests then 1.0 else 0.0 end)') }} as tested_share,
        string_agg(
            case when per_system.progress < 1 then per_system.system || ' (' || per_system.status || ')' end,
            ', ' order by per_system.system
        ) as unfinished,
        string_agg(
            case when per_system.capability_share < 1 then per_system.system end,
            ', ' order by per_system.system
        ) as missing_capabilities,
        string_agg(
            case when not per_system.integration_tests then per_system.system end,
            ', ' order by per_system.system
        ) as untested,
        count(per_system.system) as systems
    from inputs
    left join per_system
        on inputs.run_id = per_system.run_id and inputs.project_id = per_system.project_id
    group by inputs.run_id, inputs.project_id
),

status_items as (
    select
        run_id,
        project_id,
        'int_status' as check_id,
        'required systems' as item,
        coalesce(progress, 0.0) as value,
        {{ json_object([('systems', 'systems'), ('not_done', 'unfinished')]) }} as detail
    from system_checks
),

capability_items as (
    select
        run_id,
        project_id,
        'int_capabilities' as check_id,
        'required systems' as item,
        coalesce(capability_share, 0.0) as value,
        {{ json_object([('systems', 'systems'), ('systems_with_gaps', 'missing_capabilities')]) }}
            as detail
    from system_checks
),

test_items as (
    select
        run_id,
        project_id,
        'int_tests' as check_id,
        'required systems' as item,
        coalesce(tested_share, 0.0) as value,
        {{ json_object([('systems', 'systems'), ('without_tests', 'untested')]) }} as detail
    from system_checks
),

owner_items as (
    select
        inputs.run_id,
        inputs.project_id,
        'int_owners' as check_id,
        'all systems' as item,
        coalesce(
            avg(case when coalesce(trim(systems.owner), '') <> '' then 1.0 else 0.0 end), 0.0
        ) as value,
        {{ json_object([
            ('systems', 'count(systems.system)'),
            ('without_owner', "string_agg(case when coalesce(trim(systems.owner), '') = '' then systems.system end, ', ' order by systems.system)"),
        ]) }} as detail
    from inputs
    left join systems on inputs.run_id = systems.run_id and inputs.project_id = systems.project_id
    group by inputs.run_id, inputs.project_id
),

items as (
    select * from roles_mapped
    union all
    select * from status_items
    union all
    select * from capability_items
    union all
    select * from test_items
    union all
    select * from owner_items
),

-- Shares of 1.0/0.0 literals are numerics on PostgreSQL: one type everywhere.
final as (
    select
        run_id,
        project_id,
        check_id,
        item,
        cast(value as double precision) as value,
        detail
    from items
)

select * from final
