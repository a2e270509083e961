-- Progress across runs, per run and project: roadmap actions done (in the project's previous
-- assessed run's roadmap, not in this one), new (in this one only) and still open (in both).
-- A project's first run has no previous run: every action is new.
{{ config(materialized='incremental') }}

with runs as (
    select
        run_id,
        project_id,
        lag(run_id) over (
            partition by project_id order by run_started_at, run_id
        ) as previous_run_id
    from {{ ref('int_project_runs_assessed') }}
    where project_status = 'ok'
),

-- The runs being built (every run's previous run is found above, over all runs: one row per run
-- and project); the roadmap is read for them and their previous runs only.
runs_built as (
    select * from runs
    where {{ new_runs() }}
),

roadmap as (
    select
        run_id,
        project_id,
        check_id
    from {{ ref('roadmap') }}
),

current_items as (
    select
        runs.run_id,
        runs.project_id,
        roadmap.check_id
    from runs_built as runs
    inner join roadmap on runs.run_id = roadmap.run_id and runs.project_id = roadmap.project_id
),

previous_items as (
    select
        runs.run_id,
        runs.project_id,
        roadmap.check_id
    from runs_built as runs
    inner join roadmap
        on runs.previous_run_id = roadmap.run_id and runs.project_id = roadmap.project_id
),

compared as (
    select
        coalesce(current_items.run_id, previous_items.run_id) as run_id,
        coalesce(current_items.project_id, previous_items.project_id) as project_id,
        case
            when previous_items.check_id is null then 'new'
            when current_items.check_id is null then 'done'
            else 'open'
        end as change
    from current_items
    full outer join previous_items
        on
            current_items.run_id = previous_items.run_id
            and current_items.project_id = previous_items.project_id
            and current_items.check_id = previous_items.check_id
),

counted as (
    select
        run_id,
        project_id,
        cast(sum(case when change = 'done' then 1 else 0 end) as bigint) as actions_done,
        cast(sum(case when change = 'new' then 1 else 0 end) as bigint) as actions_new,
        cast(sum(case when change = 'open' then 1 else 0 end) as bigint) as actions_open
    from compared
    group by run_id, project_id
),

final as (
    select
        runs.run_id || ':' || runs.project_id as roadmap_progress_id,
        runs.run_id,
        runs.project_id,
        runs.previous_run_id,
        coalesce(counted.actions_done, 0) as actions_done,
        coalesce(counted.actions_new, 0) as actions_new,
        coalesce(counted.actions_open, 0) as actions_open
    from runs_built as runs
    left join counted on runs.run_id = counted.run_id and runs.project_id = counted.project_id
)

select * from final
where {{ new_runs() }}
