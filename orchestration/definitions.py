"""The one Dagster ``Definitions`` of autotrade: assets, checks, job, schedule, sensors."""

from dagster import Definitions

from orchestration.assets.dbt import dbt_build
from orchestration.assets.publish import published_autotrade
from orchestration.assets.raw import raw_assets
from orchestration.checks import gx_checks
from orchestration.dbt_project import dbt_cli
from orchestration.jobs import autotrade_job
from orchestration.resources import AutotradeSettings
from orchestration.run_lock import RunLock
from orchestration.sensors import daily_schedule, failed_run_reporter, landing_sensor


def build_definitions(settings: AutotradeSettings) -> Definitions:
    """Everything, wired to the given locations (tests pass temporary ones)."""
    return Definitions(
        assets=[*raw_assets, dbt_build, published_autotrade],
        asset_checks=gx_checks,
        jobs=[autotrade_job],
        schedules=[daily_schedule],
        sensors=[landing_sensor, failed_run_reporter],
        resources={
            "settings": settings,
            "dbt": dbt_cli(),
            "run_lock": RunLock(settings=settings),
        },
    )


defs = build_definitions(AutotradeSettings.from_environment())
