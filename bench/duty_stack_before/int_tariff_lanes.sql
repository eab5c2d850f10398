-- The same-run baseline of bench/duty_stack.py: int_tariff_lanes as committed before the stack was
-- shared between lanes (commit f9d4b44), compiled by dbt. Reads the current measures and
-- writes to schema before_sharing.
with measures as (
    select distinct reporter, partner, hs_digits, company
    from intermediate.int_tariff_measures__current
),

codes as (
    select distinct reporter, hs_digits from measures
),

broader_codes as (
    select distinct reporter, broader as hs_digits
    from codes, unnest(list_transform(
        list_filter([2, 4, 6, 8, 10], lambda n: n <= length(codes.hs_digits)),
        lambda n: left(codes.hs_digits, n)
    )) as prefixes(broader)
    where broader <> codes.hs_digits
),

lines as (
    select reporter, hs_digits from codes
    anti join broader_codes using (reporter, hs_digits)
),

partners as (
    select distinct reporter, partner from measures
    union
    select distinct reporter, '*' from measures
),

line_codes as (
    select lines.reporter, lines.hs_digits, covering
    from lines, unnest(list_transform(
        list_filter([2, 4, 6, 8, 10], lambda n: n <= length(lines.hs_digits)),
        lambda n: left(lines.hs_digits, n)
    )) as prefixes(covering)
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
    select lines.reporter, partners.partner, lines.hs_digits, cast(null as varchar) as company
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
    concat_ws(
        '.',
        left(hs_digits, 4),
        nullif(substr(hs_digits, 5, 2), ''),
        nullif(substr(hs_digits, 7, 2), ''),
        nullif(substr(hs_digits, 9, 2), '')
    ) as hs_code,
    company
from lanes