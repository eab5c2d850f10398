"""The measured workloads, one per subcommand; bench/run.py runs each in its own process.

    python bench/contenders.py <name> [args...]

Each prints one JSON object as its last line (what it did: rows, files, per-step times), so
the parent can check the contenders did the same work.
"""

from __future__ import annotations

import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def since(start: float) -> float:
    """Seconds since ``start``: the work itself, without the interpreter and its imports."""
    return round(time.perf_counter() - start, 2)


def sales_files(landing: Path) -> list[Path]:
    """Every sales CSV of the landing folder, oldest drop first."""
    return sorted((landing / "sales").glob("*/*.csv"))


def autotrade_ingest(landing: str, raw_dir: str) -> dict:
    """autotrade's ``ingest_drop`` over every sales drop: decoding, aliasing, parsing,
    quarantine, SHA-256 and manifests included."""
    from orchestration.ingest.feeds import FEEDS
    from orchestration.ingest.ingest import ingest_drop
    from orchestration.ingest.landing import drop_dates

    start, feed, loaded, quarantined = time.perf_counter(), FEEDS["sales"], 0, 0
    for day in drop_dates(Path(landing), feed.name):
        report = ingest_drop(feed, Path(landing), Path(raw_dir), day)
        loaded += report.total("rows_loaded")
        quarantined += report.total("rows_quarantined")
    return {"rows_loaded": loaded, "rows_quarantined": quarantined, "work_seconds": since(start)}


def polars_floor(landing: str, out_dir: str) -> dict:
    """The floor: ``pl.scan_csv(file).sink_parquet(...)`` per landed file, no parsing rules."""
    import polars as pl

    start = time.perf_counter()
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for number, path in enumerate(sales_files(Path(landing))):
        pl.scan_csv(path).sink_parquet(Path(out_dir) / f"{number:05d}.parquet")
    seconds = since(start)
    rows = pl.scan_parquet(Path(out_dir) / "*.parquet").select(pl.len()).collect().item()
    return {"rows_loaded": rows, "work_seconds": seconds}


def table_rows(database: str, table: str) -> int:
    """Rows of a table in a DuckDB file, counted from a fresh read-only connection."""
    import duckdb

    with duckdb.connect(database, read_only=True) as connection:
        return connection.execute(f"select count(*) from {table}").fetchone()[0]


def pandas_duckdb(landing: str, database: str) -> dict:
    """What users write by hand: pandas ``read_csv`` per file, inserted into a DuckDB table."""
    import duckdb
    import pandas as pd

    start, connection = time.perf_counter(), duckdb.connect(database)
    for number, path in enumerate(sales_files(Path(landing))):
        connection.register("frame", pd.read_csv(path))
        if number == 0:
            connection.execute("create table sales as select * from frame")
        else:
            connection.execute("insert into sales select * from frame")
    connection.close()
    seconds = since(start)
    return {"rows_loaded": table_rows(database, "sales"), "work_seconds": seconds}


def duckdb_ctas(landing: str, database: str) -> dict:
    """DuckDB alone: ``create table as select * from read_csv([...])`` into a file."""
    import duckdb

    files = [str(path) for path in sales_files(Path(landing))]
    start, connection = time.perf_counter(), duckdb.connect(database)
    connection.execute("create table sales as select * from read_csv(?)", [files])
    connection.close()
    seconds = since(start)
    return {"rows_loaded": table_rows(database, "sales"), "work_seconds": seconds}


def _snapshot_sql(node: dict, source: str) -> str:
    """A check snapshot's first load: its relation plus dbt's four metadata columns."""
    key = node["config"]["unique_key"]
    return (
        f"select *, md5(cast({key} as varchar) || cast(now() as varchar)) as dbt_scd_id, "
        "now()::timestamp as dbt_updated_at, now()::timestamp as dbt_valid_from, "
        f"null::timestamp as dbt_valid_to from {source}"
    )


def _statement(node: dict, nodes: dict, target: Path) -> str:
    """The DDL that builds a model (its compiled SQL, its materialisation) or a snapshot."""
    relation = node["relation_name"]
    if node["resource_type"] == "snapshot":
        upstream = nodes[node["depends_on"]["nodes"][0]]["relation_name"]
        return f"create or replace table {relation} as {_snapshot_sql(node, upstream)}"
    compiled = (target / "compiled" / "autotrade" / node["original_file_path"]).read_text()
    kind = "view" if node["config"]["materialized"] == "view" else "table"
    return f"create or replace {kind} {relation} as {compiled}"


def direct_sql(database: str, target: str) -> dict:
    """dbt's compiled model SQL run straight in DuckDB, in dependency order (no dbt), with the
    DuckDB settings dbt's profile gives (the memory limit; insertion order not kept). The
    SQL is that of a full build (``dbt build --full-refresh``): incremental models compile to
    their whole-history form."""
    import duckdb

    from orchestration.resources import settings_from_environment

    manifest = json.loads((Path(target) / "manifest.json").read_text())
    nodes = {
        key: node
        for key, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "snapshot")
    }
    graph = {key: [d for d in n["depends_on"]["nodes"] if d in nodes] for key, n in nodes.items()}
    config = settings_from_environment().duckdb_config | {"preserve_insertion_order": False}
    connection = duckdb.connect(database, config=config)
    seconds = {}
    for key in TopologicalSorter(graph).static_order():
        node = nodes[key]
        connection.execute(f"create schema if not exists {node['schema']}")
        start = time.perf_counter()
        connection.execute(_statement(node, nodes, Path(target)))
        seconds[node["name"]] = round(time.perf_counter() - start, 3)
    connection.close()
    return {"models": len(seconds), "seconds": seconds}


def gx_suites(database: str) -> dict:
    """Every Great Expectations suite (``expectations.run_suite``) on the warehouse, with the
    DuckDB settings a pipeline run gives it."""
    import expectations
    from orchestration.resources import settings_from_environment

    config = settings_from_environment().duckdb_config
    seconds, failed = {}, []
    for name in expectations.suite_names():
        start = time.perf_counter()
        result = expectations.run_suite(database, name, config)
        seconds[name] = round(time.perf_counter() - start, 3)
        if not result.passed:
            failed.append(name)
    return {"suites": len(seconds), "failed": failed, "seconds": seconds}


CONTENDERS = {
    "autotrade-ingest": autotrade_ingest,
    "polars-floor": polars_floor,
    "pandas-duckdb": pandas_duckdb,
    "duckdb-ctas": duckdb_ctas,
    "direct-sql": direct_sql,
    "gx-suites": gx_suites,
}

if __name__ == "__main__":
    print(json.dumps(CONTENDERS[sys.argv[1]](*sys.argv[2:])))
