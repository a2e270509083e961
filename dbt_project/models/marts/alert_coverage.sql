-- Alert coverage as the maintenance drill-down shows it: one row per service and signal, with the
-- alerting rules that cover it and whether one of them reaches a receiver that delivers.
{{ config(materialized='incremental') }}

with coverage as (
    select * from {{ ref('stg_raw__alert_coverage') }}
),

rules as (
    select * from {{ ref('stg_raw__alert_rules') }}
),

named as (
    select
        coverage.run_id,
        coverage.project_id,
        coverage.service,
        coverage.signal,
        string_agg(rules.alert || case when rules.delivers then '' else ' (dead end)' end, ', ' order by rules.alert)
            as alert_names
    from coverage
    inner join rules
        on
            coverage.run_id = rules.run_id
            and coverage.project_id = rules.project_id
            and coverage.service = rules.service
            and (', ' || rules.signals || ', ') like ('%, ' || coverage.signal || ', %')
    group by coverage.run_id, coverage.project_id, coverage.service, coverage.signal
),

final as (
    select
        coverage.run_id || ':' || coverage.project_id || ':' || coverage.service || ':' || coverage.signal
            as alert_coverage_id,
        coverage.run_id,
        coverage.project_id,
        coverage.service,
        coverage.signal,
        coverage.alerts,
        coverage.delivering_alerts,
        coverage.delivering_alerts > 0 as covered,
        named.alert_names
    from coverage
    left join named
        on
            coverage.run_id = named.run_id
            and coverage.project_id = named.project_id
            and coverage.service = named.service
            and coverage.signal = named.signal
)

select * from final
where {{ new_runs() }}
