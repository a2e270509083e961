-- Stakeholder alignment from the survey: who responded, how much each group agrees, how divided
-- each group is, and blockers raised by legal or compliance. Agreement and spread are judged per
-- group as readers see them (int_stakeholder_groups_reported): groups too small to show on their
-- own are merged into "other groups" or left out, and each item says so (small_groups). Means
-- and spreads are figures (macros/figure.sql): the same whatever order the rows meet.
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

reported as (
    select * from {{ ref('int_stakeholder_groups_reported') }}
),

alignment_answers as (
    select
        answers.run_id,
        answers.project_id,
        answers.respondent,
        answers.weight,
        answers.agreement,
        reported.reported_group as stakeholder_group,
        reported.small_groups
    from answers
    inner join reported
        on
            answers.run_id = reported.run_id
            and answers.project_id = reported.project_id
            and answers.stakeholder_group = reported.stakeholder_group
    where
        answers.kind = 'likert'
        and answers.gap = 'stakeholder_alignment'
        and reported.reported_group is not null
),

group_agreement as (
    select
        run_id,
        project_id,
        'sa_agreement' as check_id,
        stakeholder_group as item,
        {{ figure('sum(weight * agreement) / sum(weight)') }} as value,
        {{ json_object([
            ('respondents', 'count(distinct respondent)'),
            ('answers', 'count(*)'),
            ('small_groups', 'max(small_groups)'),
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
        {{ figure('sum(weight * agreement) / sum(weight)') }} as agreement,
        max(small_groups) as small_groups
    from alignment_answers
    group by run_id, project_id, stakeholder_group, respondent
),

group_spread as (
    select
        run_id,
        project_id,
        'sa_disagreement' as check_id,
        stakeholder_group as item,
        {{ figure('stddev_samp(agreement)') }} as value,
        {{ json_object([
            ('respondents', 'count(*)'),
            ('lowest', round_to("min(agreement)", 2)),
            ('highest', round_to("max(agreement)", 2)),
            ('small_groups', 'max(small_groups)'),
        ]) }} as detail
    from respondent_means
    group by run_id, project_id, stakeholder_group
    having count(*) >= 2
),

blocker_answers as (
    select
        answers.*,
        upper(substr(answers.stakeholder_group, 1, 1)) || substr(answers.stakeholder_group, 2) || ': '
        || coalesce(nullif(rtrim(trim(answers.comment), '.'), ''), questions.question_text) as blocker
    from answers
    inner join {{ ref('stg_raw__survey_questions') }} as questions
        on
            answers.run_id = questions.run_id
            and answers.project_id = questions.project_id
            and answers.question_id = questions.question_id
    where
        answers.kind = 'blocker'
        and answers.stakeholder_group in ('legal', 'compliance')
        and answers.answer_value = 1
),

refusals as (
    select * from {{ ref('int_survey_refusals_mapped') }}
    where check_id = 'sa_legal_blockers'
),

-- Whether legal or compliance answered a blocker question at all (yes or no): "no blocker" is
-- evidence only when one of them said so, never when neither answered.
legal_voices as (
    select
        run_id,
        project_id,
        count(*) as answers
    from answers
    where kind = 'blocker' and stakeholder_group in ('legal', 'compliance')
    group by run_id, project_id
),

legal_blockers as (
    select
        inputs.run_id,
        inputs.project_id,
        'sa_legal_blockers' as check_id,
        'legal and compliance' as item,
        case
            when max(legal_voices.answers) is null then null
            else count(blocker_answers.blocker) * 1.0
        end as value,
        {{ json_object([
            ('blockers', "string_agg(blocker_answers.blocker, '; ' order by blocker_answers.stakeholder_group desc, blocker_answers.question_id, blocker_answers.blocker)"),
            ('refused', 'max(refusals.refused)'),
            ('refused_rows', 'max(refusals.refused_rows)'),
        ]) }} as detail
    from inputs
    left join blocker_answers
        on inputs.run_id = blocker_answers.run_id and inputs.project_id = blocker_answers.project_id
    left join refusals
        on inputs.run_id = refusals.run_id and inputs.project_id = refusals.project_id
    left join legal_voices
        on inputs.run_id = legal_voices.run_id and inputs.project_id = legal_voices.project_id
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
