-- Claims against evidence: a survey answer that agrees (agreement >= 0.75) that monitoring is in
-- place, that the service was load tested or that integrations are tested is compared with what
-- the inventory and the load tests show. A claim the evidence denies flags the check that judges
-- that evidence (mt_monitoring, sc_latency, int_tests). The evidence side reuses the check items,
-- so each number is still computed in one place.
with claims as (
    select
        run_id,
        project_id,
        topic,
        count(distinct respondent) as claimants,
        string_agg(distinct stakeholder_group, ', ' order by stakeholder_group) as claimant_groups,
        string_agg(distinct question_id, ', ' order by question_id) as questions
    from {{ ref('int_survey_answers_scored') }}
    where
        kind = 'likert'
        and topic in ('monitoring', 'load_tested', 'integration_tested')
        and agreement >= 0.75
    group by run_id, project_id, topic
),

evidence_read as (
    select * from {{ ref('int_evidence_read') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
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
    from {{ ref('int_check_items_maintenance') }}
    where check_id = 'mt_monitoring'
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
    select * from monitoring
    union all
    select * from integration
    union all
    select * from load_tested
),

final as (
    select
        claims.run_id,
        claims.project_id,
        claims.topic,
        evidence.check_id,
        claims.claimants,
        claims.claimant_groups,
        claims.questions,
        evidence.evidence_says,
        coalesce(evidence.denied, false) as contradicted
    from claims
    inner join evidence
        on
            claims.run_id = evidence.run_id
            and claims.project_id = evidence.project_id
            and claims.topic = evidence.topic
)

select * from final
