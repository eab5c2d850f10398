{#- A measure is identified by lane, kind, company and start date; a later drop that sends it
    again (e.g. with its end date now known) restates it. -#}
with measures as (
    select * from {{ ref('stg_landing__tariff_measures') }}
),

latest as (
    select *
    from measures
    {{ latest_drop_wins(
        ['reporter', 'partner', 'hs_digits', 'measure', "coalesce(company, '')", 'valid_from']
    ) }}
)

select * from latest
