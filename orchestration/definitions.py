"""The one Dagster ``Definitions`` of autotrade: assets, checks, job, schedule, resources."""

from dagster import Definitions
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_models, dbt_project, dbt_staging
from orchestration.assets.publish import published_autotrade
from orchestration.assets.raw import raw_assets
from orchestration.checks import gx_checks
from orchestration.jobs import autotrade_job
from orchestration.resources import settings_from_environment
from orchestration.sensors import daily_schedule, failed_run_reporter, landing_sensor

defs = Definitions(
    assets=[*raw_assets, dbt_staging, dbt_models, published_autotrade],
    asset_checks=gx_checks,
    jobs=[autotrade_job],
    schedules=[daily_schedule],
    sensors=[landing_sensor, failed_run_reporter],
    resources={
        "settings": settings_from_environment(),
        "dbt": DbtCliResource(project_dir=dbt_project),
    },
)
