"""The ``raw`` schema in DuckDB: views over the raw Parquet files, one per raw table.

The views read the files where they lie, so ingesting a drop never takes DuckDB's single
write lock for more than the moment it takes to (re)declare them. They glob the table's
directory, which always holds its empty ``_schema.parquet``: a feed with no drops yet is an
empty view with the right columns, not an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from orchestration.ingest import store
from orchestration.ingest.feeds import Feed
from orchestration.ingest.parse import QUARANTINE_SCHEMA, loaded_schema
from orchestration.sql_text import sql_literal

VIEW_SQL = (Path(__file__).with_name("raw_views.sql")).read_text()
GLOB_CHARACTERS = re.compile(r"[*?\[\]]")


def raw_tables(feed: Feed) -> dict[str, dict[str, pl.DataType]]:
    """The ``raw`` tables a feed fills, with their columns: rows, quarantine, manifest."""
    return {
        feed.name: loaded_schema(feed),
        f"{feed.name}_quarantine": QUARANTINE_SCHEMA,
        f"{feed.name}_files": store.MANIFEST_SCHEMA,
    }


def declare_raw_views(connection: duckdb.DuckDBPyConnection, raw_dir: Path, feed: Feed) -> None:
    """(Re)declare the feed's ``raw`` views, in one transaction."""
    if GLOB_CHARACTERS.search(str(raw_dir.resolve())):
        raise ValueError(
            f"the warehouse directory {raw_dir.parent} has one of * ? [ ] in its path, which "
            "DuckDB reads as a file pattern; set AUTOTRADE_WAREHOUSE to a path without them"
        )
    tables = raw_tables(feed)
    for table, schema in tables.items():
        store.write_schema_file(raw_dir, table, schema)
    connection.execute("begin transaction")
    try:
        connection.execute("create schema if not exists raw")
        for table in tables:
            pattern = (store.table_dir(raw_dir.resolve(), table) / "**" / "*.parquet").as_posix()
            connection.execute(VIEW_SQL.format(view=f"raw.{table}", files=sql_literal(pattern)))
    except duckdb.Error:
        connection.execute("rollback")
        raise
    connection.execute("commit")
