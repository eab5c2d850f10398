-- The same-run baseline of bench/duty_stack.py: mart_duty_stack as committed before the stack was
-- shared between lanes (commit f9d4b44), compiled by dbt. Reads the current measures and
-- writes to schema before_sharing.
-- Materialized: measure_id numbers the rows once for both uses below.
with measures as materialized (
    select
        *,
        row_number() over () as measure_id,
        case
            when measure = 'applied' then 'observed'
            when measure in ('MFN', 'preferential', 'column_2') then 'base'
            else measure
        end as stack_role,
        -- Which measure of a role wins, smallest first, as one number: the base rate that
        -- replaces MFN (column_2, preferential, MFN), company-specific, longer HS code,
        -- named partner, later start (days before 2243-10-17).
        (
            (
                (
                    case measure when 'column_2' then 1 when 'preferential' then 2 else 3 end
                    * 2 + cast(company is null as integer)
                ) * 16 + (16 - length(hs_digits))
            ) * 2 + cast(partner = '*' as integer)
        ) * 100000 + (99999 - (valid_from - date '1970-01-01')) as precedence
    from intermediate.int_tariff_measures__current
),

lanes as (
    select * from before_sharing.int_tariff_lanes
),

-- Every (partner, HS code, company) under which a measure for the lane may be filed.
lane_keys as (
    select lanes.lane_id, lanes.reporter, partner_key, hs_key, company_key
    from lanes,
        unnest(list_distinct([lanes.partner, '*'])) as partners(partner_key),
        unnest(list_transform(
        list_filter([2, 4, 6, 8, 10], lambda n: n <= length(lanes.hs_digits)),
        lambda n: left(lanes.hs_digits, n)
    )) as codes(hs_key),
        unnest(list_distinct(['', coalesce(lanes.company, '')])) as companies(company_key)
),

-- Only numbers and the role travel through the pieces; the winners' details join back at
-- the end (a national schedule has millions of applicable rows).
applicable as (
    select
        lane_keys.lane_id,
        measures.measure_id,
        measures.stack_role,
        measures.precedence,
        measures.valid_from,
        measures.valid_to
    from lane_keys
    inner join measures
        on lane_keys.reporter = measures.reporter
        and lane_keys.partner_key = measures.partner
        and lane_keys.hs_key = measures.hs_digits
        and lane_keys.company_key = coalesce(measures.company, '')
),

boundaries as (
    select lane_id, valid_from as starts_on from applicable
    union
    select lane_id, cast(valid_to + interval 1 day as date) from applicable
    where valid_to is not null
),

pieces as (
    select
        lane_id,
        starts_on,
        cast(lead(starts_on) over lane_history - interval 1 day as date) as ends_on,
        row_number() over lane_history as piece_no,
        count(*) over (partition by lane_id) as lane_pieces
    from boundaries
    window lane_history as (partition by lane_id order by starts_on)
),

-- The pieces a measure is in force on: from the piece its start begins to the one before
-- the piece beginning the day after its end (both are boundaries), or to the lane's last
-- piece while it is open. Equi-joins and a range, not a join on date ranges: over a national
-- schedule that join compares every piece of a lane with every measure of it.
coverage as (
    select
        applicable.lane_id,
        applicable.measure_id,
        applicable.stack_role,
        applicable.precedence,
        unnest(range(first.piece_no, coalesce(after.piece_no, first.lane_pieces + 1))) as piece_no
    from applicable
    inner join pieces as first
        on applicable.lane_id = first.lane_id and applicable.valid_from = first.starts_on
    left join pieces as after
        on applicable.lane_id = after.lane_id
        and cast(applicable.valid_to + interval 1 day as date) = after.starts_on
),

-- One winner per lane, piece and role: an aggregate, not a window, as it is many times
-- faster over a national schedule's pieces.
in_force as (
    select lane_id, piece_no, stack_role, arg_min(measure_id, precedence) as measure_id
    from coverage
    group by lane_id, piece_no, stack_role
),

described as (
    select
        in_force.lane_id,
        pieces.starts_on,
        pieces.ends_on,
        in_force.stack_role,
        measures.measure,
        measures.rate_pct,
        measures.specific_amount,
        measures.specific_currency,
        measures.specific_unit,
        measures.company as measure_company,
        -- The order of the stack's parts: the base rate first, then by measure name.
        cast(in_force.stack_role <> 'base' as integer) || lower(measures.measure) as part_order
    from in_force
    inner join pieces using (lane_id, piece_no)
    inner join measures using (measure_id)
),

parts as (
    select
        *,
        cast(specific_amount as varchar)
        || coalesce(' ' || specific_currency, '')
        || coalesce('/' || specific_unit, '') as specific_duty,
        measure || ' '
        || case
            when specific_amount is null then cast(rate_pct as varchar) || '%'
            when rate_pct = 0 then specific_duty
            else '(' || cast(rate_pct as varchar) || '% + ' || specific_duty || ')'
        end
        || coalesce(' (' || measure_company || ')', '') as component
    from described
),

stacked as (
    select
        lane_id,
        starts_on,
        ends_on,
        coalesce(sum(rate_pct) filter (where stack_role <> 'observed'), 0) as total_rate_pct,
        coalesce(
            array_to_string(
        list_transform(
            list_sort(list(part_order || chr(1) || (component)) filter (where stack_role <> 'observed')),
            lambda keyed: split_part(keyed, chr(1), 2)
        ),
        ' + '
    ), ''
        ) as components,
        array_to_string(
        list_transform(
            list_sort(list(part_order || chr(1) || (measure || ' ' || specific_duty)) filter (where stack_role <> 'observed' and specific_duty is not null)),
            lambda keyed: split_part(keyed, chr(1), 2)
        ),
        ' + '
    ) as specific_duties,
        max(rate_pct) filter (where stack_role = 'observed') as observed_rate_pct
    from parts
    group by lane_id, starts_on, ends_on
),

islands as (
    select
        *,
        sum(case when is_new then 1 else 0 end) over (
            partition by lane_id order by starts_on rows between unbounded preceding and current row
        ) as island
    from (
        select
            *,
            components is distinct from lag(components) over lane_history
            or observed_rate_pct is distinct from lag(observed_rate_pct) over lane_history
            or starts_on <> cast(lag(ends_on) over lane_history + interval 1 day as date)
                as is_new
        from stacked
        window lane_history as (partition by lane_id order by starts_on)
    )
),

merged as (
    select
        lane_id,
        min(starts_on) as valid_from,
        case when count(*) filter (where ends_on is null) = 0 then max(ends_on) end as valid_to,
        any_value(total_rate_pct) as total_rate_pct,
        any_value(components) as components,
        any_value(specific_duties) as specific_duties,
        any_value(observed_rate_pct) as observed_rate_pct
    from islands
    group by lane_id, island
),

final as (
    select
        lanes.reporter,
        lanes.partner,
        lanes.hs_code,
        lanes.company,
        merged.valid_from,
        merged.valid_to,
        merged.total_rate_pct,
        merged.components,
        merged.specific_duties,
        merged.observed_rate_pct
    from merged
    inner join lanes using (lane_id)
)

select * from final