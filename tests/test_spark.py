"""The Spark engine end to end: ``AUTOTRADE_ENGINE=spark`` runs the whole pipeline on the
sample (a local Spark, Java 17 from PATH) and publishes what the DuckDB build publishes,
table by table, and the published figures hold on it (docs/scale.md)."""

import inspect
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from orchestration.publish import PUBLISHED_SCHEMAS
from tests import test_published_figures as figures
from tests.conftest import REPO, SAMPLE_LANDING, settings_in

# Columns that hold the time a run loaded something, which differs between any two runs.
LOAD_TIMES = {"ingested_at", "recorded_at"}


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


def test_every_published_table_equals_the_duckdb_build(sample_run, published):
    """EXCEPT ALL both ways on every published table, floats to 6 decimals, the run's load
    times left out. The DuckDB build is attached to the open connection to the Spark build's
    database: DuckDB opens a file once per process."""
    with sample_run.published() as duckdb_build:
        tables = {
            (schema, table): [
                f"round({name}, 6)" if kind == "DOUBLE" else f'"{name}"'
                for name, kind in _columns(duckdb_build, schema, table)
                if name not in LOAD_TIMES
            ]
            for schema, table in _tables(duckdb_build)
        }
    connection = published
    (spark,) = connection.execute("select current_database()").fetchone()
    duck = sample_run.settings.publish / "autotrade.duckdb"
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
    assert len(tables) >= 10
    assert differences == {}


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
