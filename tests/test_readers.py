"""BI keeps reading while the pipeline runs: a separate process reads the published snapshot
in a loop while the real pipeline runs three times (a re-run, a new drop, a drop whose checks
fail). Every read must succeed and see one whole version."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
from dagster import DagsterInstance

from orchestration.publish import publish
from tests.conftest import copy_of_sample_run, run_pipeline
from tests.test_publish import warehouse_with

REPO = Path(__file__).resolve().parents[1]
READER = r"""
import json, sys
from pathlib import Path
import duckdb, polars as pl

publish, stop = Path(sys.argv[1]), Path(sys.argv[2])
stats = {"reads": 0, "errors": [], "torn": [], "versions": []}

def recorded(database):
    with duckdb.connect(database, read_only=True) as connection:
        rows = connection.execute("select version, table_name, row_count from meta.publication")
        return rows.fetchall()

while not stop.exists():
    try:
        # DuckDB: one connection sees one file; its tables must hold what its meta says.
        with duckdb.connect(publish / "autotrade.duckdb", read_only=True) as connection:
            meta = connection.execute(
                "select version, table_name, row_count from meta.publication"
            ).fetchall()
            for version, table, rows in meta:
                (actual,) = connection.execute(f"select count(*) from {table}").fetchone()
                if actual != rows:
                    stats["torn"].append(f"duckdb {version} {table}: {actual} != {rows}")
        # Parquet: resolve the link once, then read that version's files only.
        version_dir = (publish / "parquet").resolve().parent
        for version, table, rows in recorded(version_dir / "autotrade.duckdb"):
            name = table.split(".")[1]
            actual = pl.scan_parquet(version_dir / "parquet" / f"{name}.parquet").select(
                pl.len()
            ).collect().item()
            if actual != rows:
                stats["torn"].append(f"parquet {version} {table}: {actual} != {rows}")
        if meta[0][0] not in stats["versions"]:
            stats["versions"].append(meta[0][0])
        stats["reads"] += 1
    except Exception as error:  # every failure is the finding
        stats["errors"].append(f"{type(error).__name__}: {error}")
print(json.dumps(stats))
"""


def land(settings, drop: str, name: str, text: str) -> str:
    folder = settings.landing / "sales" / drop
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    return drop


def test_readers_never_fail_and_never_see_half_a_version(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.publish), str(stop)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        header = "period,brand,model,trim,powertrain,msrp_cny,units\n"
        runs = [
            run_pipeline(settings, DagsterInstance.ephemeral()),
            run_pipeline(
                settings,
                DagsterInstance.ephemeral(),
                keys=[
                    land(
                        settings,
                        "2025-05-06",
                        "april.csv",
                        header + "2025-04,AITO,M9,Max BEV 6-seat,BEV,494800,5000\n",
                    )
                ],
            ),
            run_pipeline(
                settings,
                DagsterInstance.ephemeral(),
                keys=[
                    land(
                        settings,
                        "2025-05-07",
                        "bad.csv",
                        header + "2025-04,AITO,M9,Max BEV 6-seat,BEV,4948,5000\n",
                    )
                ],
            ),
        ]
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=120)
    assert [r.result.success for r in runs] == [True, True, False]
    stats = json.loads(output)
    assert stats["errors"] == [] and stats["torn"] == [], stats
    assert stats["reads"] > 10
    assert len(stats["versions"]) >= 2, stats["versions"]


def test_a_process_holding_a_connection_still_sees_a_new_version_on_a_new_connection(tmp_path):
    """DuckDB keeps one database instance per file within a process and hands it to every
    new connection to that file while one is open. The published path is a link through
    ``current``: DuckDB (2.0 here) follows links to name the file, so after a switch a new
    connection opens the new version's file, and the resolved path always does."""
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    first = publish(warehouse_with(warehouse, 1), out).version
    database = out / "autotrade.duckdb"
    with duckdb.connect(database, read_only=True) as held:
        second = publish(warehouse_with(warehouse, 2), out).version
        with (
            duckdb.connect(database, read_only=True) as through_link,
            duckdb.connect(database.resolve(), read_only=True) as resolved,
        ):
            seen = [
                connection.execute("select distinct version from meta.publication").fetchone()[0]
                for connection in (held, through_link, resolved)
            ]
    assert seen == [first, second, second]
