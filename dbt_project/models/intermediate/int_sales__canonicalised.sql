{#- Names as sources spell them -> canonical brand, group, model and powertrain, for every
    drop. Unknown brands and powertrains are kept as sent and flagged, never dropped.
    Incremental by drop: a run adds the drops that are new or whose files or alias seeds
    changed (the pre-hook first removes the rows of the changed ones). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_drops() }}",
) }}

with fingerprints as (
    {{ sales_drop_fingerprints() }}
),

sales as (
    select * from {{ ref('stg_landing__sales') }}
    {% if is_incremental() -%}
    where drop_date not in (select distinct drop_date from {{ this }})
    {%- endif %}
),

brands as (
    select * from {{ ref('brands') }}
),

brand_spellings as (
    select lower(trim(alias)) as spelling, brand from {{ ref('brand_aliases') }}
    union
    select lower(brand) as spelling, brand from brands
),

group_spellings as (
    select lower(trim(alias)) as spelling, group_name from {{ ref('group_aliases') }}
    union
    select lower(group_name) as spelling, group_name from brands
),

powertrain_spellings as (
    select lower(trim(alias)) as spelling, powertrain from {{ ref('powertrain_aliases') }}
),

named as (
    select
        sales.*,
        coalesce(brand_spellings.brand, trim(sales.brand)) as brand_canonical,
        brand_spellings.brand is not null as is_known_brand,
        powertrain_spellings.powertrain as powertrain_canonical
    from sales
    left join brand_spellings on lower(trim(sales.brand)) = brand_spellings.spelling
    left join powertrain_spellings on lower(trim(sales.powertrain)) = powertrain_spellings.spelling
),

{#- Chinese sources prefix the model with the brand's Chinese name (问界M9): strip the longest
    such spelling of the row's own brand. Latin names are left alone: in "SERES 3" the brand
    is part of the model's name. -#}
model_prefixes as (
    select
        named.drop_date,
        named.source_file,
        named.line_number,
        max_by(brand_spellings.spelling, length(brand_spellings.spelling)) as prefix
    from named
    inner join brand_spellings
        on named.brand_canonical = brand_spellings.brand
        and starts_with(lower(named.model), brand_spellings.spelling)
        and length(named.model) > length(brand_spellings.spelling)
        and regexp_matches(brand_spellings.spelling, '[^\x00-\x7F]')
    group by all
),

final as (
    select
        named.drop_date,
        named.source_file,
        named.line_number,
        named.period,
        named.brand_canonical as brand,
        coalesce(brands.group_name, group_spellings.group_name, trim(named.group_name)) as group_name,
        coalesce(
            nullif(trim(substr(named.model, length(model_prefixes.prefix) + 1), ' -_'), ''),
            named.model
        ) as model,
        named."trim",
        coalesce(named.powertrain_canonical, named.powertrain) as powertrain,
        named.msrp_cny,
        named.units,
        named.origin,
        named.source,
        named.price_band,
        named.is_known_brand,
        named.powertrain is null or named.powertrain_canonical is not null as is_known_powertrain,
        named.brand as brand_as_sent,
        named.model as model_as_sent,
        fingerprints.drop_fingerprint,
        {{ build_stamp() }} as canonicalised_at
    from named
    left join fingerprints on named.drop_date = fingerprints.drop_date
    left join brands on named.brand_canonical = brands.brand
    left join group_spellings on lower(trim(named.group_name)) = group_spellings.spelling
    left join model_prefixes
        on named.drop_date = model_prefixes.drop_date
        and named.source_file = model_prefixes.source_file
        and named.line_number = model_prefixes.line_number
)

select * from final
