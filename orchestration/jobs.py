"""The daily job and its schedule.

One job materialises everything: the drop's raw assets, dbt, the checks and the publish. It
runs in one process, one step at a time (the warehouse has one writer), and its runs carry
the ``autotrade/warehouse`` tag that dagster.yaml limits to one run at a time.
"""

from dagster import (
    AssetSelection,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
)

from orchestration.partitions import DROP_DATES

WAREHOUSE_TAG = {"autotrade/warehouse": "writer"}

autotrade_job = define_asset_job(
    name="autotrade_daily",
    selection=AssetSelection.all(),
    partitions_def=DROP_DATES,
    executor_def=in_process_executor,
    tags={**WAREHOUSE_TAG, "dagster/max_retries": "1"},
    description="Ingest a drop, build the models, check them and publish the marts.",
)

daily_schedule = build_schedule_from_partitioned_job(autotrade_job, hour_of_day=6, minute_of_hour=0)
