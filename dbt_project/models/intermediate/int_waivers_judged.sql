-- Every waiver a run read, judged at the run's as-of: it applies (the check counts as passed for
-- the verdict) only while in force (given on or before the as-of day, expiring on or after it),
-- when the check's severity may be waived (critical ones only when the rubric's waive_critical
-- allows) and when the check was measured and did not pass. A waiver expiring within the
-- rubric's waiver_notice_days raises a notice while it is in force.
with waivers as (
    select * from {{ ref('stg_raw__waivers') }}
),

checks as (
    select * from {{ ref('int_checks_judged') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

dated as (
    select
        waivers.run_id,
        waivers.project_id,
        waivers.check_id,
        checks.gap,
        checks.title,
        checks.severity,
        checks.result as measured_result,
        waivers.reason,
        waivers.approver,
        waivers.given_on,
        waivers.expires_on,
        waivers.source,
        waivers.line,
        projects.waive_critical,
        projects.waiver_notice_days,
        cast(projects.as_of as date) as as_of_date
    from waivers
    inner join projects
        on waivers.run_id = projects.run_id and waivers.project_id = projects.project_id
    inner join checks
        on
            waivers.run_id = checks.run_id
            and waivers.project_id = checks.project_id
            and waivers.check_id = checks.check_id
),

judged as (
    select
        *,
        expires_on - as_of_date as days_to_expiry,
        case
            when given_on > as_of_date then 'not_yet_given'
            when expires_on < as_of_date then 'expired'
            when severity = 'critical' and not waive_critical then 'not_allowed'
            when measured_result = 'pass' then 'not_needed'
            when measured_result = 'no_evidence' then 'no_evidence'
            else 'applied'
        end as status
    from dated
),

final as (
    select
        run_id || ':' || project_id || ':' || check_id as waiver_id,
        run_id,
        project_id,
        check_id,
        gap,
        title,
        severity,
        measured_result,
        reason,
        approver,
        given_on,
        expires_on,
        as_of_date,
        days_to_expiry,
        status,
        status = 'applied' as applied,
        status in ('applied', 'not_needed') and days_to_expiry <= waiver_notice_days as expiring_soon,
        'waived until ' || cast(expires_on as varchar)
        || ' (approved by ' || approver || ': ' || reason || ')' as waiver_text,
        case status
            when 'applied' then 'counts as passed until ' || cast(expires_on as varchar)
            when 'not_needed' then 'not needed: the check passes'
            when 'expired' then 'expired on ' || cast(expires_on as varchar) || ': the check counts as measured'
            when 'not_yet_given' then 'not in force before ' || cast(given_on as varchar)
            when 'not_allowed' then 'not allowed: the rubric does not let critical checks be waived'
            when 'no_evidence' then 'does not apply: the check has no evidence (a waiver accepts a measured risk)'
        end as status_text,
        source,
        line
    from judged
)

select * from final
