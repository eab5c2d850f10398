"""The GX layer on tiny DuckDB warehouses built with SQL in tmp_path.

One warehouse holds a clean copy of every table the suites read; each suite also gets a
warehouse of its own whose table breaks the contract in known ways. Every suite runs once
per warehouse per module: importing GX is the slow part (seconds), a run takes ~0.1 s.
"""

import dataclasses
import hashlib
import json
import re
import socket
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

import expectations
from expectations import gx_duckdb, runner, suites
from orchestration.seeds import SEEDS_DIR
from tests.browser import dump_dom, find_chromium

SCHEMAS = (
    "CREATE SCHEMA staging; CREATE SCHEMA intermediate; CREATE SCHEMA marts; "
    "CREATE SCHEMA audit; CREATE SCHEMA reference;"
)

SALES = """
CREATE TABLE staging.stg_landing__sales AS
SELECT drop_date::DATE AS drop_date, 'sales.csv' AS source_file,
       line_number::BIGINT AS line_number, period::DATE AS period, brand,
       brand AS group_name, model, NULL AS "trim", 'BEV' AS powertrain,
       msrp_cny::BIGINT AS msrp_cny, units::{units_type} AS units, 'CN' AS origin,
       'ThinkerCar' AS source, price_band
FROM (VALUES {rows}) AS v(drop_date, line_number, period, brand, model, msrp_cny, units, price_band)
"""

TARIFFS = """
CREATE TABLE staging.stg_landing__tariff_measures AS
SELECT DATE '2025-03-01' AS drop_date, 'tariffs.csv' AS source_file,
       line_number::BIGINT AS line_number, reporter, partner, hs_code, measure, company,
       rate_pct::DOUBLE AS rate_pct, valid_from::DATE AS valid_from, valid_to::DATE AS valid_to,
       'regulation' AS legal_basis, 'official journal' AS source
FROM (VALUES {rows}) AS v(line_number, reporter, partner, hs_code, measure, company, rate_pct,
                           valid_from, valid_to)
"""

BRAND_BAND = """
CREATE TABLE marts.mart_brand_band_period AS
SELECT period_type, period_label, price_band, brand, units::BIGINT AS units,
       share_pct::DOUBLE AS share_pct, NULL::DOUBLE AS yoy_pct, rank::BIGINT AS rank
FROM (VALUES {rows}) AS v(period_type, period_label, price_band, brand, units, share_pct, rank)
"""


def yoy(table: str, pct: float, where: str) -> str:
    """Set the year-on-year change of some rows of a mart (the templates leave it null)."""
    return f"UPDATE marts.{table} SET yoy_pct = {pct} WHERE {where}"


INGESTED = """
CREATE TABLE audit.ingested_files AS
SELECT feed, drop_date::DATE AS drop_date, source_file, status, rows_in::BIGINT AS rows_in,
       rows_loaded::BIGINT AS rows_loaded, rows_quarantined::BIGINT AS rows_quarantined
FROM (VALUES {rows})
    AS v(feed, drop_date, source_file, status, rows_in, rows_loaded, rows_quarantined)
"""

# A rejected file reads no lines (rows_in null) and quarantines one whole-file row; a
# duplicate loads nothing.
GOOD_INGESTED = """
('sales', '2025-03-01', 'sales/2025-03-01/a.csv', 'loaded', 10, 9, 1),
('sales', '2025-03-01', 'sales/2025-03-01/b.csv', 'rejected', NULL, 0, 1),
('tariffs', '2025-03-01', 'tariffs/2025-03-01/c.csv', 'duplicate', 4, 0, 0)
"""

RESTATED = """
CREATE TABLE intermediate.int_sales__restated AS
SELECT period::DATE AS period, units::BIGINT AS units FROM (VALUES {rows}) AS v(period, units)
"""

GROUP_SALES = """
CREATE TABLE marts.mart_group_sales AS
SELECT period_type, period_label, group_name, units::BIGINT AS units, NULL::DOUBLE AS yoy_pct
FROM (VALUES {rows}) AS v(period_type, period_label, group_name, units)
"""

BY_PERIOD = """
CREATE TABLE intermediate.int_sales__by_period AS
SELECT period_type, period_label, brand, units::BIGINT AS units
FROM (VALUES {rows}) AS v(period_type, period_label, brand, units)
"""

DUTY_STACK = """
CREATE TABLE marts.mart_duty_stack AS
SELECT reporter, partner, hs_code, company, valid_from::DATE AS valid_from,
       valid_to::DATE AS valid_to, total_rate_pct::DOUBLE AS total_rate_pct,
       'MFN + CVD' AS components, observed_rate_pct::DOUBLE AS observed_rate_pct
FROM (VALUES {rows})
    AS v(reporter, partner, hs_code, company, valid_from, valid_to, total_rate_pct,
         observed_rate_pct)
"""

# Real prices from a 28,900-yuan mini EV to a 7,000,000-yuan Rolls-Royce, and every band edge.
GOOD_SALES = """
('2025-03-01', 1, '2025-02-01', 'AITO', 'M9', 509800, 17190, '500k+'),
('2025-03-01', 2, '2025-02-01', 'Wuling', 'Hongguang Mini EV', 28900, 1000, '<200k'),
('2025-03-01', 3, '2025-02-01', 'Rolls-Royce', 'Cullinan', 7000000, 3, '500k+'),
('2025-03-01', 4, '2025-02-01', 'BMW', 'X3', 200000, 10, '200k-300k'),
('2025-03-01', 5, '2025-02-01', 'BMW', 'X5', 300000, 10, '300k-500k'),
('2025-03-01', 6, '2025-02-01', 'Mercedes-Benz', 'GLS', 500000, 10, '500k+'),
('2025-03-01', 7, '2025-02-01', 'AITO', 'M7', NULL, 0, 'unknown'),
('2025-03-02', 1, '2025-02-01', 'AITO', 'M9', 499999, 17190, '300k-500k')
"""

GOOD_TARIFFS = """
(1, 'EU', 'CN', '8703.80', 'MFN', NULL, 10.0, '2024-01-01', NULL),
(2, 'EU', 'CN', '8703.80', 'CVD', 'BYD', 17.0, '2024-10-30', NULL),
(3, 'CN', 'EU', '2208.20', 'AD', 'Hennessy', 34.8, '2024-10-11', '2025-07-04'),
(4, 'US', 'CN', '8703', 'section_301', NULL, 100.0, '2024-09-27', '2024-09-27'),
(5, 'CN', 'US', '8703.80.10.00', 'retaliatory', NULL, 0.0, '2025-04-10', NULL)
"""

# Shares are rounded to two decimals, as a mart would store them: 38.55 + 31.54 + 29.91 = 100.
GOOD_BRAND_BAND = """
('month', '2025-01', '500k+', 'AITO', 100, 100.0, 1),
('month', '2025-02', '500k+', 'Mercedes-Benz', 22160, 38.55, 1),
('month', '2025-02', '500k+', 'BMW', 18130, 31.54, 2),
('month', '2025-02', '500k+', 'AITO', 17190, 29.91, 3),
('month', '2025-02', 'unknown', 'AITO', 5, 100.0, 1),
('quarter', '2025-Q1', '500k+', 'AITO', 17290, 50.0, 1),
('quarter', '2025-Q1', '500k+', 'BMW', 17290, 50.0, 1),
('ytd', '2025-YTD-02', '500k+', 'AITO', 17290, 100.0, 1),
('year', '2024', '500k+', 'AITO', 151000, 100.0, 1)
"""

GOOD_RESTATED = "('2025-01-01', 60), ('2025-01-01', 40), ('2025-02-01', 57480), ('2025-02-01', 5)"

GOOD_GROUP_SALES = "('year', '2024', 'Seres', 427000), ('quarter', '2025-Q1', 'Seres', 0)"

# The market the groups add up to: Seres' two brands.
GOOD_BY_PERIOD = """
('year', '2024', 'AITO', 400000), ('year', '2024', 'Seres', 27000),
('quarter', '2025-Q1', 'AITO', 0)
"""

# Adjacent intervals touch without overlapping; a company's own lane may cover the others'.
GOOD_DUTY_STACK = """
('EU', 'CN', '8703.80', NULL, '2024-01-01', '2024-10-29', 10.0, NULL),
('EU', 'CN', '8703.80', NULL, '2024-10-30', NULL, 27.0, 27.1), -- observed, within 0.1
('EU', 'CN', '8703.80', 'BYD', '2024-01-01', NULL, 27.0, NULL),
('CN', 'EU', '2208.20', 'Hennessy', '2024-10-11', '2025-07-04', 34.8, NULL)
"""

# The seed the price-band check joins, read from the file dbt loads.
REFERENCE = (
    "CREATE TABLE reference.price_bands AS "
    f"SELECT * FROM read_csv('{SEEDS_DIR / 'price_bands.csv'}')"
)

CURRENT_TARIFFS = """
CREATE TABLE intermediate.int_tariff_measures__current AS
SELECT DATE '2025-03-01' AS drop_date, 'tariffs/2025-03-01/measures.csv' AS source_file,
       line_number::BIGINT AS line_number, reporter, partner, hs_code,
       replace(hs_code, '.', '') AS hs_digits, measure, company, rate_pct::DOUBLE AS rate_pct,
       valid_from::DATE AS valid_from, valid_to::DATE AS valid_to, 'regulation' AS legal_basis,
       'official journal' AS source, NULL::VARCHAR AS extra_columns
FROM (VALUES {rows}) AS v(line_number, reporter, partner, hs_code, measure, company, rate_pct,
                           valid_from, valid_to)
"""

PRICE_HISTORY = """
CREATE TABLE marts.dim_model_price_history AS
SELECT brand, model, "trim", powertrain, msrp_cny::BIGINT AS msrp_cny,
       valid_from::DATE AS valid_from, valid_to::DATE AS valid_to, is_current,
       TIMESTAMP '2025-03-01 06:00:00' AS recorded_at
FROM (VALUES {rows}) AS v(brand, model, "trim", powertrain, msrp_cny, valid_from, valid_to,
                           is_current)
"""

BAND_PERIOD = """
CREATE TABLE marts.mart_band_period AS
SELECT period_type, period_label, price_band, units::BIGINT AS units,
       share_of_market_pct::DOUBLE AS share_of_market_pct, NULL::DOUBLE AS yoy_pct
FROM (VALUES {rows}) AS v(period_type, period_label, price_band, units, share_of_market_pct)
"""

MODEL_PERIOD = """
CREATE TABLE marts.mart_model_period AS
SELECT period_type, period_label, brand, model, units::BIGINT AS units, NULL::DOUBLE AS yoy_pct,
       rank::BIGINT AS rank
FROM (VALUES {rows}) AS v(period_type, period_label, brand, model, units, rank)
"""

RESTATEMENTS = """
CREATE TABLE marts.mart_sales_restatements AS
SELECT period_label, brand, model, "trim", NULL::VARCHAR AS powertrain,
       previous_drop_date::DATE AS previous_drop_date, restated_on::DATE AS restated_on,
       previous_units::BIGINT AS previous_units, units::BIGINT AS units,
       units_change::BIGINT AS units_change, NULL::BIGINT AS previous_msrp_cny,
       NULL::BIGINT AS msrp_cny
FROM (VALUES {rows}) AS v(period_label, brand, model, "trim", previous_drop_date, restated_on,
                           previous_units, units, units_change)
"""

# Two models tie for first (dense rank); a price-only revision has units_change 0.
GOOD_MODEL_PERIOD = """
('year', '2024', 'AITO', 'M9', 151000, 1), ('year', '2024', 'AITO', 'M7', 151000, 1),
('year', '2024', 'BMW', 'X5', 90000, 2), ('month', '2025-01', 'AITO', 'M9', 9000, 1)
"""
GOOD_RESTATEMENTS = """
('2025-01', 'AITO', 'M9', 'Max', '2025-02-11', '2025-03-10', 5000, 5200, 200),
('2025-01', 'BMW', 'X5', NULL, '2025-02-11', '2025-03-10', 3000, 3000, 0)
"""

# Measures of different kinds stack on one lane; a company's own rate runs alongside the
# all-companies one; an ended measure touches its successor without overlapping; 10-digit
# national lines are checked to their subheading only.
GOOD_CURRENT_TARIFFS = """
(1, 'EU', 'CN', '8703.80', 'MFN', NULL, 10.0, '2024-01-01', NULL),
(2, 'EU', 'CN', '8703.80', 'CVD', NULL, 35.3, '2024-10-30', NULL),
(3, 'EU', 'CN', '8703.80', 'CVD', 'BYD', 17.0, '2024-10-30', NULL),
(4, 'CN', 'EU', '2208.20', 'AD', 'Hennessy', 34.8, '2024-10-11', '2025-07-04'),
(5, 'CN', 'EU', '2208.20', 'AD', 'Hennessy', 0.0, '2025-07-05', NULL),
(6, 'US', 'CN', '8703', 'section_301', NULL, 100.0, '2024-09-27', '2024-09-27'),
(7, 'CN', 'US', '8703.80.10.00', 'retaliatory', NULL, 0.0, '2025-04-10', NULL)
"""

# A price change closes the old interval the day before the new one; trims and powertrains
# (null ones too) are their own histories; prices at both bounds.
GOOD_PRICE_HISTORY = """
('AITO', 'M9', 'Max', 'EREV', 529800, '2024-01-01', '2024-12-31', false),
('AITO', 'M9', 'Max', 'EREV', 509800, '2025-01-01', NULL, true),
('AITO', 'M9', 'Max', 'BEV', 549800, '2024-06-01', NULL, true),
('AITO', 'M9', NULL, NULL, 469800, '2024-01-01', '2024-01-01', false),
('AITO', 'M9', NULL, NULL, 469800, '2024-01-02', NULL, true),
('Wuling', 'Hongguang Mini EV', NULL, 'BEV', 10000, '2024-01-01', NULL, true),
('Rolls-Royce', 'Phantom', 'EWB', 'ICE', 50000000, '2024-01-01', NULL, true)
"""

# Shares as the mart computes them, unrounded; a period where nothing sold has all shares 0.
GOOD_BAND_PERIOD = """
('month', '2025-02', '<200k', 1, 100.0 / 3), ('month', '2025-02', '500k+', 2, 200.0 / 3),
('month', '2025-02', 'unknown', 0, 0.0),
('year', '2024', '500k+', 151000, 100.0),
('quarter', '2025-Q2', '500k+', 0, 0.0)
"""

GOOD_WAREHOUSE = [
    SCHEMAS,
    SALES.format(units_type="BIGINT", rows=GOOD_SALES),
    TARIFFS.format(rows=GOOD_TARIFFS),
    BRAND_BAND.format(rows=GOOD_BRAND_BAND),
    RESTATED.format(rows=GOOD_RESTATED),
    GROUP_SALES.format(rows=GOOD_GROUP_SALES),
    BY_PERIOD.format(rows=GOOD_BY_PERIOD),
    DUTY_STACK.format(rows=GOOD_DUTY_STACK),
    REFERENCE,
    CURRENT_TARIFFS.format(rows=GOOD_CURRENT_TARIFFS),
    PRICE_HISTORY.format(rows=GOOD_PRICE_HISTORY),
    BAND_PERIOD.format(rows=GOOD_BAND_PERIOD),
    MODEL_PERIOD.format(rows=GOOD_MODEL_PERIOD),
    RESTATEMENTS.format(rows=GOOD_RESTATEMENTS),
    INGESTED.format(rows=GOOD_INGESTED),
    # The 500k+ market fell 23% (2024 on 2023); a group that sold nothing fell 100%.
    yoy("mart_brand_band_period", -23.0, "period_type = 'year'"),
    yoy("mart_band_period", -23.0, "period_type = 'year'"),
    yoy("mart_group_sales", -100.0, "units = 0"),
    yoy("mart_model_period", 150.0, "period_type = 'month'"),
]

# Each suite's table broken in known ways; the SQL comments say how.
BAD_WAREHOUSES = {
    "stg_sales": [
        SCHEMAS,
        REFERENCE,
        SALES.format(
            units_type="DOUBLE",  # not an integer type
            rows="""
('2025-03-01', 1, '2025-02-01', 'AITO', 'M9', 509800, 17190, '500k+'),
('2025-03-01', 2, '2025-02-01', 'AITO', 'M9', 509800, -3, '500k+'), -- negative units
('2025-03-01', 3, '2025-02-01', 'AITO', 'M9', 5, 1, '<200k'), -- implausible price
('2025-03-01', 4, '2025-02-01', 'AITO', 'M9', 250000, 1, '500k+'), -- wrong band
('2025-03-01', 5, '2025-02-01', 'AITO', 'M9', NULL, 1, 'luxury'), -- no such band: dbt's test
('2025-03-01', 6, '2025-02-15', 'AITO', 'M9', 509800, 1, '500k+'), -- mid-month period
('2025-03-01', 7, '2025-02-01', 'AITO', 'M9', 509800, 1, 'unknown'), -- a price, no band
('2025-03-01', 8, '2025-02-01', 'AITO', 'M9', NULL, 1, '500k+'), -- no price, yet a band
('2025-03-01', 9, '2025-02-01', 'AITO', 'M9', 200000, 1, '<200k') -- the next band's edge
""",
        ),
    ],
    "stg_tariff_measures": [
        SCHEMAS,
        TARIFFS.format(
            rows="""
(1, 'EU', 'CN', '8703.80', 'CVD', NULL, 17.0, '2024-10-30', NULL),
(2, 'EU', 'CN', '8703.80', 'CVD', NULL, 1500.0, '2024-10-30', NULL), -- rate over 1000
(5, 'EU', 'CN', '8703.80', 'CVD', NULL, 17.0, '2025-05-01', '2025-01-31'), -- ends first
(6, 'EU', 'CN', '87038', 'CVD', NULL, 17.0, '2024-10-30', NULL), -- no dot
(7, 'EU', 'CN', NULL, 'CVD', NULL, 17.0, '2024-10-30', NULL) -- no code
"""
        ),
    ],
    "mart_brand_band_period": [
        SCHEMAS,
        BRAND_BAND.format(
            rows="""
('month', '2025-02', '500k+', 'AITO', 60, 60.0, 1), -- shares sum to 90,
('month', '2025-02', '500k+', 'BMW', 30, 30.0, 3), -- and rank 2 is missing
('year', '2024', '500k+', 'AITO', 100, 100.0, 1),
('quarter', '2025-Q1', '<200k', 'Wuling', 5, 120.0, 1), -- share over 100
('quarter', '2025-Q1', '<200k', 'BYD', -5, -20.0, 2), -- negative units and share
('ytd', '2025-YTD-02', '200k-300k', 'BMW', 7, 100.0, 0) -- rank 0
"""
        ),
        yoy("mart_brand_band_period", -100.01, "period_type = 'year'"),  # below -100%
    ],
    "mart_group_sales": [
        SCHEMAS,
        GROUP_SALES.format(
            rows="""
('year', '2024', 'Seres', 427000), ('year', '2024', 'Seres', 1), -- Seres twice
('year', '2024', 'BMW', -1), -- negative units
('year', '2024', NULL, 5) -- the groups add up to 427005, not the market's 427000
"""
        ),
        yoy("mart_group_sales", -200.0, "group_name = 'BMW'"),  # below -100%
        BY_PERIOD.format(
            rows="""
('year', '2024', 'AITO', 427000),
('quarter', '2025-Q1', 'AITO', 100) -- no group has the quarter's units
"""
        ),
    ],
    "mart_duty_stack": [
        SCHEMAS,
        DUTY_STACK.format(
            rows=GOOD_DUTY_STACK.rstrip()
            + """,
('EU', 'CN', '8703.80', NULL, '2025-01-01', '2025-06-30', 27.0, NULL), -- inside the open one
('CN', 'EU', '2208.20', 'Hennessy', '2024-10-11', '2025-07-04', 34.8, NULL), -- same one twice
('US', 'CN', '8703.80', NULL, '2025-05-01', '2025-04-01', 1200.0, NULL), -- ends first, over 1000
('CN', 'US', '8703.80', NULL, '2025-05-14', NULL, 25.0, 25.2) -- observed 0.2 points above
"""
        ),
    ],
    "reconciliation": [
        SCHEMAS,
        BRAND_BAND.format(
            rows="""
('month', '2025-01', '500k+', 'AITO', 100, 100.0, 1), -- January is not restated
('month', '2025-02', '500k+', 'AITO', 60, 60.0, 1), -- February: 100 here, 90 restated
('month', '2025-02', '500k+', 'BMW', 40, 40.0, 2), -- (March is restated only)
('quarter', '2025-Q1', '500k+', 'AITO', 999, 100.0, 1) -- not a month: ignored
"""
        ),
        RESTATED.format(rows="('2025-02-01', 90), ('2025-03-01', 50)"),
    ],
    "tariff_measures": [
        SCHEMAS,
        CURRENT_TARIFFS.format(
            rows=GOOD_CURRENT_TARIFFS.rstrip()
            + """,
(8, 'US', 'CN', '8703.80', 'AD', NULL, 10.0, '2025-03-01', '2025-02-01'), -- ends first
(9, 'EU', 'CN', '8703.80', 'CVD', NULL, 20.0, '2025-01-01', '2025-06-30'), -- inside line 2
(10, 'CN', 'EU', '2208.20', 'AD', 'Hennessy', 30.0, '2025-07-04', NULL) -- shares 2025-07-04
"""
        ),
    ],
    "dim_model_price_history": [
        SCHEMAS,
        PRICE_HISTORY.format(
            rows="""
('AITO', 'M9', 'Max', 'EREV', 529800, '2024-01-01', '2024-12-31', false),
('AITO', 'M9', 'Max', 'EREV', 509800, '2024-12-31', NULL, true), -- overlaps on 2024-12-31
('AITO', 'M9', NULL, NULL, 469800, '2024-01-01', NULL, true),
('AITO', 'M9', NULL, NULL, 489800, '2024-06-01', NULL, true), -- two open intervals overlap
('AITO', 'M7', NULL, 'BEV', 9999, '2024-01-01', NULL, true), -- below 10,000 yuan
('AITO', 'M5', NULL, 'BEV', 250000, '2024-05-01', '2024-04-30', false), -- ends first
('AITO', 'M8', NULL, 'BEV', 350000, '2024-01-01', '2024-12-31', true), -- closed yet current
('AITO', 'M8', NULL, 'EREV', 50000001, '2024-01-01', NULL, false) -- open yet not current, dear
"""
        ),
    ],
    "mart_band_period": [
        SCHEMAS,
        BAND_PERIOD.format(
            rows="""
('month', '2025-02', '<200k', 1, 100.0 / 3), ('month', '2025-02', '500k+', 2, 200.0 / 3),
('month', '2025-03', '<200k', 5, 50.0), ('month', '2025-03', '500k+', 5, 49.98), -- 99.98
('year', '2024', '500k+', -10, 100.0), -- negative units
('quarter', '2025-Q1', '<200k', 5, 150.0), ('quarter', '2025-Q1', '500k+', 5, -50.0) -- sum 100
"""
        ),
        yoy("mart_band_period", -101.0, "period_type = 'year'"),  # below -100%
    ],
    "ingested_files": [
        SCHEMAS,
        INGESTED.format(
            rows=GOOD_INGESTED.rstrip()
            + """,
('sales', '2025-04-01', 'sales/2025-04-01/d.csv', 'loaded', 10, 8, 1) -- a line lost
"""
        ),
    ],
}

BAD_WAREHOUSES["mart_model_period"] = [
    SCHEMAS,
    MODEL_PERIOD.format(
        rows="""
('year', '2024', 'AITO', 'M9', 151000, 1),
('year', '2024', 'BMW', 'X5', 90000, 3), -- rank 2 skipped
('month', '2025-01', 'AITO', 'M9', -5, 1) -- negative units
"""
    ),
    yoy("mart_model_period", -100.5, "period_type = 'month'"),  # below -100%
]
BAD_WAREHOUSES["mart_sales_restatements"] = [
    SCHEMAS,
    RESTATEMENTS.format(
        rows="""
('2025-01', 'AITO', 'M9', 'Max', '2025-03-10', '2025-02-11', 5000, 5200, 200), -- back in time
('2025-01', 'BMW', 'X5', NULL, '2025-02-11', '2025-03-10', 3000, 3100, 50), -- wrong change
('2025-01', 'NIO', 'ET7', NULL, '2025-02-11', '2025-03-10', -1, 10, 11) -- negative before
"""
    ),
]

ALL_SUITES = {
    "stg_sales": "staging.stg_landing__sales",
    "stg_tariff_measures": "staging.stg_landing__tariff_measures",
    "mart_brand_band_period": "marts.mart_brand_band_period",
    "mart_group_sales": "marts.mart_group_sales",
    "mart_duty_stack": "marts.mart_duty_stack",
    "reconciliation": "marts.mart_brand_band_period",
    "tariff_measures": "intermediate.int_tariff_measures__current",
    "dim_model_price_history": "marts.dim_model_price_history",
    "mart_band_period": "marts.mart_band_period",
    "mart_model_period": "marts.mart_model_period",
    "mart_sales_restatements": "marts.mart_sales_restatements",
    "ingested_files": "audit.ingested_files",
}


def build(path: Path, statements: list[str]) -> Path:
    with duckdb.connect(str(path)) as connection:
        for statement in statements:
            connection.execute(statement)
    return path


@pytest.fixture(scope="module")
def good_warehouse(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("good") / "warehouse.duckdb", GOOD_WAREHOUSE)


@pytest.fixture(scope="module")
def good_results(good_warehouse) -> dict:
    return {name: expectations.run_suite(good_warehouse, name) for name in ALL_SUITES}


@pytest.fixture(scope="module")
def bad_results(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("bad")
    return {
        name: expectations.run_suite(build(folder / f"{name}.duckdb", statements), name)
        for name, statements in BAD_WAREHOUSES.items()
    }


def failures(result) -> dict:
    """{description: (unexpected_count, examples)} of the failed outcomes."""
    return {o.description: (o.unexpected_count, o.examples) for o in result.failures}


# --- suite files ---------------------------------------------------------------------------


def test_every_suite_ships_and_names_its_table():
    assert expectations.suite_names() == sorted(ALL_SUITES)
    assert {name: expectations.suite_table(name) for name in ALL_SUITES} == ALL_SUITES


@pytest.mark.parametrize("name", sorted(ALL_SUITES))
def test_every_suite_loads_into_gx(name):
    spec = suites.load_suite(name)
    gx_suite = runner.build_gx_suite(spec)
    assert [e.expectation_type for e in gx_suite.expectations] == [
        e["type"] for e in spec.expectations
    ]
    # Query-based checks have no kwargs a sentence could be made from.
    for declared in spec.expectations:
        if declared["type"] == runner.UNEXPECTED_ROWS:
            assert declared.get("description"), declared


def test_unknown_suite_is_refused():
    with pytest.raises(ValueError, match="unknown suite 'nope'"):
        expectations.suite_table("nope")


def write_suite(folder: Path, name: str, expectations_: list[dict], table="marts.mart_group_sales"):
    document = {"name": name, "meta": {"table": table}, "expectations": expectations_}
    (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")


def test_a_suite_with_an_unknown_severity_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(suites, "SUITES_DIR", tmp_path)
    not_null = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "units"}}
    write_suite(tmp_path, "odd", [{**not_null, "severity": "fatal"}])
    with pytest.raises(ValueError, match="severity must be one of"):
        suites.load_suite("odd")


def test_a_severity_kept_in_meta_is_refused(tmp_path, monkeypatch):
    # GX ignores meta: a severity left there would silently block as critical.
    monkeypatch.setattr(suites, "SUITES_DIR", tmp_path)
    not_null = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "units"}}
    write_suite(tmp_path, "old", [{**not_null, "meta": {"severity": "warning"}}])
    with pytest.raises(ValueError, match="GX's own `severity`"):
        suites.load_suite("old")


def test_an_invalid_expectation_raises_instead_of_being_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(suites, "SUITES_DIR", tmp_path)
    write_suite(tmp_path, "typo", [{"type": "expect_column_values_to_not_be_null", "kwargs": {}}])
    with pytest.raises(Exception, match="ExpectColumnValuesToNotBeNull"):
        runner.build_gx_suite(suites.load_suite("typo"))


# --- passing and failing runs --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_SUITES))
def test_clean_tables_pass(good_results, name):
    result = good_results[name]
    assert (result.suite, result.table) == (name, ALL_SUITES[name])
    assert result.passed and result.failures == [], failures(result)
    assert all(o.unexpected_count == 0 for o in result.outcomes)
    assert len(result.outcomes) == len(suites.load_suite(name).expectations)


def test_stg_sales_fails_for_the_right_reasons(bad_results):
    result = bad_results["stg_sales"]
    found = failures(result)
    assert not result.passed
    count, mismatched = found.pop(
        "msrp_cny lies within the bounds of its price_band in reference.price_bands "
        "(no price: the band without bounds)"
    )
    assert (count, sorted(row["line_number"] for row in mismatched)) == (4, [4, 7, 8, 9])
    assert found == {
        "units has an integer type": (1, [{"units_type": "DOUBLE"}]),
        "units between 0 and None": (1, [-3.0]),
        "msrp_cny between 10000 and 50000000": (1, [5]),
        "period is the first day of its month": (
            1,
            [
                {
                    "drop_date": "2025-03-01",
                    "source_file": "sales.csv",
                    "line_number": 6,
                    "period": "2025-02-15",
                }
            ],
        ),
    }


def test_stg_tariff_measures_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["stg_tariff_measures"])
    hs_code = found.pop(
        "hs_code is 4, 6, 8 or 10 digits, dotted in pairs after the heading, e.g. 8703.80"
    )
    assert hs_code[0] == 2
    assert sorted(str(row["hs_code"]) for row in hs_code[1]) == ["87038", "None"]
    assert found == {
        "rate_pct between 0 and 1000": (1, [1500.0]),
        "valid_from <= valid_to when valid_to is set": (1, [["2025-01-31", "2025-05-01"]]),
    }


def test_mart_brand_band_period_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["mart_brand_band_period"])
    dense = found.pop("rank is dense from 1 within each (period_type, period_label, price_band)")
    assert sorted(row["period_label"] for row in dense[1]) == ["2025-02", "2025-YTD-02"]
    assert dense[0] == 2
    assert sorted(found.pop("share_pct between 0 and 100")[1]) == [-20.0, 120.0]
    assert found == {
        "units between 0 and None": (1, [-5]),
        "shares within one (period_type, period_label, price_band) sum to 100 within 0.01": (
            1,
            [
                {
                    "period_type": "month",
                    "period_label": "2025-02",
                    "price_band": "500k+",
                    "share_sum": 90.0,
                }
            ],
        ),
        "rank between 1 and None": (1, [0]),
        "yoy_pct between -100 and None": (1, [-100.01]),
    }


def test_mart_group_sales_fails_for_the_right_reasons(bad_results):
    assert failures(bad_results["mart_group_sales"]) == {
        "units between 0 and None": (1, [-1]),
        "yoy_pct between -100 and None": (1, [-200.0]),
        "the groups of every period label add up to the market's units in "
        "intermediate.int_sales__by_period": (
            2,
            [
                {
                    "period_type": "quarter",
                    "period_label": "2025-Q1",
                    "group_units": None,
                    "market_units": 100,
                },
                {
                    "period_type": "year",
                    "period_label": "2024",
                    "group_units": 427005,
                    "market_units": 427000,
                },
            ],
        ),
    }


def test_mart_duty_stack_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["mart_duty_stack"])
    overlaps = "no two intervals of one lane (reporter, partner, hs_code, company) overlap"
    count, pairs = found.pop(overlaps)
    assert count == 2
    assert sorted((p["hs_code"], p["valid_from"], p["other_valid_from"]) for p in pairs) in (
        [("2208.20", "2024-10-11", "2024-10-11"), ("8703.80", "2024-10-30", "2025-01-01")],
        [("2208.20", "2024-10-11", "2024-10-11"), ("8703.80", "2025-01-01", "2024-10-30")],
    )
    gap = "the stacked total is within 0.1 percentage points of the observed (applied) rate"
    count, lanes = found.pop(gap)
    assert count == 1
    assert [
        (r["reporter"], r["partner"], r["valid_from"], r["observed_rate_pct"]) for r in lanes
    ] == [("CN", "US", "2025-05-14", 25.2)]
    assert found == {
        "total_rate_pct between 0 and 1000": (1, [1200.0]),
        "valid_from <= valid_to when valid_to is set": (1, [["2025-04-01", "2025-05-01"]]),
    }
    severities = {o.description: o.severity for o in bad_results["mart_duty_stack"].failures}
    assert severities[gap] == "warning"


def test_reconciliation_fails_for_every_month_that_disagrees(bad_results):
    (outcome,) = bad_results["reconciliation"].failures
    assert outcome.severity == "critical" and outcome.unexpected_count == 3
    assert sorted(outcome.examples, key=lambda row: row["month"]) == [
        {"month": "2025-01", "mart_units": 100, "restated_units": None},
        {"month": "2025-02", "mart_units": 100, "restated_units": 90},
        {"month": "2025-03", "mart_units": None, "restated_units": 50},
    ]


def test_tariff_measures_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["tariff_measures"])
    assert {o.severity for o in bad_results["tariff_measures"].failures} == {"critical"}
    count, pairs = found.pop(
        "no two measures of one kind overlap on a lane (reporter, partner, hs_digits) and company"
    )
    assert count == 3
    assert sorted(
        (p["hs_digits"], p["measure"], p["valid_from"], p["other_valid_from"]) for p in pairs
    ) == [
        ("220820", "AD", "2024-10-11", "2025-07-04"),  # touching on the inclusive end date
        ("220820", "AD", "2025-07-05", "2025-07-04"),
        ("870380", "CVD", "2024-10-30", "2025-01-01"),  # inside the open measure
    ]
    assert found == {
        "valid_from <= valid_to when valid_to is set (also where valid_to was derived from the "
        "next dated row)": (1, [["2025-02-01", "2025-03-01"]])
    }


def test_dim_model_price_history_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["dim_model_price_history"])
    current = found.pop("is_current exactly when valid_to is null")
    assert (current[0], [(r["powertrain"], r["is_current"]) for r in current[1]]) == (
        2,
        [("BEV", True), ("EREV", False)],
    )
    count, pairs = found.pop(
        "no two price intervals of one (brand, model, trim, powertrain) overlap"
    )
    assert count == 2
    assert sorted((p["trim"] or "", p["valid_from"], p["other_valid_from"]) for p in pairs) == [
        ("", "2024-01-01", "2024-06-01"),  # two open intervals
        ("Max", "2024-01-01", "2024-12-31"),  # both include 2024-12-31
    ]
    assert found == {
        "msrp_cny between 10000 and 50000000": (2, [9999, 50000001]),
        "valid_from <= valid_to when valid_to is set": (1, [["2024-04-30", "2024-05-01"]]),
    }


def test_mart_band_period_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["mart_band_period"])
    count, (row,) = found.pop(
        "shares of the bands in one (period_type, period_label) sum to 100 within 0.01"
    )
    assert count == 1
    assert (row["period_type"], row["period_label"], round(row["share_sum"], 2)) == (
        "month",
        "2025-03",
        99.98,
    )
    assert found == {
        "units between 0 and None": (1, [-10]),
        "share_of_market_pct between 0 and 100": (2, [150.0, -50.0]),
        "yoy_pct between -100 and None": (1, [-101.0]),
    }


def test_mart_model_period_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["mart_model_period"])
    (count, (gap,)) = found.pop("rank is dense from 1 within each (period_type, period_label)")
    assert (count, gap["period_label"], gap["max_rank"], gap["ranks"]) == (1, "2024", 3, 2)
    assert found == {
        "units between 0 and None": (1, [-5]),
        "yoy_pct between -100 and None": (1, [-100.5]),
    }


def test_mart_sales_restatements_fails_for_the_right_reasons(bad_results):
    found = failures(bad_results["mart_sales_restatements"])
    count, rows = found.pop(
        "a revision comes from a later or the same drop, and units_change = units - previous_units"
    )
    assert (count, sorted(row["brand"] for row in rows)) == (2, ["AITO", "BMW"])
    assert found == {"previous_units between 0 and None": (1, [-1])}


def test_ingested_files_fails_for_a_loaded_file_that_lost_a_line(bad_results):
    (outcome,) = bad_results["ingested_files"].failures
    assert (outcome.severity, outcome.unexpected_count) == ("critical", 1)
    assert outcome.examples[0]["source_file"] == "sales/2025-04-01/d.csv"


def test_outcomes_are_json(bad_results):
    for result in bad_results.values():
        json.dumps(dataclasses.asdict(result))


# --- how GX is run -------------------------------------------------------------------------


def test_the_file_is_read_only_and_released_on_return(good_warehouse):
    before = hashlib.sha256(good_warehouse.read_bytes()).hexdigest()
    assert expectations.run_suite(good_warehouse, "mart_group_sales").passed
    assert hashlib.sha256(good_warehouse.read_bytes()).hexdigest() == before
    with duckdb.connect(str(good_warehouse)) as writer:  # fails while any GX connection lives
        writer.execute("CREATE TABLE marts.written_after AS SELECT 1 AS x")
        writer.execute("DROP TABLE marts.written_after")


def test_a_missing_table_fails_every_expectation_and_still_releases_the_file(tmp_path):
    empty = build(tmp_path / "empty.duckdb", [SCHEMAS])
    result = expectations.run_suite(empty, "mart_group_sales")
    declared = len(suites.load_suite("mart_group_sales").expectations)
    assert not result.passed and len(result.failures) == len(result.outcomes) == declared
    for outcome in result.outcomes:
        assert outcome.unexpected_count is None
        assert "mart_group_sales" in outcome.examples[0]["error"]
    build(empty, ["CREATE TABLE marts.written_after AS SELECT 1 AS x"])


def test_no_network_is_touched(good_warehouse, monkeypatch):
    def refuse(*args):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert expectations.run_suite(good_warehouse, "stg_tariff_measures").passed


def test_warning_severity_reports_without_blocking(good_warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(suites, "SUITES_DIR", tmp_path)
    write_suite(
        tmp_path,
        "soft",
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "units", "min_value": 1},
                "severity": "warning",
            },
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "group_name"}},
        ],
    )
    result = expectations.run_suite(good_warehouse, "soft")
    (warning,) = result.failures
    assert result.passed
    assert (warning.severity, warning.column, warning.unexpected_count) == ("warning", "units", 1)
    assert result.outcomes[1].severity == "critical"


def test_outcomes_follow_file_order_when_a_check_cannot_run(good_warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(suites, "SUITES_DIR", tmp_path)
    broken = {
        "type": "unexpected_rows_expectation",
        "description": "reads a missing table",
        "kwargs": {"unexpected_rows_query": "SELECT * FROM marts.nowhere"},
    }
    not_null = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "group_name"}}
    write_suite(tmp_path, "broken", [not_null, broken, not_null])
    result = expectations.run_suite(good_warehouse, "broken")
    assert [o.description for o in result.outcomes] == [
        "group_name not null",
        "reads a missing table",
        "group_name not null",
    ]
    (failed,) = result.failures
    assert failed.unexpected_count is None and "nowhere" in failed.examples[0]["error"]


# --- the persisted-connection patch --------------------------------------------------------


def test_the_patch_is_applied_once():
    gx_duckdb.persist_duckdb_connections()
    gx_duckdb.persist_duckdb_connections()
    dialects = gx_duckdb._gx_sql._PERSISTED_CONNECTION_DIALECTS
    assert [d for d in dialects if d == "duckdb"] == [gx_duckdb.DUCKDB]


def test_with_the_patch_metrics_are_exact(bad_results):
    units = bad_results["mart_group_sales"].outcomes[0]
    assert (units.success, units.unexpected_count, units.element_count) == (False, 1, 4)


def test_without_the_patch_every_metric_breaks(good_warehouse, monkeypatch):
    """GX issue 11579. If this starts passing through, GX fixed it: drop gx_duckdb."""
    unpatched = tuple(
        d for d in gx_duckdb._gx_sql._PERSISTED_CONNECTION_DIALECTS if d is not gx_duckdb.DUCKDB
    )
    monkeypatch.setattr(gx_duckdb._gx_sql, "_PERSISTED_CONNECTION_DIALECTS", unpatched)
    result = expectations.run_suite(good_warehouse, "mart_group_sales")
    assert not any(o.success for o in result.outcomes)
    # The emptied result, as a metric reads it and as an unexpected-rows query reads it.
    emptied = (
        {"error": "list index out of range"},
        {"error": "'NoneType' object is not subscriptable"},
    )
    assert all(o.examples[0] in emptied for o in result.outcomes)


# --- data docs -----------------------------------------------------------------------------


def test_data_docs_hold_a_validation_of_every_suite(good_warehouse, tmp_path, monkeypatch):
    from expectations import docs

    def refuse(*args):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    before = hashlib.sha256(good_warehouse.read_bytes()).hexdigest()
    index = docs.build_data_docs(good_warehouse, tmp_path / "site")
    assert index == tmp_path / "site" / "index.html"
    html = index.read_text(encoding="utf-8")
    for name in ALL_SUITES:
        assert name in html
        (page,) = (tmp_path / "site" / "validations" / name).rglob("*.html")
        assert "Expectation" in page.read_text(encoding="utf-8")
    assert hashlib.sha256(good_warehouse.read_bytes()).hexdigest() == before
    build(
        good_warehouse,
        ["CREATE TABLE marts.written_after AS SELECT 1 AS x; DROP TABLE marts.written_after"],
    )


def test_data_docs_read_offline(good_warehouse, tmp_path):
    """Opened with no network, the index still renders its tables: every script and style
    sheet a page loads is a file of the site."""
    from expectations import docs

    index = docs.build_data_docs(good_warehouse, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assets = r"<script\b[^>]*?src=\"([^\"]+)\"|<link rel=\"stylesheet\"[^>]*?href=\"([^\"]+)\""
        for url in (script or sheet for script, sheet in re.findall(assets, html)):
            assert not url.startswith(("http:", "https:", "//")), f"{page} loads {url}"
            assert (page.parent / url).resolve().is_file(), f"{page} loads missing {url}"
    dom = dump_dom(find_chromium(), index.as_uri(), tmp_path / "profile")
    # bootstrap-table wraps each table it rendered; without its script the index is blank.
    assert 'class="bootstrap-table' in dom
    assert all(name in dom for name in ALL_SUITES)


def test_data_docs_command_line(good_warehouse, tmp_path, capsys):
    from expectations import docs

    assert docs.main(["--database", str(good_warehouse), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "out" / "index.html")
    with pytest.raises(SystemExit):
        docs.main(["--database", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path)])


def test_a_partitioned_suite_reads_only_the_drops_asked_for(tmp_path):
    """stg_sales names drop_date as its partition column: given a range of drops, it reads only
    their rows (a daily run validates what it loaded); given none, every row."""
    rows = (
        "('2025-03-01', 1, '2025-02-01', 'AITO', 'M9', 509800, 17190, '500k+'), "
        "('2025-04-01', 1, '2025-03-01', 'AITO', 'M9', 509800, -3, '500k+')"  # negative units
    )
    warehouse = build(
        tmp_path / "w.duckdb", [SCHEMAS, REFERENCE, SALES.format(units_type="BIGINT", rows=rows)]
    )
    march, april = date(2025, 3, 1), date(2025, 4, 1)

    march_only = expectations.run_suite(warehouse, "stg_sales", partitions=(march, march))
    assert march_only.passed and march_only.partitions == (march, march)
    for partitions in [(april, april), (march, april), None]:
        result = expectations.run_suite(warehouse, "stg_sales", partitions=partitions)
        assert [o.column for o in result.failures] == ["units"], partitions
        assert result.partitions == partitions
    # A suite without a partition column reads its whole table whatever the run covers.
    assert (
        expectations.run_suite(warehouse, "reconciliation", partitions=(march, march)).partitions
        is None
    )


STAMPED_MODEL_PERIOD = """
CREATE TABLE marts.mart_model_period AS
SELECT period_type, period_label, brand, model, units::BIGINT AS units, NULL::DOUBLE AS yoy_pct,
       rank::BIGINT AS rank, built_at::TIMESTAMP AS built_at
FROM (VALUES {rows}) AS v(period_type, period_label, brand, model, units, rank, built_at)
"""
PUBLISHED_AT, BUILT_SINCE = datetime(2025, 2, 11, 8, 0, 0, 123456), datetime(2025, 3, 11, 8)


def test_a_stamped_suite_reads_only_the_rows_built_after_the_published_copy(tmp_path):
    """mart_model_period names built_at as its stamp column: beside the published copy it
    reads only the rows built after the copy's newest (the others are in the copy, which
    passed); with no copy, or a copy without the table, every row."""
    published_rows = f"('month', '2025-01', 'AITO', 'M9', -5, 1, TIMESTAMP '{PUBLISHED_AT}')"
    published = build(
        tmp_path / "published.duckdb",
        [SCHEMAS, STAMPED_MODEL_PERIOD.format(rows=published_rows)],
    )
    # The warehouse holds the published rows and a label built since, with a bad count.
    warehouse = build(
        tmp_path / "w.duckdb",
        [
            SCHEMAS,
            STAMPED_MODEL_PERIOD.format(
                rows=published_rows
                + f", ('month', '2025-02', 'AITO', 'M9', -1, 1, TIMESTAMP '{BUILT_SINCE}')"
            ),
        ],
    )

    scoped = expectations.run_suite(warehouse, "mart_model_period", published=published)
    assert scoped.built_after == PUBLISHED_AT
    assert failures(scoped) == {"units between 0 and None": (1, [-1])}
    with duckdb.connect(warehouse) as connection:
        connection.execute("DELETE FROM marts.mart_model_period WHERE units = -1")
    assert expectations.run_suite(warehouse, "mart_model_period", published=published).passed

    # Without a copy to trust, the published-era row is read, and fails, again.
    no_table = build(tmp_path / "empty.duckdb", [SCHEMAS])
    for copy in (tmp_path / "missing.duckdb", no_table, None):
        whole = expectations.run_suite(warehouse, "mart_model_period", published=copy)
        assert whole.built_after is None
        assert failures(whole) == {"units between 0 and None": (1, [-5])}, copy
