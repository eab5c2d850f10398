{#- A measure is identified by lane, kind, company and start date; a later drop that sends it
    again (e.g. with its end date now known) restates it. -#}
with measures as (
    select * from {{ ref('stg_landing__tariff_measures') }}
),

latest as (
    select *
    from measures
    qualify row_number() over (
        partition by reporter, partner, hs_digits, measure, coalesce(company, ''), valid_from
        order by drop_date desc, source_file desc, line_number desc
    ) = 1
)

select * from latest
