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
    (int_tariff_lanes.stack_lane_id) and given to every lane of the set. -#}
-- Materialized: measure_id numbers the rows once for both uses below.
with measures as {{ cte_materialized(true) }} (
    select
        *,
        -- Numbered in the order of the measure's key (int_tariff_measures__current): Spark
        -- numbers only ordered rows.
        row_number() over (
            order by reporter, partner, hs_digits, measure, company, valid_from
        ) as measure_id,
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
        {{ unnest_range('first.piece_no', 'coalesce(after.piece_no, first.lane_pieces + 1)') }} as piece_no
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
    select lane_id, piece_no, stack_role, min_by(measure_id, precedence) as measure_id
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
        cast(specific_amount as {{ dbt.type_string() }})
        || coalesce(' ' || specific_currency, '')
        || coalesce('/' || specific_unit, '') as specific_duty,
        measure || ' '
        || case
            when specific_amount is null then cast(rate_pct as {{ dbt.type_string() }}) || '%'
            when rate_pct = 0 then specific_duty
            else '(' || cast(rate_pct as {{ dbt.type_string() }}) || '% + ' || specific_duty || ')'
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
            {{ joined_in_order("part_order", "component", "stack_role <> 'observed'") }}, ''
        ) as components,
        {{ joined_in_order(
            "part_order",
            "measure || ' ' || specific_duty",
            "stack_role <> 'observed' and specific_duty is not null"
        ) }} as specific_duties,
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
    inner join lanes on merged.lane_id = lanes.stack_lane_id
)

select * from final
