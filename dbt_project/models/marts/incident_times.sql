-- Incident response as the maintenance drill-down shows it: per PagerDuty export, the incidents of
-- the 90 days before the run's as-of instant and the minutes to acknowledge and to resolve.
{{ config(materialized='incremental') }}

with summaries as (
    select * from {{ ref('stg_raw__incident_summary') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || source as incident_time_id,
        run_id,
        project_id,
        source,
        incidents,
        acknowledged,
        resolved,
        ack_median_minutes,
        ack_p90_minutes,
        resolve_median_minutes,
        resolve_p90_minutes
    from summaries
)

select * from final
where {{ new_runs() }}
