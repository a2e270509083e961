with source as (
    select * from {{ source('raw', 'raw_dataset_profiles') }}
),

final as (
    select
        run_id,
        project_id,
        dataset,
        source,
        readable,
        error,
        row_count,
        key_columns,
        duplicate_key_rows,
        timestamp_column,
        newest_timestamp,
        age_seconds,
        max_age_seconds,
        stale_rows,
        fields_required,
        fields_missing,
        examples
    from source
)

select * from final
