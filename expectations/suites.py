"""Suite files: `suites/<name>.json`, each GX's own ExpectationSuite JSON plus `meta.table`.

A file holds `name` (its file name), `meta.table` ("schema.table", the table it validates),
optionally `meta.partition_column` (a date column by which a run may validate only the
partitions it loaded, e.g. `drop_date`) or `meta.stamp_column` (a build stamp, by which a run
may validate only the rows built after those of the published copy), and `expectations`,
each a GX expectation configuration (`type`, `kwargs`, optional `description`, `notes` and
GX's own `severity`: "critical", the default, blocks; "warning" and "info" report).
Reading them needs no GX import, so listing suites stays cheap.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from expectations.results import CRITICAL, SEVERITIES

SUITES_DIR = Path(__file__).with_name("suites")

# The table is pasted into SQL (`SELECT * FROM <table>`): allow plain identifiers only.
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TABLE = re.compile(rf"{_COLUMN.pattern}\.{_COLUMN.pattern}")


@dataclass(frozen=True)
class SuiteSpec:
    """A parsed suite file: the suite, its table and its expectation configurations."""

    name: str
    table: str
    expectations: list[dict]
    partition_column: str | None = None
    stamp_column: str | None = None

    def severity(self, index: int) -> str:
        """The severity of the expectation at `index` in the file."""
        return self.expectations[index].get("severity", CRITICAL)


def suite_names() -> list[str]:
    """The names of the shipped suites, sorted."""
    return sorted(path.stem for path in SUITES_DIR.glob("*.json"))


def suite_table(suite: str) -> str:
    """The "schema.table" the suite validates."""
    return load_suite(suite).table


def load_suite(suite: str) -> SuiteSpec:
    """Read and check one suite file; raise ValueError if it breaks the format above."""
    if suite not in suite_names():
        raise ValueError(f"unknown suite {suite!r}; known suites: {', '.join(suite_names())}")
    document = json.loads((SUITES_DIR / f"{suite}.json").read_text(encoding="utf-8"))
    spec = SuiteSpec(
        name=document.get("name"),
        table=document.get("meta", {}).get("table", ""),
        expectations=document.get("expectations", []),
        partition_column=document.get("meta", {}).get("partition_column"),
        stamp_column=document.get("meta", {}).get("stamp_column"),
    )
    _check(suite, spec)
    return spec


def _check(suite: str, spec: SuiteSpec) -> None:
    if spec.name != suite:
        raise ValueError(f"suite file {suite}.json names itself {spec.name!r}")
    if not _TABLE.fullmatch(spec.table):
        raise ValueError(f"suite {suite}: meta.table must be 'schema.table', got {spec.table!r}")
    for field in ("partition_column", "stamp_column"):
        if (column := getattr(spec, field)) is not None and not _COLUMN.fullmatch(column):
            raise ValueError(f"suite {suite}: meta.{field} {column!r}")
    if not spec.expectations:
        raise ValueError(f"suite {suite} has no expectations")
    for index, declared in enumerate(spec.expectations):
        if "severity" in declared.get("meta", {}):
            raise ValueError(
                f"suite {suite}, expectation {index}: severity goes in GX's own `severity` "
                "field, not in meta"
            )
        if spec.severity(index) not in SEVERITIES:
            raise ValueError(
                f"suite {suite}, expectation {index}: severity must be one of {SEVERITIES}, "
                f"got {spec.severity(index)!r}"
            )
