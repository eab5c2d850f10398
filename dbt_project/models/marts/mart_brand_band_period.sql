{#- One row per reporting label, price band and brand: units, share of the band, change on
    the same label a year earlier, and rank within the band. -#}
with brand_units as (
    {{ units_by_period(['price_band', 'brand']) }}
),

changed as (
    {{ with_yoy_pct('brand_units', ['price_band', 'brand']) }}
),

final as (
    select
        period_type,
        period_label,
        price_band,
        brand,
        units,
        coalesce(
            cast(100.0 * units / nullif(
                sum(units) over (partition by period_type, period_label, price_band), 0
            ) as double),
            0.0
        ) as share_pct,
        yoy_pct,
        cast(dense_rank() over (
            partition by period_type, period_label, price_band order by units desc
        ) as bigint) as rank
    from changed
)

select * from final
