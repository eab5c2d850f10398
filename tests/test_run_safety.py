"""``make run`` as real processes: killed at each step, started twice at once, given a raw
directory it cannot write. Each time the exit status says whether the pipeline finished, no
dbt outlives its run, and the run after recovery publishes exactly the clean run's tables.

The clean run is the session's sample run (``sample_run``); these runs start from the same
landing with a warehouse of their own. Read-only and full directories are real tmpfs mounts
(root, as in CI).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from orchestration.dbt_project import DBT_PROJECT_DIR
from orchestration.run_lock import lock_path
from tests.conftest import REPO

TIMEOUT = 1800


def environment(root: Path, **extra: str) -> dict[str, str]:
    """``make run``'s environment, with its Dagster instance (``dagster_home/dagster.yaml``)
    recording the runs under ``root``."""
    (root / "dagster_home").mkdir(exist_ok=True)
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", root / "dagster_home")
    return (
        os.environ
        | {
            "AUTOTRADE_LANDING": str(root / "landing"),
            "AUTOTRADE_WAREHOUSE": str(root / "warehouse" / "autotrade.duckdb"),
            "AUTOTRADE_PUBLISH": str(root / "published"),
            "DAGSTER_HOME": str(root / "dagster_home"),
            "PYTHONUNBUFFERED": "1",
        }
        | extra
    )


def start_run(root: Path, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.run"],
        cwd=REPO,
        env=environment(root, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(process: subprocess.Popen, marker: str) -> str:
    lines = []
    for line in process.stdout:
        lines.append(line)
        if marker in line:
            return "".join(lines)
    raise AssertionError(f"the run ended before {marker!r}:\n{''.join(lines[-30:])}")


def finish(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=TIMEOUT)
    return output


def dbt_processes(warehouse: Path) -> list[int]:
    """Live dbt processes (ours: started as autotrade-dbt, the run's dbt server and its
    copies among them) of a run on ``warehouse``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if (
            b"autotrade-dbt" in command
            and f"AUTOTRADE_WAREHOUSE={warehouse}".encode() in environment
            and state != "Z"
        ):
            found.append(int(entry.name))
    return found


def published_tables(publish: Path) -> dict[str, list[tuple]]:
    """Every published table's rows, sorted; timestamps (load times, build stamps) left out."""
    with duckdb.connect(publish / "autotrade.duckdb", read_only=True) as connection:
        tables = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit') order by all"
        ).fetchall()
        contents = {}
        for (table,) in tables:
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema || '.' || table_name = ? "
                    "and data_type not like 'TIMESTAMP%' order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            contents[table] = connection.execute(
                f"select {select} from {table} order by all"
            ).fetchall()
    return contents


def assert_recovered_like_a_clean_run(root: Path, sample_run) -> None:
    assert published_tables(root / "published") == published_tables(sample_run.settings.publish)
    raw = root / "warehouse" / "raw"
    assert not list(raw.rglob("*.tmp")), "temporary files were left in the raw layer"
    # The run ends without collecting what it made (orchestration/process_gc.py): every
    # connection must have been closed by its owner, or DuckDB's log would be left behind.
    assert not (root / "warehouse" / "autotrade.duckdb.wal").exists(), "the warehouse was left open"
    warehouse = hashlib.sha1(str(root / "warehouse" / "autotrade.duckdb").encode()).hexdigest()
    assert not list((DBT_PROJECT_DIR / "target").glob(f"*-{warehouse[:10]}")), (
        "a dbt target folder of this warehouse was left behind"
    )


def fresh_landing(sample_run, root: Path) -> Path:
    shutil.copytree(sample_run.settings.landing, root / "landing")
    return root / "warehouse" / "autotrade.duckdb"


# Lines each step logs, in run order: the run is killed as soon as it prints one.
KILL_POINTS = [
    "raw_sales - sales ",  # ingesting the first sales file
    "dbt_build - Running dbt command",  # dbt building the seeds, staging and models
    "dbt_build - Finished dbt command",  # the Great Expectations suites, then publish
    "publish: building",  # writing the new version's files
]


def test_killed_at_each_step_the_next_run_finishes_with_the_clean_runs_tables(
    sample_run, tmp_path, monkeypatch
):
    warehouse = fresh_landing(sample_run, tmp_path)
    for marker in KILL_POINTS:
        process = start_run(tmp_path)
        read_until(process, marker)
        if "Running dbt" in marker:
            # The command, the run's dbt server and the server's copy running the command.
            deadline = time.monotonic() + 60
            while len(dbt_processes(warehouse)) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(dbt_processes(warehouse)) == 3, f"no dbt copy seen after {marker!r}"
        process.kill()
        process.wait()
        assert process.returncode == -9
        time.sleep(1)
        assert dbt_processes(warehouse) == [], f"dbt outlived the run killed at {marker!r}"

    last = start_run(tmp_path)
    output = finish(last)
    assert last.returncode == 0, output[-3000:]
    assert "autotrade run succeeded" in output
    assert_recovered_like_a_clean_run(tmp_path, sample_run)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))  # its event log's folder
    with DagsterInstance.get() as instance:
        runs = instance.get_runs(RunsFilter(job_name="autotrade_daily"))
        assert len(runs) == len(KILL_POINTS) + 1
        assert [r.status for r in runs].count(DagsterRunStatus.FAILURE) == len(KILL_POINTS)
        assert [r.status for r in runs].count(DagsterRunStatus.SUCCESS) == 1
        # Each killed run's events, written up to the kill, and the failure marked after it.
        for killed in runs[1:]:
            logged = [e.dagster_event_type for e in instance.all_logs(killed.run_id)]
            assert DagsterEventType.PIPELINE_START in logged
            assert logged[-1] == DagsterEventType.PIPELINE_FAILURE


def test_two_runs_at_once_take_turns_and_one_that_will_not_wait_names_the_holder(
    sample_run, tmp_path
):
    warehouse = fresh_landing(sample_run, tmp_path)
    first, second = start_run(tmp_path), start_run(tmp_path)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        lock = lock_path(warehouse)
        if lock.exists() and lock.read_text().strip():
            break
        time.sleep(0.2)
    holder = lock_path(warehouse).read_text()
    impatient = start_run(tmp_path, AUTOTRADE_LOCK_WAIT="1")
    refused = finish(impatient)
    assert impatient.returncode == 3, refused[-2000:]
    assert "another autotrade run holds" in refused
    assert any(f"pid {p.pid} " in refused and f'"pid": {p.pid}' in holder for p in (first, second))

    outputs = [finish(first), finish(second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    assert sum("waiting up to" in output for output in outputs) == 1
    assert not any("Could not set lock" in output for output in outputs)
    assert_recovered_like_a_clean_run(tmp_path, sample_run)


@pytest.mark.parametrize(
    ("fault", "options", "error"),
    [
        ("read-only", ["size=256m"], "Read-only file system"),
        ("full", ["size=8k"], "No space left on device"),
    ],
)
def test_a_raw_directory_it_cannot_write_fails_the_run_and_the_next_run_recovers(
    sample_run, tmp_path, fault, options, error
):
    fresh_landing(sample_run, tmp_path)
    raw = tmp_path / "warehouse" / "raw"
    raw.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", raw], check=True)
    try:
        if fault == "read-only":
            subprocess.run(["mount", "-o", "remount,ro", raw], check=True)
        failed = start_run(tmp_path)
        output = finish(failed)
        assert failed.returncode == 1, output[-3000:]
        assert "autotrade run FAILED" in output
        assert "step raw_sales failed:" in output and error in output.split("FAILED", 1)[1]
        assert "nothing was published" in output
        assert not (tmp_path / "published" / "autotrade.duckdb").exists()

        subprocess.run(["mount", "-o", "remount,rw,size=256m", raw], check=True)
        again = start_run(tmp_path)
        output = finish(again)
        assert again.returncode == 0, output[-3000:]
        assert_recovered_like_a_clean_run(tmp_path, sample_run)
    finally:
        subprocess.run(["umount", "-l", raw], check=True)
