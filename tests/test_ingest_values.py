"""The Polars value parsers of the ingest, and the header aliases of the two feeds.

Each parser is applied to a one-row text frame, as the ingest applies it to a text column.
Expected values come from docs/design.md: units are non-negative whole numbers, ``万`` is
10,000 yuan, a missing price (empty or 0) is unknown rather than wrong, periods are months,
HS codes have 4 to 10 digits, measures are a closed vocabulary.
"""

from datetime import date
from itertools import product

import polars as pl
import pytest

from orchestration.ingest import values
from orchestration.ingest.feeds import MEASURES, SALES, TARIFFS, normalise_header

OK, ERROR = "ok", "error"


def parse_one(parser, raw: str | None) -> tuple[object, str | None]:
    """(typed value, error reason) of one text value, full-width characters folded first as
    the reader folds them."""
    parsed = parser("x")
    text = pl.DataFrame({"x": [raw]}, schema={"x": pl.String}).with_columns(
        values.fold_full_width("x")
    )
    frame = parsed.prepare(text)
    row = frame.select(parsed.value.alias("value"), parsed.error.alias("error")).row(0)
    return row[0], row[1]


def check(parser, raw: str | None, expected: object, outcome: str) -> None:
    value, error = parse_one(parser, raw)
    assert value == expected
    if outcome == ERROR:
        assert isinstance(error, str) and error, f"{raw!r} should be rejected with a reason"
        assert value is None, "a rejected value must not also carry a typed value"
    else:
        assert error is None, f"{raw!r} should parse, got error {error!r}"


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("17190", 17190, OK),
        ("17,190", 17190, OK),
        ("１７１９０", 17190, OK),  # full-width digits
        ("17,190辆", 17190, OK),  # Chinese rankings count in 辆 (vehicles)
        (" 17190 ", 17190, OK),
        ("12.0", 12, OK),
        ("0", 0, OK),
        ("-5", None, ERROR),
        ("12.5", None, ERROR),
        ("abc", None, ERROR),
        ("", None, OK),  # empty: no value, and not the parser's error (required-ness is the feed's)
        (None, None, OK),
    ],
)
def test_units(raw, expected, outcome):
    check(values.units, raw, expected, outcome)


def test_units_value_is_an_integer():
    value, _ = parse_one(values.units, "17,190")
    assert type(value) is int


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("509800", 509_800, OK),
        ("50.98万", 509_800, OK),  # 万 = 10,000 yuan
        ("49.48万", 494_800, OK),
        ("¥509,800", 509_800, OK),
        ("28900", 28_900, OK),  # the cheapest real cars
        ("700万", 7_000_000, OK),
        ("0", None, OK),  # some exports write a missing price as 0
        ("9.98-13.98万", 99_800, OK),  # rankings print a model's range: its entry price
        ("9.98万-13.98万", 99_800, OK),
        ("19.98~25.98万", 199_800, OK),
        ("239900-299900", 239_900, OK),
        ("--", None, OK),  # no guide price published yet
        ("暂无报价", None, OK),
        ("", None, OK),
        (None, None, OK),
        ("abc", None, ERROR),
        ("-509800", None, ERROR),
        ("-50.98万", None, ERROR),
        ("9.98-abc万", None, ERROR),
    ],
)
def test_price_cny(raw, expected, outcome):
    check(values.price_cny, raw, expected, outcome)


FEB_2025 = date(2025, 2, 1)


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("2025-02", FEB_2025, OK),
        ("2025/2", FEB_2025, OK),
        ("2025年2月", FEB_2025, OK),
        ("202502", FEB_2025, OK),
        ("2025-02-15", FEB_2025, OK),  # a date names its month
        ("２０２５年２月", FEB_2025, OK),
        ("2024-12", date(2024, 12, 1), OK),
        ("2025-13", None, ERROR),
        ("2025-00", None, ERROR),
        ("Feb 2025", None, ERROR),
        ("2025", None, ERROR),
        ("", None, OK),
        (None, None, OK),
    ],
)
def test_month(raw, expected, outcome):
    check(values.month, raw, expected, outcome)


# Texts near the forms the fast paths read: plain digits and months, with signs, zeros,
# spaces, separators, full-width digits and the bounds of 2**53 and of Int64.
NEAR_FAST_FORMS = [
    *("".join(chars) for n in (1, 2, 3) for chars in product("09-+ .,", repeat=n)),
    *(
        f"{y}{sep}{m}"
        for y in ("2025", "1999", "202", "+202", "-202", " 2025", "２０２５")
        for sep in ("-", "/", "年", "", " - ", "--")
        for m in ("1", "01", "12", "13", "00", "1 ", "２")
    ),
    *("2025-02-15", "2025-12-01", "202512", "20251201", "2025-1-1", "12-2025"),
    *(str(n) for n in (2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, -(2**63))),
    *("0", "-0", "+0", "00", "0001", "+17190", "17190 ", " 17190", "17190\u00a0", "１７１９０"),
    "",
    None,
]


@pytest.mark.parametrize(
    ("parser", "by_rule"),
    [
        (values.units, values.units_by_rule),
        (values.price_cny, values.price_cny_by_rule),
        (values.month, values.month_by_rule),
    ],
)
def test_fast_path_reads_as_the_rules_do(parser, by_rule):
    """A parser with a fast path gives, for every text, the value and error of its rules."""
    texts = pl.DataFrame({"x": NEAR_FAST_FORMS}, schema={"x": pl.String})

    def outcomes(parsed: values.Parsed) -> list[tuple]:
        return parsed.prepare(texts).select(parsed.value, parsed.error).rows()

    fast, rules = outcomes(parser("x")), outcomes(by_rule("x"))
    assert fast == rules
    # The corpus holds texts that load and texts that the rules reject.
    assert any(value is not None for value, _ in fast)
    assert any(error for _, error in fast)


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("2025-07-05", date(2025, 7, 5), OK),
        ("2025/07/05", date(2025, 7, 5), OK),
        ("20250705", date(2025, 7, 5), OK),
        ("2025-02-30", None, ERROR),  # no such day
        ("5 July 2025", None, ERROR),
        ("", None, OK),  # an open interval: valid_to empty
    ],
)
def test_iso_date(raw, expected, outcome):
    check(values.iso_date, raw, expected, outcome)


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("17", 17.0, OK),
        ("17.0", 17.0, OK),
        ("17%", 17.0, OK),
        ("38.1 %", 38.1, OK),
        ("0", 0.0, OK),
        ("-1", None, ERROR),
        ("abc", None, ERROR),
        ("", None, OK),
        # Duties as tariff schedules write them: the ad valorem part.
        ("Free", 0.0, OK),
        ("free", 0.0, OK),
        ("2.5%", 2.5, OK),
        ("1.9¢/kg", 0.0, OK),  # specific only: loads, 0% ad valorem
        ("$1.50/doz. + 4%", 4.0, OK),
        ("11¢/kg +20%", 20.0, OK),
        ("See 9903.88.03", None, ERROR),
        ("2.5/kg", None, ERROR),  # an amount without a currency
        ("44.1¢/kg less 0.020668¢/kg for each degree under 100 degrees", None, ERROR),
    ],
)
def test_rate_pct(raw, expected, outcome):
    check(values.rate_pct, raw, expected, outcome)


@pytest.mark.parametrize(
    ("raw", "amount", "currency", "unit", "rate_text"),
    [
        ("17", None, None, None, None),
        ("17%", None, None, None, "17%"),
        ("Free", None, None, None, "Free"),
        ("1.9¢/kg", 1.9, "USD cents", "kg", "1.9¢/kg"),
        ("7 cents/kg", 7.0, "USD cents", "kg", "7 cents/kg"),
        ("$1.50/doz. + 4%", 1.5, "USD", "doz.", "$1.50/doz. + 4%"),
        ("$2.64/pf. liter", 2.64, "USD", "pf. liter", "$2.64/pf. liter"),
        ("5.1¢ each", 5.1, "USD cents", "each", "5.1¢ each"),
        ("€3.5/100 kg + 2%", None, None, None, "€3.5/100 kg + 2%"),  # a digit in the unit
        ("See 9903.88.03", None, None, None, "See 9903.88.03"),
    ],
)
def test_specific_parts_of_a_duty(raw, amount, currency, unit, rate_text):
    parts = [values.duty_part(p) for p in ("amount", "currency", "unit")] + [values.rate_text]
    assert [parse_one(parser, raw) for parser in parts] == [
        (amount, None),
        (currency, None),
        (unit, None),
        (rate_text, None),
    ]


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("8703.80", "8703.80", OK),
        ("870380", "8703.80", OK),
        ("8703", "8703", OK),
        ("8703.80.00.10", "8703.80.00.10", OK),
        ("8703800010", "8703.80.00.10", OK),
        ("2208.20", "2208.20", OK),
        ("87", None, ERROR),
        ("8703.8A", None, ERROR),
        ("87038000101", None, ERROR),  # 11 digits
        ("8703.8", None, ERROR),  # odd length: 8703.80 mangled, e.g. by a JSON number
        ("870380001", None, ERROR),
        ("", None, OK),
    ],
)
def test_hs_code(raw, expected, outcome):
    check(values.hs_code, raw, expected, outcome)


@pytest.mark.parametrize(
    ("raw", "expected", "outcome"),
    [
        ("cvd", "CVD", OK),
        ("CVD", "CVD", OK),
        (" mfn ", "MFN", OK),
        ("Section_301", "section_301", OK),
        ("SAFEGUARD", "safeguard", OK),
        ("anti-dumping", None, ERROR),
        ("", None, OK),
    ],
)
def test_measure_choice(raw, expected, outcome):
    check(values.choice(MEASURES), raw, expected, outcome)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, True),
        ("", True),
        ("  ", True),
        ("\t\u2028", True),
        ("\u3000\u00a0", True),
        ("\u0085\u2003", True),
        ("Škoda", False),
        (" BYD ", False),
        ("\u3000比亚迪", False),
        ("比亚迪", False),
        ("!", False),
        ("BYD", False),
    ],
)
def test_blank_text_is_empty_or_whitespace_only(raw, expected):
    """What a required text field may not be: the ingest loads free text as sent, so blank
    is worked out without stripping every value (values.blank)."""
    frame = pl.DataFrame({"text": [raw]}, schema={"text": pl.String})
    assert frame.select(values.blank("text")).item() is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("\ufeffPeriod", "period"),
        ("\ufeff Units ", "units"),
        ("MSRP (CNY)", "msrp_cny"),
        ("Guide Price", "guide_price"),
        ("销量", "销量"),  # Chinese is kept as is; the alias table maps it
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("feed", "header", "expected"),
    [
        (SALES, "\ufeffPeriod", "period"),
        (SALES, "MSRP (CNY)", "msrp_cny"),
        (SALES, "指导价", "msrp_cny"),
        (SALES, "销量", "units"),
        (SALES, "厂商", "group"),
        (SALES, "月份", "period"),
        (SALES, "品牌", "brand"),
        (SALES, "车型", "model"),
        (SALES, "Deliveries", "units"),
        (SALES, "Dealer Count", "dealer_count"),  # unknown: kept, normalised
        (TARIFFS, "HS Code", "hs_code"),
        (TARIFFS, "Measure Type", "measure"),
        (TARIFFS, "Start Date", "valid_from"),
    ],
)
def test_canonical_header(feed, header, expected):
    assert feed.canonical_header(header) == expected
