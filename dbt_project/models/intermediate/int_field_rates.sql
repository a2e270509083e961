-- Per dataset and field, the rates the data quality checks judge and the drill-down shows, in one
-- place: missing values are nulls plus empty strings (the completeness check's ratio), invalid
-- values every rule violation of the field.
with fields as (
    select * from {{ ref('stg_raw__field_profiles') }}
),

final as (
    select
        *,
        (coalesce(null_count, 0) + coalesce(empty_count, 0)) * 1.0 / nullif(row_count, 0)
            as missing_rate,
        null_count * 1.0 / nullif(row_count, 0) as null_rate,
        (
            coalesce(type_failures, 0) + coalesce(not_allowed, 0)
            + coalesce(out_of_range, 0) + coalesce(pattern_failures, 0)
        ) * 1.0 / nullif(row_count, 0) as invalid_rate
    from fields
)

select * from final
