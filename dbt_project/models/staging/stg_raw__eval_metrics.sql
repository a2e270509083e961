with source as (
    select * from {{ source('raw', 'raw_eval_metrics') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        eval_run,
        metric,
        pass_rate,
        examples,
        passed
    from source
)

select * from final
