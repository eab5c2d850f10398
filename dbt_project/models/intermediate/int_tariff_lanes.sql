{#- The lanes the duty stack answers for: per reporter, every tariff line at the most
    detailed level its measures reach (a code that is not a prefix of another of its codes),
    for partner '*' and every partner its measures name, with no company; and, where a
    measure is company-specific, the company's lanes on the lines and partners it covers. -#}
with measures as (
    select distinct reporter, partner, hs_digits, company
    from {{ ref('int_tariff_measures__current') }}
),

codes as (
    select distinct reporter, hs_digits from measures
),

broader_codes as (
    select distinct reporter, broader as hs_digits
    from codes {{ cross_unnest(hs_prefixes('codes.hs_digits'), 'prefixes', 'broader') }}
    where broader <> codes.hs_digits
),

lines as (
    select reporter, hs_digits from codes
    {{ anti_join() }} broader_codes using (reporter, hs_digits)
),

partners as (
    select distinct reporter, partner from measures
    union
    select distinct reporter, '*' from measures
),

line_codes as (
    select lines.reporter, lines.hs_digits, covering
    from lines {{ cross_unnest(hs_prefixes('lines.hs_digits'), 'prefixes', 'covering') }}
),

company_lanes as (
    select distinct line_codes.reporter, partners.partner, line_codes.hs_digits, measures.company
    from measures
    inner join line_codes
        on measures.reporter = line_codes.reporter and measures.hs_digits = line_codes.covering
    inner join partners
        on measures.reporter = partners.reporter
        and (measures.partner = partners.partner or measures.partner = '*')
    where measures.company is not null
),

lanes as (
    select lines.reporter, partners.partner, lines.hs_digits, cast(null as {{ dbt.type_string() }}) as company
    from lines
    inner join partners using (reporter)
    union all
    select reporter, partner, hs_digits, company from company_lanes
)

select
    row_number() over (order by reporter, partner, hs_digits, company nulls first) as lane_id,
    reporter,
    partner,
    hs_digits,
    {{ dotted_hs('hs_digits') }} as hs_code,
    company
from lanes
