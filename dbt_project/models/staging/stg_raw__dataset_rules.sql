with source as (
    select * from {{ source('raw', 'raw_dataset_rules') }}
),

final as (
    select
        run_id,
        project_id,
        dataset,
        rule,
        kind,
        rows_checked,
        violations,
        examples
    from source
)

select * from final
