-- On-call coverage as the maintenance drill-down shows it: each day of the four weeks from the
-- run's as-of instant, the hours somebody is on call and the gap, with the rotation's size.
{{ config(materialized='incremental') }}

with days as (
    select * from {{ ref('stg_raw__on_call_days') }}
),

people as (
    select
        run_id,
        project_id,
        count(*) as people
    from {{ ref('stg_raw__on_call_people') }}
    group by run_id, project_id
),

final as (
    select
        days.run_id || ':' || days.project_id || ':' || cast(days.day as varchar) as on_call_day_id,
        days.run_id,
        days.project_id,
        days.day,
        days.day_start,
        days.covered_hours,
        days.gap_hours,
        coalesce(people.people, 0) as people
    from days
    left join people on days.run_id = people.run_id and days.project_id = people.project_id
)

select * from final
where {{ new_runs() }}
