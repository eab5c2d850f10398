"""The slow path for a CSV that Polars cannot parse as a whole, e.g. one with an unclosed quote.

Every physical line is parsed on its own and written to a clean copy that carries each
record's own line number; a line that is not one well-formed CSV record is written as an
empty record with the reason and its text, for the ingest to quarantine. Streaming, line by
line, so memory does not grow with the file. A quoted value that legitimately spans lines
cannot be told from a broken one here; this path is only taken for files the fast path could
not read at all.
"""

from __future__ import annotations

import csv
from pathlib import Path

LINE_COLUMN = "__autotrade_source_line"
BROKEN_REASON = "__autotrade_broken_reason"
BROKEN_TEXT = "__autotrade_broken_text"
# Which of the file's columns made a line unreadable, when a reader knows (e.g. ``usitc``).
BROKEN_FIELD = "__autotrade_broken_field"
MAX_VALUE_CHARS = 1000


def _parse_line(line: str, width: int, delimiter: str) -> list[str] | str:
    """The line's fields padded to ``width``, or why the line is not one record."""
    try:
        rows = list(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error as error:
        return f"line is not valid CSV ({error})"
    fields = rows[0] if rows else []
    if len(fields) > width:
        return f"line has {len(fields)} fields but the header has {width}"
    return fields + [""] * (width - len(fields))


def split_broken_lines(path: Path, workdir: Path, delimiter: str = ",") -> Path:
    """A clean copy of ``path``: every line a record with its own line number; a line that is
    not one record is kept as an empty record carrying the reason and the line's text, so the
    ingest quarantines it in the same streaming pass."""
    workdir.mkdir(parents=True, exist_ok=True)
    clean = workdir / (path.name + ".repaired.csv")
    with (
        path.open(encoding="utf-8-sig", newline="") as source,
        clean.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        header = next(csv.reader([source.readline()], delimiter=delimiter), [])
        writer.writerow([*header, LINE_COLUMN, BROKEN_REASON, BROKEN_TEXT])
        for number, line in enumerate(source, start=2):
            text = line.rstrip("\r\n")
            parsed = _parse_line(text, len(header), delimiter)
            if isinstance(parsed, str):
                writer.writerow([""] * len(header) + [number, parsed, text[:MAX_VALUE_CHARS]])
            else:
                writer.writerow([*parsed, number, "", ""])
    return clean
