{#- One row per lane (int_tariff_lanes: reporter, partner, HS line, company) and interval:
    the measures in force on the lane stacked as customs practice does.

    A measure applies to a lane when it has the lane's reporter, the lane's partner or '*'
    (all origins), the lane's HS code or one it falls under, and the lane's company or none.
    Each measure takes a role in the stack:
    - base: MFN, or a rate that replaces it for its partners (column_2, then preferential,
      win over MFN): one base rate per lane and day;
    - observed: applied, a total someone published; it never adds, it is reported beside the
      stack as observed_rate_pct;
    - every other kind adds.
    Within a role the most specific measure wins (company over none, longer HS code, named
    partner over '*', later start). Intervals are consecutive periods with the same stack
    and observed rate; every start or end of an applicable measure (observed ones too) may
    split them. The stack is computed once per set of lanes that stack alike
    (int_tariff_lanes.stack_lane_id) and given to every lane of the set; its text once per
    distinct set of parts (measures alike in what the stack reads of them). -#}
with measure_rows as (
    select
        *,
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
        ) * 100000 + (99999 - {{ dbt.datediff("date '1970-01-01'", 'valid_from', 'day') }}) as precedence
    from {{ ref('int_tariff_measures__current') }}
),

-- What a measure puts into a stack: the stack's text, total and observed rate are read from
-- these fields alone, so measures alike in them are one part (a national schedule has
-- millions of measures and few distinct parts).
part_contents as (
    select
        stack_role,
        measure,
        rate_pct,
        specific_amount,
        specific_currency,
        specific_unit,
        company,
        -- Numbered in a fixed order, not as the rows come: the numbers are read twice below,
        -- and an engine may compute this twice.
        dense_rank() over (
            order by
                stack_role, measure, rate_pct, specific_amount, specific_currency,
                specific_unit, company
        ) as part_id
    from measure_rows
    group by
        stack_role, measure, rate_pct, specific_amount, specific_currency, specific_unit, company
),

measures as (
    select measure_rows.*, part_contents.part_id
    from measure_rows
    inner join part_contents
        on measure_rows.measure = part_contents.measure
        and measure_rows.rate_pct is not distinct from part_contents.rate_pct
        and measure_rows.specific_amount is not distinct from part_contents.specific_amount
        and measure_rows.specific_currency is not distinct from part_contents.specific_currency
        and measure_rows.specific_unit is not distinct from part_contents.specific_unit
        and measure_rows.company is not distinct from part_contents.company
),

lanes as (
    select * from {{ ref('int_tariff_lanes') }}
),

-- One lane of each set of lanes that stack alike (int_tariff_lanes.stack_lane_id): the
-- stack is computed for these and shared with the rest of their set at the end.
stacking_lanes as (
    select * from lanes where lane_id = stack_lane_id
),

lane_keys as (
    {{ lane_keys('stacking_lanes') }}
),

-- Only numbers and the role travel through the pieces; the parts' text is built per
-- distinct stack at the end (a national schedule has millions of applicable rows).
applicable as (
    select
        lane_keys.lane_id,
        measures.part_id,
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
        applicable.part_id,
        applicable.stack_role,
        applicable.precedence,
        {{ unnest_range('first.piece_no', 'coalesce(after.piece_no, first.lane_pieces + 1)') }} as piece_no
    from applicable
    inner join pieces as first
        on applicable.lane_id = first.lane_id and applicable.valid_from = first.starts_on
    left join pieces as after
        on applicable.lane_id = after.lane_id
        and cast(applicable.valid_to + interval 1 day as date) = after.starts_on
),

-- One winner per lane, piece and role (an aggregate, not a window, as it is many times
-- faster over a national schedule's pieces), and each piece's stack as its sorted part ids:
-- integers through the pieces, the text is built once per distinct stack below.
in_force as (
    select lane_id, piece_no, stack_role, min_by(part_id, precedence) as part_id
    from coverage
    group by lane_id, piece_no, stack_role
),

piece_stacks as (
    select lane_id, piece_no, {{ sorted_distinct_list('part_id') }} as part_ids
    from in_force
    group by lane_id, piece_no
),

-- Numbered in a fixed order, as part_id above.
stack_ids as (
    select part_ids, row_number() over (order by part_ids) as stack_id
    from (select distinct part_ids from piece_stacks) as distinct_stacks
),

stacked_parts as (
    select stack_ids.stack_id, stacked.part_id
    from stack_ids {{ cross_unnest('stack_ids.part_ids', 'stacked', 'part_id') }}
),

parts as (
    select
        stacked_parts.stack_id,
        part_contents.*,
        -- The order of the stack's parts: the base rate first, then by measure name.
        cast(stack_role <> 'base' as integer) || lower(measure) as part_order,
        cast(specific_amount as {{ dbt.type_string() }})
        || coalesce(' ' || specific_currency, '')
        || coalesce('/' || specific_unit, '') as specific_duty,
        measure || ' '
        || case
            when specific_amount is null then cast(rate_pct as {{ dbt.type_string() }}) || '%'
            when rate_pct = 0 then specific_duty
            else '(' || cast(rate_pct as {{ dbt.type_string() }}) || '% + ' || specific_duty || ')'
        end
        || coalesce(' (' || company || ')', '') as component
    from stacked_parts
    inner join part_contents on stacked_parts.part_id = part_contents.part_id
),

stacks as (
    select
        stack_id,
        coalesce(sum(rate_pct) filter (where stack_role <> 'observed'), 0) as total_rate_pct,
        coalesce(
            {{ joined_in_order("part_order", "component", "stack_role <> 'observed'") }}, ''
        ) as components,
        {{ joined_in_order(
            "part_order",
            "measure || ' ' || specific_duty",
            "stack_role <> 'observed' and specific_duty is not null"
        ) }} as specific_duties,
        max(rate_pct) filter (where stack_role = 'observed') as observed_rate_pct
    from parts
    group by stack_id
),

-- Consecutive pieces whose stacks read the same (components and observed rate) are one
-- interval: numbered per lane and reading, consecutive pieces keep piece_no minus that
-- number; a gap (a piece with nothing in force, so no stack) or another reading between
-- breaks it.
readings as (
    select stack_id, dense_rank() over (order by components, observed_rate_pct) as reading
    from stacks
),

islands as (
    select
        piece_stacks.lane_id,
        piece_stacks.piece_no,
        stack_ids.stack_id,
        readings.reading,
        piece_stacks.piece_no - row_number() over (
            partition by piece_stacks.lane_id, readings.reading order by piece_stacks.piece_no
        ) as island
    from piece_stacks
    inner join stack_ids using (part_ids)
    inner join readings using (stack_id)
),

merged as (
    select
        islands.lane_id,
        min(pieces.starts_on) as valid_from,
        case
            when count(*) filter (where pieces.ends_on is null) = 0 then max(pieces.ends_on)
        end as valid_to,
        any_value(islands.stack_id) as stack_id
    from islands
    inner join pieces using (lane_id, piece_no)
    group by islands.lane_id, islands.reading, islands.island
),

final as (
    select
        lanes.reporter,
        lanes.partner,
        lanes.hs_code,
        lanes.company,
        merged.valid_from,
        merged.valid_to,
        stacks.total_rate_pct,
        stacks.components,
        stacks.specific_duties,
        stacks.observed_rate_pct
    from merged
    inner join stacks using (stack_id)
    inner join lanes on merged.lane_id = lanes.stack_lane_id
)

select * from final
