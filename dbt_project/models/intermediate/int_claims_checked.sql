-- Claims against evidence: a survey answer that agrees (agreement >= 0.75) with a claim of the
-- question bank (its topic) is compared with the evidence that can deny it: the evaluation plan
-- (kpis, evaluation_suite), the inventory (monitoring, integration_tested, and on_call and
-- drift_detection, which need a monitoring or alerting system), the load tests (load_tested) and
-- the costs (retraining, which needs a maintenance budget). A claim the evidence denies flags the
-- check of its topic. Evidence that is absent denies nothing (the claim is only unverified), except
-- a load test: a claim that the service was load tested needs one. The evidence side reuses the
-- check items, so each number is still computed in one place. Claimants' groups are named as
-- readers may see them (a small group is one of "other groups"). The evaluation plan makes claims
-- too (automated grading, a failure taxonomy, a regression set of its size, instrumented KPIs):
-- where the evaluation tools' results or the KPI export deny one, it is contradicted the same way.
-- Where the operations artifacts exist they are the evidence instead of the inventory and the
-- costs: on-call (the next four weeks covered by a rotation of two or more), retraining (a schedule
-- found for the model), drift detection (a quality alert that reaches someone) and monitoring
-- (every signal of every service alerted and routed to a receiver that delivers).
-- The cost assumptions are claims of their own, checked against the tokens LLM call logs
-- measured.
-- Incremental (macros/new_runs.sql): int_checks_judged and recommendations both read it, and each
-- input takes only the new runs (as a view, its left joins read every run of history).
{{ config(materialized='incremental') }}

with survey_questions as (
    select * from {{ ref('stg_raw__survey_questions') }}
    where {{ new_runs() }}
),

groups_reported as (
    select * from {{ ref('int_stakeholder_groups_reported') }}
    where {{ new_runs() }}
),

claims as (
    select
        answers.run_id,
        answers.project_id,
        answers.topic,
        count(distinct answers.respondent) as claimants,
        string_agg(
            distinct coalesce(reported.reported_group, 'other groups'),
            ', ' order by coalesce(reported.reported_group, 'other groups')
        ) as claimant_groups,
        string_agg(distinct answers.question_id, ', ' order by answers.question_id) as questions,
        string_agg(distinct rtrim(questions.question_text, '.'), '; ' order by rtrim(questions.question_text, '.'))
            as claim_text
    from {{ ref('int_survey_answers_scored') }} as answers
    inner join survey_questions as questions
        on
            answers.run_id = questions.run_id
            and answers.project_id = questions.project_id
            and answers.question_id = questions.question_id
    left join groups_reported as reported
        on
            answers.run_id = reported.run_id
            and answers.project_id = reported.project_id
            and answers.stakeholder_group = reported.stakeholder_group
    where
        answers.kind = 'likert'
        and answers.topic in (
            'kpis', 'evaluation_suite', 'on_call', 'retraining', 'drift_detection',
            'monitoring', 'load_tested', 'integration_tested'
        )
        and answers.agreement >= 0.75
        and {{ new_runs('answers.run_id') }}
    group by answers.run_id, answers.project_id, answers.topic
),

evidence_read as (
    select * from {{ ref('int_evidence_read') }}
    where {{ new_runs() }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
    where {{ new_runs() }}
),

maintenance_items as (
    select * from {{ ref('int_check_items_maintenance') }}
    where {{ new_runs() }}
),

evaluation_items as (
    select * from {{ ref('int_check_items_evaluation') }}
    where {{ new_runs() }}
),

monitoring as (
    select
        run_id,
        project_id,
        'monitoring' as topic,
        'mt_monitoring' as check_id,
        value < 1 as denied,
        case
            when value = 0 then 'the inventory holds no monitoring or alerting system'
            when value < 1 then 'the monitoring and alerting systems in the inventory are not live yet'
            else 'a monitoring or alerting system is live'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_monitoring'
),

kpis as (
    select
        run_id,
        project_id,
        'kpis' as topic,
        'ev_kpis_defined' as check_id,
        value < 1 as denied,
        case
            when value = 0 then 'no KPI of the evaluation plan has both a baseline and a target'
            when value < 1 then 'some KPIs of the evaluation plan have no baseline or no target'
            else 'every KPI of the evaluation plan has a baseline and a target'
        end as evidence_says
    from evaluation_items
    where check_id = 'ev_kpis_defined'
),

evaluation_suite as (
    select
        run_id,
        project_id,
        'evaluation_suite' as topic,
        'ev_suite' as check_id,
        value < 1 as denied,
        case
            when value = 0
                then 'the evaluation plan has no automated grading, no failure taxonomy and no regression set of 50 cases'
            when value < 1
                then 'the evaluation plan lacks automated grading, a failure taxonomy or a regression set of 50 cases'
            else 'the evaluation plan has automated grading, a failure taxonomy and a regression set'
        end as evidence_says
    from evaluation_items
    where check_id = 'ev_suite'
),

on_call_artifact as (
    select
        run_id,
        project_id,
        'on_call' as topic,
        'mt_on_call' as check_id,
        value < 1 as denied,
        case
            when value = 0 then 'the on-call files show nobody on call in the next four weeks'
            when value < 1 then 'the on-call files show hours without anybody on call, or a rotation of one'
            else 'the on-call files show the next four weeks covered by a rotation'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_on_call_coverage'
),

retraining_artifact as (
    select
        run_id,
        project_id,
        'retraining' as topic,
        'mt_retraining' as check_id,
        value = 0 as denied,
        case
            when value = 0 then 'no retraining schedule for the model is found in the files given'
            else 'a retraining schedule for the model is found'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_retraining' and item = 'retraining schedule'
),

drift_artifact as (
    select
        run_id,
        project_id,
        'drift_detection' as topic,
        'mt_drift_detection' as check_id,
        min(value) = 0 as denied,
        case
            when min(value) = 0 then 'no quality or drift alert of the alerting rules reaches anyone'
            else 'a quality or drift alert reaches someone'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_drift_detection' and item <> 'drift_detection'
    group by run_id, project_id
),

monitoring_artifact as (
    select
        run_id,
        project_id,
        'monitoring' as topic,
        'mt_monitoring' as check_id,
        min(value) < 1 as denied,
        case
            when min(value) < 1 then 'the alerting rules leave signals without an alert that reaches anyone'
            else 'every signal of the service is alerted and routed to a receiver that delivers'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_alert_coverage'
    group by run_id, project_id
),

operations_artifacts as (
    select * from on_call_artifact
    union all
    select * from retraining_artifact
    union all
    select * from drift_artifact
    union all
    select * from monitoring_artifact
),

on_call as (
    select
        run_id,
        project_id,
        'on_call' as topic,
        'mt_on_call' as check_id,
        value = 0 as denied,
        case
            when value = 0 then 'the inventory holds no monitoring or alerting system to page anyone'
            else 'a monitoring or alerting system is in the inventory'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_monitoring'
),

drift_detection as (
    select
        run_id,
        project_id,
        'drift_detection' as topic,
        'mt_drift_detection' as check_id,
        value = 0 as denied,
        case
            when value = 0 then 'the inventory holds no monitoring system to detect drift'
            else 'a monitoring system is in the inventory'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_monitoring'
),

retraining as (
    select
        run_id,
        project_id,
        'retraining' as topic,
        'mt_retraining' as check_id,
        value = 0 as denied,
        case
            when value = 0 then 'the cost assumptions hold no maintenance budget to pay for retraining'
            else 'the cost assumptions hold a maintenance budget'
        end as evidence_says
    from maintenance_items
    where check_id = 'mt_operating_budget'
),

integration as (
    select
        run_id,
        project_id,
        'integration_tested' as topic,
        'int_tests' as check_id,
        value < 1 as denied,
        case
            when value < 1 then 'the inventory shows required systems without integration tests'
            else 'every required system has integration tests'
        end as evidence_says
    from {{ ref('int_check_items_integration') }}
    where check_id = 'int_tests' and {{ new_runs() }}
),

stats as (
    select * from {{ ref('stg_raw__load_test_stats') }}
    where {{ new_runs() }}
),

history as (
    select * from {{ ref('int_load_test_history') }}
    where {{ new_runs() }}
),

stats_at_target as (
    select distinct
        stats.run_id,
        stats.project_id
    from stats
    inner join projects on stats.run_id = projects.run_id and stats.project_id = projects.project_id
    where stats.is_aggregate and stats.users >= projects.target_concurrency
),

history_at_target as (
    select distinct
        run_id,
        project_id
    from history
    where is_target_point
),

tested_at_target as (
    select * from stats_at_target
    union
    select * from history_at_target
),

load_tested as (
    select
        projects.run_id,
        projects.project_id,
        'load_tested' as topic,
        'sc_latency' as check_id,
        tested_at_target.project_id is null as denied,
        case
            when tested_at_target.project_id is not null then 'a load test ran at the target concurrency'
            when load_tests.project_id is null then 'no load test result was provided'
            else 'no load test ran at the target concurrency'
        end as evidence_says
    from projects
    left join tested_at_target
        on projects.run_id = tested_at_target.run_id and projects.project_id = tested_at_target.project_id
    left join evidence_read as load_tests
        on
            projects.run_id = load_tests.run_id
            and projects.project_id = load_tests.project_id
            and load_tests.evidence_kind = 'load_test'
),

declared as (
    select * from on_call
    union all
    select * from drift_detection
    union all
    select * from retraining
    union all
    select * from monitoring
),

-- The operations artifacts, where they exist, replace the inventory and costs as evidence.
operations as (
    select * from operations_artifacts
    union all
    select declared.*
    from declared
    left join operations_artifacts
        on
            declared.run_id = operations_artifacts.run_id
            and declared.project_id = operations_artifacts.project_id
            and declared.topic = operations_artifacts.topic
    where operations_artifacts.topic is null
),

evidence as (
    select * from kpis
    union all
    select * from evaluation_suite
    union all
    select * from operations
    union all
    select * from integration
    union all
    select * from load_tested
),

-- A declaration is a claim too: an inventory that shows monitoring and alerting live, where the
-- alerting rules leave signals without an alert that reaches anyone (only where no survey answer
-- already claims monitoring, so that a check carries one claim).
inventory_claims as (
    select
        items.run_id,
        items.project_id,
        'monitoring' as topic,
        0 as claimants,
        'system inventory' as claimant_groups,
        cast(null as varchar) as questions,
        'Monitoring and alerting are live' as claim_text
    from maintenance_items as items
    inner join monitoring_artifact
        on items.run_id = monitoring_artifact.run_id and items.project_id = monitoring_artifact.project_id
    left join claims
        on items.run_id = claims.run_id and items.project_id = claims.project_id and claims.topic = 'monitoring'
    where items.check_id = 'mt_monitoring' and items.value = 1 and claims.topic is null
),

all_claims as (
    select * from claims
    union all
    select * from inventory_claims
),

plans as (
    select * from {{ ref('stg_raw__evaluation_plans') }}
    where {{ new_runs() }}
),

artifact_items as (
    select * from {{ ref('int_check_items_evaluation_artifacts') }}
    where {{ new_runs() }}
),

plan_kpis as (
    select * from {{ ref('stg_raw__evaluation_kpis') }}
    where {{ new_runs() }}
),

kpi_series as (
    select * from {{ ref('int_kpi_series_measured') }}
    where {{ new_runs() }}
),

measured_projects as (
    select distinct
        run_id,
        project_id
    from kpi_series
),

plan_suite_claims as (
    select
        plans.run_id,
        plans.project_id,
        case items.check_id
            when 'ev_automated_share' then 'automated_grading'
            when 'ev_failure_taxonomy' then 'failure_taxonomy'
            else 'regression_set'
        end as topic,
        items.check_id,
        case items.check_id
            when 'ev_automated_share' then 'Outputs are graded automatically'
            when 'ev_failure_taxonomy' then 'Failures are sorted into a taxonomy'
            else 'The regression set holds ' || plans.regression_set_size || ' examples'
        end as claim_text,
        case items.check_id
            when 'ev_automated_share' then items.value = 0
            when 'ev_failure_taxonomy' then items.value = 0
            else items.value < plans.regression_set_size
        end as denied,
        case items.check_id
            when 'ev_automated_share' then 'no example of the newest evaluation runs was graded by an automated grader'
            when 'ev_failure_taxonomy' then 'no failed example of the newest evaluation runs carries a failure category'
            else 'the newest evaluation runs graded ' || cast(cast(items.value as integer) as varchar) || ' examples'
        end as evidence_says
    from plans
    inner join artifact_items as items
        on plans.run_id = items.run_id and plans.project_id = items.project_id
    where
        (items.check_id = 'ev_automated_share' and plans.automated_grading)
        or (items.check_id = 'ev_failure_taxonomy' and plans.failure_taxonomy)
        or (items.check_id = 'ev_regression_set' and plans.regression_set_size > 0)
),

plan_instrumented as (
    select
        plan_kpis.run_id,
        plan_kpis.project_id,
        'instrumented' as topic,
        'ev_instrumentation' as check_id,
        'The KPIs are instrumented (' || string_agg(plan_kpis.kpi, ', ' order by plan_kpis.kpi) || ')'
            as claim_text,
        sum(case when coalesce(kpi_series.measured_in_last_window, false) then 0 else 1 end) > 0
            as denied,
        'the KPI export has no point in the last cadence window for: '
        || coalesce(string_agg(
            case when not coalesce(kpi_series.measured_in_last_window, false) then plan_kpis.kpi end,
            ', ' order by plan_kpis.kpi
        ), 'none') as evidence_says
    from plan_kpis
    inner join measured_projects
        on plan_kpis.run_id = measured_projects.run_id and plan_kpis.project_id = measured_projects.project_id
    left join kpi_series
        on
            plan_kpis.run_id = kpi_series.run_id
            and plan_kpis.project_id = kpi_series.project_id
            and lower(plan_kpis.kpi) = lower(kpi_series.kpi)
    where plan_kpis.instrumented
    group by plan_kpis.run_id, plan_kpis.project_id
),

plan_claims as (
    select * from plan_suite_claims
    union all
    select * from plan_instrumented
),

-- The cost assumptions are a claim too: tokens per request assumed more than 25 % away from what
-- LLM call logs or a usage export measured (in or out) are contradicted, on the cost check.
cost_assumptions as (
    select
        run_id,
        project_id,
        'cost_assumptions' as topic,
        'sc_cost_budget' as check_id,
        cast(null as integer) as claimants,
        'cost assumptions' as claimant_groups,
        cast(null as varchar) as questions,
        'the cost model assumes ' || cast(cast(round(assumed_tokens_in) as bigint) as varchar)
        || ' tokens in and ' || cast(cast(round(assumed_tokens_out) as bigint) as varchar)
        || ' tokens out per request' as claim_text,
        'LLM usage measured ' || cast(cast(round(tokens_in_per_request) as bigint) as varchar)
        || ' tokens in and ' || cast(cast(round(tokens_out_per_request) as bigint) as varchar)
        || ' out per request (mean of ' || cast(measured_requests as varchar) || ' requests)'
            as evidence_says,
        abs(assumed_tokens_in - tokens_in_per_request) > 0.25 * tokens_in_per_request
        or abs(assumed_tokens_out - tokens_out_per_request) > 0.25 * tokens_out_per_request
            as contradicted
    from {{ ref('int_cost_projections') }}
    where tokens_source = 'measured' and {{ new_runs() }}
),

survey_claims as (
    select
        claims.run_id,
        claims.project_id,
        claims.topic,
        evidence.check_id,
        claims.claimants,
        claims.claimant_groups,
        claims.questions,
        claims.claim_text,
        evidence.evidence_says,
        coalesce(evidence.denied, false) as contradicted
    from all_claims as claims
    inner join evidence
        on
            claims.run_id = evidence.run_id
            and claims.project_id = evidence.project_id
            and claims.topic = evidence.topic
),

final as (
    select * from survey_claims
    union all
    select
        run_id,
        project_id,
        topic,
        check_id,
        1 as claimants,
        'evaluation plan' as claimant_groups,
        cast(null as varchar) as questions,
        claim_text,
        evidence_says,
        coalesce(denied, false) as contradicted
    from plan_claims
    union all
    select * from cost_assumptions
)

select * from final
where {{ new_runs() }}
