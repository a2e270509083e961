with source as (
    select * from {{ source('raw', 'raw_rejected_rows') }}
),

final as (
    select
        run_id,
        project_id,
        evidence_kind,
        source,
        row_number,
        column_name,
        value,
        reason
    from source
)

select * from final
