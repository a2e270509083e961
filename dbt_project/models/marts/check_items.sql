-- Every measured item behind a check (a field, a dataset, a system, a stakeholder group, a load
-- test), judged against the check's thresholds, so the drill-down shows which items fail and by
-- how much. The check's own result stays in check_results (the worst item).
{{ config(materialized='incremental') }}

with items as (
    select * from {{ ref('int_check_items_unioned') }}
    where {{ new_runs() }}
),

checks as (
    select * from {{ ref('stg_raw__rubric_checks') }}
    where {{ new_runs() }}
),

judged as (
    select
        items.run_id,
        items.project_id,
        items.check_id,
        checks.gap,
        checks.title,
        checks.severity,
        items.item,
        items.value,
        checks.direction,
        checks.pass_threshold,
        checks.partial_threshold,
        checks.unit,
        cast(items.detail as varchar) as detail,
        {{ judge_result(
            'items.value', 'checks.direction', 'checks.pass_threshold', 'checks.partial_threshold'
        ) }} as result
    from items
    inner join checks on items.run_id = checks.run_id and items.check_id = checks.check_id
),

final as (
    select
        run_id || ':' || project_id || ':' || check_id || ':' || item as check_item_id,
        *
    from judged
)

select * from final
where {{ new_runs() }}
