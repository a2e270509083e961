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
        cost_per_outcome_poc
    from costs
)

select * from final
