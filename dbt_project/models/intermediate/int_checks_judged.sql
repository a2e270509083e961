-- Every rubric check of a run, for every project of that run: the worst item is the check's
-- metric, judged against the rubric's thresholds. No item at all means no evidence. Inputs that
-- could not be read are named in the evidence ("no evidence: unreadable: <reason>" when nothing
-- else was measured). A survey claim the evidence denies flags the check, and is written into
-- its evidence. A critical check that answers refused could have changed never passes: it is
-- no_evidence (or fail, the rubric's refused_critical) and its evidence names the refused rows.
-- Incremental (macros/new_runs.sql), not a view: check_results and int_waivers_judged both read it,
-- and as a view DuckDB planned its whole chain of item views again in each (minutes of planning).
-- Every input takes only the new runs: the final filter alone does not reach the inputs behind
-- the full outer join and the left joins, which would read every run of history.
{{ config(materialized='incremental') }}

with projects as (
    select * from {{ ref('int_project_runs_assessed') }}
    where {{ new_runs() }}
),

checks as (
    select * from {{ ref('stg_raw__rubric_checks') }}
    where {{ new_runs() }}
),

items as (
    select * from {{ ref('int_check_items_unioned') }}
    where {{ new_runs() }}
),

ranked as (
    select
        items.*,
        checks.pass_threshold,
        checks.partial_threshold,
        checks.direction,
        row_number() over (
            partition by items.run_id, items.project_id, items.check_id
            order by
                case when checks.direction = 'higher_is_better' then items.value else -items.value end,
                items.item
        ) as worst_first,
        count(*) over (partition by items.run_id, items.project_id, items.check_id) as item_count,
        sum(
            case
                when checks.direction = 'higher_is_better' and items.value < checks.pass_threshold then 1
                when checks.direction = 'lower_is_better' and items.value > checks.pass_threshold then 1
                else 0
            end
        ) over (partition by items.run_id, items.project_id, items.check_id) as items_below_pass
    from items
    inner join checks on items.run_id = checks.run_id and items.check_id = checks.check_id
    where items.value is not null
),

contradicted_claims as (
    select
        run_id,
        project_id,
        check_id,
        {%- set claim = json_object([
            ('topic', 'topic'),
            ('claimants', 'claimants'),
            ('groups', 'claimant_groups'),
            ('questions', 'questions'),
            ('evidence_says', 'evidence_says'),
        ]) %}
        {{ json_object([('contradicted_claim', 'cast(' ~ claim ~ ' as json)')]) }} as claim
    from {{ ref('int_claims_checked') }}
    where contradicted and {{ new_runs() }}
),

unreadable as (
    select * from {{ ref('int_evidence_unreadable') }}
    where {{ new_runs() }}
),

refusals as (
    select * from {{ ref('int_survey_refusals_mapped') }}
    where {{ new_runs() }}
),

worst as (
    select
        run_id,
        project_id,
        check_id,
        value as metric,
        {{ json_object([
            ('worst', 'item'),
            ('value', round_to("value", 4)),
            ('items', 'item_count'),
            ('items_below_pass', 'items_below_pass'),
            ('detail', 'cast(detail as json)'),
        ]) }} as evidence
    from ranked
    where worst_first = 1
),

measured as (
    select
        coalesce(worst.run_id, unreadable.run_id) as run_id,
        coalesce(worst.project_id, unreadable.project_id) as project_id,
        coalesce(worst.check_id, unreadable.check_id) as check_id,
        worst.metric,
        case
            when unreadable.unreadable is null then worst.evidence
            when worst.evidence is null
                then {{ json_object([('reason', "'no evidence: unreadable: ' || unreadable.unreadable")]) }}
            else {{ json_merge('worst.evidence', json_object([('unreadable', 'unreadable.unreadable')])) }}
        end as evidence,
        unreadable.unreadable
    from worst
    full outer join unreadable
        on
            worst.run_id = unreadable.run_id
            and worst.project_id = unreadable.project_id
            and worst.check_id = unreadable.check_id
),

judged as (
    select
        projects.run_id,
        projects.project_id,
        projects.rubric_version,
        checks.check_id,
        checks.gap,
        checks.title,
        checks.severity,
        checks.weight,
        checks.direction,
        checks.pass_threshold,
        checks.partial_threshold,
        checks.unit,
        checks.remediation,
        checks.effort_days,
        checks.owner_role,
        measured.metric,
        case
            when contradicted_claims.claim is null then measured.evidence
            else {{ json_merge("coalesce(measured.evidence, '{}')", 'contradicted_claims.claim') }}
        end as evidence,
        contradicted_claims.claim is not null as claim_contradicted,
        {{ judge_result(
            'measured.metric', 'checks.direction', 'checks.pass_threshold', 'checks.partial_threshold'
        ) }} as measured_result,
        projects.refused_critical,
        refusals.refused,
        refusals.refused_rows,
        measured.unreadable
    from projects
    inner join checks on projects.run_id = checks.run_id
    left join measured
        on
            projects.run_id = measured.run_id
            and projects.project_id = measured.project_id
            and checks.check_id = measured.check_id
    left join contradicted_claims
        on
            projects.run_id = contradicted_claims.run_id
            and projects.project_id = contradicted_claims.project_id
            and checks.check_id = contradicted_claims.check_id
    left join refusals
        on
            projects.run_id = refusals.run_id
            and projects.project_id = refusals.project_id
            and checks.check_id = refusals.check_id
),

-- A critical check never passes on part of its evidence: when answers feeding it were refused, or
-- an input it depends on (a production dataset) could not be read, it is no_evidence (or fail:
-- the rubric's refused_critical). Runs recorded before the rule (refused_critical null) keep
-- their results.
held as (
    select
        *,
        coalesce(
            severity = 'critical' and refused > 0 and measured_result in ('pass', 'partial'), false
        ) as held_by_refusal,
        coalesce(
            severity = 'critical'
            and unreadable is not null
            and refused_critical is not null
            and measured_result in ('pass', 'partial'),
            false
        ) as held_by_unreadable
    from judged
),

decided as (
    select
        *,
        case
            when held_by_refusal or held_by_unreadable then refused_critical
            else measured_result
        end as result
    from held
),

final as (
    select
        run_id,
        project_id,
        rubric_version,
        check_id,
        gap,
        title,
        severity,
        weight,
        direction,
        pass_threshold,
        partial_threshold,
        unit,
        remediation,
        effort_days,
        owner_role,
        case when result = 'no_evidence' then null else metric end as metric,
        case
            when held_by_refusal
                then {{ json_merge("coalesce(evidence, '{}')", json_object([
                    ('reason', "case result when 'no_evidence' then 'no evidence: ' else 'failed: ' end || refused || ' answer(s) feeding this check were refused: ' || refused_rows"),
                ])) }}
            when held_by_unreadable
                then {{ json_merge("coalesce(evidence, '{}')", json_object([
                    ('reason', "case result when 'no_evidence' then 'no evidence: ' else 'failed: ' end || 'unreadable: ' || unreadable || ' (a critical check is never judged on part of its inputs)'"),
                ])) }}
            else evidence
        end as evidence,
        claim_contradicted,
        result,
        case result when 'pass' then 1.0 when 'partial' then 0.5 when 'fail' then 0.0 end as points
    from decided
)

select * from final
where {{ new_runs() }}
