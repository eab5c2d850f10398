"""The run's dbt server (``orchestration/dbt_child.py``): a command it serves behaves as dbt
run in the command's own process, and the copy that runs it does not outlive the command."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from orchestration.dbt_child import EXECUTABLE, dbt_server, served
from orchestration.dbt_project import DBT_PROJECT_DIR
from orchestration.resources import settings_from_environment


@pytest.fixture
def server():
    with dbt_server() as process:
        # Listening once its socket exists (a command asking earlier runs dbt itself).
        socket = Path(os.environ["AUTOTRADE_DBT_SERVER"])
        deadline = time.monotonic() + 30
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        yield process


def copies(server: subprocess.Popen) -> list[str]:
    return Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()


def parse() -> list[str]:
    """A dbt command that takes seconds: a whole parse of the project (into an empty target)."""
    return [str(EXECUTABLE), "parse", *settings_from_environment().dbt_arguments()]


def test_without_a_server_the_command_runs_dbt_itself(monkeypatch):
    monkeypatch.delenv("AUTOTRADE_DBT_SERVER", raising=False)
    assert served(["--version"]) is None


def test_a_served_command_gets_dbts_output_and_exit_status(server, capfd):
    assert served(["--version"]) == 0
    assert "installed: 1.11" in capfd.readouterr().out
    assert served(["--no-such-option"]) == 2
    assert "No such option" in capfd.readouterr().err


def test_a_served_command_runs_in_its_folder_with_its_environment(server, tmp_path):
    # dbt finds the project in the folder it runs in, and writes where DBT_TARGET_PATH says.
    done = subprocess.run(
        parse(),
        cwd=DBT_PROJECT_DIR,
        env=os.environ | {"DBT_TARGET_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert json.loads((tmp_path / "manifest.json").read_text())["metadata"]["project_name"]
    assert copies(server) == []


def test_the_copy_dies_with_the_command_it_serves(server, tmp_path):
    command = subprocess.Popen(
        parse(),
        cwd=DBT_PROJECT_DIR,
        env=os.environ | {"DBT_TARGET_PATH": str(tmp_path)},
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not copies(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert copies(server), "the server started no copy"
    command.kill()
    command.wait()
    deadline = time.monotonic() + 10
    while copies(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert copies(server) == []
    assert not (tmp_path / "manifest.json").exists(), "the parse finished before the kill"
