"""The two landing feeds: their fields, header aliases and how each value is parsed.

One table of header aliases per feed: vendors send English or Chinese headers, in any case,
with spaces or BOMs; every spelling of a field maps to one canonical column name here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from orchestration.ingest import values
from orchestration.seeds import read_seed

# The kinds of measure the tariffs feed accepts: the seed that also gives their stack roles.
MEASURES = tuple(read_seed("tariff_measure_kinds")["measure"])


@dataclass(frozen=True)
class Field:
    name: str
    dtype: pl.DataType
    parse: Callable[[str], values.Parsed]
    required: bool
    aliases: tuple[str, ...] = ()
    # A field read from another field's column (the parts of a duty from the rate column):
    # no header maps to it.
    source: str | None = None


@dataclass(frozen=True)
class Rule:
    """A rule across fields: where ``broken(values)`` holds, the row is quarantined on
    ``field`` with ``reason``. ``values`` maps each field to its parsed expression."""

    field: str
    broken: Callable[[dict[str, pl.Expr]], pl.Expr]
    reason: str


@dataclass(frozen=True)
class Feed:
    """A landing feed: ``landing/<name>/<drop date>/`` files parsed into ``raw.<name>``."""

    name: str
    formats: tuple[str, ...]
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    # Whether a sidecar may say that each dated row holds until the next one of its lane.
    until_next: bool = False

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    @property
    def read_fields(self) -> list[Field]:
        """The fields a file's own columns hold (not read from another field's column)."""
        return [f for f in self.fields if f.source is None]

    def canonical_header(self, header: str) -> str:
        key = normalise_header(header)
        for field in self.read_fields:
            if key == field.name or key in field.aliases:
                return field.name
        return key

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {f.name: f.dtype for f in self.fields}


def normalise_header(header: str) -> str:
    """``\\ufeff Units `` -> ``units``; ``MSRP (CNY)`` -> ``msrp_cny``; Chinese is kept as is."""
    cleaned = header.replace("\ufeff", "").strip().lower()
    cleaned = re.sub(r"[\s\-/().（）%]+", "_", cleaned)
    return cleaned.strip("_")


SALES = Feed(
    name="sales",
    formats=("csv", "csv.gz", "parquet"),
    fields=(
        Field("period", pl.Date, values.month, True, ("month", "月份", "月度", "日期", "年月")),
        Field("brand", pl.String, values.plain_text, True, ("make", "marque", "品牌")),
        Field(
            "group",
            pl.String,
            values.plain_text,
            False,
            ("group_name", "manufacturer", "oem", "厂商", "集团", "制造商", "企业"),
        ),
        Field("model", pl.String, values.plain_text, True, ("车型", "车系", "model_name")),
        Field("trim", pl.String, values.plain_text, False, ("version", "variant", "版本", "配置")),
        Field(
            "powertrain",
            pl.String,
            values.plain_text,
            False,
            ("fuel_type", "energy_type", "动力类型", "能源类型", "燃料类型"),
        ),
        Field(
            "msrp_cny",
            pl.Int64,
            values.price_cny,
            False,
            ("msrp", "price", "guide_price", "price_cny", "指导价", "厂商指导价", "官方指导价"),
        ),
        Field(
            "units",
            pl.Int64,
            values.units,
            True,
            ("deliveries", "sales", "volume", "registrations", "销量", "交付量", "上险量"),
        ),
        Field(
            "origin", pl.String, values.plain_text, False, ("country_of_origin", "产地", "原产地")
        ),
        Field("source", pl.String, values.plain_text, False, ("data_source", "来源", "数据来源")),
    ),
)

TARIFFS = Feed(
    name="tariffs",
    formats=("csv", "txt", "csv.gz", "json"),
    fields=(
        Field("reporter", pl.String, values.plain_text, True, ("imposing_country", "importer")),
        Field("partner", pl.String, values.plain_text, True, ("origin", "exporter_country")),
        Field("hs_code", pl.String, values.hs_code, True, ("hs", "hscode", "tariff_line")),
        Field("measure", pl.String, values.choice(MEASURES), True, ("measure_type", "type")),
        Field("company", pl.String, values.plain_text, False, ("exporter", "producer")),
        Field("rate_pct", pl.Float64, values.rate_pct, True, ("rate", "duty_pct", "ad_valorem")),
        Field("valid_from", pl.Date, values.iso_date, True, ("start_date", "from")),
        Field("valid_to", pl.Date, values.iso_date, False, ("end_date", "to")),
        Field("legal_basis", pl.String, values.plain_text, False, ("regulation", "legal_act")),
        Field("source", pl.String, values.plain_text, False, ("url", "publication")),
        Field("rate_text", pl.String, values.rate_text, False, source="rate_pct"),
        Field("specific_amount", pl.Float64, values.duty_part("amount"), False, source="rate_pct"),
        Field(
            "specific_currency", pl.String, values.duty_part("currency"), False, source="rate_pct"
        ),
        Field("specific_unit", pl.String, values.duty_part("unit"), False, source="rate_pct"),
    ),
    until_next=True,
    rules=(
        Rule(
            "valid_to",
            lambda v: v["valid_to"] < v["valid_from"],
            "valid_to is before valid_from",
        ),
    ),
)

FEEDS = {feed.name: feed for feed in (SALES, TARIFFS)}
