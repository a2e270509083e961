-- Evaluation judged on what the tools wrote: pass rate per metric against its quality bar and its
-- drop since the run before, the regression set counted from the examples, failure taxonomy
-- coverage, the automated share, the graders' agreement with people (Cohen's kappa), the recency
-- of the newest run and whether it evaluated the model under assessment, and the KPIs' cadence in
-- the KPI export. Only the newest run of each results file or store counts.
with metrics as (
    select * from {{ ref('int_eval_metrics_compared') }}
),

runs as (
    select * from {{ ref('int_eval_runs_ranked') }}
),

newest_runs as (
    select * from runs
    where recency = 1
),

examples as (
    select examples.*
    from {{ ref('stg_raw__eval_examples') }} as examples
    inner join newest_runs
        on
            examples.run_id = newest_runs.run_id
            and examples.project_id = newest_runs.project_id
            and examples.source = newest_runs.source
            and examples.eval_run = newest_runs.eval_run
),

kpi_series as (
    select * from {{ ref('int_kpi_series_measured') }}
),

pass_rate as (
    select
        run_id,
        project_id,
        'ev_pass_rate' as check_id,
        metric || ' (' || tool || ')' as item,
        case when quality_bar = 0 then 1.0 else pass_rate / quality_bar end as value,
        {{ json_object([
            ('metric', 'metric'),
            ('pass_rate', round_to('pass_rate', 4)),
            ('quality_bar', 'quality_bar'),
            ('examples', 'examples'),
            ('eval_run', 'eval_run'),
            ('tool', 'tool'),
        ]) }} as detail
    from metrics
    where quality_bar is not null
),

pass_rate_drop as (
    select
        run_id,
        project_id,
        'ev_pass_rate_drop' as check_id,
        metric || ' (' || tool || ')' as item,
        greatest(pass_rate_drop, 0.0) as value,
        {{ json_object([
            ('metric', 'metric'),
            ('pass_rate', round_to('pass_rate', 4)),
            ('previous_pass_rate', round_to('previous_pass_rate', 4)),
            ('eval_run', 'eval_run'),
            ('previous_eval_run', 'previous_eval_run'),
        ]) }} as detail
    from metrics
    where previous_pass_rate is not null
),

distinct_examples as (
    select
        run_id,
        project_id,
        source,
        example_id,
        max(case when grader_kind = 'automated' then 1 else 0 end) as automated,
        min(case when passed then 1 else 0 end) as passed,
        max(failure_category) as failure_category
    from examples
    group by run_id, project_id, source, example_id
),

example_summary as (
    select
        run_id,
        project_id,
        count(*) as examples,
        sum(automated) as automated,
        sum(case when passed = 0 then 1 else 0 end) as failed,
        sum(case when passed = 0 and failure_category is not null then 1 else 0 end) as categorised
    from distinct_examples
    group by run_id, project_id
),

categories as (
    select
        run_id,
        project_id,
        failure_category,
        count(*) as failed
    from distinct_examples
    where passed = 0 and failure_category is not null
    group by run_id, project_id, failure_category
),

top_categories as (
    select
        run_id,
        project_id,
        string_agg(failure_category || ' (' || failed || ')', ', ' order by failed desc, failure_category asc)
            as top_categories
    from categories
    group by run_id, project_id
),

regression_set as (
    select
        run_id,
        project_id,
        'ev_regression_set' as check_id,
        'examples in the newest runs' as item,
        examples * 1.0 as value,
        {{ json_object([('examples', 'examples'), ('failed', 'failed')]) }} as detail
    from example_summary
),

failure_taxonomy as (
    select
        example_summary.run_id,
        example_summary.project_id,
        'ev_failure_taxonomy' as check_id,
        'failed examples' as item,
        coalesce(example_summary.categorised * 1.0 / nullif(example_summary.failed, 0), 1.0) as value,
        {{ json_object([
            ('failed', 'example_summary.failed'),
            ('categorised', 'example_summary.categorised'),
            ('top_categories', 'top_categories.top_categories'),
        ]) }} as detail
    from example_summary
    left join top_categories
        on
            example_summary.run_id = top_categories.run_id
            and example_summary.project_id = top_categories.project_id
),

automated_share as (
    select
        run_id,
        project_id,
        'ev_automated_share' as check_id,
        'graded examples' as item,
        automated * 1.0 / examples as value,
        {{ json_object([('examples', 'examples'), ('automated', 'automated')]) }} as detail
    from example_summary
),

-- An example graded both ways: its automated verdict (every automated grade passed) beside the
-- people's (every human grade passed), per metric.
both_ways as (
    select
        run_id,
        project_id,
        source,
        example_id,
        metric,
        min(case when grader_kind = 'automated' then case when passed then 1 else 0 end end) as tool_pass,
        min(case when grader_kind = 'human' then case when passed then 1 else 0 end end) as human_pass
    from examples
    group by run_id, project_id, source, example_id, metric
    having
        count(case when grader_kind = 'automated' then 1 end) > 0
        and count(case when grader_kind = 'human' then 1 end) > 0
),

agreement_counts as (
    select
        run_id,
        project_id,
        count(*) as pairs,
        avg(case when tool_pass = human_pass then 1.0 else 0.0 end) as observed,
        avg(tool_pass * 1.0) as tool_pass_share,
        avg(human_pass * 1.0) as human_pass_share
    from both_ways
    group by run_id, project_id
),

agreement_kappa as (
    select
        *,
        tool_pass_share * human_pass_share + (1 - tool_pass_share) * (1 - human_pass_share)
            as expected
    from agreement_counts
),

grader_agreement as (
    select
        run_id,
        project_id,
        'ev_grader_agreement' as check_id,
        'examples graded by a tool and by people' as item,
        case
            when expected >= 1 then case when observed >= 1 then 1.0 else 0.0 end
            else (observed - expected) / (1 - expected)
        end as value,
        {{ json_object([
            ('pairs', 'pairs'),
            ('agreement', round_to('observed', 4)),
            ('expected_by_chance', round_to('expected', 4)),
        ]) }} as detail
    from agreement_kappa
),

newest_overall as (
    select
        *,
        row_number() over (
            partition by run_id, project_id order by started_at desc, source asc, eval_run asc
        ) as pick
    from newest_runs
    where started_at is not null
),

recency as (
    select
        run_id,
        project_id,
        'ev_recency' as check_id,
        'newest evaluation run' as item,
        age_days as value,
        {{ json_object([
            ('eval_run', 'eval_run'),
            ('tool', 'tool'),
            ('started_at', 'started_at'),
            ('age_days', round_to('age_days', 1)),
        ]) }} as detail
    from newest_overall
    where pick = 1
),

model_evaluated as (
    select
        run_id,
        project_id,
        'ev_model_evaluated' as check_id,
        'newest evaluation run' as item,
        case when evaluated_model_under_assessment then 1.0 else 0.0 end as value,
        {{ json_object([
            ('eval_run', 'eval_run'),
            ('model', 'model'),
            ('model_under_assessment', 'model_under_assessment'),
        ]) }} as detail
    from newest_overall
    where pick = 1 and evaluated_model_under_assessment is not null
),

kpi_data as (
    select
        run_id,
        project_id,
        'ev_kpi_data' as check_id,
        kpi as item,
        cadence_coverage as value,
        {{ json_object([
            ('points', 'points'),
            ('cadence_days', 'cadence_days'),
            ('windows', 'windows'),
            ('windows_measured', 'windows_measured'),
            ('newest_measured_on', 'newest_measured_on'),
            ('measured_baseline', round_to('measured_baseline', 4)),
            ('declared_baseline', 'declared_baseline'),
            ('target', 'target'),
        ]) }} as detail
    from kpi_series
),

final as (
    select * from pass_rate
    union all
    select * from pass_rate_drop
    union all
    select * from regression_set
    union all
    select * from failure_taxonomy
    union all
    select * from automated_share
    union all
    select * from grader_agreement
    union all
    select * from recency
    union all
    select * from model_evaluated
    union all
    select * from kpi_data
)

select * from final
