{#- A measure is identified by lane, kind, company and start date; a later drop that sends it
    again (e.g. with its end date now known) restates it. A row sent as valid until the next
    one (a dated series such as a tariff tracker) ends the day before the next dated row of
    the same lane, kind and company, and stays open when it is the last.

    The windows that pick the latest version and find the next row sort what they see, and a
    national schedule has millions of rows sent once and not as a series: those pass through
    untouched, and only the rest (restated measures, every row of a series' lane) is sorted. -#}
{%- set lane = ['reporter', 'partner', 'hs_digits', 'measure', "coalesce(company, '')"] -%}
{#- A measure's columns in stg_landing__tariff_measures' order, named because the dated rows
    replace valid_to in place and Spark has no `* replace` (nor a union by name). -#}
{%- set columns = [
    'drop_date', 'source_file', 'line_number', 'reporter', 'partner', 'hs_code', 'hs_digits',
    'measure', 'company', 'rate_pct', 'rate_text', 'specific_amount', 'specific_currency',
    'specific_unit', 'valid_from', 'valid_to', 'valid_until_next', 'legal_basis', 'source',
    'extra_columns',
] -%}
with measures as (
    select * from {{ ref('stg_landing__tariff_measures') }}
),

-- The measures sent more than once (few or none): a grouping, as a count window over every
-- row would sort them all.
restated as (
    select
        reporter, partner, hs_digits, measure, coalesce(company, '') as company_key, valid_from
    from {{ ref('stg_landing__tariff_measures') }}
    group by reporter, partner, hs_digits, measure, coalesce(company, ''), valid_from
    having count(*) > 1
),

-- The lanes, kinds and companies with a row sent as valid until the next (few or none):
-- read apart, as a second window over every row would cost as much as the first.
series as (
    select distinct reporter, partner, hs_digits, measure, coalesce(company, '') as company_key
    from {{ ref('stg_landing__tariff_measures') }}
    where valid_until_next
),

counted as (
    select
        measures.*,
        restated.reporter is not null or series.reporter is not null as needs_windows
    from measures
    left join restated
        on measures.reporter = restated.reporter
        and measures.partner = restated.partner
        and measures.hs_digits = restated.hs_digits
        and measures.measure = restated.measure
        and coalesce(measures.company, '') = restated.company_key
        and measures.valid_from = restated.valid_from
    left join series
        on measures.reporter = series.reporter
        and measures.partner = series.partner
        and measures.hs_digits = series.hs_digits
        and measures.measure = series.measure
        and coalesce(measures.company, '') = series.company_key
),

latest as (
    select *
    from counted
    where needs_windows
    {{ latest_drop_wins(lane + ['valid_from']) }}
),

dated as (
    select
        {%- for column in columns %}
        {% if column == 'valid_to' -%}
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
        {%- else -%}
        {{ column }}
        {%- endif -%}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from latest
)

select {{ columns | join(', ') }} from counted
where not needs_windows
union all
select * from dated
