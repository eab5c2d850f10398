{#- Restated sales rolled up to every reporting label: one row per label, brand, group, model
    and price band; the marts sum it up to their own grain. -#}
with sales as (
    select * from {{ ref('int_sales__restated') }}
),

periods as (
    select * from {{ ref('int_periods__months') }}
),

final as (
    select
        periods.period_type,
        periods.period_label,
        periods.prior_label,
        periods.is_complete,
        sales.brand,
        sales.group_name,
        sales.model,
        sales.price_band,
        cast(sum(sales.units) as bigint) as units
    from sales
    inner join periods on sales.period = periods.month_start
    group by all
)

select * from final
