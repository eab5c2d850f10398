{#- Model leaders: one row per reporting label, brand and model, with units, the change on the
    same label a year earlier and the model's rank in the whole market. -#}
with sales as (
    select * from {{ ref('int_sales__restated') }}
),

periods as (
    select * from {{ ref('int_periods__months') }}
),

model_units as (
    select
        periods.period_type,
        periods.period_label,
        periods.prior_label,
        periods.is_complete,
        sales.brand,
        sales.model,
        cast(sum(sales.units) as bigint) as units
    from sales
    inner join periods on sales.period = periods.month_start
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
