"""The dashboard over the real published snapshot, checked in a real headless browser.

The server runs as ``python -m dashboard`` on the snapshot the sample pipeline published;
Debian's Chromium loads each view and dumps the DOM it built, and the figures are read from
the ``data-*`` attributes of the rows (and their visible, formatted text). The tests without a
browser run the server in a thread: no snapshot yet, a snapshot replaced under a running
server, a snapshot that cannot be read, and hostile query strings.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from dashboard import snapshot
from dashboard.app import make_server
from dashboard.snapshot import LANE_RESULTS
from orchestration.publish import publish, rollback
from tests.browser import dump_dom, find_chromium
from tests.conftest import copy_of_sample_run

REPO = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT_S = 60
BYD_LANE = "EU|CN|8703.80|BYD"


# --- reading the DOM Chromium built -------------------------------------------------------


@dataclass
class Element:
    """An element that carries data-* attributes: where it sits and what it shows."""

    tag: str
    block: str | None  # id of the nearest enclosing element with an id
    id: str | None
    data: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


class DataElements(HTMLParser):
    """Collects every element with data-* attributes, with its enclosing block and text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None, Element | None]] = []
        self.elements: list[Element] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        data = {k[5:]: v or "" for k, v in attributes.items() if k.startswith("data-")}
        element = None
        if data:
            block = next((ident for _, ident, _ in reversed(self.open) if ident), None)
            element = Element(tag, block, attributes.get("id"), data)
            self.elements.append(element)
        if tag not in self.VOID:
            self.open.append((tag, attributes.get("id"), element))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, text):
        for _, _, element in self.open:
            if element is not None:
                element.parts.append(text)


def data_elements(dom: str) -> list[Element]:
    parser = DataElements()
    parser.feed(dom)
    parser.close()
    return parser.elements


def block(elements: list[Element], ident: str) -> Element:
    found = [e for e in elements if e.id == ident]
    assert len(found) == 1, f"expected one element with id={ident!r}, found {len(found)}"
    return found[0]


def rows(elements: list[Element], ident: str) -> list[Element]:
    """The rows (tr) inside the block with id ``ident``, in page order."""
    return [e for e in elements if e.block == ident and e.tag == "tr"]


# --- the browser ----------------------------------------------------------------------------


def read_address(process: subprocess.Popen) -> str:
    """The URL the server prints once it listens (it was started with --port 0)."""
    ready, _, _ = select.select([process.stdout], [], [], SERVER_START_TIMEOUT_S)
    line = process.stdout.readline() if ready else ""
    match = re.search(r"http://\S+/", line)
    assert match, f"the dashboard did not start (exit code {process.poll()}): {line!r}"
    return match.group(0)


@pytest.fixture(scope="module")
def dashboard_url(sample_run, tmp_path_factory):
    """``python -m dashboard`` over the snapshot the sample pipeline published."""
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    command = [sys.executable, "-m", "dashboard", "--port", "0"]
    command += ["--publish", str(sample_run.settings.publish)]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        try:
            yield read_address(process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Seen once in a full suite on a loaded machine; not yet explained.
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def browse(dashboard_url, tmp_path_factory):
    """Load a view (a query string) in Chromium; the data-* elements of the DOM it built."""
    seen: dict[str, list[Element]] = {}

    def load(query: str = "") -> list[Element]:
        if query not in seen:
            profile = tmp_path_factory.mktemp("chromium-profile")
            seen[query] = data_elements(dump_dom(find_chromium(), dashboard_url + query, profile))
        return seen[query]

    return load


@pytest.fixture(scope="module")
def published(sample_run):
    with sample_run.published() as connection:
        yield connection


# --- the figures, as the browser shows them -------------------------------------------------


def test_leaders_above_500k_for_january_february_2025(browse):
    page = browse("?period=2025-YTD-02")
    assert block(page, "leaders").data["period"] == "2025-YTD-02"
    leaders = rows(page, "leaders")
    assert len(leaders) == 5
    top3 = [(r.data["rank"], r.data["brand"], r.data["units"]) for r in leaders[:3]]
    assert top3 == [("1", "Mercedes-Benz", "22160"), ("2", "BMW", "18130"), ("3", "AITO", "17190")]
    for row, shown in zip(leaders, ["22,160", "18,130", "17,190"], strict=False):
        assert shown in row.text, f"{row.data['brand']} row shows {row.text!r}"


def test_aito_leads_the_500k_band_in_2024(browse):
    leaders = rows(browse("?period=2024"), "leaders")
    assert (leaders[0].data["rank"], leaders[0].data["brand"]) == ("1", "AITO")


def test_leaders_default_to_the_latest_year_to_date(browse, published):
    (latest,) = published.execute(
        "select max(period_label) from marts.mart_brand_band_period "
        "where period_type = 'ytd' and price_band = '500k+'"
    ).fetchone()
    assert block(browse(), "leaders").data["period"] == latest


def test_m9_price_history_shows_509800_for_a_bev_trim_in_2024(browse):
    prices = rows(browse(), "m9-prices")
    assert {r.data["trim"] for r in prices} >= {"Max BEV 6-seat"}
    in_2024 = [
        r
        for r in prices
        if r.data["powertrain"] == "BEV"
        and r.data["valid-from"] <= "2024-12-31"
        and r.data.get("valid-to", "9999-12-31") >= "2024-01-01"
    ]
    cheapest = min(in_2024, key=lambda r: int(r.data["msrp"]))
    assert cheapest.data["msrp"] == "509800"
    assert "509,800" in cheapest.text
    assert (cheapest.data["valid-from"], cheapest.data["valid-to"]) == ("2023-12-01", "2024-12-31")


def test_duty_stack_of_byd_evs_into_the_eu(browse, published):
    page = browse("?lane=" + quote(BYD_LANE, safe=""))
    assert block(page, "duty-stack").data["lane"] == BYD_LANE
    intervals = {
        r.data["valid-from"]: r for r in rows(page, "duty-stack") if "total-rate" in r.data
    }
    final = intervals["2024-10-30"]
    assert final.data["total-rate"] == "27.0"
    assert "valid-to" not in final.data  # still in force
    assert "27.0%" in final.text and "CVD 17.0% (BYD)" in final.text
    lanes = [r for r in rows(page, "lanes") if "latest-rate" in r.data]
    (count,) = published.execute(
        "select count(*) from (select distinct reporter, partner, hs_code, company "
        "from marts.mart_duty_stack)"
    ).fetchone()
    assert block(page, "lanes").data["matches"] == str(count)
    assert len(lanes) == min(count, LANE_RESULTS)
    assert BYD_LANE in {r.data["lane"] for r in lanes}


def test_the_lane_search_lists_the_lanes_holding_every_word(browse, published):
    page = browse("?lane_q=" + quote("us 870380"))
    found = {r.data["lane"] for r in rows(page, "lanes") if "latest-rate" in r.data}
    expected = {
        f"{reporter}|{partner}|{hs_code}|{company or ''}"
        for reporter, partner, hs_code, company in published.execute(
            "select distinct reporter, partner, hs_code, company from marts.mart_duty_stack "
            "where (reporter = 'US' or partner = 'US') and hs_code = '8703.80'"
        ).fetchall()
    }
    assert found == expected and len(found) > 1
    assert block(page, "lanes").data["matches"] == str(len(expected))
    assert block(page, "lane-search").data["search"] == "us 870380"  # kept in the box


def test_a_search_that_finds_nothing_says_so(browse):
    page = browse("?lane_q=nowhere")
    assert block(page, "lanes").data["matches"] == "0"
    assert block(page, "duty-stack").data["lane"] == BYD_LANE  # the default lane stays shown


def test_the_lane_list_is_cut_at_the_limit_and_counts_every_match(sample_run, monkeypatch):
    monkeypatch.setattr(snapshot, "LANE_RESULTS", 5)
    shown = snapshot.read_snapshot(sample_run.settings.publish, snapshot.Selection())
    (count,) = {row[-1] for row in shown.lanes}
    assert len(shown.lanes) == 5 < count
    assert shown.lanes == sorted(shown.lanes, key=lambda r: (r[0], r[1], r[2], r[3] or ""))


def test_band_share_by_month_matches_the_mart(browse, published):
    page = browse("?band=" + quote("500k+", safe=""))
    assert block(page, "band-share").data["band"] == "500k+"
    cells = {
        (cell.data["period"], cell.data["brand"]): cell
        for cell in page
        if cell.tag == "td" and cell.block == "band-share"
    }
    expected = published.execute(
        "select period_label, brand, share_pct, units from marts.mart_brand_band_period "
        "where period_type = 'month' and price_band = '500k+' and period_label = '2025-02' "
        "and brand in ('Mercedes-Benz', 'BMW', 'AITO')"
    ).fetchall()
    assert len(expected) == 3
    for period, brand, share, units in expected:
        cell = cells[(period, brand)]
        assert float(cell.data["share"]) == pytest.approx(share, abs=0.005)
        assert cell.data["units"] == str(units)
        assert f"{share:.1f}%" in cell.text


def test_band_selector_switches_band(browse):
    page = browse("?band=" + quote("300k-500k", safe=""))
    assert block(page, "band-share").data["band"] == "300k-500k"
    assert rows(page, "band-share"), "no months shown for the 300k-500k band"


def test_header_shows_the_published_version(browse, published):
    version, drops = published.execute(
        "select any_value(version), any_value(drop_dates) from meta.publication"
    ).fetchone()
    header = block(browse(), "publication")
    assert header.data["version"] == version
    assert version in header.text
    assert str(drops[0]) in header.text and str(drops[-1]) in header.text


# --- the server without a browser -------------------------------------------------------------


@contextmanager
def serving(publish_dir: Path):
    """The dashboard server in a thread of this process, on a free port."""
    server = make_server(publish_dir, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def copied(sample_run, tmp_path):
    """The session's warehouse and published snapshot, copied: tests here may replace them."""
    settings = copy_of_sample_run(sample_run, tmp_path)
    return settings.warehouse, settings.publish


def test_without_a_snapshot_the_page_says_how_to_create_one(tmp_path):
    with serving(tmp_path / "published") as url:
        status, body = get(url)
        assert status == 200
        assert "No published snapshot yet" in body and "make run" in body
        assert get(url + "health")[0] == 503


def test_a_replaced_snapshot_shows_on_the_next_request(copied):
    warehouse, publish_dir = copied
    with serving(publish_dir) as url:
        status, text = get(url + "health")
        first = text.strip()
        assert status == 200 and first
        second = publish(warehouse, publish_dir).version
        assert second != first
        assert get(url + "health") == (200, f"{second}\n")
        status, body = get(url)
        assert status == 200 and f'data-version="{second}"' in body
        assert rollback(publish_dir) == first  # the same atomic swap, backwards
        status, body = get(url)
        assert status == 200 and f'data-version="{first}"' in body


def test_an_unreadable_snapshot_is_an_error_page_and_the_server_lives_on(copied):
    _, publish_dir = copied
    database = publish_dir / "autotrade.duckdb"
    good, bad = publish_dir / "good.duckdb", publish_dir / "bad.duckdb"
    shutil.copy2(database, good)
    bad.write_bytes(b"not a duckdb file" * 100)
    # Replaced by a rename (normally the published path is a link through current/).
    os.replace(bad, database)
    with serving(publish_dir) as url:
        status, body = get(url)
        assert status == 500 and "could not be read" in body
        assert get(url + "health")[0] == 503
        os.replace(good, database)
        status, body = get(url)
        assert status == 200 and 'id="leaders"' in body
        assert get(url + "nowhere")[0] == 404


def test_query_values_are_escaped_and_bound(copied):
    _, publish_dir = copied
    hostile = "<script>alert(1)</script>' or 1=1 --"
    with serving(publish_dir) as url:
        for name in ("band", "period", "lane"):
            status, body = get(f"{url}?{name}={quote(hostile, safe='')}")
            assert status == 200, body
            assert "<script>" not in body
            assert "&lt;script&gt;" in body  # shown back as text, in the notice
