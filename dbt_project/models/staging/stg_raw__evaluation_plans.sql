with source as (
    select * from {{ source('raw', 'raw_evaluation_plans') }}
),

final as (
    select
        run_id,
        project_id,
        owner,
        automated_grading,
        failure_taxonomy,
        regression_set_size
    from source
)

select * from final
