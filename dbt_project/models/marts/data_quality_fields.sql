{{ config(materialized='incremental') }}

-- Per dataset and field, the measured rates (int_field_rates: the same ratios the checks judge).
with fields as (
    select * from {{ ref('int_field_rates') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || dataset || ':' || field as data_quality_field_id,
        run_id,
        project_id,
        dataset,
        field,
        declared_type,
        required,
        present,
        found_as,
        observed_type,
        row_count,
        null_count,
        empty_count,
        distinct_count,
        distinct_is_exact,
        distinct_at_least,
        type_failures,
        not_allowed,
        out_of_range,
        pattern_failures,
        min_value,
        max_value,
        top_values,
        examples,
        personal,
        personal_reason,
        cast(missing_rate as double precision) as missing_rate,
        cast(null_rate as double precision) as null_rate,
        cast(invalid_rate as double precision) as invalid_rate
    from fields
)

select * from final
where {{ new_runs() }}
