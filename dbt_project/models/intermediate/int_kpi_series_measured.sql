-- Each business KPI as its export measured it, up to the run's as-of: whether the points keep the
-- declared cadence (the windows of `cadence_days` counted back from the as-of, from the first
-- point on, that hold a point), and the baseline measured as the mean of the points before the
-- launch date. The plan's KPI of the same name (case aside) gives the declared baseline and target.
with projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

points as (
    select
        points.*,
        projects.as_of,
        floor(
            {{ dbt.datediff('points.measured_on', 'projects.as_of', 'second') }} / 86400.0
            / points.cadence_days
        ) as cadence_window
    from {{ ref('stg_raw__kpi_points') }} as points
    inner join projects
        on points.run_id = projects.run_id and points.project_id = projects.project_id
    where points.measured_on <= projects.as_of
),

plan_kpis as (
    select * from {{ ref('stg_raw__evaluation_kpis') }}
),

series as (
    select
        run_id,
        project_id,
        kpi,
        max(cadence_days) as cadence_days,
        max(launch_date) as launch_date,
        count(*) as points,
        min(measured_on) as first_measured_on,
        max(measured_on) as newest_measured_on,
        max(cadence_window) + 1 as windows,
        count(distinct cadence_window) as windows_measured,
        min(cadence_window) = 0 as measured_in_last_window,
        avg(case when measured_on < launch_date then value end) as measured_baseline,
        sum(case when measured_on < launch_date then 1 else 0 end) as baseline_points
    from points
    group by run_id, project_id, kpi
),

final as (
    select
        series.*,
        series.windows_measured * 1.0 / series.windows as cadence_coverage,
        plan_kpis.baseline as declared_baseline,
        plan_kpis.target
    from series
    left join plan_kpis
        on
            series.run_id = plan_kpis.run_id
            and series.project_id = plan_kpis.project_id
            and lower(series.kpi) = lower(plan_kpis.kpi)
)

select * from final
