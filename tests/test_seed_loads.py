"""The seeds load when what their tables are built from changed, not on every run: the first
run loads and tests them and records it in the warehouse; later runs leave them and their
tests out (tests/test_rerun.py); a full refresh loads them again (tests/test_incremental.py)."""

import shutil

from orchestration.assets.dbt import SEED_KEYS
from orchestration.pipeline import summary
from orchestration.resources import AutotradeSettings
from orchestration.seed_loads import SEED_INPUTS, record_seeds, seeds_are_loaded, seeds_digest
from tests.conftest import REPO, copy_of_sample_run


def materialized(result) -> set:
    return {event.asset_key for event in result.get_asset_materialization_events()}


def checked_keys(result) -> set:
    return {evaluation.asset_key for evaluation in result.get_asset_check_evaluations()}


def test_the_first_run_loads_and_tests_the_seeds_and_records_it(sample_run):
    assert materialized(sample_run.result) >= SEED_KEYS
    # The lookups' own tests (unique aliases, relationships, unambiguous name keys) ran.
    assert {key.path[1] for key in SEED_KEYS & checked_keys(sample_run.result)} >= {
        "brands",
        "brand_aliases",
        "model_aliases",
        "hs2022_nomenclature",
    }
    assert seeds_are_loaded(sample_run.settings)
    assert "seeds: unchanged" not in summary(sample_run.result, sample_run.settings)


def test_a_load_that_has_not_finished_leaves_no_record(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path)
    assert seeds_are_loaded(settings)
    record_seeds(settings, loaded=False)  # as the dbt step does before dbt loads them
    assert not seeds_are_loaded(settings)


def test_a_new_warehouse_has_no_seeds_loaded(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path)
    settings.warehouse.unlink()
    assert not seeds_are_loaded(settings)


def test_the_digest_follows_the_seed_files_the_macros_and_the_engine(sample_run, tmp_path):
    project = tmp_path / "project"
    for name in SEED_INPUTS:
        source = REPO / name
        copy = shutil.copytree if source.is_dir() else shutil.copy2
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        copy(source, project / name)
    settings = sample_run.settings
    before = seeds_digest(settings, project)
    assert before == seeds_digest(settings, REPO)  # nothing else of the project counts

    aliases = project / "dbt_project" / "seeds" / "brand_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8") + "Aito Auto,AITO\n", "utf-8")
    after_seed = seeds_digest(settings, project)
    macro = project / "dbt_project" / "macros" / "new_macro.sql"
    macro.write_text("{% macro m() %}{% endmacro %}")
    after_macro = seeds_digest(settings, project)
    spark = AutotradeSettings(
        landing_dir=settings.landing_dir,
        warehouse_path=settings.warehouse_path,
        publish_dir=settings.publish_dir,
        engine="spark",
    )
    assert len({before, after_seed, after_macro, seeds_digest(spark, project)}) == 4
