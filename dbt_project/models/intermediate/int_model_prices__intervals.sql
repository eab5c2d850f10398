{#- Guide-price intervals per trim in business dates, from the restated sales history: a new
    interval starts in the first month a different price is reported. Months without a
    reported price neither end nor start an interval. -#}
with priced as (
    select brand, model, {{ adapter.quote("trim") }}, powertrain, period, msrp_cny
    from {{ ref('int_sales__restated') }}
    where msrp_cny is not null
),

changes as (
    select
        *,
        msrp_cny is distinct from lag(msrp_cny) over trim_history as is_new_price
    from priced
    window trim_history as (
        partition by brand, model, coalesce({{ adapter.quote("trim") }}, ''), coalesce(powertrain, '') order by period
    )
),

{#- An interval is the run of months from one price change to the next: its price is the
    changed-to price, and it starts at the change. -#}
intervals as (
    select brand, model, {{ adapter.quote("trim") }}, powertrain, msrp_cny, period as valid_from
    from changes
    where is_new_price
),

final as (
    select
        brand,
        model,
        {{ adapter.quote("trim") }},
        powertrain,
        msrp_cny,
        valid_from,
        cast(
            lead(valid_from) over trim_intervals - interval 1 day as date
        ) as valid_to,
        lead(valid_from) over trim_intervals is null as is_current,
        concat_ws(
            '|', brand, model, coalesce({{ adapter.quote("trim") }}, ''), coalesce(powertrain, ''),
            cast(valid_from as {{ dbt.type_string() }})
        )
            as price_interval_key
    from intervals
    window trim_intervals as (
        partition by brand, model, coalesce({{ adapter.quote("trim") }}, ''), coalesce(powertrain, '')
        order by valid_from
    )
)

select * from final
