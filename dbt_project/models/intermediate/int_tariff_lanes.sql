{#- The lanes the duty stack answers for: per reporter, every tariff line at the most
    detailed level its measures reach (a code that is not a prefix of another of its codes),
    for partner '*' and every partner its measures name, with no company; and, where a
    measure is company-specific, the company's lanes on the lines and partners it covers.

    Each lane also names the lane whose stack it shares (stack_lane_id). The measures of a
    line filed for all origins and companies apply to every lane of the line; what sets a
    lane apart is the rest, its own measures (its partner's, its company's). Lanes of a line
    whose own measures are alike in every field the stack reads (most partners of a
    national schedule: none of their own, or the same free FTA rate) stack alike, so
    mart_duty_stack stacks each such set once. -#}
with measures as (
    select * from {{ ref('int_tariff_measures__current') }}
),

filed_at as (
    select distinct reporter, partner, hs_digits, company from measures
),

codes as (
    select distinct reporter, hs_digits from filed_at
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
    select distinct reporter, partner from filed_at
    union
    select distinct reporter, '*' from filed_at
),

line_codes as (
    select lines.reporter, lines.hs_digits, covering
    from lines {{ cross_unnest(hs_prefixes('lines.hs_digits'), 'prefixes', 'covering') }}
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
    select lines.reporter, partners.partner, lines.hs_digits, cast(null as {{ dbt.type_string() }}) as company
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
-- reads of it, its code and an id of that content, so that the same rate for two partners
-- gets one id (a group by, several times faster than ranking the measures of each code). The
-- grouping lists every field mart_duty_stack reads from a measure: one the mart starts to
-- read must be added here, or lanes that differ in it would share.
own_contents_filed as (
    select
        reporter,
        hs_digits,
        company,
        array_agg(partner) as partners,
        {{ row_id() }} as content_id
    from measures
    where partner <> '*' or company is not null
    group by
        reporter, hs_digits, partner = '*', measure, company, rate_pct, specific_amount,
        specific_currency, specific_unit, valid_from, valid_to
),

own_measures as (
    select reporter, filed.partner, hs_digits, company, content_id
    from own_contents_filed {{ cross_unnest('partners', 'filed', 'partner') }}
),

own_keys as (
    select * from ({{ lane_keys('numbered') }})
    where partner_key <> '*' or company_key <> ''
),

own_contents as (
    select
        own_keys.lane_id,
        -- Sorted ids: lanes with the same own measures have equal lists.
        array_sort(array_agg(own_measures.content_id)) as own_content
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
    {{ dotted_hs('numbered.hs_digits') }} as hs_code,
    numbered.company,
    min(numbered.lane_id) over (
        partition by numbered.reporter, numbered.hs_digits, own_contents.own_content
    ) as stack_lane_id
from numbered
left join own_contents using (lane_id)
