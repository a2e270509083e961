-- The blockers that recur in a portfolio: a check that fails (and is not waived) in the latest
-- results of two or more of its projects. One definition for the dashboard and every report.
-- The projects are listed in the portfolio's order (project_latest.display_order).
with projects as (
    select * from {{ ref('project_latest') }}
),

checks as (
    select * from {{ ref('check_results') }}
),

failing as (
    select
        projects.portfolio_id,
        projects.display_order,
        projects.project_name,
        checks.*
    from checks
    inner join projects
        on checks.run_id = projects.run_id and checks.project_id = projects.project_id
    where checks.result = 'fail' and not checks.waived
),

grouped as (
    select
        portfolio_id,
        check_id,
        min(title) as title,
        min(gap) as gap,
        min(severity) as severity,
        min(severity_rank) as severity_rank,
        count(*) as projects,
        array_agg(project_id order by display_order) as project_ids,
        array_agg(project_name order by display_order) as project_names
    from failing
    group by portfolio_id, check_id
    having count(*) > 1
),

final as (
    select
        *,
        row_number() over (
            partition by portfolio_id order by projects desc, severity_rank asc, check_id asc
        ) as blocker_order
    from grouped
)

select * from final
