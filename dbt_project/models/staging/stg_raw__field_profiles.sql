with source as (
    select * from {{ source('raw', 'raw_field_profiles') }}
),

final as (
    select
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
        personal_reason
    from source
)

select * from final
