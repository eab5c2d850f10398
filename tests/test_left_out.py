"""``make run`` leaves out the models built only from raw tables that did not change since
the published version (``orchestration/unchanged.py``): a sales drop does not rebuild the
tariff models, a tariff drop rebuilds them, and what is published is what a full build of
the same drops publishes."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance

from orchestration.ingest import store
from orchestration.ingest.landing import drop_fingerprint
from orchestration.unchanged import (
    RECORD,
    Digests,
    raw_digests,
    record,
    tables_ingest_writes,
    unchanged_raw_tables,
)
from tests.conftest import copy_of_sample_run, make_run, run_pipeline, settings_in
from tests.test_incremental import add_april
from tests.test_run_safety import published_tables

TARIFF_DROP = "tariffs/2025-08-04/measures.csv"
LEFT_OUT_TARIFFS = "left out: 4 dbt assets, built only from raw.tariffs"


def run_output(settings, dagster_home: Path) -> str:
    """What ``make run`` printed, once it finished."""
    finished = make_run(settings, dagster_home)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return finished.stdout


def add_tariff_measure(landing: Path) -> None:
    """A new drop with one measure no other drop has: the duty stack must show it."""
    (landing / TARIFF_DROP).parent.mkdir(parents=True)
    (landing / TARIFF_DROP).write_text(
        "reporter,partner,hs_code,measure,company,rate_pct,valid_from,valid_to,legal_basis,"
        "source\nCN,US,8711,reciprocal,,15.0,2025-08-01,,test measure,https://example.org\n",
        encoding="utf-8",
    )


def test_a_sales_drop_leaves_the_tariff_models_out_and_publishes_a_full_builds_marts(
    sample_run, tmp_path
):
    settings = copy_of_sample_run(sample_run, tmp_path / "runs")
    (tmp_path / "dagster_home").mkdir()
    # No record of what the copied published version was built from: everything is built.
    first = run_output(settings, tmp_path / "dagster_home")
    assert "left out" not in first

    add_april(settings.landing)
    second = run_output(settings, tmp_path / "dagster_home")
    assert LEFT_OUT_TARIFFS in second, second[-3000:]
    published = published_tables(settings.publish)
    assert (
        published["marts.mart_duty_stack"]
        == published_tables(sample_run.settings.publish)["marts.mart_duty_stack"]
    )
    assert any("2025-04" in str(row) for row in published["marts.mart_group_sales"])

    add_tariff_measure(settings.landing)
    third = run_output(settings, tmp_path / "dagster_home")
    assert "built only from raw.tariffs" not in third
    # The sales view reads only raw sales, which the tariff drop did not change.
    assert "left out: 1 dbt asset, built only from raw.sales" in third, third[-3000:]
    published = published_tables(settings.publish)
    assert any("8711" in str(row) for row in published["marts.mart_duty_stack"])

    full = tmp_path / "full"
    shutil.copytree(settings.landing, full / "landing")
    rebuilt = run_pipeline(settings_in(full, full / "landing"), DagsterInstance.ephemeral())
    assert rebuilt.result.success
    assert published == published_tables(rebuilt.settings.publish)


@pytest.fixture
def raw_layer(tmp_path):
    """A landing folder with one ingested sales drop and one ingested tariffs drop, and the
    raw layer's record of having read them."""
    landing, raw = tmp_path / "landing", tmp_path / "warehouse" / "raw"
    for feed, day in (("sales", "2025-03-10"), ("tariffs", "2025-01-09")):
        (landing / feed / day).mkdir(parents=True)
        (landing / feed / day / "a.csv").write_text("x\n")
        for table in (feed, f"{feed}_quarantine", f"{feed}_files"):
            part = raw / table / f"drop_date={day}"
            part.mkdir(parents=True)
            (part / "a.parquet").write_bytes(b"rows")
        fingerprint = drop_fingerprint(landing, date.fromisoformat(day), [feed])
        store.record_ingested(raw, {f"{feed}/{day}": fingerprint})
    (tmp_path / "warehouse" / "autotrade.duckdb").touch()
    return landing, raw


def test_the_ingest_writes_a_feeds_manifest_for_each_of_its_drops_and_rows_for_changed_ones(
    raw_layer,
):
    landing, raw = raw_layer
    assert tables_ingest_writes(landing, raw, ["2025-03-10"]) == {"sales_files"}
    assert tables_ingest_writes(landing, raw, []) == set()
    (landing / "sales" / "2025-03-10" / "b.csv").write_text("y\n")
    assert tables_ingest_writes(landing, raw, ["2025-03-10", "2025-01-09"]) == {
        "sales",
        "sales_quarantine",
        "sales_files",
        "tariffs_files",
    }
    (landing / "tariffs" / "2025-08-04").mkdir()
    (landing / "tariffs" / "2025-08-04" / "m.csv").write_text("z\n")
    assert tables_ingest_writes(landing, raw, ["2025-08-04"]) == {
        "tariffs",
        "tariffs_quarantine",
        "tariffs_files",
    }


def test_a_raw_tables_digest_follows_its_data_files_not_its_schema_file(raw_layer):
    _, raw = raw_layer
    before = raw_digests(raw)
    (raw / "tariffs" / "_schema.parquet").write_bytes(b"columns")
    assert raw_digests(raw) == before
    (raw / "tariffs" / "drop_date=2025-01-09" / "a.parquet").write_bytes(b"other rows")
    after = raw_digests(raw)
    assert after["tariffs"] != before["tariffs"]
    assert {t: d for t, d in after.items() if t != "tariffs"} == {
        t: d for t, d in before.items() if t != "tariffs"
    }


def test_raw_tables_count_as_unchanged_only_as_the_published_version_was_built(raw_layer):
    _, raw = raw_layer
    warehouse = raw.parent / "autotrade.duckdb"
    digests = Digests(project="p", inputs="i")
    now = raw_digests(raw)
    assert unchanged_raw_tables(warehouse, "v1", digests, now, set()) == set()  # no record
    record(warehouse, digests, "v1", now)
    assert json.loads((raw.parent / RECORD).read_text())["raw"] == now
    assert unchanged_raw_tables(warehouse, "v1", digests, now, set()) == set(now)
    # The run's ingest will write these.
    assert unchanged_raw_tables(warehouse, "v1", digests, now, {"sales", "sales_files"}) == (
        set(now) - {"sales", "sales_files"}
    )
    # A run since (one that failed, say) changed the raw tariffs.
    changed = now | {"tariffs": "other"}
    assert unchanged_raw_tables(warehouse, "v1", digests, changed, set()) == set(now) - {"tariffs"}
    # Another version published since (from the UI, a rollback), another project or settings.
    assert unchanged_raw_tables(warehouse, "v0", digests, now, set()) == set()
    assert unchanged_raw_tables(warehouse, None, digests, now, set()) == set()
    other = Digests(project="q", inputs="i")
    assert unchanged_raw_tables(warehouse, "v1", other, now, set()) == set()
