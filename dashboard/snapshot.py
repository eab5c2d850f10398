"""Read the figures the page shows from the published snapshot, one short-lived connection each.

``<publish>/autotrade.duckdb`` is a link through ``<publish>/current``, which a publish switches
to the new version: a connection that is already open keeps reading the old file, a new one
opens the new file (DuckDB 2.0 follows the link when it looks up its per-process instance
cache). So every request opens its own read-only connection and closes it before the page is
sent; nothing is cached between requests, and a refresh after a publish shows the new version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from orchestration.seeds import read_seed

QUERIES_FILE = Path(__file__).with_name("queries.sql")
DATABASE_NAME = "autotrade.duckdb"

# The contract's price bands, cheapest first (the seed price_bands); others sort after them.
BAND_ORDER = (
    read_seed("price_bands").sort(pl.col("band_order").cast(pl.Int32))["price_band"].to_list()
)
DEFAULT_BAND = "500k+"
LEADERS_BAND = "500k+"
LEADERS_TOP = 5
BAND_TOP_BRANDS = 6
PRICE_BRAND, PRICE_MODEL = "AITO", "M9"
# EU countervailing duties on Chinese-made EVs: the lane the project's tariff facts start from.
DEFAULT_LANE = "EU|CN|8703.80|BYD"
LANE_SEPARATOR = "|"
# Lanes listed per search: a national schedule has far more lanes than a page can show.
LANE_RESULTS = 50


def load_queries(path: Path = QUERIES_FILE) -> dict[str, str]:
    """The named queries of queries.sql: ``-- name: key`` up to the next such line."""
    parts = re.split(r"^-- name: *(\w+) *$", path.read_text(), flags=re.MULTILINE)
    return {
        key: body.strip().rstrip(";") for key, body in zip(parts[1::2], parts[2::2], strict=True)
    }


QUERIES = load_queries()


@dataclass(frozen=True)
class Lane:
    reporter: str
    partner: str
    hs_code: str
    company: str | None

    @property
    def key(self) -> str:
        return LANE_SEPARATOR.join((self.reporter, self.partner, self.hs_code, self.company or ""))

    def params(self) -> dict[str, str | None]:
        """Bind parameters of the duty_stack query."""
        return {
            "reporter": self.reporter,
            "partner": self.partner,
            "hs_code": self.hs_code,
            "company": self.company,
        }

    @classmethod
    def parse(cls, key: str) -> Lane | None:
        """``EU|CN|8703.80|BYD``; an empty last part is the lane without a company."""
        parts = key.split(LANE_SEPARATOR)
        if len(parts) != 4 or not all(parts[:3]):
            return None
        reporter, partner, hs_code, company = (part.strip() for part in parts)
        return cls(reporter, partner, hs_code, company or None)


@dataclass(frozen=True)
class Selection:
    """What the visitor asked for in the query string (raw text; validated against the data)."""

    band: str = DEFAULT_BAND
    period: str | None = None
    lane: str | None = None
    lane_search: str | None = None


@dataclass
class Snapshot:
    """Everything one page shows, read in one connection."""

    version: str
    published_at: datetime | None
    drop_dates: list[date]
    table_count: int
    selection: Selection
    bands: list[str]
    band_months: list[str]
    band_brands: list[str]
    band_shares: list[tuple]  # (period_label, brand, units, share_pct)
    leader_periods: list[tuple]  # (period_type, period_label)
    period: str | None
    leaders: list[tuple]  # (rank, brand, units, share_pct, yoy_pct)
    model_prices: list[tuple]  # (trim, powertrain, msrp_cny, valid_from, valid_to, is_current)
    # The lanes matching the search, at most LANE_RESULTS: (reporter, partner, hs_code,
    # company, intervals, latest_rate, latest_from, matches), matches = all lanes that match.
    lanes: list[tuple]
    lane: Lane | None
    duty_stack: list[tuple]  # (valid_from, valid_to, total_rate_pct, components, observed_rate)
    notices: list[str] = field(default_factory=list)


def database_path(publish_dir: Path) -> Path:
    return publish_dir / DATABASE_NAME


@contextmanager
def connect(publish_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published file, closed when the request is done."""
    connection = duckdb.connect(str(database_path(publish_dir)), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def fetch(connection: duckdb.DuckDBPyConnection, name: str, **params) -> list[tuple]:
    return connection.execute(QUERIES[name], params).fetchall()


def published_version(publish_dir: Path) -> str | None:
    """The version of the published snapshot, or None when nothing is published yet."""
    if not database_path(publish_dir).exists():
        return None
    with connect(publish_dir) as connection:
        return fetch(connection, "publication")[0][0]


def choose_period(connection: duckdb.DuckDBPyConnection, requested: str | None) -> str | None:
    """The requested period, else the latest year-to-date label (the running figure)."""
    if requested:
        return requested
    return fetch(connection, "latest_ytd", band=LEADERS_BAND)[0][0]


def choose_lane(
    connection: duckdb.DuckDBPyConnection, requested: str | None, found: list[tuple], notices: list
) -> tuple[Lane | None, list[tuple]]:
    """The requested lane if it has a duty stack, else the default lane, else the first lane
    found by the search; with its stack."""
    if requested:
        lane = Lane.parse(requested)
        stack = fetch(connection, "duty_stack", **lane.params()) if lane else []
        if stack:
            return lane, stack
        notices.append(f"No duty stack for lane {requested!r}; showing the default lane.")
    for lane in (Lane.parse(DEFAULT_LANE), *(Lane(*row[:4]) for row in found[:1])):
        stack = fetch(connection, "duty_stack", **lane.params())
        if stack:
            return lane, stack
    return None, []


def read_publication(connection: duckdb.DuckDBPyConnection) -> dict:
    version, published_at, drop_dates, table_count = fetch(connection, "publication")[0]
    return {
        "version": version,
        "published_at": published_at,
        "drop_dates": list(drop_dates or []),
        "table_count": table_count,
    }


def read_band_share(connection: duckdb.DuckDBPyConnection, band: str, notices: list) -> dict:
    bands = [row[0] for row in fetch(connection, "bands", band_order=BAND_ORDER)]
    if band not in bands:
        notices.append(f"No price band {band!r} in this snapshot.")
    brands = [
        row[0] for row in fetch(connection, "band_top_brands", band=band, top=BAND_TOP_BRANDS)
    ]
    return {
        "bands": bands,
        "band_months": [row[0] for row in fetch(connection, "band_months", band=band)],
        "band_brands": brands,
        "band_shares": fetch(connection, "band_shares", band=band, brands=brands),
    }


def read_leaders(connection: duckdb.DuckDBPyConnection, period: str | None, notices: list) -> dict:
    period = choose_period(connection, period)
    leaders = fetch(connection, "leaders", band=LEADERS_BAND, period=period, top=LEADERS_TOP)
    if period and not leaders:
        notices.append(f"No {LEADERS_BAND} figures for period {period!r}.")
    return {
        "leader_periods": fetch(connection, "leader_periods", band=LEADERS_BAND),
        "period": period,
        "leaders": leaders,
    }


def read_model_prices(connection: duckdb.DuckDBPyConnection) -> dict:
    return {"model_prices": fetch(connection, "model_prices", brand=PRICE_BRAND, model=PRICE_MODEL)}


def read_duty_stack(connection: duckdb.DuckDBPyConnection, selection: Selection, notices: list):
    words = (selection.lane_search or "").split()
    lanes = fetch(connection, "lanes", words=words, limit=LANE_RESULTS)
    if words and not lanes:
        notices.append(f"No lane matches {selection.lane_search!r}.")
    chosen, stack = choose_lane(connection, selection.lane, lanes, notices)
    return {"lanes": lanes, "lane": chosen, "duty_stack": stack}


def read_snapshot(publish_dir: Path, selection: Selection) -> Snapshot:
    """Every figure of the page for ``selection``, in one connection (one consistent file);
    raises if the file cannot be read."""
    notices: list[str] = []
    with connect(publish_dir) as connection:
        return Snapshot(
            selection=selection,
            notices=notices,
            **read_publication(connection),
            **read_band_share(connection, selection.band, notices),
            **read_leaders(connection, selection.period, notices),
            **read_model_prices(connection),
            **read_duty_stack(connection, selection, notices),
        )
