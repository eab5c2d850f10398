with source as (
    select * from {{ source('landing', 'sales') }}
),

renamed as (
    select
        drop_date,
        source_file,
        line_number,
        period,
        brand,
        {{ adapter.quote("group") }} as group_name,
        model,
        {{ adapter.quote("trim") }},
        powertrain,
        msrp_cny,
        units,
        origin,
        source,
        {{ price_band('msrp_cny') }} as price_band,
        extra as extra_columns
    from source
)

select * from renamed
