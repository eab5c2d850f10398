"""Publish the marts for BI: a complete snapshot that readers can open while the pipeline runs.

BI never opens the working warehouse (DuckDB allows one writer and no reader beside it).
Instead each publish builds a new DuckDB file and a new directory of Parquet files, then
swaps them in with atomic renames: a reader that is already open keeps the old version, a new
one sees the new version, and nobody ever sees half of one.

    <publish>/autotrade.duckdb            schemas marts, audit and meta (replaced atomically)
    <publish>/parquet -> versions/<v>/parquet   one <table>.parquet per published table
    <publish>/versions/<v>/                the last few versions (DuckDB file and Parquet)

Rolling back is the same swap to an earlier version:

    python -m orchestration.publish list
    python -m orchestration.publish rollback [VERSION]   # default: the version before
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.resources import settings_from_environment
from orchestration.sql_text import sql_literal

PUBLISHED_SCHEMAS = ("marts", "audit")
KEEP_VERSIONS = 5
SQL = Path(__file__).with_name("publish.sql").read_text()


@dataclass(frozen=True)
class Publication:
    version: str
    database: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def _swap_symlink(link: Path, target: str) -> None:
    temporary = link.with_name(f".{link.name}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _prune(versions_dir: Path, keep: int) -> None:
    for old in sorted(versions_dir.iterdir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def versions(publish_dir: Path) -> list[str]:
    """Published versions still kept, oldest first."""
    folder = publish_dir / "versions"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def current_version(publish_dir: Path) -> str | None:
    link = publish_dir / "parquet"
    return Path(os.readlink(link)).parent.name if link.is_symlink() else None


def activate(publish_dir: Path, version: str) -> None:
    """Make ``version`` the one readers open: both swaps are atomic renames."""
    source = publish_dir / "versions" / version / "autotrade.duckdb"
    if not source.is_file():
        raise ValueError(f"no published version {version} in {publish_dir / 'versions'}")
    staged = publish_dir / f".autotrade.duckdb.{version}.tmp"
    staged.unlink(missing_ok=True)
    try:
        # A hard link costs nothing whatever the size; readers open the file read-only.
        os.link(source, staged)
    except OSError:
        shutil.copy2(source, staged)
    os.replace(staged, publish_dir / "autotrade.duckdb")
    _swap_symlink(publish_dir / "parquet", f"versions/{version}/parquet")


def rollback(publish_dir: Path, version: str | None = None) -> str:
    """Re-activate ``version``, by default the one published before the current one."""
    kept, current = versions(publish_dir), current_version(publish_dir)
    if version is None:
        earlier = [v for v in kept if current is None or v < current]
        if not earlier:
            raise ValueError(f"no version before {current} is kept in {publish_dir}")
        version = earlier[-1]
    activate(publish_dir, version)
    return version


def publish(warehouse: Path, publish_dir: Path, keep: int = KEEP_VERSIONS) -> Publication:
    """Copy every table of the published schemas out of ``warehouse`` and swap it in."""
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = publish_dir / "versions" / version
    parquet_dir = version_dir / "parquet"
    parquet_dir.mkdir(parents=True)
    building = version_dir / "autotrade.duckdb"
    row_counts: dict[str, int] = {}
    with duckdb.connect(building) as published:
        published.execute(f"attach {sql_literal(str(warehouse))} as warehouse (read_only)")
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
                f"copy {schema}.{table} to {sql_literal(str(parquet_dir / f'{table}.parquet'))} "
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
    activate(publish_dir, version)
    _prune(publish_dir / "versions", keep)
    return Publication(
        version, publish_dir / "autotrade.duckdb", publish_dir / "parquet", row_counts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List or roll back published versions.")
    parser.add_argument("command", choices=["list", "rollback"])
    parser.add_argument("version", nargs="?")
    parser.add_argument("--publish", type=Path, default=Path(settings_from_environment().publish))
    args = parser.parse_args(argv)
    if args.command == "list":
        current = current_version(args.publish)
        for version in versions(args.publish):
            print(version, "(current)" if version == current else "")
        return 0
    try:
        print(f"now published: {rollback(args.publish, args.version)}")
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
