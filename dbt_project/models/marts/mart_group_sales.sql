{#- One row per reporting label and manufacturer group: units and change on the same label a
    year earlier. -#}
with by_period as (
    select * from {{ ref('int_sales__by_period') }}
),

group_units as (
    select
        period_type,
        period_label,
        prior_label,
        is_complete,
        group_name,
        cast(sum(units) as bigint) as units
    from by_period
    where group_name is not null
    group by all
),

final as (
    select
        current_period.period_type,
        current_period.period_label,
        current_period.group_name,
        current_period.units,
        {{ yoy_pct('current_period', 'prior') }} as yoy_pct
    from group_units as current_period
    left join group_units as prior
        on current_period.period_type = prior.period_type
        and current_period.prior_label = prior.period_label
        and current_period.group_name = prior.group_name
)

select * from final
