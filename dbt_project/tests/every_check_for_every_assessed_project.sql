-- Every assessed project of a run has exactly one result per rubric check of that run (of the runs
-- this build added: tested_runs(), macros/new_runs.sql).
with expected as (
    select
        projects.run_id,
        projects.project_id,
        count(checks.check_id) as checks
    from {{ ref('int_project_runs_assessed') }} as projects
    inner join {{ ref('stg_raw__rubric_checks') }} as checks on projects.run_id = checks.run_id
    where {{ tested_runs('projects.run_id') }}
    group by projects.run_id, projects.project_id
),

actual as (
    select
        run_id,
        project_id,
        count(*) as checks
    from {{ ref('check_results') }}
    where {{ tested_runs() }}
    group by run_id, project_id
)

select
    expected.*,
    actual.checks as actual_checks
from expected
left join actual on expected.run_id = actual.run_id and expected.project_id = actual.project_id
where actual.checks is null or actual.checks <> expected.checks
