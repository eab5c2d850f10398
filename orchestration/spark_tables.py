"""On the Spark engine, the DuckDB warehouse shows Spark's tables as views over their files.

dbt on Spark writes every model, seed and snapshot as a Parquet table under
``<warehouse>/../spark/<schema>.db/<table>/`` (partitioned tables in ``<key>=<value>/``
folders). Declaring a DuckDB view over each table's files after every dbt step lets
everything downstream of dbt stay one code path whichever engine built the tables: the
Great Expectations suites read the same relations with the same severities, and publishing
copies them into the same ``autotrade.duckdb`` and ``parquet/<table>.parquet``
(docs/scale.md). The views read the files where they lie: nothing is copied.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.sql_text import sql_literal

# Spark's own folders beside the tables: its catalog (Derby) and the raw sources, which are
# external tables over the raw layer and already have their DuckDB views.
NOT_TABLES = {"metastore_db", "raw.db"}


def spark_tables(spark_warehouse: Path) -> dict[str, Path]:
    """``schema.table`` -> folder of every table Spark holds in ``spark_warehouse``."""
    return {
        f"{folder.parent.name.removesuffix('.db')}.{folder.name}": folder
        for folder in sorted(spark_warehouse.glob("*.db/*"))
        if folder.is_dir() and folder.parent.name not in NOT_TABLES
    }


def _is_partitioned(folder: Path) -> bool:
    return any(child.is_dir() and "=" in child.name for child in folder.iterdir())


def expose_spark_tables(connection: duckdb.DuckDBPyConnection, spark_warehouse: Path) -> list[str]:
    """(Re)declare a view per Spark table in one transaction; return their names. A table
    of the same name (from a DuckDB build of this warehouse) gives way to the view."""
    tables = spark_tables(spark_warehouse)
    built_by_duckdb = {
        f"{schema}.{table}"
        for schema, table in connection.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall()
    }
    connection.execute("begin transaction")
    try:
        for name, folder in tables.items():
            schema = name.split(".")[0]
            connection.execute(f"create schema if not exists {schema}")
            if name in built_by_duckdb:
                connection.execute(f"drop table {name}")
            files = sql_literal((folder / "**" / "*.parquet").as_posix())
            connection.execute(
                f"create or replace view {name} as select * from read_parquet({files}, "
                f"hive_partitioning = {str(_is_partitioned(folder)).lower()})"
            )
    except duckdb.Error:
        connection.execute("rollback")
        raise
    connection.execute("commit")
    return list(tables)
