with source as (
    select * from {{ source('landing', 'tariffs') }}
),

renamed as (
    select
        drop_date,
        source_file,
        line_number,
        reporter,
        partner,
        hs_code,
        replace(hs_code, '.', '') as hs_digits,
        measure,
        company,
        rate_pct,
        rate_text,
        specific_amount,
        specific_currency,
        specific_unit,
        valid_from,
        valid_to,
        coalesce(valid_until_next, false) as valid_until_next,
        legal_basis,
        source,
        extra as extra_columns
    from source
)

select * from renamed
