"""The dbt project as dagster-dbt sees it, and its preparation: the manifest Dagster reads the
asset graph from, parsed before Dagster loads the definitions, never while it imports them.

    python -m orchestration.dbt_project          # make prepare: parse when the manifest is stale
    python -m orchestration.dbt_project --vars   # the --vars to give dbt run by hand

``make run`` prepares in its own process before it loads the definitions, ``make ui`` runs
``make prepare`` before ``dg dev``, and ``tests/conftest.py`` prepares before the tests load
them. The parse is ``dbt parse`` through dagster-dbt's ``DbtCliResource`` with this project's dbt
(``dbt_cli``): ``DbtProject``'s own preparer runs whichever ``dbtf`` or ``dbt`` is first on PATH,
none when the interpreter is started without its environment activated, or another dbt than
the runs use. This module adds when to parse. dbt reuses a parse (partial parsing) only under
the same profile, target and vars, so the manifest is parsed under the settings the runs use,
with the same ``--target`` and ``--vars`` (``AutotradeSettings.dbt_arguments``): parsed for
another warehouse or engine, each dbt step of every run would pay a full parse (and the asset
graph would name the other engine). It is parsed again when a project file is newer than it.
"""

import argparse
import fcntl
import json
from functools import cached_property
from importlib import metadata
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.dbt_child import EXECUTABLE
from orchestration.resources import AutotradeSettings, settings_from_environment

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
PROJECT_FILES = (
    "models",
    "seeds",
    "snapshots",
    "macros",
    "tests",
    "dbt_project.yml",
    "profiles.yml",
)


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# The dbt arguments (target and vars) the manifest was parsed under, beside it.
PARSED_UNDER = dbt_project.manifest_path.with_name("autotrade_parsed_under.json")


class AutotradeDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two costs it pays before each run's first dbt
    command, for things this project never uses (docs/benchmarks.md, issue 15):

    - the dbt version, which it reads by starting ``dbt --version`` (3 s here): the child is
      this environment's own dbt-core (``orchestration/dbt_child.py``), whose version the
      package metadata holds;
    - a dbt adapter in this process (1 to 3 s per step: profile, project and dbt's macros
      loaded), which serves only ``fetch_row_counts`` and ``fetch_column_metadata``. Without
      one, dagster-dbt reads dbt's events as for the Fusion engine, which has no adapter.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_cli() -> DbtCliResource:
    """The dbt resource: dbt as a child that dies with the process that starts it
    (``orchestration/dbt_child.py``, installed beside this interpreter). Without dbt's log
    file: dbt writes every event of a step at debug level into the step's target folder,
    which the step removes when it ends (1.5 s of the model step; Dagster keeps dbt's
    events from its output)."""
    return AutotradeDbtCli(
        project_dir=dbt_project,
        dbt_executable=str(EXECUTABLE),
        global_config_flags=["--log-level-file", "none"],
    )


def parsed_under(settings: AutotradeSettings) -> str:
    """What ``PARSED_UNDER`` holds for a manifest parsed under ``settings``."""
    return json.dumps(settings.dbt_arguments())


def manifest_is_stale(settings: AutotradeSettings) -> bool:
    manifest = dbt_project.manifest_path
    if (
        not manifest.exists()
        or not PARSED_UNDER.exists()
        or PARSED_UNDER.read_text() != parsed_under(settings)
    ):
        return True
    built = manifest.stat().st_mtime
    return any(
        path.stat().st_mtime > built
        for name in PROJECT_FILES
        for path in [DBT_PROJECT_DIR / name, *(DBT_PROJECT_DIR / name).rglob("*")]
    )


def prepare(settings: AutotradeSettings) -> bool:
    """Parse the project under ``settings`` unless its manifest is already parsed under them
    and newer than every project file. Processes that start together (two runs, a run and
    ``make ui``) prepare one at a time: the second finds the first's manifest. Returns whether
    it parsed."""
    PARSED_UNDER.parent.mkdir(parents=True, exist_ok=True)
    with PARSED_UNDER.with_name(".prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest_is_stale(settings):
            return False
        PARSED_UNDER.unlink(missing_ok=True)
        parse = ["parse", "--quiet", *settings.dbt_arguments()]
        dbt_cli().cli(parse, target_path=dbt_project.target_path).wait()
        PARSED_UNDER.write_text(parsed_under(settings))
        return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Prepare the dbt manifest Dagster reads.")
    parser.add_argument(
        "--vars", action="store_true", help="only print the --vars dbt runs with (for dbt by hand)"
    )
    settings = settings_from_environment()
    if parser.parse_args(argv).vars:
        print(settings.dbt_vars())
        return
    parsed = prepare(settings)
    print(f"dbt manifest {'parsed' if parsed else 'up to date'}: {dbt_project.manifest_path}")


if __name__ == "__main__":
    main()
