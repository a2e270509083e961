-- Claims against evidence: a survey answer that agrees (agreement >= 0.75) with a claim of the
-- question bank (its topic) is compared with the evidence that can deny it: the evaluation plan
-- (kpis, evaluation_suite), the inventory (monitoring, integration_tested, and on_call and
-- drift_detection, which need a monitoring or alerting system), the load tests (load_tested) and
-- the costs (retraining, which needs a maintenance budget). A claim the evidence denies flags the
-- check of its topic. Evidence that is absent denies nothing (the claim is only unverified), except
-- a load test: a claim that the service was load tested needs one. The evidence side reuses the
-- check items, so each number is still computed in one place. Claimants' groups are named as
-- readers may see them (a small group is one of "other groups"). The cost assumptions are claims
-- of their own, checked against the tokens LLM call logs measured.
with claims as (
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
    inner join {{ ref('stg_raw__survey_questions') }} as questions
        on
            answers.run_id = questions.run_id
            and answers.project_id = questions.project_id
            and answers.question_id = questions.question_id
    left join {{ ref('int_stakeholder_groups_reported') }} as reported
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
    group by answers.run_id, answers.project_id, answers.topic
),

evidence_read as (
    select * from {{ ref('int_evidence_read') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

maintenance_items as (
    select * from {{ ref('int_check_items_maintenance') }}
),

evaluation_items as (
    select * from {{ ref('int_check_items_evaluation') }}
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
    where check_id = 'int_tests'
),

stats as (
    select * from {{ ref('stg_raw__load_test_stats') }}
),

history as (
    select * from {{ ref('int_load_test_history') }}
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

evidence as (
    select * from kpis
    union all
    select * from evaluation_suite
    union all
    select * from on_call
    union all
    select * from drift_detection
    union all
    select * from retraining
    union all
    select * from monitoring
    union all
    select * from integration
    union all
    select * from load_tested
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
    where tokens_source = 'measured'
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
    from claims
    inner join evidence
        on
            claims.run_id = evidence.run_id
            and claims.project_id = evidence.project_id
            and claims.topic = evidence.topic
),

final as (
    select * from survey_claims
    union all
    select * from cost_assumptions
)

select * from final
