{#- A gap's name in plain words ("Stakeholder alignment"), as the readers and docs/rubric.md write it. -#}
{% macro gap_title(gap) -%}
    case {{ gap }}
        when 'data_quality' then 'Data quality'
        when 'integration' then 'Integration'
        when 'stakeholder_alignment' then 'Stakeholder alignment'
        when 'evaluation' then 'Evaluation'
        when 'scale' then 'Scale'
        when 'maintenance' then 'Maintenance'
        else {{ gap }}
    end
{%- endmacro %}
