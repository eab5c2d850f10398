{#- Restated sales rolled up to every reporting label: one row per label, brand, group, model
    and price band; the marts sum it up to their own grain.
    Incremental by label: a run rebuilds the labels holding a month that was restated since
    the last build, and those whose set of months changed (delete+insert). -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ delete_keys_gone_from('period_label', ref('int_periods__months')) }}",
    **incremental_by('period_label', 'delete+insert')
) }}
{#- A label names its type by its form (2025-02, 2025-Q1, 2025-YTD-02, 2025), so it is the key
    alone: with two key columns dbt deletes through a join of every old row of a label with
    every new one (16 s for one month at 10M rows, against 0.1 s by one column). -#}

{#- Not materialised: read more than once, DuckDB would copy the whole history (see
    int_sales__restated). -#}
with restated as {{ cte_materialized(false) }} (
    select * from {{ ref('int_sales__restated') }}
),

periods as (
    select * from {{ ref('int_periods__months') }}
),

{% if is_incremental() -%}
changed_labels as (
    select distinct period_type, period_label
    from periods
    where month_start in (
        select distinct period from restated
        where {{ built_since_this('restated_at', 'by_period_at') }}
    )

    union

    select distinct periods.period_type, periods.period_label
    from periods
    {{ anti_join() }} (select distinct period_type, period_label, months_reported from {{ this }}) as built
        on periods.period_type = built.period_type
        and periods.period_label = built.period_label
        and periods.months_reported = built.months_reported
),

labels as (
    select periods.*
    from periods
    {{ semi_join() }} changed_labels
        on periods.period_type = changed_labels.period_type
        and periods.period_label = changed_labels.period_label
),
{%- else -%}
labels as (
    select * from periods
),
{%- endif %}

{#- The roll-up is a grouping by label and name (at 10M rows: 95M month-label rows into 17M
    groups), which with the names as text does not fit DuckDB's 1 GB cap even spilling. So the
    names are numbered once, the months summed per number, and only integers grouped by label;
    the text is joined back to the result. Numbered in a fixed order: each id table is read
    twice. -#}
names as (
    select
        brand,
        group_name,
        model,
        price_band,
        dense_rank() over (order by brand, group_name, model, price_band) as name_id
    from (select distinct brand, group_name, model, price_band from restated) as distinct_names
),

monthly as (
    select
        restated.period,
        names.name_id,
        sum(restated.units) as units
    from restated
    inner join names
        on restated.brand is not distinct from names.brand
        and restated.group_name is not distinct from names.group_name
        and restated.model is not distinct from names.model
        and restated.price_band is not distinct from names.price_band
    group by restated.period, names.name_id
),

label_months as (
    select
        *,
        dense_rank() over (order by period_type, period_label) as label_id
    from labels
),

label_ids as (
    select distinct
        label_id,
        period_type,
        period_label,
        prior_label,
        is_complete,
        months_reported
    from label_months
),

rolled_up as (
    select
        label_months.label_id,
        monthly.name_id,
        sum(monthly.units) as units
    from monthly
    inner join label_months on monthly.period = label_months.month_start
    group by label_months.label_id, monthly.name_id
),

final as (
    select
        label_ids.period_type,
        label_ids.period_label,
        label_ids.prior_label,
        label_ids.is_complete,
        label_ids.months_reported,
        names.brand,
        names.group_name,
        names.model,
        names.price_band,
        cast(rolled_up.units as bigint) as units,
        {{ build_stamp() }} as by_period_at
    from rolled_up
    inner join label_ids on rolled_up.label_id = label_ids.label_id
    inner join names on rolled_up.name_id = names.name_id
)

select * from final
