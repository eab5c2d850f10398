with sales as (
    select * from {{ source('landing', 'sales_files') }}
),

tariffs as (
    select * from {{ source('landing', 'tariffs_files') }}
),

unioned as (
    select * from sales
    union all by name
    select * from tariffs
)

select * from unioned
