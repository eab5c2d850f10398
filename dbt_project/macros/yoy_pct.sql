{#- Percent change on the same label a year earlier. Null unless both labels are complete
    (every month reported): a part-year against a whole year is not a change. -#}
{% macro yoy_pct(current, prior) -%}
    case
        when {{ current }}.is_complete and {{ prior }}.is_complete and {{ prior }}.units > 0
            then round(cast(100.0 * ({{ current }}.units - {{ prior }}.units) / {{ prior }}.units as double), 2)
    end
{%- endmacro %}
