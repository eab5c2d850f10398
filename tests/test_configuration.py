"""Configuration read once: variables reach the Dagster resource as EnvVars over one list of
defaults, the dashboard reads the same list, and loading the definitions neither parses dbt
nor edits the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import EnvVar

from dashboard.app import default_publish_dir
from orchestration.dbt_project import (
    PARSED_UNDER,
    dbt_project,
    manifest_is_stale,
    parsed_under,
    prepare,
)
from orchestration.environment import VARIABLES, default
from orchestration.resources import AutotradeSettings, settings_from_environment

REPO = Path(__file__).resolve().parents[1]


def test_a_set_variable_reaches_the_resource_as_an_env_var(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOTRADE_PUBLISH", str(tmp_path / "published"))
    monkeypatch.setenv("AUTOTRADE_LOCK_WAIT", "7")
    monkeypatch.delenv("AUTOTRADE_WAREHOUSE", raising=False)
    loaded = AutotradeSettings.from_environment()
    assert isinstance(loaded.publish_dir, EnvVar)
    assert loaded.warehouse_path == default("warehouse_path")
    resolved = settings_from_environment()
    assert resolved.publish == tmp_path / "published"
    assert resolved.lock_wait_seconds == 7
    assert resolved.warehouse == (Path.cwd() / default("warehouse_path")).resolve()


def test_the_dashboard_reads_the_same_variable_and_default(monkeypatch, tmp_path):
    variable, fallback = VARIABLES["publish_dir"]
    monkeypatch.delenv(variable, raising=False)
    assert default_publish_dir() == Path(fallback)
    monkeypatch.setenv(variable, str(tmp_path))
    assert default_publish_dir() == tmp_path


def test_dbt_gets_the_engine_as_its_target_and_the_paths_and_limits_as_vars(tmp_path):
    settings = AutotradeSettings(
        warehouse_path=str(tmp_path / "w.duckdb"),
        duckdb_memory_limit="300MB",
        engine="spark",
        spark_driver_memory="2g",
    )
    target, spark, option, dbt_vars = settings.dbt_arguments()
    assert (target, spark, option) == ("--target", "spark", "--vars")
    assert json.loads(dbt_vars) == {
        "autotrade_warehouse": str(tmp_path / "w.duckdb"),
        "autotrade_duckdb_memory_limit": "300MB",
        "autotrade_raw_dir": str(tmp_path / "raw"),
        "autotrade_spark_warehouse": str(tmp_path / "spark"),
        "autotrade_spark_master": default("spark_master"),
        "autotrade_spark_driver_memory": "2g",
    }
    assert AutotradeSettings().dbt_arguments()[:2] == ["--target", "local"]


def test_an_unknown_engine_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("AUTOTRADE_ENGINE", "postgres")
    with pytest.raises(ValueError, match="AUTOTRADE_ENGINE must be one of duckdb, spark"):
        settings_from_environment().dbt_arguments()


def test_the_manifest_is_parsed_again_only_under_other_settings(tmp_path):
    """Prepared once under the environment's settings, preparing again does nothing, while
    another warehouse (another profile for dbt) would parse again."""
    here = settings_from_environment()
    prepare(here)
    assert not prepare(here)
    assert PARSED_UNDER.read_text() == parsed_under(here)
    elsewhere = AutotradeSettings(warehouse_path=str(tmp_path / "w.duckdb"))
    assert manifest_is_stale(elsewhere)
    assert manifest_is_stale(here.model_copy(update={"engine": "spark"}))


def test_loading_the_definitions_neither_parses_nor_edits_the_environment():
    manifest_written = dbt_project.manifest_path.stat().st_mtime_ns
    # Ours and dbt's variables (Polars sets its allocator's own when it loads).
    probe = (
        "import os\n"
        "def ours():\n"
        "    return {k: v for k, v in os.environ.items() if k.startswith(('AUTOTRADE', 'DBT'))}\n"
        "before = ours()\n"
        "import orchestration.definitions\n"
        "print(before == ours())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "True"
    assert dbt_project.manifest_path.stat().st_mtime_ns == manifest_written


def test_the_parse_runs_this_environment_s_dbt_whatever_is_on_path(tmp_path):
    """Started by its interpreter's path, the environment not activated, with another dbt (or
    dbt Fusion's ``dbtf``) first on PATH: the manifest is still parsed by the project's dbt."""
    decoys = tmp_path / "bin"
    decoys.mkdir()
    for name in ("dbt", "dbtf"):
        (decoys / name).write_text("#!/bin/sh\necho not the project's dbt >&2\nexit 97\n")
        (decoys / name).chmod(0o755)
    PARSED_UNDER.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_project"],
        cwd=REPO,
        env=os.environ | {"PATH": f"{decoys}{os.pathsep}/usr/bin{os.pathsep}/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dbt manifest parsed" in result.stdout
    assert PARSED_UNDER.read_text() == parsed_under(settings_from_environment())
