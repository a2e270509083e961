-- The inputs whose fingerprint changed between a project's run and its previous run
-- (int_previous_runs), or that only one of the two read ("changed", "added", "removed").
-- Same definition as PAIR_INPUT_CHANGES in readmodel/queries.py (any two runs): change both.
-- Incremental (macros/new_runs.sql): a run's rows depend on it and its previous run only.
{{ config(materialized='incremental', on_schema_change='fail') }}

with pairs as (
    select * from {{ ref('int_previous_runs') }}
    where {{ new_runs() }}
),

inputs as (
    select * from {{ ref('input_fingerprints') }}
),

earlier as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        inputs.input_kind,
        inputs.name,
        inputs.source,
        inputs.fingerprint
    from pairs
    inner join inputs
        on pairs.previous_run_id = inputs.run_id and pairs.project_id = inputs.project_id
),

later as (
    select
        pairs.run_id,
        pairs.project_id,
        pairs.previous_run_id,
        inputs.input_kind,
        inputs.name,
        inputs.source,
        inputs.fingerprint
    from pairs
    inner join inputs
        on pairs.run_id = inputs.run_id and pairs.project_id = inputs.project_id
),

final as (
    select
        coalesce(later.run_id, earlier.run_id) as run_id,
        coalesce(later.project_id, earlier.project_id) as project_id,
        coalesce(later.previous_run_id, earlier.previous_run_id) as previous_run_id,
        coalesce(later.input_kind, earlier.input_kind) as input_kind,
        coalesce(later.name, earlier.name) as name,
        case
            when earlier.name is null then 'added'
            when later.name is null then 'removed'
            else 'changed'
        end as change,
        earlier.source as source_before,
        later.source as source_after,
        earlier.fingerprint as fingerprint_before,
        later.fingerprint as fingerprint_after
    from later
    full outer join earlier
        on
            later.run_id = earlier.run_id
            and later.project_id = earlier.project_id
            and later.input_kind = earlier.input_kind
            and later.name = earlier.name
    where coalesce(earlier.fingerprint, '') <> coalesce(later.fingerprint, '')
)

select * from final
