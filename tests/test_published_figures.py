"""The published marts, built by the real pipeline from the sample, against the contract's
published figures (design.md, "Published figures the sample data must reproduce")."""

import polars as pl
import pytest

CONTRACT_MARTS = [
    "mart_brand_band_period",
    "mart_group_sales",
    "dim_model_price_history",
    "mart_duty_stack",
]


@pytest.fixture(scope="module")
def published(sample_run):
    with sample_run.published() as connection:
        yield connection


def one(connection, sql, *params):
    rows = connection.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, f"expected one row, got {rows}"
    return rows[0]


def test_aito_is_the_best_selling_brand_above_500k_in_2024(published):
    leader = one(
        published,
        "select brand, rank from marts.mart_brand_band_period "
        "where period_type = 'year' and period_label = '2024' and price_band = '500k+' "
        "and rank = 1",
    )
    assert leader == ("AITO", 1)


def test_m9_deliveries_2024(published):
    (units,) = one(
        published,
        "select sum(units) from marts.mart_model_period "
        "where brand = 'AITO' and model = 'M9' and period_type = 'year' and period_label = '2024'",
    )
    assert units == 151_000


def test_m9_cheapest_bev_trim_in_2024_costs_509800(published):
    (price,) = one(
        published,
        "select min(msrp_cny) from marts.dim_model_price_history "
        "where brand = 'AITO' and model = 'M9' and powertrain = 'BEV' "
        "and valid_from <= date '2024-12-31' "
        "and coalesce(valid_to, date '9999-12-31') >= date '2024-01-01'",
    )
    assert price == 509_800


def test_seres_group_sales_2024(published):
    (units,) = one(
        published,
        "select units from marts.mart_group_sales "
        "where group_name = 'Seres' and period_type = 'year' and period_label = '2024'",
    )
    assert units == 427_000


def test_luxury_market_fell_23_percent_in_2024(published):
    (yoy,) = one(
        published,
        "select yoy_pct from marts.mart_band_period "
        "where price_band = '500k+' and period_type = 'year' and period_label = '2024'",
    )
    assert yoy == pytest.approx(-23.0, abs=0.005)


def test_m9_2025_refresh_cut_most_trims_by_10k_to_20k(published):
    cuts = published.execute(
        "select old.trim, old.msrp_cny - new.msrp_cny as cut "
        "from marts.dim_model_price_history as old "
        "join marts.dim_model_price_history as new "
        "  on old.brand = new.brand and old.model = new.model and old.trim = new.trim "
        "  and new.valid_from = old.valid_to + 1 "
        "where old.brand = 'AITO' and old.model = 'M9' and new.valid_from = date '2025-01-01'"
    ).fetchall()
    trims = published.execute(
        "select count(distinct trim) from marts.dim_model_price_history "
        "where brand = 'AITO' and model = 'M9' and valid_from < date '2025-01-01'"
    ).fetchone()[0]
    in_range = [trim for trim, cut in cuts if 10_000 <= cut <= 20_000]
    assert len(in_range) > trims / 2, f"cuts {cuts} of {trims} trims"


def test_500k_band_leaders_january_february_2025(published):
    rows = published.execute(
        "select brand, units, rank from marts.mart_brand_band_period "
        "where period_type = 'ytd' and period_label = '2025-YTD-02' and price_band = '500k+' "
        "and rank <= 3 order by rank"
    ).fetchall()
    assert rows == [("Mercedes-Benz", 22_160, 1), ("BMW", 18_130, 2), ("AITO", 17_190, 3)]


def test_seres_group_fell_42_percent_in_q1_2025(published):
    (yoy,) = one(
        published,
        "select yoy_pct from marts.mart_group_sales "
        "where group_name = 'Seres' and period_type = 'quarter' and period_label = '2025-Q1'",
    )
    assert yoy == pytest.approx(-42.0, abs=0.005)


def test_restated_month_replaces_the_preliminary_figures(published):
    """2025-01 came preliminary on 2025-02-11 and restated on 2025-03-10: the marts use the
    restatement, and the revision history stays queryable."""
    (restated,) = one(
        published,
        "select count(*) from marts.mart_sales_restatements "
        "where period_label = '2025-01' and restated_on = date '2025-03-10' "
        "and previous_drop_date = date '2025-02-11' and units_change <> 0",
    )
    assert restated > 0


@pytest.mark.parametrize(
    ("reporter", "partner", "hs_code", "company", "on", "expected"),
    [
        ("EU", "CN", "8703.80", "BYD", "2024-11-01", 27.0),  # MFN 10 + definitive CVD 17.0
        ("EU", "CN", "8703.80", "BYD", "2024-08-01", 27.4),  # MFN 10 + provisional CVD 17.4
        ("EU", "CN", "8703.80", None, "2024-11-01", 45.3),  # all other companies: CVD 35.3
        ("EU", "CN", "8703.80", None, "2024-06-01", 10.0),  # before any CVD: MFN only
    ],
)
def test_duty_stack(published, reporter, partner, hs_code, company, on, expected):
    (rate,) = one(
        published,
        "select total_rate_pct from marts.mart_duty_stack "
        "where reporter = ? and partner = ? and hs_code = ? and company is not distinct from ? "
        "and valid_from <= cast(? as date) "
        "and coalesce(valid_to, date '9999-12-31') >= cast(? as date)",
        reporter,
        partner,
        hs_code,
        company,
        on,
        on,
    )
    assert rate == pytest.approx(expected)


def test_brandy_anti_dumping_reaches_39_percent(published):
    (top,) = one(
        published,
        "select max(rate_pct) from ("
        "  select try_cast(regexp_extract(components, 'AD ([0-9.]+)%', 1) as double) as rate_pct"
        "  from marts.mart_duty_stack"
        "  where reporter = 'CN' and partner = 'EU' and hs_code = '2208.20')",
    )
    assert top == pytest.approx(39.0)


@pytest.mark.parametrize("mart", CONTRACT_MARTS)
def test_parquet_copy_matches_the_published_database(sample_run, published, mart):
    parquet = sample_run.settings.publish / "parquet" / f"{mart}.parquet"
    from_parquet = pl.read_parquet(parquet)
    (rows,) = one(published, f"select count(*) from marts.{mart}")
    assert from_parquet.height == rows > 0


def test_every_raw_row_is_staged_or_quarantined(sample_run, published):
    files = published.execute(
        "select source_file, rows_in, rows_loaded, rows_quarantined, status "
        "from audit.ingested_files"
    ).fetchall()
    assert files, "no file was ingested"
    for source_file, rows_in, loaded, quarantined, status in files:
        assert status == "loaded", source_file
        assert rows_in == loaded + quarantined, source_file
    with sample_run.settings.connect(read_only=True) as warehouse:
        staged = warehouse.execute("select count(*) from staging.stg_landing__sales").fetchone()
        loaded = warehouse.execute(
            "select sum(rows_loaded) from audit.ingested_files where feed = 'sales'"
        ).fetchone()
    assert staged == loaded
