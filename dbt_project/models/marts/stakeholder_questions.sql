-- Agreement per stakeholder group and question (the heatmap of the drill-down): how many
-- answered, the mean agreement from 0 to 1, and the spread of their answers (disagreement).
with answers as (
    select * from {{ ref('int_survey_answers_scored') }}
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
        avg(agreement) as agreement,
        coalesce(stddev_pop(agreement), 0.0) as disagreement,
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
