{#- Two JSON objects (as text) merged into one, the keys of the second winning: portable. -#}
{% macro json_merge(left, right) -%}
    {{ return(adapter.dispatch('json_merge', 'readiness')(left, right)) }}
{%- endmacro %}

{% macro default__json_merge(left, right) -%}
    cast(json_merge_patch(cast({{ left }} as json), cast({{ right }} as json)) as varchar)
{%- endmacro %}

{% macro postgres__json_merge(left, right) -%}
    cast(cast({{ left }} as jsonb) || cast({{ right }} as jsonb) as text)
{%- endmacro %}
