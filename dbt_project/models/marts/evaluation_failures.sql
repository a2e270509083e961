-- The failed examples of the newest evaluation runs (inputs and outputs as the reader kept them:
-- truncated, personal values redacted), with their failure category (none: uncategorised) and
-- each category's count, largest first; a reader shows a bounded number of them.
{{ config(materialized='incremental') }}

with runs as (
    select * from {{ ref('int_eval_runs_ranked') }}
    where recency = 1
),

examples as (
    select examples.*
    from {{ ref('stg_raw__eval_examples') }} as examples
    inner join runs
        on
            examples.run_id = runs.run_id
            and examples.project_id = runs.project_id
            and examples.source = runs.source
            and examples.eval_run = runs.eval_run
    where not examples.passed
),

counted as (
    select
        *,
        count(*) over (
            partition by run_id, project_id, coalesce(failure_category, '')
        ) as category_failures,
        row_number() over (
            partition by run_id, project_id
            order by source asc, eval_run asc, example_id asc, metric asc, grader_kind asc
        ) as failure_number
    from examples
),

final as (
    select
        run_id || ':' || project_id || ':' || cast(failure_number as varchar) as evaluation_failure_id,
        run_id,
        project_id,
        source,
        eval_run,
        example_id,
        metric,
        grader_kind,
        grader,
        coalesce(failure_category, 'uncategorised') as failure_category,
        category_failures,
        input_excerpt,
        output_excerpt,
        failure_number
    from counted
)

select * from final
where {{ new_runs() }}
