-- The inputs of the cost model, for the what-if on the scale drill-down: the page recomputes the
-- monthly cost as volume x cost per request + fixed cost, with volume and prices set by the user.
with costs as (
    select * from {{ ref('stg_raw__cost_assumptions') }}
),

final as (
    select
        run_id || ':' || project_id as cost_input_id,
        run_id,
        project_id,
        currency,
        requests_per_month_poc,
        requests_per_month_target,
        tokens_in_per_request,
        tokens_out_per_request,
        price_per_1k_tokens_in,
        price_per_1k_tokens_out,
        compute_seconds_per_request,
        price_per_compute_second,
        fixed_monthly_cost,
        monthly_budget,
        outcomes_per_request,
        value_per_outcome
    from costs
)

select * from final
