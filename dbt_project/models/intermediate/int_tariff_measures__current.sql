{#- A measure is identified by lane, kind, company and start date; a later drop that sends it
    again (e.g. with its end date now known) restates it. A row sent as valid until the next
    one (a dated series such as a tariff tracker) ends the day before the next dated row of
    the same lane, kind and company, and stays open when it is the last.

    The windows that pick the latest version and find the next row sort what they see, and a
    national schedule has millions of rows sent once and not as a series: those pass through
    untouched, and only the rest (restated measures, every row of a series' lane) is sorted. -#}
{%- set lane = ['reporter', 'partner', 'hs_digits', 'measure', "coalesce(company, '')"] -%}
with measures as (
    select * from {{ ref('stg_landing__tariff_measures') }}
),

counted as (
    select
        *,
        count(*) over (partition by {{ (lane + ['valid_from']) | join(', ') }}) as versions,
        max(case when valid_until_next then 1 else 0 end) over (
            partition by {{ lane | join(', ') }}
        ) = 1 as in_series
    from measures
),

latest as (
    select *
    from counted
    where versions > 1 or in_series
    {{ latest_drop_wins(lane + ['valid_from']) }}
),

dated as (
    select
        * replace (
            case
                when valid_until_next and valid_to is null
                    then cast(
                        lead(valid_from) over (
                            partition by {{ lane | join(', ') }}
                            order by valid_from
                        ) - interval 1 day as date
                    )
                else valid_to
            end as valid_to
        )
    from latest
)

select * exclude (versions, in_series) from counted
where versions = 1 and not in_series
union all
select * exclude (versions, in_series) from dated
