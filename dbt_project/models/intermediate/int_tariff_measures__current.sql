{#- A measure is identified by lane, kind, company and start date; a later drop that sends it
    again (e.g. with its end date now known) restates it. A row sent as valid until the next
    one (a dated series such as a tariff tracker) ends the day before the next dated row of
    the same lane, kind and company, and stays open when it is the last. -#}
with measures as (
    select * from {{ ref('stg_landing__tariff_measures') }}
),

latest as (
    select *
    from measures
    {{ latest_drop_wins(
        ['reporter', 'partner', 'hs_digits', 'measure', "coalesce(company, '')", 'valid_from']
    ) }}
),

dated as (
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
        case
            when valid_until_next and valid_to is null
                then cast(
                    lead(valid_from) over (
                        partition by reporter, partner, hs_digits, measure, coalesce(company, '')
                        order by valid_from
                    ) - interval 1 day as date
                )
            else valid_to
        end as valid_to,
        valid_until_next,
        legal_basis,
        source,
        extra_columns
    from latest
)

select * from dated
