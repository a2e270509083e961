-- The inputs of the cost model, for the what-if on the scale drill-down: the page recomputes the
-- monthly cost as volume x cost per request + fixed cost, with volume and prices set by the user.
-- The tokens per request are those the cost model used: measured where call logs or a usage
-- export measured them, else assumed (tokens_source says which).
{{ config(materialized='incremental') }}

with costs as (
    select * from {{ ref('stg_raw__cost_assumptions') }}
),

projections as (
    select * from {{ ref('int_cost_projections') }}
),

final as (
    select
        costs.run_id || ':' || costs.project_id as cost_input_id,
        costs.run_id,
        costs.project_id,
        costs.currency,
        costs.requests_per_month_poc,
        costs.requests_per_month_target,
        projections.tokens_in_per_request,
        projections.tokens_out_per_request,
        costs.price_per_1k_tokens_in,
        costs.price_per_1k_tokens_out,
        costs.compute_seconds_per_request,
        costs.price_per_compute_second,
        costs.fixed_monthly_cost,
        costs.monthly_budget,
        costs.outcomes_per_request,
        costs.value_per_outcome,
        projections.tokens_source,
        projections.tokens_in_p95,
        projections.tokens_out_p95
    from costs
    inner join projections on costs.run_id = projections.run_id and costs.project_id = projections.project_id
)

select * from final
where {{ new_runs() }}
