"""``make withdraw FILE=...``: a loaded file's rows leave every mart, as if it never landed,
and the manifest says it was withdrawn."""

import shutil

import duckdb
from dagster import DagsterInstance

from orchestration.publish import current_version
from tests.conftest import copy_of_sample_run, make_run, run_pipeline, settings_in
from tests.test_incremental import MARTS
from tests.test_run_safety import published_tables

WITHDRAWN = "sales/2025-03-10/thinkercar_2025-02.csv"


def published(settings, sql: str) -> list[tuple]:
    with duckdb.connect(settings.publish / "autotrade.duckdb", read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_a_withdrawn_file_leaves_the_marts_as_if_it_never_landed(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path / "withdrawn")
    (tmp_path / "dagster_home").mkdir()
    withdrawal = make_run(settings, tmp_path / "dagster_home", "--withdraw", WITHDRAWN)
    assert withdrawal.returncode == 0, withdrawal.stdout[-3000:] + withdrawal.stderr[-3000:]
    assert f"{WITHDRAWN}: withdrawn" in withdrawal.stdout

    never = tmp_path / "never"
    shutil.copytree(sample_run.settings.landing, never / "landing")
    (never / "landing" / WITHDRAWN).unlink()
    clean = run_pipeline(settings_in(never, never / "landing"), DagsterInstance.ephemeral())
    assert clean.result.success

    withdrawn, never_landed = (
        published_tables(settings.publish),
        published_tables(clean.settings.publish),
    )
    for mart in MARTS:
        assert withdrawn[mart] == never_landed[mart], mart
    assert published(sample_run.settings, f"select * from {MARTS[0]} order by all") != published(
        settings, f"select * from {MARTS[0]} order by all"
    ), "withdrawing the file changed nothing: the test cannot tell"
    statuses = published(
        settings,
        f"select status, rows_loaded from audit.ingested_files where source_file = '{WITHDRAWN}'",
    )
    assert statuses == [("withdrawn", 0)]

    # Nothing landed, nothing changed since: the next run does nothing and keeps the version.
    version = current_version(settings.publish)
    again = make_run(settings, tmp_path / "dagster_home")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert f"nothing changed since version {version}" in again.stdout
    assert current_version(settings.publish) == version
