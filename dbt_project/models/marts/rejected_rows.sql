-- Rows refused from the evidence, with where they were and why. Reasons starting with
-- "skipped:" were left out on purpose (a Backstage Group, a survey column no question matches).
{{ config(materialized='incremental') }}

with rejected as (
    select * from {{ ref('stg_raw__rejected_rows') }}
),

final as (
    select
        *,
        reason like 'skipped:%' as is_skipped
    from rejected
)

select * from final
where {{ new_runs() }}
