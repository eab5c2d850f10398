"""The published snapshot BI reads: built only after every check has passed."""

import json

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from expectations import suite_names, suite_table
from expectations.suites import load_suite
from orchestration.assets.dbt import dbt_build
from orchestration.dbt_project import dbt_project
from orchestration.publish import PUBLISHED_SCHEMAS, publish
from orchestration.resources import AutotradeSettings

PUBLISHED_KEYS = sorted(
    (key for key in dbt_build.keys if key.path[0] in PUBLISHED_SCHEMAS),
    key=lambda key: key.to_user_string(),
)

# Dagster holds an asset back only for the blocking checks on its own upstream assets: the
# publish also waits for the suites on the tables it does not copy (staging, intermediate),
# and does not run when one of them fails.
CHECKED_KEYS = sorted(
    {AssetKey(suite_table(suite).split(".")) for suite in suite_names()} - set(PUBLISHED_KEYS),
    key=lambda key: key.to_user_string(),
)


def updated_in_place() -> dict[str, tuple[str, str]]:
    """The published tables a publish brings up to date from the version before instead of
    copying them whole, each with its key and build stamp columns: the incremental models
    dbt rebuilds by delete+insert on one key column (their config in the manifest), whose
    suite names a build stamp (``meta.stamp_column``)."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    stamps = {suite_table(suite): load_suite(suite).stamp_column for suite in suite_names()}
    found = {}
    for node in manifest["nodes"].values():
        table, config = f"{node['schema']}.{node['name']}", node["config"]
        if (
            node["resource_type"] == "model"
            and AssetKey([node["schema"], node["name"]]) in PUBLISHED_KEYS
            and config.get("materialized") == "incremental"
            and config.get("incremental_strategy") == "delete+insert"
            and isinstance(config.get("unique_key"), str)
            and stamps.get(table)
        ):
            found[table] = (config["unique_key"], stamps[table])
    return found


@asset(
    key=AssetKey(["published", "autotrade"]),
    deps=[*PUBLISHED_KEYS, *CHECKED_KEYS],
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description=(
        "A consistent copy of the marts and audit tables for BI: <publish>/autotrade.duckdb "
        "and <publish>/parquet/<table>.parquet, a verified version switched in by one rename."
    ),
)
def published_autotrade(
    context: AssetExecutionContext, settings: AutotradeSettings
) -> MaterializeResult:
    publication = publish(
        settings.warehouse,
        settings.publish,
        step=lambda name: context.log.info(f"publish: {name}"),
        updated_in_place=updated_in_place(),
    )
    for table, rows in publication.row_counts.items():
        context.log.info(f"published {table}: {rows} rows")
    return MaterializeResult(
        metadata={
            "version": publication.version,
            "database": MetadataValue.path(str(publication.database)),
            "parquet": MetadataValue.path(str(publication.parquet_dir)),
            "tables": MetadataValue.json(publication.row_counts),
        }
    )
