with source as (
    select * from {{ source('raw', 'raw_rubric_checks') }}
),

final as (
    select
        run_id,
        check_id,
        gap,
        title,
        severity,
        weight,
        direction,
        pass_threshold,
        partial_threshold,
        unit,
        remediation,
        effort_days,
        owner_role
    from source
)

select * from final
