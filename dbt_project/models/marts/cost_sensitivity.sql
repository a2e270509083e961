-- How the monthly cost at target and the unit economics move when volume and price differ from
-- the assumptions: every pair of a volume change from -90% to +900% (a tenth of the target to ten
-- times it) and a price change from -90% to +200% (10% to 300% of today's prices). Price scales
-- the variable cost per request (tokens and compute); fixed monthly costs stay. The dashboard's
-- what-if chooses among these pairs; `in_table` marks the pairs the sensitivity tables show
-- (both changes from -50% to +100%), so every surface shows the same table.
{{ config(materialized='incremental') }}

with costs as (
    select * from {{ ref('int_cost_projections') }}
),

volume_steps as (
    select
        steps.change,
        steps.in_table
    from (
        values
        (-0.9, false), (-0.75, false), (-0.5, true), (-0.25, true), (0.0, true), (0.25, true),
        (0.5, true), (1.0, true), (2.0, false), (3.0, false), (5.0, false), (9.0, false)
    ) as steps (change, in_table)
),

price_steps as (
    select
        steps.change,
        steps.in_table
    from (
        values
        (-0.9, false), (-0.75, false), (-0.5, true), (-0.25, true), (0.0, true), (0.25, true),
        (0.5, true), (1.0, true), (2.0, false)
    ) as steps (change, in_table)
),

grid as (
    select
        costs.*,
        volume.change as volume_change,
        price.change as price_change,
        volume.in_table and price.in_table as in_table,
        costs.requests_per_month_target * (1 + volume.change) as requests_per_month,
        costs.cost_per_request * (1 + price.change) as scenario_cost_per_request
    from costs
    cross join volume_steps as volume
    cross join price_steps as price
),

projected as (
    select
        *,
        requests_per_month * scenario_cost_per_request + fixed_monthly_cost as monthly_cost,
        requests_per_month * outcomes_per_request as scenario_outcomes_per_month
    from grid
),

final as (
    select
        run_id || ':' || project_id || ':' || cast(volume_change as varchar) || ':'
        || cast(price_change as varchar) as cost_sensitivity_id,
        run_id,
        project_id,
        currency,
        volume_change,
        price_change,
        requests_per_month,
        scenario_cost_per_request as cost_per_request,
        monthly_cost,
        monthly_budget,
        monthly_cost / monthly_budget as budget_use,
        monthly_cost <= monthly_budget as within_budget,
        monthly_cost / nullif(scenario_outcomes_per_month, 0) as cost_per_outcome,
        value_per_outcome,
        scenario_outcomes_per_month * value_per_outcome / nullif(monthly_cost, 0) as return_on_cost,
        volume_change = 0 and price_change = 0 as is_baseline,
        in_table
    from projected
)

select * from final
where {{ new_runs() }}
