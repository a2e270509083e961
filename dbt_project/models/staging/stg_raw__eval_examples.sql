with source as (
    select * from {{ source('raw', 'raw_eval_examples') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        eval_run,
        example_id,
        metric,
        passed,
        score,
        grader_kind,
        grader,
        failure_category,
        input_excerpt,
        output_excerpt
    from source
)

select * from final
