-- The weakest link decides: go only when every gap is ready, the evidence is sufficient and the
-- project's evidence could be read; otherwise not yet, or "not yet: insufficient evidence (<gaps>)"
-- when every gap that is not ready lacks evidence rather than failing, or "not yet: insufficient
-- evidence" when every gap is ready but too few checks had any. Each survey claim the evidence
-- contradicts lowers the confidence by the rubric's claim_penalty. The reason is in plain words:
-- gap names and check titles (ids stay in blocking_gaps and blocking_checks, for the drill-down),
-- legal blockers with their reasons, the missing evidence and the contradicted claims. The
-- roadmap's totals (effort, cost at the day rate, calendar days) come along. A waived check counts
-- as passed; the verdict says how many waivers it relies on ("go, with 2 waivers") and the reason
-- names them ("waived until 2027-01-31 (approved by X: reason)").
-- Incremental (macros/new_runs.sql): each input takes only the new runs; is_latest is decided
-- among the new runs' rows, then the post-hook moves it to each project's newest run in the whole
-- table.
{{ config(
    materialized='incremental',
    post_hook="update {{ this }} as recommendations set is_latest = latest.is_latest from (select run_id, project_id, row_number() over (partition by project_id order by run_started_at desc, run_id desc) = 1 as is_latest from {{ this }}) as latest where recommendations.run_id = latest.run_id and recommendations.project_id = latest.project_id and recommendations.is_latest <> latest.is_latest"
) }}

with gaps as (
    select * from {{ ref('gap_scores') }}
    where {{ new_runs() }}
),

-- A waived check counts as passed (verdict_result, see check_results; the measured result where it
-- is not given); the waivers relied on are counted and named.
checks as (
    select
        run_id,
        project_id,
        gap,
        check_id,
        title,
        severity,
        evidence,
        coalesce(verdict_result, result) as result
    from {{ ref('check_results') }}
    where {{ new_runs() }}
),

waivers as (
    select * from {{ ref('int_waivers_judged') }}
    where {{ new_runs() }}
),

-- Launch stages: the highest reached, and what stands between the project and the next one.
stages as (
    select * from {{ ref('project_stages') }}
    where {{ new_runs() }}
),

stage_orders as (
    select
        run_id,
        project_id,
        max(case when reached then stage_order end) as reached_order,
        min(case when not reached then stage_order end) as next_order
    from stages
    group by run_id, project_id
),

stages_named as (
    select
        stage_orders.run_id,
        stage_orders.project_id,
        reached.stage_id as stage,
        nearest.stage_id as next_stage,
        case
            when nearest.stage_id is null then 'ready for ' || reached.stage_title
            when reached.stage_id is null
                then 'not yet for ' || nearest.stage_title || ': ' || nearest.missing
            else
                'ready for ' || reached.stage_title || '; not yet for ' || nearest.stage_title
                || ': ' || nearest.missing
        end as stage_text
    from stage_orders
    left join stages as reached
        on
            stage_orders.run_id = reached.run_id
            and stage_orders.project_id = reached.project_id
            and stage_orders.reached_order = reached.stage_order
    left join stages as nearest
        on
            stage_orders.run_id = nearest.run_id
            and stage_orders.project_id = nearest.project_id
            and stage_orders.next_order = nearest.stage_order
),

waivers_per_project as (
    select
        run_id,
        project_id,
        cast(sum(case when applied then 1 else 0 end) as bigint) as waivers_relied_on,
        cast(sum(case when expiring_soon then 1 else 0 end) as bigint) as waivers_expiring,
        string_agg(case when applied then title || ' ' || waiver_text end, '; ' order by check_id)
            as waivers_text
    from waivers
    group by run_id, project_id
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
    where {{ new_runs() }}
),

roadmap as (
    select * from {{ ref('roadmap') }}
    where {{ new_runs() }}
),

roadmap_totals as (
    select
        run_id,
        project_id,
        count(*) as roadmap_actions,
        {{ figure('sum(effort_days)') }} as roadmap_effort_days,
        {{ figure('sum(cost)') }} as roadmap_cost,
        max(end_day) as roadmap_duration_days,
        count(distinct case when not owner_named then owner_role end) as unnamed_owner_roles
    from roadmap
    group by run_id, project_id
),

claims as (
    select * from {{ ref('int_claims_checked') }}
    where contradicted and {{ new_runs() }}
),

claims_per_project as (
    select
        run_id,
        project_id,
        count(*) as claims_contradicted,
        string_agg(
            '"' || claim_text || '" (' || replace(claimant_groups, '_', ' ') || '), but ' || evidence_says,
            '; ' order by topic
        ) as claims_text
    from claims
    group by run_id, project_id
),

blocking_checks as (
    select
        checks.run_id,
        checks.project_id,
        string_agg(
            checks.check_id, ','
            order by
                case checks.severity when 'critical' then 1 when 'major' then 2 else 3 end,
                checks.check_id
        ) as blocking_checks
    from checks
    inner join gaps
        on
            checks.run_id = gaps.run_id
            and checks.project_id = gaps.project_id
            and checks.gap = gaps.gap
    where gaps.status <> 'ready' and checks.result = 'fail'
    group by checks.run_id, checks.project_id
),

checks_explained as (
    select
        *,
        {{ json_text('evidence', ['detail', 'blockers']) }} as blockers,
        case severity when 'critical' then 1 when 'major' then 2 else 3 end as severity_rank
    from checks
),

gap_findings as (
    select
        run_id,
        project_id,
        gap,
        nullif(concat_ws(
            '; ',
            string_agg(
                case when result = 'fail' and severity = 'critical' then blockers end, '; ' order by check_id
            ),
            'failed: ' || string_agg(
                case when result = 'fail' and severity = 'critical' and blockers is null then title end,
                '; ' order by check_id
            )
        ), '') as critical_failed,
        string_agg(case when result = 'fail' then title end, '; ' order by severity_rank, check_id)
            as failed,
        string_agg(case when result = 'partial' then title end, '; ' order by severity_rank, check_id)
            as partial
    from checks_explained
    group by run_id, project_id, gap
),

gaps_explained as (
    select
        gaps.*,
        {{ gap_title('gaps.gap') }} || case gaps.status
            when 'blocked'
                then
                    ' is blocked ('
                    || coalesce(
                        gap_findings.critical_failed,
                        'failed: ' || gap_findings.failed,
                        'partial: ' || gap_findings.partial,
                        ''
                    )
                    || ')'
            when 'at_risk'
                then
                    ' is at risk ('
                    || coalesce('failed: ' || gap_findings.failed, 'partial: ' || gap_findings.partial, '')
                    || ')'
            when 'insufficient_evidence'
                then ' has insufficient evidence (missing: ' || coalesce(gaps.missing_evidence, '') || ')'
            when 'no_evidence' then ' has no evidence (missing: ' || coalesce(gaps.missing_evidence, '') || ')'
        end as finding
    from gaps
    left join gap_findings
        on
            gaps.run_id = gap_findings.run_id
            and gaps.project_id = gap_findings.project_id
            and gaps.gap = gap_findings.gap
),

weakest as (
    select
        run_id,
        project_id,
        gap as weakest_gap,
        score as weakest_score,
        row_number() over (
            partition by run_id, project_id
            order by coalesce(score, -1), gap_order
        ) as weakness
    from gaps
),

per_project as (
    select
        run_id,
        project_id,
        {{ figure('sum(weight_with_evidence) / sum(weight_total)') }} as evidence_share,
        cast(sum(case when status in ('blocked', 'at_risk') then 1 else 0 end) as bigint) as gaps_failing,
        cast(sum(case when status = 'ready' then 0 else 1 end) as bigint) as gaps_not_ready,
        string_agg(case when status <> 'ready' then gap end, ',' order by gap_order) as blocking_gaps,
        string_agg(case when status = 'insufficient_evidence' then gap end, ',' order by gap_order)
            as insufficient_gaps,
        string_agg(
            case when status in ('insufficient_evidence', 'no_evidence') then replace(gap, '_', ' ') end,
            ', ' order by gap_order
        ) as thin_gaps,
        string_agg(case when status <> 'ready' then finding end, '; ' order by gap_order) as findings
    from gaps_explained
    group by run_id, project_id
),

confident as (
    select
        per_project.*,
        coalesce(claims_per_project.claims_contradicted, 0) as claims_contradicted,
        claims_per_project.claims_text,
        greatest(
            0.0,
            per_project.evidence_share
            - projects.claim_penalty * coalesce(claims_per_project.claims_contradicted, 0)
        ) as confidence
    from per_project
    inner join projects
        on per_project.run_id = projects.run_id and per_project.project_id = projects.project_id
    left join claims_per_project
        on
            per_project.run_id = claims_per_project.run_id
            and per_project.project_id = claims_per_project.project_id
),

worded as (
    select
        confident.*,
        case
            when confident.confidence < projects.min_confidence
                then
                    'confidence ' || cast(round(confident.confidence * 100) as integer) || '% is below '
                    || cast(round(projects.min_confidence * 100) as integer) || '%'
        end as confidence_text,
        case
            when confident.claims_contradicted > 0
                then
                    confident.claims_contradicted
                    || case when confident.claims_contradicted = 1 then ' claim' else ' claims' end
                    || ' contradicted by evidence, lowering confidence by '
                    || cast(round(projects.claim_penalty * confident.claims_contradicted * 100) as integer)
                    || '%: ' || confident.claims_text
        end as claims_words
    from confident
    inner join projects
        on confident.run_id = projects.run_id and confident.project_id = projects.project_id
),

decided as (
    select
        projects.*,
        {{ round_to('worded.confidence', 3) }} as confidence,
        coalesce(worded.blocking_gaps, '') as blocking_gaps,
        coalesce(worded.insufficient_gaps, '') as insufficient_gaps,
        worded.claims_contradicted,
        coalesce(blocking_checks.blocking_checks, '') as blocking_checks,
        weakest.weakest_gap,
        weakest.weakest_score,
        coalesce(roadmap_totals.roadmap_actions, 0) as roadmap_actions,
        coalesce(roadmap_totals.roadmap_effort_days, 0) as roadmap_effort_days,
        coalesce(roadmap_totals.roadmap_cost, 0) as roadmap_cost,
        coalesce(roadmap_totals.roadmap_duration_days, 0) as roadmap_duration_days,
        coalesce(roadmap_totals.unnamed_owner_roles, 0) as unnamed_owner_roles,
        coalesce(waivers_per_project.waivers_relied_on, 0) as waivers_relied_on,
        coalesce(waivers_per_project.waivers_expiring, 0) as waivers_expiring,
        waivers_per_project.waivers_text,
        stages_named.stage,
        stages_named.next_stage,
        stages_named.stage_text,
        case
            when projects.project_status <> 'ok' then 'not yet: the assessment failed'
            when worded.gaps_failing > 0 then 'not yet'
            when worded.gaps_not_ready > 0 then 'not yet: insufficient evidence (' || worded.thin_gaps || ')'
            when worded.confidence < projects.min_confidence then 'not yet: insufficient evidence'
            else 'go'
        end as verdict,
        case
            when projects.project_status <> 'ok' then 'not_yet'
            when worded.gaps_not_ready > 0 then 'not_yet'
            when worded.confidence < projects.min_confidence then 'not_yet'
            else 'go'
        end as recommendation,
        case
            when projects.project_status <> 'ok'
                then 'The assessment failed: ' || coalesce(projects.project_error, 'unknown error') || '.'
            when worded.gaps_not_ready > 0
                then
                    'Not yet: '
                    || concat_ws('; ', worded.findings, worded.confidence_text, worded.claims_words) || '.'
            when worded.confidence < projects.min_confidence
                then
                    'Insufficient evidence: '
                    || concat_ws('; ', worded.confidence_text, worded.claims_words) || '.'
            else 'All six gaps are ready' || coalesce('; ' || worded.claims_words, '') || '.'
        end as reason
    from projects
    inner join worded
        on projects.run_id = worded.run_id and projects.project_id = worded.project_id
    left join blocking_checks
        on projects.run_id = blocking_checks.run_id and projects.project_id = blocking_checks.project_id
    left join weakest
        on
            projects.run_id = weakest.run_id
            and projects.project_id = weakest.project_id
            and weakest.weakness = 1
    left join roadmap_totals
        on projects.run_id = roadmap_totals.run_id and projects.project_id = roadmap_totals.project_id
    left join waivers_per_project
        on
            projects.run_id = waivers_per_project.run_id
            and projects.project_id = waivers_per_project.project_id
    left join stages_named
        on projects.run_id = stages_named.run_id and projects.project_id = stages_named.project_id
    where {{ new_runs('projects.run_id') }}
),

final as (
    select
        run_id || ':' || project_id as recommendation_id,
        run_id,
        project_id,
        project_name,
        business_unit,
        owner,
        run_started_at,
        as_of,
        recommendation,
        reason || case
            when waivers_relied_on = 1 then ' Relies on 1 waiver: ' || waivers_text || '.'
            when waivers_relied_on > 1
                then ' Relies on ' || waivers_relied_on || ' waivers: ' || waivers_text || '.'
            else ''
        end as reason,
        confidence,
        blocking_gaps,
        blocking_checks,
        insufficient_gaps,
        claims_contradicted,
        weakest_gap,
        weakest_score,
        project_status,
        project_error,
        rubric_version,
        verdict || case
            when waivers_relied_on = 1 then ', with 1 waiver'
            when waivers_relied_on > 1 then ', with ' || waivers_relied_on || ' waivers'
            else ''
        end as verdict,
        waivers_relied_on,
        waivers_expiring,
        stage,
        next_stage,
        stage_text,
        roadmap_actions,
        roadmap_effort_days,
        roadmap_cost,
        roadmap_duration_days,
        unnamed_owner_roles,
        row_number() over (
            partition by project_id order by run_started_at desc, run_id desc
        ) = 1 as is_latest
    from decided
)

select * from final
