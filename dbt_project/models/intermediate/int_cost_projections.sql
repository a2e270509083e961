-- The cost model: cost per request, monthly cost at POC and at target volume, and unit economics.
with costs as (
    select * from {{ ref('stg_raw__cost_assumptions') }}
),

per_request as (
    select
        *,
        tokens_in_per_request / 1000.0 * price_per_1k_tokens_in
        + tokens_out_per_request / 1000.0 * price_per_1k_tokens_out
        + compute_seconds_per_request * price_per_compute_second as cost_per_request
    from costs
),

monthly as (
    select
        *,
        requests_per_month_poc * cost_per_request + fixed_monthly_cost as monthly_cost_poc,
        requests_per_month_target * cost_per_request + fixed_monthly_cost as monthly_cost_target,
        requests_per_month_target * outcomes_per_request as outcomes_per_month,
        requests_per_month_target / (30.0 * 24 * 3600) * peak_to_average as target_peak_rps
    from per_request
),

final as (
    select
        run_id,
        project_id,
        currency,
        requests_per_month_poc,
        requests_per_month_target,
        cost_per_request,
        monthly_cost_poc,
        monthly_cost_target,
        monthly_cost_target / nullif(monthly_cost_poc, 0) as cost_multiplier,
        monthly_budget,
        monthly_cost_target / monthly_budget as budget_use,
        monthly_cost_target / nullif(outcomes_per_month, 0) as cost_per_outcome,
        value_per_outcome,
        monthly_cost_target / users_target as cost_per_user,
        outcomes_per_month * value_per_outcome / nullif(monthly_cost_target, 0) as return_on_cost,
        target_peak_rps,
        maintenance_budget_monthly,
        fixed_monthly_cost,
        outcomes_per_request,
        outcomes_per_month,
        users_target,
        outcomes_per_month * value_per_outcome as value_per_month_target,
        monthly_cost_poc / nullif(requests_per_month_poc * outcomes_per_request, 0)
            as cost_per_outcome_poc
    from monthly
)

select * from final
