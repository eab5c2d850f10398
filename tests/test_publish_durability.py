"""Publishing fails loudly and never half-way, with real processes and real filesystems:
a publish killed with SIGKILL at each of its steps, a full filesystem and a read-only one.
Each starts from a copy of the sample pipeline run (its warehouse and published snapshot);
the marts that end up published must equal that clean run's.

The small and the read-only filesystems are tmpfs mounts, so these tests need root (or
CAP_SYS_ADMIN), as in the project's sandbox and CI container."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import materialize

from orchestration.assets.publish import published_autotrade
from orchestration.publish import (
    MANIFEST,
    PublishError,
    current_version,
    publish,
    rollback,
    versions,
)
from orchestration.resources import AutotradeSettings
from orchestration.sql_text import sql_literal
from tests.conftest import copy_of_sample_run

REPO = Path(__file__).resolve().parents[1]
PAUSING_PUBLISH = r"""
import sys, time
from pathlib import Path
from orchestration.publish import publish

warehouse, publish_dir, pause_at, reached = sys.argv[1:]

def step(name):
    if name == pause_at:
        Path(reached).touch()
        time.sleep(600)

publish(Path(warehouse), Path(publish_dir), step=step)
"""
STEPS = ["cleaned", "building", "copied", "checkpointed", "verified", "completed", "switched"]


def published_content(publish_dir: Path) -> dict[str, list[tuple]]:
    """Every published table's rows, as BI reads them: through the DuckDB link and through
    the Parquet link, plus what meta.publication records apart from the version's name."""
    parquet = (publish_dir / "parquet").resolve()
    with duckdb.connect(publish_dir / "autotrade.duckdb", read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select schema_name || '.' || table_name from duckdb_tables() "
                "where schema_name in ('marts', 'audit') order by 1"
            ).fetchall()
        ]
        content = {
            "meta": connection.execute(
                "select drop_dates, table_name, row_count from meta.publication order by all"
            ).fetchall()
        }
        for table in tables:
            content[table] = connection.execute(f"from {table} order by all").fetchall()
            file = sql_literal(str(parquet / f"{table.split('.')[1]}.parquet"))
            content[f"{table} (parquet)"] = connection.execute(
                f"from read_parquet({file}) order by all"
            ).fetchall()
    return content


def kill_publish_at(step: str, warehouse: Path, publish_dir: Path, scratch: Path) -> None:
    """Run a real publish in another process, SIGKILL it once it reaches ``step``."""
    reached = scratch / f"reached-{step}"
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSING_PUBLISH, str(warehouse), str(publish_dir), step, reached],
        cwd=REPO,
    )
    deadline = time.monotonic() + 120
    try:
        while not reached.exists():
            assert process.poll() is None, f"the publish exited before reaching {step}"
            assert time.monotonic() < deadline, f"the publish did not reach {step} in 120 s"
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL


def unfinished(publish_dir: Path) -> list[str]:
    return [p.name for p in (publish_dir / "versions").iterdir() if not (p / MANIFEST).is_file()]


@pytest.fixture
def clean_content(sample_run):
    return published_content(sample_run.settings.publish)


@pytest.mark.parametrize("step", STEPS)
def test_a_publish_killed_at_any_step_leaves_a_whole_version_and_the_next_repairs(
    sample_run, clean_content, tmp_path, step
):
    settings = copy_of_sample_run(sample_run, tmp_path)
    out = settings.publish
    before = current_version(out)

    kill_publish_at(step, settings.warehouse, out, tmp_path)

    # Readers still get one whole version: the previous one, or the new one once switched.
    assert (current_version(out) == before) == (step != "switched")
    assert published_content(out) == clean_content
    # A half-built folder is never offered as a version.
    assert set(versions(out)).isdisjoint(unfinished(out))

    publication = publish(settings.warehouse, out)
    assert current_version(out) == publication.version == versions(out)[-1]
    assert published_content(out) == clean_content
    assert unfinished(out) == []


def test_rollback_refuses_a_version_whose_publish_was_killed(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path)
    out = settings.publish
    before = current_version(out)
    kill_publish_at("verified", settings.warehouse, out, tmp_path)
    (half_built,) = unfinished(out)

    assert versions(out) == [before]
    with pytest.raises(PublishError, match=f"refusing .*{half_built}.*never completed"):
        rollback(out, half_built)
    with pytest.raises(PublishError, match="no version before"):
        rollback(out)
    assert current_version(out) == before


@pytest.fixture
def small_filesystem(tmp_path):
    """A tmpfs of its own, to fill up or make read-only; unmounted afterwards."""
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount_point], check=True)
    yield mount_point
    subprocess.run(["umount", mount_point], check=True)


def remount(mount_point: Path, option: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{option}", mount_point], check=True)


def publish_step(settings):
    """The publish asset as its own Dagster run (its upstream marts are already built)."""
    return materialize(
        [published_autotrade], resources={"settings": settings}, raise_on_error=False
    )


def step_error(result) -> str:
    (failure,) = result.get_step_failure_events()
    return failure.event_specific_data.error.to_string()


def publishing_on(mount_point: Path, settings) -> AutotradeSettings:
    return AutotradeSettings(
        landing_dir=settings.landing_dir,
        warehouse_path=settings.warehouse_path,
        publish_dir=str(mount_point / "published"),
    )


@pytest.mark.parametrize(
    ("spoil", "error", "repair"),
    [
        # The case: free space about half a snapshot, where the checkpoint fails.
        (lambda fs, used: remount(fs, f"size={used + used // 2}"), "No space left", "size=64m"),
        (lambda fs, used: remount(fs, "ro"), "Read-only file system", "rw"),
    ],
    ids=["full", "read-only"],
)
def test_a_publish_that_cannot_write_fails_its_step_and_leaves_the_last_version(
    sample_run, clean_content, tmp_path, small_filesystem, spoil, error, repair
):
    settings = publishing_on(small_filesystem, copy_of_sample_run(sample_run, tmp_path))
    assert publish_step(settings).success
    out = settings.publish
    before = current_version(out)
    spoil(small_filesystem, used_bytes(small_filesystem))

    failed = publish_step(settings)

    assert not failed.success
    message = step_error(failed)
    assert error in message and str(out / "versions") in message, message
    assert f"{before} stays published" in message
    assert current_version(out) == before and versions(out) == [before]
    assert unfinished(out) == []
    assert published_content(out) == clean_content

    # The next run, once there is room (or write access) again, publishes normally.
    remount(small_filesystem, repair)
    assert publish_step(settings).success
    assert current_version(out) != before and len(versions(out)) == 2
    assert published_content(out) == clean_content


def used_bytes(mount_point: Path) -> int:
    stats = os.statvfs(mount_point)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize
