{#- One row per reporting label and price band: the band's units, its share of the whole
    market and its change on the same label a year earlier (e.g. the 500k+ luxury market). -#}
with band_units as (
    {{ units_by_period(['price_band']) }}
),

changed as (
    {{ with_yoy_pct('band_units', ['price_band']) }}
),

final as (
    select
        period_type,
        period_label,
        price_band,
        units,
        coalesce(
            cast(100.0 * units / nullif(sum(units) over (partition by period_type, period_label), 0) as double),
            0.0
        ) as share_of_market_pct,
        yoy_pct
    from changed
)

select * from final
