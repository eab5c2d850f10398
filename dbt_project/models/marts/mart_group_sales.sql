{#- One row per reporting label and manufacturer group: units and change on the same label a
    year earlier. Every unit has a group (`Unassigned` when nothing decides one), so the
    groups of a label add up to the market: the GX suite mart_group_sales blocks otherwise. -#}
with group_units as (
    {{ units_by_period(['group_name']) }}
),

changed as (
    {{ with_yoy_pct('group_units', ['group_name']) }}
),

final as (
    select
        period_type,
        period_label,
        group_name,
        units,
        yoy_pct
    from changed
)

select * from final
