"""The incremental sales models (and the mart built by label) build what a full build of the
same drops builds.

One warehouse grows run by run: the older sample drops; the newer ones with an extra drop for
April 2025; three changes to drops already loaded (a restatement withdrawn, two months
withdrawn, a new file in an old drop); then April's drop emptied (a month withdrawn, nothing
else touched; last, so that no later run rebuilds what it should have). Another warehouse
is built once, from scratch, on the final landing folder. Every mart and the four
incremental tables must hold the same rows, build stamps aside.

Each change is one the incremental models must notice by a different path (a drop's new
fingerprint, a winning version gone, a month gone, a label's months changed, the label a
year earlier gone), and is made alone where another change would mask it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance

from orchestration.assets.dbt import SEED_KEYS
from orchestration.partitions import landed_drop_dates
from orchestration.pipeline import run
from tests.conftest import REPO, SAMPLE_LANDING, copy_of_sample_run, run_pipeline, settings_in

FIRST_RUN_UNTIL = "2025-03-10"  # drops before it in the first run, the rest in the second
STAMPS = ("canonicalised_at", "restated_at", "by_period_at", "built_at")
INCREMENTAL = [
    "intermediate.int_sales__canonicalised",
    "intermediate.int_sales__restated",
    "intermediate.int_sales__by_period",
    "marts.mart_model_period",
]
MARTS = [
    "marts.mart_brand_band_period",
    "marts.mart_band_period",
    "marts.mart_group_sales",
    "marts.mart_model_period",
    "marts.mart_sales_restatements",
    "marts.dim_model_price_history",
    "marts.mart_duty_stack",
]


def rewrite_csv(path: Path, keep: pl.Expr) -> int:
    """Rewrite a landed CSV keeping the rows where ``keep`` holds; return the rows dropped."""
    frame = pl.read_csv(path, infer_schema=False)
    kept = frame.filter(keep)
    kept.write_csv(path)
    return frame.height - kept.height


APRIL = "sales/2025-05-12/thinkercar_2025-04.csv"
HEADER = "period,brand,group,model,trim,powertrain,msrp_cny,units,origin,source\n"


def add_april(landing: Path) -> list[str]:
    """A drop whose only month, April 2025, no other drop has."""
    (landing / APRIL).parent.mkdir(parents=True)
    (landing / APRIL).write_text(
        HEADER
        + "2025-04,AITO,Seres,M5,Max BEV,BEV,279800,500,CN,ThinkerCar\n"
        + "2025-04,BMW,BMW Group,X5,xDrive40Li,ICE,669900,300,CN,ThinkerCar\n",
        encoding="utf-8",
    )
    return ["2025-05-12"]


def withdraw_april(landing: Path) -> list[str]:
    """April's drop re-sent empty: the month goes, and with it the labels 2025-04, 2025-Q2
    and 2025-YTD-04; the year 2025 keeps its other months, none of them rebuilt."""
    (landing / APRIL).write_text(HEADER, encoding="utf-8")
    return ["2025-05-12"]


def change_loaded_drops(landing: Path) -> list[str]:
    """Three changes to drops already loaded; return the drop dates they touch."""
    sales = landing / "sales"
    # The 2025-02 drop no longer restates January: January falls back to the preliminary
    # drop, whose rows are not rebuilt (only the winning version went).
    assert rewrite_csv(
        sales / "2025-03-10" / "thinkercar_2025-02.csv", pl.col("period") != "2025-01"
    )
    # December and May 2023 are withdrawn from the only drop that had them. May 2024 stays
    # as it was (its drop is untouched), but loses its change on a year earlier.
    assert rewrite_csv(
        sales / "2024-01-10" / "thinkercar_2023.csv",
        ~pl.col("period").is_in(["2023-05", "2023-12"]),
    )
    # A late file in the January 2025 drop restates a trim's June 2024 units.
    (sales / "2025-01-09" / "thinkercar_2024-06_fix.csv").write_text(
        HEADER + "2024-06,AITO,Seres,M5,Max BEV,BEV,269800,4321,CN,ThinkerCar\n",
        encoding="utf-8",
    )
    return ["2024-01-10", "2025-01-09", "2025-03-10"]


def rows(database: Path, table: str) -> list[tuple]:
    with duckdb.connect(database, read_only=True) as connection:
        columns = [c[0] for c in connection.execute(f"describe {table}").fetchall()]
        kept = ", ".join(f'"{c}"' for c in columns if c not in (*STAMPS, "recorded_at"))
        return connection.execute(f"select {kept} from {table} order by all").fetchall()


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The warehouse built in three runs, and the landing folder it ends with."""
    root = tmp_path_factory.mktemp("grown")
    shutil.copytree(SAMPLE_LANDING, root / "landing")
    settings, instance = settings_in(root, root / "landing"), DagsterInstance.ephemeral()
    drops = landed_drop_dates(settings)
    later = [d for d in drops if d >= FIRST_RUN_UNTIL] + add_april(root / "landing")
    runs = [
        run_pipeline(settings, instance, [d for d in drops if d < FIRST_RUN_UNTIL]),
        run_pipeline(settings, instance, later),
        run_pipeline(settings, instance, change_loaded_drops(root / "landing")),
        run_pipeline(settings, instance, withdraw_april(root / "landing")),
    ]
    assert [r.result.success for r in runs] == [True] * len(runs)
    return settings


@pytest.fixture(scope="module")
def rebuilt(grown, tmp_path_factory):
    """One full build from scratch on the grown warehouse's final landing folder."""
    root = tmp_path_factory.mktemp("rebuilt")
    shutil.copytree(grown.landing, root / "landing")
    pipeline = run_pipeline(settings_in(root, root / "landing"), DagsterInstance.ephemeral())
    assert pipeline.result.success
    return pipeline.settings


@pytest.mark.parametrize("table", INCREMENTAL)
def test_incremental_tables_equal_a_full_build(grown, rebuilt, table):
    assert rows(grown.warehouse, table) == rows(rebuilt.warehouse, table)


@pytest.mark.parametrize("table", MARTS)
def test_published_marts_equal_a_full_build(grown, rebuilt, table):
    published = "autotrade.duckdb"
    assert rows(grown.publish / published, table) == rows(rebuilt.publish / published, table)


def test_the_changes_reached_the_marts(grown):
    """The comparison above is only worth something if the changes show: April 2025 and
    December 2023 are gone, January 2025 is the preliminary figure again, and the late fix
    is the June 2024 trim."""
    with duckdb.connect(grown.warehouse, read_only=True) as connection:

        def one(sql: str):
            return connection.execute(sql).fetchone()[0]

        restated = "intermediate.int_sales__restated"
        assert one(f"select count(*) from {restated} where period = '2023-12-01'") == 0
        assert one(f"select count(*) from {restated} where period = '2025-04-01'") == 0
        assert (
            one(f"select distinct drop_date::varchar from {restated} where period = '2025-01-01'")
            == "2025-02-11"
        )
        assert (
            one(
                f"select units from {restated} where period = '2024-06-01' and brand = 'AITO' "
                "and model = 'M5' and \"trim\" = 'Max BEV'"
            )
            == 4321
        )
        labels = "intermediate.int_sales__by_period"
        assert one(f"select max(months_reported) from {labels} where period_label = '2023-Q4'") == 2
        assert one(f"select max(months_reported) from {labels} where period_label = '2025'") == 3
        gone = "('2025-04', '2025-Q2', '2025-YTD-04')"
        assert one(f"select count(*) from {labels} where period_label in {gone}") == 0


def test_a_label_whose_label_a_year_earlier_went_loses_its_change(grown, sample_run):
    """May 2024 is not rebuilt (nothing in it changed), but May 2023 went: its yoy_pct,
    which the sample's full build has, must go too."""
    changes = (
        "select count(*) from marts.mart_model_period "
        "where period_label = '2024-05' and yoy_pct is not null"
    )
    counts = []
    for settings in (sample_run.settings, grown):
        with duckdb.connect(settings.warehouse, read_only=True) as connection:
            counts.append(connection.execute(changes).fetchone()[0])
    assert counts[0] > 0 and counts[1] == 0, counts


def stamps(database: Path) -> dict[str, set]:
    """The build stamps each incremental table holds."""
    with duckdb.connect(database, read_only=True) as connection:
        return {
            table: {
                r[0] for r in connection.execute(f"select distinct {stamp} from {table}").fetchall()
            }
            for table, stamp in zip(INCREMENTAL, STAMPS, strict=True)
        }


def test_a_rerun_without_changes_rebuilds_nothing_and_a_full_refresh_everything(
    sample_run, tmp_path
):
    settings = copy_of_sample_run(sample_run, tmp_path)
    before = stamps(settings.warehouse)
    assert all(len(s) == 1 for s in before.values()), before  # one build wrote every row

    rerun = run_pipeline(settings, DagsterInstance.ephemeral())
    assert rerun.result.success
    assert stamps(settings.warehouse) == before

    keys = landed_drop_dates(settings)
    refreshed = run(keys, DagsterInstance.ephemeral(), settings, full_refresh=True)
    assert refreshed.success
    # The rerun left the unchanged seeds alone; a full refresh loads them again.
    loaded = [
        {e.asset_key for e in r.get_asset_materialization_events()} & SEED_KEYS
        for r in (rerun.result, refreshed)
    ]
    assert loaded == [set(), SEED_KEYS]
    after = stamps(settings.warehouse)
    assert all(len(s) == 1 for s in after.values()), after
    assert all(after[t] != before[t] for t in INCREMENTAL)
    for table in INCREMENTAL + MARTS:
        assert rows(settings.warehouse, table) == rows(sample_run.settings.warehouse, table)


def test_a_new_drop_checks_the_model_leaders_built_since_the_published_copy(sample_run, tmp_path):
    """The mart_model_period suite of a run after a publish reads the labels built since: its
    check says after which stamp, the published copy's newest; the staging suite reads the
    run's drop."""
    settings = copy_of_sample_run(sample_run, tmp_path)
    with duckdb.connect(settings.publish / "autotrade.duckdb", read_only=True) as connection:
        (published,) = connection.execute(
            "select max(built_at) from marts.mart_model_period"
        ).fetchone()

    run = run_pipeline(settings, DagsterInstance.ephemeral(), add_april(settings.landing))

    assert run.result.success
    checks = {e.check_name: e for e in run.result.get_asset_check_evaluations()}
    read = {
        name: checks[name].metadata["rows"].value
        for name in ("gx_mart_model_period", "gx_stg_sales")
    }
    assert read == {
        "gx_mart_model_period": f"built after {published} (the published copy's newest)",
        "gx_stg_sales": "drops 2025-05-12 to 2025-05-12",
    }
    assert checks["gx_mart_model_period"].passed


def test_an_edited_alias_seed_canonicalises_every_drop_again(sample_run, tmp_path):
    """The seeds are part of each drop's fingerprint: a new alias must reach old drops too.
    dbt runs on a copy of the project whose brand_aliases.csv maps one more spelling."""
    settings = copy_of_sample_run(sample_run, tmp_path / "run")
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    with (project / "seeds" / "brand_aliases.csv").open("a", encoding="utf-8") as seed:
        seed.write("Aito Auto,AITO\n")
    before = stamps(settings.warehouse)

    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--select", "+int_sales__canonicalised"]
        + ["--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--vars", settings.dbt_vars()],
        cwd=project,
        check=True,
        capture_output=True,
    )

    canonicalised = stamps(settings.warehouse)[INCREMENTAL[0]]
    assert len(canonicalised) == 1 and canonicalised != before[INCREMENTAL[0]]
