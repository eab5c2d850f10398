"""The environment variables autotrade reads and their defaults: the one list of both.

Relative paths are taken from the directory the process starts in (the repository root for
``make run`` and ``make ui``). The pipeline reads them as the fields of its Dagster resource
(``orchestration.resources``). This module needs only the standard library, so that the
dashboard finds the published snapshot without loading Dagster.
"""

import os

# resource field -> (environment variable, default)
VARIABLES = {
    # where raw drops arrive
    "landing_dir": ("AUTOTRADE_LANDING", "data/landing"),
    # the working warehouse (one writer); the raw Parquet layer lives in raw/ beside it
    "warehouse_path": ("AUTOTRADE_WAREHOUSE", "data/warehouse/autotrade.duckdb"),
    # what BI reads
    "publish_dir": ("AUTOTRADE_PUBLISH", "data/published"),
    # DuckDB's memory cap in each process that opens the warehouse (dbt, the checks)
    "duckdb_memory_limit": ("AUTOTRADE_DUCKDB_MEMORY_LIMIT", "1GB"),
    # seconds a run waits for another run of the same warehouse before it gives up
    "lock_wait_seconds": ("AUTOTRADE_LOCK_WAIT", "600"),
    # what dbt builds on: duckdb, or spark (docs/scale.md)
    "engine": ("AUTOTRADE_ENGINE", "duckdb"),
    # on spark: where Spark runs (a local Spark in dbt's process, or a cluster's master) and
    # the memory of its driver
    "spark_master": ("AUTOTRADE_SPARK_MASTER", "local[2]"),
    "spark_driver_memory": ("AUTOTRADE_SPARK_DRIVER_MEMORY", "1g"),
}


def default(field: str) -> str:
    return VARIABLES[field][1]


def setting(field: str) -> str:
    """The field's value: its variable when set (and not empty), else its default."""
    variable, fallback = VARIABLES[field]
    return os.environ.get(variable) or fallback
