-- Every measured point of each business KPI up to the run's as-of, with the baseline measured
-- before launch (the plan's when no launch date was given), the declared target and the launch
-- date: the line chart of the evaluation drill-down.
{{ config(materialized='incremental') }}

with points as (
    select * from {{ ref('stg_raw__kpi_points') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

series as (
    select * from {{ ref('int_kpi_series_measured') }}
),

final as (
    select
        points.run_id || ':' || points.project_id || ':' || cast(row_number() over (
            partition by points.run_id, points.project_id
            order by points.kpi asc, points.measured_on asc, points.value asc
        ) as varchar) as kpi_point_id,
        points.run_id,
        points.project_id,
        points.kpi,
        points.measured_on,
        points.value,
        points.launch_date,
        coalesce(series.measured_baseline, series.declared_baseline) as baseline,
        series.target,
        series.cadence_coverage
    from points
    inner join projects
        on points.run_id = projects.run_id and points.project_id = projects.project_id
    inner join series
        on
            points.run_id = series.run_id
            and points.project_id = series.project_id
            and points.kpi = series.kpi
    where points.measured_on <= projects.as_of
)

select * from final
where {{ new_runs() }}
