{#- Sources revise figures: for each month and trim (brand, model, trim, powertrain) the row
    from the latest drop wins (within one drop, the last file in name order, then the last
    line). Earlier versions stay in staging and in mart_sales_restatements.
    Incremental by month: a run re-decides the months that have newly canonicalised rows or
    whose winning row's drop version is gone; each is replaced whole (delete+insert). -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ delete_keys_gone_from('period', ref('int_sales__canonicalised')) }}",
    **incremental_by('period', 'delete+insert')
) }}

{#- Not materialised: DuckDB materialises a CTE read twice, which here would copy the whole
    history to pick a month's rows from it (3 s of a 3.05 s no-change build at 10M rows). -#}
with canonicalised as {{ cte_materialized(false) }} (
    select * from {{ ref('int_sales__canonicalised') }}
),

{% if is_incremental() -%}
changed_months as (
    select distinct period from canonicalised
    where {{ built_since_this('canonicalised_at', 'restated_at') }}

    union

    select distinct built.period
    from {{ this }} as built
    {{ anti_join() }} (select distinct drop_date, canonicalised_at from canonicalised) as current_rows
        on built.drop_date = current_rows.drop_date
        and built.canonicalised_at = current_rows.canonicalised_at
),
{%- endif %}

sales as (
    select * from canonicalised
    {% if is_incremental() -%}
    where period in (select period from changed_months)
    {%- endif %}
),

latest as (
    select
        *,
        {{ build_stamp() }} as restated_at
    from sales
    {{ latest_drop_wins(
        ['period', 'brand', 'model', "coalesce(" ~ adapter.quote("trim") ~ ", '')", "coalesce(powertrain, '')"]
    ) }}
)

select * from latest
