"""What a suite run reports: one outcome per expectation, and the suite's verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# GX's own expectation severities (FailureSeverity); only a critical failure blocks.
CRITICAL = "critical"
WARNING = "warning"
INFO = "info"
SEVERITIES = (CRITICAL, WARNING, INFO)


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation checked against one table.

    `unexpected_count` counts the offending values (column expectations) or the rows the
    query returned (`unexpected_rows_expectation`); both counts are None when the check
    could not run, and then `examples` holds a single `{"error": message}`.
    """

    expectation: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int | None
    element_count: int | None
    examples: list
    description: str


@dataclass(frozen=True)
class SuiteResult:
    """Every outcome of one suite on its table, in the order of the suite file, the
    partitions (first, last) it read and the build stamp after which it read rows (each None
    when it did not narrow the table so)."""

    suite: str
    table: str
    outcomes: list[ExpectationOutcome]
    seconds: float
    partitions: tuple[date, date] | None = None
    built_after: datetime | None = None

    @property
    def passed(self) -> bool:
        """True unless a critical expectation failed; warnings and infos never block."""
        return not any(o.severity == CRITICAL and not o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        """The outcomes that failed, warnings included."""
        return [o for o in self.outcomes if not o.success]
