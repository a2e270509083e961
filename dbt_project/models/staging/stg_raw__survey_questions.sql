with source as (
    select * from {{ source('raw', 'raw_survey_questions') }}
),

final as (
    select
        run_id,
        project_id,
        question_id,
        question_text,
        gap,
        stakeholder_group,
        weight,
        kind,
        reverse,
        topic
    from source
)

select * from final
