with source as (
    select * from {{ source('raw', 'raw_survey_refused') }}
),

final as (
    select
        run_id,
        project_id,
        question_id,
        stakeholder_group,
        source,
        source_row,
        column_name,
        reason
    from source
)

select * from final
