with source as (
    select * from {{ source('raw', 'raw_evidence_inputs') }}
),

final as (
    select
        run_id,
        project_id,
        evidence_kind,
        name,
        source,
        fingerprint,
        rows_read,
        rows_rejected,
        status,
        error,
        newest_record_at
    from source
)

select * from final
