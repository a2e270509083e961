-- Refused survey answers mapped to the critical check they could have changed: a refused answer to
-- a blocker question from legal, compliance or a group nobody could read may have been the blocker
-- that sa_legal_blockers counts. One row per run, project and check: how many answers were refused
-- and where (file name, row, column; never the answer). An answer refused as a duplicate of a
-- newer response by the same respondent took no evidence away (the newer answer counts).
with refused as (
    select * from {{ ref('stg_raw__survey_refused') }}
    where lower(reason) not like 'duplicate%'
),

questions as (
    select * from {{ ref('stg_raw__survey_questions') }}
),

feeding as (
    select
        refused.run_id,
        refused.project_id,
        'sa_legal_blockers' as check_id,
        refused.source,
        refused.source_row,
        refused.column_name,
        regexp_replace(refused.source, '^.*[/\\]', '')
        || coalesce(' row ' || cast(refused.source_row as varchar), '')
        || coalesce(' column ' || refused.column_name, '') as place
    from refused
    inner join questions
        on
            refused.run_id = questions.run_id
            and refused.project_id = questions.project_id
            and refused.question_id = questions.question_id
    where
        questions.kind = 'blocker'
        and coalesce(refused.stakeholder_group, questions.stakeholder_group, 'unknown')
        in ('legal', 'compliance', 'unknown')
),

final as (
    select
        run_id,
        project_id,
        check_id,
        count(*) as refused,
        string_agg(place, '; ' order by source, source_row, column_name) as refused_rows
    from feeding
    group by run_id, project_id, check_id
)

select * from final
