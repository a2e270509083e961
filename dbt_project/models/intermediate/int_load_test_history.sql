-- Locust history samples with the time since the test started, and the point at target
-- concurrency: the last aggregated sample of the first plateau at or above the project's target
-- concurrency (with --csv-full-history, Locust's percentiles there cover a window spent entirely
-- at that load; load beyond the target never counts).
-- Incremental (macros/new_runs.sql): the scale items, int_claims_checked and the load_test_history
-- mart read it; its inputs take only the new runs.
{{ config(materialized='incremental') }}

with history as (
    select * from {{ ref('stg_raw__load_test_history') }}
    where {{ new_runs() }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
    where {{ new_runs() }}
),

timed as (
    select
        history.*,
        projects.target_concurrency,
        projects.p95_latency_slo_ms,
        {{ dbt.datediff(
            'min(history.sampled_at) over (partition by history.run_id, history.project_id, history.source)',
            'history.sampled_at',
            'second'
        ) }} as elapsed_s
    from history
    inner join projects
        on history.run_id = projects.run_id and history.project_id = projects.project_id
),

plateau as (
    select
        run_id,
        project_id,
        source,
        min(user_count) as target_user_count
    from timed
    where is_aggregate and user_count >= target_concurrency and p95_ms is not null
    group by run_id, project_id, source
),

target_point as (
    select
        timed.run_id,
        timed.project_id,
        timed.source,
        max(timed.sampled_at) as sampled_at
    from timed
    inner join plateau
        on
            timed.run_id = plateau.run_id
            and timed.project_id = plateau.project_id
            and timed.source = plateau.source
            and timed.user_count = plateau.target_user_count
    where timed.is_aggregate and timed.p95_ms is not null
    group by timed.run_id, timed.project_id, timed.source
),

final as (
    select
        timed.*,
        timed.p95_ms / timed.p95_latency_slo_ms as p95_vs_slo,
        coalesce(timed.is_aggregate and target_point.sampled_at is not null, false)
            as is_target_point
    from timed
    left join target_point
        on
            timed.run_id = target_point.run_id
            and timed.project_id = target_point.project_id
            and timed.source = target_point.source
            and timed.sampled_at = target_point.sampled_at
)

select * from final
where {{ new_runs() }}
