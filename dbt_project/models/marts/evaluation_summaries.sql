-- One line per project and run: each metric's pass rate in its newest run against its declared
-- quality bar, worst first (the project page and the report show it as written here).
{{ config(materialized='incremental') }}

with metrics as (
    select * from {{ ref('int_eval_metrics_compared') }}
    where quality_bar is not null
),

summed as (
    select
        run_id,
        project_id,
        count(*) as metrics,
        cast(sum(case when pass_rate < quality_bar then 1 else 0 end) as bigint) as metrics_below_bar,
        string_agg(
            metric || ' ' || cast(cast(round(pass_rate * 100) as integer) as varchar) || '% (bar '
            || cast(cast(round(quality_bar * 100) as integer) as varchar) || '%)',
            '; ' order by case when quality_bar = 0 then 1 else pass_rate / quality_bar end asc, metric asc
        ) as metric_list
    from metrics
    group by run_id, project_id
),

final as (
    select
        run_id || ':' || project_id as evaluation_summary_id,
        run_id,
        project_id,
        metrics,
        metrics_below_bar,
        'Pass rate vs bar: '
        || case
            when metrics_below_bar = 0 then 'every metric meets its bar: '
            else cast(metrics_below_bar as varchar) || ' of ' || cast(metrics as varchar) || ' below: '
        end
        || metric_list as pass_rate_line
    from summed
)

select * from final
where {{ new_runs() }}
