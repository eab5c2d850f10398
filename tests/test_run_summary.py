"""The summary ``make run`` prints, from the real sample run."""

from orchestration.pipeline import summary


def test_summary_names_the_checks_tables_and_path_to_open(sample_run):
    text = summary(sample_run.result, sample_run.settings)
    assert "autotrade run succeeded" in text
    assert "0 failed" in text
    assert "Great Expectations suites" in text
    assert "marts.mart_brand_band_period" in text
    assert str(sample_run.settings.publish / "autotrade.duckdb") in text
