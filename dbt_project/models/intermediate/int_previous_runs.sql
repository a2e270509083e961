-- Each run of a project beside the project's run just before it that was assessed without
-- failing (ties on the start instant broken by run id). Two windows over the project's runs (the
-- count of runs assessed without failing before each run, and each such run's rank), not a join
-- of every run with every earlier run: that grew with the square of the history.
with recommendations as (
    select * from {{ ref('recommendations') }}
),

counted as (
    select
        run_id,
        project_id,
        count(case when project_status = 'ok' then 1 end) over (
            partition by project_id
            order by run_started_at, run_id
            rows between unbounded preceding and 1 preceding
        ) as ok_before
    from recommendations
),

ok_runs as (
    select
        run_id,
        project_id,
        row_number() over (partition by project_id order by run_started_at, run_id) as ok_order
    from recommendations
    where project_status = 'ok'
),

final as (
    select
        counted.run_id,
        counted.project_id,
        ok_runs.run_id as previous_run_id
    from counted
    inner join ok_runs
        on counted.project_id = ok_runs.project_id and counted.ok_before = ok_runs.ok_order
)

select * from final
