"""Value parsers: Polars expressions from a text column to a typed value and a reject reason.

Each parser takes the name of a text column and returns ``Parsed(value, error)``: ``value`` is
the typed expression (null where the text is empty or invalid) and ``error`` a reason string
where the text is present but breaks the field's rule, else null. Whether an empty value is
allowed is the field's business (see ``feeds``), not the parser's. Pure expressions: they run
inside a lazy, streaming query.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

FULL_WIDTH = {chr(0xFF10 + d): str(d) for d in range(10)} | {
    "，": ",",
    "．": ".",
    "－": "-",
    "％": "%",
    "\u3000": " ",
}
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


@dataclass(frozen=True)
class Parsed:
    value: pl.Expr
    error: pl.Expr


def text(column: str) -> pl.Expr:
    """Trimmed text with full-width digits and punctuation folded to ASCII; empty becomes null."""
    folded = (
        pl.col(column)
        .str.replace_many(list(FULL_WIDTH), list(FULL_WIDTH.values()))
        .str.strip_chars()
    )
    return pl.when(folded.str.len_chars() > 0).then(folded)


def _reason(condition: pl.Expr, reason: str) -> pl.Expr:
    return pl.when(condition).then(pl.lit(reason))


def _first_reason(*pairs: tuple[pl.Expr, str]) -> pl.Expr:
    return pl.coalesce([_reason(condition, reason) for condition, reason in pairs])


def plain_text(column: str) -> Parsed:
    return Parsed(text(column), pl.lit(None, dtype=pl.String))


def code(column: str) -> Parsed:
    """Upper-case codes such as ISO countries and reporters (``cn`` and ``CN`` are one)."""
    return Parsed(text(column).str.to_uppercase(), pl.lit(None, dtype=pl.String))


def _number_text(column: str, strip_pattern: str) -> pl.Expr:
    return text(column).str.replace_all(strip_pattern, "")


def units(column: str) -> Parsed:
    """Deliveries: a non-negative whole number; thousands separators allowed (``17,190``)."""
    cleaned = _number_text(column, r"[,_\s']")
    is_number = cleaned.str.contains(NUMBER)
    as_float = pl.when(is_number).then(cleaned.cast(pl.Float64, strict=False))
    error = _first_reason(
        (~is_number, "not a number"),
        (as_float < 0, "negative units"),
        (as_float != as_float.floor(), "fractional units"),
        (as_float >= 2**53, "units out of range"),
    )
    return Parsed(pl.when(error.is_null()).then(as_float.cast(pl.Int64)), error)


def price_cny(column: str) -> Parsed:
    """A guide price in whole yuan. ``50.98万`` is 509,800; currency marks and separators go.

    Empty or 0 (as some exports write a missing price) means unknown: null, not an error.
    """
    cleaned = _number_text(column, r"[,_\s'¥￥元]|RMB|CNY")
    in_wan = cleaned.str.ends_with("万")
    digits = cleaned.str.strip_suffix("万")
    is_number = digits.str.contains(NUMBER)
    amount = pl.when(is_number).then(digits.cast(pl.Float64, strict=False))
    yuan = pl.when(in_wan).then(amount * 10_000).otherwise(amount).round(0)
    error = _first_reason(
        (cleaned.is_not_null() & ~is_number, "not a price"),
        (yuan < 0, "negative price"),
        (yuan >= 2**53, "price out of range"),
    )
    return Parsed(pl.when(error.is_null() & (yuan > 0)).then(yuan.cast(pl.Int64)), error)


def month(column: str) -> Parsed:
    """First day of the month from ``2025-02``, ``2025/2``, ``2025年2月``, ``202502`` or a date
    (``2025-02-15``, ``2025年2月15日``, ``20250215``)."""
    cleaned = text(column)
    parts = cleaned.str.extract_groups(
        r"^(?<y>\d{4})(?:\s*[-/.年]\s*(?<m>\d{1,2})\s*(?:月\s*(?:\d{1,2}\s*日)?|[-/.]\s*\d{1,2})?"
        r"|(?<m2>\d{2})(?:\d{2})?)$"
    )
    year = parts.struct.field("y").cast(pl.Int32, strict=False)
    month_no = pl.coalesce(parts.struct.field("m"), parts.struct.field("m2")).cast(
        pl.Int32, strict=False
    )
    valid = year.is_not_null() & month_no.is_between(1, 12)
    value = pl.when(valid).then(pl.date(year, month_no, 1))
    error = _reason(
        cleaned.is_not_null() & ~valid, "not a month (expected e.g. 2025-02 or 2025年2月)"
    )
    return Parsed(value, error)


def _date(cleaned: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        cleaned.str.to_date(fmt, strict=False) for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
    )


def iso_date(column: str) -> Parsed:
    cleaned = text(column)
    value = _date(cleaned)
    error = _reason(cleaned.is_not_null() & value.is_null(), "not a date (expected YYYY-MM-DD)")
    return Parsed(value, error)


def rate_pct(column: str) -> Parsed:
    """An ad valorem rate in percent; ``17``, ``17.0`` and ``17%`` are the same."""
    cleaned = _number_text(column, r"[\s%]")
    is_number = cleaned.str.contains(NUMBER)
    value = pl.when(is_number).then(cleaned.cast(pl.Float64, strict=False))
    error = _first_reason(
        (~is_number, "not a number"),
        (value < 0, "negative rate"),
    )
    return Parsed(pl.when(error.is_null()).then(value), error)


def hs_code(column: str) -> Parsed:
    """An HS code of 4 to 10 digits, written back in dotted form: ``870380`` -> ``8703.80``."""
    digits = text(column).str.replace_all(r"[.\s]", "")
    valid = digits.str.contains(r"^\d{4,10}$")
    dotted = pl.concat_str(
        [digits.str.slice(0, 4)]
        + [
            pl.when(digits.str.len_chars() > start).then(pl.lit(".") + digits.str.slice(start, 2))
            for start in (4, 6, 8)
        ],
        ignore_nulls=True,
    )
    error = _reason(~valid, "HS code must be 4 to 10 digits")
    return Parsed(pl.when(valid).then(dotted), error)


def choice(allowed: tuple[str, ...]):
    """A parser for a closed vocabulary, matched case-insensitively, written in canonical case."""
    canonical = {word.lower(): word for word in allowed}

    def parse(column: str) -> Parsed:
        cleaned = text(column)
        value = cleaned.str.to_lowercase().replace_strict(canonical, default=None)
        error = _reason(cleaned.is_not_null() & value.is_null(), f"not one of {', '.join(allowed)}")
        return Parsed(value, error)

    return parse
