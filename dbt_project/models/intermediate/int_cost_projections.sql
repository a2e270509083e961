-- The cost model: cost per request, monthly cost at POC and at target volume, and unit economics.
-- Where LLM call logs or a usage export measured the tokens per request, the measured mean
-- replaces the assumed tokens, and the measured p95 gives the high end of the cost range (the
-- cost if every request used as many tokens as the 95th percentile one; the mean where no
-- percentile was measured). Without measurements both ends are the assumption.
with costs as (
    select * from {{ ref('stg_raw__cost_assumptions') }}
),

measured as (
    select * from {{ ref('stg_raw__llm_usage') }}
    where is_aggregate
),

tokens as (
    select
        costs.*,
        measured.requests as measured_requests,
        measured.models as measured_models,
        coalesce(measured.tokens_in_mean, costs.tokens_in_per_request) as tokens_in_used,
        coalesce(measured.tokens_out_mean, costs.tokens_out_per_request) as tokens_out_used,
        coalesce(measured.tokens_in_p95, measured.tokens_in_mean, costs.tokens_in_per_request)
            as tokens_in_p95_used,
        coalesce(measured.tokens_out_p95, measured.tokens_out_mean, costs.tokens_out_per_request)
            as tokens_out_p95_used,
        case when measured.project_id is null then 'assumed' else 'measured' end as tokens_source
    from costs
    left join measured on costs.run_id = measured.run_id and costs.project_id = measured.project_id
),

per_request as (
    select
        *,
        tokens_in_used / 1000.0 * price_per_1k_tokens_in
        + tokens_out_used / 1000.0 * price_per_1k_tokens_out
        + compute_seconds_per_request * price_per_compute_second as cost_per_request,
        tokens_in_p95_used / 1000.0 * price_per_1k_tokens_in
        + tokens_out_p95_used / 1000.0 * price_per_1k_tokens_out
        + compute_seconds_per_request * price_per_compute_second as cost_per_request_p95
    from tokens
),

monthly as (
    select
        *,
        requests_per_month_poc * cost_per_request + fixed_monthly_cost as monthly_cost_poc,
        requests_per_month_target * cost_per_request + fixed_monthly_cost as monthly_cost_target,
        requests_per_month_target * cost_per_request_p95 + fixed_monthly_cost
            as monthly_cost_target_p95,
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
            as cost_per_outcome_poc,
        tokens_source,
        tokens_in_per_request as assumed_tokens_in,
        tokens_out_per_request as assumed_tokens_out,
        tokens_in_used as tokens_in_per_request,
        tokens_out_used as tokens_out_per_request,
        tokens_in_p95_used as tokens_in_p95,
        tokens_out_p95_used as tokens_out_p95,
        measured_requests,
        measured_models,
        cost_per_request_p95,
        monthly_cost_target_p95,
        monthly_cost_target_p95 / monthly_budget as budget_use_p95
    from monthly
)

select * from final
