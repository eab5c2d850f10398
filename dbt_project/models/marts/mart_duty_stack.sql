{#- One row per lane (reporter, partner, HS code, company) and interval: every measure that
    applies to the lane stacked into one ad valorem rate.

    A measure applies to a lane when it has the lane's reporter, the lane's partner or '*'
    (all origins), an HS code that is the lane's code or a prefix of it, and the lane's
    company or none. Per measure kind the most specific applicable measure wins (company
    over none, longer HS code, named partner over '*', later start); different kinds add up.
    A lane with no company is what every company without a rate of its own pays. -#}
with measures as (
    select * from {{ ref('int_tariff_measures__current') }}
),

lanes as (
    select distinct reporter, partner, hs_code, hs_digits, company from measures
    union
    select distinct reporter, partner, hs_code, hs_digits, null as company from measures
),

applicable as (
    select
        concat_ws('|', lanes.reporter, lanes.partner, lanes.hs_digits, coalesce(lanes.company, ''))
            as lane_id,
        lanes.reporter,
        lanes.partner,
        lanes.hs_code,
        lanes.company,
        measures.measure,
        measures.rate_pct,
        measures.valid_from,
        measures.valid_to,
        measures.company as measure_company,
        length(measures.hs_digits) as measure_hs_length,
        measures.partner <> '*' as is_partner_specific
    from lanes
    inner join measures
        on lanes.reporter = measures.reporter
        and (lanes.partner = measures.partner or measures.partner = '*')
        and starts_with(lanes.hs_digits, measures.hs_digits)
        and (measures.company is null or measures.company = lanes.company)
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
        cast(lead(starts_on) over (partition by lane_id order by starts_on) - interval 1 day as date)
            as ends_on
    from boundaries
),

in_force as (
    select
        pieces.lane_id,
        pieces.starts_on,
        pieces.ends_on,
        applicable.reporter,
        applicable.partner,
        applicable.hs_code,
        applicable.company,
        applicable.measure,
        applicable.rate_pct,
        applicable.measure_company
    from pieces
    inner join applicable
        on pieces.lane_id = applicable.lane_id
        and applicable.valid_from <= pieces.starts_on
        and (applicable.valid_to is null or applicable.valid_to >= pieces.starts_on)
    qualify row_number() over (
        partition by pieces.lane_id, pieces.starts_on, applicable.measure
        order by
            applicable.measure_company is not null desc,
            applicable.measure_hs_length desc,
            applicable.is_partner_specific desc,
            applicable.valid_from desc
    ) = 1
),

stacked as (
    select
        lane_id,
        reporter,
        partner,
        hs_code,
        company,
        starts_on,
        ends_on,
        sum(rate_pct) as total_rate_pct,
        string_agg(
            measure || ' ' || cast(rate_pct as varchar) || '%'
            || coalesce(' (' || measure_company || ')', ''),
            ' + ' order by measure <> 'MFN', lower(measure)
        ) as components
    from in_force
    group by all
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
            or starts_on <> cast(lag(ends_on) over lane_history + interval 1 day as date)
                as is_new
        from stacked
        window lane_history as (partition by lane_id order by starts_on)
    )
),

final as (
    select
        reporter,
        partner,
        hs_code,
        company,
        min(starts_on) as valid_from,
        case when count(*) filter (where ends_on is null) = 0 then max(ends_on) end as valid_to,
        any_value(total_rate_pct) as total_rate_pct,
        any_value(components) as components
    from islands
    group by reporter, partner, hs_code, company, island
)

select * from final
