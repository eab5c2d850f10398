"""The brand reference seeds keep the promises of their contract (seeds/_seeds.yml): every
brand has one owning group on every date, every spelling resolves to one canonical name,
and every spelling names a known value. That the spellings real exports use resolve to the
brand or maker they mean is checked through the real pipeline (tests/test_names.py)."""

import csv
import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_project" / "seeds"
COVERAGE_START = date(2015, 1, 1)

LATIN_NAME = re.compile(r"[A-Za-z0-9À-ɏ][A-Za-z0-9À-ɏ &.'-]*")
CJK = re.compile(r"[\u3400-\u9fff]")


def read(seed: str) -> list[dict[str, str]]:
    with (SEEDS / f"{seed}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


BRANDS = read("brands")
BRAND_NAMES = {row["brand"] for row in BRANDS}
BRAND_GROUPS = read("brand_groups")
GROUPS = {row["group_name"] for row in BRAND_GROUPS}
MANUFACTURERS = {row["manufacturer"]: row for row in read("manufacturers")}


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
def test_each_spelling_names_a_known_value(seed, column, canonical):
    # Spellings that share a matching key but mean different things are the dbt test
    # assert_name_keys_are_unambiguous's to find: it keys them with the models' own macro.
    assert {row[column] for row in read(seed)} <= canonical


def test_makers_name_known_groups_and_brands():
    assert {row["group_name"] for row in MANUFACTURERS.values()} <= GROUPS
    assert {row["sole_brand"] for row in MANUFACTURERS.values()} - BRAND_NAMES == {""}


def test_model_spellings_are_keyed_by_known_brands_and_unique():
    rows = read("model_aliases")
    assert {row["brand"] for row in rows} <= BRAND_NAMES
    keys = [(row["brand"], row["alias"]) for row in rows]
    assert len(keys) == len(set(keys))
    assert all(row["model"] and not CJK.search(row["model"]) for row in rows)
