"""The ``raw`` views in DuckDB over the raw Parquet files, on fresh warehouses in tmp_path.

Column types follow docs/design.md and the feeds: periods and validity dates are dates, unit
counts and prices whole numbers, rates decimals; ``quarantined_rows`` has
(feed, source_file, line_number, field, value, reason, drop_date).
"""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.feeds import SALES, TARIFFS
from orchestration.ingest.ingest import ingest_drop
from orchestration.ingest.raw_views import declare_raw_views

DROP = date(2025, 3, 1)
PROVENANCE = [("drop_date", "DATE"), ("source_file", "VARCHAR"), ("line_number", "BIGINT")]
QUARANTINE = [
    ("feed", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("line_number", "BIGINT"),
    ("field", "VARCHAR"),
    ("value", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("drop_date", "DATE"),
]
EXPECTED_COLUMNS = {
    "sales": PROVENANCE
    + [
        ("period", "DATE"),
        ("brand", "VARCHAR"),
        ("group", "VARCHAR"),
        ("model", "VARCHAR"),
        ("trim", "VARCHAR"),
        ("powertrain", "VARCHAR"),
        ("msrp_cny", "BIGINT"),
        ("units", "BIGINT"),
        ("origin", "VARCHAR"),
        ("source", "VARCHAR"),
        ("extra", "VARCHAR"),
    ],
    "tariffs": PROVENANCE
    + [
        ("reporter", "VARCHAR"),
        ("partner", "VARCHAR"),
        ("hs_code", "VARCHAR"),
        ("measure", "VARCHAR"),
        ("company", "VARCHAR"),
        ("rate_pct", "DOUBLE"),
        ("valid_from", "DATE"),
        ("valid_to", "DATE"),
        ("legal_basis", "VARCHAR"),
        ("source", "VARCHAR"),
        ("extra", "VARCHAR"),
        ("rate_text", "VARCHAR"),
        ("specific_amount", "DOUBLE"),
        ("specific_currency", "VARCHAR"),
        ("specific_unit", "VARCHAR"),
        ("valid_until_next", "BOOLEAN"),
    ],
    "sales_quarantine": QUARANTINE,
    "tariffs_quarantine": QUARANTINE,
}
MANIFEST_TYPES = {
    "drop_date": "DATE",
    "source_file": "VARCHAR",
    "sha256": "VARCHAR",
    "status": "VARCHAR",
    "rows_in": "BIGINT",
    "rows_loaded": "BIGINT",
    "rows_quarantined": "BIGINT",
    "raw_rows": "BIGINT",
    "ingested_at": "TIMESTAMP WITH TIME ZONE",
}


def columns(connection, view: str) -> list[tuple[str, str]]:
    return connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [view],
    ).fetchall()


def count(connection, view: str) -> int:
    return connection.execute(f"select count(*) from raw.{view}").fetchone()[0]


def declare_all(connection, raw: Path) -> None:
    for feed in (SALES, TARIFFS):
        declare_raw_views(connection, raw, feed)


def land_sales(landing: Path, text: str, name: str = "s.csv") -> None:
    folder = landing / "sales" / DROP.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


SALES_CSV = "period,brand,model,units\n2025-02,AITO,M9,17190\n2025-02,BMW,X5,-1\n"


@pytest.fixture
def connection(tmp_path):
    with duckdb.connect(str(tmp_path / "autotrade.duckdb")) as con:
        yield con


def test_views_exist_empty_with_typed_columns_before_any_drop(tmp_path, connection):
    declare_all(connection, tmp_path / "raw")

    for view, expected in EXPECTED_COLUMNS.items():
        assert columns(connection, view) == expected, view
        assert count(connection, view) == 0, view
    for feed in ("sales", "tariffs"):
        manifest = dict(columns(connection, f"{feed}_files"))
        assert {name: manifest.get(name) for name in MANIFEST_TYPES} == MANIFEST_TYPES
        assert count(connection, f"{feed}_files") == 0


def test_views_return_ingested_rows(tmp_path, connection):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    land_sales(landing, SALES_CSV)
    ingest_drop(SALES, landing, raw, DROP)
    declare_all(connection, raw)

    rows = connection.execute(
        "select source_file, line_number, period, brand, model, units from raw.sales"
    ).fetchall()
    assert rows == [(f"sales/{DROP}/s.csv", 2, date(2025, 2, 1), "AITO", "M9", 17190)]
    bad = connection.execute(
        "select source_file, line_number, field, value from raw.sales_quarantine"
    ).fetchall()
    assert bad == [(f"sales/{DROP}/s.csv", 3, "units", "-1")]
    manifest = connection.execute(
        "select source_file, status, rows_in, rows_loaded, rows_quarantined from raw.sales_files"
    ).fetchall()
    assert manifest == [(f"sales/{DROP}/s.csv", "loaded", 2, 1, 1)]
    assert count(connection, "tariffs") == 0


def test_views_declared_before_an_ingest_see_its_rows(tmp_path, connection):
    """The views read the files where they lie: no re-declaration needed after a drop."""
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    declare_all(connection, raw)
    land_sales(landing, SALES_CSV)
    ingest_drop(SALES, landing, raw, DROP)

    assert count(connection, "sales") == 1
    assert count(connection, "sales_quarantine") == 1
    assert columns(connection, "sales") == EXPECTED_COLUMNS["sales"]


def test_redeclaring_views_is_harmless(tmp_path, connection):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    land_sales(landing, SALES_CSV)
    ingest_drop(SALES, landing, raw, DROP)
    declare_all(connection, raw)
    declare_all(connection, raw)

    assert count(connection, "sales") == 1


@pytest.mark.parametrize(
    "folder",
    ["it's here", "x'); drop schema raw cascade; --"],
    ids=["quote", "sql"],
)
def test_odd_characters_in_the_raw_path(tmp_path, folder):
    """A path is data: quotes and SQL in it change nothing."""
    base = tmp_path / folder
    landing, raw = base / "landing", base / "raw"
    land_sales(landing, SALES_CSV)
    ingest_drop(SALES, landing, raw, DROP)
    with duckdb.connect(str(base / "autotrade.duckdb")) as connection:
        declare_all(connection, raw)
        assert count(connection, "sales") == 1
        assert count(connection, "sales_quarantine") == 1
        assert count(connection, "sales_files") == 1


def test_glob_characters_in_the_raw_path_are_refused_with_a_clear_error(tmp_path):
    """DuckDB reads [ ] * ? in a path as a pattern: refuse such a warehouse location up front,
    naming it, and leave the connection usable (no transaction left open)."""
    base = tmp_path / "brackets [copy]"
    landing, raw = base / "landing", base / "raw"
    land_sales(landing, SALES_CSV)
    ingest_drop(SALES, landing, raw, DROP)
    with duckdb.connect(str(tmp_path / "autotrade.duckdb")) as connection:
        with pytest.raises(ValueError, match=r"brackets \[copy\].*AUTOTRADE_WAREHOUSE"):
            declare_all(connection, raw)
        assert connection.execute("select 1").fetchone() == (1,)
