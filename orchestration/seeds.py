"""The dbt seeds (``dbt_project/seeds/``) that Python reads as well as dbt: one file per fact."""

from pathlib import Path

import polars as pl

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


def read_seed(name: str) -> pl.DataFrame:
    """The seed ``<name>.csv``, every column as text, rows in file order."""
    return pl.scan_csv(SEEDS_DIR / f"{name}.csv", infer_schema=False).collect()
