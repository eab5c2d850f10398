"""The daily job: ingest drops, build the models, check them and publish the marts.

It runs in one process, one step at a time (the warehouse has one writer), and its runs carry
the ``autotrade/warehouse`` tag that ``dagster_home/dagster.yaml`` limits to one run at a time.
"""

from dagster import AssetSelection, define_asset_job, in_process_executor
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

WAREHOUSE_TAG = {"autotrade/warehouse": "writer"}

autotrade_job = define_asset_job(
    name="autotrade_daily",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    tags=WAREHOUSE_TAG,
    description="Ingest drops, build the dbt models, run every check, publish the marts.",
)


def range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover the drop dates ``first`` to ``last`` (a single-run backfill)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
