{#- One row per reporting label and manufacturer group: units and change on the same label a
    year earlier. Rows with no known group are left out. -#}
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
    where group_name is not null
)

select * from final
