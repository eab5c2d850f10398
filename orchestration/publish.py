"""Publish the marts for BI: a complete snapshot that readers can open while the pipeline runs.

BI never opens the working warehouse (DuckDB allows one writer and no reader beside it).
Instead each publish builds a new DuckDB file and a new directory of Parquet files, then
swaps them in with atomic renames: a reader that is already open keeps the old version, a new
one sees the new version, and nobody ever sees half of one.

    <publish>/autotrade.duckdb            schemas marts, audit and meta (replaced atomically)
    <publish>/parquet -> versions/<v>/parquet   one <table>.parquet per published table
    <publish>/versions/<v>/                the last few versions, for rollback
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts", "audit")
KEEP_VERSIONS = 5
SQL = Path(__file__).with_name("publish.sql").read_text()


@dataclass(frozen=True)
class Publication:
    version: str
    database: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def _literal(text: str) -> str:
    # ATTACH and COPY take no bind parameters for their paths; quote them as data.
    return "'" + text.replace("'", "''") + "'"


def _swap_symlink(link: Path, target: str) -> None:
    temporary = link.with_name(f".{link.name}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _prune(versions_dir: Path, keep: int) -> None:
    for old in sorted(versions_dir.iterdir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def publish(warehouse: Path, publish_dir: Path, keep: int = KEEP_VERSIONS) -> Publication:
    """Copy every table of the published schemas out of ``warehouse`` and swap it in."""
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = publish_dir / "versions" / version
    parquet_dir = version_dir / "parquet"
    parquet_dir.mkdir(parents=True)
    building = publish_dir / f".autotrade.duckdb.{version}.tmp"
    row_counts: dict[str, int] = {}
    with duckdb.connect(building) as published:
        published.execute(f"attach {_literal(str(warehouse))} as warehouse (read_only)")
        tables = published.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'warehouse' and table_schema in (select unnest($schemas)) "
            "order by all",
            {"schemas": list(PUBLISHED_SCHEMAS)},
        ).fetchall()
        published.execute("begin transaction")
        for schema, table in tables:
            published.execute(f"create schema if not exists {schema}")
            published.execute(f"create table {schema}.{table} as from warehouse.{schema}.{table}")
            published.execute(
                f"copy {schema}.{table} to {_literal(str(parquet_dir / f'{table}.parquet'))} "
                "(format parquet, compression zstd)"
            )
            row_counts[f"{schema}.{table}"] = published.execute(
                f"select count(*) from {schema}.{table}"
            ).fetchone()[0]
        published.execute("create schema if not exists meta")
        published.execute(
            SQL, {"version": version, "tables": list(row_counts), "rows": list(row_counts.values())}
        )
        published.execute("commit")
        published.execute("detach warehouse")
    database = publish_dir / "autotrade.duckdb"
    os.replace(building, database)
    _swap_symlink(publish_dir / "parquet", f"versions/{version}/parquet")
    _prune(publish_dir / "versions", keep)
    return Publication(version, database, publish_dir / "parquet", row_counts)
