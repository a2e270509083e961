{#- A JSON object as text, from (key, sql expression) pairs: portable across warehouses. -#}
{% macro json_object(pairs) -%}
    {{ return(adapter.dispatch('json_object', 'readiness')(pairs)) }}
{%- endmacro %}

{% macro default__json_object(pairs) -%}
    cast(json_object(
    {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
    {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro postgres__json_object(pairs) -%}
    cast(json_build_object(
    {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
    {%- endfor %}
    ) as text)
{%- endmacro %}
