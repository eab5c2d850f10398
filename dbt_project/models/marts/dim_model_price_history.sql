{#- Slowly changing (type 2) guide prices: one row per trim and price interval, in business
    dates, as the latest snapshot holds them. -#}
with snapshot as (
    select * from {{ ref('snap_model_prices') }}
),

final as (
    select
        brand,
        model,
        {{ adapter.quote("trim") }},
        powertrain,
        msrp_cny,
        valid_from,
        valid_to,
        is_current,
        cast(dbt_valid_from as timestamp) as recorded_at
    from snapshot
    where dbt_valid_to is null
)

select * from final
