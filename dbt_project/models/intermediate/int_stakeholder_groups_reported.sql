-- Stakeholder groups as every reader sees them: a group with fewer respondents than the rubric's
-- min_group_respondents is merged into "other groups", so that no agreement shown or judged is
-- one person's answer; when the small groups together are still too few, they are suppressed
-- (reported_group is null). One row per run, project and group that answered, with the project's
-- note of what was merged or suppressed (null when nothing was).
with answers as (
    select * from {{ ref('int_survey_answers_scored') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

sizes as (
    select
        run_id,
        project_id,
        stakeholder_group,
        count(distinct respondent) as respondents
    from answers
    group by run_id, project_id, stakeholder_group
),

sized as (
    select
        sizes.*,
        projects.min_group_respondents,
        sizes.respondents < projects.min_group_respondents as small
    from sizes
    inner join projects on sizes.run_id = projects.run_id and sizes.project_id = projects.project_id
),

small_groups as (
    select
        run_id,
        project_id,
        min(min_group_respondents) as min_group_respondents,
        sum(respondents) as respondents,
        string_agg(
            stakeholder_group || ' (' || respondents || ')', ', ' order by stakeholder_group
        ) as groups
    from sized
    where small
    group by run_id, project_id
),

final as (
    select
        sized.run_id,
        sized.project_id,
        sized.stakeholder_group,
        sized.respondents,
        case
            when not sized.small then sized.stakeholder_group
            when small_groups.respondents >= sized.min_group_respondents then 'other groups'
        end as reported_group,
        case
            when small_groups.respondents >= small_groups.min_group_respondents
                then
                    'merged into other groups (fewer than ' || small_groups.min_group_respondents
                    || ' respondents each): ' || small_groups.groups
            when small_groups.groups is not null
                then
                    'not shown (fewer than ' || small_groups.min_group_respondents
                    || ' respondents, even together): ' || small_groups.groups
        end as small_groups
    from sized
    left join small_groups
        on sized.run_id = small_groups.run_id and sized.project_id = small_groups.project_id
)

select * from final
