-- The working days after each run's as-of, per project: weekdays that are not one of the
-- project's holidays (the READINESS_HOLIDAYS setting, recorded per run in raw_project_dates),
-- numbered from 1. Calendar days 1 to 999 after the as-of are enough for any roadmap here (about
-- 700 working days); a later end has no date.
with projects as (
    select
        run_id,
        project_id,
        cast(as_of as date) as as_of_date
    from {{ ref('int_project_runs_assessed') }}
),

holidays as (
    select
        run_id,
        project_id,
        day
    from {{ ref('stg_raw__project_dates') }}
    where kind = 'holiday'
),

digits as (
    select d.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as d (digit)
),

offsets as (
    select units.digit + 10 * tens.digit + 100 * hundreds.digit as day_offset
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
),

calendar as (
    select
        projects.run_id,
        projects.project_id,
        projects.as_of_date,
        projects.as_of_date + offsets.day_offset as day
    from projects
    cross join offsets
    where offsets.day_offset > 0
),

working as (
    select
        calendar.run_id,
        calendar.project_id,
        calendar.as_of_date,
        calendar.day
    from calendar
    left join holidays
        on
            calendar.run_id = holidays.run_id
            and calendar.project_id = holidays.project_id
            and calendar.day = holidays.day
    where extract(isodow from calendar.day) between 1 and 5 and holidays.day is null
),

final as (
    select
        run_id,
        project_id,
        as_of_date,
        day,
        row_number() over (partition by run_id, project_id order by day) as working_day
    from working
)

select * from final
