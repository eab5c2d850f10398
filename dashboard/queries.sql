-- Every query the dashboard runs, in one place. Each starts with a "-- name: <key>" line;
-- dashboard/snapshot.py loads them by key. Values always come in as bind parameters
-- ($name), never as text pasted into the SQL: the query string of a request is user input.

-- name: publication
-- meta.publication has one row per published table; the version, time and drops repeat.
select
    any_value(version) as version,
    any_value(published_at) as published_at,
    any_value(drop_dates) as drop_dates,
    count(*) as table_count
from meta.publication;

-- name: bands
-- Bands in their natural order (cheapest first) rather than alphabetical.
select distinct price_band
from marts.mart_brand_band_period
where period_type = 'month'
order by coalesce(list_position($band_order, price_band), 99), price_band;

-- name: band_months
select distinct period_label
from marts.mart_brand_band_period
where period_type = 'month' and price_band = $band
order by period_label;

-- name: band_top_brands
-- The brands that sold most in the band over every month shown: the chart stays readable
-- with a handful of lines, and the choice does not jump from month to month.
select brand
from marts.mart_brand_band_period
where period_type = 'month' and price_band = $band
group by brand
order by sum(units) desc, brand
limit $top;

-- name: band_shares
select period_label, brand, units, share_pct
from marts.mart_brand_band_period
where period_type = 'month' and price_band = $band and list_contains($brands, brand)
order by period_label, brand;

-- name: leader_periods
-- Whole years, and the year-to-date labels of the latest year (the running figure).
select period_type, period_label
from marts.mart_brand_band_period
where price_band = $band
  and (
      period_type = 'year'
      or (
          period_type = 'ytd'
          and left(period_label, 4) = (
              select max(left(period_label, 4))
              from marts.mart_brand_band_period
              where period_type = 'ytd'
          )
      )
  )
group by all
order by period_type desc, period_label;

-- name: latest_ytd
-- Labels are zero-padded (2025-YTD-02), so the text order is the time order.
select max(period_label)
from marts.mart_brand_band_period
where period_type = 'ytd' and price_band = $band;

-- name: leaders
select rank, brand, units, share_pct, yoy_pct
from marts.mart_brand_band_period
where price_band = $band and period_label = $period and period_type in ('year', 'ytd')
order by rank, brand
limit $top;

-- name: model_prices
select trim, powertrain, msrp_cny, valid_from, valid_to, is_current
from marts.dim_model_price_history
where brand = $brand and model = $model
order by trim, valid_from;

-- name: lanes
-- The lanes whose text holds every word searched for (any case; none searched: every lane),
-- first $limit of them in lane order, each with its latest interval's rate, and how many
-- matched in all. A full national schedule has hundreds of thousands of lanes: the filter
-- runs here, and only one page of them reaches the browser.
with matching as (
    select distinct reporter, partner, hs_code, company
    from marts.mart_duty_stack
    where len(list_filter(
        $words,
        lambda word: not contains(
            lower(concat_ws(' ', reporter, partner, hs_code, replace(hs_code, '.', ''), company)),
            lower(word)
        )
    )) = 0
),

page as (
    select *, count(*) over () as matches
    from matching
    order by reporter, partner, hs_code, company nulls first
    limit $limit
)

select
    page.reporter,
    page.partner,
    page.hs_code,
    page.company,
    count(*) as intervals,
    arg_max(stack.total_rate_pct, stack.valid_from) as latest_rate_pct,
    max(stack.valid_from) as latest_from,
    any_value(page.matches) as matches
from page
inner join marts.mart_duty_stack as stack
    on stack.reporter = page.reporter
    and stack.partner = page.partner
    and stack.hs_code = page.hs_code
    and stack.company is not distinct from page.company
group by page.reporter, page.partner, page.hs_code, page.company
order by page.reporter, page.partner, page.hs_code, page.company nulls first;

-- name: duty_stack
-- A lane without a company is stored with company NULL; "is not distinct from" matches it.
select valid_from, valid_to, total_rate_pct, components, observed_rate_pct
from marts.mart_duty_stack
where reporter = $reporter
  and partner = $partner
  and hs_code = $hs_code
  and company is not distinct from $company
order by valid_from;
