"""The slow path for a CSV that Polars cannot parse as a whole, e.g. one with an unclosed quote.

Every physical line is parsed on its own: a line that is not one well-formed CSV record is
set aside with the reason, and the others go to a clean copy that carries each record's own
line number. Streaming, line by line, so memory does not grow with the file. A quoted value
that legitimately spans lines cannot be told from a broken one here; this path is only taken
for files the fast path could not read at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

LINE_COLUMN = "__autotrade_source_line"
MAX_VALUE_CHARS = 1000


@dataclass(frozen=True)
class BrokenLine:
    line_number: int
    text: str
    reason: str


def _parse_line(line: str, width: int) -> list[str] | str:
    """The line's fields padded to ``width``, or why the line is not one record."""
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error as error:
        return f"line is not valid CSV ({error})"
    fields = rows[0] if rows else []
    if len(fields) > width:
        return f"line has {len(fields)} fields but the header has {width}"
    return fields + [""] * (width - len(fields))


def split_broken_lines(path: Path, workdir: Path) -> tuple[Path, list[BrokenLine]]:
    """(a clean copy of ``path`` with a ``LINE_COLUMN`` column, the lines set aside)."""
    workdir.mkdir(parents=True, exist_ok=True)
    clean = workdir / (path.name + ".repaired.csv")
    broken: list[BrokenLine] = []
    with (
        path.open(encoding="utf-8-sig", newline="") as source,
        clean.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        header = next(csv.reader([source.readline()]), [])
        writer.writerow([*header, LINE_COLUMN])
        for number, line in enumerate(source, start=2):
            parsed = _parse_line(line.rstrip("\r\n"), len(header))
            if isinstance(parsed, str):
                broken.append(BrokenLine(number, line.rstrip("\r\n")[:MAX_VALUE_CHARS], parsed))
            else:
                writer.writerow([*parsed, number])
    return clean, broken
