with source as (
    select * from {{ source('raw', 'raw_evaluation_kpis') }}
),

final as (
    select
        run_id,
        project_id,
        kpi,
        baseline,
        target,
        instrumented,
        kpi_source
    from source
)

select * from final
