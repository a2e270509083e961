with source as (
    select * from {{ source('raw', 'raw_runs') }}
),

final as (
    select
        run_id,
        portfolio_id,
        started_at,
        finished_at,
        as_of,
        status,
        rubric_version,
        rubric_fingerprint,
        code_version,
        min_confidence,
        ready_threshold,
        at_risk_threshold,
        day_rate,
        message,
        min_gap_evidence,
        major_fail_caps_gap,
        claim_penalty,
        refused_critical,
        min_group_respondents,
        day_rate_currency,
        lock_fingerprint,
        package_versions,
        portfolio_path,
        archive,
        waive_critical,
        waiver_notice_days
    from source
)

select * from final
