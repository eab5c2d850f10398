{#- Sources revise figures: for each month and trim (brand, model, trim, powertrain) the row
    from the latest drop wins (within one drop, the last file in name order, then the last
    line). Earlier versions stay in staging and in mart_sales_restatements. -#}
with sales as (
    select * from {{ ref('int_sales__canonicalised') }}
),

latest as (
    select *
    from sales
    {{ latest_drop_wins(
        ['period', 'brand', 'model', "coalesce(\"trim\", '')", "coalesce(powertrain, '')"]
    ) }}
)

select * from latest
