with source as (
    select * from {{ source('raw', 'raw_survey_answers') }}
),

final as (
    select
        run_id,
        project_id,
        respondent,
        stakeholder_group,
        question_id,
        answer_value,
        scale_points,
        comment,
        source,
        source_row,
        score
    from source
)

select * from final
