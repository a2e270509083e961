-- Every measured item of every gap in one relation: the judged checks take each check's worst
-- item from it, and the check_items mart judges every item with the same rule.
with data_quality as (
    select * from {{ ref('int_check_items_data_quality') }}
),

integration as (
    select * from {{ ref('int_check_items_integration') }}
),

stakeholder_alignment as (
    select * from {{ ref('int_check_items_stakeholder_alignment') }}
),

evaluation as (
    select * from {{ ref('int_check_items_evaluation') }}
),

scale as (
    select * from {{ ref('int_check_items_scale') }}
),

maintenance as (
    select * from {{ ref('int_check_items_maintenance') }}
),

final as (
    select * from data_quality
    union all
    select * from integration
    union all
    select * from stakeholder_alignment
    union all
    select * from evaluation
    union all
    select * from scale
    union all
    select * from maintenance
)

select * from final
