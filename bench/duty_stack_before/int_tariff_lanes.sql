-- The same-run baseline of bench/duty_stack.py: int_tariff_lanes as committed before the tariff models' speed-up
-- of stackperf2 (commit e24eca5), compiled by dbt. Reads and writes schema previous.
with measures as (
    select * from previous.int_tariff_measures__current
),

filed_at as (
    select distinct reporter, partner, hs_digits, company from measures
),

codes as (
    select distinct reporter, hs_digits from filed_at
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
    select distinct reporter, partner from filed_at
    union
    select distinct reporter, '*' from filed_at
),

line_codes as (
    select lines.reporter, lines.hs_digits, covering
    from lines, unnest(list_transform(
        list_filter([2, 4, 6, 8, 10], lambda n: n <= length(lines.hs_digits)),
        lambda n: left(lines.hs_digits, n)
    )) as prefixes(covering)
),

company_lanes as (
    select distinct line_codes.reporter, partners.partner, line_codes.hs_digits, filed_at.company
    from filed_at
    inner join line_codes
        on filed_at.reporter = line_codes.reporter and filed_at.hs_digits = line_codes.covering
    inner join partners
        on filed_at.reporter = partners.reporter
        and (filed_at.partner = partners.partner or filed_at.partner = '*')
    where filed_at.company is not null
),

lanes as (
    select lines.reporter, partners.partner, lines.hs_digits, cast(null as varchar) as company
    from lines
    inner join partners using (reporter)
    union all
    select reporter, partner, hs_digits, company from company_lanes
),

numbered as (
    select
        row_number() over (order by reporter, partner, hs_digits, company nulls first) as lane_id,
        reporter,
        partner,
        hs_digits,
        company
    from lanes
),

-- A lane's own measures: a named partner's or a company's. Each is named by what the stack
-- reads of it, its code and its rank in that code's order, so that the same rate for two
-- partners gets one name. The order lists every field mart_duty_stack reads from a measure:
-- one the mart starts to read must be added here, or lanes that differ in it would share.
own_measures as (
    select
        reporter,
        partner,
        hs_digits,
        company,
        hs_digits || '/' || dense_rank() over (
            partition by reporter, hs_digits
            order by
                partner = '*', measure, company, rate_pct, specific_amount, specific_currency,
                specific_unit, valid_from, valid_to
        ) as content
    from measures
    where partner <> '*' or company is not null
),

own_keys as (
    select * from (select numbered.lane_id, numbered.reporter, partner_key, hs_key, company_key
    from numbered,
        unnest(list_distinct([numbered.partner, '*'])) as partners(partner_key),
        unnest(list_transform(
        list_filter([2, 4, 6, 8, 10], lambda n: n <= length(numbered.hs_digits)),
        lambda n: left(numbered.hs_digits, n)
    )) as codes(hs_key),
        unnest(list_distinct(['', coalesce(numbered.company, '')])) as companies(company_key))
    where partner_key <> '*' or company_key <> ''
),

own_contents as (
    select
        own_keys.lane_id,
        array_to_string(
        list_transform(
            list_sort(list(own_measures.content || chr(1) || (own_measures.content)) filter (where true)),
            lambda keyed: split_part(keyed, chr(1), 2)
        ),
        ' + '
    )
            as own_content
    from own_keys
    inner join own_measures
        on own_keys.reporter = own_measures.reporter
        and own_keys.partner_key = own_measures.partner
        and own_keys.hs_key = own_measures.hs_digits
        and own_keys.company_key = coalesce(own_measures.company, '')
    group by own_keys.lane_id
)

select
    numbered.lane_id,
    numbered.reporter,
    numbered.partner,
    numbered.hs_digits,
    concat_ws(
        '.',
        left(numbered.hs_digits, 4),
        nullif(substr(numbered.hs_digits, 5, 2), ''),
        nullif(substr(numbered.hs_digits, 7, 2), ''),
        nullif(substr(numbered.hs_digits, 9, 2), '')
    ) as hs_code,
    numbered.company,
    min(numbered.lane_id) over (
        partition by numbered.reporter, numbered.hs_digits, own_contents.own_content
    ) as stack_lane_id
from numbered
left join own_contents using (lane_id)