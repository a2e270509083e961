{#- Values of a column lie within [low, high] (nulls allowed). -#}
{% test score_between(model, column_name, low, high) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ low }} or {{ column_name }} > {{ high }}
{% endtest %}
