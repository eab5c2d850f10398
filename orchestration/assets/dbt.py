"""dbt's seeds, models and snapshots as Dagster assets, built by one ``dbt build`` per run.

The seeds load only when they changed (``orchestration/seed_loads.py``). One invocation, not
one per layer: each dbt start costs about a second, and the Great Expectations suites run
after it. They still gate what BI reads: ``published/autotrade`` depends on every table a
blocking suite checks (``orchestration/assets/publish.py``), so a failed suite on staging
stops the publish, though the models after it were built in the working warehouse. dbt's own
tests fail the build at ``error`` and dbt skips what is downstream of them.

dbt runs as a child process bound to this one (``orchestration/dbt_child.py``): killing
the run kills its dbt. The step writes dbt's target files to one folder per warehouse,
removed when the step ends, so runs leave no folders behind. The asset graph is read from
the manifest ``orchestration.dbt_project`` prepares before Dagster loads this.

``AUTOTRADE_ENGINE`` picks dbt's target (profiles.yml): DuckDB, or Spark, whose tables the
step then declares as views in the DuckDB warehouse (``orchestration/spark_tables.py``). The
assets' kinds name the engine (dagster-dbt reads it from the manifest, parsed for the target).
"""

import hashlib
import shutil
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    build_dbt_asset_selection,
    dbt_assets,
)

from expectations import import_gx
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_project
from orchestration.resources import AutotradeSettings
from orchestration.run_lock import RunLock
from orchestration.seed_loads import record_seeds
from orchestration.spark_tables import expose_spark_tables


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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_build",
    project=dbt_project,
)
def dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    settings: AutotradeSettings,
    config: DbtBuildConfig,
    run_lock: RunLock,
):
    # The profile reads the warehouse from dbt's vars: dagster-dbt hands the child this
    # process's environment as it is, and reads the vars itself for its adapter.
    # No manifest.json and run_results.json (0.2 s): the events carry the results, and
    # the step's target folder goes when it ends.
    args = ["build", "--no-write-json", *settings.dbt_arguments()]
    args += ["--full-refresh"] if config.full_refresh else []
    # One folder per warehouse (the run lock keeps it to one run at a time):
    # emptied first, as a killed run may have left it, and removed at the end.
    warehouse = hashlib.sha1(str(settings.warehouse).encode()).hexdigest()[:10]
    target = DBT_PROJECT_DIR / "target" / f"dbt_build-{warehouse}"
    shutil.rmtree(target, ignore_errors=True)
    loads_seeds = not SEED_KEYS.isdisjoint(context.selected_asset_keys)
    if loads_seeds:
        record_seeds(settings, loaded=False)
    invocation = dbt.cli(args, context=context, target_path=target)
    try:
        # The Great Expectations checks after this step import GX: done while dbt's child
        # runs on the other core, its seconds overlap (in this thread, as imports from two
        # threads can deadlock). dbt may wait on a full pipe meanwhile: a 1 MiB pipe
        # (F_SETPIPE_SZ) measured no faster.
        import_gx()
        yield from invocation.stream()
        if loads_seeds:  # loaded, and their tests passed (stream raises otherwise)
            record_seeds(settings, loaded=True)
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


# Left out of a run when their tables already hold them (orchestration/seed_loads.py).
SEED_KEYS = frozenset(
    build_dbt_asset_selection([dbt_build], dbt_select="resource_type:seed").resolve([dbt_build])
)
