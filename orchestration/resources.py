"""Where autotrade reads and writes, as one Dagster resource configured from the environment.

The variables and their defaults are listed once, in ``orchestration.environment``; the
resource's fields take those defaults, and a variable that is set reaches its field as
Dagster's ``EnvVar`` (so the UI shows where a value came from, and Dagster reads it when a run
starts). The raw layer (Parquet) lives in ``raw/`` beside the warehouse.
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


class AutotradeSettings(ConfigurableResource):
    """The three locations of the contract, every path resolved to an absolute one; the
    memory DuckDB may take in each process that opens the warehouse (dbt's, the checks'); and
    how long a run waits for another run of the same warehouse.

    DuckDB's own default is 80% of the machine's RAM, and it takes it: at 10M rows dbt's
    window queries held 4.8 GB. Under the cap it spills to ``<warehouse>.tmp`` instead."""

    landing_dir: str = default("landing_dir")
    warehouse_path: str = default("warehouse_path")
    publish_dir: str = default("publish_dir")
    duckdb_memory_limit: str = default("duckdb_memory_limit")
    lock_wait_seconds: int = int(default("lock_wait_seconds"))

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

    def dbt_vars(self) -> str:
        """What the dbt profile reads, as dbt's ``--vars`` (dbt runs in its own folder, so the
        path is absolute)."""
        return json.dumps(
            {
                "autotrade_warehouse": str(self.warehouse),
                "autotrade_duckdb_memory_limit": self.duckdb_memory_limit,
            },
            sort_keys=True,
        )

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
