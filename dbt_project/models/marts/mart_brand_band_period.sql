{#- One row per reporting label, price band and brand: units, share of the band, change on
    the same label a year earlier, and rank within the band. -#}
with by_period as (
    select * from {{ ref('int_sales__by_period') }}
),

brand_units as (
    select
        period_type,
        period_label,
        prior_label,
        is_complete,
        price_band,
        brand,
        cast(sum(units) as bigint) as units
    from by_period
    group by all
),

ranked as (
    select
        *,
        100.0 * units / nullif(sum(units) over (partition by period_type, period_label, price_band), 0)
            as share_pct,
        dense_rank() over (partition by period_type, period_label, price_band order by units desc)
            as rank
    from brand_units
),

final as (
    select
        ranked.period_type,
        ranked.period_label,
        ranked.price_band,
        ranked.brand,
        ranked.units,
        coalesce(ranked.share_pct, 0.0) as share_pct,
        {{ yoy_pct('ranked', 'prior') }} as yoy_pct,
        ranked.rank
    from ranked
    left join brand_units as prior
        on ranked.period_type = prior.period_type
        and ranked.prior_label = prior.period_label
        and ranked.price_band = prior.price_band
        and ranked.brand = prior.brand
)

select * from final
