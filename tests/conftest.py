"""Shared fixtures: the real pipeline, run once on the bundled sample into a temporary place."""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration.dbt_project import prepare
from orchestration.resources import AutotradeSettings, settings_from_environment

# The dbt assets are read from dbt's manifest when orchestration.pipeline runs them.
prepare(settings_from_environment())

from orchestration.partitions import landed_drop_dates  # noqa: E402
from orchestration.pipeline import run  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LANDING = REPO / "sample" / "landing"


@dataclass
class PipelineRun:
    settings: AutotradeSettings
    instance: DagsterInstance
    result: object

    def published(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(self.settings.publish / "autotrade.duckdb", read_only=True)


def settings_in(root: Path, landing: Path) -> AutotradeSettings:
    return AutotradeSettings(
        landing_dir=str(landing),
        warehouse_path=str(root / "warehouse" / "autotrade.duckdb"),
        publish_dir=str(root / "published"),
    )


def two_small_drops(root: Path) -> AutotradeSettings:
    """A landing folder under ``root`` with two one-row sales drops, and settings over it."""
    for day in ("2025-01-09", "2025-02-11"):
        folder = root / "landing" / "sales" / day
        folder.mkdir(parents=True)
        (folder / "f.csv").write_text("period,brand,model,units\n2025-01,AITO,M9,1\n")
    return settings_in(root, root / "landing")


def run_pipeline(settings: AutotradeSettings, instance: DagsterInstance, keys=None):
    return PipelineRun(
        settings, instance, run(keys or landed_drop_dates(settings), instance, settings)
    )


def copy_of_sample_run(sample_run: PipelineRun, root: Path) -> AutotradeSettings:
    """The sample run's landing, warehouse and published snapshot, copied under ``root``, so
    that a test may add drops, run again or republish without touching the session's run."""
    source = sample_run.settings
    shutil.copytree(source.landing, root / "landing")
    shutil.copytree(source.warehouse.parent, root / "warehouse")
    shutil.copytree(source.publish, root / "published", symlinks=True)
    return settings_in(root, root / "landing")


def make_run(
    settings: AutotradeSettings, dagster_home: Path, *args: str
) -> subprocess.CompletedProcess:
    """``python -m orchestration.run`` (what ``make run`` runs) with ``args``, on the folders of
    ``settings``, its run recorded in ``dagster_home``."""
    environment = os.environ | {
        "AUTOTRADE_LANDING": str(settings.landing),
        "AUTOTRADE_WAREHOUSE": str(settings.warehouse),
        "AUTOTRADE_PUBLISH": str(settings.publish),
        "DAGSTER_HOME": str(dagster_home),
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestration.run", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> PipelineRun:
    """The whole pipeline (ingest, dbt, GX, publish) over every bundled sample drop."""
    root = tmp_path_factory.mktemp("sample_run")
    landing = root / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    pipeline = run_pipeline(settings_in(root, landing), DagsterInstance.ephemeral())
    assert pipeline.result.success, "the sample pipeline run failed"
    return pipeline
