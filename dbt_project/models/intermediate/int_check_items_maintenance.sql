-- Maintenance: monitoring wired (inventory), drift detection, retraining and on-call (survey
-- topics), and an operating budget against the projected run cost. Where the operations artifacts
-- exist, checks are judged on them instead of the survey: drift detection on the alerting rules
-- (a quality alert that reaches someone), retraining on the schedules found for the model, on-call
-- on the people of the rotation. The artifacts also give alert coverage per service and signal,
-- on-call coverage of the next four weeks, incident response and runbooks.
with inputs as (
    select
        run_id,
        project_id
    from {{ ref('int_evidence_read') }}
    where evidence_kind = 'inventory'
),

systems as (
    select * from {{ ref('stg_raw__inventory_systems') }}
    where role in ('monitoring', 'alerting')
),

answers as (
    select * from {{ ref('int_survey_answers_scored') }}
    where kind = 'likert' and topic in ('drift_detection', 'retraining', 'on_call')
),

costs as (
    select * from {{ ref('int_cost_projections') }}
),

alert_coverage as (
    select * from {{ ref('stg_raw__alert_coverage') }}
),

on_call_days as (
    select * from {{ ref('stg_raw__on_call_days') }}
),

on_call_people as (
    select
        run_id,
        project_id,
        count(*) as people
    from {{ ref('stg_raw__on_call_people') }}
    group by run_id, project_id
),

retraining_files as (
    select * from {{ ref('stg_raw__retraining_schedules') }}
),

alerting as (
    select
        run_id,
        project_id,
        'mt_alert_coverage' as check_id,
        service as item,
        avg(case when delivering_alerts > 0 then 1.0 else 0.0 end) as value,
        {{ json_object([
            ('covered', "string_agg(case when delivering_alerts > 0 then signal end, ', ' order by signal)"),
            ('not_covered', "string_agg(case when alerts = 0 then signal end, ', ' order by signal)"),
            ('dead_end', "string_agg(case when alerts > 0 and delivering_alerts = 0 then signal end, ', ' order by signal)"),
        ]) }} as detail
    from alert_coverage
    group by run_id, project_id, service
),

drift_alerts as (
    select
        run_id,
        project_id,
        'mt_drift_detection' as check_id,
        service as item,
        max(case when delivering_alerts > 0 then 1.0 else 0.0 end) as value,
        {{ json_object([
            ('quality_alerts', 'sum(alerts)'),
            ('delivering', 'sum(delivering_alerts)'),
        ]) }} as detail
    from alert_coverage
    where signal = 'quality'
    group by run_id, project_id, service
),

on_call_projects as (
    select distinct
        run_id,
        project_id
    from on_call_days
),

on_call_coverage as (
    select
        days.run_id,
        days.project_id,
        'mt_on_call_coverage' as check_id,
        'next four weeks' as item,
        sum(days.covered_hours) / (24.0 * count(*))
        * least(1.0, coalesce(max(people.people), 0) / 2.0) as value,
        {{ json_object([
            ('covered_hours', round_to('sum(days.covered_hours)', 1)),
            ('gap_hours', round_to('sum(days.gap_hours)', 1)),
            ('days_with_gaps', 'sum(case when days.gap_hours > 0 then 1 else 0 end)'),
            ('people', 'coalesce(max(people.people), 0)'),
        ]) }} as detail
    from on_call_days as days
    left join on_call_people as people
        on days.run_id = people.run_id and days.project_id = people.project_id
    group by days.run_id, days.project_id
),

on_call_rotation as (
    select
        days.run_id,
        days.project_id,
        'mt_on_call' as check_id,
        'on-call rotation' as item,
        case
            when coalesce(people.people, 0) >= 2 then 1.0
            when people.people = 1 then 0.5
            else 0.0
        end as value,
        {{ json_object([('people', 'coalesce(people.people, 0)')]) }} as detail
    from on_call_projects as days
    left join on_call_people as people
        on days.run_id = people.run_id and days.project_id = people.project_id
),

retraining_schedule as (
    select
        run_id,
        project_id,
        'mt_retraining' as check_id,
        'retraining schedule' as item,
        max(case when found then 1.0 else 0.0 end) as value,
        {{ json_object([
            ('model', 'max(model)'),
            ('schedules', "string_agg(schedules, '; ' order by source)"),
            ('files', "string_agg(source, ', ' order by source)"),
        ]) }} as detail
    from retraining_files
    group by run_id, project_id
),

incident_response as (
    select
        run_id,
        project_id,
        'mt_incident_response' as check_id,
        source as item,
        case when incidents = 0 then 0.0 else ack_p90_minutes end as value,
        {{ json_object([
            ('incidents_90_days', 'incidents'),
            ('ack_median_minutes', round_to('ack_median_minutes', 1)),
            ('ack_p90_minutes', round_to('ack_p90_minutes', 1)),
            ('resolve_median_minutes', round_to('resolve_median_minutes', 1)),
            ('resolve_p90_minutes', round_to('resolve_p90_minutes', 1)),
        ]) }} as detail
    from {{ ref('stg_raw__incident_summary') }}
),

runbooks as (
    select
        run_id,
        project_id,
        'mt_runbook' as check_id,
        'runbooks' as item,
        avg(case when usable then 1.0 else 0.0 end) as value,
        {{ json_object([
            ('listed', 'count(*)'),
            ('not_usable', "string_agg(case when not usable then runbook || ' (' || problem || ')' end, ', ' order by runbook)"),
        ]) }} as detail
    from {{ ref('stg_raw__runbooks') }}
    group by run_id, project_id
),

artifacts as (
    select distinct
        run_id,
        project_id,
        check_id
    from drift_alerts
    union
    select distinct
        run_id,
        project_id,
        check_id
    from retraining_schedule
    union
    select distinct
        run_id,
        project_id,
        check_id
    from on_call_rotation
),

monitoring as (
    select
        inputs.run_id,
        inputs.project_id,
        'mt_monitoring' as check_id,
        'monitoring and alerting' as item,
        coalesce(max(
            case
                when systems.status in ('tested', 'in_production') and systems.observability then 1.0
                when systems.status is not null and systems.status <> 'not_started' then 0.5
                else 0.0
            end
        ), 0.0) as value,
        {{ json_object([
            ('systems', "string_agg(systems.system || ' (' || systems.status || ')', ', ' order by systems.system)"),
        ]) }} as detail
    from inputs
    left join systems on inputs.run_id = systems.run_id and inputs.project_id = systems.project_id
    group by inputs.run_id, inputs.project_id
),

survey_topics as (
    select
        run_id,
        project_id,
        case topic
            when 'drift_detection' then 'mt_drift_detection'
            when 'retraining' then 'mt_retraining'
            else 'mt_on_call'
        end as check_id,
        topic as item,
        {{ figure('sum(weight * agreement) / sum(weight)') }} as value,
        {{ json_object([('respondents', 'count(distinct respondent)'), ('answers', 'count(*)')]) }}
            as detail
    from answers
    group by run_id, project_id, topic
),

-- A survey topic counts only where no artifact judges its check.
topics as (
    select survey_topics.*
    from survey_topics
    left join artifacts
        on
            survey_topics.run_id = artifacts.run_id
            and survey_topics.project_id = artifacts.project_id
            and survey_topics.check_id = artifacts.check_id
    where artifacts.check_id is null
),

operating_budget as (
    select
        run_id,
        project_id,
        'mt_operating_budget' as check_id,
        'maintenance budget' as item,
        case
            when monthly_cost_target > 0
                then least(1.0, maintenance_budget_monthly / (0.2 * monthly_cost_target))
            when maintenance_budget_monthly > 0 then 1.0
            else 0.0
        end as value,
        {{ json_object([
            ('maintenance_budget_monthly', 'maintenance_budget_monthly'),
            ('monthly_cost_target', round_to("monthly_cost_target", 2)),
            ('currency', 'currency'),
        ]) }} as detail
    from costs
),

final as (
    select * from monitoring
    union all
    select * from topics
    union all
    select * from operating_budget
    union all
    select * from alerting
    union all
    select * from drift_alerts
    union all
    select * from on_call_coverage
    union all
    select * from on_call_rotation
    union all
    select * from retraining_schedule
    union all
    select * from incident_response
    union all
    select * from runbooks
)

select * from final
