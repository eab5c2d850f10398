"""The landing sensor starts after what runs ingested: a drop ``make run`` read is not run
again by the first ``make ui``, a drop changed since is."""

from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context, materialize

from orchestration.assets.raw import raw_assets
from orchestration.definitions import build_definitions
from orchestration.partitions import register_drop_dates
from orchestration.run_lock import RunLock
from orchestration.sensors import landing_sensor
from tests.conftest import two_small_drops


def test_the_sensor_skips_drops_a_run_ingested_and_runs_those_changed_since(tmp_path):
    settings = two_small_drops(tmp_path)
    instance = DagsterInstance.ephemeral()
    build_definitions(settings)
    register_drop_dates(instance, ["2025-01-09", "2025-02-11"])
    for key in ("2025-01-09", "2025-02-11"):
        ingested = materialize(
            raw_assets,
            partition_key=key,
            instance=instance,
            resources={"settings": settings, "run_lock": RunLock(settings=settings)},
        )
        assert ingested.success

    def look():
        return landing_sensor(
            build_sensor_context(instance=instance, resources={"settings": settings})
        )

    assert isinstance(look(), SkipReason)  # no cursor yet, as on the first `make ui`

    (tmp_path / "landing" / "sales" / "2025-02-11" / "g.csv").write_text(
        "period,brand,model,units\n2025-01,AITO,M7,2\n"
    )
    changed = look()
    assert isinstance(changed, SensorResult)
    (request,) = changed.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2025-02-11"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-02-11"
