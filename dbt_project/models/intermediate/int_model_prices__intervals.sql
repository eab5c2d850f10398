{#- Guide-price intervals per trim in business dates, from the restated sales history: a new
    interval starts in the first month a different price is reported. Months without a
    reported price neither end nor start an interval. -#}
with priced as {{ cte_materialized(false) }} (
    select brand, model, {{ adapter.quote("trim") }}, powertrain, period, msrp_cny
    from {{ ref('int_sales__restated') }}
    where msrp_cny is not null
),

{#- The windows run over every priced month of the history (3M rows at 15 years): partitioned
    by a number per trim rather than by its four names, they take half the time. -#}
trims as (
    select
        brand,
        model,
        {{ adapter.quote("trim") }},
        powertrain,
        dense_rank() over (order by brand, model, {{ adapter.quote("trim") }}, powertrain) as trim_id
    from (select distinct brand, model, {{ adapter.quote("trim") }}, powertrain from priced) as names
),

changes as (
    select
        trims.trim_id,
        priced.period,
        priced.msrp_cny,
        priced.msrp_cny is distinct from lag(priced.msrp_cny) over (
            partition by trims.trim_id order by priced.period
        ) as is_new_price
    from priced
    inner join trims
        on priced.brand is not distinct from trims.brand
        and priced.model is not distinct from trims.model
        and priced.{{ adapter.quote("trim") }} is not distinct from trims.{{ adapter.quote("trim") }}
        and priced.powertrain is not distinct from trims.powertrain
),

{#- An interval is the run of months from one price change to the next: its price is the
    changed-to price, and it starts at the change. -#}
intervals as (
    select trim_id, msrp_cny, period as valid_from
    from changes
    where is_new_price
),

final as (
    select
        trims.brand,
        trims.model,
        trims.{{ adapter.quote("trim") }},
        trims.powertrain,
        intervals.msrp_cny,
        intervals.valid_from,
        cast(
            lead(intervals.valid_from) over trim_intervals - interval 1 day as date
        ) as valid_to,
        lead(intervals.valid_from) over trim_intervals is null as is_current,
        concat_ws(
            '|', trims.brand, trims.model, coalesce(trims.{{ adapter.quote("trim") }}, ''),
            coalesce(trims.powertrain, ''), cast(intervals.valid_from as {{ dbt.type_string() }})
        )
            as price_interval_key
    from intervals
    inner join trims on intervals.trim_id = trims.trim_id
    window trim_intervals as (partition by intervals.trim_id order by intervals.valid_from)
)

select * from final
