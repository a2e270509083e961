-- Invariants between marts: a project's roadmap totals (recommendations, project_latest) are the
-- sums of its roadmap rows, and a portfolio's (portfolio_latest) the sums of its projects'. A row
-- here is a total that disagrees. Per run: the runs this build added (tested_runs(),
-- macros/new_runs.sql).
with sums as (
    select
        run_id,
        project_id,
        count(*) as actions,
        {{ figure('sum(effort_days)') }} as effort_days,
        {{ figure('sum(cost)') }} as cost,
        max(end_day) as duration_days
    from {{ ref('roadmap') }}
    where {{ tested_runs() }}
    group by run_id, project_id
),

projects as (
    select
        recommendations.run_id,
        recommendations.project_id,
        'recommendations' as total
    from {{ ref('recommendations') }} as recommendations
    left join sums
        on recommendations.run_id = sums.run_id and recommendations.project_id = sums.project_id
    where
        {{ tested_runs('recommendations.run_id') }}
        and (
            recommendations.roadmap_actions <> coalesce(sums.actions, 0)
            or recommendations.roadmap_effort_days <> coalesce(sums.effort_days, 0)
            or recommendations.roadmap_cost <> coalesce(sums.cost, 0)
            or recommendations.roadmap_duration_days <> coalesce(sums.duration_days, 0)
        )
),

latest as (
    select
        latest.run_id,
        latest.project_id,
        'project_latest' as total
    from {{ ref('project_latest') }} as latest
    inner join {{ ref('recommendations') }} as recommendations
        on latest.run_id = recommendations.run_id and latest.project_id = recommendations.project_id
    where
        latest.roadmap_actions <> recommendations.roadmap_actions
        or latest.roadmap_effort_days <> recommendations.roadmap_effort_days
        or latest.roadmap_cost <> recommendations.roadmap_cost
        or latest.roadmap_duration_days <> recommendations.roadmap_duration_days
),

portfolio_sums as (
    select
        portfolio_id,
        count(*) as projects,
        sum(roadmap_actions) as actions,
        {{ figure('sum(roadmap_effort_days)') }} as effort_days,
        {{ figure('sum(roadmap_cost)') }} as cost
    from {{ ref('project_latest') }}
    group by portfolio_id
),

portfolios as (
    select
        portfolio_latest.portfolio_id as run_id,
        null as project_id,
        'portfolio_latest' as total
    from {{ ref('portfolio_latest') }} as portfolio_latest
    inner join portfolio_sums on portfolio_latest.portfolio_id = portfolio_sums.portfolio_id
    where
        portfolio_latest.projects <> portfolio_sums.projects
        or portfolio_latest.roadmap_actions <> portfolio_sums.actions
        or portfolio_latest.roadmap_effort_days <> portfolio_sums.effort_days
        or portfolio_latest.roadmap_cost <> portfolio_sums.cost
)

select * from projects
union all
select * from latest
union all
select * from portfolios
