{#- A reporting label belongs to one period type (its form says which): int_sales__by_period
    is rebuilt by label alone. -#}
select period_label, count(distinct period_type) as period_types
from {{ ref('int_periods__months') }}
group by period_label
having count(distinct period_type) > 1
