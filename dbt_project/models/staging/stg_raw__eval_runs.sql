with source as (
    select * from {{ source('raw', 'raw_eval_runs') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        tool,
        tool_version,
        eval_run,
        started_at,
        model,
        examples
    from source
)

select * from final
