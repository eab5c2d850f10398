"""The Spark engine end to end: ``AUTOTRADE_ENGINE=spark`` runs the whole pipeline on the
sample (a local Spark, Java 17 from PATH) and publishes what the DuckDB build publishes,
table by table, and the published figures hold on it (docs/scale.md)."""

import inspect
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration.publish import PUBLISHED_SCHEMAS
from tests import test_incremental as incremental
from tests import test_published_figures as figures
from tests.conftest import REPO, SAMPLE_LANDING, run_pipeline, settings_in

# Columns that hold the time a run loaded or built something, which differs between any two
# runs.
LOAD_TIMES = {"ingested_at", "recorded_at", "built_at"}


def _on_spark(settings, *argv: str) -> subprocess.CompletedProcess:
    """``python argv`` in its own process, as a user starts it with AUTOTRADE_ENGINE=spark."""
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DAGSTER_HOME"},
        "AUTOTRADE_ENGINE": "spark",
        "AUTOTRADE_LANDING": str(settings.landing),
        "AUTOTRADE_WAREHOUSE": str(settings.warehouse),
        "AUTOTRADE_PUBLISH": str(settings.publish),
    }
    return subprocess.run(
        [sys.executable, *argv], cwd=REPO, env=environment, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def spark_settings(tmp_path_factory, sample_run):
    """`AUTOTRADE_ENGINE=spark python -m orchestration.run` (what `make run` runs) over a
    copy of the sample. After the DuckDB build of the sample: the Spark run parses dbt's
    manifest for its target, and this process loads the definitions from that manifest
    when it first runs the pipeline."""
    root = tmp_path_factory.mktemp("spark_run")
    shutil.copytree(SAMPLE_LANDING, root / "landing")
    settings = settings_in(root, root / "landing")
    finished = _on_spark(settings, "-m", "orchestration.run")
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return settings


def test_the_dbt_assets_kinds_name_the_engine(spark_settings):
    finished = _on_spark(
        spark_settings,
        "-c",
        "from orchestration.dbt_project import prepare; "
        "from orchestration.resources import settings_from_environment; "
        "prepare(settings_from_environment()); "
        "from dagster import AssetKey; from orchestration.definitions import defs; "
        "key = AssetKey(['marts', 'mart_group_sales']); "
        "print(sorted(defs.resolve_assets_def(key).specs_by_key[key].kinds))",
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert finished.stdout.strip().splitlines()[-1] == "['dbt', 'spark']"


@pytest.fixture(scope="session")
def published(spark_settings):
    with duckdb.connect(spark_settings.publish / "autotrade.duckdb", read_only=True) as connection:
        yield connection


def _columns(connection, schema: str, table: str) -> list[tuple[str, str]]:
    return connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def _tables(connection) -> list[tuple[str, str]]:
    return connection.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in (select unnest(?)) order by all",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()


def test_spark_publishes_the_same_tables_with_the_same_columns(sample_run, published):
    with sample_run.published() as duckdb_build:
        assert _tables(published) == _tables(duckdb_build)
        for schema, table in _tables(duckdb_build):
            assert _columns(published, schema, table) == _columns(duckdb_build, schema, table)


def _differences(connection, duck: Path) -> dict[str, dict[str, int]]:
    """Rows only one side has, per published table: the Spark build open on ``connection``,
    the DuckDB build's snapshot ``duck``. EXCEPT ALL both ways, floats to 6
    decimals, the runs' load and build times left out. The DuckDB build is attached to the open
    connection to the Spark build's database: DuckDB opens a file once per process."""
    with duckdb.connect(duck, read_only=True) as duckdb_build:
        tables = {
            (schema, table): [
                f"round({name}, 6)" if kind == "DOUBLE" else f'"{name}"'
                for name, kind in _columns(duckdb_build, schema, table)
                if name not in LOAD_TIMES
            ]
            for schema, table in _tables(duckdb_build)
        }
    assert len(tables) >= 10
    (spark,) = connection.execute("select current_database()").fetchone()
    connection.execute(f"attach '{duck}' as duck (read_only)")
    differences = {}
    for (schema, table), columns in tables.items():
        rows = ", ".join(columns)
        only = {
            side: connection.execute(
                f"select count(*) from (select {rows} from {side}.{schema}.{table} "
                f"except all select {rows} from {other}.{schema}.{table})"
            ).fetchone()[0]
            for side, other in (("duck", spark), (spark, "duck"))
        }
        if any(only.values()):
            differences[f"{schema}.{table}"] = only
    connection.execute("detach duck")
    return differences


def test_every_published_table_equals_the_duckdb_build(sample_run, published):
    assert _differences(published, sample_run.settings.publish / "autotrade.duckdb") == {}


@pytest.fixture(scope="session")
def grown_on_spark(tmp_path_factory):
    """The incremental branch on Spark: the sample's older drops built in a first run; then
    the newer ones, a new drop for April 2025 and three changes to drops already loaded
    (tests/test_incremental.py) in a second run on the same Spark warehouse. Beside it, the
    final landing folder built once from scratch on DuckDB (in this process)."""
    root = tmp_path_factory.mktemp("spark_grown")
    shutil.copytree(SAMPLE_LANDING, root / "landing")
    settings = settings_in(root, root / "landing")
    before = (date.fromisoformat(incremental.FIRST_RUN_UNTIL) - timedelta(days=1)).isoformat()
    first = _on_spark(settings, "-m", "orchestration.run", "--to", before)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    incremental.add_april(settings.landing)
    incremental.change_loaded_drops(settings.landing)
    second = _on_spark(settings, "-m", "orchestration.run")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    scratch = tmp_path_factory.mktemp("spark_grown_rebuilt")
    shutil.copytree(settings.landing, scratch / "landing")
    rebuilt = run_pipeline(settings_in(scratch, scratch / "landing"), DagsterInstance.ephemeral())
    assert rebuilt.result.success
    return settings, rebuilt.settings


def test_a_second_spark_run_publishes_what_a_full_duckdb_build_does(grown_on_spark):
    grown, rebuilt = grown_on_spark
    with duckdb.connect(grown.publish / "autotrade.duckdb", read_only=True) as connection:
        # The second run's changes reached the marts: April 2025 came, December 2023 went.
        months = connection.execute(
            "select period_label, count(*) from marts.mart_group_sales "
            "where period_label in ('2025-04', '2023-12') group by all"
        ).fetchall()
        assert [label for label, _ in months] == ["2025-04"]
        assert _differences(connection, rebuilt.publish / "autotrade.duckdb") == {}


def test_spark_published_the_parquet_files_beside_the_database(spark_settings, published):
    for schema, table in _tables(published):
        parquet = spark_settings.publish / "parquet" / f"{table}.parquet"
        (rows,) = published.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()
        assert rows == published.execute(f"select count(*) from {schema}.{table}").fetchone()[0]


# The published figures of test_published_figures, collected here again: this module's
# `published` fixture is the Spark build's snapshot.
globals().update(
    {
        name: test
        for name, test in vars(figures).items()
        if name.startswith("test_") and "sample_run" not in inspect.signature(test).parameters
    }
)
