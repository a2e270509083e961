-- The latest result of every project rolled up by portfolio, business unit and owner: projects,
-- share go, mean score per gap, failing critical and major checks (waived ones excluded),
-- waivers relied on, targets at risk or missed and the mean days to the target launch.
-- Every row belongs to one portfolio (a business unit or owner with projects in two portfolios
-- has a row in each): the published snapshots are one per portfolio (flows/snapshots.py).
with latest as (
    select
        recommendations.run_id,
        recommendations.project_id,
        recommendations.business_unit,
        recommendations.owner,
        recommendations.recommendation,
        recommendations.waivers_relied_on,
        runs.portfolio_id
    from {{ ref('recommendations') }} as recommendations
    inner join {{ ref('stg_raw__runs') }} as runs on recommendations.run_id = runs.run_id
    where recommendations.is_latest
),

scores as (
    select
        gap_scores.run_id,
        gap_scores.project_id,
        max(case when gap_scores.gap = 'data_quality' then gap_scores.score end) as data_quality,
        max(case when gap_scores.gap = 'integration' then gap_scores.score end) as integration,
        max(case when gap_scores.gap = 'stakeholder_alignment' then gap_scores.score end)
            as stakeholder_alignment,
        max(case when gap_scores.gap = 'evaluation' then gap_scores.score end) as evaluation,
        max(case when gap_scores.gap = 'scale' then gap_scores.score end) as scale,
        max(case when gap_scores.gap = 'maintenance' then gap_scores.score end) as maintenance
    from {{ ref('gap_scores') }} as gap_scores
    group by gap_scores.run_id, gap_scores.project_id
),

blockers as (
    select
        run_id,
        project_id,
        count(*) as blockers
    from {{ ref('check_results') }}
    where result = 'fail' and severity in ('critical', 'major') and not coalesce(waived, false)
    group by run_id, project_id
),

targets as (
    select * from {{ ref('launch_targets') }}
),

projects as (
    select
        latest.*,
        scores.data_quality,
        scores.integration,
        scores.stakeholder_alignment,
        scores.evaluation,
        scores.scale,
        scores.maintenance,
        coalesce(blockers.blockers, 0) as blockers,
        targets.days_to_target,
        targets.target_status
    from latest
    left join scores on latest.run_id = scores.run_id and latest.project_id = scores.project_id
    left join blockers
        on latest.run_id = blockers.run_id and latest.project_id = blockers.project_id
    left join targets on latest.run_id = targets.run_id and latest.project_id = targets.project_id
),

dimensions as (
    select
        'portfolio' as dimension,
        portfolio_id as grouped_by,
        *
    from projects
    union all
    select
        'business_unit' as dimension,
        coalesce(nullif(business_unit, ''), '(none)') as grouped_by,
        *
    from projects
    union all
    select
        'owner' as dimension,
        coalesce(nullif(owner, ''), '(none)') as grouped_by,
        *
    from projects
),

final as (
    select
        portfolio_id || ':' || dimension || ':' || grouped_by as rollup_id,
        portfolio_id,
        dimension,
        grouped_by,
        cast(count(*) as integer) as projects,
        cast(sum(case when recommendation = 'go' then 1 else 0 end) as integer) as projects_go,
        {{ round_to("avg(case when recommendation = 'go' then 1.0 else 0.0 end)", 3) }} as share_go,
        {{ round_to('avg(data_quality)', 1) }} as data_quality,
        {{ round_to('avg(integration)', 1) }} as integration,
        {{ round_to('avg(stakeholder_alignment)', 1) }} as stakeholder_alignment,
        {{ round_to('avg(evaluation)', 1) }} as evaluation,
        {{ round_to('avg(scale)', 1) }} as scale,
        {{ round_to('avg(maintenance)', 1) }} as maintenance,
        cast(sum(blockers) as integer) as blockers,
        cast(sum(waivers_relied_on) as integer) as waivers,
        cast(sum(case when target_status in ('at_risk', 'missed') then 1 else 0 end) as integer)
            as targets_at_risk,
        {{ round_to('avg(days_to_target)', 1) }} as mean_days_to_target
    from dimensions
    group by portfolio_id, dimension, grouped_by
)

select * from final
