-- Which kinds of evidence were read for each project of each run (at least one input of the kind
-- was readable): a check whose evidence kind was never read has no evidence, not a zero.
with inputs as (
    select * from {{ ref('stg_raw__evidence_inputs') }}
),

final as (
    select distinct
        run_id,
        project_id,
        evidence_kind
    from inputs
    where status = 'ok'
)

select * from final
