{#- The history of restatements: one row per month and trim that a later drop revised, per
    revision, with the units before and after. -#}
with sales as (
    select * from {{ ref('int_sales__canonicalised') }}
),

versions as (
    select
        period,
        brand,
        model,
        "trim",
        drop_date,
        units,
        msrp_cny,
        lag(drop_date) over trim_month as previous_drop_date,
        lag(units) over trim_month as previous_units,
        lag(msrp_cny) over trim_month as previous_msrp_cny
    from sales
    window trim_month as (
        partition by period, brand, model, coalesce("trim", '')
        order by drop_date, source_file, line_number
    )
),

final as (
    select
        strftime(period, '%Y-%m') as period_label,
        brand,
        model,
        "trim",
        previous_drop_date,
        drop_date as restated_on,
        previous_units,
        units,
        units - previous_units as units_change,
        previous_msrp_cny,
        msrp_cny
    from versions
    where previous_drop_date is not null
)

select * from final
