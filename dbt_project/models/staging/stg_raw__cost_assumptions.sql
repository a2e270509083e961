with source as (
    select * from {{ source('raw', 'raw_cost_assumptions') }}
),

final as (
    select
        run_id,
        project_id,
        currency,
        requests_per_month_poc,
        requests_per_month_target,
        peak_to_average,
        tokens_in_per_request,
        tokens_out_per_request,
        price_per_1k_tokens_in,
        price_per_1k_tokens_out,
        compute_seconds_per_request,
        price_per_compute_second,
        fixed_monthly_cost,
        monthly_budget,
        maintenance_budget_monthly,
        users_target,
        outcomes_per_request,
        value_per_outcome
    from source
)

select * from final
