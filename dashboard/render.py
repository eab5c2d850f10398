"""The HTML of the page, built from a Snapshot by small functions, one block each.

Values are escaped where they enter the markup (``esc`` and ``data``), so a brand, a company
or a query-string value can never become markup. Every figure block has an id and every row
carries its figures as ``data-*`` attributes (raw numbers), so tests and scrapers read the
numbers without parsing formatted text.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import urlencode

from dashboard import charts
from dashboard.snapshot import (
    LEADERS_BAND,
    PRICE_BRAND,
    PRICE_MODEL,
    Lane,
    Selection,
    Snapshot,
)

PAGE = Template(Path(__file__).with_name("page.html").read_text())
STYLE = Path(__file__).with_name("style.css").read_text()


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def data(**attributes: object) -> str:
    """``data-*`` attributes; ``valid_from`` becomes ``data-valid-from``; None is left out."""
    return " ".join(
        f'data-{name.replace("_", "-")}="{esc(value)}"'
        for name, value in attributes.items()
        if value is not None
    )


def period_title(label: str | None) -> str:
    """``2025-YTD-02`` reads as ``Jan-Feb 2025``; other labels are already readable."""
    match = re.fullmatch(r"(\d{4})-YTD-(\d{2})", label or "")
    if not match or not 1 <= int(match[2]) <= 12:
        return label or ""
    year, month = match[1], int(match[2])
    first, last = calendar.month_abbr[1], calendar.month_abbr[month]
    return f"{first} {year}" if month == 1 else f"{first}-{last} {year}"


def number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def percent(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}%"


def day(value: date | None, open_text: str = "") -> str:
    return value.isoformat() if value else open_text


def selectors(selection: Selection) -> dict[str, str | None]:
    """The query-string parameters of a selection (app.parse_selection reads them back)."""
    return {
        "band": selection.band,
        "period": selection.period,
        "lane": selection.lane,
        "lane_q": selection.lane_search,
    }


def query(selection: Selection, **changes: str | None) -> str:
    """A link to this page with one selector changed and the others kept."""
    params = {**selectors(selection), **changes}
    return "?" + urlencode({key: value for key, value in params.items() if value})


def hidden_inputs(selection: Selection, skip: str) -> str:
    """Keep the other selectors when one form is submitted."""
    values = selectors(selection)
    return "".join(
        f'<input type="hidden" name="{name}" value="{esc(value)}">'
        for name, value in values.items()
        if name != skip and value
    )


def select(
    name: str, label: str, options: list[tuple[str, str]], chosen: str | None, selection: Selection
) -> str:
    """A GET form with one drop-down; it submits on change, or with the button without JS."""
    items = "".join(
        f'<option value="{esc(value)}"{" selected" if value == chosen else ""}>{esc(text)}</option>'
        for value, text in options
    )
    return (
        f'<form method="get" class="selector">{hidden_inputs(selection, name)}'
        f'<label>{esc(label)} <select name="{name}" onchange="this.form.submit()">{items}'
        f'</select></label> <button type="submit">Show</button></form>'
    )


def header(snapshot: Snapshot) -> str:
    drops = snapshot.drop_dates
    covered = f"{len(drops)} drops, {day(drops[0])} to {day(drops[-1])}" if drops else "no drops"
    published = (
        snapshot.published_at.strftime("%Y-%m-%d %H:%M %Z")
        if isinstance(snapshot.published_at, datetime)
        else esc(snapshot.published_at)
    )
    all_drops = ", ".join(day(d) for d in drops)
    return (
        f'<header id="publication" {data(version=snapshot.version)}>'
        f"<h1>autotrade: China premium cars and trade duties</h1>"
        f'<p>Published version <code class="version">{esc(snapshot.version)}</code> at '
        f"{esc(published)} &middot; {snapshot.table_count} tables &middot; covers "
        f'<span title="{esc(all_drops)}">{esc(covered)}</span></p>'
        f'<details><summary>Drop dates</summary><p class="drops">{esc(all_drops)}</p></details>'
        f"</header>"
    )


def notices(snapshot: Snapshot) -> str:
    if not snapshot.notices:
        return ""
    items = "".join(f"<li>{esc(text)}</li>" for text in snapshot.notices)
    return f'<ul class="notices" id="notices">{items}</ul>'


def band_share(snapshot: Snapshot) -> str:
    selection = snapshot.selection
    shares = {(month, brand): share for month, brand, _, share in snapshot.band_shares}
    units = {(month, brand): value for month, brand, value, _ in snapshot.band_shares}
    chooser = select(
        "band", "Price band", [(b, b) for b in snapshot.bands], selection.band, selection
    )
    legend = "".join(
        f'<span class="key"><i style="background:{charts.colour(i)}"></i>{esc(brand)}</span>'
        for i, brand in enumerate(snapshot.band_brands)
    )
    head = "".join(f"<th>{esc(brand)}</th>" for brand in snapshot.band_brands)
    rows = "".join(
        _band_share_row(month, snapshot.band_brands, shares, units)
        for month in reversed(snapshot.band_months)
    )
    body = (
        f'<div class="legend">{legend}</div>'
        f"{charts.share_lines(snapshot.band_months, snapshot.band_brands, shares)}"
        f'<details><summary>Shares by month (table)</summary><table class="numbers">'
        f"<thead><tr><th>Month</th>{head}</tr></thead><tbody>{rows}</tbody></table></details>"
        if snapshot.band_months
        else '<p class="empty">No monthly figures for this band.</p>'
    )
    return (
        f'<section id="band-share" {data(band=selection.band)}>'
        f"<h2>Brand share of the {esc(selection.band)} band, by month</h2>{chooser}"
        f'<p class="hint">Share of the band\'s units, top {len(snapshot.band_brands)} brands '
        f"over all months shown.</p>{body}</section>"
    )


def _band_share_row(month, brands, shares, units) -> str:
    cells = "".join(
        _band_share_cell(month, b, shares.get((month, b)), units.get((month, b))) for b in brands
    )
    return f'<tr {data(period=month)}><th scope="row">{esc(month)}</th>{cells}</tr>'


def _band_share_cell(month: str, brand: str, share: float | None, units: int | None) -> str:
    attributes = data(period=month, brand=brand, share=_round(share), units=units)
    return f"<td {attributes}>{percent(share)}</td>"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def leaders(snapshot: Snapshot) -> str:
    selection = snapshot.selection
    options = [
        (label, f"{label} ({period_title(label)})" if kind == "ytd" else label)
        for kind, label in snapshot.leader_periods
    ]
    if snapshot.period and snapshot.period not in [value for value, _ in options]:
        options.append((snapshot.period, snapshot.period))
    chooser = select("period", "Period", options, snapshot.period, selection)
    peak = max((row[2] for row in snapshot.leaders), default=0) or 1
    rows = "".join(_leader_row(row, peak) for row in snapshot.leaders)
    table = (
        '<table class="numbers"><thead><tr><th>Rank</th><th>Brand</th><th>Units</th>'
        "<th>Share</th><th>vs a year earlier</th><th></th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if snapshot.leaders
        else '<p class="empty">No figures for this period.</p>'
    )
    return (
        f'<section id="leaders" {data(band=LEADERS_BAND, period=snapshot.period)}>'
        f"<h2>Leaders above 500,000 yuan ({esc(LEADERS_BAND)}), "
        f"{esc(period_title(snapshot.period))}</h2>"
        f"{chooser}{table}</section>"
    )


def _leader_row(row: tuple, peak: int) -> str:
    rank, brand, units, share, yoy = row
    bar = 100 * units / peak
    return (
        f"<tr {data(rank=rank, brand=brand, units=units, share=_round(share))}>"
        f"<td>{rank}</td><td>{esc(brand)}</td><td>{number(units)}</td><td>{percent(share)}</td>"
        f"<td>{percent(yoy) or '&ndash;'}</td>"
        f'<td class="barcell"><span class="bar" style="width:{bar:.0f}%"></span></td></tr>'
    )


def model_prices(snapshot: Snapshot) -> str:
    rows = "".join(_price_row(row) for row in snapshot.model_prices)
    table = (
        '<table class="numbers"><thead><tr><th>Trim</th><th>Powertrain</th><th>MSRP (yuan)</th>'
        f"<th>Valid from</th><th>Valid to</th></tr></thead><tbody>{rows}</tbody></table>"
        if snapshot.model_prices
        else '<p class="empty">No price history for this model.</p>'
    )
    return (
        f'<section id="m9-prices" {data(brand=PRICE_BRAND, model=PRICE_MODEL)}>'
        f"<h2>{esc(PRICE_BRAND)} {esc(PRICE_MODEL)} guide prices by trim</h2>{table}</section>"
    )


def _price_row(row: tuple) -> str:
    trim, powertrain, msrp, valid_from, valid_to, is_current = row
    attributes = data(
        trim=trim,
        powertrain=powertrain,
        msrp=msrp,
        valid_from=day(valid_from),
        valid_to=day(valid_to) or None,
        current="true" if is_current else "false",
    )
    current = ' class="current"' if is_current else ""
    return (
        f"<tr {attributes}{current}>"
        f"<td>{esc(trim)}</td><td>{esc(powertrain)}</td><td>{number(msrp)}</td>"
        f"<td>{day(valid_from)}</td><td>{day(valid_to, 'current')}</td></tr>"
    )


def lane_label(lane: Lane) -> str:
    company = lane.company or "all other companies"
    partner = "any partner" if lane.partner == "*" else lane.partner
    return f"{lane.reporter} on {partner}, HS {lane.hs_code}, {company}"


def lane_search(selection: Selection) -> str:
    """A GET form with a search box: the server lists the lanes matching its words."""
    searched = data(search=selection.lane_search)
    return (
        f'<form method="get" class="selector" id="lane-search" {searched}>'
        f"{hidden_inputs(selection, 'lane_q')}"
        f'<label>Find a lane <input type="search" name="lane_q" '
        f'value="{esc(selection.lane_search)}" placeholder="e.g. US CN 8703.80, or BYD">'
        f'</label> <button type="submit">Search</button></form>'
    )


def duty_stack(snapshot: Snapshot) -> str:
    lane = snapshot.lane
    rows = "".join(_duty_row(row) for row in snapshot.duty_stack)
    detail = (
        f"{charts.duty_steps(snapshot.duty_stack)}"
        '<table class="numbers"><thead><tr><th>Valid from</th><th>Valid to</th><th>Total duty</th>'
        f"<th>Components</th><th>Observed</th></tr></thead><tbody>{rows}</tbody></table>"
        if snapshot.duty_stack
        else '<p class="empty">No lanes in this snapshot.</p>'
    )
    title = esc(lane_label(lane)) if lane else ""
    return (
        f'<section id="duty-stack" {data(lane=lane.key if lane else None)}>'
        f"<h2>Duty stack: {title}</h2>{detail}{lane_search(snapshot.selection)}"
        f"{lane_list(snapshot)}</section>"
    )


def _duty_row(row: tuple) -> str:
    valid_from, valid_to, rate, components, observed = row
    attributes = data(
        valid_from=day(valid_from),
        valid_to=day(valid_to) or None,
        total_rate=f"{rate:.1f}",
        observed_rate=None if observed is None else f"{observed:.1f}",
    )
    return (
        f"<tr {attributes}><td>{day(valid_from)}</td><td>{day(valid_to, 'open')}</td>"
        f"<td>{rate:.1f}%</td><td>{esc(components)}</td><td>{percent(observed)}</td></tr>"
    )


def lane_list(snapshot: Snapshot) -> str:
    """The lanes the search found, with their latest rate, each a link that keeps the other
    selectors; at most LANE_RESULTS of them, and how many matched in all."""
    rows = []
    for reporter, partner, hs_code, company, intervals, latest, latest_from, _ in snapshot.lanes:
        lane = Lane(reporter, partner, hs_code, company)
        chosen = ' class="chosen"' if lane == snapshot.lane else ""
        link = esc(query(snapshot.selection, lane=lane.key))
        rows.append(
            f"<tr {data(lane=lane.key, latest_rate=f'{latest:.1f}')}{chosen}>"
            f"<td>{esc(reporter)}</td><td>{esc(partner)}</td><td>{esc(hs_code)}</td>"
            f'<td><a href="{link}">{esc(company or "(all others)")}</a></td>'
            f"<td>{intervals}</td><td>{latest:.1f}% from {day(latest_from)}</td></tr>"
        )
    matches = snapshot.lanes[0][-1] if snapshot.lanes else 0
    searched = snapshot.selection.lane_search
    summary = f"{len(rows)} of {matches} lanes" + (f" matching {searched!r}" if searched else "")
    return (
        f'<details id="lanes" open {data(matches=matches, shown=len(rows))}>'
        f'<summary>{esc(summary)}</summary><table class="numbers compact">'
        "<thead><tr><th>Reporter</th><th>Partner</th><th>HS</th><th>Company</th>"
        f"<th>Intervals</th><th>Latest</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</details>"
    )


def page(snapshot: Snapshot) -> str:
    body = "".join(
        (
            header(snapshot),
            notices(snapshot),
            '<main class="grid">',
            leaders(snapshot),
            model_prices(snapshot),
            band_share(snapshot),
            duty_stack(snapshot),
            "</main>",
        )
    )
    return PAGE.substitute(title="autotrade dashboard", style=STYLE, body=body)


def message_page(title: str, paragraphs: list[str], page_id: str) -> str:
    """A page with a message only: no snapshot yet, or the request failed."""
    text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    body = f'<section id="{esc(page_id)}" class="message"><h1>{esc(title)}</h1>{text}</section>'
    return PAGE.substitute(title=esc(title), style=STYLE, body=body)


def no_snapshot_page(database: Path) -> str:
    return message_page(
        "No published snapshot yet",
        [
            f"The dashboard reads <code>{esc(database)}</code>, which does not exist yet.",
            "Create it by running the pipeline from the repository root: <code>make run</code>; "
            "then reload this page.",
            "To read another place, start the dashboard with <code>--publish DIR</code> or set "
            "<code>AUTOTRADE_PUBLISH</code>.",
        ],
        "no-snapshot",
    )


def error_page(error: BaseException) -> str:
    return message_page(
        "The snapshot could not be read",
        [
            f"<code>{esc(type(error).__name__)}: {esc(error)}</code>",
            "The server keeps running; reload once the pipeline has published again.",
        ],
        "error",
    )
