-- Survey answers with their question, and likert answers turned into agreement from 0 to 1
-- (reverse-scored questions flipped). An answer on a scale the question declares carries its own
-- score (0 to 1, from the bank); a Likert answer's position is (value - 1) / (points - 1).
with answers as (
    select * from {{ ref('stg_raw__survey_answers') }}
),

questions as (
    select * from {{ ref('stg_raw__survey_questions') }}
),

joined as (
    select
        answers.run_id,
        answers.project_id,
        answers.respondent,
        answers.stakeholder_group,
        answers.question_id,
        answers.answer_value,
        answers.scale_points,
        answers.comment,
        questions.gap,
        questions.kind,
        questions.weight,
        questions.reverse,
        questions.topic,
        coalesce(
            answers.score,
            (answers.answer_value - 1.0) / nullif(answers.scale_points - 1, 0)
        ) as position
    from answers
    inner join questions
        on
            answers.run_id = questions.run_id
            and answers.project_id = questions.project_id
            and answers.question_id = questions.question_id
),

final as (
    select
        *,
        case
            when kind <> 'likert' then null
            when reverse then 1.0 - position
            else position
        end as agreement
    from joined
)

select * from final
