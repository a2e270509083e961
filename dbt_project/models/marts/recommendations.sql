-- The weakest link decides: go only when every gap is ready, the evidence is sufficient and the
-- project's evidence could be read; otherwise not yet, naming the blocking gaps and checks, or
-- "not yet: insufficient evidence" when every gap with evidence is ready but too few checks had
-- any. The roadmap's totals (effort, cost at the day rate, calendar days) come along.
with gaps as (
    select * from {{ ref('gap_scores') }}
),

checks as (
    select * from {{ ref('check_results') }}
),

projects as (
    select * from {{ ref('int_project_runs_assessed') }}
),

roadmap as (
    select * from {{ ref('roadmap') }}
),

roadmap_totals as (
    select
        run_id,
        project_id,
        count(*) as roadmap_actions,
        sum(effort_days) as roadmap_effort_days,
        sum(cost) as roadmap_cost,
        max(end_day) as roadmap_duration_days
    from roadmap
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
        ) as blocking_checks,
        string_agg(
            case when checks.severity = 'critical' then checks.gap || ' (' || checks.check_id || ')' end,
            ', ' order by checks.check_id
        ) as critical_failures
    from checks
    inner join gaps
        on
            checks.run_id = gaps.run_id
            and checks.project_id = gaps.project_id
            and checks.gap = gaps.gap
    where gaps.status <> 'ready' and checks.result = 'fail'
    group by checks.run_id, checks.project_id
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
        sum(weight_with_evidence) / sum(weight_total) as confidence,
        sum(case when status = 'ready' then 0 else 1 end) as gaps_not_ready,
        string_agg(case when status <> 'ready' then gap end, ',' order by gap_order) as blocking_gaps,
        string_agg(
            case when status <> 'ready' then gap || ' (' || status || ')' end,
            ', ' order by gap_order
        ) as blocking_text
    from gaps
    group by run_id, project_id
),

decided as (
    select
        projects.*,
        {{ round_to('per_project.confidence', 3) }} as confidence,
        coalesce(per_project.blocking_gaps, '') as blocking_gaps,
        per_project.blocking_text,
        coalesce(blocking_checks.blocking_checks, '') as blocking_checks,
        weakest.weakest_gap,
        weakest.weakest_score,
        coalesce(roadmap_totals.roadmap_actions, 0) as roadmap_actions,
        coalesce(roadmap_totals.roadmap_effort_days, 0) as roadmap_effort_days,
        coalesce(roadmap_totals.roadmap_cost, 0) as roadmap_cost,
        coalesce(roadmap_totals.roadmap_duration_days, 0) as roadmap_duration_days,
        case
            when projects.project_status <> 'ok' then 'not yet: the assessment failed'
            when per_project.gaps_not_ready > 0 then 'not yet'
            when per_project.confidence < projects.min_confidence then 'not yet: insufficient evidence'
            else 'go'
        end as verdict,
        case
            when projects.project_status <> 'ok' then 'not_yet'
            when per_project.gaps_not_ready > 0 then 'not_yet'
            when per_project.confidence < projects.min_confidence then 'not_yet'
            else 'go'
        end as recommendation,
        case
            when projects.project_status <> 'ok'
                then 'The assessment failed: ' || coalesce(projects.project_error, 'unknown error') || '.'
            when per_project.gaps_not_ready > 0 and per_project.confidence < projects.min_confidence
                then
                    'Not ready: ' || per_project.blocking_text || '; and insufficient evidence: confidence '
                    || cast(round(per_project.confidence * 100) as integer) || '% is below '
                    || cast(round(projects.min_confidence * 100) as integer) || '%.'
            when per_project.gaps_not_ready > 0
                then
                    'Not ready: ' || per_project.blocking_text
                    || coalesce('. Critical failures: ' || blocking_checks.critical_failures, '') || '.'
            when per_project.confidence < projects.min_confidence
                then
                    'Insufficient evidence: confidence '
                    || cast(round(per_project.confidence * 100) as integer) || '% is below '
                    || cast(round(projects.min_confidence * 100) as integer) || '%.'
            else 'All six gaps are ready.'
        end as reason
    from projects
    inner join per_project
        on projects.run_id = per_project.run_id and projects.project_id = per_project.project_id
    left join blocking_checks
        on projects.run_id = blocking_checks.run_id and projects.project_id = blocking_checks.project_id
    left join weakest
        on
            projects.run_id = weakest.run_id
            and projects.project_id = weakest.project_id
            and weakest.weakness = 1
    left join roadmap_totals
        on projects.run_id = roadmap_totals.run_id and projects.project_id = roadmap_totals.project_id
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
        reason,
        confidence,
        blocking_gaps,
        blocking_checks,
        weakest_gap,
        weakest_score,
        project_status,
        project_error,
        rubric_version,
        verdict,
        roadmap_actions,
        roadmap_effort_days,
        roadmap_cost,
        roadmap_duration_days,
        row_number() over (
            partition by project_id order by run_started_at desc, run_id desc
        ) = 1 as is_latest
    from decided
)

select * from final
