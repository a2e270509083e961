-- Cross-field rules and relationships checked per dataset, with violations and example rows.
{{ config(materialized='incremental') }}

with rules as (
    select * from {{ ref('stg_raw__dataset_rules') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || dataset || ':' || rule as data_quality_rule_id,
        run_id,
        project_id,
        dataset,
        rule,
        kind,
        rows_checked,
        violations,
        cast(violations * 1.0 / nullif(rows_checked, 0) as double precision) as violation_rate,
        examples
    from rules
)

select * from final
where {{ new_runs() }}
