{#
    The one rule of the incremental marts: a condition on a model's run id column that keeps only
    the runs its table does not hold yet (every run on a full build). A finished run's raw rows
    never change, so its rows in a per-run mart never do either; flows/incremental.py decides when
    they may have (forget, retention, a run failed after dbt built it, a changed dbt project) and
    then builds with --full-refresh.

    The runs are listed as constants (looked up when the model runs), not as a subquery, so that
    DuckDB pushes the condition down to the raw tables' scans through the models' views. They are
    the runs the last successful build did not see (marts_new_runs, written by flows/dbt.py from
    flows/incremental.py's record): a run that leaves no row in a table (no check changed since
    the previous run, no row refused) is not taken again by every later build. When dbt runs
    without that list (by hand), they are the runs the table holds no row of.

    Use it in the model's final select (or where a CTE reads the runs being built), with the
    model configured as {{ config(materialized='incremental') }}:

        select * from final where {{ new_runs() }}
#}
{% macro new_runs(column='run_id') -%}
    {#- A unit test has no table of its own (this is none): it tests the full build. -#}
    {%- if this is not none and is_incremental() -%}
        {%- set ids = [] -%}
        {%- if execute -%}
            {#- The runs the last build did not see (flows/dbt.py lists them); without that list
                (dbt run by hand), the runs this table holds no row of. -#}
            {%- set listed = adapter.get_relation(
                database=this.database, schema=this.schema, identifier='marts_new_runs'
            ) -%}
            {%- set pending = run_query(
                'select run_id from ' ~ listed ~ ' order by run_id' if listed is not none
                else 'select run_id from ' ~ source('raw', 'raw_runs')
                ~ ' except select run_id from ' ~ this
                ~ ' order by run_id'
            ) -%}
            {%- set ids = pending.columns[0].values() -%}
        {%- endif -%}
        {{ runs_in(column, ids) }}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- A condition keeping the rows of the runs listed (none: no row), the ids as constants. -#}
{% macro runs_in(column, ids) -%}
    {%- if ids | length > 0 -%}
        {{ column }} in (
        {%- for id in ids -%}
            '{{ id | replace("'", "''") }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
        )
    {%- else -%}
        1 = 0
    {%- endif -%}
{%- endmacro %}

{#
    The data tests' side of the same rule: a test of an incremental model checks only the rows of
    the runs this build added (their earlier rows were tested when they were built and have not
    changed since), every row on a full build. dbt_project.yml gives every data test the `where`
    config 'new_runs()'; get_where_subquery (dbt's macro, overridden here) turns it into
    tested_runs() for the model the test is attached to, and drops it (tests the whole relation)
    when that model is not incremental. flows/dbt.py lists the runs an incremental build adds in
    the table marts_new_runs (flows/incremental.py) and drops it after the build: without that
    table (a full refresh, dbt run by hand, the test suite's builds) every row is tested.

    Singular tests (tests/*.sql) call tested_runs() on their incremental inputs themselves.
#}
{% macro tested_runs(column='run_id') -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        1 = 1
    {%- else -%}
        {%- set state = adapter.get_relation(
            database=target.database, schema=target.schema, identifier='marts_new_runs'
        ) -%}
        {%- if state is none -%}
            1 = 1
        {%- else -%}
            {{ runs_in(column, run_query('select run_id from ' ~ state ~ ' order by run_id').columns[0].values()) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where | trim == 'new_runs()' -%}
        {%- set attached = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
        {%- if attached is not none and attached.config.materialized == 'incremental' -%}
            {%- set where = tested_runs() -%}
        {%- else -%}
            {%- set where = '' -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
