-- Evaluation: KPIs with baseline and target, their instrumentation, the evaluation suite, an
-- owner, and how much stakeholders trust the measurement (survey). Where a KPI export was given,
-- a KPI's baseline is the one measured before the launch date and it is instrumented when its
-- newest cadence window holds a point (the plan's words count only without the data). The checks
-- judged on the evaluation tools' results come from int_check_items_evaluation_artifacts.
with plans as (
    select * from {{ ref('stg_raw__evaluation_plans') }}
),

plan_kpis as (
    select * from {{ ref('stg_raw__evaluation_kpis') }}
),

kpi_series as (
    select * from {{ ref('int_kpi_series_measured') }}
),

measured_projects as (
    select distinct
        run_id,
        project_id
    from kpi_series
),

kpis as (
    select
        plan_kpis.run_id,
        plan_kpis.project_id,
        plan_kpis.kpi,
        case
            when measured_projects.project_id is null then plan_kpis.baseline
            -- Without a launch date nothing measures the baseline: the plan's stands.
            when kpi_series.launch_date is null then plan_kpis.baseline
            else kpi_series.measured_baseline
        end as baseline,
        plan_kpis.target,
        case
            when measured_projects.project_id is null then plan_kpis.instrumented
            else coalesce(kpi_series.measured_in_last_window, false)
        end as instrumented
    from plan_kpis
    left join measured_projects
        on plan_kpis.run_id = measured_projects.run_id and plan_kpis.project_id = measured_projects.project_id
    left join kpi_series
        on
            plan_kpis.run_id = kpi_series.run_id
            and plan_kpis.project_id = kpi_series.project_id
            and lower(plan_kpis.kpi) = lower(kpi_series.kpi)
),

artifacts as (
    select * from {{ ref('int_check_items_evaluation_artifacts') }}
),

answers as (
    select * from {{ ref('int_survey_answers_scored') }}
    where kind = 'likert' and gap = 'evaluation'
),

kpi_summary as (
    select
        plans.run_id,
        plans.project_id,
        count(kpis.kpi) as kpis,
        sum(case when kpis.baseline is not null and kpis.target is not null then 1 else 0 end)
            as defined,
        sum(case when kpis.instrumented then 1 else 0 end) as instrumented,
        string_agg(
            case when kpis.baseline is null or kpis.target is null then kpis.kpi end,
            ', ' order by kpis.kpi
        ) as undefined_kpis,
        string_agg(case when not kpis.instrumented then kpis.kpi end, ', ' order by kpis.kpi)
            as uninstrumented_kpis
    from plans
    left join kpis on plans.run_id = kpis.run_id and plans.project_id = kpis.project_id
    group by plans.run_id, plans.project_id
),

defined as (
    select
        run_id,
        project_id,
        'ev_kpis_defined' as check_id,
        'business KPIs' as item,
        coalesce(defined * 1.0 / nullif(kpis, 0), 0.0) as value,
        {{ json_object([('kpis', 'kpis'), ('without_baseline_or_target', 'undefined_kpis')]) }}
            as detail
    from kpi_summary
),

instrumentation as (
    select
        run_id,
        project_id,
        'ev_instrumentation' as check_id,
        'business KPIs' as item,
        coalesce(instrumented * 1.0 / nullif(kpis, 0), 0.0) as value,
        {{ json_object([('kpis', 'kpis'), ('not_instrumented', 'uninstrumented_kpis')]) }}
            as detail
    from kpi_summary
),

suite as (
    select
        run_id,
        project_id,
        'ev_suite' as check_id,
        'evaluation suite' as item,
        (
            case when automated_grading then 1.0 else 0.0 end
            + case when failure_taxonomy then 1.0 else 0.0 end
            + case when regression_set_size >= 50 then 1.0 else 0.0 end
        ) / 3.0 as value,
        {{ json_object([
            ('automated_grading', 'automated_grading'),
            ('failure_taxonomy', 'failure_taxonomy'),
            ('regression_set_size', 'regression_set_size'),
        ]) }} as detail
    from plans
),

owner as (
    select
        run_id,
        project_id,
        'ev_owner' as check_id,
        'evaluation owner' as item,
        case when coalesce(trim(owner), '') <> '' then 1.0 else 0.0 end as value,
        {{ json_object([('owner', 'owner')]) }} as detail
    from plans
),

confidence as (
    select
        run_id,
        project_id,
        'ev_confidence' as check_id,
        'evaluation questions' as item,
        {{ figure('sum(weight * agreement) / sum(weight)') }} as value,
        {{ json_object([('respondents', 'count(distinct respondent)'), ('answers', 'count(*)')]) }}
            as detail
    from answers
    group by run_id, project_id
),

final as (
    select * from defined
    union all
    select * from instrumentation
    union all
    select * from suite
    union all
    select * from owner
    union all
    select * from confidence
    union all
    select * from artifacts
)

select * from final
