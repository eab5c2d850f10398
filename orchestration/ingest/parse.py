"""Split a text frame into typed rows and quarantined rows, each with its provenance.

A row is loaded when every field parses, every required field has a value and the feed's
rules across fields hold; otherwise it is quarantined, once, naming the first failing field
(in the feed's field order), its text and the reason. So rows in = rows loaded + rows
quarantined, by construction.

A reader may turn one input line into several rows sharing its line number (a USITC tariff
line holds MFN, preferential and column 2 rates): then the line is the unit, loaded whole or
quarantined once, and lines in = lines loaded + lines quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from functools import reduce

import polars as pl

from orchestration.ingest.feeds import Feed
from orchestration.ingest.internal import (
    BLANK_LINE,
    LONG_FIELD,
    ORIGIN_PREFIX,
    OVERFLOW,
    ROW_INDEX,
)
from orchestration.ingest.read import LINE, TextFrame, long_field
from orchestration.ingest.repair import BROKEN_FIELD, BROKEN_REASON, BROKEN_TEXT
from orchestration.ingest.values import Parsed

PROVENANCE = {"drop_date": pl.Date, "source_file": pl.String, LINE: pl.Int64}
QUARANTINE_SCHEMA = {
    "feed": pl.String,
    "source_file": pl.String,
    "line_number": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "drop_date": pl.Date,
}
EXTRA = "extra"
UNTIL_NEXT = "valid_until_next"
MISSING = "required value is missing"
TOO_MANY_FIELDS = "line has more fields than the header"


def loaded_schema(feed: Feed) -> dict[str, pl.DataType]:
    """Columns of ``raw.<feed>``: provenance, the fields read from columns, unknown columns as
    JSON, then the fields read from another field's column and the sidecar's flag."""
    read = {f.name: f.dtype for f in feed.read_fields}
    derived = {name: dtype for name, dtype in feed.schema.items() if name not in read}
    flags = {UNTIL_NEXT: pl.Boolean} if feed.until_next else {}
    return PROVENANCE | read | {EXTRA: pl.String} | derived | flags


def _when_chain(cases: list[tuple[pl.Expr, pl.Expr]], dtype: pl.DataType) -> pl.Expr:
    """First case whose condition holds; the conditions are tried in order."""
    return reduce(
        lambda chain, case: pl.when(case[0]).then(case[1]).otherwise(chain),
        reversed(cases),
        pl.lit(None, dtype=dtype),
    )


def _error(parsed: Parsed, value: pl.Expr, required: bool) -> pl.Expr:
    """The field's parse error, or, for a required field, that its ``value`` is missing (or
    its text blank, where the parser says what blank is)."""
    if not required:
        return parsed.error
    missing = value.is_null() if parsed.blank is None else parsed.blank
    return pl.coalesce(parsed.error, pl.when(missing).then(pl.lit(MISSING)))


def _column_or_null(name: str, present: set[str]) -> pl.Expr:
    """An internal column of the reader, empty text read as null; null where it is absent."""
    if name not in present:
        return pl.lit(None, dtype=pl.String)
    return pl.when(pl.col(name).str.len_chars() > 0).then(pl.col(name))


def _value(name: str) -> str:
    return f"__value_{name}"


def _error_column(name: str) -> str:
    return f"__error_{name}"


def _field_name(name: str, present: set[str]) -> pl.Expr:
    """The name a quarantine row gives a failing field: the file's column it came from."""
    origin = ORIGIN_PREFIX + name
    return pl.coalesce(pl.col(origin), pl.lit(name)) if origin in present else pl.lit(name)


# Where each row of a file goes: one sink writes every row into the file of its outcome
# (``ingest._load``). Two sinks over one plan cost 8% more time and a third more memory:
# Polars buffers the plan's batches for the slower one (docs/benchmarks.md).
OUTCOME = "__autotrade_outcome"


class Outcome(IntEnum):
    """Where a row goes: raw, the quarantine, or nowhere (a blank line is no record)."""

    LOADED = 0
    QUARANTINED = 1
    BLANK = 2


def carriers(feed: Feed) -> tuple[str, str, str]:
    """The loaded text columns that carry a quarantined row's reason, field and value out of
    the pass: the rows of one pass share one set of columns, and a quarantined row has no
    use for the loaded ones. ``Split.quarantine`` reads them back."""
    return tuple(f.name for f in feed.read_fields if f.dtype == pl.String)[:3]


@dataclass(frozen=True)
class Split:
    """One file's rows in the loaded columns, each with its ``OUTCOME``: loaded, quarantined
    (the ``carriers`` holding why) or a blank line (no record)."""

    rows: pl.LazyFrame
    feed: Feed
    source_file: str
    drop_date: date
    rows_per_line: bool

    def quarantine(self, quarantined: pl.LazyFrame) -> pl.LazyFrame:
        """The quarantine rows of the rows whose outcome is ``Outcome.QUARANTINED``: one per
        line, naming the line's first failing row where a line holds several."""
        reason, field, value = carriers(self.feed)
        rows = quarantined.filter(pl.col(reason).is_not_null())
        if self.rows_per_line:
            rows = rows.unique(subset=LINE, keep="first", maintain_order=True)
        return rows.select(
            pl.lit(self.feed.name).alias("feed"),
            pl.lit(self.source_file).alias("source_file"),
            pl.col(LINE),
            pl.col(field).alias("field"),
            pl.col(value).alias("value"),
            pl.col(reason).alias("reason"),
            pl.lit(self.drop_date).alias("drop_date"),
        )


def split(feed: Feed, text: TextFrame, source_file: str, drop_date: date) -> Split:
    """Every row of one file's text frame, parsed, with its outcome."""
    frame = text.frame
    present = set(frame.collect_schema().names())
    missing_optional = [f.name for f in feed.read_fields if f.name not in present]
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in missing_optional
    )

    parsed = {field.name: field.parse(field.source or field.name) for field in feed.fields}
    for level in range(max((len(p.stages) for p in parsed.values()), default=0)):
        frame = frame.with_columns(
            **{
                name: expr
                for p in parsed.values()
                if level < len(p.stages)
                for name, expr in p.stages[level].items()
            }
        )
    # Values, then errors, are computed once, as columns, then only referenced: the parsers'
    # expressions are the costly part, a value is needed by its error and the rules, and
    # each error three times below. (Polars does not find these repeats itself.)
    frame = frame.with_columns(p.value.alias(_value(name)) for name, p in parsed.items())
    values = {name: pl.col(_value(name)) for name in parsed}
    errors = {f.name: _error(parsed[f.name], values[f.name], f.required) for f in feed.fields}
    for rule in feed.rules:
        broken = pl.when(rule.broken(values)).then(pl.lit(rule.reason))
        errors[rule.field] = pl.coalesce(errors[rule.field], broken)
    frame = frame.with_columns(error.alias(_error_column(name)) for name, error in errors.items())
    # A line is quarantined as a whole (field null, or the field a reader names) when the
    # line-by-line path could not read it as CSV (it has no fields then), when a field is
    # too long, or when it has more fields than the header; the value is then the line's
    # text, the long field's start or the surplus.
    overflow = _column_or_null(OVERFLOW, present)
    broken = _column_or_null(BROKEN_REASON, present)
    long_reason, long_name, long_text = long_field(text.lengths_checked)
    line_error = pl.coalesce(
        broken, long_reason, pl.when(overflow.is_not_null()).then(pl.lit(TOO_MANY_FIELDS))
    )
    line_field = pl.coalesce(_column_or_null(BROKEN_FIELD, present), long_name)
    line_value = pl.coalesce(_column_or_null(BROKEN_TEXT, present), long_text, overflow)
    failed = pl.any_horizontal(
        broken.is_not_null(),
        pl.col(LONG_FIELD),
        overflow.is_not_null(),
        *(pl.col(_error_column(name)).is_not_null() for name in errors),
    )
    line_ok = ~pl.col("__failed")
    if text.rows_per_line:
        # A line loads only whole: one unreadable row of it quarantines the line.
        line_ok = line_ok.all().over(ROW_INDEX)
    checked = frame.with_columns(failed.alias("__failed")).with_columns(
        line_ok.alias("__line_ok"), line_error.alias("__line_error")
    )
    outcome = (
        pl.when(pl.col(BLANK_LINE))
        .then(pl.lit(Outcome.BLANK, dtype=pl.Int8))
        .when(pl.col("__line_ok"))
        .then(pl.lit(Outcome.LOADED, dtype=pl.Int8))
        .otherwise(pl.lit(Outcome.QUARANTINED, dtype=pl.Int8))
    )
    # Why a row failed, and which field: null where it did not. Worked out on every row, it
    # costs next to nothing in a batch without a failing row, and 0.1 s per 5M rows where
    # most batches hold one (docs/benchmarks.md); ``long_field`` reads flagged rows only.
    columns = {f.name: f.source or f.name for f in feed.fields}
    failing = [(pl.col(_error_column(name)).is_not_null(), name) for name in errors]
    line_failed = pl.col("__line_error").is_not_null()
    why = {
        "reason": pl.coalesce(
            [pl.col("__line_error"), *(pl.col(_error_column(name)) for name in errors)]
        ),
        "field": pl.when(line_failed)
        .then(line_field)
        .otherwise(
            _when_chain([(cond, _field_name(name, present)) for cond, name in failing], pl.String)
        ),
        "value": pl.when(line_failed)
        .then(line_value)
        .otherwise(
            _when_chain([(cond, pl.col(columns[name])) for cond, name in failing], pl.String)
        ),
    }
    carried = dict(zip(carriers(feed), why.values(), strict=True))

    def column(name: str, dtype: pl.DataType) -> pl.Expr:
        loaded = pl.col(_value(name)).cast(dtype)
        if name in carried:
            loaded = pl.when(pl.col("__line_ok")).then(loaded).otherwise(carried[name])
        return loaded.alias(name)

    extra = (
        pl.struct(text.extra_columns).struct.json_encode()
        if text.extra_columns
        else pl.lit(None, dtype=pl.String)
    )
    # The file's name on every loaded row as a Categorical: Parquet stores either as a
    # dictionary of text (DuckDB and Spark read VARCHAR), but a String column is hashed
    # value by value to build it (0.2 s of CPU per 5M rows, docs/benchmarks.md).
    loaded_from = pl.lit(source_file, dtype=pl.Categorical).alias("source_file")
    flags = [pl.lit(text.until_next).alias(UNTIL_NEXT)] if feed.until_next else []
    read = {f.name for f in feed.read_fields}
    rows = checked.select(
        outcome.alias(OUTCOME),
        pl.lit(drop_date, dtype=pl.Date).alias("drop_date"),
        loaded_from,
        pl.col(ROW_INDEX).alias(LINE),
        *(column(f.name, f.dtype) for f in feed.read_fields),
        extra.alias(EXTRA),
        *(column(name, dtype) for name, dtype in feed.schema.items() if name not in read),
        *flags,
    )
    return Split(rows, feed, source_file, drop_date, text.rows_per_line)
