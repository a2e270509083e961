{#- A figure aggregated from floats (sum, avg, stddev of doubles), rounded to the product's one
    precision, 10 decimals. DuckDB aggregates in parallel, and a float sum's last digits depend on
    the order the rows meet (thread count, task runner, the order a run appended its raw rows):
    rounded here, every metric, score and evidence value is the same whenever the inputs are.
    Every model that aggregates floats uses this macro; docs/architecture.md (Deterministic
    figures). -#}
{% macro figure(expression) -%}
    {{ round_to(expression, 10) }}
{%- endmacro %}
