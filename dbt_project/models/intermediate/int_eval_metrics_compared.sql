-- The pass rate of each metric in the newest run of each results file or store, against the
-- project's declared quality bar and the same metric in the run before it.
with runs as (
    select * from {{ ref('int_eval_runs_ranked') }}
    where recency <= 2
),

metrics as (
    select * from {{ ref('stg_raw__eval_metrics') }}
),

bars as (
    select * from {{ ref('stg_raw__eval_quality_bars') }}
),

measured as (
    select
        metrics.*,
        runs.tool,
        runs.started_at,
        runs.model,
        runs.recency
    from metrics
    inner join runs
        on
            metrics.run_id = runs.run_id
            and metrics.project_id = runs.project_id
            and metrics.source = runs.source
            and metrics.eval_run = runs.eval_run
),

newest as (
    select * from measured
    where recency = 1
),

previous as (
    select * from measured
    where recency = 2
),

final as (
    select
        newest.run_id,
        newest.project_id,
        newest.source,
        newest.tool,
        newest.eval_run,
        newest.started_at,
        newest.model,
        newest.metric,
        newest.pass_rate,
        newest.examples,
        newest.passed,
        bars.quality_bar,
        previous.eval_run as previous_eval_run,
        previous.pass_rate as previous_pass_rate,
        previous.pass_rate - newest.pass_rate as pass_rate_drop
    from newest
    left join bars
        on
            newest.run_id = bars.run_id
            and newest.project_id = bars.project_id
            and newest.metric = bars.metric
    left join previous
        on
            newest.run_id = previous.run_id
            and newest.project_id = previous.project_id
            and newest.source = previous.source
            and newest.metric = previous.metric
)

select * from final
