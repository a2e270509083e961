-- Each portfolio's latest result (its projects' latest results, project_latest): how many
-- projects are go and not yet, the roadmap's totals over the portfolio, the project closest to go
-- and the newest evidence. The portfolio report's and the dashboard's headline figures.
with projects as (
    select * from {{ ref('project_latest') }}
),

ranked as (
    select
        portfolio_id,
        project_id as closest_to_go,
        project_name as closest_to_go_name,
        row_number() over (partition by portfolio_id order by closest_to_go_rank) as nearest
    from projects
    where closest_to_go_rank is not null
),

closest as (
    select
        portfolio_id,
        closest_to_go,
        closest_to_go_name
    from ranked
    where nearest = 1
),

totals as (
    select
        portfolio_id,
        count(*) as projects,
        cast(sum(case when recommendation = 'go' then 1 else 0 end) as bigint) as projects_go,
        cast(sum(case when recommendation = 'go' then 0 else 1 end) as bigint) as projects_not_yet,
        cast(sum(case when project_status = 'ok' then 0 else 1 end) as bigint) as projects_failed,
        cast(sum(roadmap_actions) as bigint) as roadmap_actions,
        {{ figure('sum(roadmap_effort_days)') }} as roadmap_effort_days,
        {{ figure('sum(roadmap_cost)') }} as roadmap_cost,
        max(roadmap_duration_days) as roadmap_duration_days,
        cast(sum(claims_contradicted) as bigint) as claims_contradicted,
        array_agg(distinct run_id order by run_id) as run_ids,
        array_agg(distinct rubric_version order by rubric_version) as rubric_versions,
        max(newest_evidence) as newest_evidence
    from projects
    group by portfolio_id
),

final as (
    select
        totals.*,
        closest.closest_to_go,
        closest.closest_to_go_name
    from totals
    left join closest on totals.portfolio_id = closest.portfolio_id
)

select * from final
