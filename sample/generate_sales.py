"""Generate the bundled sample SALES drops under ``sample/landing/sales/``.

Run ``uv run python sample/generate_sales.py``. It deletes and rewrites ``sample/landing/sales/``
only; nothing else is touched. Output is byte-identical on every run: a fixed seed, no
timestamps, sorted rows, gzip with ``mtime=0`` and Parquet with fixed settings.

What is simulated
-----------------
Monthly deliveries per trim, 2023-01 to 2025-03, for 26 brands selling in China's premium
market (ThinkerCar-style data). Each trim has a guide price (MSRP) that may change over time
(Tesla's 2024 cuts, the AITO M9 2025 refresh), a powertrain, the country it is built in and a
mature monthly volume. Two trims have no published MSRP (a bespoke Hongqi L5, a Voyah fleet
edition): their units still count, in price band ``unknown``.

How the published figures come out exact
-----------------------------------------
The design notes ("Published figures the sample data must reproduce", from a ThinkerCar-based
news article) give figures that tests check against the marts, so they must hold exactly.
Volumes are built in two steps:

1. A smooth *base profile* (floats): mature volume x seasonality (Chinese New Year dips)
   x brand trend (plus a top-end trend for 500k+ trims) x model trend x launch ramp x a
   little seeded noise.
2. *Pins* (``PINS``), applied in order: each names a block of (trim, month) cells and its
   exact total. Cells fixed by an earlier pin keep their units; the remainder is spread over
   the still-free cells of the block in proportion to the base profile, using
   largest-remainder rounding so integer sums are exact. Cells no pin touches are rounded per
   (brand, year) the same way. The base profile is calibrated so that every pin scales its
   block by only a few percent, which keeps months continuous across block edges.

The drops (folder = drop date) and why each has its format
----------------------------------------------------------
Each drop exercises one thing the ingest must survive; keep them as they are.

``2024-01-10/thinkercar_2023.csv``
    2023-01..2023-12. The clean baseline: UTF-8 without BOM, English headers in contract
    order, ``2023-01`` periods, plain integers, MSRP empty where unknown.
``2024-07-08/thinkercar_2024h1.csv.gz``
    2024-01..2024-06. Gzip (sources compress big exports) of UTF-8 *with* BOM (Excel's CSV
    export; a reader that ignores it gets a header called ``\\ufeffperiod``), and units with
    thousands separators (``17,190``), which forces quoted CSV fields.
``2025-01-09/thinkercar_2024h2.parquet``
    2024-07..2024-12. Typed columns (``msrp_cny``/``units`` int64, the rest strings). The
    export writes a missing MSRP as ``0``: a sentinel that must become "unknown", not a price.
``2025-02-11/thinkercar_2025-01_preliminary.csv``
    2025-01 preliminary figures. Several brands (among them AITO and BMW) are revised later,
    so a pipeline that does not let the latest drop win misses the January-February figures.
``2025-03-10/thinkercar_2025-02.csv``
    2025-02 plus every 2025-01 row again (the restatement). The optional ``origin`` column is
    absent, because columns come and go between exports.
``2025-04-09/thinkercar_2025-03_cn.csv``
    2025-03 from a Chinese-language export: GB18030, Chinese headers, ``2025年3月`` periods,
    prices in 万 (``50.98万`` = 509,800 yuan; every price is exact in at most 4 decimals),
    units with thousands separators, Chinese brand/group/powertrain names and ``问界M9``-style
    AITO model names. Trim names stay as in the English files so keys still match.
    ``sample/aliases_used.md`` lists every such spelling with its canonical value.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.seeds import read_seed

SEED = 20250609
SALES_DIR = Path(__file__).resolve().parent / "landing" / "sales"
SOURCE = "ThinkerCar"
FIELDS = (
    "period", "brand", "group", "model", "trim", "powertrain",
    "msrp_cny", "units", "origin", "source",
)  # fmt: skip


def month_range(first: str, last: str) -> tuple[str, ...]:
    """Periods ``YYYY-MM`` from first to last, inclusive."""
    year, month = map(int, first.split("-"))
    periods = []
    while (period := f"{year}-{month:02d}") <= last:
        periods.append(period)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(periods)


def month_index(period: str) -> int:
    year, month = map(int, period.split("-"))
    return year * 12 + month - 1


PERIODS = month_range("2023-01", "2025-03")
YEAR_2023 = month_range("2023-01", "2023-12")
YEAR_2024 = month_range("2024-01", "2024-12")
H1_2024 = month_range("2024-01", "2024-06")
H2_2024 = month_range("2024-07", "2024-12")
Q1_2024 = month_range("2024-01", "2024-03")
Q1_2025 = month_range("2025-01", "2025-03")
JAN_FEB_2025 = month_range("2025-01", "2025-02")

# Published figures (design.md). The ratios are stated as in the article so that the
# exactness of "-23%" and "-42%" is visible, not hidden in a pre-computed constant.
BAND_500K_2023 = 600_000
BAND_500K_2024 = BAND_500K_2023 * 77 // 100
SERES_Q1_2024 = 100_000
SERES_Q1_2025 = SERES_Q1_2024 * 58 // 100
assert BAND_500K_2024 * 100 == BAND_500K_2023 * 77
assert SERES_Q1_2025 * 100 == SERES_Q1_2024 * 58

# Month-of-year factors for China's car market: soft spring, strong year-end push.
SEASON = {
    1: 1.0, 2: 0.8, 3: 1.0, 4: 0.9, 5: 0.95, 6: 1.05,
    7: 0.95, 8: 1.0, 9: 1.05, 10: 1.08, 11: 1.12, 12: 1.2,
}  # fmt: skip
# Chinese New Year moves between January and February (2023-01-22, 2024-02-10, 2025-01-29);
# the month holding the holiday dips and the month before it gets the pre-holiday rush.
NEW_YEAR_SEASON = {
    "2023-01": 0.85, "2023-02": 0.85,
    "2024-01": 1.15, "2024-02": 0.7,
    "2025-01": 0.95, "2025-02": 0.85,
}  # fmt: skip
# Launch months sell a fraction of the mature volume while deliveries ramp up.
LAUNCH_RAMP = (0.25, 0.6, 0.9)
NOISE = (0.92, 1.08)

Trend = tuple[tuple[str, float], ...]
Price = int | None | tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Brand:
    name: str
    group: str
    # Volume multiplier anchors (period, factor), linearly interpolated, flat outside.
    trend: Trend = ()
    # An extra trend for the brand's 500k+ trims, where the segment moved on its own.
    top_end: Trend = ()


@dataclass(frozen=True)
class Trim:
    brand: str
    model: str
    trim: str
    powertrain: str
    origin: str
    # A constant guide price, None when unpublished, or (from_period, price) steps.
    msrp: Price
    level: float  # mature monthly units at trend factor 1.0
    launch: str | None = None  # first month on sale; None = on sale before 2023
    end: str | None = None  # last month on sale
    trend: Trend = ()  # the model's own story, on top of the brand trend

    def on_sale(self, period: str) -> bool:
        return (self.launch or PERIODS[0]) <= period <= (self.end or PERIODS[-1])

    def msrp_at(self, period: str) -> int | None:
        if not isinstance(self.msrp, tuple):
            return self.msrp
        return [price for start, price in self.msrp if start <= period][-1]


def yearly(mid_2023: float, early_2025: float = 1.0) -> Trend:
    """A brand's course: mid-2023 and early-2025 volume relative to mid-2024 (levels are set
    at mid-2024), interpolated in between."""
    return (("2023-07", mid_2023), ("2024-07", 1.0), ("2025-02", early_2025))


def legacy_top_end(early_2025: float = 1.0) -> Trend:
    """Legacy brands' 500k+ trims: the price war of spring 2024 pushed buyers out of the top
    band, so they fell much harder than the brand's cheaper trims. Mercedes and BMW bought
    top-end volume back with discounts from late 2024 (early_2025 > 1)."""
    return (("2023-10", 2.0), ("2024-03", 1.0), ("2024-10", 1.0), ("2025-01", early_2025))


LEGACY_TOP_END = legacy_top_end()

# Seres' own badges collapsed once the factory turned to AITO.
SERES_BADGES: Trend = (("2023-07", 4.6), ("2024-04", 1.0), ("2025-02", 0.75))

BRANDS = {
    brand.name: brand
    for brand in (
        Brand("AITO", "Seres"),
        Brand("Seres", "Seres", SERES_BADGES),
        Brand("Mercedes-Benz", "Mercedes-Benz Group", yearly(1.1), legacy_top_end(1.7)),
        Brand("BMW", "BMW Group", yearly(1.1), legacy_top_end(1.5)),
        Brand("Audi", "Volkswagen Group", yearly(1.2), LEGACY_TOP_END),
        Brand("Porsche", "Volkswagen Group", yearly(1.15, 0.85), LEGACY_TOP_END),
        Brand("Bentley", "Volkswagen Group", yearly(1.15, 0.85), LEGACY_TOP_END),
        Brand("Rolls-Royce", "BMW Group", yearly(1.0), LEGACY_TOP_END),
        Brand("Lexus", "Toyota", yearly(1.2), LEGACY_TOP_END),
        Brand("Li Auto", "Li Auto", yearly(0.8, 0.8)),
        Brand("NIO", "NIO", yearly(0.9, 0.75)),
        Brand("Zeekr", "Geely", yearly(0.7, 0.85)),
        Brand("Volvo", "Geely", yearly(1.1), LEGACY_TOP_END),
        Brand("Xiaomi", "Xiaomi", yearly(1.0, 1.2)),
        Brand("Luxeed", "Chery", yearly(1.0, 0.8)),
        Brand("Stelato", "BAIC"),
        Brand("Tesla", "Tesla", yearly(1.05, 0.85), LEGACY_TOP_END),
        Brand("Land Rover", "JLR (Tata)", yearly(1.15, 0.85), LEGACY_TOP_END),
        Brand("Cadillac", "General Motors", yearly(1.25), LEGACY_TOP_END),
        Brand("Genesis", "Hyundai Motor Group", yearly(1.2), LEGACY_TOP_END),
        Brand("Lincoln", "Ford", yearly(1.2), LEGACY_TOP_END),
        Brand("Maserati", "Stellantis", yearly(1.15, 0.85), LEGACY_TOP_END),
        Brand("Denza", "BYD", yearly(1.1, 0.8)),
        Brand("Yangwang", "BYD", yearly(1.0, 0.6)),
        Brand("Hongqi", "FAW", yearly(0.95)),
        Brand("Voyah", "Dongfeng", yearly(0.7)),
    )
}

# The new M7 (2023-09) peaked in early 2024, then lost buyers to the M9 and to rivals.
M7_TREND: Trend = (("2024-01", 1.3), ("2024-05", 1.15), ("2024-10", 1.15), ("2025-02", 0.3))
# The M9 went on sale at the very end of 2023; deliveries took until spring 2024 to flow.
M9_TREND: Trend = (("2023-12", 0.5), ("2024-03", 1.0), ("2024-09", 1.0), ("2025-02", 0.88))
M5_TREND: Trend = (("2024-06", 1.0), ("2025-02", 0.45))
# Guide prices that moved, for the price history (all within their price band).
M5_PRO_PRICES = (("2023-01", 259_800), ("2024-01", 249_800))  # the 2024 edition
# Tesla: the Highland Model 3 (2023-09) came in dearer; the April 2024 round of cuts.
MODEL_3_RWD_PRICES = (("2023-01", 229_900), ("2023-09", 259_900), ("2024-04", 245_900))
MODEL_3_LR_PRICES = (("2023-01", 279_900), ("2023-09", 295_900), ("2024-04", 285_900))
MODEL_Y_RWD_PRICES = (("2023-01", 259_900), ("2024-04", 249_900))
M9_LAUNCH = "2023-12"
M9_REFRESH = "2025-01"
# The M9 2025 refresh cut four of five trims by 10,000-20,000 yuan. The Max BEV cut takes
# it below 500,000, out of the top band, which is why AITO fell behind in early 2025.
M9_TRIMS = (  # trim, powertrain, price at launch, price after the refresh, mature units/month
    ("Pro EREV 6-seat", "EREV", 469_800, 469_800, 1_050),
    ("Max EREV 6-seat", "EREV", 529_800, 514_800, 5_700),
    ("Ultra EREV 6-seat", "EREV", 569_800, 549_800, 4_050),
    ("Max BEV 6-seat", "BEV", 509_800, 494_800, 1_600),
    ("Ultra BEV 6-seat", "BEV", 569_800, 554_800, 1_200),
)

TRIMS = (
    # AITO (Seres x Huawei)
    Trim("AITO", "M5", "Pro EREV", "EREV", "CN", M5_PRO_PRICES, 1_700, trend=M5_TREND),
    Trim("AITO", "M5", "Max BEV", "BEV", "CN", 279_800, 900, trend=M5_TREND),
    Trim("AITO", "M7", "Max EREV 2022", "EREV", "CN", 319_800, 2_000, end="2023-08"),
    Trim("AITO", "M7", "Pro EREV", "EREV", "CN", 249_800, 6_000, "2023-09", trend=M7_TREND),
    Trim("AITO", "M7", "Max EREV", "EREV", "CN", 289_800, 7_000, "2023-09", trend=M7_TREND),
    Trim("AITO", "M7", "Ultra EREV", "EREV", "CN", 329_800, 2_500, "2024-04", trend=M7_TREND),
    Trim("AITO", "M7", "Max BEV", "BEV", "CN", 289_800, 1_200, "2024-09", trend=M7_TREND),
    *(
        Trim(
            "AITO",
            "M9",
            trim,
            powertrain,
            "CN",
            ((M9_LAUNCH, launch_price), (M9_REFRESH, price)),
            level,
            M9_LAUNCH,
            trend=M9_TREND,
        )
        for trim, powertrain, launch_price, price, level in M9_TRIMS
    ),
    # Seres' own badges: the cheap end the group grew out of
    Trim("Seres", "Fengon 500", "1.5T Comfort", "ICE", "CN", 69_900, 1_300),
    Trim("Seres", "Fengon 580", "1.5T Deluxe", "ICE", "CN", 89_900, 1_000),
    Trim("Seres", "Fengon ix5", "1.5T Flagship", "ICE", "CN", 119_900, 450),
    Trim("Seres", "SERES 3", "Standard BEV", "BEV", "CN", 159_800, 300),
    # Mercedes-Benz
    Trim("Mercedes-Benz", "C-Class", "C 260 L", "ICE", "CN", 339_300, 11_000),
    Trim("Mercedes-Benz", "E-Class", "E 260 L", "ICE", "CN", 449_900, 5_500),
    Trim("Mercedes-Benz", "E-Class", "E 300 L", "ICE", "CN", 518_800, 4_400),
    Trim("Mercedes-Benz", "GLC", "GLC 300 L 4MATIC", "ICE", "CN", 457_800, 8_000),
    Trim("Mercedes-Benz", "S-Class", "S 400 L", "ICE", "DE", 969_100, 1_400),
    Trim("Mercedes-Benz", "Maybach S-Class", "S 480 4MATIC", "ICE", "DE", 1_498_000, 530),
    Trim("Mercedes-Benz", "G-Class", "G 500", "ICE", "DE", 1_918_000, 260),
    Trim("Mercedes-Benz", "GLS", "GLS 450 4MATIC", "ICE", "US", 1_089_000, 800),
    # BMW
    Trim("BMW", "3 Series", "325Li M Sport", "ICE", "CN", 349_900, 11_000),
    Trim("BMW", "5 Series", "525Li", "ICE", "CN", 439_900, 8_000),
    Trim("BMW", "5 Series", "530Li", "ICE", "CN", 518_900, 1_600),
    Trim("BMW", "X5", "xDrive30Li M Sport", "ICE", "CN", 689_900, 3_900),
    Trim("BMW", "7 Series", "740Li", "ICE", "DE", 1_079_000, 540),
    Trim("BMW", "i7", "xDrive60L", "BEV", "DE", 1_108_000, 230),
    Trim("BMW", "X7", "xDrive40i", "ICE", "US", 969_900, 540),
    Trim("BMW", "iX3", "Innovation", "BEV", "CN", 399_900, 3_000),
    # Audi
    Trim("Audi", "A4L", "40 TFSI", "ICE", "CN", 321_800, 9_000),
    Trim("Audi", "A6L", "45 TFSI", "ICE", "CN", 439_800, 9_500),
    Trim("Audi", "Q5L", "45 TFSI", "ICE", "CN", 429_800, 7_000),
    Trim("Audi", "A8L", "55 TFSI quattro", "ICE", "DE", 858_000, 350),
    Trim("Audi", "Q7", "55 TFSI quattro", "ICE", "SK", 759_800, 400),
    # Porsche
    Trim("Porsche", "Macan", "Macan", "ICE", "DE", 578_000, 1_100),
    Trim("Porsche", "Cayenne", "Cayenne", "ICE", "DE", 928_000, 1_200),
    Trim("Porsche", "Panamera", "Panamera 4", "ICE", "DE", 1_138_000, 480),
    Trim("Porsche", "Taycan", "Taycan", "BEV", "DE", 888_000, 320),
    Trim("Porsche", "911", "Carrera", "ICE", "DE", 1_348_000, 200),
    # Bentley
    Trim("Bentley", "Bentayga", "Bentayga EWB V8", "ICE", "GB", 3_498_000, 60),
    Trim("Bentley", "Flying Spur", "V8", "ICE", "GB", 2_928_000, 45),
    Trim("Bentley", "Continental GT", "V8", "ICE", "GB", 3_188_000, 25),
    # Rolls-Royce
    Trim("Rolls-Royce", "Cullinan", "Cullinan", "ICE", "GB", 5_960_000, 40),
    Trim("Rolls-Royce", "Ghost", "Ghost", "ICE", "GB", 4_680_000, 25),
    Trim("Rolls-Royce", "Phantom", "Phantom Extended", "ICE", "GB", 7_050_000, 10),
    Trim("Rolls-Royce", "Spectre", "Spectre", "BEV", "GB", 6_890_000, 15, "2024-01"),
    # Lexus
    Trim("Lexus", "ES", "ES 300h", "HEV", "JP", 299_000, 7_000),
    Trim("Lexus", "NX", "NX 350h", "HEV", "JP", 359_000, 2_500),
    Trim("Lexus", "RX", "RX 350h", "HEV", "JP", 469_000, 2_000),
    Trim("Lexus", "LM", "LM 350h", "HEV", "JP", 1_160_000, 400),
    Trim("Lexus", "LX", "LX 600", "ICE", "JP", 1_298_000, 120),
    # Li Auto
    Trim("Li Auto", "L6", "Max", "EREV", "CN", 279_800, 16_000, "2024-04"),
    Trim("Li Auto", "L7", "Pro", "EREV", "CN", 319_800, 10_000),
    Trim("Li Auto", "L8", "Max", "EREV", "CN", 359_800, 4_000),
    Trim("Li Auto", "L9", "Ultra", "EREV", "CN", 459_800, 10_000),
    Trim("Li Auto", "MEGA", "Ultra", "BEV", "CN", 559_800, 800, "2024-03"),
    # NIO
    Trim("NIO", "ET5", "75 kWh", "BEV", "CN", 298_000, 6_500),
    Trim("NIO", "ES6", "75 kWh", "BEV", "CN", 338_000, 5_500),
    Trim("NIO", "EC6", "75 kWh", "BEV", "CN", 358_000, 1_500),
    Trim("NIO", "ES8", "75 kWh", "BEV", "CN", 498_000, 1_200),
    Trim("NIO", "ET7", "75 kWh", "BEV", "CN", 428_000, 700),
    Trim("NIO", "ET9", "Executive", "BEV", "CN", 788_000, 1_000, "2025-03"),
    # Zeekr
    Trim("Zeekr", "001", "WE 100 kWh", "BEV", "CN", 269_000, 9_000),
    Trim("Zeekr", "007", "Smart Driving", "BEV", "CN", 229_900, 5_000, "2024-01"),
    Trim("Zeekr", "009", "WE", "BEV", "CN", 439_000, 1_500),
    Trim("Zeekr", "7X", "Max", "BEV", "CN", 263_900, 5_000, "2024-10"),
    # Volvo
    Trim("Volvo", "XC40", "B4 Plus", "ICE", "CN", 289_900, 2_500),
    Trim("Volvo", "XC60", "B5 Plus", "ICE", "CN", 369_900, 6_500),
    Trim("Volvo", "S90", "B5 Plus", "ICE", "CN", 409_900, 3_500),
    Trim("Volvo", "XC90", "B5 Plus", "ICE", "SE", 639_900, 1_000),
    Trim("Volvo", "EX30", "Ultra", "BEV", "CN", 200_800, 800, "2024-06"),
    # Xiaomi
    Trim("Xiaomi", "SU7", "Standard", "BEV", "CN", 215_900, 7_000, "2024-04"),
    Trim("Xiaomi", "SU7", "Pro", "BEV", "CN", 245_900, 3_500, "2024-05"),
    Trim("Xiaomi", "SU7", "Max", "BEV", "CN", 299_900, 6_000, "2024-04"),
    Trim("Xiaomi", "SU7", "Ultra", "BEV", "CN", 529_900, 1_500, "2025-03"),
    # Luxeed (Chery x Huawei)
    Trim("Luxeed", "S7", "Max", "BEV", "CN", 249_800, 2_000, "2023-12"),
    Trim("Luxeed", "S7", "Ultra", "BEV", "CN", 279_800, 800, "2023-12"),
    Trim("Luxeed", "R7", "Max", "BEV", "CN", 263_800, 3_000, "2024-09"),
    # Stelato (BAIC x Huawei)
    Trim("Stelato", "S9", "Max", "BEV", "CN", 399_800, 1_200, "2024-09"),
    Trim("Stelato", "S9", "Ultra", "BEV", "CN", 449_800, 800, "2024-09"),
    # Tesla
    Trim("Tesla", "Model 3", "RWD", "BEV", "CN", MODEL_3_RWD_PRICES, 10_000),
    Trim("Tesla", "Model 3", "Long Range AWD", "BEV", "CN", MODEL_3_LR_PRICES, 3_000),
    Trim("Tesla", "Model Y", "RWD", "BEV", "CN", MODEL_Y_RWD_PRICES, 22_000),
    Trim("Tesla", "Model Y", "Long Range AWD", "BEV", "CN", 299_900, 6_000),
    Trim("Tesla", "Model S", "Plaid", "BEV", "US", 814_900, 80),
    Trim("Tesla", "Model X", "Plaid", "BEV", "US", 894_900, 80),
    # Land Rover
    Trim("Land Rover", "Range Rover", "P400 LWB", "ICE", "GB", 1_508_000, 680),
    Trim("Land Rover", "Range Rover Sport", "P400", "ICE", "GB", 888_000, 520),
    Trim("Land Rover", "Defender", "110 P300", "ICE", "SK", 728_000, 600),
    Trim("Land Rover", "Range Rover Evoque", "P250", "ICE", "CN", 379_800, 1_200),
    Trim("Land Rover", "Discovery Sport", "P250", "ICE", "CN", 349_800, 900),
    # Cadillac
    Trim("Cadillac", "CT5", "28T", "ICE", "CN", 279_700, 4_500),
    Trim("Cadillac", "XT5", "28T 4WD", "ICE", "CN", 359_700, 3_500),
    Trim("Cadillac", "Lyriq", "Pro", "BEV", "CN", 439_900, 1_200),
    Trim("Cadillac", "Escalade", "600 Platinum", "ICE", "US", 1_108_000, 300),
    # Genesis
    Trim("Genesis", "GV70", "2.5T AWD", "ICE", "KR", 408_000, 80),
    Trim("Genesis", "GV80", "3.5T AWD", "ICE", "KR", 558_000, 60),
    Trim("Genesis", "G90", "3.5T AWD", "ICE", "KR", 898_000, 25),
    # Lincoln
    Trim("Lincoln", "Corsair", "2.0T", "ICE", "CN", 249_800, 1_800),
    Trim("Lincoln", "Nautilus", "2.0T", "ICE", "CN", 369_800, 2_500),
    Trim("Lincoln", "Aviator", "3.0T AWD", "ICE", "CN", 549_800, 500),
    Trim("Lincoln", "Navigator", "Black Label", "ICE", "US", 1_168_000, 80),
    # Maserati
    Trim("Maserati", "Grecale", "GT", "ICE", "IT", 598_800, 60),
    Trim("Maserati", "Levante", "GT", "ICE", "IT", 798_800, 40),
    Trim("Maserati", "Quattroporte", "Modena", "ICE", "IT", 1_278_000, 15),
    # Denza
    Trim("Denza", "D9", "DM-i 970 Premium", "PHEV", "CN", 339_800, 9_000),
    Trim("Denza", "D9", "EV 600 Premium", "BEV", "CN", 359_800, 1_000),
    Trim("Denza", "N7", "Smart Driving", "BEV", "CN", 301_800, 1_000),
    Trim("Denza", "Z9 GT", "DM", "PHEV", "CN", 334_800, 2_500, "2024-10"),
    # Yangwang
    Trim("Yangwang", "U8", "Luxury", "EREV", "CN", 1_098_000, 500, "2023-09"),
    Trim("Yangwang", "U9", "Standard", "BEV", "CN", 1_680_000, 80, "2024-08"),
    # Hongqi
    Trim("Hongqi", "H5", "2.0T Smart", "ICE", "CN", 159_800, 8_000),
    Trim("Hongqi", "H9", "2.0T Zhixiang", "ICE", "CN", 309_800, 1_800),
    Trim("Hongqi", "HQ9", "PHEV Flagship", "PHEV", "CN", 379_800, 1_500, "2024-04"),
    Trim("Hongqi", "E-HS9", "6-seat Qixiang", "BEV", "CN", 559_800, 350),
    # Built to order, price on request: no guide price is published.
    Trim("Hongqi", "L5", "Custom", "ICE", "CN", None, 10),
    # Voyah
    Trim("Voyah", "Free", "EREV 4WD", "EREV", "CN", 259_900, 2_500),
    Trim("Voyah", "Dreamer", "PHEV Flagship", "PHEV", "CN", 369_900, 3_500),
    # Sold to fleets under contract: no guide price is published.
    Trim("Voyah", "Dreamer", "Fleet Edition", "PHEV", "CN", None, 400),
    Trim("Voyah", "Passion", "BEV 4WD", "BEV", "CN", 325_900, 1_500, "2023-04"),
)


# (name, lowest price, price where the next band starts) of every band in the seed.
PRICE_BANDS = [
    (name, low and int(low), high and int(high))
    for name, low, high in read_seed("price_bands")
    .select("price_band", "min_msrp_cny", "max_msrp_cny")
    .rows()
]


def price_band(msrp: int | None) -> str:
    """The band of a price in the seed price_bands; no price (or 0): the band without bounds."""
    for name, low, high in PRICE_BANDS:
        if low is None and not msrp:
            return name
        if low is not None and msrp and low <= msrp and (high is None or msrp < high):
            return name
    raise ValueError(f"no price band for {msrp}")


@dataclass
class Cell:
    """One trim in one month: its base-profile volume and, once allocated, its units."""

    trim: Trim
    period: str
    base: float
    units: int | None = None

    @property
    def msrp(self) -> int | None:
        return self.trim.msrp_at(self.period)

    @property
    def band(self) -> str:
        return price_band(self.msrp)

    @property
    def group(self) -> str:
        return BRANDS[self.trim.brand].group


@dataclass(frozen=True)
class Pin:
    """An exact total for a block of cells (filters left as None match everything)."""

    label: str
    target: int
    periods: tuple[str, ...]
    brand: str | None = None
    group: str | None = None
    model: str | None = None
    band: str | None = None

    def matches(self, cell: Cell) -> bool:
        return (
            cell.period in self.periods
            and self.brand in (None, cell.trim.brand)
            and self.group in (None, cell.group)
            and self.model in (None, cell.trim.model)
            and self.band in (None, cell.band)
        )


# Order matters: the narrowest figures first, so that wider blocks only fill what is left.
PINS = (
    Pin("AITO 500k+ Jan-Feb 2025", 17_190, JAN_FEB_2025, brand="AITO", band="500k+"),
    Pin(
        "Mercedes-Benz 500k+ Jan-Feb 2025",
        22_160,
        JAN_FEB_2025,
        brand="Mercedes-Benz",
        band="500k+",
    ),
    Pin("BMW 500k+ Jan-Feb 2025", 18_130, JAN_FEB_2025, brand="BMW", band="500k+"),
    Pin("AITO M9 2024", 151_000, YEAR_2024, brand="AITO", model="M9"),
    Pin("Seres group Q1 2024", SERES_Q1_2024, Q1_2024, group="Seres"),
    Pin("Seres group 2024", 427_000, YEAR_2024, group="Seres"),
    Pin("Seres group Q1 2025", SERES_Q1_2025, Q1_2025, group="Seres"),
    # Not a published figure: a round total about 1/3 of 2024 (the article: "tripled").
    Pin("Seres group 2023", 250_000, YEAR_2023, group="Seres"),
    Pin("500k+ band 2023", BAND_500K_2023, YEAR_2023, band="500k+"),
    Pin("500k+ band 2024", BAND_500K_2024, YEAR_2024, band="500k+"),
)


def trend_factor(anchors: Trend, period: str) -> float:
    """Piecewise-linear interpolation between anchors, flat before the first and after the last."""
    if not anchors:
        return 1.0
    points = [(month_index(p), f) for p, f in anchors]
    at = month_index(period)
    if at <= points[0][0]:
        return points[0][1]
    for (x0, f0), (x1, f1) in zip(points, points[1:], strict=False):
        if at <= x1:
            return f0 + (f1 - f0) * (at - x0) / (x1 - x0)
    return points[-1][1]


def launch_ramp(trim: Trim, period: str) -> float:
    if trim.launch is None:
        return 1.0
    months_on_sale = month_index(period) - month_index(trim.launch)
    return LAUNCH_RAMP[months_on_sale] if months_on_sale < len(LAUNCH_RAMP) else 1.0


def season(period: str) -> float:
    return NEW_YEAR_SEASON.get(period, SEASON[int(period[5:])])


def build_cells(rng: random.Random) -> list[Cell]:
    """The base profile. Noise uses only uniform draws so floats match on every platform."""
    cells = []
    for trim in TRIMS:
        brand = BRANDS[trim.brand]
        for period in PERIODS:
            if not trim.on_sale(period):
                continue
            top_end = brand.top_end if price_band(trim.msrp_at(period)) == "500k+" else ()
            base = (
                trim.level
                * season(period)
                * trend_factor(brand.trend, period)
                * trend_factor(top_end, period)
                * trend_factor(trim.trend, period)
                * launch_ramp(trim, period)
                * rng.uniform(*NOISE)
            )
            cells.append(Cell(trim, period, base))
    return cells


def allocate(cells: Sequence[Cell], total: int) -> None:
    """Split an integer total over cells in proportion to their base (largest remainder)."""
    weight = sum(cell.base for cell in cells)
    quotas = [total * cell.base / weight for cell in cells]
    units = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(cells)), key=lambda i: (units[i] - quotas[i], i))
    for i in by_remainder[: total - sum(units)]:
        units[i] += 1
    for cell, count in zip(cells, units, strict=True):
        cell.units = count


def apply_pins(cells: Sequence[Cell]) -> None:
    """Fix each pinned block in turn; report how far each pin bends the base profile."""
    for pin in PINS:
        block = [cell for cell in cells if pin.matches(cell)]
        free = [cell for cell in block if cell.units is None]
        remaining = pin.target - sum(cell.units for cell in block if cell.units is not None)
        if not free or remaining < 0:
            raise ValueError(f"pin {pin.label!r} cannot be met: {remaining} units left")
        scale = remaining / sum(cell.base for cell in free)
        allocate(free, remaining)
        print(f"  pin {pin.label:<34} {pin.target:>9,}  (free cells scaled x{scale:.3f})")


def allocate_rest(cells: Sequence[Cell]) -> None:
    """Round the cells no pin touched, per brand and year, keeping each brand-year total."""
    blocks: dict[tuple[str, str], list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.units is None:
            blocks[(cell.trim.brand, cell.period[:4])].append(cell)
    for block in blocks.values():
        allocate(block, round(sum(cell.base for cell in block)))


def to_record(cell: Cell) -> dict[str, object]:
    trim = cell.trim
    return {
        "period": cell.period,
        "brand": trim.brand,
        "group": cell.group,
        "model": trim.model,
        "trim": trim.trim,
        "powertrain": trim.powertrain,
        "msrp_cny": cell.msrp,
        "units": cell.units,
        "origin": trim.origin,
        "source": SOURCE,
    }


def record_key(record: dict[str, object]) -> tuple:
    return tuple(record[name] for name in ("period", "brand", "model", "trim"))


def final_records(rng: random.Random) -> list[dict[str, object]]:
    cells = build_cells(rng)
    apply_pins(cells)
    allocate_rest(cells)
    return sorted((to_record(cell) for cell in cells), key=record_key)


# Brands whose January 2025 figures change between the preliminary and the restated drop.
# Sign: +1 = the preliminary figure was too high, -1 = too low (late registrations).
REVISIONS = {"AITO": -1, "BMW": 1, "Li Auto": -1, "NIO": -1, "Porsche": 1, "Xiaomi": -1}


def preliminary(records: Iterable[dict[str, object]], rng: random.Random) -> list[dict]:
    """January 2025 as first reported: revised brands off by 1-6% on every row."""
    out = []
    for record in records:
        sign = REVISIONS.get(record["brand"])
        units = record["units"]
        if sign is not None:
            units = max(0, units + sign * max(1, round(units * rng.uniform(0.01, 0.06))))
        out.append({**record, "units": units})
    return out


def select(records: Iterable[dict[str, object]], periods: Sequence[str]) -> list[dict]:
    return [record for record in records if record["period"] in periods]


# Spellings of the Chinese export. Brands and groups not listed keep their English names.
BRAND_ZH = {
    "AITO": "问界", "Mercedes-Benz": "奔驰", "BMW": "宝马", "Li Auto": "理想",
    "NIO": "蔚来", "Zeekr": "极氪", "Xiaomi": "小米", "Tesla": "特斯拉",
}  # fmt: skip
GROUP_ZH = {"Seres": "赛力斯"}
POWERTRAIN_ZH = {"BEV": "纯电", "EREV": "增程", "PHEV": "插混", "HEV": "混动", "ICE": "燃油"}
MODEL_PREFIX_ZH = {"AITO": "问界"}  # AITO models are sold as 问界M9, 问界M7, ...
HEADER_ZH = (
    "月份", "品牌", "厂商", "车型", "版本", "动力类型", "指导价", "销量", "产地", "数据来源",
)  # fmt: skip


def english_row(record: dict, columns: Sequence[str], thousands: bool) -> list[str]:
    values = {**record, "msrp_cny": "" if record["msrp_cny"] is None else record["msrp_cny"]}
    if thousands:
        values["units"] = f"{record['units']:,}"
    return [str(values[name]) for name in columns]


def wan(msrp: int | None) -> str:
    """Yuan as 万 with only the decimals needed (509800 -> 50.98万), exact to the yuan."""
    if msrp is None:
        return ""
    whole, rest = divmod(msrp, 10_000)
    decimals = f"{rest:04d}".rstrip("0")
    return f"{whole}.{decimals}万" if decimals else f"{whole}万"


def chinese_row(record: dict) -> list[str]:
    brand = record["brand"]
    year, month = record["period"].split("-")
    return [
        f"{year}年{int(month)}月",
        BRAND_ZH.get(brand, brand),
        GROUP_ZH.get(record["group"], record["group"]),
        MODEL_PREFIX_ZH.get(brand, "") + record["model"],
        record["trim"],
        POWERTRAIN_ZH[record["powertrain"]],
        wan(record["msrp_cny"]),
        f"{record['units']:,}",
        record["origin"],
        record["source"],
    ]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_file(path: Path, data: bytes, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"  {path.relative_to(SALES_DIR.parent.parent)}  {rows:>5} rows  {len(data):>7,} bytes")


def write_english_csv(
    path: Path,
    records: Sequence[dict],
    *,
    columns: Sequence[str] = FIELDS,
    thousands: bool = False,
    bom: bool = False,
    compress: bool = False,
) -> None:
    text = csv_text(columns, (english_row(r, columns, thousands) for r in records))
    data = text.encode("utf-8-sig" if bom else "utf-8")
    if compress:
        # mtime=0 and no file name in the header keep the archive byte-identical across runs.
        data = gzip.compress(data, compresslevel=9, mtime=0)
    write_file(path, data, len(records))


def write_chinese_csv(path: Path, records: Sequence[dict]) -> None:
    text = csv_text(HEADER_ZH, (chinese_row(r) for r in records))
    write_file(path, text.encode("gb18030"), len(records))


PARQUET_SCHEMA = pa.schema(
    [(name, pa.int64() if name in ("msrp_cny", "units") else pa.string()) for name in FIELDS]
)


def write_parquet(path: Path, records: Sequence[dict]) -> None:
    # The export writes an unknown MSRP as 0 rather than null.
    columns = {name: [r[name] for r in records] for name in FIELDS}
    columns["msrp_cny"] = [msrp or 0 for msrp in columns["msrp_cny"]]
    table = pa.Table.from_pydict(columns, schema=PARQUET_SCHEMA)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer, compression="zstd", compression_level=9, store_schema=False)
    write_file(path, buffer.getvalue().to_pybytes(), len(records))


def main() -> None:
    rng = random.Random(SEED)
    print("allocating volumes:")
    final = final_records(rng)
    jan_2025 = select(final, ("2025-01",))
    first_jan_2025 = preliminary(jan_2025, rng)

    if SALES_DIR.exists():
        shutil.rmtree(SALES_DIR)
    print("writing drops:")
    write_english_csv(SALES_DIR / "2024-01-10" / "thinkercar_2023.csv", select(final, YEAR_2023))
    write_english_csv(
        SALES_DIR / "2024-07-08" / "thinkercar_2024h1.csv.gz",
        select(final, H1_2024),
        thousands=True,
        bom=True,
        compress=True,
    )
    write_parquet(SALES_DIR / "2025-01-09" / "thinkercar_2024h2.parquet", select(final, H2_2024))
    write_english_csv(
        SALES_DIR / "2025-02-11" / "thinkercar_2025-01_preliminary.csv", first_jan_2025
    )
    write_english_csv(
        SALES_DIR / "2025-03-10" / "thinkercar_2025-02.csv",
        sorted(jan_2025 + select(final, ("2025-02",)), key=record_key),
        columns=tuple(name for name in FIELDS if name != "origin"),
    )
    write_chinese_csv(
        SALES_DIR / "2025-04-09" / "thinkercar_2025-03_cn.csv", select(final, ("2025-03",))
    )


if __name__ == "__main__":
    main()
