"""dbt models, seeds and snapshots as Dagster assets, split into two steps at the staging line.

Step one builds the seeds and staging views; step two everything downstream. The split is
what lets the blocking Great Expectations checks on staging stop the marts from being built
in the same run: a check can only run between two steps.

dbt runs as a child process bound to this one (``orchestration/dbt_with_parent``): killing
the run kills its dbt. Each step writes dbt's target files to one folder per step and
warehouse, removed when the step ends, so runs leave no folders behind.

``AUTOTRADE_ENGINE`` picks dbt's output (profiles.yml): DuckDB, or Spark, whose tables each
step then declares as views in the DuckDB warehouse (``orchestration/spark_tables.py``). The
assets' kinds name the engine (dagster-dbt reads it from the manifest).
"""

import fcntl
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.resources import AutotradeSettings, settings_from_environment
from orchestration.run_lock import RunLock
from orchestration.spark_tables import expose_spark_tables

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
DBT_WITH_PARENT = Path(__file__).resolve().parents[1] / "dbt_with_parent"
# The interpreter dbt_with_parent runs dbt under: this one, whose environment has dbt.
os.environ.setdefault("AUTOTRADE_PYTHON", sys.executable)


def dbt_cli() -> DbtCliResource:
    """The dbt resource: dbt as a child that dies with the process that starts it."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_WITH_PARENT))


# The profile settings the manifest was parsed under: dbt reuses its parse (partial parsing)
# only under the same profile, so a manifest parsed for another warehouse path would cost
# each dbt step of every run a full parse (about 5 s each).
PARSED_UNDER = dbt_project.manifest_path.with_name("autotrade_parsed_under.json")


def _manifest_is_stale(environment: dict[str, str]) -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists() or not PARSED_UNDER.exists():
        return True
    if json.loads(PARSED_UNDER.read_text()) != environment:
        return True
    built = manifest.stat().st_mtime
    return any(
        path.stat().st_mtime > built
        for folder in ("models", "seeds", "snapshots", "macros", "tests")
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
    ) or any(
        (DBT_PROJECT_DIR / name).stat().st_mtime > built
        for name in ("dbt_project.yml", "profiles.yml")
    )


# The asset graph is read from dbt's manifest: (re)parse when the project changed since, or
# the profile did, so a fresh clone and an edited model both load without a manual `dbt parse`.
# Processes that start together (two runs, a run and `make ui`) parse one at a time: the
# second then finds the first's fresh manifest instead of reading it half-written.
_environment = settings_from_environment().dbt_environment()
PARSED_UNDER.parent.mkdir(parents=True, exist_ok=True)
with PARSED_UNDER.with_name(".parse.lock").open("w") as _parse_lock:
    fcntl.flock(_parse_lock, fcntl.LOCK_EX)
    if _manifest_is_stale(_environment):
        os.environ.update(_environment)
        dbt_cli().cli(["parse"], target_path=Path("target")).wait()
        PARSED_UNDER.write_text(json.dumps(_environment))

STAGING = "resource_type:seed path:models/staging"


class AutotradeTranslator(DagsterDbtTranslator):
    """Asset keys ``<schema>/<name>`` (sources: ``raw/<table>``), as the tables are addressed."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        if dbt_resource_props["resource_type"] in ("seed", "snapshot"):
            return {"seed": "reference", "snapshot": "intermediate"}[
                dbt_resource_props["resource_type"]
            ]
        return dbt_resource_props["fqn"][1]


TRANSLATOR = AutotradeTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(Config):
    """``full_refresh``: rebuild the incremental models from every drop, as after a change to
    their SQL (``make run FULL_REFRESH=1``, or the launchpad's run config)."""

    full_refresh: bool = False


def dbt_step(name: str, **selection: str) -> AssetsDefinition:
    """One ``dbt build`` step over the models that ``selection`` (select/exclude) picks."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=TRANSLATOR,
        name=name,
        project=dbt_project,
        **selection,
    )
    def _step(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        settings: AutotradeSettings,
        config: DbtBuildConfig,
        run_lock: RunLock,
    ):
        # dbt runs as a subprocess that inherits this environment; its profile reads the path.
        os.environ.update(settings.dbt_environment())
        args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
        # One folder per step and warehouse (the run lock keeps it to one run at a time):
        # emptied first, as a killed run may have left it, and removed at the end.
        warehouse = hashlib.sha1(str(settings.warehouse).encode()).hexdigest()[:10]
        target = DBT_PROJECT_DIR / "target" / f"{name}-{warehouse}"
        shutil.rmtree(target, ignore_errors=True)
        invocation = dbt.cli(args, context=context, target_path=target)
        try:
            yield from invocation.stream()
            if settings.engine == "spark":
                # The checks and the publish read the warehouse: show them Spark's tables.
                with settings.connect() as connection:
                    expose_spark_tables(connection, settings.spark_warehouse)
        finally:
            # A step that fails while dbt runs (an error reading its events) must not leave
            # dbt writing the warehouse after the run.
            if invocation.process.poll() is None:
                invocation.process.kill()
                invocation.process.wait()
            shutil.rmtree(target, ignore_errors=True)

    return _step


dbt_staging = dbt_step("dbt_staging", select=STAGING)
dbt_models = dbt_step("dbt_models", exclude=STAGING)
DBT_STEPS = ("dbt_staging", "dbt_models")
