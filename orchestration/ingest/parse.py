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
from functools import reduce

import polars as pl

from orchestration.ingest.feeds import Feed
from orchestration.ingest.internal import LONG_FIELD, ORIGIN_PREFIX, OVERFLOW, ROW_INDEX
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


@dataclass(frozen=True)
class Split:
    """One file's loaded rows, its quarantined rows and the count of its input lines: three
    queries over one plan, which ``pl.collect_all`` runs in one pass over the file."""

    loaded: pl.LazyFrame
    quarantined: pl.LazyFrame
    lines_in: pl.LazyFrame


def split(feed: Feed, text: TextFrame, source_file: str, drop_date: date) -> Split:
    """The loaded rows, quarantined rows and lines in of one file's text frame."""
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
    # Which rows fail is one flag per row; why, and which field, is worked out for the
    # failing rows only: the chains over every field cost as much as a parser, and nearly
    # every row is loaded.
    failed = pl.any_horizontal(
        broken.is_not_null(),
        pl.col(LONG_FIELD),
        overflow.is_not_null(),
        *(pl.col(_error_column(name)).is_not_null() for name in errors),
    )
    checked = frame.with_columns(failed.alias("__failed"))
    line_ok = ~pl.col("__failed")
    if text.rows_per_line:
        # A line loads only whole: one unreadable row of it quarantines the line.
        line_ok = line_ok.all().over(ROW_INDEX)
    extra = (
        pl.struct(text.extra_columns).struct.json_encode()
        if text.extra_columns
        else pl.lit(None, dtype=pl.String)
    )
    dropped_on = pl.lit(drop_date, dtype=pl.Date).alias("drop_date")
    # The file's name on every loaded row as a Categorical: Parquet stores either as a
    # dictionary of text (DuckDB and Spark read VARCHAR), but a String column is hashed
    # value by value to build it (0.2 s of CPU per 5M rows, docs/benchmarks.md).
    loaded_from = pl.lit(source_file, dtype=pl.Categorical).alias("source_file")
    flags = [pl.lit(text.until_next).alias(UNTIL_NEXT)] if feed.until_next else []
    loaded = checked.filter(line_ok).select(
        dropped_on,
        loaded_from,
        pl.col(ROW_INDEX).alias(LINE),
        *(pl.col(_value(f.name)).cast(f.dtype).alias(f.name) for f in feed.read_fields),
        extra.alias(EXTRA),
        *(
            pl.col(_value(name)).cast(dtype).alias(name)
            for name, dtype in feed.schema.items()
            if name not in {f.name for f in feed.read_fields}
        ),
        *flags,
    )
    rejected = checked.filter(pl.col("__failed"))
    if text.rows_per_line:
        rejected = rejected.unique(subset=ROW_INDEX, keep="first", maintain_order=True)
    columns = {f.name: f.source or f.name for f in feed.fields}
    failing = [(pl.col(_error_column(name)).is_not_null(), name) for name in errors]
    rejected = rejected.with_columns(line_error.alias("__line_error"))
    line_failed = pl.col("__line_error").is_not_null()
    quarantined = rejected.select(
        pl.lit(feed.name).alias("feed"),
        pl.lit(source_file, dtype=pl.String).alias("source_file"),
        pl.col(ROW_INDEX).alias(LINE),
        pl.when(line_failed)
        .then(line_field)
        .otherwise(
            _when_chain([(cond, _field_name(name, present)) for cond, name in failing], pl.String)
        )
        .alias("field"),
        pl.when(line_failed)
        .then(line_value)
        .otherwise(
            _when_chain([(cond, pl.col(columns[name])) for cond, name in failing], pl.String)
        )
        .alias("value"),
        pl.coalesce(
            [pl.col("__line_error"), *(pl.col(_error_column(name)) for name in errors)]
        ).alias("reason"),
        dropped_on,
    )
    # Counted on the checked rows, not on ``frame``: the count then shares the plan (and the
    # file's one scan) with the two outputs; counted on ``frame`` it is a plan of its own,
    # which scanned the whole file a second time (2 s of CPU on a 5M-row file).
    lines = pl.col(ROW_INDEX).n_unique() if text.rows_per_line else pl.len()
    return Split(loaded, quarantined, checked.select(lines.alias("lines_in")))
