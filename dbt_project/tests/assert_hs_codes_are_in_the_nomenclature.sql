{#- Every tariff line's HS heading (4 digits) and, where given, subheading (6 digits) exists in
    the HS 2022 nomenclature. National lines beyond 6 digits are not in the seed. A check on
    the tariff lines (dagster-dbt attaches a test of two tables to the one its meta names). -#}
{{ config(meta={'dagster': {'ref': {'name': 'stg_landing__tariff_measures'}}}) }}
with measures as (
    select * from {{ ref('stg_landing__tariff_measures') }}
),

nomenclature as (
    select hscode from {{ ref('hs2022_nomenclature') }}
)

select measures.source_file, measures.line_number, measures.hs_code
from measures
where
    left(measures.hs_digits, 4) not in (select hscode from nomenclature)
    or (
        length(measures.hs_digits) >= 6
        and left(measures.hs_digits, 6) not in (select hscode from nomenclature)
    )
