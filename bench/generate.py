"""Deterministic scale generator: monthly sales drops in the landing layout.

    python bench/generate.py --rows 1000000 --months 60 --landing /tmp/bench/landing

Writes ``<landing>/sales/<YYYY-MM-10>/thinkercar_<YYYY-MM>.csv``: one drop per month of
history, each the month before its drop date, with the contract's columns
``period,brand,group,model,trim,powertrain,msrp_cny,units,origin,source``. Every drop lists
the same catalogue of trims (rows / months of them), so a month's key (brand, model, trim) is
unique; about a third of the trims get a 5% price cut at some month, which gives the price
history real intervals. Prices lie within 28,900-7,000,000 yuan, units within 0-5000; one row
in 20,000 carries negative units, which the ingest quarantines.

A month's rows depend only on the seed, the catalogue size and the month itself, so a landing
with the last 12 months and one with 60 months share identical files for the months they have
in common.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

SEED = 20250609
# Each brand with its current owner (the row of brand_groups.csv still open).
BRAND_OWNERS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "brand_groups.csv"
POWERTRAINS = ["BEV", "EREV", "PHEV", "HEV", "ICE"]
ORIGINS = ["CN", "DE", "US", "JP", "GB", "IT", "SE"]
MIN_PRICE, MAX_PRICE = 28_900, 7_000_000
MAX_UNITS = 5000
BROKEN_ROW_EVERY = 20_000
EPOCH = date(2020, 1, 1)
LAST_HISTORY_MONTH = date(2025, 12, 1)


def month_offset(month: date) -> int:
    """Months since ``EPOCH``: the index that seeds a month's rows."""
    return (month.year - EPOCH.year) * 12 + month.month - EPOCH.month


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def history_months(months: int, last: date = LAST_HISTORY_MONTH) -> list[date]:
    """The ``months`` consecutive months ending with ``last``, oldest first."""
    return [add_months(last, k - months + 1) for k in range(months)]


def drop_date(month: date) -> date:
    """A month's figures land on the 10th of the following month."""
    return add_months(month, 1).replace(day=10)


def catalogue(trims: int) -> pl.DataFrame:
    """The trims every drop reports: brand, group, model, trim, powertrain, price, cut month."""
    rng = np.random.default_rng(SEED)
    brands = pl.read_csv(BRAND_OWNERS).filter(pl.col("valid_to").is_null())
    brand_index = rng.integers(0, brands.height, trims)
    base_price = np.exp(rng.uniform(np.log(MIN_PRICE), np.log(MAX_PRICE), trims))
    return pl.DataFrame(
        {
            "brand": brands["brand"].gather(brand_index),
            "group": brands["group_name"].gather(brand_index),
            "model": [f"M{n}" for n in rng.integers(1, 400, trims)],
            "trim": [f"Trim {n}" for n in range(trims)],
            "powertrain": rng.choice(POWERTRAINS, trims),
            "base_price": (np.round(base_price / 100) * 100).astype(np.int64),
            "cut_month": rng.integers(0, 3 * 72, trims),
            "origin": rng.choice(ORIGINS, trims),
        }
    )


def month_rows(trims: pl.DataFrame, month: date) -> pl.DataFrame:
    """One month's rows for every trim of the catalogue, in the contract's column order."""
    offset = month_offset(month)
    rng = np.random.default_rng([SEED, offset])
    units = rng.integers(0, MAX_UNITS + 1, trims.height)
    units[rng.random(trims.height) < 1 / BROKEN_ROW_EVERY] = -5
    cut = pl.col("cut_month") <= offset
    price = pl.when(cut).then((pl.col("base_price") * 0.95 / 100).round() * 100)
    return trims.select(
        pl.lit(month.strftime("%Y-%m")).alias("period"),
        "brand",
        "group",
        "model",
        "trim",
        "powertrain",
        pl.max_horizontal(price.otherwise(pl.col("base_price")), pl.lit(MIN_PRICE))
        .cast(pl.Int64)
        .alias("msrp_cny"),
        pl.Series("units", units),
        "origin",
        pl.lit("ThinkerCar").alias("source"),
    )


def write_drop(landing: Path, trims: pl.DataFrame, month: date) -> Path:
    """Write one month's drop file; return its path."""
    folder = landing / "sales" / drop_date(month).isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"thinkercar_{month:%Y-%m}.csv"
    month_rows(trims, month).write_csv(path)
    return path


def generate(landing: Path, rows_per_drop: int, months: list[date]) -> list[Path]:
    """Write one drop per month in ``months``, each with ``rows_per_drop`` rows."""
    trims = catalogue(rows_per_drop)
    return [write_drop(landing, trims, month) for month in months]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="rows over all drops")
    parser.add_argument("--months", type=int, default=60, help="months of history (drops)")
    parser.add_argument("--landing", type=Path, required=True)
    args = parser.parse_args(argv)
    paths = generate(args.landing, args.rows // args.months, history_months(args.months))
    print(f"{len(paths)} drops, {args.rows // args.months} rows each, under {args.landing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
