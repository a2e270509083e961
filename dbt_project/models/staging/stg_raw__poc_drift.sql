with source as (
    select * from {{ source('raw', 'raw_poc_drift') }}
),

final as (
    select
        run_id,
        project_id,
        dataset,
        field,
        poc_null_rate,
        prod_null_rate,
        unseen_categories,
        unseen_examples,
        psi
    from source
)

select * from final
