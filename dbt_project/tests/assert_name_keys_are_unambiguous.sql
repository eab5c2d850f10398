{#- Spellings that share a name_key are one spelling to the lookups: within a lookup they
    must mean one thing (brand, manufacturer, group, model of a brand, powertrain). Lists
    each key that means two. A check on the brands, the lookups' root (dagster-dbt attaches a
    test of several tables to the one its meta names). -#}
{{ config(meta={'dagster': {'ref': {'name': 'brands'}}}) }}
with spellings as (
    select 'brand' as lookup, '' as scope, brand as spelling, brand as value from {{ ref('brands') }}
    union all
    select 'brand', '', brand_zh, brand from {{ ref('brands') }}
    union all
    select 'brand', '', alias, brand from {{ ref('brand_aliases') }}
    union all
    select 'manufacturer', '', manufacturer, manufacturer from {{ ref('manufacturers') }}
    union all
    select 'manufacturer', '', manufacturer_zh, manufacturer from {{ ref('manufacturers') }}
    union all
    select 'manufacturer', '', alias, manufacturer from {{ ref('manufacturer_aliases') }}
    union all
    select 'group', '', group_name, group_name from {{ ref('brand_groups') }}
    union all
    select 'group', '', alias, group_name from {{ ref('group_aliases') }}
    union all
    select 'model', brand, model, model from {{ ref('model_aliases') }}
    union all
    select 'model', brand, alias, model from {{ ref('model_aliases') }}
    union all
    select 'powertrain', '', alias, powertrain from {{ ref('powertrain_aliases') }}
)

select lookup, scope, {{ name_key('spelling') }} as key, {{ sorted_distinct_list('value') }} as means
from spellings
where spelling is not null
group by all
having count(distinct value) > 1
