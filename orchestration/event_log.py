"""Dagster's SQLite event log (the one ``make run`` and ``make ui`` share under DAGSTER_HOME),
without a new database engine per event.

Dagster's ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens the database file and
closes it again (checkpointing its WAL) for every write: three times for each dbt test's
result, planned and evaluated, about 1,400 times in a new drop's run. The step that streams
dbt's events writes each before it reads the next, so dbt waits meanwhile: 4.5 s of a new
drop's 27 s (docs/benchmarks.md). This storage keeps one engine, and its one connection, for
each of the last few databases the process used: the run's own and the cross-run index.

An idle SQLite connection holds no lock, so other processes (the webserver, the daemon,
another run) read and write the files as before. Every use still goes through the storage's
lock, one at a time per process, and every write is still its own committed transaction.

Its connections commit with ``synchronous=NORMAL``, SQLite's setting for a database in WAL
mode (Dagster's): a commit no longer waits for the disk (0.5 ms each here, against 0.05), and
a process killed at any point loses nothing it committed; only a power cut or an OS crash
may take the last events written before it, never the file's consistency.
"""

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import StringSource
from dagster._core.instance.ref import _event_logs_directory
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS, create_db_conn_string
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# The run's database and the index are the two a run writes; a webserver reading older runs
# keeps a few more, and closes the least recently used beyond them.
KEPT_DATABASES = 8


def _commit_without_waiting_for_the_disk(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with an engine per database kept open (``KEPT_DATABASES``).
    Configured with the instance's folder (``dagster_home``), it keeps the files where
    Dagster's default storage does, so runs recorded before it are still read."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls):
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        home = os.path.abspath(os.path.expanduser(config_value["dagster_home"]))
        return cls(_event_logs_directory(home), inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                create_db_conn_string(self._base_dir, shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_DATABASES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        """Whether the index holds the table. Dagster asks before each asset check event
        whether the checks' table exists, through an engine of its own each time (0.2 s of
        a new drop's run): the answer yes is kept, as only ``wipe`` drops a table; no is asked
        again, as a migration in another process may add it."""
        # Asked Dagster's way, not through ``_connect``: Dagster asks while holding the lock.
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # before their files go
        self._tables_found.clear()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
