"""Re-running the pipeline on the same drops is safe: nothing loads twice, every published
table comes out the same, and a new version is published."""

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration.assets.dbt import SEED_KEYS
from orchestration.pipeline import summary
from tests.conftest import copy_of_sample_run, run_pipeline

TABLES = [
    "marts.mart_brand_band_period",
    "marts.mart_group_sales",
    "marts.mart_duty_stack",
    "marts.mart_sales_restatements",
    "audit.quarantined_rows",
]


def contents(database, table: str) -> list[tuple]:
    with duckdb.connect(database, read_only=True) as connection:
        return connection.execute(f"select * from {table} order by all").fetchall()


@pytest.fixture(scope="module")
def rerun(sample_run, tmp_path_factory):
    root = tmp_path_factory.mktemp("rerun")
    settings = copy_of_sample_run(sample_run, root)
    return run_pipeline(settings, DagsterInstance.ephemeral())


def test_rerun_succeeds_and_reads_no_file_twice(rerun):
    assert rerun.result.success
    raw = [
        e.materialization
        for e in rerun.result.get_asset_materialization_events()
        if e.asset_key.path == ["raw", "sales"]
    ]
    assert raw, "the raw sales asset did not run"
    assert {m.metadata["files_ingested"].value for m in raw} == {0}
    assert {m.metadata["rows_loaded"].value for m in raw} == {0}
    assert {m.metadata["files_unchanged"].value for m in raw} == {6}  # the six sales drops


@pytest.mark.parametrize("table", TABLES)
def test_rerun_publishes_the_same_figures(sample_run, rerun, table):
    before = contents(sample_run.settings.publish / "autotrade.duckdb", table)
    after = contents(rerun.settings.publish / "autotrade.duckdb", table)
    assert after == before


def test_rerun_publishes_a_new_version(sample_run, rerun):
    def version(settings):
        with duckdb.connect(settings.publish / "autotrade.duckdb", read_only=True) as connection:
            return connection.execute("select distinct version from meta.publication").fetchall()

    assert version(rerun.settings) != version(sample_run.settings)
    assert len(list((rerun.settings.publish / "versions").iterdir())) == 2


def test_rerun_leaves_the_unchanged_seeds_and_their_tests_out(rerun):
    """The seeds are as the first run loaded them: neither loaded nor tested again, while
    the staging and mart checks all ran (tests/test_seed_loads.py)."""
    result = rerun.result
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    tested = {e.asset_key for e in result.get_asset_check_evaluations()}
    assert not SEED_KEYS & (materialized | tested)
    assert {k.path[0] for k in tested} >= {"staging", "intermediate", "marts", "audit"}
    assert "seeds: unchanged since they were last loaded" in summary(result, rerun.settings)
