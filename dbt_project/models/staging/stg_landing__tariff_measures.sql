{#- The rate columns of issue 12 (specific duties, the rate as sent, valid_until_next) come
    from the ingest of the new formats; on raw files written before it they are null/false. -#}
with source as (
    select * from {{ source('landing', 'tariffs') }}
),

renamed as (
    select
        drop_date,
        source_file,
        line_number,
        {{ trimmed_code('reporter') }} as reporter,
        {{ trimmed_code('partner') }} as partner,
        hs_code,
        replace(hs_code, '.', '') as hs_digits,
        measure,
        {{ trimmed_text('company') }} as company,
        rate_pct,
        valid_from,
        valid_to,
        {{ trimmed_text('legal_basis') }} as legal_basis,
        {{ trimmed_text('source') }} as source,
        extra as extra_columns,
        {{ columns_or_defaults(source('landing', 'tariffs'), {
            'specific_amount': 'cast(null as double)',
            'specific_currency': 'cast(null as ' ~ dbt.type_string() ~ ')',
            'specific_unit': 'cast(null as ' ~ dbt.type_string() ~ ')',
            'rate_text': 'cast(null as ' ~ dbt.type_string() ~ ')',
            'valid_until_next': 'false',
        }) }}
    from source
)

select
    drop_date,
    source_file,
    line_number,
    reporter,
    partner,
    hs_code,
    hs_digits,
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
    extra_columns
from renamed
