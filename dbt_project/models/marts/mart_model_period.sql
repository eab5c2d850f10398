{#- Model leaders: one row per reporting label, brand and model, with units, the change on the
    same label a year earlier and the model's rank in the whole market.
    Incremental by label on DuckDB (delete+insert): the table is the largest mart (2.3M rows
    at 1M rows of sales, 3 s to build whole), and a new drop changes a few labels. A run
    rebuilds the labels int_sales__by_period rebuilt since this table's last build, the labels
    a year after them (their yoy_pct reads them) and those whose label a year earlier is gone;
    a label gone from int_sales__by_period goes (pre-hook). A table built before it was
    incremental has no built_at: it is rebuilt whole once, gaining the column. On Spark it
    stays a table: a table incremental by label is partitioned by it there, which moves the
    column last. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_keys_gone_from('period_label', ref('int_sales__by_period')) }}",
    incremental_strategy='delete+insert',
    unique_key='period_label',
) }}
{#- A label names its type by its form (2025-02, 2025-Q1, 2025-YTD-02, 2025): the key alone. -#}
{%- set incremental = is_incremental()
    and 'built_at' in adapter.get_columns_in_relation(this) | map(attribute='name') | list %}

with
{% if incremental -%}
label_priors as (
    select distinct
        period_label,
        prior_label
    from {{ ref('int_sales__by_period') }}
),

rebuilt as (
    select distinct period_label
    from {{ ref('int_sales__by_period') }}
    where {{ built_since_this('by_period_at', 'built_at') }}
),

changed_labels as (
    select period_label from rebuilt

    union

    select label_priors.period_label
    from label_priors
    {{ semi_join() }} rebuilt on label_priors.prior_label = rebuilt.period_label

    union

    {#- A change on a year earlier needs both labels: a label whose yoy_pct was computed had
        one, and it is gone. #}
    select label_priors.period_label
    from label_priors
    {{ semi_join() }} (select distinct period_label from {{ this }} where yoy_pct is not null) as built
        on label_priors.period_label = built.period_label
    {{ anti_join() }} label_priors as prior on label_priors.prior_label = prior.period_label
),

{#- The labels to rebuild and those a year before them, which their yoy_pct reads. -#}
read_labels as (
    select period_label from changed_labels

    union

    select label_priors.prior_label
    from label_priors
    {{ semi_join() }} changed_labels on label_priors.period_label = changed_labels.period_label
),

model_units as (
    {{ units_by_period(['brand', 'model'], 'read_labels') }}
),
{%- else -%}
model_units as (
    {{ units_by_period(['brand', 'model']) }}
),
{%- endif %}

changed as (
    {{ with_yoy_pct('model_units', ['brand', 'model']) }}
),

final as (
    select
        period_type,
        period_label,
        brand,
        model,
        units,
        yoy_pct,
        cast(dense_rank() over (partition by period_type, period_label order by units desc) as bigint)
            as rank,
        {{ build_stamp() }} as built_at
    from changed
    {% if incremental -%}
    where period_label in (select period_label from changed_labels)
    {%- endif %}
)

select * from final
