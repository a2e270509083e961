{#- A measured value judged against a check's thresholds: pass, partial, fail, or no_evidence
    when nothing was measured. `higher_is_better` passes at or above the pass threshold;
    `lower_is_better` mirrors it. One definition, so that a check and its items are judged alike. -#}
{% macro judge_result(value, direction, pass_threshold, partial_threshold) -%}
    case
        when {{ value }} is null then 'no_evidence'
        when {{ direction }} = 'higher_is_better' and {{ value }} >= {{ pass_threshold }}
            then 'pass'
        when {{ direction }} = 'higher_is_better' and {{ value }} >= {{ partial_threshold }}
            then 'partial'
        when {{ direction }} = 'lower_is_better' and {{ value }} <= {{ pass_threshold }}
            then 'pass'
        when {{ direction }} = 'lower_is_better' and {{ value }} <= {{ partial_threshold }}
            then 'partial'
        else 'fail'
    end
{%- endmacro %}
