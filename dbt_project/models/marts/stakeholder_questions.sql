-- Agreement per stakeholder group and question (the heatmap of the drill-down): how many
-- answered, the mean agreement from 0 to 1, and the spread of their answers (disagreement).
-- Groups as readers may see them: one too small to show on its own is part of "other groups",
-- or not shown at all (int_stakeholder_groups_reported), so no cell is one person's answer.
{{ config(materialized='incremental') }}

with scored as (
    select * from {{ ref('int_survey_answers_scored') }}
),

reported as (
    select * from {{ ref('int_stakeholder_groups_reported') }}
),

answers as (
    select
        scored.run_id,
        scored.project_id,
        reported.reported_group as stakeholder_group,
        scored.question_id,
        scored.agreement
    from scored
    inner join reported
        on
            scored.run_id = reported.run_id
            and scored.project_id = reported.project_id
            and scored.stakeholder_group = reported.stakeholder_group
    where reported.reported_group is not null
),

questions as (
    select * from {{ ref('stg_raw__survey_questions') }}
),

per_cell as (
    select
        run_id,
        project_id,
        stakeholder_group,
        question_id,
        count(*) as respondents,
        {{ figure('avg(agreement)') }} as agreement,
        coalesce({{ figure('stddev_pop(agreement)') }}, 0.0) as disagreement,
        min(agreement) as lowest_agreement,
        max(agreement) as highest_agreement
    from answers
    where agreement is not null
    group by run_id, project_id, stakeholder_group, question_id
),

final as (
    select
        per_cell.run_id || ':' || per_cell.project_id || ':' || per_cell.stakeholder_group
        || ':' || per_cell.question_id as stakeholder_question_id,
        per_cell.run_id,
        per_cell.project_id,
        per_cell.stakeholder_group,
        per_cell.question_id,
        questions.question_text,
        questions.gap,
        questions.topic,
        per_cell.respondents,
        per_cell.agreement,
        per_cell.disagreement,
        per_cell.lowest_agreement,
        per_cell.highest_agreement
    from per_cell
    left join questions
        on
            per_cell.run_id = questions.run_id
            and per_cell.project_id = questions.project_id
            and per_cell.question_id = questions.question_id
)

select * from final
where {{ new_runs() }}
