{#- The marts' shared roll-up: restated units per reporting label and `keys` (with what the
    year-on-year change needs), and that change joined on from the same label a year earlier;
    with `labels` (a relation with a period_label column), for those labels only.
    Used as CTE bodies:

        with units as ({{ units_by_period(['group_name']) }}),
        changed as ({{ with_yoy_pct('units', ['group_name']) }})
-#}
{% macro units_by_period(keys, labels=none) -%}
    select
        period_type,
        period_label,
        prior_label,
        is_complete,
        {% for key in keys %}{{ key }},{% endfor %}
        cast(sum(units) as bigint) as units
    from {{ ref('int_sales__by_period') }}
    {% if labels %}where period_label in (select period_label from {{ labels }}){% endif %}
    group by all
{%- endmacro %}

{% macro with_yoy_pct(relation, keys) -%}
    select
        current_period.*,
        {{ yoy_pct('current_period', 'prior') }} as yoy_pct
    from {{ relation }} as current_period
    left join {{ relation }} as prior
        on current_period.period_type = prior.period_type
        and current_period.prior_label = prior.period_label
        {% for key in keys %}and current_period.{{ key }} = prior.{{ key }}
        {% endfor %}
{%- endmacro %}
