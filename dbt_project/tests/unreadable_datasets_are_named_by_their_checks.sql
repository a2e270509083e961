-- A data-quality check left without evidence while a dataset of its project could not be read
-- says so: its evidence names the unreadable input ("no evidence: unreadable: <reason>"). Of the
-- runs this build added (tested_runs(), macros/new_runs.sql).
with unreadable as (
    select distinct
        run_id,
        project_id
    from {{ ref('evidence_inputs') }}
    where
        evidence_kind = 'dataset' and status = 'unreadable' and name not like '% (poc sample)'
        and {{ tested_runs() }}
),

checks as (
    select * from {{ ref('check_results') }}
    where gap = 'data_quality' and result = 'no_evidence' and {{ tested_runs() }}
)

select checks.*
from checks
inner join unreadable
    on checks.run_id = unreadable.run_id and checks.project_id = unreadable.project_id
where checks.evidence is null or checks.evidence not like '%no evidence: unreadable: %'
