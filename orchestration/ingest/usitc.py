"""The USITC annual tariff database (``tariff_database_YYYY.txt``) as tariff measure rows.

Recognised by its header (``hts8``, ``mfn_text_rate``, ``begin_effect_date``). One input line
is one 8-digit HTS line holding many rates; it becomes several rows sharing its line number:

- ``MFN`` from ``mfn_text_rate`` (reporter ``US``, partner ``*``);
- ``preferential`` for every partner of every programme in ``col1_special_text``, e.g.
  ``Free (A+,AU,BH,CA,...) 1.5% (JP)``: each ``rate (codes)`` group gives its rate to its
  codes; a code's ``*``/``+`` suffix (a variant of the programme) keeps its partners;
- ``column_2`` from ``col2_text_rate`` for the column 2 countries (Russia and Belarus from
  2022-04-09, when they entered column 2).

The text rates are the truth: the numeric columns are rounded in some releases and mirror the
text otherwise (with stale programmes, e.g. NAFTA indicators after USMCA replaced it). The
per-agreement columns (``korea_indicator``, ``korea_ad_val_rate``, ...) are read only for a
line whose ``col1_special_text`` is empty, ad valorem only. Which partners a programme code
covers is reference data: the ``us_preference_programmes`` seed, read here too. A code the seed
does not know makes the line unreadable (quarantined, naming the code), never silently dropped.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polars as pl

from orchestration.ingest.feeds import normalise_header
from orchestration.ingest.internal import ORIGIN_PREFIX, ROW_INDEX
from orchestration.ingest.repair import BROKEN_FIELD, BROKEN_REASON, BROKEN_TEXT

PROGRAMMES_SEED = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "us_preference_programmes.csv"
)
HEADER_MARKS = frozenset({"hts8", "mfn_text_rate", "begin_effect_date"})
SPECIAL = "col1_special_text"
# An end date in 2050 or later is how the database writes "open".
OPEN_FROM_YEAR = 2050
GROUP = r"[^()]*\([^()]*\)"
GROUP_PARTS = r"^\s*(?<rate>[^()]*?)\s*\((?<codes>[^()]*)\)\s*$"
INDICATOR = re.compile(r"^(?P<prefix>.+?)_(?:indicator|ind)$")
ORIGIN = ORIGIN_PREFIX + "rate_pct"


@cache
def programmes() -> pl.DataFrame:
    """code, measure, programme, partners (a list; empty where the seed lists none),
    valid_from (``YYYY-MM-DD`` text, null where the seed gives none)."""
    seed = pl.read_csv(PROGRAMMES_SEED, infer_schema=False)
    return seed.with_columns(
        pl.col("partners")
        .fill_null("")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def recognises(headers: list[str]) -> bool:
    return {normalise_header(h) for h in headers} >= HEADER_MARKS


def _iso_date(column: str) -> pl.Expr:
    """``1/1/2017 0:00:00``, ``07/01/2020`` (US month first) or ISO, as ``YYYY-MM-DD``; any
    other text is kept for the date parser to reject with its reason."""
    text = pl.col(column).str.strip_chars()
    us = text.str.extract_groups(r"^(?<m>\d{1,2})/(?<d>\d{1,2})/(?<y>\d{4})(?:\s+[\d:]+)?$")
    from_us = pl.concat_str(
        us.struct.field("y"),
        pl.lit("-"),
        us.struct.field("m").str.zfill(2),
        pl.lit("-"),
        us.struct.field("d").str.zfill(2),
    )
    iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+)?$")
    return pl.coalesce(from_us, iso, text)


def _common(frame: pl.LazyFrame, headers: dict[str, str], source: str) -> pl.LazyFrame:
    """Per line: the columns every measure row of it shares."""
    valid_to = _iso_date(headers["end_effective_date"]) if "end_effective_date" in headers else None
    return frame.select(
        ROW_INDEX,
        pl.lit("US").alias("reporter"),
        # Spreadsheets drop the leading zero of chapters 01-09: an HTS line has 8 digits.
        pl.col(headers["hts8"]).str.strip_chars().str.zfill(8).alias("hs_code"),
        _iso_date(headers["begin_effect_date"]).alias("valid_from"),
        (
            pl.when(valid_to.str.slice(0, 4).cast(pl.Int32, strict=False) < OPEN_FROM_YEAR).then(
                valid_to
            )
            if valid_to is not None
            else pl.lit(None, dtype=pl.String)
        ).alias("valid_to"),
        pl.lit(source).alias("source"),
        pl.col(headers["mfn_text_rate"]).alias("mfn_rate"),
        (pl.col(headers[SPECIAL]) if SPECIAL in headers else pl.lit(None, dtype=pl.String))
        .str.strip_chars()
        .alias("special"),
        (
            pl.col(headers["col2_text_rate"])
            if "col2_text_rate" in headers
            else pl.lit(None, dtype=pl.String)
        ).alias("col2_rate"),
    )


def _rows(lines: pl.LazyFrame, origin: pl.Expr, **columns: pl.Expr) -> pl.LazyFrame:
    """Measure rows in one column order, with the reader's internal columns; ``origin`` is
    the file's column the rate came from."""
    defaults = {
        "partner": pl.lit(None, dtype=pl.String),
        BROKEN_REASON: pl.lit(None, dtype=pl.String),
        BROKEN_FIELD: pl.lit(None, dtype=pl.String),
        BROKEN_TEXT: pl.lit(None, dtype=pl.String),
    }
    exprs = defaults | columns
    return lines.select(
        ROW_INDEX,
        *(pl.col(name) for name in ("reporter", "hs_code", "valid_from", "valid_to", "source")),
        *(expr.alias(name) for name, expr in exprs.items()),
        origin.alias(ORIGIN),
    )


def _special_groups(lines: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """One row per (line, programme code) of ``col1_special_text``, in the text's order, and
    one unreadable row for a line with text outside any ``rate (codes)`` group."""
    groups = (
        lines.filter(pl.col("special").is_not_null() & (pl.col("special") != ""))
        .with_columns(pl.col("special").str.extract_all(GROUP).alias("group"))
        .explode("group")
        .with_columns(pl.col("group").str.extract_groups(GROUP_PARTS).alias("parts"))
        .with_columns(
            pl.col("parts").struct.field("rate").alias("group_rate"),
            pl.col("parts").struct.field("codes").str.split(",").alias("written_code"),
        )
        .explode("written_code")
        .with_columns(pl.col("written_code").str.strip_chars())
        .filter(pl.col("written_code") != "")
    )
    leftover = lines.with_columns(
        pl.col("special").str.replace_all(GROUP, "").str.strip_chars().alias("leftover")
    ).filter(pl.col("leftover").is_not_null() & (pl.col("leftover") != ""))
    unreadable = _rows(
        leftover,
        pl.lit(SPECIAL),
        measure=pl.lit("preferential"),
        rate_pct=pl.lit(None, dtype=pl.String),
        legal_basis=pl.lit(None, dtype=pl.String),
        **{
            BROKEN_REASON: pl.lit("text outside any 'rate (programme codes)' group"),
            BROKEN_FIELD: pl.lit(SPECIAL),
            BROKEN_TEXT: pl.col("special"),
        },
    )
    return groups, unreadable


def _agreement_groups(frame: pl.LazyFrame, headers: dict[str, str]) -> pl.LazyFrame | None:
    """(line, code, rate) from the per-agreement columns, for lines without special text:
    ``korea_indicator`` = ``KR`` with ``korea_ad_val_rate`` 0.05 is 5%. A programme with no
    rate columns is duty-free (the database's layout); a specific part or the "see the text"
    code 9999.99 cannot be read from the numbers and makes the line unreadable."""
    parts = []
    for key, header in headers.items():
        match = INDICATOR.match(key)
        if not match:
            continue
        prefix = match["prefix"]
        # nafta_mexico_ind keeps its rates under mexico_*.
        rate_prefix = next(
            (p for p in (prefix, prefix.split("_", 1)[-1]) if f"{p}_ad_val_rate" in headers),
            None,
        )
        ad_valorem = (
            pl.col(headers[f"{rate_prefix}_ad_val_rate"]).cast(pl.Float64, strict=False)
            if rate_prefix
            else pl.lit(0.0)
        )
        specific = [
            pl.col(headers[f"{rate_prefix}_{part}_rate"])
            .cast(pl.Float64, strict=False)
            .fill_null(0)
            for part in ("specific", "other")
            if rate_prefix and f"{rate_prefix}_{part}_rate" in headers
        ]
        readable = (
            ad_valorem.is_not_null()
            & (ad_valorem < 9999)
            & pl.all_horizontal([s == 0 for s in specific] or [pl.lit(True)])
        )
        parts.append(
            frame.select(
                ROW_INDEX,
                pl.col(header).str.strip_chars().alias("written_code"),
                # A number: the rate the file sent, kept without a rate text.
                pl.when(readable)
                .then((ad_valorem * 100).round(6).cast(pl.String))
                .alias("group_rate"),
                pl.when(~readable).then(pl.lit(rate_prefix or prefix)).alias("numbers_of"),
            ).filter(pl.col("written_code").is_not_null() & (pl.col("written_code") != ""))
        )
    return pl.concat(parts, how="vertical") if parts else None


def measure_rows(frame: pl.LazyFrame, file_name: str) -> pl.LazyFrame:
    """The measure rows (text columns, as the tariffs feed reads them) of a USITC file."""
    headers = {normalise_header(h): h for h in frame.collect_schema().names() if h != ROW_INDEX}
    year = re.search(r"(19|20)\d{2}", file_name)
    source = f"USITC tariff database {year.group(0)}" if year else "USITC tariff database"
    lines = _common(frame, headers, source)
    seed = programmes().lazy()

    mfn = _rows(
        lines,
        pl.lit("mfn_text_rate"),
        partner=pl.lit("*"),
        measure=pl.lit("MFN"),
        rate_pct=pl.col("mfn_rate"),
        legal_basis=pl.lit("HTSUS column 1 general"),
    )

    column_2 = seed.filter(pl.col("measure") == "column_2").select(
        pl.col("partners").alias("column_2_partners"), pl.col("valid_from").alias("column_2_from")
    )
    # A country that entered column 2 on a day (Russia, Belarus: 2022-04-09) has the line's
    # column 2 rate from that day on, and none on a line that ended before it. Dates are ISO
    # text here; a line's unreadable date stays as it is and quarantines the line.
    col2 = (
        lines.filter(pl.col("col2_rate").str.strip_chars() != "")
        .join(column_2, how="cross")
        .filter(
            pl.col("column_2_from").is_null()
            | pl.col("valid_to").is_null()
            | (pl.col("valid_to") >= pl.col("column_2_from"))
        )
        .with_columns(pl.max_horizontal("valid_from", "column_2_from").alias("valid_from"))
        .explode("column_2_partners")
    )
    col2 = _rows(
        col2,
        pl.lit("col2_text_rate"),
        partner=pl.col("column_2_partners"),
        measure=pl.lit("column_2"),
        rate_pct=pl.col("col2_rate"),
        legal_basis=pl.lit("HTSUS column 2"),
    )

    groups, unreadable = _special_groups(lines)
    groups = groups.select(
        ROW_INDEX, "written_code", "group_rate", pl.lit(None, dtype=pl.String).alias("numbers_of")
    ).with_columns(pl.lit(SPECIAL).alias(ORIGIN))
    agreements = _agreement_groups(frame, headers)
    if agreements is not None:
        without_text = lines.filter(pl.col("special").is_null() | (pl.col("special") == ""))
        agreements = agreements.join(without_text.select(ROW_INDEX), on=ROW_INDEX, how="semi")
        groups = pl.concat(
            [groups, agreements.with_columns(pl.lit("per-agreement columns").alias(ORIGIN))],
            how="vertical",
        )
    coded = (
        groups.with_row_index("__order")
        .with_columns(pl.col("written_code").str.strip_chars_end("*+").alias("code"))
        .join(
            seed.filter(pl.col("measure") == "preferential").drop("valid_from"),
            on="code",
            how="left",
        )
        .join(lines, on=ROW_INDEX, how="inner")
    )
    unknown = pl.col("programme").is_null()
    reason = (
        pl.when(unknown)
        .then(
            pl.lit("unknown programme code ")
            + pl.col("written_code")
            + pl.lit(" (add it to dbt_project/seeds/us_preference_programmes.csv)")
        )
        .when(pl.col("numbers_of").is_not_null())
        .then(
            pl.lit("the rate of ")
            + pl.col("written_code")
            + pl.lit(" is only in numeric columns and has a specific part or is 'see the text'")
        )
    )
    # A code the seed knows but lists no partners for (GSP beneficiaries, ...) yields no row;
    # an unreadable code keeps one row, to quarantine the line.
    preferential = (
        coded.with_columns(
            pl.when(reason.is_null())
            .then(pl.col("partners"))
            .otherwise(pl.lit([None], dtype=pl.List(pl.String)))
            .alias("partners"),
            reason.alias(BROKEN_REASON),
        )
        .explode("partners")
        .filter(pl.col("partners").is_not_null() | pl.col(BROKEN_REASON).is_not_null())
        # Where programmes overlap (NAFTA CA and USMCA S), the lowest rate applies (General
        # Note 3(a)(iii)): a Free group first, then the text's order.
        .sort(ROW_INDEX, pl.col("group_rate").str.to_lowercase() != "free", "__order")
        .unique(subset=[ROW_INDEX, "partners"], keep="first", maintain_order=True)
    )
    preferential = _rows(
        preferential,
        pl.col(ORIGIN),
        partner=pl.col("partners"),
        measure=pl.lit("preferential"),
        rate_pct=pl.col("group_rate"),
        legal_basis=pl.lit("HTSUS column 1 special (") + pl.col("written_code") + pl.lit(")"),
        **{
            BROKEN_REASON: pl.col(BROKEN_REASON),
            BROKEN_FIELD: pl.when(pl.col(BROKEN_REASON).is_not_null()).then(pl.col(ORIGIN)),
            BROKEN_TEXT: pl.when(pl.col(BROKEN_REASON).is_not_null()).then(
                pl.coalesce(pl.col("special"), pl.col("written_code"))
            ),
        },
    )
    return pl.concat([mfn, col2, preferential, unreadable], how="vertical").sort(
        ROW_INDEX, maintain_order=True
    )
