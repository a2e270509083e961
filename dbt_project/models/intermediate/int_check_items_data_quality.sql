-- Data quality measurements as check items: one value per field, dataset or rule; the check
-- keeps the worst item. Only readable datasets count (an unreadable one has no evidence, and
-- int_evidence_unreadable says why).
with datasets as (
    select * from {{ ref('stg_raw__dataset_profiles') }}
    where readable
),

fields as (
    select fields.*
    from {{ ref('int_field_rates') }} as fields
    inner join datasets
        on
            fields.run_id = datasets.run_id
            and fields.project_id = datasets.project_id
            and fields.dataset = datasets.dataset
),

rules as (
    select * from {{ ref('stg_raw__dataset_rules') }}
),

drift as (
    select * from {{ ref('stg_raw__poc_drift') }}
),

completeness as (
    select
        run_id,
        project_id,
        'dq_completeness' as check_id,
        dataset || '.' || field as item,
        1.0 - missing_rate as value,
        {{ json_object([
            ('rows', 'row_count'),
            ('nulls', 'null_count'),
            ('empty', 'empty_count'),
        ]) }} as detail
    from fields
    where required and present and row_count > 0
),

validity as (
    select
        run_id,
        project_id,
        'dq_validity' as check_id,
        dataset || '.' || field as item,
        1.0 - invalid_rate as value,
        {{ json_object([
            ('rows', 'row_count'),
            ('type_failures', 'type_failures'),
            ('not_allowed', 'not_allowed'),
            ('out_of_range', 'out_of_range'),
            ('pattern_failures', 'pattern_failures'),
            ('examples', 'examples'),
        ]) }} as detail
    from fields
    where present and row_count > 0
),

uniqueness as (
    select
        run_id,
        project_id,
        'dq_uniqueness' as check_id,
        dataset as item,
        duplicate_key_rows * 1.0 / row_count as value,
        {{ json_object([
            ('key', 'key_columns'),
            ('duplicate_key_rows', 'duplicate_key_rows'),
            ('rows', 'row_count'),
            ('examples', 'examples'),
        ]) }} as detail
    from datasets
    where duplicate_key_rows is not null and row_count > 0
),

freshness as (
    select
        run_id,
        project_id,
        'dq_freshness' as check_id,
        dataset as item,
        age_seconds / max_age_seconds as value,
        {{ json_object([
            ('timestamp_column', 'timestamp_column'),
            ('newest', 'cast(newest_timestamp as varchar)'),
            ('age_hours', round_to('age_seconds / 3600.0', 1)),
            ('max_age_hours', round_to('max_age_seconds / 3600.0', 1)),
            ('stale_rows', 'stale_rows'),
            ('rows', 'row_count'),
        ]) }} as detail
    from datasets
    where max_age_seconds is not null and age_seconds is not null
),

stale_records as (
    select
        run_id,
        project_id,
        'dq_stale_records' as check_id,
        dataset as item,
        stale_rows * 1.0 / row_count as value,
        {{ json_object([
            ('timestamp_column', 'timestamp_column'),
            ('max_age_hours', round_to('max_age_seconds / 3600.0', 1)),
            ('stale_rows', 'stale_rows'),
            ('rows', 'row_count'),
        ]) }} as detail
    from datasets
    where stale_rows is not null and row_count > 0
),

consistency as (
    select
        run_id,
        project_id,
        'dq_consistency' as check_id,
        dataset || ': ' || rule as item,
        violations * 1.0 / rows_checked as value,
        {{ json_object([
            ('kind', 'kind'),
            ('violations', 'violations'),
            ('rows_checked', 'rows_checked'),
            ('examples', 'examples'),
        ]) }} as detail
    from rules
    where rows_checked > 0
),

field_states as (
    -- A field is retyped when it is there under its name but most of its values no longer have
    -- the declared type (a text column where a number is expected, say): the model cannot use it
    -- without a change, which is schema drift, not a few invalid values.
    select
        run_id,
        project_id,
        dataset,
        field,
        present,
        found_as,
        coalesce(
            present
            and row_count > coalesce(null_count, 0)
            and coalesce(type_failures, 0) * 2 > row_count - coalesce(null_count, 0),
            false
        ) as retyped,
        case
            when not present then field || ' (missing)'
            when
                coalesce(type_failures, 0) * 2 > row_count - coalesce(null_count, 0)
                and row_count > coalesce(null_count, 0)
                then
                    field || ' (retyped: declared ' || declared_type || ', found '
                    || coalesce(observed_type, '?') || ')'
            when found_as <> field then field || ' (renamed to ' || found_as || ')'
        end as problem
    from fields
    where required
),

schema_per_dataset as (
    select
        run_id,
        project_id,
        dataset,
        count(*) as required_fields,
        sum(
            case
                when present and not retyped and (found_as is null or found_as = field) then 1
                else 0
            end
        ) as found_fields,
        string_agg(problem, ', ' order by field) as problems
    from field_states
    group by run_id, project_id, dataset
),

schema_drift as (
    select
        run_id,
        project_id,
        'dq_schema' as check_id,
        dataset as item,
        found_fields * 1.0 / required_fields as value,
        {{ json_object([
            ('required_fields', 'required_fields'),
            ('found_fields', 'found_fields'),
            ('problems', 'problems'),
        ]) }} as detail
    from schema_per_dataset
),

poc_drift as (
    select
        run_id,
        project_id,
        'dq_poc_drift' as check_id,
        dataset || '.' || field as item,
        psi as value,
        {{ json_object([
            ('psi', round_to('psi', 4)),
            ('poc_null_rate', 'poc_null_rate'),
            ('prod_null_rate', 'prod_null_rate'),
            ('unseen_categories', 'unseen_categories'),
            ('unseen_examples', 'unseen_examples'),
        ]) }} as detail
    from drift
    where psi is not null
),

poc_null_rate as (
    -- Production's null rate minus the POC's: a field fuller in production (below zero) passes.
    select
        run_id,
        project_id,
        'dq_poc_null_rate' as check_id,
        dataset || '.' || field as item,
        prod_null_rate - poc_null_rate as value,
        {{ json_object([
            ('poc_null_rate', round_to('poc_null_rate', 4)),
            ('prod_null_rate', round_to('prod_null_rate', 4)),
        ]) }} as detail
    from drift
    where poc_null_rate is not null and prod_null_rate is not null
),

poc_unseen_categories as (
    select
        run_id,
        project_id,
        'dq_poc_unseen_categories' as check_id,
        dataset || '.' || field as item,
        unseen_categories * 1.0 as value,
        {{ json_object([
            ('unseen_categories', 'unseen_categories'),
            ('unseen_examples', 'unseen_examples'),
        ]) }} as detail
    from drift
    where unseen_categories is not null
),

final as (
    select * from completeness
    union all
    select * from validity
    union all
    select * from uniqueness
    union all
    select * from freshness
    union all
    select * from stale_records
    union all
    select * from consistency
    union all
    select * from schema_drift
    union all
    select * from poc_drift
    union all
    select * from poc_null_rate
    union all
    select * from poc_unseen_categories
)

select * from final
