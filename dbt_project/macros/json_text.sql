{#- The text at a path of keys in a JSON document held as text (null when absent): portable. -#}
{% macro json_text(document, keys) -%}
    {{ return(adapter.dispatch('json_text', 'readiness')(document, keys)) }}
{%- endmacro %}

{% macro default__json_text(document, keys) -%}
    json_extract_string(cast({{ document }} as json), '$.{{ keys | join(".") }}')
{%- endmacro %}

{% macro postgres__json_text(document, keys) -%}
    (cast({{ document }} as json) #>> '{ {{- keys | join(",") -}} }')
{%- endmacro %}
