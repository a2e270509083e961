-- Maintenance: monitoring wired (inventory), drift detection, retraining and on-call (survey
-- topics), and an operating budget against the projected run cost.
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

topics as (
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
)

select * from final
