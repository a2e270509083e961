{#- round(expression, digits) on every warehouse: PostgreSQL rounds to digits only numerics, and
    the raw tables hold doubles. -#}
{% macro round_to(expression, digits) -%}
    {{ return(adapter.dispatch('round_to', 'readiness')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_to(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}
