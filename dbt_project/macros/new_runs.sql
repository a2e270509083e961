{#
    The one rule of the incremental marts: a condition on a model's run id column that keeps only
    the runs its table does not hold yet (every run on a full build). A finished run's raw rows
    never change, so its rows in a per-run mart never do either; flows/incremental.py decides when
    they may have (forget, retention, a run failed after dbt built it, a changed dbt project) and
    then builds with --full-refresh.

    The runs are listed as constants (looked up when the model runs), not as a subquery, so that
    DuckDB pushes the condition down to the raw tables' scans through the models' views.

    Use it in the model's final select (or where a CTE reads the runs being built), with the
    model configured as {{ config(materialized='incremental') }}:

        select * from final where {{ new_runs() }}
#}
{% macro new_runs(column='run_id') -%}
    {#- A unit test has no table of its own (this is none): it tests the full build. -#}
    {%- if this is not none and is_incremental() -%}
        {%- set ids = [] -%}
        {%- if execute -%}
            {%- set pending = run_query(
                'select run_id from ' ~ source('raw', 'raw_runs')
                ~ ' except select run_id from ' ~ this
                ~ ' order by run_id'
            ) -%}
            {%- set ids = pending.columns[0].values() -%}
        {%- endif -%}
        {%- if ids | length > 0 -%}
            {{ column }} in (
            {%- for id in ids -%}
                '{{ id | replace("'", "''") }}'{{ ', ' if not loop.last }}
            {%- endfor -%}
            )
        {%- else -%}
            1 = 0
        {%- endif -%}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
