-- Every waiver of every run, judged (int_waivers_judged): who accepted which failing check, why,
-- until when, and whether it applied. expiring_soon marks the notices (a waiver in force that
-- expires within the rubric's waiver_notice_days); is_latest the project's newest run.
with judged as (
    select * from {{ ref('int_waivers_judged') }}
),

runs as (
    select
        run_id,
        project_id,
        run_started_at
    from {{ ref('int_project_runs_assessed') }}
),

latest as (
    select
        run_id,
        project_id,
        row_number() over (
            partition by project_id order by run_started_at desc, run_id desc
        ) = 1 as is_latest
    from runs
),

final as (
    select
        judged.waiver_id,
        judged.run_id,
        judged.project_id,
        judged.check_id,
        judged.gap,
        judged.title,
        judged.severity,
        judged.measured_result,
        judged.reason,
        judged.approver,
        judged.given_on,
        judged.expires_on,
        judged.as_of_date,
        cast(judged.days_to_expiry as bigint) as days_to_expiry,
        judged.status,
        judged.applied,
        judged.expiring_soon,
        judged.waiver_text,
        judged.status_text,
        judged.source,
        judged.line,
        latest.is_latest
    from judged
    inner join latest on judged.run_id = latest.run_id and judged.project_id = latest.project_id
)

select * from final
