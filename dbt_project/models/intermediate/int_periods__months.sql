{#- The reporting calendar: which months make up each month, quarter, year-to-date and year
    label, how many months the label should have, and the label a year earlier. Built from
    the months that have data, so a label is complete only when all its months reported. -#}
with months as (
    select distinct period as month_start from {{ ref('int_sales__restated') }}
),

ytd_ends as (
    select month_start as ytd_end from months
),

labelled as (
    select
        'month' as period_type,
        {{ format_date('month_start', '%Y-%m') }} as period_label,
        {{ format_date('month_start - interval 1 year', '%Y-%m') }} as prior_label,
        1 as months_expected,
        month_start
    from months

    union all

    select
        'quarter',
        year(month_start) || '-Q' || quarter(month_start),
        (year(month_start) - 1) || '-Q' || quarter(month_start),
        3,
        month_start
    from months

    union all

    select
        'ytd',
        year(ytd_end) || '-YTD-' || {{ format_date('ytd_end', '%m') }},
        (year(ytd_end) - 1) || '-YTD-' || {{ format_date('ytd_end', '%m') }},
        month(ytd_end),
        month_start
    from months
    inner join ytd_ends
        on year(month_start) = year(ytd_end)
        and month_start <= ytd_end

    union all

    select
        'year',
        cast(year(month_start) as {{ dbt.type_string() }}),
        cast(year(month_start) - 1 as {{ dbt.type_string() }}),
        12,
        month_start
    from months
),

counted as (
    select
        *,
        count(*) over (partition by period_type, period_label) as months_reported
    from labelled
),

final as (
    select
        *,
        months_reported = months_expected as is_complete
    from counted
)

select * from final
