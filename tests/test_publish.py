"""Publishing: versions swapped in whole, the last few kept, rollback to any of them."""

from datetime import datetime

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


LABELS = {"marts.mart_labels": ("period_label", "built_at")}


def build_labels(path, labels: dict[str, int], stamp: str) -> None:
    """As dbt's delete+insert by label does: each label of ``labels`` replaced whole by
    ``rows`` rows stamped ``stamp``; labels mapped to 0 removed."""
    with duckdb.connect(path) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create schema if not exists audit")
        connection.execute(
            "create table if not exists marts.mart_labels "
            "(period_label varchar, units bigint, built_at timestamp)"
        )
        connection.execute(
            "create or replace table audit.ingested_files as select date '2025-01-09' as drop_date"
        )
        for label, rows in labels.items():
            connection.execute("delete from marts.mart_labels where period_label = ?", [label])
            connection.execute(
                "insert into marts.mart_labels by name "
                "select ? as period_label, range as units, ?::timestamp as built_at from range(?)",
                [label, stamp, rows],
            )


def published_labels(publish_dir) -> list[tuple]:
    query = "select * from {} order by all"
    with duckdb.connect(publish_dir / "autotrade.duckdb", read_only=True) as connection:
        rows = connection.execute(query.format("marts.mart_labels")).fetchall()
        parquet = publish_dir / "parquet" / "mart_labels.parquet"
        assert connection.execute(query.format(f"'{parquet}'")).fetchall() == rows
    return rows


def warehouse_labels(path) -> list[tuple]:
    with duckdb.connect(path, read_only=True) as connection:
        return connection.execute("select * from marts.mart_labels order by all").fetchall()


def test_a_table_rebuilt_by_label_is_updated_in_place_from_the_version_before(tmp_path):
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    build_labels(warehouse, {"2025-01": 3, "2025-02": 2, "2025-Q1": 5}, "2025-03-01")
    publish(warehouse, out, updated_in_place=LABELS)
    # A new drop: one label rebuilt, one new, one gone.
    build_labels(warehouse, {"2025-02": 4, "2025-03": 1, "2025-Q1": 0}, "2025-04-01")
    steps = []
    publish(warehouse, out, step=steps.append, updated_in_place=LABELS)

    assert "updated in place: marts.mart_labels" in steps
    assert published_labels(out) == warehouse_labels(warehouse)
    assert {label for label, _, _ in published_labels(out)} == {"2025-01", "2025-02", "2025-03"}


def test_a_table_whose_rows_changed_without_a_new_stamp_is_copied_whole(tmp_path):
    """The in-place update trusts the stamps only as far as the rows then hash as the
    warehouse's: a row changed in the warehouse behind dbt's back is copied all the same."""
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    build_labels(warehouse, {"2025-01": 3, "2025-02": 2}, "2025-03-01")
    publish(warehouse, out, updated_in_place=LABELS)
    with duckdb.connect(warehouse) as connection:
        connection.execute("update marts.mart_labels set units = 99 where period_label = '2025-01'")
    steps = []
    publish(warehouse, out, step=steps.append, updated_in_place=LABELS)

    assert not [step for step in steps if step.startswith("updated in place")]
    assert published_labels(out) == warehouse_labels(warehouse)
    assert ("2025-01", 99, datetime(2025, 3, 1)) in published_labels(out)


def test_a_table_whose_columns_changed_is_copied_whole(tmp_path):
    warehouse, out = tmp_path / "w.duckdb", tmp_path / "published"
    build_labels(warehouse, {"2025-01": 3}, "2025-03-01")
    publish(warehouse, out, updated_in_place=LABELS)
    with duckdb.connect(warehouse) as connection:
        connection.execute("alter table marts.mart_labels add column share double")
    build_labels(warehouse, {"2025-02": 1}, "2025-04-01")
    steps = []
    publish(warehouse, out, step=steps.append, updated_in_place=LABELS)

    assert not [step for step in steps if step.startswith("updated in place")]
    assert published_labels(out) == warehouse_labels(warehouse)
    assert len(published_labels(out)[0]) == 4
