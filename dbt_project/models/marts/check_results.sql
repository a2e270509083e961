with judged as (
    select * from {{ ref('int_checks_judged') }}
),

final as (
    select
        run_id || ':' || project_id || ':' || check_id as check_result_id,
        run_id,
        project_id,
        gap,
        check_id,
        title,
        severity,
        weight,
        direction,
        pass_threshold,
        partial_threshold,
        unit,
        metric,
        result,
        points,
        evidence,
        remediation,
        effort_days,
        owner_role,
        rubric_version,
        claim_contradicted
    from judged
)

select * from final
