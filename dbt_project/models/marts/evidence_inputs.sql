{{ config(materialized='incremental') }}

with inputs as (
    select * from {{ ref('stg_raw__evidence_inputs') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || evidence_kind || ':' || name || ':' || source
            as evidence_input_id,
        *
    from inputs
)

select * from final
where {{ new_runs() }}
