"""Data contracts on figures: Great Expectations suites run as SQL inside DuckDB.

Suites are JSON files in `expectations/suites/`; `run_suite(database, suite)` validates
one suite's table in a DuckDB file, read-only, and returns a `SuiteResult`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from expectations.results import ExpectationOutcome, SuiteResult
from expectations.suites import suite_names, suite_table

__all__ = [
    "ExpectationOutcome",
    "SuiteResult",
    "import_gx",
    "run_suite",
    "suite_names",
    "suite_table",
]


def import_gx() -> None:
    """Import GX now (3 to 4 s of one core), for a caller with a better moment than the first
    ``run_suite``: e.g. while a child process starts on the other core."""
    import expectations.runner  # noqa: F401


def run_suite(
    database: str | Path,
    suite: str,
    duckdb_config: Mapping[str, str] | None = None,
    partitions: tuple[date, date] | None = None,
    published: str | Path | None = None,
) -> SuiteResult:
    """Validate the suite's table in the DuckDB file `database` (opened read-only, with
    `duckdb_config`, e.g. ``{"memory_limit": "1GB"}``). With `partitions` (first, last), a
    suite that names a `meta.partition_column` reads only the rows in that range: a daily run
    validates the drops it loaded, not the whole history again. With `published` (the DuckDB
    file BI reads), a suite that names a `meta.stamp_column` reads only the rows built after
    the newest stamp of its table there: the rows that copy does not hold yet.

    The engine is disposed before this returns, so the caller may open the file for
    writing right after. Raises ValueError for an unknown or malformed suite, and GX's
    TestConnectionError if the file cannot be opened. A missing table, or a query that
    cannot run, fails each expectation it affects with an `{"error": message}` example.
    """
    # Importing GX takes seconds: pay for it on the first run (or `import_gx`), not on
    # `import expectations` (listing suites, e.g. when Dagster loads its definitions, needs
    # no GX).
    from expectations.runner import run_suite as run

    return run(database, suite, duckdb_config, partitions, published)
