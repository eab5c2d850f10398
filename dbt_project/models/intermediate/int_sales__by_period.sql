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

{#- Not materialised: read twice, DuckDB would copy the whole history (see int_sales__restated). -#}
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

final as (
    select
        labels.period_type,
        labels.period_label,
        labels.prior_label,
        labels.is_complete,
        labels.months_reported,
        restated.brand,
        restated.group_name,
        restated.model,
        restated.price_band,
        cast(sum(restated.units) as bigint) as units,
        {{ build_stamp() }} as by_period_at
    from restated
    inner join labels on restated.period = labels.month_start
    group by all
)

select * from final
