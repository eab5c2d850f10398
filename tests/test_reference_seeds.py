"""The brand reference seeds keep the promises of their contract (seeds/_seeds.yml): every
brand has one owning group on every date, every spelling resolves to one canonical name,
and the spellings real exports use resolve to the brand or maker they mean."""

import csv
import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_project" / "seeds"
COVERAGE_START = date(2015, 1, 1)

SEPARATORS = re.compile(r"[\s\-_·•.'’/&()]")
# Latin suffixes carry their leading space: "Li Auto" sheds " Auto", "LiAuto" keeps it.
SUFFIXES = ("汽车", "汽車", " auto", " automobile", " motors", " motor", " cars")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_NAME = re.compile(r"[A-Za-z0-9À-ɏ][A-Za-z0-9À-ɏ &.'-]*")


def read(seed: str) -> list[dict[str, str]]:
    with (SEEDS / f"{seed}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def normalise(name: str) -> str:
    """The matching key the names models compute (macros/name_key.sql): full-width folded, case
    folded, one trailing maker word dropped when something remains, separators removed."""
    folded = "".join(
        " " if char == "\u3000" else chr(ord(char) - 0xFEE0) if "！" <= char <= "～" else char
        for char in name
    )
    key = folded.strip().lower()
    for suffix in SUFFIXES:
        if key.endswith(suffix) and SEPARATORS.sub("", key[: -len(suffix)]):
            key = key[: -len(suffix)]
            break
    return SEPARATORS.sub("", key)


def script_parts(name: str) -> list[str]:
    """A two-script name is tried whole, then its Latin part, then its Chinese part."""
    chinese = "".join(CJK.findall(name))
    latin = CJK.sub("", name)
    return [name] + ([latin, chinese] if chinese and latin.strip() else [])


def lookup(rows: list[dict[str, str]], key_column: str, value_column: str) -> dict[str, str]:
    """normalised spelling -> canonical value, from the canonical column and an alias seed."""
    return {normalise(row[key_column]): row[value_column] for row in rows}


BRANDS = read("brands")
BRAND_NAMES = {row["brand"] for row in BRANDS}
BRAND_GROUPS = read("brand_groups")
GROUPS = {row["group_name"] for row in BRAND_GROUPS}
MANUFACTURERS = {row["manufacturer"]: row for row in read("manufacturers")}
BRAND_KEYS = lookup(BRANDS, "brand", "brand") | lookup(read("brand_aliases"), "alias", "brand")
MANUFACTURER_KEYS = lookup(list(MANUFACTURERS.values()), "manufacturer", "manufacturer") | (
    lookup(read("manufacturer_aliases"), "alias", "manufacturer")
)
GROUP_KEYS = {normalise(group): group for group in GROUPS} | lookup(
    read("group_aliases"), "alias", "group_name"
)


def resolve_brand(value: str) -> str | None:
    """Brand first, then a maker: one that sells a single brand stands for it, another for
    itself (contract rules for the brand column)."""
    for part in script_parts(value):
        if normalise(part) in BRAND_KEYS:
            return BRAND_KEYS[normalise(part)]
    for part in script_parts(value):
        maker = MANUFACTURER_KEYS.get(normalise(part))
        if maker:
            return MANUFACTURERS[maker]["sole_brand"] or maker
    return None


def test_the_whole_market_is_covered_under_latin_canonical_names():
    assert len(BRAND_NAMES - {"Others"}) >= 200
    assert len(BRAND_NAMES) == len(BRANDS), "a brand is listed twice"
    assert [row["brand"] for row in BRANDS if not LATIN_NAME.fullmatch(row["brand"])] == []


def test_brand_rows_name_known_parents_countries_and_statuses():
    assert {row["parent_brand"] for row in BRANDS} - BRAND_NAMES == {""}
    assert [row["brand"] for row in BRANDS if row["parent_brand"] == row["brand"]] == []
    countries = {row["home_country"] for row in BRANDS if row["brand"] != "Others"}
    assert all(re.fullmatch(r"[A-Z]{2}", country) for country in countries), countries
    assert {row["status"] for row in BRANDS} == {"active", "discontinued"}


@pytest.mark.parametrize("brand", sorted(BRAND_NAMES))
def test_every_brand_has_exactly_one_group_on_every_date_since_2015(brand):
    periods = sorted(
        (
            date.fromisoformat(row["valid_from"]) if row["valid_from"] else date.min,
            date.fromisoformat(row["valid_to"]) if row["valid_to"] else date.max,
        )
        for row in BRAND_GROUPS
        if row["brand"] == brand
    )
    assert periods, f"{brand} has no group"
    assert periods[0][0] <= COVERAGE_START, f"{brand} has no group before {periods[0][0]}"
    assert periods[-1][1] == date.max, f"{brand} has no group after {periods[-1][1]}"
    for (_, end), (start, _) in itertools.pairwise(periods):
        assert start == end + timedelta(days=1), f"{brand}: gap or overlap after {end}"
    assert all(start <= end for start, end in periods)


def test_ownership_rows_name_known_brands():
    assert {row["brand"] for row in BRAND_GROUPS} == BRAND_NAMES


@pytest.mark.parametrize(
    ("seed", "column", "canonical"),
    [
        ("brand_aliases", "brand", BRAND_NAMES),
        ("manufacturer_aliases", "manufacturer", set(MANUFACTURERS)),
        ("group_aliases", "group_name", GROUPS),
    ],
)
def test_each_spelling_is_unique_after_normalisation_and_names_a_known_value(
    seed, column, canonical
):
    rows = read(seed)
    assert {row[column] for row in rows} <= canonical
    keys = [normalise(row["alias"]) for row in rows]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert duplicates == []
    canonical_keys = {normalise(name): name for name in canonical}
    shadowed = [
        (row["alias"], row[column])
        for row in rows
        if canonical_keys.get(normalise(row["alias"]), row[column]) != row[column]
    ]
    assert shadowed == [], "an alias equals another entry's canonical name"


def test_makers_spellings_are_not_taken_by_a_brand_first():
    """Brands are matched before makers, so a maker's spelling that is also a brand's would
    never reach the maker."""
    assert sorted(set(MANUFACTURER_KEYS) & set(BRAND_KEYS)) == []


def test_makers_name_known_groups_and_brands():
    assert {row["group_name"] for row in MANUFACTURERS.values()} <= GROUPS
    assert {row["sole_brand"] for row in MANUFACTURERS.values()} - BRAND_NAMES == {""}


def test_model_spellings_are_keyed_by_known_brands_and_unique():
    rows = read("model_aliases")
    assert {row["brand"] for row in rows} <= BRAND_NAMES
    keys = [(row["brand"], normalise(row["alias"])) for row in rows]
    assert len(keys) == len(set(keys))
    assert all(row["model"] and not CJK.search(row["model"]) for row in rows)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        # brand columns of real exports that matched nothing before the reference data
        ("比亚迪", "BYD"),
        ("大众", "Volkswagen"),
        ("丰田", "Toyota"),
        ("零跑汽车", "Leapmotor"),
        ("小鹏汽车", "Xpeng"),
        ("ARCFOX极狐", "ARCFOX"),
        ("Polestar极星", "Polestar"),
        ("吉利银河", "Geely Galaxy"),
        ("长安启源", "Changan Qiyuan"),
        ("东风风神", "Dongfeng Aeolus"),
        ("捷途山海", "Jetour Shanhai"),
        ("奇瑞风云", "Chery Fengyun"),
        ("比亚迪王朝", "BYD"),
        ("极狐", "ARCFOX"),
        ("启辰", "Venucia"),
        ("北京", "Beijing"),
        ("Mercedes Benz", "Mercedes-Benz"),
        ("梅赛德斯－奔驰", "Mercedes-Benz"),
        ("VW", "Volkswagen"),
        ("Li Auto", "Li Auto"),
        # makers and joint ventures in a brand column
        ("上汽通用五菱", "SAIC-GM-Wuling"),
        ("上汽大众", "SAIC Volkswagen"),
        ("一汽-大众", "FAW-Volkswagen"),
        ("一汽大众", "FAW-Volkswagen"),
        ("华晨宝马", "BMW"),
        ("北京奔驰", "Mercedes-Benz"),
        ("广汽丰田", "Toyota"),
        ("特斯拉中国", "Tesla"),
        ("比亚迪汽车", "BYD"),
    ],
)
def test_export_spellings_resolve_to_the_brand_or_maker_they_mean(spelling, expected):
    assert resolve_brand(spelling) == expected


def sample_spellings(field: str) -> list[tuple[str, str]]:
    """(spelling, canonical) rows of one field in sample/aliases_used.md."""
    table_row = re.compile(rf"^\| {field} \| (.+?) \| (.+?) \|", re.MULTILINE)
    return table_row.findall((REPO / "sample" / "aliases_used.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("spelling", "expected"), sample_spellings("brand"))
def test_the_sample_brand_spellings_still_resolve(spelling, expected):
    assert resolve_brand(spelling) == expected


@pytest.mark.parametrize(("spelling", "expected"), sample_spellings("group"))
def test_the_sample_group_spellings_still_resolve(spelling, expected):
    assert GROUP_KEYS.get(normalise(spelling)) == expected
