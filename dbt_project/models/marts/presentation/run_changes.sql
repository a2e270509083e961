-- What changed for a project since its previous run: each run of a project beside the project's
-- run just before it that was assessed without failing. The verdict (flipped or not), the
-- confidence, the rubric, and how many gaps moved, checks flipped (newly failing among them) and
-- inputs changed; run_gap_changes and run_check_changes hold the rows. Alerts, `readiness diff`
-- of consecutive runs and the trends page select from these marts.
-- Same definition as PAIR_RESULTS in readmodel/queries.py (any two runs): change both.
-- Incremental (macros/new_runs.sql): a run's rows depend on it and its previous run only.
{{ config(materialized='incremental', on_schema_change='fail') }}

with recommendations as (
    select * from {{ ref('recommendations') }}
),

paired as (
    select * from {{ ref('int_previous_runs') }}
    where {{ new_runs() }}
),

gap_counts as (
    select
        run_id,
        project_id,
        count(*) as gaps_changed
    from {{ ref('run_gap_changes') }}
    where changed and {{ new_runs() }}
    group by run_id, project_id
),

check_counts as (
    select
        run_id,
        project_id,
        count(*) as checks_flipped,
        cast(sum(case when newly_failing then 1 else 0 end) as bigint) as checks_newly_failing
    from {{ ref('run_check_changes') }}
    where {{ new_runs() }}
    group by run_id, project_id
),

input_counts as (
    select
        run_id,
        project_id,
        count(*) as inputs_changed
    from {{ ref('run_input_changes') }}
    where {{ new_runs() }}
    group by run_id, project_id
),

final as (
    select
        paired.run_id,
        paired.project_id,
        paired.previous_run_id,
        earlier.recommendation as recommendation_before,
        later.recommendation as recommendation_after,
        earlier.recommendation <> later.recommendation as verdict_flipped,
        earlier.recommendation = 'go' and later.recommendation <> 'go' as became_not_yet,
        earlier.recommendation <> 'go' and later.recommendation = 'go' as became_go,
        earlier.confidence as confidence_before,
        later.confidence as confidence_after,
        earlier.rubric_version as rubric_before,
        later.rubric_version as rubric_after,
        earlier.rubric_version <> later.rubric_version as rubric_changed,
        coalesce(gap_counts.gaps_changed, 0) as gaps_changed,
        coalesce(check_counts.checks_flipped, 0) as checks_flipped,
        coalesce(check_counts.checks_newly_failing, 0) as checks_newly_failing,
        coalesce(input_counts.inputs_changed, 0) as inputs_changed
    from paired
    inner join recommendations as earlier
        on paired.previous_run_id = earlier.run_id and paired.project_id = earlier.project_id
    inner join recommendations as later
        on paired.run_id = later.run_id and paired.project_id = later.project_id
    left join gap_counts
        on paired.run_id = gap_counts.run_id and paired.project_id = gap_counts.project_id
    left join check_counts
        on paired.run_id = check_counts.run_id and paired.project_id = check_counts.project_id
    left join input_counts
        on paired.run_id = input_counts.run_id and paired.project_id = input_counts.project_id
)

select * from final
