{#- One row per reporting label and price band: the band's units, its share of the whole
    market and its change on the same label a year earlier (e.g. the 500k+ luxury market). -#}
with by_period as (
    select * from {{ ref('int_sales__by_period') }}
),

band_units as (
    select
        period_type,
        period_label,
        prior_label,
        is_complete,
        price_band,
        cast(sum(units) as bigint) as units
    from by_period
    group by all
),

final as (
    select
        current_period.period_type,
        current_period.period_label,
        current_period.price_band,
        current_period.units,
        coalesce(
            100.0 * current_period.units / nullif(
                sum(current_period.units) over (
                    partition by current_period.period_type, current_period.period_label
                ),
                0
            ),
            0.0
        ) as share_of_market_pct,
        {{ yoy_pct('current_period', 'prior') }} as yoy_pct
    from band_units as current_period
    left join band_units as prior
        on current_period.period_type = prior.period_type
        and current_period.prior_label = prior.period_label
        and current_period.price_band = prior.price_band
)

select * from final
