-- Stakeholder alignment from the survey: who responded, how much each group agrees, how divided
-- each group is, and blockers raised by legal or compliance.
with inputs as (
    select
        run_id,
        project_id
    from {{ ref('int_evidence_read') }}
    where evidence_kind = 'survey'
),

answers as (
    select * from {{ ref('int_survey_answers_scored') }}
),

required_groups as (
    select
        run_id,
        project_id,
        name as stakeholder_group
    from {{ ref('stg_raw__project_requirements') }}
    where kind = 'stakeholder_group'
),

responded as (
    select distinct
        run_id,
        project_id,
        stakeholder_group
    from answers
),

groups_responded as (
    select
        inputs.run_id,
        inputs.project_id,
        'sa_groups_responded' as check_id,
        'required groups' as item,
        coalesce(avg(
            case
                when required_groups.stakeholder_group is null then null
                when responded.stakeholder_group is not null then 1.0
                else 0.0
            end
        ), 1.0) as value,
        {{ json_object([
            ('required_groups', 'count(required_groups.stakeholder_group)'),
            ('silent_groups', "string_agg(case when responded.stakeholder_group is null then required_groups.stakeholder_group end, ', ' order by required_groups.stakeholder_group)"),
        ]) }} as detail
    from inputs
    left join required_groups
        on inputs.run_id = required_groups.run_id and inputs.project_id = required_groups.project_id
    left join responded
        on
            required_groups.run_id = responded.run_id
            and required_groups.project_id = responded.project_id
            and required_groups.stakeholder_group = responded.stakeholder_group
    group by inputs.run_id, inputs.project_id
),

alignment_answers as (
    select * from answers
    where kind = 'likert' and gap = 'stakeholder_alignment'
),

group_agreement as (
    select
        run_id,
        project_id,
        'sa_agreement' as check_id,
        stakeholder_group as item,
        sum(weight * agreement) / sum(weight) as value,
        {{ json_object([
            ('respondents', 'count(distinct respondent)'),
            ('answers', 'count(*)'),
        ]) }} as detail
    from alignment_answers
    group by run_id, project_id, stakeholder_group
),

respondent_means as (
    select
        run_id,
        project_id,
        stakeholder_group,
        respondent,
        sum(weight * agreement) / sum(weight) as agreement
    from alignment_answers
    group by run_id, project_id, stakeholder_group, respondent
),

group_spread as (
    select
        run_id,
        project_id,
        'sa_disagreement' as check_id,
        stakeholder_group as item,
        stddev_samp(agreement) as value,
        {{ json_object([
            ('respondents', 'count(*)'),
            ('lowest', round_to("min(agreement)", 2)),
            ('highest', round_to("max(agreement)", 2)),
        ]) }} as detail
    from respondent_means
    group by run_id, project_id, stakeholder_group
    having count(*) >= 2
),

legal_blockers as (
    select
        inputs.run_id,
        inputs.project_id,
        'sa_legal_blockers' as check_id,
        'legal and compliance' as item,
        coalesce(sum(
            case
                when answers.stakeholder_group in ('legal', 'compliance') and answers.answer_value = 1
                    then 1.0
                else 0.0
            end
        ), 0.0) as value,
        {{ json_object([
            ('blockers', "string_agg(case when answers.stakeholder_group in ('legal', 'compliance') and answers.answer_value = 1 then answers.stakeholder_group || ': ' || coalesce(answers.comment, answers.question_id) end, '; ' order by answers.question_id)"),
        ]) }} as detail
    from inputs
    left join answers
        on
            inputs.run_id = answers.run_id
            and inputs.project_id = answers.project_id
            and answers.kind = 'blocker'
    group by inputs.run_id, inputs.project_id
),

final as (
    select * from groups_responded
    union all
    select * from group_agreement
    union all
    select * from group_spread
    union all
    select * from legal_blockers
)

select * from final
