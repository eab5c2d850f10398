"""Read one landed file as text columns with canonical names, whatever its format.

Every value is read as text so that nothing is lost to type inference: parsing and the
decision to quarantine happen afterwards, per field, with a reason (see ``parse``).
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.ingest import usitc
from orchestration.ingest.decode import as_utf8_csv, scan_marks, starts_as_utf8
from orchestration.ingest.feeds import Feed
from orchestration.ingest.internal import (
    BLANK_LINE,
    LONG_FIELD,
    ORIGIN_PREFIX,
    OVERFLOW,
    ROW_INDEX,
)
from orchestration.ingest.landing import SIDECAR_SUFFIX, LandedFile
from orchestration.ingest.limits import (
    MAX_COLUMNS,
    MAX_FIELD_BYTES,
    MAX_HEADER_BYTES,
    SHOWN_CHARS,
    shortened,
)
from orchestration.ingest.repair import (
    BROKEN_FIELD,
    BROKEN_REASON,
    BROKEN_TEXT,
    LINE_COLUMN,
    split_broken_lines,
)
from orchestration.ingest.sidecar import SidecarError, read_sidecar
from orchestration.ingest.values import fold_full_width

LINE = "line_number"
# A .txt file is CSV text (the USITC database ships as tariff_database_YYYY.txt).
CSV_FORMATS = ("csv", "csv.gz", "txt")
COMPRESSED_FORMATS = ("csv.gz",)
DELIMITERS = (",", "|", "\t")
# What reading a damaged file raises: truncated gzip (EOFError), corrupt deflate (zlib.error),
# undecodable or malformed content (ValueError), I/O and Polars' own errors.
UNREADABLE = (OSError, EOFError, zlib.error, ValueError, pl.exceptions.PolarsError)
# Errors that say the machine is at fault, not the file (a full disk, a read-only or
# forbidden directory): they fail the run instead of rejecting the file.
MACHINE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)


def machine_fault(error: BaseException) -> bool:
    """Whether ``error`` (Python's or Polars', which carries the OS error as text) is one of
    ``MACHINE_ERRNOS``."""
    if isinstance(error, OSError) and error.errno in MACHINE_ERRNOS:
        return True
    return any(os.strerror(code) in str(error) for code in MACHINE_ERRNOS)


class RejectedFile(ValueError):
    """A file that cannot be loaded at all; the message says why, naming the file."""


@dataclass(frozen=True)
class TextFrame:
    """A landed file as all-text columns plus ``line_number``.

    CSV: the record's line counting the header as line 1, which is the file's own line unless a
    quoted value spans lines (then later records are numbered as if it did not). Parquet and
    JSON: the 1-based record number.
    """

    frame: pl.LazyFrame
    encoding: str | None
    extra_columns: list[str]
    # Several rows per input line (a USITC line holds many measures): see ``parse.split``.
    rows_per_line: bool = False
    # The sidecar's valid_until_next.
    until_next: bool = False
    # The columns whose length ``LONG_FIELD`` checked, for ``long_field`` to name.
    lengths_checked: tuple[str, ...] = ()


def _canonical_names(feed: Feed, file: LandedFile, headers: list[str]) -> dict[str, str]:
    # Polars renames a repeated header "units" to "units_duplicated_0": map it back, so that
    # the repeat is caught below like any two headers that mean one field.
    renames = {
        header: feed.canonical_header(re.sub(r"_duplicated_\d+$", "", header)) for header in headers
    }
    seen: dict[str, str] = {}
    for header, name in renames.items():
        if name in seen:
            raise RejectedFile(
                f"{file.relative_name}: columns {seen[name]!r} and {header!r} both mean {name!r}"
            )
        seen[name] = header
    missing = [name for name in feed.required if name not in seen]
    if missing:
        raise RejectedFile(
            f"{file.relative_name}: missing required column(s) {', '.join(missing)} "
            f"(found: {shortened(', '.join(headers), 200)})"
        )
    return renames


def _json_records(path: Path) -> list[dict]:
    """A JSON array of records, or an object holding one under ``measures``/``records``/``data``."""
    with path.open("rb") as handle:
        try:
            document = json.load(handle)
        except RecursionError:
            raise ValueError("JSON nested deeper than the reader allows") from None
    if isinstance(document, dict):
        for key in ("measures", "records", "data"):
            if isinstance(document.get(key), list):
                document = document[key]
                break
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise ValueError("expected a JSON array of objects (or an object with 'measures')")
    return document


def _json_frame(path: Path) -> pl.LazyFrame:
    records = _json_records(path)
    headers = list(dict.fromkeys(key for record in records for key in record))
    columns = {
        header: [None if (v := r.get(header)) is None else _json_text(v) for r in records]
        for header in headers
    }
    return pl.LazyFrame(columns, schema=dict.fromkeys(headers, pl.String))


def _json_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _check_header(file: LandedFile) -> None:
    """Refuse a CSV whose header line is past the limits, reading no more than the limit."""
    opener = gzip.open if file.format == "csv.gz" else open
    with opener(file.path, "rb") as handle:
        start = handle.read(MAX_HEADER_BYTES + 1)
    header = start.split(b"\n", 1)[0]
    if len(header) > MAX_HEADER_BYTES:
        raise RejectedFile(
            f"{file.relative_name}: header line longer than {MAX_HEADER_BYTES:,} bytes; not read"
        )
    columns = 1 + max(header.count(delimiter.encode()) for delimiter in DELIMITERS)
    if columns > MAX_COLUMNS:
        raise RejectedFile(
            f"{file.relative_name}: header has {columns:,} columns, more than {MAX_COLUMNS}; "
            "not read"
        )


def sniff_delimiter(path: Path) -> str:
    """The header's delimiter: whichever of comma, pipe and tab it holds most of outside
    quotes (comma when none)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = re.sub(r'"[^"]*"', "", handle.readline())
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_frame(path: Path, delimiter: str) -> pl.LazyFrame:
    """All columns as text, plus ``OVERFLOW`` holding any field beyond the header's width."""
    headers = (
        pl.scan_csv(path, separator=delimiter, infer_schema=False, raise_if_empty=False)
        .collect_schema()
        .names()
    )
    positions = [f"__column_{i}" for i in range(len(headers))]
    frame = pl.scan_csv(
        path,
        separator=delimiter,
        has_header=False,
        skip_rows=1,
        schema=dict.fromkeys([*positions, OVERFLOW], pl.String),
        missing_columns="insert",
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    return frame.rename(dict(zip(positions, headers, strict=True)))


@dataclass(frozen=True)
class _Raw:
    frame: pl.LazyFrame
    encoding: str | None
    first_line: int
    # Whether the values may hold full-width characters to fold (known for CSV only).
    full_width: bool = True


def _raw_frame(file: LandedFile, workdir: Path, repair: bool, in_place: bool) -> _Raw:
    """The file's columns as text. CSV goes through the line-by-line path
    (``repair.split_broken_lines``) when ``repair`` is asked for or the file has a quote that
    never closes. ``in_place``: a plain CSV that opens as UTF-8 is read where it lies, its
    encoding left to Polars' reader to check; else it is read through ``as_utf8_csv``, which
    detects the encoding from all its bytes and transcodes it if need be."""
    if file.format in CSV_FORMATS:
        _check_header(file)
        plain = file.format not in COMPRESSED_FORMATS
        if in_place and plain and starts_as_utf8(file.path):
            path, marks = file.path, scan_marks(file.path)
            encoding = "utf-8-sig" if marks.bom else "utf-8"
        else:
            path, encoding = as_utf8_csv(file.path, workdir)
            marks = scan_marks(path)
        delimiter = sniff_delimiter(path)
        if not repair and not marks.unbalanced_quotes:
            return _Raw(_csv_frame(path, delimiter), encoding, 2, marks.full_width)
        repaired = pl.scan_csv(split_broken_lines(path, workdir, delimiter), infer_schema=False)
        return _Raw(repaired, encoding, 2, marks.full_width)
    if file.format == "parquet":
        return _Raw(pl.scan_parquet(file.path).select(pl.all().cast(pl.String)), None, 1)
    if file.format == "json":
        return _Raw(_json_frame(file.path), "utf-8", 1)
    raise ValueError("unsupported file type")


def read_text(
    feed: Feed, file: LandedFile, workdir: Path, repair: bool = False, in_place: bool = True
) -> TextFrame:
    """The file as text columns with canonical names; ``repair`` takes the line-by-line path;
    ``in_place``: see ``_raw_frame``.

    A known published layout (``usitc``) is recognised by its header and turned into the
    feed's rows; otherwise the file's sidecar, if any, renames headers and fills constants."""
    if file.format not in feed.formats:
        raise RejectedFile(
            f"{file.relative_name}: the {feed.name} feed accepts {', '.join(feed.formats)} files"
        )
    try:
        sidecar = read_sidecar(feed, file)
    except SidecarError as error:
        raise RejectedFile(
            f"{file.relative_name}{SIDECAR_SUFFIX}: {error}; {file.relative_name} not loaded"
        ) from error
    try:
        raw = _raw_frame(file, workdir, repair, in_place)
        headers = raw.frame.collect_schema().names()
    except RejectedFile:
        raise
    except UNREADABLE as error:
        if machine_fault(error):
            raise
        raise RejectedFile(f"{file.relative_name}: cannot be read: {error}") from error
    if len(headers) > MAX_COLUMNS:
        raise RejectedFile(
            f"{file.relative_name}: {len(headers):,} columns, more than {MAX_COLUMNS}; not read"
        )
    internal = {
        OVERFLOW,
        LINE_COLUMN,
        BROKEN_REASON,
        BROKEN_TEXT,
        BROKEN_FIELD,
        ROW_INDEX,
        BLANK_LINE,
    }
    frame = raw.frame
    if LINE_COLUMN in headers:
        frame = frame.rename({LINE_COLUMN: ROW_INDEX})
    else:
        frame = frame.with_row_index(ROW_INDEX, offset=raw.first_line)
    frame = frame.with_columns(pl.col(ROW_INDEX).cast(pl.Int64))
    # A blank line is no record: it is flagged (after numbering, so lines keep their number)
    # and goes to no output; flagged, not filtered out, as the parse's one sink splits the
    # rows anyway. A USITC line turns into measure rows, so it is dropped before. A line with
    # only surplus fields, or one the repair could not read, is a record.
    blank_line = pl.all_horizontal(pl.col(h).is_null() for h in headers if h != LINE_COLUMN)
    data = [name for name in headers if name not in internal]
    rows_per_line = usitc.recognises(data) and sidecar is None
    if rows_per_line:
        frame = usitc.measure_rows(frame.filter(~blank_line), file.path.name)
        frame = frame.with_columns(pl.lit(False).alias(BLANK_LINE))
    else:
        frame = frame.with_columns(blank_line.alias(BLANK_LINE))
        if sidecar is not None:
            frame = sidecar.apply(frame, feed, internal)
    names = frame.collect_schema().names()
    internal |= {name for name in names if name.startswith(ORIGIN_PREFIX)}
    renames = _canonical_names(feed, file, [h for h in names if h not in internal])
    known = {field.name for field in feed.read_fields}
    extra = [name for name in renames.values() if name not in known]
    frame = frame.rename(renames)
    if raw.full_width:
        frame = frame.with_columns(
            fold_full_width(name) for name in renames.values() if name in known
        )
    # Every field a row carries, the surplus past the header included.
    present = frame.collect_schema().names()
    checked = tuple(name for name in present if name not in internal or name == OVERFLOW)
    longest = pl.max_horizontal(pl.col(name).str.len_bytes() for name in checked)
    return TextFrame(
        frame.with_columns((longest > MAX_FIELD_BYTES).fill_null(False).alias(LONG_FIELD)),
        raw.encoding,
        extra,
        rows_per_line=rows_per_line,
        until_next=sidecar is not None and sidecar.valid_until_next,
        lengths_checked=checked,
    )


def _field_label(name: str) -> str:
    return "the fields past the header are" if name == OVERFLOW else f"field {name!r} is"


def long_field(columns: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(reason, field, text cut short) of the first of ``columns`` longer than
    ``MAX_FIELD_BYTES``; null where none is. A chain over every field, as costly as a
    parser: it reads the fields of the rows ``LONG_FIELD`` flags only, null elsewhere (0.2 s
    of CPU per 5M rows, docs/benchmarks.md)."""
    flagged = {name: pl.when(pl.col(LONG_FIELD)).then(pl.col(name)) for name in columns}
    too_long = [(value.str.len_bytes() > MAX_FIELD_BYTES, name) for name, value in flagged.items()]
    reason = pl.coalesce(
        pl.when(long).then(pl.lit(f"{_field_label(name)} longer than {MAX_FIELD_BYTES} bytes"))
        for long, name in too_long
    )
    field = pl.coalesce(pl.when(long).then(pl.lit(name)) for long, name in too_long)
    text = pl.coalesce(
        pl.when(long).then(flagged[name].str.slice(0, SHOWN_CHARS)) for long, name in too_long
    )
    return reason, field, text
