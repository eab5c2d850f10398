"""What makes a run skip: the digest of its inputs changes with every input that can change
a mart, and a recorded run counts only while its version is still the one published."""

import os
import shutil

import pytest

from orchestration.unchanged import Digests, record, unchanged_since
from tests.conftest import REPO

SETTINGS = {"landing": "/l", "publish": "/p", "AUTOTRADE_WAREHOUSE": "/w/autotrade.duckdb"}


@pytest.fixture
def project(tmp_path):
    """A landing folder with one drop and a copy of the project's inputs."""
    landing = tmp_path / "landing" / "sales" / "2025-03-10"
    landing.mkdir(parents=True)
    (landing / "a.csv").write_text("period,brand,model,units\n2025-02,BYD,Han,1\n")
    root = tmp_path / "project"
    for name in ("orchestration", "expectations", "dbt_project"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("target", "logs"))
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(REPO / name, root / name)
    return tmp_path / "landing", root


def digests(landing, root, settings=SETTINGS, days=("2025-03-10",)) -> Digests:
    return Digests.of(landing, days, settings, root)


def digest(landing, root, settings=SETTINGS, days=("2025-03-10",)) -> str:
    return digests(landing, root, settings, days).inputs


def test_the_same_inputs_give_the_same_digest(project):
    assert digest(*project) == digest(*project)


@pytest.mark.parametrize(
    "change",
    [
        "a landed file rewritten",
        "a file added to the drop",
        "a model edited",
        "a seed row added",
        "a suite edited",
        "the code edited",
        "another warehouse",
        "another drop range",
    ],
)
def test_every_input_changes_the_digest(project, change):
    """Every input changes the digest of the inputs; every input but the drops, the project's."""
    landing, root = project
    before = digests(landing, root)
    drop = landing / "sales" / "2025-03-10"
    settings, days = SETTINGS, ("2025-03-10",)
    if change == "a landed file rewritten":
        stat = (drop / "a.csv").stat()
        (drop / "a.csv").write_text("period,brand,model,units\n2025-02,BYD,Han,2\n")
        os.utime(drop / "a.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    elif change == "a file added to the drop":
        (drop / "b.csv").write_text("period,brand,model,units\n")
    elif change == "a model edited":
        model = root / "dbt_project" / "models" / "marts" / "mart_group_sales.sql"
        model.write_text(model.read_text() + "\n")
    elif change == "a seed row added":
        with (root / "dbt_project" / "seeds" / "brand_aliases.csv").open("a") as seed:
            seed.write("BYD,比亚迪汽车X\n")
    elif change == "a suite edited":
        suite = root / "expectations" / "suites" / "mart_group_sales.json"
        suite.write_text(suite.read_text() + " ")
    elif change == "the code edited":
        (root / "orchestration" / "publish.py").write_text("# changed\n", encoding="utf-8")
    elif change == "another warehouse":
        settings = SETTINGS | {"AUTOTRADE_WAREHOUSE": "/elsewhere/autotrade.duckdb"}
    elif change == "another drop range":
        days = ()
    after = digests(landing, root, settings, days)
    assert after.inputs != before.inputs
    drops = {"a landed file rewritten", "a file added to the drop", "another drop range"}
    assert (after.project != before.project) == (change not in drops)


def test_dbt_output_is_not_an_input(project):
    landing, root = project
    before = digest(landing, root)
    (root / "dbt_project" / "target").mkdir()
    (root / "dbt_project" / "target" / "manifest.json").write_text("{}")
    assert digest(landing, root) == before


def test_a_recorded_run_counts_only_while_its_version_is_published(tmp_path):
    warehouse = tmp_path / "warehouse" / "autotrade.duckdb"
    warehouse.parent.mkdir()
    warehouse.touch()
    assert unchanged_since(warehouse, "v1", "d") is None  # never recorded
    record(warehouse, Digests(project="p", inputs="d"), "v1", {})
    assert unchanged_since(warehouse, "v1", "d") == "v1"
    assert unchanged_since(warehouse, "v1", "other") is None  # inputs changed
    assert unchanged_since(warehouse, "v0", "d") is None  # rolled back since
    assert unchanged_since(warehouse, None, "d") is None  # nothing published any more
    warehouse.unlink()
    assert unchanged_since(warehouse, "v1", "d") is None  # the warehouse was removed
