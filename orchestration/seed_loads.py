"""When the dbt seeds load: only when what their tables are built from has changed.

A run that loads the seeds records, in the warehouse, a digest of everything their tables are
built from, once dbt has loaded them and passed their tests. ``make run`` leaves the seeds
(and their tests) out of a run whose digest matches that record: loading 12 unchanged files
and testing them again took 3 s of every new drop's run (docs/benchmarks.md). A run from the
schedule or the UI, or with ``--full-refresh``, loads them whatever the record says. The
record lives in the warehouse, so a new or replaced warehouse has none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from orchestration.unchanged import REPOSITORY, files_digest

if TYPE_CHECKING:
    from orchestration.resources import AutotradeSettings

# What dbt builds the seed tables from: the files and their properties, the macros and
# settings it loads them with, and the locked dbt versions.
SEED_INPUTS = (
    "dbt_project/seeds",
    "dbt_project/macros",
    "dbt_project/dbt_project.yml",
    "dbt_project/profiles.yml",
    "uv.lock",
)
RECORD_TABLE = "pipeline.seeds_loaded"
# The tag of a run that left the seeds out.
SEEDS_UNCHANGED_TAG = {"autotrade/seeds": "unchanged since last loaded, not loaded again"}


def seeds_digest(settings: AutotradeSettings, root: Path = REPOSITORY) -> str:
    """One digest over what the seed tables are built from (in the project at ``root``), on
    the engine of ``settings``. Not the locations: the record is in the warehouse, and a
    warehouse moved or copied with its folder still holds the seeds it held."""
    digest = hashlib.sha256(settings.dbt_target.encode())
    return files_digest(digest, root, SEED_INPUTS)


def seeds_are_loaded(settings: AutotradeSettings) -> bool:
    """Whether the warehouse's seed tables were loaded from the seeds as they are now."""
    if not settings.warehouse.exists():
        return False
    with settings.connect(read_only=True) as connection:
        try:
            recorded = connection.execute(f"select digest from {RECORD_TABLE}").fetchall()
        except duckdb.CatalogException:
            return False
    return recorded == [(seeds_digest(settings),)]


def record_seeds(settings: AutotradeSettings, loaded: bool) -> None:
    """Record that the seed tables hold the seeds as they are now (``loaded``), or forget
    what they held (before dbt loads them again: a load that fails leaves no record)."""
    with settings.connect() as connection:
        connection.execute("create schema if not exists pipeline")
        connection.execute(
            f"create or replace table {RECORD_TABLE} (digest varchar, loaded_at timestamptz)"
        )
        if loaded:
            connection.execute(
                f"insert into {RECORD_TABLE} values (?, now())", [seeds_digest(settings)]
            )
