"""The Dagster instance ``make run`` and ``make ui`` share (``dagster_home/dagster.yaml``): its
event log writes Dagster's own SQLite files through connections it keeps open
(``orchestration/event_log.py``), and Dagster's own storage reads every event back."""

import shutil

import sqlalchemy
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    DagsterInstance,
    MaterializeResult,
    asset,
    materialize,
)
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration import event_log
from orchestration.event_log import PooledSqliteEventLogStorage
from tests.conftest import REPO

CHECKS = [AssetCheckSpec(f"check_{n}", asset="sales") for n in range(40)]


@asset(check_specs=CHECKS)
def sales():
    yield MaterializeResult()
    for spec in CHECKS:
        yield AssetCheckResult(check_name=spec.name, passed=True)


def test_a_run_opens_each_database_once_and_dagsters_own_storage_reads_every_event(
    tmp_path, monkeypatch
):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    opened = []

    def create_engine(url, **options):
        opened.append(url)
        return sqlalchemy.create_engine(url, **options)

    monkeypatch.setattr(event_log, "create_engine", create_engine)
    asked = []  # which tables Dagster's storage was asked for, each through an engine of its own
    dagster_has_table = SqliteEventLogStorage.has_table

    def has_table(storage, table_name):
        asked.append(table_name)
        return dagster_has_table(storage, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", has_table)
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        result = materialize([sales], instance=instance)
        written = instance.all_logs(result.run_id)
        # Commits in WAL mode that do not wait for the disk (SQLite's NORMAL is 1, FULL 2).
        with instance.event_log_storage._connect(result.run_id) as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    assert result.success
    # Each of the run's 170 or so events went to the run's database, and the asset and check
    # events to the index as well; Dagster's storage would have made an engine per write.
    assert len(written) > 2 * len(CHECKS)
    assert sorted(opened) == sorted(
        f"sqlite:///{home}/history/runs/{shard}.db" for shard in (result.run_id, "index")
    )
    # Dagster asks before every check event whether the checks' table exists: once each here.
    assert "asset_check_executions" in asked
    assert len(asked) == len(set(asked))
    # Closed with the instance: SQLite folded its write-ahead logs into the files.
    assert not list((home / "history" / "runs").glob("*-wal"))

    dagster_own = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert [e.dagster_event_type for e in dagster_own.get_logs_for_run(result.run_id)] == [
        e.dagster_event_type for e in written
    ]
    evaluations = dagster_own.get_latest_asset_check_execution_by_key([spec.key for spec in CHECKS])
    assert {key.name for key in evaluations} == {spec.name for spec in CHECKS}
    assert {e.run_id for e in evaluations.values()} == {result.run_id}
