with sales as (
    select * from {{ source('landing', 'sales_quarantine') }}
),

tariffs as (
    select * from {{ source('landing', 'tariffs_quarantine') }}
),

unioned as (
    select feed, source_file, line_number, field, value, reason, drop_date from sales
    union all
    select feed, source_file, line_number, field, value, reason, drop_date from tariffs
)

select * from unioned
