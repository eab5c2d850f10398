with source as (
    select * from {{ source('landing', 'sales') }}
),

price_bands as (
    select * from {{ ref('price_bands') }}
),

renamed as (
    select
        source.drop_date,
        source.source_file,
        source.line_number,
        source.period,
        {{ trimmed_text('source.brand') }} as brand,
        {{ trimmed_text('source.' ~ adapter.quote("group")) }} as group_name,
        {{ trimmed_text('source.model') }} as model,
        {{ trimmed_text('source.' ~ adapter.quote("trim")) }} as {{ adapter.quote("trim") }},
        {{ trimmed_text('source.powertrain') }} as powertrain,
        source.msrp_cny,
        source.units,
        {{ trimmed_code('source.origin') }} as origin,
        {{ trimmed_text('source.source') }} as source,
        price_bands.price_band,
        source.extra as extra_columns
    from source
    -- The contract's band of the guide price; a missing price falls in the band without bounds.
    left join price_bands
        on (source.msrp_cny is null and price_bands.min_msrp_cny is null)
        or (
            source.msrp_cny >= price_bands.min_msrp_cny
            and (source.msrp_cny < price_bands.max_msrp_cny or price_bands.max_msrp_cny is null)
        )
)

select * from renamed
