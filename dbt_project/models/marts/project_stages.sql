-- Launch stages per run and project: a stage's requirements are met when each gap it names is
-- ready and each check it names passes (a waived check counts as passed: verdict_result); a
-- stage is reached when its requirements and those of every earlier stage are met. missing
-- names what stands between the project and the stage in plain words: a gap with the checks of
-- it that do not pass ("Scale (p95 latency at target concurrency is within the SLO)"), a check
-- by its title.
{{ config(materialized='incremental') }}

with stages as (
    select * from {{ ref('stg_raw__rubric_stages') }}
),

projects as (
    select
        run_id,
        project_id
    from {{ ref('int_project_runs_assessed') }}
),

gaps as (
    select * from {{ ref('gap_scores') }}
),

checks as (
    select
        run_id,
        project_id,
        gap,
        check_id,
        title,
        severity,
        coalesce(verdict_result, result) as result
    from {{ ref('check_results') }}
),

not_passing as (
    select
        run_id,
        project_id,
        gap,
        string_agg(
            title, '; '
            order by case severity when 'critical' then 1 when 'major' then 2 else 3 end, check_id
        ) as titles
    from checks
    where result <> 'pass'
    group by run_id, project_id, gap
),

requirements as (
    select
        projects.run_id,
        projects.project_id,
        stages.stage_id,
        stages.stage_order,
        stages.stage_title,
        stages.requirement_kind,
        stages.requirement
    from projects
    inner join stages on projects.run_id = stages.run_id
),

judged as (
    select
        requirements.*,
        case requirements.requirement_kind
            when 'gap' then coalesce(gaps.status = 'ready', false)
            else coalesce(checks.result = 'pass', false)
        end as met,
        case requirements.requirement_kind
            when 'gap'
                then {{ gap_title('requirements.requirement') }} || coalesce(' (' || not_passing.titles || ')', '')
            else coalesce(checks.title, requirements.requirement)
        end as requirement_text
    from requirements
    left join gaps
        on
            requirements.requirement_kind = 'gap'
            and requirements.run_id = gaps.run_id
            and requirements.project_id = gaps.project_id
            and requirements.requirement = gaps.gap
    left join not_passing
        on
            requirements.requirement_kind = 'gap'
            and requirements.run_id = not_passing.run_id
            and requirements.project_id = not_passing.project_id
            and requirements.requirement = not_passing.gap
    left join checks
        on
            requirements.requirement_kind = 'check'
            and requirements.run_id = checks.run_id
            and requirements.project_id = checks.project_id
            and requirements.requirement = checks.check_id
),

per_stage as (
    select
        run_id,
        project_id,
        stage_id,
        stage_order,
        stage_title,
        count(*) as requirements,
        cast(sum(case when met then 1 else 0 end) as bigint) as requirements_met,
        string_agg(
            case when not met then requirement_text end, '; '
            order by requirement_kind desc, requirement asc
        ) as missing
    from judged
    group by run_id, project_id, stage_id, stage_order, stage_title
),

final as (
    select
        run_id || ':' || project_id || ':' || stage_id as project_stage_id,
        run_id,
        project_id,
        stage_id,
        stage_order,
        stage_title,
        requirements,
        requirements_met,
        missing,
        min(case when requirements_met = requirements then 1 else 0 end) over (
            partition by run_id, project_id
            order by stage_order
            rows between unbounded preceding and current row
        ) = 1 as reached
    from per_stage
)

select * from final
where {{ new_runs() }}
