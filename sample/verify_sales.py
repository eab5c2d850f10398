"""Check the bundled sample sales drops against the published figures, without the pipeline.

Run ``uv run python sample/verify_sales.py``. It reads every file under
``sample/landing/sales/<drop date>/`` as a careful reader would (gunzip, strip a BOM, fall back
to GB18030, Chinese headers and spellings via ``sample/aliases_used.md``, ``2025年3月``
periods, ``万`` prices, thousands separators, ``0`` = unknown MSRP in Parquet), lets the latest
drop win per (period, brand, model, trim), then checks the figures of ``design.md`` and the
format traits each drop is meant to exercise. It prints every figure and exits non-zero if any
check fails.

It shares no code with ``generate_sales.py`` on purpose: a bug there must not hide here.
"""

from __future__ import annotations

import gzip
import re
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl

from orchestration.seeds import read_seed

SAMPLE_DIR = Path(__file__).resolve().parent
SALES_DIR = SAMPLE_DIR / "landing" / "sales"
ALIASES_FILE = SAMPLE_DIR / "aliases_used.md"
FIELDS = [
    "period", "brand", "group", "model", "trim", "powertrain",
    "msrp_cny", "units", "origin", "source",
]  # fmt: skip
KEY = ["period", "brand", "model", "trim"]
ALIASED_FIELDS = ("brand", "group", "model", "powertrain")
BOM = b"\xef\xbb\xbf"
TOP = "500k+"
JAN_FEB_2025 = ["2025-01", "2025-02"]
CJK = re.compile(r"[\u3400-\u9fff]")
THOUSANDS = re.compile(rb',"\d{1,3}(,\d{3})+",')


def load_aliases() -> dict[str, dict[str, str]]:
    """``{field: {spelling: canonical}}`` from the tables in aliases_used.md."""
    aliases: dict[str, dict[str, str]] = {}
    for line in ALIASES_FILE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in (*ALIASED_FIELDS, "header"):
            aliases.setdefault(cells[0], {})[cells[1]] = cells[2]
    return aliases


def file_text(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def parse_msrp(text: str | None) -> int | None:
    """``509800``, ``50.98万``, empty or ``0`` (unknown) -> yuan or None."""
    text = (text or "").strip().replace(",", "")
    if text in ("", "0"):
        return None
    value = Decimal(text[:-1]) * 10_000 if text.endswith("万") else Decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"MSRP {text!r} is not a whole number of yuan")
    return int(value)


def read_raw(path: Path, headers: dict[str, str]) -> pl.DataFrame:
    """One drop file as strings with English column names."""
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
    else:
        frame = pl.read_csv(file_text(path).encode("utf-8"), infer_schema=False)
    frame = frame.rename({c: headers[c] for c in frame.columns if c in headers})
    return frame.select(pl.all().cast(pl.String))


def normalise(raw: pl.DataFrame, aliases: dict[str, dict[str, str]], drop: str) -> pl.DataFrame:
    year = pl.col("period").str.extract(r"^(\d{4})", 1)
    month = pl.col("period").str.extract(r"^\d{4}(?:-|年)(\d{1,2})", 1).str.zfill(2)
    frame = raw.with_columns(
        *(pl.lit(None, pl.String).alias(c) for c in FIELDS if c not in raw.columns)
    )
    return frame.select(
        (year + "-" + month).alias("period"),
        *(pl.col(c).replace(aliases.get(c, {})) for c in ("brand", "group", "model")),
        "trim",
        pl.col("powertrain").replace(aliases["powertrain"]),
        pl.col("msrp_cny").map_elements(parse_msrp, return_dtype=pl.Int64),
        pl.col("units").str.replace_all(",", "").cast(pl.Int64),
        "origin",
        "source",
        pl.lit(drop).alias("drop_date"),
    )


def price_band(msrp: pl.Expr) -> pl.Expr:
    """The band of a price in the seed price_bands; a missing price: the band without bounds."""
    bands = read_seed("price_bands").with_columns(pl.col("min_msrp_cny", "max_msrp_cny").cast(int))
    band = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for name, low, high in bands.select("price_band", "min_msrp_cny", "max_msrp_cny").rows():
        if low is None:
            band = band.when(msrp.is_null()).then(pl.lit(name))
        else:
            inside = (msrp >= low) & (msrp < high) if high is not None else msrp >= low
            band = band.when(inside).then(pl.lit(name))
    return band


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, label: str, ok: bool, figure: object = "") -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {label}{': ' if figure != '' else ''}{figure}")
        if not ok:
            self.failed.append(label)


def units(frame: pl.DataFrame, **filters: object) -> int:
    """Sum of units over rows matching column == value (a list value means 'is in')."""
    for column, value in filters.items():
        col = pl.col(column)
        frame = frame.filter(col.is_in(value) if isinstance(value, list) else col == value)
    return int(frame["units"].sum())


def months(year: int, first: int = 1, last: int = 12) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


def brand_ranking(frame: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    return (
        frame.filter(pl.col("period").is_in(periods), pl.col("band") == TOP)
        .group_by("brand")
        .agg(pl.col("units").sum())
        .sort(["units", "brand"], descending=[True, False])
    )


def check_formats(check: Checks, drops: dict[str, pl.DataFrame], files: dict[str, Path]) -> None:
    """The traits each drop exists to exercise (see generate_sales.py)."""
    csv_2023 = files["2024-01-10"].read_bytes()
    h1 = gzip.decompress(files["2024-07-08"].read_bytes())
    cn = files["2025-04-09"].read_bytes()
    check("2023 file: UTF-8 without BOM", not csv_2023.startswith(BOM))
    check("2024 H1 file: gzip of UTF-8 with BOM", h1.startswith(BOM))
    check("2024 H1 file: units with thousands separators", bool(THOUSANDS.search(h1)))
    schema = pl.read_parquet_schema(files["2025-01-09"])
    check(
        "2024 H2 parquet: int64 msrp_cny/units, 0 for a missing MSRP",
        schema["msrp_cny"] == schema["units"] == pl.Int64
        and 0 in pl.read_parquet(files["2025-01-09"])["msrp_cny"].to_list(),
    )
    check("2025-02 file: no origin column", "origin" not in read_raw(files["2025-03-10"], {}))
    try:
        cn.decode("utf-8")
        gb18030_only = False
    except UnicodeDecodeError:
        gb18030_only = True
    check("2025-03 file: GB18030 (not valid UTF-8)", gb18030_only)
    check("2025-03 file: Chinese periods and 万 prices", "2025年3月" in cn.decode("gb18030"))

    prelim, restated = drops["2025-02-11"], drops["2025-03-10"].filter(period="2025-01")
    check(
        "2025-01 restated in full (same keys as preliminary)",
        prelim.select(KEY).sort(KEY).equals(restated.select(KEY).sort(KEY)),
        f"{restated.height} rows",
    )
    joined = prelim.join(restated, on=KEY, suffix="_final")
    revised = sorted(set(joined.filter(pl.col("units") != pl.col("units_final"))["brand"]))
    check("revised brands include AITO and BMW", {"AITO", "BMW"} <= set(revised), revised)


def check_aliases(check: Checks, drops: dict[str, pl.DataFrame], raw_cn: pl.DataFrame) -> None:
    """No Chinese spelling survives the alias map, and the map lists nothing unused."""
    aliases = load_aliases()
    cn = drops["2025-04-09"]
    for field in ALIASED_FIELDS:
        unmapped = {value for value in cn[field].drop_nulls() if CJK.search(value)}
        check(f"every Chinese {field} spelling is listed", not unmapped, unmapped or "")
        listed = set(aliases.get(field, {}))
        unused = listed - set(raw_cn[field].drop_nulls())
        check(f"every listed {field} alias is used", not unused, unused or "")


def check_figures(check: Checks, final: pl.DataFrame) -> None:
    year_2023, year_2024 = months(2023), months(2024)
    ranking_2024 = brand_ranking(final, year_2024)
    print("  500k+ band 2024, top 5:", ranking_2024.head(5).rows())
    top = dict(ranking_2024.rows())
    check(
        "1. AITO leads 500k+ 2024 by a clear margin (>=15%) over Mercedes-Benz and BMW",
        ranking_2024["brand"][0] == "AITO"
        and top["AITO"] >= 1.15 * max(top["Mercedes-Benz"], top["BMW"]),
        f"AITO {top['AITO']:,}, Mercedes-Benz {top['Mercedes-Benz']:,}, BMW {top['BMW']:,}",
    )
    m9_2024 = units(final, brand="AITO", model="M9", period=year_2024)
    check("2. AITO M9 deliveries 2024 = 151,000", m9_2024 == 151_000, f"{m9_2024:,}")
    m9 = final.filter(brand="AITO", model="M9")
    cheapest = m9.filter(pl.col("period").is_in(year_2024), powertrain="BEV")["msrp_cny"].min()
    check("3. cheapest M9 BEV trim 2024 = 509,800", cheapest == 509_800, f"{cheapest:,}")
    seres = {y: units(final, group="Seres", period=months(y)) for y in (2023, 2024)}
    check(
        "4. Seres group 2024 = 427,000",
        seres[2024] == 427_000,
        f"{seres[2024]:,} (2023: {seres[2023]:,}, x{seres[2024] / seres[2023]:.2f})",
    )
    band = {y: units(final, band=TOP, period=p) for y, p in ((2023, year_2023), (2024, year_2024))}
    check(
        "5. 500k+ band 2024 vs 2023 = -23% exactly",
        band[2024] * 100 == band[2023] * 77,
        f"{band[2023]:,} -> {band[2024]:,} ({band[2024] / band[2023] - 1:+.2%})",
    )
    prices = m9.group_by("trim").agg(
        pl.col("msrp_cny").filter(pl.col("period").str.starts_with("2024")).max().alias("p2024"),
        pl.col("msrp_cny").filter(pl.col("period").str.starts_with("2025")).max().alias("p2025"),
    )
    cuts = prices.with_columns(cut=pl.col("p2024") - pl.col("p2025")).sort("trim")
    in_range = cuts.filter(pl.col("cut").is_between(10_000, 20_000)).height
    check(
        "6. most M9 trims 10,000-20,000 yuan cheaper in 2025, none dearer",
        in_range * 2 > cuts.height and cuts["cut"].min() >= 0,
        f"{in_range} of {cuts.height} cut: {dict(zip(cuts['trim'], cuts['cut'], strict=True))}",
    )
    ranking_jf = brand_ranking(final, JAN_FEB_2025)
    expected = [("Mercedes-Benz", 22_160), ("BMW", 18_130), ("AITO", 17_190)]
    check(
        "7. 500k+ Jan-Feb 2025 top 3 = Mercedes-Benz 22,160; BMW 18,130; AITO 17,190",
        ranking_jf.head(3).rows() == expected,
        ranking_jf.head(4).rows(),
    )
    q1 = {y: units(final, group="Seres", period=months(y, 1, 3)) for y in (2024, 2025)}
    check(
        "8. Seres group Q1 2025 vs Q1 2024 = -42% exactly",
        q1[2025] * 100 == q1[2024] * 58,
        f"{q1[2024]:,} -> {q1[2025]:,} ({q1[2025] / q1[2024] - 1:+.2%})",
    )


def check_shape(check: Checks, final: pl.DataFrame) -> None:
    check("final rows in 2,000-4,000", 2_000 <= final.height <= 4_000, f"{final.height:,}")
    check("units non-negative", final["units"].min() >= 0)
    unknown = final.filter(band="unknown")
    check(
        "missing-MSRP rows keep their units",
        unknown.height > 0 and unknown["units"].min() > 0,
        f"{unknown['trim'].n_unique()} trims, {unknown['units'].sum():,} units",
    )
    priced = final["msrp_cny"].drop_nulls()
    check(
        "prices within 10,000-50,000,000 yuan",
        priced.min() >= 10_000 and priced.max() <= 50_000_000,
        f"{priced.min():,} to {priced.max():,}",
    )
    bands = final.group_by("band").agg(pl.col("units").sum()).sort("band")
    check(
        "every price band present",
        bands.height == read_seed("price_bands").height,
        bands.rows(),
    )


def main() -> int:
    aliases = load_aliases()
    files = {path.parent.name: path for path in sorted(SALES_DIR.glob("*/*")) if path.is_file()}
    if len(files) != len(list(SALES_DIR.glob("*/*"))):
        raise SystemExit("expected one file per drop folder")
    drops = {
        drop: normalise(read_raw(path, aliases["header"]), aliases, drop)
        for drop, path in files.items()
    }
    check = Checks()
    print("files:")
    for drop, frame in drops.items():
        periods = sorted(set(frame["period"]))
        duplicates = frame.height - frame.select(KEY).n_unique()
        check(f"{drop}/{files[drop].name}", duplicates == 0, f"{frame.height} rows {periods}")

    history = pl.concat(drops.values()).sort("drop_date")
    final = history.unique(subset=KEY, keep="last", maintain_order=True).with_columns(
        band=price_band(pl.col("msrp_cny"))
    )
    print("drop formats:")
    check_formats(check, drops, files)
    print("aliases:")
    check_aliases(check, drops, read_raw(files["2025-04-09"], aliases["header"]))
    print("final data (latest drop wins):")
    check_shape(check, final)
    print("published figures:")
    check_figures(check, final)

    print("canonical brands:", sorted(set(final["brand"])))
    print("canonical groups:", sorted(set(final["group"])))
    print("canonical powertrains:", sorted(set(final["powertrain"])))
    if check.failed:
        print(f"FAILED: {len(check.failed)} check(s)")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
