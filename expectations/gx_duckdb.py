"""Make GX's SQL execution engine keep one open connection per DuckDB engine.

Checked against great_expectations 1.24.1 (pinned `great-expectations==1.24.*`), with
duckdb-engine 0.17.0, SQLAlchemy 2.1 and duckdb 2.0.1.

Why: `SqlAlchemyExecutionEngine.execute_query` runs a query inside `with engine.connect()`
and hands back the cursor result after that block has closed the connection. Closing
returns it to the pool, which rolls it back; duckdb-engine runs every cursor on the one
DuckDB connection underneath, so the rollback replaces the pending result, and GX's later
fetch finds no rows: every metric fails with "list index out of range" (GX issue 11579).
For the dialects in its private `_PERSISTED_CONNECTION_DIALECTS` (sqlite, mssql, ...)
GX instead opens one connection for the engine's lifetime and builds the engine on a
StaticPool, so results survive until they are fetched. Listing duckdb there fixes every
metric; `tests/test_expectations.py` shows both the failure without it and exact counts
with it, so a GX upgrade that fixes (or moves) this gets noticed.
"""

from __future__ import annotations

from great_expectations.execution_engine import sqlalchemy_execution_engine as _gx_sql


class _DialectName(str):
    """A dialect name in the two shapes GX reads that tuple with.

    `get_connection` tests `engine.dialect.name in tuple` (string equality), while engine
    creation reads `member.value` of each entry; GX's entries are `GXSqlDialect` members,
    an Enum that has no DuckDB member and cannot be extended.
    """

    @property
    def value(self) -> str:
        return str(self)


DUCKDB = _DialectName("duckdb")


def persist_duckdb_connections() -> None:
    """List duckdb among GX's persisted-connection dialects. Idempotent."""
    # `"duckdb" in ...` also matches a GXSqlDialect member, should GX ever add one.
    if "duckdb" not in _gx_sql._PERSISTED_CONNECTION_DIALECTS:
        _gx_sql._PERSISTED_CONNECTION_DIALECTS = (*_gx_sql._PERSISTED_CONNECTION_DIALECTS, DUCKDB)
