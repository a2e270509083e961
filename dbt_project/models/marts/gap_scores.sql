-- Gap score = 100 x weighted share of check points over checks with evidence. Any failed critical
-- check blocks its gap; a gap whose checks with evidence carry less than the rubric's
-- min_gap_evidence of its weight, or one of whose critical checks has no evidence (a refused
-- blocker answer, a plan not given), has insufficient evidence (whatever its score); otherwise the
-- run's thresholds decide ready / at risk / blocked, and a failed major check caps the gap at at
-- risk (a rubric option). missing_evidence names the checks without evidence in plain words.
-- A waived check counts as passed here (verdict_result, verdict_points: see check_results; the
-- measured result stands where they are not given, as in unit tests of the rules before waivers).
{{ config(materialized='incremental') }}

with checks as (
    select
        run_id,
        project_id,
        gap,
        check_id,
        title,
        severity,
        weight,
        waived,
        coalesce(verdict_result, result) as result,
        coalesce(verdict_points, points) as points
    from {{ ref('check_results') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

per_gap as (
    select
        run_id,
        project_id,
        gap,
        count(*) as checks_total,
        cast(sum(case when result <> 'no_evidence' then 1 else 0 end) as bigint) as checks_with_evidence,
        cast(sum(case when result = 'fail' then 1 else 0 end) as bigint) as checks_failed,
        cast(sum(case when result = 'fail' and severity = 'critical' then 1 else 0 end) as bigint) as critical_failed,
        cast(sum(case when result = 'fail' and severity = 'major' then 1 else 0 end) as bigint) as major_failed,
        cast(sum(case when result = 'no_evidence' and severity = 'critical' then 1 else 0 end) as bigint)
            as critical_without_evidence,
        {{ figure('sum(weight)') }} as weight_total,
        {{ figure("sum(case when result <> 'no_evidence' then weight else 0 end)") }} as weight_with_evidence,
        {{ figure('sum(weight * points)') }} as weighted_points,
        cast(sum(case when waived then 1 else 0 end) as bigint) as checks_waived,
        string_agg(
            case when result = 'no_evidence' then title end,
            '; '
            order by case severity when 'critical' then 1 when 'major' then 2 else 3 end, check_id
        ) as missing_evidence
    from checks
    group by run_id, project_id, gap
),

scored as (
    select
        per_gap.*,
        projects.ready_threshold,
        projects.at_risk_threshold,
        projects.min_gap_evidence,
        projects.major_fail_caps_gap,
        {{ round_to('100.0 * per_gap.weighted_points / nullif(per_gap.weight_with_evidence, 0)', 1) }} as score
    from per_gap
    inner join projects on per_gap.run_id = projects.run_id and per_gap.project_id = projects.project_id
),

final as (
    select
        run_id || ':' || project_id || ':' || gap as gap_score_id,
        run_id,
        project_id,
        gap,
        case gap
            when 'data_quality' then 1
            when 'integration' then 2
            when 'stakeholder_alignment' then 3
            when 'evaluation' then 4
            when 'scale' then 5
            when 'maintenance' then 6
        end as gap_order,
        score,
        case
            when score is null then 'no_evidence'
            when critical_failed > 0 then 'blocked'
            when weight_with_evidence < min_gap_evidence * weight_total then 'insufficient_evidence'
            when min_gap_evidence > 0 and critical_without_evidence > 0 then 'insufficient_evidence'
            when score >= ready_threshold and not (major_fail_caps_gap and major_failed > 0) then 'ready'
            when score >= at_risk_threshold then 'at_risk'
            else 'blocked'
        end as status,
        checks_total,
        checks_with_evidence,
        checks_failed,
        critical_failed,
        major_failed,
        checks_waived,
        {{ round_to('weight_with_evidence / weight_total', 3) }} as evidence_share,
        weight_total,
        weight_with_evidence,
        missing_evidence
    from scored
)

select * from final
where {{ new_runs() }}
