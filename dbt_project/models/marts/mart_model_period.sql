{#- Model leaders: one row per reporting label, brand and model, with units, the change on the
    same label a year earlier and the model's rank in the whole market. -#}
with by_period as (
    select * from {{ ref('int_sales__by_period') }}
),

model_units as (
    select
        period_type,
        period_label,
        prior_label,
        is_complete,
        brand,
        model,
        cast(sum(units) as bigint) as units
    from by_period
    group by all
),

final as (
    select
        current_period.period_type,
        current_period.period_label,
        current_period.brand,
        current_period.model,
        current_period.units,
        {{ yoy_pct('current_period', 'prior') }} as yoy_pct,
        dense_rank() over (
            partition by current_period.period_type, current_period.period_label
            order by current_period.units desc
        ) as rank
    from model_units as current_period
    left join model_units as prior
        on current_period.period_type = prior.period_type
        and current_period.prior_label = prior.period_label
        and current_period.brand = prior.brand
        and current_period.model = prior.model
)

select * from final
