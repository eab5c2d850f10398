"""One place per rule: dbt tests own keys and codes, GX suites own figures.

docs/design.md, "Which tool owns which rule". Reads the dbt YAML beside the models and the
GX suite files as they ship, and finds each rule by table, columns and kind.
"""

import re
from pathlib import Path

import pytest
import yaml

from expectations import suites

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "dbt_project" / "models"

# The kinds dbt owns; every other kind (a condition on values, a sum, an overlap) is GX's.
DBT_KINDS = {"not_null", "unique", "in_set", "flag"}

_SQL_WORDS = {"and", "or", "not", "is", "null", "between", "in", "true", "false", "distinct"}
_STRINGS = re.compile(r"'[^']*'")
_NAMES = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_DUPLICATE_KEY = re.compile(
    r"GROUP BY (?P<columns>[\w\s,\"]+?) HAVING count\(\*\) > 1$", re.IGNORECASE
)
_ROW_FILTER = re.compile(r"FROM \{batch\} WHERE (?P<condition>.+)$", re.IGNORECASE)


def columns_in(condition: str) -> frozenset[str]:
    """The column names a SQL condition reads (a qualifier such as `s.` dropped)."""
    names = _NAMES.findall(_STRINGS.sub("", condition))
    return frozenset(name.lower() for name in names if name.lower() not in _SQL_WORDS)


def dbt_kind(test: str, arguments: dict) -> str:
    if test in ("not_null", "unique", "unique_combination"):
        return "unique" if test.startswith("unique") else "not_null"
    if test in ("accepted_values", "relationships"):
        return "in_set"
    if test == "expression_is_true":
        # A bare boolean the model computes (is_known_brand) is a code check; anything
        # else is a condition on values.
        return "flag" if re.fullmatch(r"\w+", arguments["expression"]) else "condition"
    raise AssertionError(f"a dbt test the split does not place: {test}")


def _tests(entries: list) -> list[tuple[str, dict]]:
    found = []
    for entry in entries or []:
        name, spec = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        found.append((name, (spec or {}).get("arguments", {})))
    return found


def dbt_rules(models: Path = MODELS) -> set[tuple[str, frozenset[str], str]]:
    """(schema.table, columns, kind) of every generic dbt test in the YAML under `models`
    (the schema is the folder's, as dbt_project.yml configures it)."""
    rules = set()
    for path in sorted(models.rglob("_*.yml")):
        schema = path.parent.name
        for model in yaml.safe_load(path.read_text()).get("models", []):
            table = f"{schema}.{model['name']}"
            for test, arguments in _tests(model.get("data_tests")):
                if test == "not_null_columns":  # one rule per column, as dbt's not_null
                    rules |= {(table, frozenset({c}), "not_null") for c in arguments["columns"]}
                    continue
                if test == "unique_combination":
                    columns = frozenset(arguments["columns"])
                else:
                    columns = columns_in(arguments.get("expression", ""))
                rules.add((table, columns, dbt_kind(test, arguments)))
            for column in model.get("columns", []):
                for test, arguments in _tests(column.get("data_tests")):
                    columns = {column["name"]} | columns_in(arguments.get("expression", ""))
                    rules.add((table, frozenset(columns), dbt_kind(test, arguments)))
    return rules


def gx_rule(expectation: dict) -> tuple[frozenset[str], str] | None:
    """(columns, kind) of an expectation; None for a query no dbt test could hold (a sum, a
    window, a join)."""
    kwargs, kind = expectation["kwargs"], expectation["type"]
    if kind == "expect_column_values_to_not_be_null":
        return frozenset({kwargs["column"]}), "not_null"
    if kind == "expect_column_values_to_be_unique":
        return frozenset({kwargs["column"]}), "unique"
    if kind == "expect_compound_columns_to_be_unique":
        return frozenset(kwargs["column_list"]), "unique"
    if kind == "expect_column_values_to_be_in_set":
        return frozenset({kwargs["column"]}), "in_set"
    if kind == "expect_column_values_to_be_between":
        return frozenset({kwargs["column"]}), "condition"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        return frozenset({kwargs["column_A"], kwargs["column_B"]}), "condition"
    if kind == "unexpected_rows_expectation":
        query = " ".join(kwargs["unexpected_rows_query"].split())
        if key := _DUPLICATE_KEY.search(query):
            return frozenset(c.strip().strip('"') for c in key["columns"].split(",")), "unique"
        if (row := _ROW_FILTER.search(query)) and " JOIN " not in query.upper():
            return columns_in(row["condition"]), "condition"
        return None
    raise AssertionError(f"an expectation type the split does not place: {kind}")


def gx_rules() -> set[tuple[str, frozenset[str], str]]:
    rules = set()
    for name in suites.suite_names():
        spec = suites.load_suite(name)
        for expectation in spec.expectations:
            if rule := gx_rule(expectation):
                rules.add((spec.table, *rule))
    return rules


def same_rule(a: tuple, b: tuple) -> bool:
    """One table and kind, and the same columns (a condition: any column in common)."""
    (table_a, columns_a, kind_a), (table_b, columns_b, kind_b) = a, b
    if table_a != table_b or kind_a != kind_b:
        return False
    return bool(columns_a & columns_b) if kind_a == "condition" else columns_a == columns_b


def duplicates(dbt: set, gx: set) -> list[tuple]:
    return sorted(
        (rule[0], sorted(rule[1]), rule[2]) for rule in dbt if any(same_rule(rule, g) for g in gx)
    )


def test_no_rule_is_checked_by_both_dbt_and_gx():
    assert duplicates(dbt_rules(), gx_rules()) == []


def test_dbt_holds_only_keys_and_codes():
    assert (
        sorted(
            (table, sorted(columns), kind)
            for table, columns, kind in dbt_rules()
            if kind not in DBT_KINDS
        )
        == []
    )


def test_gx_holds_only_figures():
    assert (
        sorted(
            (table, sorted(columns), kind)
            for table, columns, kind in gx_rules()
            if kind in DBT_KINDS
        )
        == []
    )


# The guard itself, on the kinds of duplicate this project had: it must see each one.
@pytest.mark.parametrize(
    ("dbt_yaml", "expectation"),
    [
        (
            {"columns": [{"name": "units", "data_tests": ["not_null"]}]},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "units"}},
        ),
        (
            {"data_tests": [{"not_null_columns": {"arguments": {"columns": ["brand", "units"]}}}]},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "units"}},
        ),
        (
            {
                "columns": [
                    {
                        "name": "units",
                        "data_tests": [
                            {"expression_is_true": {"arguments": {"expression": "units >= 0"}}}
                        ],
                    }
                ]
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "units", "min_value": 0},
            },
        ),
        (
            {
                "data_tests": [
                    {
                        "expression_is_true": {
                            "arguments": {
                                "expression": "valid_to is null or valid_from <= valid_to"
                            }
                        }
                    }
                ]
            },
            {
                "type": "expect_column_pair_values_a_to_be_greater_than_b",
                "kwargs": {"column_A": "valid_to", "column_B": "valid_from", "or_equal": True},
            },
        ),
        (
            {"data_tests": [{"unique_combination": {"arguments": {"columns": ["a", "b"]}}}]},
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {
                    "unexpected_rows_query": (
                        "SELECT a, b, count(*) FROM {batch} GROUP BY a, b HAVING count(*) > 1"
                    )
                },
            },
        ),
        (
            {
                "columns": [
                    {
                        "name": "price_band",
                        "data_tests": [
                            {
                                "relationships": {
                                    "arguments": {"to": "ref('price_bands')", "field": "price_band"}
                                }
                            }
                        ],
                    }
                ]
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "price_band", "value_set": ["<200k"]},
            },
        ),
    ],
)
def test_the_guard_sees_a_rule_written_twice(tmp_path, dbt_yaml, expectation):
    folder = tmp_path / "marts"
    folder.mkdir()
    model = {"name": "mart_x", **dbt_yaml}
    (folder / "_marts.yml").write_text(yaml.safe_dump({"version": 2, "models": [model]}))
    dbt = dbt_rules(tmp_path)
    gx = {("marts.mart_x", *gx_rule(expectation))}
    assert len(duplicates(dbt, gx)) == 1
