"""The bounds a landed file must keep to be read: one place, documented in docs/design.md.

A file past a bound is absurd for these feeds (the widest has 16 columns, the longest value
is a model name) and reading it whole would cost minutes and gigabytes, so the bound is
checked before or while reading and the file, or the row, is refused with a short reason.

| bound             | value   | past it                                                   |
|-------------------|---------|-----------------------------------------------------------|
| MAX_HEADER_BYTES  | 64 KiB  | the file is rejected; only that much of it is read        |
| MAX_COLUMNS       | 512     | the file is rejected (CSV header, JSON keys, Parquet schema)|
| MAX_FIELD_BYTES   | 4 KiB   | the row is quarantined, its value cut to SHOWN_CHARS      |
| JSON nesting      | Python's recursion limit (about 1,000 levels): the file is rejected |
| MAX_REASON_CHARS  | 500     | a reason is cut there in the manifest and quarantine      |
"""

MAX_HEADER_BYTES = 64 * 1024
MAX_COLUMNS = 512
MAX_FIELD_BYTES = 4 * 1024
SHOWN_CHARS = 200
MAX_REASON_CHARS = 500


def shortened(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters in all)"
