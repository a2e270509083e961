{#- A comma-joined text as a list of texts (an empty text: an empty list): portable. -#}
{% macro text_list(joined) -%}
    {{ return(adapter.dispatch('text_list', 'readiness')(joined)) }}
{%- endmacro %}

{% macro default__text_list(joined) -%}
    case when {{ joined }} = '' then []::varchar [] else string_split({{ joined }}, ',') end
{%- endmacro %}

{% macro postgres__text_list(joined) -%}
    case when {{ joined }} = '' then array[]::varchar [] else string_to_array({{ joined }}, ',') end
{%- endmacro %}
