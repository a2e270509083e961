-- The roadmap on the calendar: each action starts on working day floor(start_day) + 1 and ends
-- on working day ceil(end_day) after the run's as-of (int_working_days: weekdays less the
-- holidays); an action of no effort at the start ends on the as-of day itself.
{{ config(materialized='incremental') }}

-- The new runs are selected in each input (macros/new_runs.sql): from the final select alone
-- DuckDB did not push them into int_working_days (999 calendar days per run and project).
with roadmap as (
    select * from {{ ref('roadmap') }}
    where {{ new_runs() }}
),

days as (
    select * from {{ ref('int_working_days') }}
    where {{ new_runs() }}
),

projects as (
    select
        run_id,
        project_id,
        cast(as_of as date) as as_of_date
    from {{ ref('int_project_runs_assessed') }}
    where {{ new_runs() }}
),

final as (
    select
        roadmap.roadmap_item_id,
        roadmap.run_id,
        roadmap.project_id,
        roadmap.priority,
        roadmap.check_id,
        roadmap.gap,
        roadmap.title,
        roadmap.action,
        roadmap.owner_role,
        roadmap.owner,
        roadmap.effort_days,
        roadmap.cost,
        roadmap.start_day,
        roadmap.end_day,
        case when roadmap.end_day <= 0 then projects.as_of_date else starts.day end as start_date,
        case when roadmap.end_day <= 0 then projects.as_of_date else ends.day end as end_date
    from roadmap
    inner join projects
        on roadmap.run_id = projects.run_id and roadmap.project_id = projects.project_id
    left join days as starts
        on
            roadmap.run_id = starts.run_id
            and roadmap.project_id = starts.project_id
            and starts.working_day = cast(floor(roadmap.start_day) as integer) + 1
    left join days as ends
        on
            roadmap.run_id = ends.run_id
            and roadmap.project_id = ends.project_id
            and ends.working_day = cast(ceil(roadmap.end_day) as integer)
)

select * from final
where {{ new_runs() }}
