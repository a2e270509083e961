-- Why a check lost evidence: the data samples that could not be read, per run, project and
-- data-quality check, each named with its source and the reason recorded when reading failed. Every data-quality check
-- depends on every production dataset; a POC sample only feeds the dq_poc_* checks.
with unreadable as (
    select
        run_id,
        project_id,
        name,
        source,
        error,
        name like '% (poc sample)' as is_poc_sample
    from {{ ref('stg_raw__evidence_inputs') }}
    where evidence_kind = 'dataset' and status = 'unreadable'
),

checks as (
    select
        run_id,
        check_id
    from {{ ref('stg_raw__rubric_checks') }}
    where gap = 'data_quality'
),

affected as (
    select
        unreadable.run_id,
        unreadable.project_id,
        checks.check_id,
        unreadable.name,
        unreadable.name || ' at ' || unreadable.source || ': '
        || coalesce(unreadable.error, 'no reason recorded') as reason
    from unreadable
    inner join checks on unreadable.run_id = checks.run_id
    where not unreadable.is_poc_sample or left(checks.check_id, 7) = 'dq_poc_'
),

final as (
    select
        run_id,
        project_id,
        check_id,
        string_agg(reason, '; ' order by name) as unreadable
    from affected
    group by run_id, project_id, check_id
)

select * from final
