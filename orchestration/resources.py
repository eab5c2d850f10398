"""Where autotrade reads and writes, configured from the environment with sensible defaults.

| variable              | default                          | meaning                            |
|-----------------------|----------------------------------|------------------------------------|
| AUTOTRADE_LANDING     | data/landing                     | where raw drops arrive             |
| AUTOTRADE_WAREHOUSE   | data/warehouse/autotrade.duckdb  | the working warehouse (one writer) |
| AUTOTRADE_PUBLISH     | data/published                   | what BI reads                      |
| AUTOTRADE_DUCKDB_MEMORY_LIMIT | 1GB                      | DuckDB's memory cap per process    |
| AUTOTRADE_ENGINE      | duckdb                           | what dbt builds on: duckdb or spark|

Relative paths are taken from the directory the process starts in (the repository root for
``make run`` and ``make ui``). The raw layer (Parquet) lives in ``raw/`` beside the warehouse;
on the Spark engine its tables (Parquet) and catalog live in ``spark/`` beside it
(docs/scale.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

ENVIRONMENT = {
    "landing_dir": ("AUTOTRADE_LANDING", "data/landing"),
    "warehouse_path": ("AUTOTRADE_WAREHOUSE", "data/warehouse/autotrade.duckdb"),
    "publish_dir": ("AUTOTRADE_PUBLISH", "data/published"),
    "duckdb_memory_limit": ("AUTOTRADE_DUCKDB_MEMORY_LIMIT", "1GB"),
    "engine": ("AUTOTRADE_ENGINE", "duckdb"),
}
ENGINES = ("duckdb", "spark")


class AutotradeSettings(ConfigurableResource):
    """The three locations of the contract, every path resolved to an absolute one, and the
    memory DuckDB may take in each process that opens the warehouse (dbt's, the checks').

    DuckDB's own default is 80% of the machine's RAM, and it takes it: at 10M rows dbt's
    window queries held 4.8 GB. Under the cap it spills to ``<warehouse>.tmp`` instead."""

    landing_dir: str
    warehouse_path: str
    publish_dir: str
    duckdb_memory_limit: str = ENVIRONMENT["duckdb_memory_limit"][1]
    engine: str = ENVIRONMENT["engine"][1]

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir).resolve()

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path).resolve()

    @property
    def raw_dir(self) -> Path:
        return self.warehouse.parent / "raw"

    @property
    def spark_warehouse(self) -> Path:
        """Where the Spark engine keeps its tables and catalog."""
        return self.warehouse.parent / "spark"

    @property
    def publish(self) -> Path:
        return Path(self.publish_dir).resolve()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection: DuckDB allows one writer per file, so none is held open."""
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(self.warehouse, read_only=read_only, config=self.duckdb_config)
        try:
            yield connection
        finally:
            connection.close()

    @property
    def duckdb_config(self) -> dict[str, str]:
        return {"memory_limit": self.duckdb_memory_limit}

    def dbt_environment(self) -> dict[str, str]:
        """What the dbt profile reads (dbt runs in its own folder, so the path is absolute)."""
        return {
            "AUTOTRADE_WAREHOUSE": str(self.warehouse),
            "AUTOTRADE_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "AUTOTRADE_ENGINE": self.engine,
            "AUTOTRADE_RAW_DIR": str(self.raw_dir),
            "AUTOTRADE_SPARK_WAREHOUSE": str(self.spark_warehouse),
        }


def settings_from_environment(environ: Mapping[str, str] = os.environ) -> AutotradeSettings:
    engine = environ.get(*ENVIRONMENT["engine"])
    if engine not in ENGINES:
        raise ValueError(f"AUTOTRADE_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    return AutotradeSettings(
        **{
            field: environ.get(variable, default)
            for field, (variable, default) in ENVIRONMENT.items()
        }
    )
