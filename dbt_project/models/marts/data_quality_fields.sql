{{ config(materialized='incremental') }}

-- Per dataset and field, the measured rates (int_field_rates: the same ratios the checks judge).
with fields as (
    select * from {{ ref('int_field_rates') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || dataset || ':' || field as data_quality_field_id,
        *
    from fields
)

select * from final
where {{ new_runs() }}
