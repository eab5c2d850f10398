"""The Dagster definitions load, and the graph is the one the UI should show."""

import json
import subprocess
from datetime import date

from dagster import (
    AssetKey,
    DagsterInstance,
    Definitions,
    SensorResult,
    SkipReason,
    build_sensor_context,
)
from dagster._core.storage.tags import PARTITION_NAME_TAG

from expectations import suite_names, suite_table
from orchestration.definitions import build_definitions, defs
from orchestration.jobs import range_tags
from orchestration.partitions import register_drop_dates, run_drop_range
from orchestration.sensors import landing_sensor
from tests.conftest import two_small_drops

RAW = [AssetKey(["raw", t]) for t in ("sales", "sales_quarantine", "sales_files", "tariffs")]
MARTS = [
    AssetKey(["marts", name])
    for name in (
        "mart_brand_band_period",
        "mart_group_sales",
        "dim_model_price_history",
        "mart_duty_stack",
    )
]
PUBLISHED = AssetKey(["published", "autotrade"])


def test_definitions_load():
    Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("autotrade_daily") is not None


def test_lineage_runs_from_landing_files_to_the_published_marts():
    graph = defs.resolve_asset_graph()
    for key in [*RAW, *MARTS, PUBLISHED, AssetKey(["audit", "quarantined_rows"])]:
        assert graph.has(key), key
    upstream_of_published = graph.get(PUBLISHED).parent_keys
    assert set(MARTS) <= upstream_of_published
    staged_sales = AssetKey(["staging", "stg_landing__sales"])
    assert AssetKey(["raw", "sales"]) in graph.get(staged_sales).parent_keys


def test_every_suite_is_a_blocking_check_on_its_table():
    graph = defs.resolve_asset_graph()
    for suite in suite_names():
        asset = AssetKey(suite_table(suite).split("."))
        spec = graph.get_check_spec(
            next(
                k
                for k in graph.asset_check_keys
                if k.asset_key == asset and k.name == f"gx_{suite}"
            )
        )
        assert spec.blocking, suite


def test_schedule_and_sensors_are_defined():
    assert defs.resolve_schedule_def("daily_schedule").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("landing_sensor") is not None
    assert defs.resolve_sensor_def("failed_run_reporter") is not None


def test_landing_sensor_requests_one_run_for_new_drops_then_waits(tmp_path):
    settings = two_small_drops(tmp_path)
    instance = DagsterInstance.ephemeral()
    build_definitions(settings)  # the sensor is evaluated with these resources

    first = landing_sensor(
        build_sensor_context(instance=instance, resources={"settings": settings})
    )
    assert isinstance(first, SensorResult)
    (request,) = first.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2025-01-09"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-02-11"
    assert first.dynamic_partitions_requests[0].partition_keys == ["2025-01-09", "2025-02-11"]

    instance.add_dynamic_partitions("drop_date", ["2025-01-09", "2025-02-11"])
    again = landing_sensor(
        build_sensor_context(
            instance=instance, cursor=first.cursor, resources={"settings": settings}
        )
    )
    assert isinstance(again, SkipReason)

    (tmp_path / "landing" / "sales" / "2025-02-11" / "g.csv").write_text(
        "period,brand,model,units\n"
    )
    changed = landing_sensor(
        build_sensor_context(
            instance=instance, cursor=first.cursor, resources={"settings": settings}
        )
    )
    (request,) = changed.run_requests
    assert json.loads(request.run_key).keys() == {"2025-02-11"}


def test_run_drop_range_spans_the_run_partitions_in_date_order():
    instance = DagsterInstance.ephemeral()
    # 2025-01-05 lands late: registered last, it sits after 2025-03-10 in partition order.
    register_drop_dates(instance, ["2025-02-10", "2025-03-10", "2025-01-05"])
    jan, feb, mar = date(2025, 1, 5), date(2025, 2, 10), date(2025, 3, 10)

    assert run_drop_range(instance, {PARTITION_NAME_TAG: "2025-02-10"}) == (feb, feb)
    assert run_drop_range(instance, range_tags("2025-03-10", "2025-01-05")) == (jan, mar)
    assert run_drop_range(instance, range_tags("2025-02-10", "2025-03-10")) == (feb, mar)
    assert run_drop_range(instance, {}) is None
    assert run_drop_range(instance, range_tags("2025-02-10", "2099-01-01")) is None


def test_the_dbt_resource_reports_the_version_of_the_dbt_it_runs():
    """The resource reads dbt's version from the installed package, not from a child: it
    must be the version the child it starts (``autotrade-dbt``) reports."""
    resource = defs.resources["dbt"]
    printed = subprocess.run(
        [resource.dbt_executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert f"installed: {resource._cli_version}" in printed
