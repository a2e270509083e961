-- Scale: latency and errors of the load test closest to the target concurrency, cost at target
-- volume against budget and value, and dependencies' rate limits against the target peak load.
-- When a Locust history was given (or a JMeter JTL with thread counts), the p95 is read at the
-- point the test ran at the target concurrency (the final stats average the ramp-up in);
-- otherwise from the final stats of Locust, k6 or JMeter. Latencies in the evidence are rounded
-- to 0.1 ms (k6 exports them to 1e-4 ms, which adds nothing but digits). The cost is at the tokens
-- per request measured from LLM call logs where there are some (int_cost_projections).
with projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

load_tests as (
    select * from {{ ref('stg_raw__load_test_stats') }}
    where is_aggregate
),

costs as (
    select * from {{ ref('int_cost_projections') }}
),

systems as (
    select * from {{ ref('stg_raw__inventory_systems') }}
),

ranked_tests as (
    select
        load_tests.*,
        projects.p95_latency_slo_ms,
        projects.max_error_rate,
        projects.target_concurrency,
        row_number() over (
            partition by load_tests.run_id, load_tests.project_id
            order by
                case when load_tests.users >= projects.target_concurrency then 0 else 1 end,
                case
                    when load_tests.users >= projects.target_concurrency then load_tests.users
                    else -load_tests.users
                end,
                load_tests.source
        ) as closeness
    from load_tests
    inner join projects
        on load_tests.run_id = projects.run_id and load_tests.project_id = projects.project_id
),

chosen_test as (
    select * from ranked_tests
    where closeness = 1
),

history_points as (
    select
        *,
        row_number() over (
            partition by run_id, project_id
            order by user_count asc, sampled_at desc, source asc
        ) as closeness
    from {{ ref('int_load_test_history') }}
    where is_target_point
),

history_point as (
    select * from history_points
    where closeness = 1
),

-- The final stats of the same load test (declared with the same users) as the history: their
-- overall p95 is what Locust reports, shown beside the figure the check judged.
overall_stats as (
    select
        run_id,
        project_id,
        users,
        source,
        p95_ms,
        tool,
        row_number() over (partition by run_id, project_id, users order by source) as pick
    from load_tests
),

latency_from_history as (
    select
        history_point.run_id,
        history_point.project_id,
        'sc_latency' as check_id,
        history_point.source as item,
        history_point.p95_vs_slo as value,
        {{ json_object([
            ('p95_ms', round_to('history_point.p95_ms', 1)),
            ('slo_p95_ms', 'history_point.p95_latency_slo_ms'),
            ('user_count', 'history_point.user_count'),
            ('target_concurrency', 'history_point.target_concurrency'),
            ('sampled_at', 'history_point.sampled_at'),
            ('elapsed_s', 'history_point.elapsed_s'),
            ('measured_from', "'history at target concurrency'"),
            ('overall_p95_ms', round_to('overall_stats.p95_ms', 1)),
            ('overall_source', 'overall_stats.source'),
            ('overall_tool', 'overall_stats.tool'),
        ]) }} as detail
    from history_point
    left join overall_stats
        on
            history_point.run_id = overall_stats.run_id
            and history_point.project_id = overall_stats.project_id
            and history_point.users = overall_stats.users
            and overall_stats.pick = 1
    where history_point.p95_latency_slo_ms is not null
),

latency_from_stats as (
    select
        chosen_test.run_id,
        chosen_test.project_id,
        'sc_latency' as check_id,
        chosen_test.source as item,
        chosen_test.p95_ms / chosen_test.p95_latency_slo_ms as value,
        {{ json_object([
            ('p95_ms', round_to('chosen_test.p95_ms', 1)),
            ('slo_p95_ms', 'chosen_test.p95_latency_slo_ms'),
            ('users', 'chosen_test.users'),
            ('target_concurrency', 'chosen_test.target_concurrency'),
            ('requests', 'chosen_test.request_count'),
            ('measured_from', "'final stats'"),
            ('tool', 'chosen_test.tool'),
        ]) }} as detail
    from chosen_test
    left join history_point
        on chosen_test.run_id = history_point.run_id and chosen_test.project_id = history_point.project_id
    where
        chosen_test.p95_latency_slo_ms is not null
        and chosen_test.p95_ms is not null
        and history_point.project_id is null
),

latency as (
    select * from latency_from_history
    union all
    select * from latency_from_stats
),

errors as (
    select
        run_id,
        project_id,
        'sc_error_rate' as check_id,
        source as item,
        case
            when max_error_rate > 0
                then failure_count * 1.0 / nullif(request_count, 0) / max_error_rate
            when failure_count = 0 then 0.0
            else 1000000.0
        end as value,
        {{ json_object([
            ('failures', 'failure_count'),
            ('requests', 'request_count'),
            ('failure_rate', round_to("failure_count * 1.0 / nullif(request_count, 0)", 5)),
            ('error_budget', 'max_error_rate'),
            ('users', 'users'),
            ('tool', 'tool'),
        ]) }} as detail
    from chosen_test
    where max_error_rate is not null and request_count > 0
),

budget as (
    select
        run_id,
        project_id,
        'sc_cost_budget' as check_id,
        'monthly cost at target' as item,
        budget_use as value,
        {{ json_object([
            ('monthly_cost_target', round_to("monthly_cost_target", 2)),
            ('monthly_budget', 'monthly_budget'),
            ('monthly_cost_poc', round_to("monthly_cost_poc", 2)),
            ('currency', 'currency'),
            ('monthly_cost_target_p95', round_to("monthly_cost_target_p95", 2)),
            ('tokens_source', 'tokens_source'),
            ('tokens_in_per_request', round_to("tokens_in_per_request", 1)),
            ('tokens_out_per_request', round_to("tokens_out_per_request", 1)),
        ]) }} as detail
    from costs
),

unit_economics as (
    select
        run_id,
        project_id,
        'sc_unit_economics' as check_id,
        'cost per outcome' as item,
        cost_per_outcome / value_per_outcome as value,
        {{ json_object([
            ('cost_per_outcome', round_to("cost_per_outcome", 4)),
            ('value_per_outcome', 'value_per_outcome'),
            ('currency', 'currency'),
        ]) }} as detail
    from costs
    where value_per_outcome > 0 and cost_per_outcome is not null
),

required_roles as (
    select
        run_id,
        project_id,
        name as role
    from {{ ref('stg_raw__project_requirements') }}
    where kind = 'system_role'
),

rate_limits as (
    select
        systems.run_id,
        systems.project_id,
        'sc_rate_limits' as check_id,
        systems.system as item,
        systems.rate_limit_rps / costs.target_peak_rps as value,
        {{ json_object([
            ('rate_limit_rps', 'systems.rate_limit_rps'),
            ('target_peak_rps', round_to("costs.target_peak_rps", 2)),
            ('role', 'systems.role'),
        ]) }} as detail
    from systems
    inner join costs on systems.run_id = costs.run_id and systems.project_id = costs.project_id
    where
        systems.rate_limit_rps is not null
        and costs.target_peak_rps > 0
        and (
            not exists (
                select 1 from required_roles
                where
                    required_roles.run_id = systems.run_id
                    and required_roles.project_id = systems.project_id
            )
            or exists (
                select 1 from required_roles
                where
                    required_roles.run_id = systems.run_id
                    and required_roles.project_id = systems.project_id
                    and required_roles.role = systems.role
            )
        )
),

final as (
    select * from latency
    union all
    select * from errors
    union all
    select * from budget
    union all
    select * from unit_economics
    union all
    select * from rate_limits
)

select * from final
