{{ config(materialized='incremental') }}

with costs as (
    select * from {{ ref('int_cost_projections') }}
),

final as (
    select
        run_id || ':' || project_id as cost_projection_id,
        run_id,
        project_id,
        currency,
        requests_per_month_poc,
        requests_per_month_target,
        cost_per_request,
        monthly_cost_poc,
        monthly_cost_target,
        cost_multiplier,
        monthly_budget,
        budget_use,
        cost_per_outcome,
        value_per_outcome,
        cost_per_user,
        return_on_cost,
        target_peak_rps,
        fixed_monthly_cost,
        maintenance_budget_monthly,
        users_target,
        outcomes_per_month,
        value_per_month_target,
        cost_per_outcome_poc,
        tokens_source,
        assumed_tokens_in,
        assumed_tokens_out,
        tokens_in_per_request,
        tokens_out_per_request,
        tokens_in_p95,
        tokens_out_p95,
        measured_requests,
        measured_models,
        cost_per_request_p95,
        monthly_cost_target_p95,
        budget_use_p95
    from costs
)

select * from final
where {{ new_runs() }}
