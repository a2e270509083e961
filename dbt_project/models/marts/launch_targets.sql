-- A project's target launch against its roadmap on the calendar: on track when the last action
-- ends on or before the target, at risk when after it (or beyond the calendar), missed when the
-- target is before the run's as-of; margin_days is the target less the roadmap's end (negative:
-- late). next_steering is the first steering-committee date on or after the as-of.
{{ config(materialized='incremental') }}

with projects as (
    select
        run_id,
        project_id,
        cast(as_of as date) as as_of_date
    from {{ ref('int_project_runs_assessed') }}
    where project_status = 'ok'
),

dates as (
    select * from {{ ref('stg_raw__project_dates') }}
),

schedule as (
    select
        run_id,
        project_id,
        count(*) as actions,
        count(end_date) as actions_dated,
        max(end_date) as last_end_date
    from {{ ref('roadmap_schedule') }}
    group by run_id, project_id
),

targets as (
    select
        projects.run_id,
        projects.project_id,
        projects.as_of_date,
        min(case when dates.kind = 'target_launch' then dates.day end) as target_launch,
        min(case when dates.kind = 'steering' and dates.day >= projects.as_of_date then dates.day end)
            as next_steering
    from projects
    left join dates
        on projects.run_id = dates.run_id and projects.project_id = dates.project_id
    group by projects.run_id, projects.project_id, projects.as_of_date
),

dated as (
    select
        targets.*,
        case
            when coalesce(schedule.actions, 0) = 0 then targets.as_of_date
            when schedule.actions_dated = schedule.actions then schedule.last_end_date
        end as roadmap_end_date
    from targets
    left join schedule
        on targets.run_id = schedule.run_id and targets.project_id = schedule.project_id
),

judged as (
    select
        *,
        cast(target_launch - as_of_date as bigint) as days_to_target,
        cast(target_launch - roadmap_end_date as bigint) as margin_days,
        case
            when target_launch is null then null
            when target_launch < as_of_date then 'missed'
            when roadmap_end_date is null or roadmap_end_date > target_launch then 'at_risk'
            else 'on_track'
        end as target_status
    from dated
),

final as (
    select
        run_id || ':' || project_id as launch_target_id,
        run_id,
        project_id,
        as_of_date,
        target_launch,
        next_steering,
        roadmap_end_date,
        days_to_target,
        margin_days,
        target_status,
        case target_status
            when 'on_track'
                then
                    'on track: the roadmap ends ' || cast(roadmap_end_date as varchar) || ', '
                    || margin_days || ' day(s) before the target launch '
                    || cast(target_launch as varchar)
            when 'at_risk'
                then
                    'at risk: the roadmap ends '
                    || coalesce(
                        cast(roadmap_end_date as varchar) || ', ' || (-margin_days)
                        || ' day(s) after the target launch ',
                        'too late to date, after the target launch '
                    )
                    || cast(target_launch as varchar)
            when 'missed'
                then
                    'missed: the target launch ' || cast(target_launch as varchar) || ' passed '
                    || (-days_to_target) || ' day(s) ago'
        end as target_text
    from judged
)

select * from final
where {{ new_runs() }}
