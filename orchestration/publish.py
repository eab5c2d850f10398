"""Publish the marts for BI: a complete snapshot that readers can open while the pipeline runs.

BI never opens the working warehouse (DuckDB allows one writer and no reader beside it).
Instead each publish builds a new version folder, checks it, marks it complete, and only then
switches one pointer to it with a single atomic rename:

    <publish>/current -> versions/<v>             the one pointer a publish or rollback switches
    <publish>/autotrade.duckdb -> current/autotrade.duckdb   schemas marts, audit and meta
    <publish>/parquet -> current/parquet          one <table>.parquet per published table
    <publish>/versions/<v>/manifest.json          written last: the version is complete

The DuckDB file and the Parquet set hang off the same pointer, so they always switch together.
A version folder without a manifest is a publish that died half-way: it is never listed nor
rolled back to, and the next publish removes it. Any error while writing (a full disk, a
read-only folder) fails the publish with the path in the message and leaves the current
version as it was.

Rolling back is the same switch to an earlier version, verified again first:

    python -m orchestration.publish list
    python -m orchestration.publish rollback [VERSION]   # default: the version before
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import duckdb

from orchestration.environment import setting
from orchestration.sql_text import sql_literal

PUBLISHED_SCHEMAS = ("marts", "audit")
KEEP_VERSIONS = 5
DATABASE, PARQUET, CURRENT, MANIFEST = "autotrade.duckdb", "parquet", "current", "manifest.json"
SQL = Path(__file__).with_name("publish.sql").read_text()


class PublishError(Exception):
    """Publishing or rolling back could not finish; the current version is unchanged."""


@dataclass(frozen=True)
class Publication:
    version: str
    database: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def _sync(path: Path) -> None:
    """Flush a file or a folder's entries to disk, so a rename after it never points at
    data that a crash could still lose."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _replace_link(link: Path, target: str) -> None:
    temporary = link.with_name(f".{link.name}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)
    _sync(link.parent)


def _write_manifest(version_dir: Path, manifest: dict) -> None:
    temporary = version_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _sync(temporary)
    os.replace(temporary, version_dir / MANIFEST)
    _sync(version_dir)


def manifest(version_dir: Path) -> dict | None:
    """The completion record of a version folder, or None if the publish never finished."""
    try:
        record = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("version") == version_dir.name else None


def versions(publish_dir: Path) -> list[str]:
    """Complete published versions still kept, oldest first."""
    folder = publish_dir / "versions"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and manifest(p) is not None)


def current_version(publish_dir: Path) -> str | None:
    link = publish_dir / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _count(connection: duckdb.DuckDBPyConnection, relation: str) -> int:
    return connection.execute(f"select count(*) from {relation}").fetchone()[0]


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the connection's own database, as ``schema.table``."""
    return {
        name
        for (name,) in connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    }


def verify(version_dir: Path, row_counts: dict[str, int]) -> None:
    """Open the version's DuckDB file alone, read-only, and check that every table and every
    Parquet file holds ``row_counts`` rows; raise PublishError naming what differs."""
    database = version_dir / DATABASE
    wal = database.with_name(f"{DATABASE}.wal")
    if wal.exists():
        # Data still in the WAL is not in the file: a reader of the file alone sees none of it.
        raise PublishError(f"{database} is unfinished: committed data still sits in {wal}")
    found: dict[str, tuple[int | None, int | None]] = {}
    try:
        with duckdb.connect(database, read_only=True) as connection:
            in_file = _tables(connection)
            recorded = dict(
                connection.execute("select table_name, row_count from meta.publication").fetchall()
            )
            for table in row_counts:
                parquet = version_dir / PARQUET / f"{table.split('.')[1]}.parquet"
                found[table] = (
                    _count(connection, table) if table in in_file else None,
                    _count(connection, f"read_parquet({sql_literal(str(parquet))})")
                    if parquet.is_file()
                    else None,
                )
    except duckdb.Error as error:
        raise PublishError(f"{database} cannot be read: {error}") from error
    wrong = [
        f"{table}: expected {expected}, database {found[table][0]}, parquet {found[table][1]}"
        for table, expected in row_counts.items()
        if found[table] != (expected, expected) or recorded.get(table) != expected
    ]
    extra = sorted(set(in_file) - set(row_counts) - {"meta.publication"})
    if wrong or extra or not row_counts:
        problems = wrong + [f"{table}: not expected" for table in extra] or ["no tables"]
        raise PublishError(f"{version_dir} failed verification: " + "; ".join(problems))


def _switch(publish_dir: Path, version: str) -> None:
    """Point ``current`` at ``version`` (one rename), then make sure the stable paths BI
    opens go through it (they only change the first time, from an older layout)."""
    try:
        _replace_link(publish_dir / CURRENT, f"versions/{version}")
        for name in (DATABASE, PARQUET):
            link, target = publish_dir / name, f"{CURRENT}/{name}"
            if not (link.is_symlink() and os.readlink(link) == target):
                _replace_link(link, target)
    except OSError as error:
        raise PublishError(
            f"could not switch {publish_dir / CURRENT} to {version}: {error}"
        ) from error


def _remove_unfinished(publish_dir: Path) -> None:
    """Delete what a publish killed half-way left: version folders without a manifest (except
    one still live through an older layout's link) and temporary links."""
    live = (publish_dir / PARQUET).resolve().parent
    for folder in (publish_dir / "versions").iterdir():
        if manifest(folder) is None and folder != live:
            shutil.rmtree(folder) if folder.is_dir() else folder.unlink()
    for leftover in publish_dir.glob(".*.tmp"):
        leftover.unlink()


def _prune(publish_dir: Path, keep: int) -> None:
    current = current_version(publish_dir)
    for old in versions(publish_dir)[:-keep]:
        if old != current:
            shutil.rmtree(publish_dir / "versions" / old, ignore_errors=True)


def _build(
    warehouse: Path,
    version_dir: Path,
    step: Callable[[str], None],
    previous: Path | None,
    updated_in_place: Mapping[str, tuple[str, str]],
) -> dict[str, int]:
    """Write the version's DuckDB file and Parquet files; return the warehouse's row counts.

    With a ``previous`` version's DuckDB file and tables to update in place, the new file
    starts as a copy of it (``_update_in_place``); every other table is copied whole."""
    parquet_dir = version_dir / PARQUET
    parquet_dir.mkdir()
    database = version_dir / DATABASE
    if previous and updated_in_place:
        shutil.copyfile(previous, database)
    row_counts: dict[str, int] = {}
    # The warehouse's tables have no row order to keep (dbt builds them without), and keeping
    # a scan's order costs 0.3 s of 2.6 per 5M rows copied.
    with duckdb.connect(database, config={"preserve_insertion_order": False}) as published:
        published.execute(f"attach {sql_literal(str(warehouse))} as warehouse (read_only)")
        tables = [
            f"{schema}.{table}"
            for schema, table in published.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = 'warehouse' and table_schema in (select unnest($schemas)) "
                "order by all",
                {"schemas": list(PUBLISHED_SCHEMAS)},
            ).fetchall()
        ]
        published.execute("begin transaction")
        held = _tables(published)
        for table in held - set(tables):
            published.execute(f"drop table {table}")
        for table in tables:
            published.execute(f"create schema if not exists {table.split('.')[0]}")
            if (
                table in held
                and table in updated_in_place
                and _update_in_place(published, table, *updated_in_place[table])
            ):
                step(f"updated in place: {table}")
            else:
                published.execute(f"create or replace table {table} as from warehouse.{table}")
            # zstd's fastest level, as for the raw layer: on the 5M-row mart 1.3 s instead
            # of 1.7 at the default level, for a file 10% larger (docs/benchmarks.md).
            parquet = parquet_dir / f"{table.split('.')[1]}.parquet"
            published.execute(
                f"copy {table} to {sql_literal(str(parquet))} "
                "(format parquet, compression zstd, compression_level 1)"
            )
            row_counts[table] = _count(published, f"warehouse.{table}")
        published.execute("create schema if not exists meta")
        published.execute(
            SQL,
            {
                "version": version_dir.name,
                "tables": list(row_counts),
                "rows": list(row_counts.values()),
            },
        )
        published.execute("commit")
        published.execute("detach warehouse")
        step("copied")
        # Closing checkpoints too, but swallows a failure and leaves the data in the WAL.
        published.execute("checkpoint")
    step("checkpointed")
    for written in (*parquet_dir.iterdir(), parquet_dir, database, version_dir):
        _sync(written)
    return row_counts


def _update_in_place(
    published: duckdb.DuckDBPyConnection, table: str, key: str, stamp: str
) -> bool:
    """Bring ``table``, as the previous version holds it, up to the warehouse's: remove the
    rows of every ``key`` the warehouse rebuilt since (rows stamped after the newest
    ``stamp`` here) or no longer has, add the rebuilt rows. Right for a table that dbt only
    changes by deleting and inserting whole keys with a new stamp (incremental
    delete+insert); whatever the table, it is kept only if its rows then hash as the
    warehouse's do. Returns whether it was kept; if not, the caller copies the table whole.

    On the 6M-row mart a new drop rebuilds a few labels: 0.3 s, copying it whole 1.2 s."""
    if _columns(published, table) != _columns(published, table, "warehouse"):
        return False
    (newest,) = published.execute(f"select max({stamp}) from {table}").fetchone()
    if newest is None:
        return False
    published.execute(
        f"""
        delete from {table} where {key} in (
            select {key} from (select distinct {key} from {table}) as held
            where {key} in (select {key} from warehouse.{table} where {stamp} > $1)
                or {key} not in (select distinct {key} from warehouse.{table})
        )
        """,
        [newest],
    )
    published.execute(
        f"insert into {table} select * from warehouse.{table} where {stamp} > $1", [newest]
    )
    digest = "select count(*), sum(hash(t)) from {} as t"
    return (
        published.execute(digest.format(table)).fetchone()
        == published.execute(digest.format(f"warehouse.{table}")).fetchone()
    )


def _columns(
    connection: duckdb.DuckDBPyConnection, table: str, database: str | None = None
) -> list[tuple]:
    """The names and types of ``table``'s columns in ``database`` (default: the connection's
    own), in order."""
    schema, name = table.split(".")
    return connection.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = coalesce($1, current_database()) and schema_name = $2 "
        "and table_name = $3 order by column_index",
        [database, schema, name],
    ).fetchall()


def publish(
    warehouse: Path,
    publish_dir: Path,
    keep: int = KEEP_VERSIONS,
    step: Callable[[str], None] = lambda name: None,
    updated_in_place: Mapping[str, tuple[str, str]] = MappingProxyType({}),
) -> Publication:
    """Copy every table of the published schemas out of ``warehouse`` into a new version,
    verify it, mark it complete and switch to it. ``step`` hears each stage's name as it
    is reached (cleaned, building, copied, checkpointed, verified, completed, switched).

    ``updated_in_place`` names tables (``schema.table``) with their key and build stamp
    columns: the new version starts from a copy of the current one's DuckDB file, in which
    these are brought up to date rather than copied whole (``_update_in_place``)."""
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = publish_dir / "versions" / version
    before = current_version(publish_dir)
    try:
        (publish_dir / "versions").mkdir(parents=True, exist_ok=True)
        _remove_unfinished(publish_dir)
        step("cleaned")
        version_dir.mkdir()
        step("building")
        previous = (
            version_dir.with_name(before) / DATABASE if before in versions(publish_dir) else None
        )
        row_counts = _build(warehouse, version_dir, step, previous, updated_in_place)
        verify(version_dir, row_counts)
        step("verified")
        _write_manifest(
            version_dir,
            {
                "version": version,
                "published_at": datetime.now(UTC).isoformat(),
                "tables": row_counts,
            },
        )
        step("completed")
    except (OSError, duckdb.Error, PublishError) as error:
        shutil.rmtree(version_dir, ignore_errors=True)
        raise PublishError(
            f"publishing {version_dir} failed; {before or 'nothing'} stays published: {error}"
        ) from error
    _switch(publish_dir, version)
    step("switched")
    _prune(publish_dir, keep)
    return Publication(version, publish_dir / DATABASE, publish_dir / PARQUET, row_counts)


def rollback(publish_dir: Path, version: str | None = None) -> str:
    """Re-activate ``version``, by default the one published before the current one, after
    verifying it again against its manifest."""
    kept, current = versions(publish_dir), current_version(publish_dir)
    if version is None:
        earlier = [v for v in kept if current is None or v < current]
        if not earlier:
            raise PublishError(f"no version before {current} is kept in {publish_dir}")
        version = earlier[-1]
    version_dir = publish_dir / "versions" / version
    if version not in kept:
        raise PublishError(
            f"refusing {version_dir}: it was never completed (no {MANIFEST})"
            if version_dir.is_dir()
            else f"no published version {version} in {publish_dir / 'versions'}"
        )
    verify(version_dir, manifest(version_dir)["tables"])
    _switch(publish_dir, version)
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List or roll back published versions.")
    parser.add_argument("command", choices=["list", "rollback"])
    parser.add_argument("version", nargs="?")
    parser.add_argument("--publish", type=Path, default=Path(setting("publish_dir")))
    args = parser.parse_args(argv)
    if args.command == "list":
        current = current_version(args.publish)
        for version in versions(args.publish):
            print(version, "(current)" if version == current else "")
        return 0
    try:
        print(f"now published: {rollback(args.publish, args.version)}")
    except (PublishError, OSError, duckdb.Error) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
