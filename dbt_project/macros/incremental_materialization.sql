{#-
  An incremental model on DuckDB: a build that adds runs is one insert.

  dbt-duckdb's incremental materialization adds rows through a temporary table: it creates the
  table from the model's SQL, reads the columns of both tables three times (to widen types, to
  compare schemas, to list the insert's columns), inserts from it and drops it: about 90 ms a
  model here, 37 models, most of it dbt's own metadata calls rather than DuckDB's work. This
  project's incremental models only ever append the rows of new runs (macros/new_runs.sql, no
  unique key), and their columns cannot drift from the table between builds: a changed model or
  contract changes the dbt project's fingerprint, which rebuilds every mart whole
  (flows/incremental.py). So when the table exists and the build is not a full refresh, the
  model's SQL is checked against its contract (where it has one) and its rows are inserted by
  column name straight into the table; a column the table lacks is an error, never dropped. Every
  other case (a first build, a full refresh, a unique key or another strategy, a Python model) is
  dbt-duckdb's own materialization.
-#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set strategy = config.get('incremental_strategy') or 'append' -%}
  {%- if existing_relation is none
      or not existing_relation.is_table
      or should_full_refresh()
      or config.get('unique_key')
      or strategy not in ('append', 'default')
      or model['language'] != 'sql' -%}
    {{ return(dbt.materialization_incremental_duckdb()) }}
  {%- endif -%}

  {%- set target_relation = this.incorporate(type='table') -%}
  {%- if config.get('contract').enforced -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif -%}
  {%- set sql_header = config.get('sql_header', none) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ sql_header if sql_header is not none }}
    insert into {{ target_relation }} by name (
      {{ sql }}
    )
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do adapter.commit() %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
