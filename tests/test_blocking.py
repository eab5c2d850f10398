"""A failing error-level check stops everything downstream in the run, publishing included,
and leaves the published snapshot exactly as it was. Runs the real pipeline: a good sample
run first, then a new drop that parses but breaks a rule."""

import hashlib
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

from tests.conftest import copy_of_sample_run, run_pipeline

PUBLISHED = AssetKey(["published", "autotrade"])
BAD_DROP = "2025-05-01"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def after_sample(sample_run, tmp_path):
    """A copy of the sample run's landing, warehouse and published snapshot to spoil."""
    return copy_of_sample_run(sample_run, tmp_path)


def land(settings, feed: str, name: str, text: str, drop: str = BAD_DROP) -> None:
    folder = settings.landing / feed / drop
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def snapshot_of(settings) -> tuple[str, str]:
    publish = settings.publish
    return digest(publish / "autotrade.duckdb"), str((publish / "parquet").resolve())


def failed_checks(result) -> dict[str, str]:
    """Checks that failed at ERROR severity (the ones that block), by name."""
    return {
        e.check_name: e.description or ""
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == AssetCheckSeverity.ERROR
    }


def materialized(result) -> set[AssetKey]:
    return {event.asset_key for event in result.get_asset_materialization_events()}


SALES_HEADER = "period,brand,model,trim,powertrain,msrp_cny,units\n"


def test_implausible_price_in_staging_stops_publishing(after_sample):
    """dbt builds staging and the models in one step, so the suite on staging runs after the
    marts were built in the working warehouse; it is what keeps them from BI."""
    before = snapshot_of(after_sample)
    land(
        after_sample,
        "sales",
        "bad_price.csv",
        SALES_HEADER + "2025-04,AITO,M9,Max BEV 6-seat,BEV,4980,100\n",
    )
    pipeline = run_pipeline(after_sample, DagsterInstance.ephemeral(), keys=[BAD_DROP])

    assert not pipeline.result.success
    failures = failed_checks(pipeline.result)
    assert "gx_stg_sales" in failures
    assert "msrp_cny" in failures["gx_stg_sales"]
    built = materialized(pipeline.result)
    assert AssetKey(["staging", "stg_landing__sales"]) in built
    assert PUBLISHED not in built
    assert snapshot_of(after_sample) == before


TARIFF_HEADER = "reporter,partner,hs_code,measure,company,rate_pct,valid_from,valid_to\n"


@pytest.mark.parametrize(
    ("rows", "check", "named"),
    [
        pytest.param(
            "US,CN,8703.80,AD,Test Motors,600,2025-05-01,\n"
            "US,CN,8703.80,CVD,Test Motors,600,2025-05-01,\n",
            "gx_mart_duty_stack",
            "total_rate_pct",
            id="on a dbt mart",
        ),
        pytest.param(
            "US,CN,8703.80,AD,Test Motors,10,2025-05-01,2025-12-31\n"
            "US,CN,8703.80,AD,Test Motors,20,2025-06-01,\n",
            "gx_tariff_measures",
            "overlap",
            id="on an intermediate model",
        ),
    ],
)
def test_a_failed_check_stops_the_python_publish_asset(after_sample, rows, check, named):
    """Each rate is within 0-1000%, so staging passes. On a dbt mart: stacked on one lane the
    two duties exceed 1000%, which the mart_duty_stack suite refuses. On an intermediate
    model: two anti-dumping duties on one lane and company overlap, which the suite on the
    current measures refuses; that table is not published, and Dagster holds an asset back
    only for the checks on its own upstream assets, so the publish must wait for it too. The
    dbt models are built, the check fails, and the Python asset downstream must not run."""
    before = snapshot_of(after_sample)
    land(after_sample, "tariffs", "measures.csv", TARIFF_HEADER + rows)
    pipeline = run_pipeline(after_sample, DagsterInstance.ephemeral(), keys=[BAD_DROP])

    assert not pipeline.result.success
    failures = failed_checks(pipeline.result)
    assert set(failures) == {check}, failures
    assert named in failures[check]
    built = materialized(pipeline.result)
    assert AssetKey(["marts", "mart_duty_stack"]) in built
    assert PUBLISHED not in built
    assert snapshot_of(after_sample) == before


def test_a_drop_that_failed_its_suite_is_read_again_by_runs_over_later_drops(after_sample):
    """One run builds staging and the models together, so the failed drop's rows are in the
    working warehouse's models after it. A later run over another drop alone must read the
    failed drop again (it is not in the published copy) and keep it from BI, until a
    corrected file replaces it."""
    before = snapshot_of(after_sample)
    bad, good = "2025-04,AITO,M9,Max,BEV,4980,100\n", "2025-04,AITO,M9,Max,BEV,498000,100\n"
    land(after_sample, "sales", "prices.csv", SALES_HEADER + bad)
    failed = run_pipeline(after_sample, DagsterInstance.ephemeral(), keys=[BAD_DROP])
    assert "gx_stg_sales" in failed_checks(failed.result)

    later = "2025-06-01"
    land(
        after_sample,
        "sales",
        "more.csv",
        SALES_HEADER + "2025-05,AITO,M9,Max,BEV,469800,90\n",
        later,
    )
    pipeline = run_pipeline(after_sample, DagsterInstance.ephemeral(), keys=[later])
    assert "msrp_cny" in failed_checks(pipeline.result)["gx_stg_sales"]
    evaluations = pipeline.result.get_asset_check_evaluations()
    [staged] = [e for e in evaluations if e.check_name == "gx_stg_sales"]
    assert staged.metadata["rows"].value == f"drops {BAD_DROP} to {later}"
    assert PUBLISHED not in materialized(pipeline.result)
    assert snapshot_of(after_sample) == before

    land(after_sample, "sales", "prices.csv", SALES_HEADER + good)
    pipeline = run_pipeline(after_sample, DagsterInstance.ephemeral(), keys=[BAD_DROP])
    assert pipeline.result.success, failed_checks(pipeline.result)
    with duckdb.connect(str(after_sample.publish / "autotrade.duckdb"), read_only=True) as bi:
        prices = bi.execute(
            "select msrp_cny from marts.dim_model_price_history "
            "where brand = 'AITO' and model = 'M9' and trim = 'Max' order by valid_from"
        ).fetchall()
    assert prices == [(498000,), (469800,)]
