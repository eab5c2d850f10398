{#- The history of restatements: one row per revision of a month and trim by a later drop
    (units or price changed), with the figures before and after. -#}
{#- Not materialised: read twice, DuckDB would copy the whole history (see int_sales__restated). -#}
with canonicalised as {{ cte_materialized(false) }} (
    select * from {{ ref('int_sales__canonicalised') }}
),

{#- A month holds a revision only if it has more rows than trims, i.e. more canonicalised rows
    than restated ones (one per trim): the window below then runs on those months only. -#}
revised_months as (
    select period, count(*) as versions
    from canonicalised
    group by period
    except
    select period, count(*)
    from {{ ref('int_sales__restated') }}
    group by period
),

sales as (
    select * from canonicalised
    where period in (select period from revised_months)
),

versions as (
    select
        period,
        brand,
        model,
        {{ adapter.quote("trim") }},
        powertrain,
        drop_date,
        units,
        msrp_cny,
        lag(drop_date) over trim_month as previous_drop_date,
        lag(units) over trim_month as previous_units,
        lag(msrp_cny) over trim_month as previous_msrp_cny
    from sales
    window trim_month as (
        partition by period, brand, model, coalesce({{ adapter.quote("trim") }}, ''), coalesce(powertrain, '')
        order by drop_date, source_file, line_number
    )
),

final as (
    select
        {{ format_date('period', '%Y-%m') }} as period_label,
        brand,
        model,
        {{ adapter.quote("trim") }},
        powertrain,
        previous_drop_date,
        drop_date as restated_on,
        previous_units,
        units,
        units - previous_units as units_change,
        previous_msrp_cny,
        msrp_cny
    from versions
    where
        previous_drop_date is not null
        and (units <> previous_units or msrp_cny is distinct from previous_msrp_cny)
)

select * from final
