"""The project's model-level ``not_null_columns`` dbt test (one per model, in place of one
``not_null`` per column): it fails on a null in any of its columns, counts every null as a
failure, and its failing rows name each column that has nulls."""

import duckdb

from orchestration.dbt_project import dbt_cli
from tests.conftest import copy_of_sample_run


def test_a_null_in_any_column_fails_the_models_test_naming_the_column(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path / "copy")
    with duckdb.connect(settings.warehouse) as connection:
        (units_spoiled,) = connection.execute(
            "update marts.mart_group_sales set units = null where period_type = 'year'"
        ).fetchone()
        connection.execute(
            "update marts.mart_group_sales set group_name = null "
            "where period_type = 'month' and period_label = '2025-01'"
        )
        (groups_spoiled,) = connection.execute(
            "select count(*) from marts.mart_group_sales where group_name is null"
        ).fetchone()
    assert units_spoiled > 0 and groups_spoiled > 0

    def run_test(model_test: str) -> dict:
        invocation = dbt_cli().cli(
            ["test", "--select", model_test, "--store-failures", *settings.dbt_arguments()],
            target_path=tmp_path / "target",
            raise_on_error=False,
        )
        invocation.wait()
        results = invocation.get_artifact("run_results.json")["results"]
        (result,) = [r for r in results if r["unique_id"].startswith("test.")]
        return result

    spoiled = run_test("not_null_mart_group_sales")
    assert spoiled["status"] == "fail"
    assert spoiled["failures"] == units_spoiled + groups_spoiled
    with duckdb.connect(settings.warehouse, read_only=True) as connection:
        failing = connection.execute(
            f"select column_name, null_rows from {spoiled['relation_name']} order by all"
        ).fetchall()
    assert failing == [("group_name", groups_spoiled), ("units", units_spoiled)]

    # The same test on a model without nulls passes.
    assert run_test("not_null_mart_band_period")["status"] == "pass"
