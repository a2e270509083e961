-- Evaluation runs of every results file or store, newest first within each source: the runs that
-- started at or before the run's as-of (a run without a time counts, behind the timed ones). The
-- newest run of each source is the one judged; the one before it gives the drop of a pass rate.
with projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

declared as (
    select * from {{ ref('stg_raw__project_runs') }}
),

runs as (
    select * from {{ ref('stg_raw__eval_runs') }}
),

ranked as (
    select
        runs.*,
        projects.as_of,
        declared.model_version as model_under_assessment,
        row_number() over (
            partition by runs.run_id, runs.project_id, runs.source
            order by runs.started_at desc nulls last, runs.eval_run desc
        ) as recency
    from runs
    inner join projects on runs.run_id = projects.run_id and runs.project_id = projects.project_id
    inner join declared on runs.run_id = declared.run_id and runs.project_id = declared.project_id
    where runs.started_at is null or runs.started_at <= projects.as_of
),

final as (
    select
        *,
        {{ dbt.datediff('started_at', 'as_of', 'second') }} / 86400.0 as age_days,
        case
            when model_under_assessment is null or model is null then null
            else
                lower(model) = lower(model_under_assessment)
                or lower(model) like '%/' || lower(model_under_assessment)
                or lower(model) like '%:' || lower(model_under_assessment)
        end as evaluated_model_under_assessment
    from ranked
)

select * from final
