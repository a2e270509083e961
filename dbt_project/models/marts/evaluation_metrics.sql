-- Pass rate of each metric in the newest run of each evaluation results file or store, beside
-- its declared quality bar and the run before it (what the pass-rate checks judged).
{{ config(materialized='incremental') }}

with metrics as (
    select * from {{ ref('int_eval_metrics_compared') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || source || ':' || metric as evaluation_metric_id,
        run_id,
        project_id,
        source,
        tool,
        eval_run,
        started_at,
        model,
        metric,
        pass_rate,
        examples,
        passed,
        quality_bar,
        pass_rate >= quality_bar as meets_bar,
        previous_eval_run,
        previous_pass_rate,
        pass_rate_drop
    from metrics
)

select * from final
where {{ new_runs() }}
