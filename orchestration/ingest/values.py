"""Value parsers: Polars expressions from a text column to a typed value and a reject reason.

Each parser takes the name of a text column and returns ``Parsed(value, error, stages,
blank)``: ``value`` is the typed expression (null where the text is empty or invalid; free
text and codes as sent, see ``plain_text``) and ``error`` a reason string where the text is
present but breaks the field's rule, else null; ``blank``, where given, says when the text
counts as no value. Whether an empty value is allowed is the field's business (see
``feeds``), not the parser's.

``stages`` are helper columns (the cleaned text, the number read from it) that ``value`` and
``error`` refer to; ``Parsed.prepare`` adds them. Polars does not share a subexpression
between the branches of ``when``/``coalesce``, so computing each once as a column is what
keeps a parser at the cost of its regex instead of a multiple of it (measured 5x here).
Pure expressions: they run inside a lazy, streaming query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

FULL_WIDTH = {chr(0xFF10 + d): str(d) for d in range(10)} | {
    "，": ",",
    "．": ".",
    "－": "-",
    "％": "%",
    "\u3000": " ",
}
# Every key of FULL_WIDTH starts with one of these in UTF-8 (U+FF00-FF3F, U+3000).
FULL_WIDTH_PREFIXES = (b"\xef\xbc", b"\xe3\x80\x80")
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
NO_ERROR = pl.lit(None, dtype=pl.String)


@dataclass(frozen=True)
class Parsed:
    value: pl.Expr
    error: pl.Expr
    stages: tuple[dict[str, pl.Expr], ...] = ()
    # Where the text counts as no value, for a required field; None: where ``value`` is null.
    blank: pl.Expr | None = None

    def prepare(self, frame: pl.LazyFrame | pl.DataFrame):
        """``frame`` with the helper columns ``value`` and ``error`` refer to."""
        for stage in self.stages:
            frame = frame.with_columns(**stage)
        return frame


def fold_full_width(column: str) -> pl.Expr:
    """Full-width digits and punctuation (``１７，１９０``) folded to ASCII.

    The reader applies it to a file's fields before the parsers, and only when the file holds
    such characters at all: folding costs as much as any one parser, on every field."""
    return pl.col(column).str.replace_many(list(FULL_WIDTH), list(FULL_WIDTH.values()))


def text(column: str) -> pl.Expr:
    """Trimmed text; empty becomes null. It reads the ``trimmed`` stage that every parser
    computes first (``_parsed``): stripped once, as a column, the text is the cheap part of a
    plain field, and stripped in place here it would be stripped twice (Polars does not see
    the repeat). Not ``replace("", None)``: Polars' streaming engine runs ``replace`` apart
    from the other columns and then zips them, holding memory that grows with the file."""
    trimmed = pl.col(_helper(column, "trimmed"))
    return pl.when(trimmed != "").then(trimmed)


def _parsed(column: str, value: pl.Expr, error: pl.Expr, stages=()) -> Parsed:
    """A parser's result, its stages led by the trimmed text of ``column`` that ``text``
    reads."""
    trimmed = {_helper(column, "trimmed"): pl.col(column).str.strip_chars()}
    return Parsed(value, error, (trimmed, *stages))


def _helper(column: str, part: str) -> str:
    return f"__{column}__{part}"


def _reason(condition: pl.Expr, reason: str) -> pl.Expr:
    return pl.when(condition).then(pl.lit(reason))


def _first_reason(*pairs: tuple[pl.Expr, str]) -> pl.Expr:
    return pl.coalesce([_reason(condition, reason) for condition, reason in pairs])


def plain_text(column: str) -> Parsed:
    """Free text (names, sources) and codes (countries, reporters) as sent: staging trims
    them, reads empty as null and upper-cases codes (``trimmed_text``, ``trimmed_code`` in
    the dbt project), where DuckDB does it on the new drop's rows in parallel. Stripped
    here, every value of every such field was copied into a new string column (0.3 s of a
    5M-row file's 2.5 s pass), and upper-cased into another (0.13 s for the origin,
    docs/benchmarks.md). A required field still needs a value that is not blank:
    ``blank``."""
    return Parsed(pl.col(column), NO_ERROR, blank=blank(column))


def blank(column: str) -> pl.Expr:
    """Whether the text of ``column`` is missing, empty or whitespace only. Only a text that
    opens with a character below ``!`` (ASCII whitespace) or from U+0085 to U+3000 (the
    Unicode spaces, the ideographic space last) can be blank: those alone are stripped, the
    rest, Chinese names included, cost three comparisons."""
    value = pl.col(column)
    may_be_blank = (value < "!") | ((value >= "\u0085") & (value < "\u3001"))
    stripped = pl.when(may_be_blank).then(value).str.strip_chars()
    return value.is_null() | (stripped == "").fill_null(False)


def _number(column: str, strip: list[str]) -> tuple[pl.Expr, pl.Expr, tuple[dict, ...]]:
    """(cleaned text, the number in it or null, stages) with the ``strip`` marks removed."""
    cleaned, number = _helper(column, "text"), _helper(column, "number")
    stages = (
        {cleaned: text(column).str.replace_many(strip, [""] * len(strip))},
        {
            number: pl.when(pl.col(cleaned).str.contains(NUMBER)).then(
                pl.col(cleaned).cast(pl.Float64, strict=False)
            )
        },
    )
    return pl.col(cleaned), pl.col(number), stages


def with_fast_path(column: str, fast: pl.Expr, by_rule: Callable[[str], Parsed]) -> Parsed:
    """``by_rule``'s parse of ``column``, with ``fast`` reading the common form natively.

    ``fast`` is a cheap expression (a cast, no regex) that is null wherever the text is not
    in that form; the rules run on the rest, the text masked to null where ``fast`` read it.
    A batch of rows whose rest is all null costs the rules nothing (Polars' kernels skip an
    all-null column); a null among values costs about what a value does. On a 5M-row file the
    rules on every row cost the price 4.7 s of CPU, the units 1.8 s, the month 2.5 s.
    ``fast`` must give the value ``by_rule`` gives, with no error, for every text it reads:
    tests compare the two.
    """
    quick, rest = _helper(column, "fast"), _helper(column, "rest")
    rules = by_rule(rest)
    stages = (
        {quick: fast},
        {rest: pl.when(pl.col(quick).is_null()).then(pl.col(column))},
        *rules.stages,
    )
    return Parsed(pl.coalesce(pl.col(quick), rules.value), rules.error, stages)


def plain_whole(column: str, minimum: int) -> pl.Expr:
    """The text as an integer from ``minimum`` below 2**53 when it is ASCII digits (after an
    optional sign) only, as Polars casts it; else null."""
    number = pl.col(column).cast(pl.Int64, strict=False)
    return pl.when(number.is_between(minimum, 2**53 - 1)).then(number)


def units_by_rule(column: str) -> Parsed:
    """Deliveries: a non-negative whole number; thousands separators and the counter words
    Chinese rankings append allowed (``17,190``, ``17190辆``)."""
    cleaned, number, stages = _number(column, [",", "_", " ", "'", "\u00a0", "辆", "台"])
    error = _helper(column, "error")
    reason = _first_reason(
        (cleaned.is_not_null() & number.is_null(), "not a number"),
        (number < 0, "negative units"),
        (number != number.floor(), "fractional units"),
        (number >= 2**53, "units out of range"),
    )
    value = pl.when(pl.col(error).is_null()).then(number.cast(pl.Int64))
    return _parsed(column, value, pl.col(error), (*stages, {error: reason}))


def units(column: str) -> Parsed:
    """``units_by_rule``, plain digits read by a cast."""
    return with_fast_path(column, plain_whole(column, 0), units_by_rule)


# A price range as rankings print a model's trims (``9.98-13.98万``): the entry price is read.
PRICE_RANGE = r"^(?<low>[^-~～至到]+?)[-~～至到](?<high>[\d.]+)(?<wan>万?)$"
# What exports write where a model has no guide price yet: unknown, like an empty cell.
NO_PRICE = ("-", "--", "—", "/", "暂无", "暂无报价", "待定", "未公布", "待公布", "n/a", "na")


def price_cny(column: str) -> Parsed:
    """``price_cny_by_rule``, plain digits (a price above 0) read by a cast."""
    return with_fast_path(column, plain_whole(column, 1), price_cny_by_rule)


def price_cny_by_rule(column: str) -> Parsed:
    """A guide price in whole yuan. ``50.98万`` is 509,800; currency marks and separators go;
    a range ``9.98-13.98万`` is its entry price, 99,800.

    Empty, 0 (as some exports write a missing price) or a no-price mark (``--``, ``暂无``)
    means unknown: null, not an error.
    """
    marks = [",", "_", " ", "'", "\u00a0", "¥", "￥", "元", "RMB", "CNY"]
    parts = ("text", "priced", "yuan", "error")
    cleaned, priced, yuan, error = (_helper(column, part) for part in parts)
    digits = pl.col(priced).str.strip_suffix("万")
    amount = pl.when(digits.str.contains(NUMBER)).then(digits.cast(pl.Float64, strict=False))
    present = text(column).str.replace_many(marks, [""] * len(marks))
    stages = (
        {cleaned: pl.when(~present.str.to_lowercase().is_in(NO_PRICE)).then(present)},
        {priced: _entry_price(pl.col(cleaned))},
        {
            yuan: pl.when(pl.col(priced).str.ends_with("万"))
            .then(amount * 10_000)
            .otherwise(amount)
            .round(0)
        },
    )
    reason = _first_reason(
        (pl.col(cleaned).is_not_null() & pl.col(yuan).is_null(), "not a price"),
        (pl.col(yuan) < 0, "negative price"),
        (pl.col(yuan) >= 2**53, "price out of range"),
    )
    value = pl.when(pl.col(error).is_null() & (pl.col(yuan) > 0)).then(pl.col(yuan).cast(pl.Int64))
    return _parsed(column, value, pl.col(error), (*stages, {error: reason}))


def _entry_price(price: pl.Expr) -> pl.Expr:
    """The low end of a range, keeping the 万 that the range writes once at its end."""
    parts = price.str.extract_groups(PRICE_RANGE)
    low = parts.struct.field("low")
    in_wan = low.str.ends_with("万") | (parts.struct.field("wan") == "")
    return pl.coalesce(pl.when(in_wan).then(low).otherwise(low + "万"), price)


MONTH_PATTERN = (
    r"^(?<y>\d{4})(?:\s*[-/.年]\s*(?<m>\d{1,2})\s*(?:月\s*(?:\d{1,2}\s*日)?|[-/.]\s*\d{1,2})?"
    r"|(?<m2>\d{2})(?:\d{2})?)$"
)


def month(column: str) -> Parsed:
    """``month_by_rule``, ``2025-02`` read by Polars' own date parser."""
    return with_fast_path(column, pl.col(column).str.to_date("%Y-%m", strict=False), month_by_rule)


def month_by_rule(column: str) -> Parsed:
    """First day of the month from ``2025-02``, ``2025/2``, ``2025年2月``, ``202502`` or a date
    (``2025-02-15``, ``2025年2月15日``, ``20250215``)."""
    cleaned, parts = _helper(column, "text"), _helper(column, "parts")
    stages = (
        {cleaned: text(column)},
        {parts: pl.col(cleaned).str.extract_groups(MONTH_PATTERN)},
    )
    year = pl.col(parts).struct.field("y").cast(pl.Int32, strict=False)
    month_no = pl.coalesce(pl.col(parts).struct.field("m"), pl.col(parts).struct.field("m2")).cast(
        pl.Int32, strict=False
    )
    valid = year.is_not_null() & month_no.is_between(1, 12)
    error = _reason(
        pl.col(cleaned).is_not_null() & ~valid,
        "not a month (expected e.g. 2025-02 or 2025年2月)",
    )
    # Both branches of a `when` are evaluated: the date is built from valid parts only.
    value = pl.date(pl.when(valid).then(year), pl.when(valid).then(month_no), 1)
    return _parsed(column, value, error, stages)


def iso_date(column: str) -> Parsed:
    cleaned, parsed = _helper(column, "text"), _helper(column, "date")
    stages = (
        {cleaned: text(column)},
        {
            parsed: pl.coalesce(
                pl.col(cleaned).str.to_date(fmt, strict=False)
                for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
            )
        },
    )
    error = _reason(
        pl.col(cleaned).is_not_null() & pl.col(parsed).is_null(),
        "not a date (expected YYYY-MM-DD)",
    )
    return _parsed(column, pl.col(parsed), error, stages)


# A duty as tariff schedules write it: a specific part (amount, currency, unit), an ad valorem
# part in percent (``33 1/3%`` included), or both: ``1.9¢/kg``, ``$1.50/doz. + 4%``, ``2.5%``.
# A unit holds no digit or currency sign, so a sliding scale (``44.1¢/kg less 0.02¢/kg for
# each degree ...``) does not read as one specific duty.
DUTY_PATTERN = (
    r"^(?:(?<currency>US\$|\$|€|EUR|CNY|¥)?\s*(?<amount>\d+(?:\.\d*)?|\.\d+)\s*(?<cents>¢|cents?)?"
    r"\s*(?:/\s*|\s+(?:per\s+)?)(?<unit>[^\d\s+%¢$€¥][^\d+%¢$€¥]*?))?"
    r"\s*\+?\s*(?:(?<pct>\d+(?:\.\d*)?|\.\d+)(?:\s+(?<num>\d+)/(?<den>\d+))?\s*%)?$"
)
CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "EUR": "EUR", "¥": "CNY", "CNY": "CNY"}
CENTS = "USD cents"
NOT_A_RATE = "not a rate (expected e.g. 2.5%, Free, 1.9¢/kg or $1.50/doz. + 4%)"


def _duty_stages(column: str) -> tuple[dict[str, pl.Expr], ...]:
    """The stages every duty parser of ``column`` shares (same names, same expressions)."""
    cleaned, number, parts = (_helper(column, p) for p in ("text", "number", "duty"))
    plain = pl.col(cleaned).str.replace_many([" ", "%", "\u00a0"], ["", "", ""])
    return (
        {cleaned: text(column).str.replace_all("\u00a0", " ")},
        {
            number: pl.when(plain.str.contains(NUMBER)).then(plain.cast(pl.Float64, strict=False)),
            parts: pl.when(pl.col(cleaned).str.to_lowercase() == "free")
            .then(pl.lit("0%"))
            .otherwise(pl.col(cleaned))
            .str.extract_groups(DUTY_PATTERN),
        },
    )


def _duty_fields(column: str) -> dict[str, pl.Expr]:
    """The parts of the duty in ``column``; each null where the text has no such part."""
    number, parts = pl.col(_helper(column, "number")), pl.col(_helper(column, "duty"))

    def part(name: str) -> pl.Expr:
        return parts.struct.field(name)

    amount = part("amount").cast(pl.Float64, strict=False)
    fraction = part("num").cast(pl.Float64, strict=False) / part("den").cast(
        pl.Float64, strict=False
    )
    percent = part("pct").cast(pl.Float64, strict=False) + pl.coalesce(fraction, pl.lit(0.0))
    currency = (
        pl.when(part("cents").is_not_null())
        .then(pl.lit(CENTS))
        .otherwise(part("currency").replace_strict(CURRENCIES, default=None))
    )
    readable = percent.is_not_null() | (amount.is_not_null() & currency.is_not_null())
    return {
        "number": number,
        "readable": number.is_not_null() | readable,
        "pct": pl.coalesce(number, pl.when(readable).then(pl.coalesce(percent, pl.lit(0.0)))),
        "amount": pl.when(number.is_null()).then(amount),
        "currency": pl.when(number.is_null() & amount.is_not_null()).then(currency),
        "unit": pl.when(number.is_null() & amount.is_not_null()).then(
            part("unit").str.strip_chars()
        ),
    }


def rate_pct(column: str) -> Parsed:
    """The ad valorem part of a duty in percent: ``17``, ``17.0`` and ``17%`` are the same;
    ``Free`` is 0; a specific-only duty (``1.9¢/kg``) is 0; ``$1.50/doz. + 4%`` is 4."""
    duty = _duty_fields(column)
    cleaned = pl.col(_helper(column, "text"))
    error = _first_reason(
        (cleaned.is_not_null() & ~duty["readable"], NOT_A_RATE),
        (duty["pct"] < 0, "negative rate"),
    )
    value = pl.when(error.is_null()).then(duty["pct"])
    return _parsed(column, value, error, _duty_stages(column))


def duty_part(part: str):
    """A parser of one part of the duty in a rate column: ``amount``, ``currency``, ``unit``;
    ``rate_pct`` reports a rate that cannot be read, so these report nothing."""

    def parse(column: str) -> Parsed:
        return _parsed(column, _duty_fields(column)[part], NO_ERROR, _duty_stages(column))

    return parse


def rate_text(column: str) -> Parsed:
    """The rate as sent, when it was more than a number (``$1.50/doz. + 4%``, ``Free``)."""
    cleaned = pl.col(_helper(column, "text"))
    value = pl.when(~cleaned.str.contains(NUMBER)).then(cleaned)
    return _parsed(column, value, NO_ERROR, _duty_stages(column))


def hs_code(column: str) -> Parsed:
    """An HS code of 4, 6, 8 or 10 digits, written back in dotted form: ``870380`` ->
    ``8703.80``. HS levels and national lines come in pairs of digits, so an odd length is a
    mangled code, e.g. ``8703.80`` sent as the JSON number 8703.8."""
    digits = _helper(column, "digits")
    stages = ({digits: text(column).str.replace_many([".", " "], ["", ""])},)
    valid = pl.col(digits).str.contains(r"^(\d{2}){2,5}$")
    dotted = pl.concat_str(
        [pl.col(digits).str.slice(0, 4)]
        + [
            pl.when(pl.col(digits).str.len_chars() > start).then(
                pl.lit(".") + pl.col(digits).str.slice(start, 2)
            )
            for start in (4, 6, 8)
        ],
        ignore_nulls=True,
    )
    error = _reason(~valid, "HS code must have 4, 6, 8 or 10 digits")
    return _parsed(column, pl.when(valid).then(dotted), error, stages)


def choice(allowed: tuple[str, ...]):
    """A parser for a closed vocabulary, matched case-insensitively, written in canonical case."""
    canonical = {word.lower(): word for word in allowed}

    def parse(column: str) -> Parsed:
        cleaned, word = _helper(column, "text"), _helper(column, "word")
        stages = (
            {cleaned: text(column)},
            {word: pl.col(cleaned).str.to_lowercase().replace_strict(canonical, default=None)},
        )
        error = _reason(
            pl.col(cleaned).is_not_null() & pl.col(word).is_null(),
            f"not one of {', '.join(allowed)}",
        )
        return _parsed(column, pl.col(word), error, stages)

    return parse
