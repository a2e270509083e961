with source as (
    select * from {{ source('raw', 'raw_llm_usage') }}
),

final as (
    select
        run_id,
        project_id,
        source,
        format,
        is_aggregate,
        models,
        requests,
        tokens_in_total,
        tokens_out_total,
        tokens_in_mean,
        tokens_out_mean,
        tokens_in_p95,
        tokens_out_p95,
        requests_with_percentiles
    from source
)

select * from final
