"""One run at a time per warehouse: a lock file beside it, held from a run's start to its end.

A run is several processes one after another (dbt, the checks, publish), and DuckDB's own
lock only lasts while one of them has the file open: between two steps another run could take
the warehouse and mix its drops into ours. So every run (``make run``, and the sensor's and
the schedule's through the ``run_lock`` resource) holds ``<warehouse>.lock`` with ``flock``
for its whole length. The file holds who has it (pid, host, start time, run id). A second
run waits up to ``AUTOTRADE_LOCK_WAIT`` seconds (``lock_wait_seconds`` of the settings), then
fails naming the holder.
The kernel releases the lock when its holder dies, even by ``kill -9``; the record it leaves
then tells the next holder which run did not finish.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from dagster import ConfigurableResource, DagsterRunStatus, InitResourceContext

from orchestration.resources import AutotradeSettings

# The locks this process holds (path -> depth): ``make run`` takes the lock before Dagster
# starts and the run's resource takes it again in the same process.
_held: dict[Path, int] = {}


class RunLockTimeout(RuntimeError):
    """Another run held the warehouse for longer than this one would wait."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def describe(holder: dict) -> str:
    if not holder:
        return "a process that left no record"
    return f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}" + (
        f", run {holder['run_id']}" if holder.get("run_id") else ""
    )


def _record(descriptor: int) -> dict:
    os.lseek(descriptor, 0, os.SEEK_SET)
    text = os.read(descriptor, 4096).decode(errors="replace")
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {}


def _write(descriptor: int, record: dict) -> None:
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(record).encode(), 0)
    os.fsync(descriptor)


@contextmanager
def run_lock(
    warehouse: Path,
    wait_seconds: float,
    run_id: str | None = None,
    on_wait: Callable[[str], None] = lambda message: None,
) -> Iterator[dict]:
    """Hold the warehouse's run lock; yield the record of a holder that died holding it
    (empty when the last run ended cleanly, or when this process already held the lock)."""
    path = lock_path(warehouse)
    if path in _held:
        _held[path] += 1
        try:
            yield {}
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        waiting = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = describe(_record(descriptor))
                if time.monotonic() >= deadline:
                    raise RunLockTimeout(
                        f"another autotrade run holds {path} ({holder}); waited "
                        f"{wait_seconds:g} s (AUTOTRADE_LOCK_WAIT); try again when it has finished"
                    ) from None
                if not waiting:
                    on_wait(
                        f"waiting up to {wait_seconds:g} s for the run holding {path}: {holder}"
                    )
                    waiting = True
                time.sleep(0.5)
        died = _record(descriptor)
        _write(
            descriptor,
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "run_id": run_id,
            },
        )
        _held[path] = 1
        try:
            yield died
        finally:
            del _held[path]
            # An empty record says the run ended; a killed one leaves its own behind.
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)


def mark_dead_run_failed(instance, died: dict) -> str | None:
    """A run whose holder died holding the lock stays STARTED in Dagster's history: mark it
    failed. Returns its id when it did."""
    run_id = died.get("run_id")
    run = instance.get_run_by_id(run_id) if run_id else None
    if run is None or run.status not in (DagsterRunStatus.STARTED, DagsterRunStatus.STARTING):
        return None
    instance.report_run_failed(
        run, f"its process ({describe(died)}) died without finishing; found by the next run"
    )
    return run_id


class RunLock(ConfigurableResource):
    """The run lock as a Dagster resource: held from the first step that needs it (ingest,
    dbt) to the end of the run, as the in-process executor sets resources up once a run."""

    settings: AutotradeSettings

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[RunLock]:
        with run_lock(
            self.settings.warehouse,
            self.settings.lock_wait_seconds,
            context.run.run_id if context.run else None,
            on_wait=context.log.warning,
        ) as died:
            if mark_dead_run_failed(context.instance, died):
                context.log.warning(f"the earlier run {died['run_id']} was killed; marked failed")
            yield self
