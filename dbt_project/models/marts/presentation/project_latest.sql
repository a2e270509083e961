-- Each project's latest result, as every surface shows it: the verdict and its reason, the six gap
-- scores, the weakest gap, the gaps that block (a list), the roadmap's totals, the newest evidence,
-- where the project stands in the portfolio's ranking (display_order: go first, then by the
-- weakest gap's score, then by confidence, highest first) and how close a project that is not yet
-- go stands to go (closest_to_go_rank: fewest gaps not ready, then the shortest roadmap, then the
-- least effort). Readers select; they do
-- not work out again which run is the latest, nor total or order anything.
with recommendations as (
    select * from {{ ref('recommendations') }}
    where is_latest
),

runs as (
    select * from {{ ref('stg_raw__runs') }}
),

gaps as (
    select * from {{ ref('gap_scores') }}
),

evidence as (
    select * from {{ ref('evidence_inputs') }}
),

gap_columns as (
    select
        gaps.run_id,
        gaps.project_id,
        max(gaps.score) filter (where gaps.gap = 'data_quality') as data_quality,
        max(gaps.score) filter (where gaps.gap = 'integration') as integration,
        max(gaps.score) filter (where gaps.gap = 'stakeholder_alignment') as stakeholder_alignment,
        max(gaps.score) filter (where gaps.gap = 'evaluation') as evaluation,
        max(gaps.score) filter (where gaps.gap = 'scale') as scale,
        max(gaps.score) filter (where gaps.gap = 'maintenance') as maintenance,
        cast(sum(case when gaps.status = 'ready' then 0 else 1 end) as bigint) as gaps_not_ready
    from gaps
    inner join recommendations
        on gaps.run_id = recommendations.run_id and gaps.project_id = recommendations.project_id
    group by gaps.run_id, gaps.project_id
),

newest as (
    select
        evidence.run_id,
        evidence.project_id,
        max(evidence.newest_record_at) as newest_evidence
    from evidence
    inner join recommendations
        on
            evidence.run_id = recommendations.run_id
            and evidence.project_id = recommendations.project_id
    group by evidence.run_id, evidence.project_id
),

joined as (
    select
        runs.portfolio_id,
        recommendations.project_id,
        recommendations.project_name,
        recommendations.business_unit,
        recommendations.owner,
        recommendations.run_id,
        recommendations.run_started_at,
        recommendations.as_of,
        recommendations.rubric_version,
        recommendations.project_status,
        recommendations.project_error,
        recommendations.recommendation,
        recommendations.verdict,
        recommendations.confidence,
        recommendations.reason,
        {{ text_list('recommendations.blocking_gaps') }} as blocking_gaps,
        {{ text_list('recommendations.blocking_checks') }} as blocking_checks,
        recommendations.weakest_gap,
        recommendations.weakest_score,
        weakest.status as weakest_status,
        gap_columns.data_quality,
        gap_columns.integration,
        gap_columns.stakeholder_alignment,
        gap_columns.evaluation,
        gap_columns.scale,
        gap_columns.maintenance,
        coalesce(gap_columns.gaps_not_ready, 0) as gaps_not_ready,
        recommendations.roadmap_actions,
        recommendations.roadmap_effort_days,
        recommendations.roadmap_cost,
        recommendations.roadmap_duration_days,
        runs.day_rate_currency as roadmap_currency,
        recommendations.claims_contradicted,
        recommendations.waivers_relied_on,
        recommendations.stage,
        recommendations.next_stage,
        recommendations.stage_text,
        recommendations.unnamed_owner_roles,
        runs.ready_threshold,
        newest.newest_evidence
    from recommendations
    inner join runs on recommendations.run_id = runs.run_id
    left join gap_columns
        on
            recommendations.run_id = gap_columns.run_id
            and recommendations.project_id = gap_columns.project_id
    left join gaps as weakest
        on
            recommendations.run_id = weakest.run_id
            and recommendations.project_id = weakest.project_id
            and recommendations.weakest_gap = weakest.gap
    left join newest
        on recommendations.run_id = newest.run_id and recommendations.project_id = newest.project_id
),

final as (
    select
        *,
        row_number() over (
            order by
                recommendation = 'go' desc, weakest_score desc nulls last, confidence desc nulls last,
                project_name asc, project_id asc
        ) as display_order,
        case
            when recommendation <> 'go' then
                row_number() over (
                    partition by recommendation = 'go'
                    order by gaps_not_ready asc, weakest_score desc nulls last, confidence desc, project_id asc
                )
        end as closest_to_go_rank
    from joined
)

select * from final
