-- Every check of every run and project, as judged (int_checks_judged). A waiver that applies
-- (int_waivers_judged) leaves the measured result as it is and makes the check count as passed
-- for the verdict: verdict_result and verdict_points are what gap scores and the recommendation
-- count; waiver says so in words ("waived until 2027-01-31 (approved by X: reason)"). owner is
-- the name the project's owners map gives the check's owner role, or the role (owner_named false).
{{ config(materialized='incremental') }}

with judged as (
    select * from {{ ref('int_checks_judged') }}
    where {{ new_runs() }}
),

waivers as (
    select * from {{ ref('int_waivers_judged') }}
    where applied and {{ new_runs() }}
),

-- The project's owners: map (role -> a name or a team handle); an unmapped role stays the role.
owners as (
    select * from {{ ref('stg_raw__project_owners') }}
    where {{ new_runs() }}
),

final as (
    select
        judged.run_id || ':' || judged.project_id || ':' || judged.check_id as check_result_id,
        judged.run_id,
        judged.project_id,
        judged.gap,
        judged.check_id,
        judged.title,
        judged.severity,
        -- The order every surface lists checks in: critical, major, minor; fail, partial, no
        -- evidence, pass.
        case judged.severity when 'critical' then 1 when 'major' then 2 else 3 end as severity_rank,
        case judged.result when 'fail' then 1 when 'partial' then 2 when 'no_evidence' then 3 else 4 end
            as result_rank,
        judged.weight,
        judged.direction,
        judged.pass_threshold,
        judged.partial_threshold,
        judged.unit,
        judged.metric,
        judged.result,
        cast(judged.points as double precision) as points,
        judged.evidence,
        judged.remediation,
        judged.effort_days,
        judged.owner_role,
        coalesce(owners.owner, judged.owner_role) as owner,
        owners.owner is not null as owner_named,
        judged.rubric_version,
        judged.claim_contradicted,
        waivers.check_id is not null as waived,
        waivers.waiver_text as waiver,
        waivers.expires_on as waiver_expires_on,
        case when waivers.check_id is not null then 'pass' else judged.result end as verdict_result,
        cast(case when waivers.check_id is not null then 1.0 else judged.points end as double precision)
            as verdict_points
    from judged
    left join waivers
        on
            judged.run_id = waivers.run_id
            and judged.project_id = waivers.project_id
            and judged.check_id = waivers.check_id
    left join owners
        on
            judged.run_id = owners.run_id
            and judged.project_id = owners.project_id
            and judged.owner_role = owners.role
)

select * from final
where {{ new_runs() }}
