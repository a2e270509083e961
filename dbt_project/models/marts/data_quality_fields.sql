{{ config(materialized='incremental') }}

with fields as (
    select * from {{ ref('stg_raw__field_profiles') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || dataset || ':' || field as data_quality_field_id,
        *,
        null_count * 1.0 / nullif(row_count, 0) as null_rate,
        (
            coalesce(type_failures, 0) + coalesce(not_allowed, 0)
            + coalesce(out_of_range, 0) + coalesce(pattern_failures, 0)
        ) * 1.0 / nullif(row_count, 0) as invalid_rate
    from fields
)

select * from final
where {{ new_runs() }}
