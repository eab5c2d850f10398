{#- Names as sources spell them -> canonical brand, group, model and powertrain, for every
    drop. Unknown brands and powertrains are kept as sent and flagged, never dropped; every
    row gets a group (`Unassigned` when nothing decides one).
    Names are matched on their DISTINCT values (a few thousand, whatever the rows) and the
    rows join the result back. The seeds and the order of the rules are in docs/design.md
    ("Names"). Incremental by drop: a run adds the drops that are new or whose files or name
    seeds changed (the pre-hook first removes the rows of the changed ones). -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_drops() }}",
    **incremental_by('drop_date', 'append')
) }}

with fingerprints as (
    {{ sales_drop_fingerprints() }}
),

{#- Not materialised: the lookups read a few columns of it each, and DuckDB would otherwise
    copy every drop's rows once to share them (see int_sales__restated). -#}
sales as {{ cte_materialized(false) }} (
    select * from {{ ref('stg_landing__sales') }}
    {% if is_incremental() -%}
    {{ drops_to_canonicalise() }}
    {%- endif %}
),

manufacturers as (
    select * from {{ ref('manufacturers') }}
),

brand_groups as (
    select * from {{ ref('brand_groups') }}
),

brand_keys as (
    {% call name_keys() -%}
        select brand as spelling, brand as value, 1 as priority from {{ ref('brands') }}
        union all
        select brand_zh, brand, 2 from {{ ref('brands') }}
        union all
        select alias, brand, 3 from {{ ref('brand_aliases') }}
    {%- endcall %}
),

manufacturer_keys as (
    {% call name_keys() -%}
        select manufacturer as spelling, manufacturer as value, 1 as priority
        from {{ ref('manufacturers') }}
        union all
        select manufacturer_zh, manufacturer, 2 from {{ ref('manufacturers') }}
        union all
        select alias, manufacturer, 3 from {{ ref('manufacturer_aliases') }}
    {%- endcall %}
),

group_keys as (
    {% call name_keys() -%}
        select distinct group_name as spelling, group_name as value, 1 as priority
        from brand_groups
        union all
        select alias, group_name, 2 from {{ ref('group_aliases') }}
    {%- endcall %}
),

model_keys as (
    select
        brand,
        {{ name_key('spelling') }} as key,
        {{ first_by('model', ['priority', 'model']) }} as model
    from (
        select brand, model as spelling, model, 1 as priority from {{ ref('model_aliases') }}
        union all
        select brand, alias, model, 2 from {{ ref('model_aliases') }}
    ) as spellings
    group by all
),

powertrain_keys as (
    {% call name_keys() -%}
        select alias as spelling, powertrain as value, 1 as priority
        from {{ ref('powertrain_aliases') }}
    {%- endcall %}
),

{#- The brand column: a brand, else a manufacturer (its sole brand, else its own name as the
    brand, with its group), else a group (rankings that list 上汽集团: the group's name as the
    brand, with that group), else the name as sent. -#}
brand_names as (
    select distinct brand as name from sales
),

brand_matches as (
    {{ best_name_match('brand_names', 'brand_keys') }}
),

brand_manufacturer_matches as (
    {{ best_name_match('brand_names', 'manufacturer_keys') }}
),

brand_group_matches as (
    {{ best_name_match('brand_names', 'group_keys') }}
),

brands_resolved as (
    select
        brand_names.name as brand_as_sent,
        coalesce(
            brand_matches.value,
            manufacturers.sole_brand,
            manufacturers.manufacturer,
            brand_group_matches.value,
            trim(brand_names.name)
        ) as brand,
        coalesce(brand_matches.value, manufacturers.sole_brand) is not null as is_canonical_brand,
        coalesce(manufacturers.group_name, brand_group_matches.value) as brand_column_group,
        coalesce(brand_matches.value, manufacturers.manufacturer, brand_group_matches.value)
            is not null as is_known_brand
    from brand_names
    left join brand_matches on brand_names.name = brand_matches.name
    left join brand_manufacturer_matches
        on brand_names.name = brand_manufacturer_matches.name
        and brand_matches.value is null
    left join manufacturers on brand_manufacturer_matches.value = manufacturers.manufacturer
    left join brand_group_matches
        on brand_names.name = brand_group_matches.name
        and brand_matches.value is null
        and manufacturers.manufacturer is null
),

{#- The group column: a group, else a manufacturer's group. -#}
group_names as (
    select distinct group_name as name from sales where group_name is not null
),

group_matches as (
    {{ best_name_match('group_names', 'group_keys') }}
),

group_manufacturer_matches as (
    {{ best_name_match('group_names', 'manufacturer_keys') }}
),

groups_resolved as (
    select
        group_names.name as group_as_sent,
        coalesce(group_matches.value, manufacturers.group_name) as group_name
    from group_names
    left join group_matches on group_names.name = group_matches.name
    left join group_manufacturer_matches
        on group_names.name = group_manufacturer_matches.name
        and group_matches.value is null
    left join manufacturers on group_manufacturer_matches.value = manufacturers.manufacturer
),

{#- A row's group: its brand's owner on the first day of the row's month, else what its brand column (as a
    manufacturer) or group column says, else Unassigned. -#}
names_by_month as (
    select distinct brand as brand_as_sent, group_name as group_as_sent, period from sales
),

names_resolved as (
    select
        names_by_month.brand_as_sent,
        names_by_month.group_as_sent,
        names_by_month.period,
        brands_resolved.brand,
        brands_resolved.is_known_brand,
        coalesce(
            brand_groups.group_name,
            brands_resolved.brand_column_group,
            groups_resolved.group_name,
            'Unassigned'
        ) as group_name
    from names_by_month
    inner join brands_resolved on names_by_month.brand_as_sent = brands_resolved.brand_as_sent
    left join brand_groups
        on brands_resolved.brand = brand_groups.brand
        and brands_resolved.is_canonical_brand
        and names_by_month.period >= coalesce(brand_groups.valid_from, date '0001-01-01')
        and names_by_month.period <= coalesce(brand_groups.valid_to, date '9999-12-31')
    left join groups_resolved on names_by_month.group_as_sent = groups_resolved.group_as_sent
),

{#- Chinese sources prefix the model with the brand's Chinese name (问界M9): strip the longest
    such spelling of the row's own brand. Latin names are left alone: in "SERES 3" the brand
    is part of the model's name. Then a Chinese model name becomes its Latin one (汉 -> Han)
    through model_aliases. -#}
brand_prefixes as (
    select lower(trim(brand_zh)) as prefix, brand from {{ ref('brands') }}
    where brand_zh is not null
    union
    select lower(trim(alias)), brand from {{ ref('brand_aliases') }}
),

model_names as (
    select distinct sales.brand as brand_as_sent, sales.model as model_as_sent, brands_resolved.brand
    from sales
    inner join brands_resolved on sales.brand = brands_resolved.brand_as_sent
),

model_prefixes as (
    select
        model_names.brand_as_sent,
        model_names.model_as_sent,
        max_by(brand_prefixes.prefix, length(brand_prefixes.prefix)) as prefix
    from model_names
    inner join brand_prefixes
        on model_names.brand = brand_prefixes.brand
        and left(lower(model_names.model_as_sent), length(brand_prefixes.prefix)) = brand_prefixes.prefix
        and length(model_names.model_as_sent) > length(brand_prefixes.prefix)
        and {{ regexp_contains('brand_prefixes.prefix', '[^\\x00-\\x7F]') }}
    group by all
),

models_stripped as (
    select
        model_names.*,
        coalesce(
            nullif({{ regexp_replace_all(
                'substr(model_names.model_as_sent, length(model_prefixes.prefix) + 1)', '^[ _-]+|[ _-]+$', ''
            ) }}, ''),
            model_names.model_as_sent
        ) as model_stripped
    from model_names
    left join model_prefixes
        on model_names.brand_as_sent = model_prefixes.brand_as_sent
        and model_names.model_as_sent = model_prefixes.model_as_sent
),

models_resolved as (
    select
        models_stripped.brand_as_sent,
        models_stripped.model_as_sent,
        coalesce(model_keys.model, models_stripped.model_stripped) as model
    from models_stripped
    left join model_keys
        on models_stripped.brand = model_keys.brand
        and {{ name_key('models_stripped.model_stripped') }} = model_keys.key
),

powertrains_resolved as (
    select powertrain_names.name as powertrain_as_sent, powertrain_keys.value as powertrain
    from (select distinct powertrain as name from sales where powertrain is not null) as powertrain_names
    left join powertrain_keys on {{ name_key('powertrain_names.name') }} = powertrain_keys.key
),

final as (
    select
        sales.drop_date,
        sales.source_file,
        sales.line_number,
        sales.period,
        names_resolved.brand,
        names_resolved.group_name,
        models_resolved.model,
        sales.{{ adapter.quote("trim") }},
        coalesce(powertrains_resolved.powertrain, sales.powertrain) as powertrain,
        sales.msrp_cny,
        sales.units,
        sales.origin,
        sales.source,
        sales.price_band,
        names_resolved.is_known_brand,
        sales.powertrain is null or powertrains_resolved.powertrain is not null as is_known_powertrain,
        sales.brand as brand_as_sent,
        sales.group_name as group_as_sent,
        sales.model as model_as_sent,
        fingerprints.drop_fingerprint,
        {{ build_stamp() }} as canonicalised_at
    from sales
    inner join names_resolved
        on sales.brand = names_resolved.brand_as_sent
        and sales.group_name is not distinct from names_resolved.group_as_sent
        and sales.period = names_resolved.period
    inner join models_resolved
        on sales.brand = models_resolved.brand_as_sent
        and sales.model = models_resolved.model_as_sent
    left join powertrains_resolved on sales.powertrain = powertrains_resolved.powertrain_as_sent
    left join fingerprints on sales.drop_date = fingerprints.drop_date
)

select * from final
