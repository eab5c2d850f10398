"""Publishing: versions swapped in whole, the last few kept, rollback to any of them."""

import duckdb
import polars as pl
import pytest

from orchestration.publish import PublishError, current_version, publish, rollback, versions


def warehouse_with(path, units: int):
    with duckdb.connect(path) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create schema if not exists audit")
        connection.execute("create or replace table marts.mart_x as select ? as units", [units])
        connection.execute(
            "create or replace table audit.ingested_files as select date '2025-01-09' as drop_date"
        )
    return path


def published_units(publish_dir) -> tuple[int, int, str]:
    with duckdb.connect(publish_dir / "autotrade.duckdb", read_only=True) as connection:
        (units,) = connection.execute("select units from marts.mart_x").fetchone()
        (version,) = connection.execute("select distinct version from meta.publication").fetchone()
    parquet = pl.read_parquet(publish_dir / "parquet" / "mart_x.parquet")["units"][0]
    return units, parquet, version


def test_publish_then_rollback_to_the_previous_and_to_a_named_version(tmp_path):
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    first = publish(warehouse_with(warehouse, 1), out).version
    second = publish(warehouse_with(warehouse, 2), out).version
    third = publish(warehouse_with(warehouse, 3), out).version
    assert published_units(out) == (3, 3, third)
    assert versions(out) == [first, second, third] and current_version(out) == third

    assert rollback(out) == second
    assert published_units(out) == (2, 2, second)
    assert rollback(out, first) == first
    assert published_units(out) == (1, 1, first)
    assert rollback(out, third) == third
    assert published_units(out) == (3, 3, third)


def test_rollback_refuses_an_unknown_version_and_changes_nothing(tmp_path):
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    only = publish(warehouse_with(warehouse, 7), out).version
    with pytest.raises(PublishError, match="no version before"):
        rollback(out)
    with pytest.raises(PublishError, match="no published version 1999"):
        rollback(out, "1999")
    assert published_units(out) == (7, 7, only)


def test_only_the_last_versions_are_kept(tmp_path):
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    made = [publish(warehouse_with(warehouse, n), out, keep=3).version for n in range(5)]
    assert versions(out) == made[-3:]
    assert published_units(out) == (4, 4, made[-1])


def test_rollback_verifies_its_target_and_refuses_one_that_changed_since(tmp_path):
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    first = publish(warehouse_with(warehouse, 1), out).version
    second = publish(warehouse_with(warehouse, 2), out).version
    spoiled = out / "versions" / first / "parquet" / "mart_x.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy (select 1 as units from range(3)) to '{spoiled}'")

    with pytest.raises(PublishError, match=r"failed verification: marts.mart_x: expected 1, .*3"):
        rollback(out, first)
    assert current_version(out) == second
    assert published_units(out) == (2, 2, second)


def test_a_version_whose_database_kept_its_data_in_the_wal_is_refused(tmp_path):
    """What a failed checkpoint leaves: the data in the .wal beside an unfinished file."""
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    first = publish(warehouse_with(warehouse, 1), out).version
    publish(warehouse_with(warehouse, 2), out)
    (out / "versions" / first / "autotrade.duckdb.wal").write_bytes(b"\0")

    with pytest.raises(PublishError, match=r"unfinished: committed data still sits in .*\.wal"):
        rollback(out, first)
