"""Where autotrade reads and writes, as one Dagster resource configured from the environment.

The variables and their defaults are listed once, in ``orchestration.environment``; the
resource's fields take those defaults, and a variable that is set reaches its field as
Dagster's ``EnvVar`` (so the UI shows where a value came from, and Dagster reads it when a run
starts). The raw layer (Parquet) lives in ``raw/`` beside the warehouse; on the Spark engine
its tables (Parquet) and catalog live in ``spark/`` beside it (docs/scale.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar
from dagster_duckdb import DuckDBResource

from orchestration.environment import VARIABLES, default

# Each engine's output in dbt_project/profiles.yml.
DBT_TARGETS = {"duckdb": "local", "spark": "spark"}


class AutotradeSettings(ConfigurableResource):
    """The three locations of the contract, every path resolved to an absolute one; the
    memory DuckDB may take in each process that opens the warehouse (dbt's, the checks'); and
    how long a run waits for another run of the same warehouse; the engine dbt builds on
    and, on Spark, where Spark runs.

    DuckDB's own default is 80% of the machine's RAM, and it takes it: at 10M rows dbt's
    window queries held 4.8 GB. Under the cap it spills to ``<warehouse>.tmp`` instead."""

    landing_dir: str = default("landing_dir")
    warehouse_path: str = default("warehouse_path")
    publish_dir: str = default("publish_dir")
    duckdb_memory_limit: str = default("duckdb_memory_limit")
    lock_wait_seconds: int = int(default("lock_wait_seconds"))
    engine: str = default("engine")
    spark_master: str = default("spark_master")
    spark_driver_memory: str = default("spark_driver_memory")

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

    @property
    def duckdb_config(self) -> dict[str, str]:
        return {"memory_limit": self.duckdb_memory_limit}

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection through dagster-duckdb's resource, which waits out another
        process's lock on the file: DuckDB allows one writer per file, so none is held open."""
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        access = {"access_mode": "READ_ONLY"} if read_only else {}
        warehouse = DuckDBResource(
            database=str(self.warehouse), connection_config=self.duckdb_config | access
        )
        with warehouse.get_connection() as connection:
            try:
                yield connection
            finally:
                connection.close()  # dagster-duckdb closes it only when the block succeeds

    @property
    def dbt_target(self) -> str:
        """The profile's output for the engine."""
        if self.engine not in DBT_TARGETS:
            raise ValueError(
                f"AUTOTRADE_ENGINE must be one of {', '.join(DBT_TARGETS)}, not {self.engine!r}"
            )
        return DBT_TARGETS[self.engine]

    def dbt_vars(self) -> str:
        """What the dbt profile and project read, as dbt's ``--vars`` (dbt runs in its own
        folder, so the paths are absolute)."""
        return json.dumps(
            {
                "autotrade_warehouse": str(self.warehouse),
                "autotrade_duckdb_memory_limit": self.duckdb_memory_limit,
                "autotrade_raw_dir": str(self.raw_dir),
                "autotrade_spark_warehouse": str(self.spark_warehouse),
                "autotrade_spark_master": self.spark_master,
                "autotrade_spark_driver_memory": self.spark_driver_memory,
            },
            sort_keys=True,
        )

    def dbt_arguments(self) -> list[str]:
        """The settings as every dbt command takes them, the parse as much as the builds
        (dbt reuses a parse only under the same target and vars)."""
        return ["--target", self.dbt_target, "--vars", self.dbt_vars()]

    @classmethod
    def from_environment(cls) -> AutotradeSettings:
        """The resource as Dagster loads it: each variable that is set as an ``EnvVar``, the
        others left to the field's default. Read its values only inside a run (or through
        ``settings_from_environment``): before Dagster resolves it, an ``EnvVar`` field holds
        the variable's name."""
        return cls(
            **{
                field: EnvVar.int(variable)
                if cls.model_fields[field].annotation is int
                else EnvVar(variable)
                for field, (variable, _) in VARIABLES.items()
                if os.environ.get(variable)
            }
        )


def settings_from_environment() -> AutotradeSettings:
    """The settings with every ``EnvVar`` read, for code that runs outside a Dagster run."""
    return AutotradeSettings.from_environment().process_config_and_initialize()
