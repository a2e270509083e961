-- Each gap's score and status in a project's run and in its previous run (int_previous_runs);
-- delta is after minus before (null when either is), changed when the score or status moved.
-- Same definition as PAIR_GAP_CHANGES in readmodel/queries.py (any two runs): change both.
-- Incremental (macros/new_runs.sql): a run's rows depend on it and its previous run only.
{{ config(materialized='incremental', on_schema_change='fail') }}

with pairs as (
    select * from {{ ref('int_previous_runs') }}
    where {{ new_runs() }}
),

gaps as (
    select * from {{ ref('gap_scores') }}
),

earlier as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        gaps.gap,
        gaps.gap_order,
        gaps.score,
        gaps.status
    from pairs
    inner join gaps
        on pairs.previous_run_id = gaps.run_id and pairs.project_id = gaps.project_id
),

later as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        gaps.gap,
        gaps.gap_order,
        gaps.score,
        gaps.status
    from pairs
    inner join gaps
        on pairs.run_id = gaps.run_id and pairs.project_id = gaps.project_id
),

final as (
    select
        coalesce(later.run_id, earlier.run_id) as run_id,
        coalesce(later.project_id, earlier.project_id) as project_id,
        coalesce(later.previous_run_id, earlier.previous_run_id) as previous_run_id,
        coalesce(later.gap, earlier.gap) as gap,
        coalesce(later.gap_order, earlier.gap_order) as gap_order,
        earlier.score as score_before,
        later.score as score_after,
        {{ round_to('later.score - earlier.score', 6) }} as delta,
        earlier.status as status_before,
        later.status as status_after,
        coalesce(earlier.score, -1) <> coalesce(later.score, -1)
        or coalesce(earlier.status, '') <> coalesce(later.status, '') as changed
    from later
    full outer join earlier
        on
            later.run_id = earlier.run_id
            and later.project_id = earlier.project_id
            and later.gap = earlier.gap
)

select * from final
