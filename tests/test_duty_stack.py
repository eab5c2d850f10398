"""mart_duty_stack built by the real pipeline: the sample plus a drop with an FTA schedule, an
8-digit US line and a tariff tracker series (issue 12; formats as in docs/tariffs.md).

The drop `2025-08-01` holds:
- `schedule.csv`, in the project's own columns: an 8-digit US line under 8703, preferential
  rates (EU-KR FTA, KORUS) and a column 2 rate;
- `tracker.csv` with its sidecar `tracker.csv.meta.json`: China's applied rate on US cars
  (HS 870380) as a dated series, each value valid until the next. The last value (30%) is
  planted 5 points above what the measures stack to, for the reconciliation warning.
"""

import json
from datetime import date

import pytest
from dagster import DagsterInstance

from expectations import run_suite
from tests.conftest import copy_of_sample_run, run_pipeline

DROP = "2025-08-01"
RECONCILIATION = "the stacked total is within 0.1 percentage points of the observed (applied) rate"

SCHEDULE = """\
reporter,partner,hs_code,measure,company,rate_pct,valid_from,valid_to,legal_basis,source
US,*,8703.80.00,MFN,,2.5,2018-01-01,,"HTSUS 8703.80.00, column 1 general 2.5%",https://hts.usitc.gov/
EU,KR,8703.80,preferential,,0.0,2018-01-01,,"EU-Korea FTA, Annex 2-A: cars duty-free",https://eur-lex.europa.eu/
US,KR,8703,preferential,,0.0,2018-01-01,,"HTSUS column 1 special (KR), KORUS",https://hts.usitc.gov/
US,CU,8703,column_2,,10.0,2018-01-01,,"HTSUS column 2, heading 8703",https://hts.usitc.gov/
"""

TRACKER = """\
time_of_tariff,hs6,tariff
2025-04-12,870380,140.0
2025-05-14,870380,25.0
2025-06-01,870380,30.0
"""

SIDECAR = {
    "constants": {"reporter": "CN", "partner": "US", "measure": "applied"},
    "columns": {"time_of_tariff": "valid_from", "hs6": "hs_code", "tariff": "rate_pct"},
    "valid_until_next": True,
}


@pytest.fixture(scope="module")
def stack_run(sample_run, tmp_path_factory):
    """The sample run, copied, with the drop above landed and run through the pipeline."""
    settings = copy_of_sample_run(sample_run, tmp_path_factory.mktemp("duty_stack"))
    drop = settings.landing / "tariffs" / DROP
    drop.mkdir(parents=True)
    (drop / "schedule.csv").write_text(SCHEDULE, encoding="utf-8")
    (drop / "tracker.csv").write_text(TRACKER, encoding="utf-8")
    (drop / "tracker.csv.meta.json").write_text(json.dumps(SIDECAR), encoding="utf-8")
    pipeline = run_pipeline(settings, DagsterInstance.ephemeral(), [DROP])
    assert pipeline.result.success, "the pipeline failed on the tariff drop"
    return pipeline


@pytest.fixture(scope="module")
def published(stack_run):
    with stack_run.published() as connection:
        yield connection


def stack_on(connection, reporter, partner, hs_code, on, company=None):
    """(total_rate_pct, components, observed_rate_pct) of the lane on the day `on`."""
    rows = connection.execute(
        "select total_rate_pct, components, observed_rate_pct from marts.mart_duty_stack "
        "where reporter = ? and partner = ? and hs_code = ? and company is not distinct from ? "
        "and valid_from <= ? and coalesce(valid_to, date '9999-12-31') >= ?",
        [reporter, partner, hs_code, company, on, on],
    ).fetchall()
    assert len(rows) == 1, f"{reporter}|{partner}|{hs_code}|{company} on {on}: {rows}"
    return rows[0]


def lanes(connection, reporter):
    return set(
        connection.execute(
            "select distinct partner, hs_code, company from marts.mart_duty_stack "
            "where reporter = ?",
            [reporter],
        ).fetchall()
    )


# Works on today's ingest: the 8-digit line and the sample's measures.


def test_lanes_are_the_most_detailed_lines_for_every_partner(published):
    us = lanes(published, "US")
    # 8703.80.00 is the most detailed US code under 8703.80; 8703 and 8703.80 name no lane.
    assert ("*", "8703.80.00", None) in us
    assert not {hs for _, hs, _ in us} & {"8703", "8703.80"}
    # Every partner a US measure names gets every US line, measures of its own or not.
    partners = {partner for partner, _, _ in us}
    assert {"*", "CN", "EU", "JP", "KR"} <= partners
    assert {("JP", hs) for hs in ("8703.60", "8703.80.00", "2208.20")} <= {
        (p, hs) for p, hs, _ in us
    }
    # Company lanes only where a company-specific measure is: none for the US.
    assert {company for _, _, company in us} == {None}
    assert {(p, c) for p, _, c in lanes(published, "EU") if c} == {
        ("CN", c)
        for c in ("BYD", "Geely", "SAIC", "Tesla (Shanghai)", "Other cooperating companies (Annex)")
    }


def test_a_line_inherits_the_measures_filed_at_shorter_codes(published):
    """8703.80.00 pays MFN (its own line), Section 301 (8703.80), the fentanyl duty (8703)
    and Section 232 (8703, all origins)."""
    total, components, observed = stack_on(published, "US", "CN", "8703.80.00", date(2025, 5, 1))
    assert total == pytest.approx(2.5 + 100 + 20 + 25)
    assert components == ("MFN 2.5% + retaliatory 20.0% + section_232 25.0% + section_301 100.0%")
    assert observed is None
    assert stack_on(published, "US", "JP", "8703.80.00", date(2025, 5, 1))[:2] == (
        pytest.approx(27.5),
        "MFN 2.5% + section_232 25.0%",
    )


@pytest.mark.parametrize(
    ("reporter", "partner", "hs_code", "company", "on", "expected"),
    [
        ("EU", "CN", "8703.80", "SAIC", "2024-11-01", 45.3),  # EU CVD on Chinese BEVs
        ("EU", "CN", "8703.80", "Tesla (Shanghai)", "2024-11-01", 17.8),
        ("CN", "EU", "2208.20", "Jas Hennessy & Co.", "2025-08-01", 44.9),  # CN AD on brandy
        ("CN", "EU", "2208.20", "Martell & Co.", "2025-01-01", 40.6),  # provisional
        ("US", "CN", "2208.20", None, "2025-04-10", 152.5),  # reciprocal 125 + 301 + IEEPA
        ("US", "CN", "2208.20", None, "2025-05-14", 37.5),  # Geneva: reciprocal 10
        ("US", "EU", "2208.20", None, "2025-04-09", 20.0),  # the one day of 20%
        ("US", "CN", "8703.60", None, "2024-10-01", 102.5),  # section 301 on EVs 100
    ],
)
def test_the_sample_duty_stack_facts_hold(
    published, reporter, partner, hs_code, company, on, expected
):
    total, _, _ = stack_on(published, reporter, partner, hs_code, date.fromisoformat(on), company)
    assert total == pytest.approx(expected)


# Needs the ingest of issue 12 (measures preferential, column_2, applied; sidecars).


def test_fta_and_column_2_rates_replace_mfn_for_their_partners(published):
    on = date(2025, 5, 1)
    assert stack_on(published, "EU", "KR", "8703.80", on)[:2] == (0.0, "preferential 0.0%")
    assert stack_on(published, "EU", "*", "8703.80", on)[:2] == (10.0, "MFN 10.0%")
    # KORUS replaces MFN on the 8-digit line; Section 232 still adds.
    assert stack_on(published, "US", "KR", "8703.80.00", on)[:2] == (
        25.0,
        "preferential 0.0% + section_232 25.0%",
    )
    assert stack_on(published, "US", "CU", "8703.80.00", on)[:2] == (
        35.0,
        "column_2 10.0% + section_232 25.0%",
    )


def test_a_tracker_series_gives_the_observed_rate_until_its_next_date(published):
    rows = published.execute(
        "select valid_from, valid_to, total_rate_pct, observed_rate_pct "
        "from marts.mart_duty_stack "
        "where reporter = 'CN' and partner = 'US' and hs_code = '8703.80' and company is null "
        "and valid_from >= date '2025-04-12' order by valid_from"
    ).fetchall()
    assert rows == [
        (date(2025, 4, 12), date(2025, 5, 13), 140.0, 140.0),
        (date(2025, 5, 14), date(2025, 5, 31), 25.0, 25.0),
        (date(2025, 6, 1), None, 25.0, 30.0),
    ]
    # An observed rate never adds: the lane before the series has none and the same stack.
    assert stack_on(published, "CN", "US", "8703.80", date(2025, 4, 11))[2] is None


def test_the_reconciliation_warns_about_the_planted_gap_without_blocking(stack_run):
    result = run_suite(stack_run.settings.warehouse, "mart_duty_stack")
    assert result.passed  # a warning: publishing went ahead
    (outcome,) = [o for o in result.failures if o.description == RECONCILIATION]
    assert outcome.severity == "warning"
    assert [
        (r["reporter"], r["partner"], r["hs_code"], r["valid_from"], r["valid_to"])
        for r in outcome.examples
    ] == [("CN", "US", "8703.80", "2025-06-01", None)]
    assert outcome.examples[0]["stacked_minus_observed"] == pytest.approx(-5.0)


def test_nothing_of_the_drop_is_quarantined(published):
    (quarantined,) = published.execute(
        "select count(*) from audit.quarantined_rows where source_file like ?",
        [f"tariffs/{DROP}/%"],
    ).fetchone()
    assert quarantined == 0
