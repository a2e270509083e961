with source as (
    select * from {{ source('raw', 'raw_eval_quality_bars') }}
),

final as (
    select
        run_id,
        project_id,
        metric,
        quality_bar
    from source
)

select * from final
