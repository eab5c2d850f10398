"""The bad-input corpus (``tests/corpus/``) through the real pipeline, file by file.

The corpus is copied to a temporary folder and the whole Dagster job (ingest, dbt, Great
Expectations, publish) runs once over its two drops. Then every file is checked against the
table below, which is written from the contract (``/work/shared/design.md``) and the file's own
bytes (see ``tests/corpus/make_corpus.py``), never from a run's output:

- ``loaded``: its rows are loaded or quarantined, ``rows_in = rows_loaded + rows_quarantined``,
  staging holds exactly ``rows_loaded`` of them; each quarantined row names its line (CSV:
  header = line 1; Parquet and JSON: record number), the first failing field (none when the
  line as a whole is broken), the text and the reason;
- ``rejected``: nothing loaded, exactly one quarantine row without a line number whose reason
  names the file;
- ``duplicate``: the same bytes as a file of an earlier drop: nothing loaded, nothing
  quarantined, the message names the earlier file;
- ``None``: not part of the drop at all (a hidden file).

The run itself must succeed: quarantine never fails a run, and the corpus's good rows are all
within the contract, so the blocking checks pass.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckSeverity, DagsterInstance

from tests.conftest import PipelineRun, run_pipeline, settings_in

CORPUS = Path(__file__).resolve().parent / "corpus"
DROP, LATER_DROP = "2025-03-10", "2025-04-09"
S, S2, T = f"sales/{DROP}/", f"sales/{LATER_DROP}/", f"tariffs/{DROP}/"
JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
MISSING = "required value is missing"
HS_RULE = "4, 6, 8 or 10 digits"


class _Any:
    """A quarantined value the test does not pin down (a whole broken line, say)."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()


@dataclass(frozen=True)
class Expect:
    """What one corpus file must do. ``None`` in a field means: not checked for this file.

    ``quarantined``: (line_number, field, value, reason substring) per quarantined row, in line
    order. ``values``: staged column -> its values in line order. ``lines``: the staged rows'
    line numbers. ``message``: substrings of the manifest message besides the file's name.
    """

    status: str | None
    loaded: int | None = 0
    quarantined: tuple[tuple, ...] | None = ()
    lines: tuple[int, ...] | None = None
    values: dict | None = None
    message: tuple[str, ...] = ()
    encoding: str | None = None
    extra_columns: tuple[str, ...] | None = None


def loaded(n: int, *quarantined: tuple, **kwargs) -> Expect:
    return Expect("loaded", n, tuple(quarantined), **kwargs)


def rejected(*message: str) -> Expect:
    return Expect("rejected", 0, None, message=message)


EXPECTED: dict[str, Expect] = {
    # --- sales: encodings and formats ------------------------------------------------------
    S + "sales_clean_reference.csv": loaded(
        3,
        lines=(2, 3, 4),
        encoding="utf-8",
        values={
            "units": [1520, 2310, 870],
            "msrp_cny": [469800, 688900, 1188000],
            "price_band": ["300k-500k", "500k+", "500k+"],
        },
    ),
    S + "sales_utf8_bom.csv": loaded(
        2,
        encoding="utf-8-sig",
        values={"brand": ["Li Auto", "Porsche"], "units": [3120, 240]},
    ),
    S + "sales_gb18030_chinese_headers.csv": loaded(
        3,
        encoding="gb18030",
        values={
            "period": [FEB] * 3,
            "brand": ["问界", "宝马", "奔驰"],
            "model": ["问界M9", "7系", "GLE"],
            "powertrain": ["增程", "燃油", "燃油"],
            "msrp_cny": [519800, 1008000, 768000],
            "units": [980, 310, 1340],
        },
    ),
    S + "sales_gzip.csv.gz": loaded(2, values={"model": ["M7", "009"], "units": [4100, 860]}),
    S + "sales_gzip_gb18030_chinese_headers.csv.gz": loaded(
        2,
        encoding="gb18030",
        values={
            "period": [JAN, JAN],
            "brand": ["理想", "蔚来"],
            "trim": ["Pro", "行政签名版"],
            "msrp_cny": [429800, 788000],
            "units": [2950, 120],
        },
    ),
    S + "sales_parquet_typed_ints.parquet": loaded(
        3,
        lines=(1, 2, 3),
        values={
            "period": [FEB] * 3,
            "msrp_cny": [329800, 1028000, 1168000],
            "units": [2870, 95, 410],
        },
    ),
    S + "sales_parquet_date_period_chinese_headers.parquet": loaded(
        2,
        lines=(1, 2),
        values={
            "period": [JAN, JAN],
            "brand": ["问界", "保时捷"],
            "trim": ["Max 纯电 六座", "Turbo S"],
            "msrp_cny": [489800, 1793000],
            "units": [2210, 35],
        },
    ),
    S + "sales_parquet_null_units.parquet": loaded(
        2, (2, "units", None, MISSING), lines=(1, 3), values={"units": [640, 12]}
    ),
    S + "sales_uppercase_extension.CSV": loaded(1, values={"units": [3900]}),
    S + "sales_plain_text_named_gz.csv.gz": rejected(),
    S + "sales_truncated_gzip.csv.gz": rejected(),
    S + "sales_truncated_parquet.parquet": rejected(),
    S + "sales_wrong_extension.xlsx": rejected("csv"),
    S + "sales_utf8_with_one_latin1_byte.csv": Expect("loaded", None, None),  # see its test
    # --- sales: number and month formats ---------------------------------------------------
    S + "sales_wan_prices.csv": loaded(3, values={"msrp_cny": [469800, 549800, 1858000]}),
    S + "sales_thousands_separators.csv": loaded(
        2, values={"msrp_cny": [499800, 588900], "units": [3120, 2045]}
    ),
    S + "sales_fullwidth_digits.csv": loaded(
        2,
        values={"period": [FEB, JAN], "msrp_cny": [469800, 758000], "units": [1520, 1230]},
    ),
    S + "sales_price_currency_marks.csv": loaded(
        4, values={"msrp_cny": [958900, 1048000, 2398000, 1459000]}
    ),
    S + "sales_chinese_period_format.csv": loaded(3, values={"period": [FEB] * 3}),
    S + "sales_period_variants.csv": loaded(4, values={"period": [FEB] * 4}),
    S + "sales_zero_msrp_means_unknown.csv": loaded(
        3,
        values={
            "msrp_cny": [None, None, 6580000],
            "price_band": ["unknown", "unknown", "500k+"],
            "units": [9, 11, 4],
        },
    ),
    # --- sales: names ------------------------------------------------------------------------
    S + "sales_chinese_powertrain_words.csv": loaded(
        4, values={"powertrain": ["纯电", "增程", "插混", "燃油"]}
    ),
    S + "sales_brand_aliases_three_spellings.csv": loaded(
        3, values={"brand": ["AITO", "Aito", "问界"], "model": ["M9", "M9", "问界M9"]}
    ),
    S + "sales_unknown_brand.csv": loaded(2, values={"brand": ["Novaris", "Lotus"]}),
    S + "sales_unknown_powertrain_word.csv": loaded(2, values={"powertrain": ["MHEV", "ICE"]}),
    S + "sales_whitespace_and_case.csv": loaded(
        2, values={"origin": ["CN", "US"], "units": [1310, 480]}
    ),
    S + "sales_unicode_whitespace.csv": loaded(
        2,
        # The file holds full-width characters, so its values are folded (U+3000 to a space).
        (3, "brand", " \u00a0", MISSING),
        (4, "model", "\t\u2028", MISSING),
        lines=(2, 5),
        values={
            "brand": ["BYD", "BYD"],
            "model": ["Han", "Song PLUS"],
            "trim": ["EV Champion", None],
            "source": ["ThinkerCar", "ThinkerCar"],
        },
    ),
    S + "sales_sql_injection_text.csv": loaded(
        2,
        values={
            "trim": ["'); drop table x; --", "55 TFSI quattro"],
            "source": ["ThinkerCar", "Robert'); DROP TABLE raw.sales;--"],
        },
    ),
    # --- sales: columns ----------------------------------------------------------------------
    S + "sales_missing_optional_columns.csv": loaded(
        2,
        values={
            "trim": [None, None],
            "msrp_cny": [None, None],
            "price_band": ["unknown", "unknown"],
            "units": [430, 55],
        },
    ),
    S + "sales_extra_columns.csv": loaded(
        2,
        extra_columns=("region", "dealer_count"),
        values={
            "extra_columns": [
                {"region": "华东", "dealer_count": "9"},
                {"region": "华南", "dealer_count": "14"},
            ],
            "units": [12, 28],
        },
    ),
    S + "sales_header_case_and_spaces.csv": loaded(
        2, values={"model": ["LX", "ES"], "msrp_cny": [1158000, 299900], "units": [85, 3180]}
    ),
    S + "sales_header_aliases_english.csv": loaded(
        2,
        values={
            "period": [FEB, FEB],
            "brand": ["Porsche", "Porsche"],
            "group_name": ["Volkswagen Group", "Volkswagen Group"],
            "model": ["Macan", "911"],
            "trim": ["Electric 4", "Carrera T"],
            "powertrain": ["BEV", "ICE"],
            "msrp_cny": [588000, 1398000],
            "units": [430, 55],
            "origin": ["DE", "DE"],
            "source": ["ThinkerCar", "ThinkerCar"],
        },
    ),
    S + "sales_missing_required_units_column.csv": rejected("units"),
    S + "sales_duplicate_header_aliases.csv": rejected("units", "销量"),
    S + "sales_same_header_twice.csv": rejected("units"),
    S + "sales_title_row_above_header.csv": rejected("period"),
    S + "sales_semicolon_delimited.csv": rejected("units"),
    S + "sales_trailing_comma_every_line.csv": loaded(2, values={"units": [1030, 1750]}),
    # --- sales: bad values -------------------------------------------------------------------
    S + "sales_negative_units.csv": loaded(1, (3, "units", "-12", "negative units")),
    S + "sales_fractional_units.csv": loaded(
        1, (3, "units", "12.5", "fractional units"), lines=(2,), values={"units": [12]}
    ),
    S + "sales_unparseable_period.csv": loaded(
        1,
        (3, "period", "2025-13", "not a month"),
        (4, "period", "Feb 2025", "not a month"),
    ),
    S + "sales_unparseable_price.csv": loaded(1, (3, "msrp_cny", "#VALUE!", "not a price")),
    S + "sales_negative_price.csv": loaded(1, (3, "msrp_cny", "-299800", "negative price")),
    S + "sales_required_value_empty.csv": loaded(
        1,
        (2, "brand", "", MISSING),
        (3, "model", "", MISSING),
        (4, "units", "", MISSING),
        lines=(5,),
    ),
    S + "sales_two_bad_fields_first_reported.csv": loaded(
        1, (2, "period", "2025-13", "not a month"), lines=(3,)
    ),
    S + "sales_total_row_at_end.csv": loaded(2, (4, "period", "合计", "not a month")),
    # --- sales: CSV structure ----------------------------------------------------------------
    S + "sales_one_line_too_many_fields.csv": loaded(2, (3, None, ANY, "fields"), lines=(2, 4)),
    S + "sales_unclosed_quote_line.csv": loaded(
        3,
        (
            3,
            None,
            '2025-02,Yangwang,BYD,U8,"Luxury Edition,EREV,1098000,210,CN,ThinkerCar',
            "not valid CSV",
        ),
        lines=(2, 4, 5),
        values={"trim": ["Ultra", "Track Edition, carbon", "DM-i Ultra"]},
    ),
    S + "sales_blank_lines.csv": loaded(
        3, (6, "units", "n/a", "not a number"), lines=(2, 4, 7), values={"units": [410, 380, 850]}
    ),
    S + "sales_empty_file.csv": rejected(),
    S + "sales_header_only.csv": loaded(0),
    S + "sales_crlf_line_endings.csv": loaded(
        2, lines=(2, 3), values={"source": ["ThinkerCar", "ThinkerCar"], "units": [26, 510]}
    ),
    S + "sales_no_final_newline.csv": loaded(2, lines=(2, 3), values={"units": [120, 930]}),
    S + "sales_quoted_newline_in_trim.csv": loaded(
        2, values={"trim": ["S 480 4MATIC\nMaybach", "450+"]}
    ),
    S + "sales_short_line_missing_trailing_fields.csv": loaded(
        1,
        (3, "units", None, MISSING),
        values={"units": [40], "origin": [None], "source": [None]},
    ),
    S + "sales_quote_inside_unquoted_value.csv": loaded(
        1, values={"trim": ['Grand "Launch Edition"']}
    ),
    S + "sales_same_trim_twice_last_line_wins.csv": loaded(
        2, lines=(2, 3), values={"units": [210, 215]}
    ),
    # --- sales: what is (not) part of a drop ---------------------------------------------------
    S + "sales_symlink_leaving_landing.csv": rejected(),
    S + ".~lock.sales_clean_reference.csv#": Expect(None),
    S2 + "sales_same_content_dropped_again.csv": Expect(
        "duplicate", 0, (), message=(S + "sales_clean_reference.csv",)
    ),
    S2 + "sales_restates_february_later_drop.csv": loaded(1, values={"units": [1580]}),
    # --- tariffs -----------------------------------------------------------------------------
    T + "tariffs_clean_reference.csv": loaded(
        3,
        lines=(2, 3, 4),
        values={
            "partner": ["*", "CN", "CN"],
            "hs_code": ["8703", "8703.80", "8703.80"],
            "company": [None, "BYD", None],
            "rate_pct": [10.0, 17.0, 35.3],
            "valid_to": [None, None, None],
        },
    ),
    T + "tariffs_json_array.json": loaded(
        2,
        lines=(1, 2),
        values={
            "hs_code": ["2208.20", "2208.20"],
            "measure": ["MFN", "AD"],
            "company": [None, None],
            "rate_pct": [10.0, 34.9],
            "valid_from": [date(2018, 1, 1), date(2025, 7, 5)],
            "valid_to": [None, None],
        },
    ),
    T + "tariffs_json_object_with_measures.json": loaded(
        2,
        lines=(1, 2),
        values={
            "partner": ["*", "CN"],
            "measure": ["MFN", "section_301"],
            "rate_pct": [2.5, 100.0],
        },
    ),
    T + "tariffs_json_utf8_bom.json": loaded(
        1, values={"legal_basis": ["税委会公告〔2018〕3号"], "rate_pct": [15.0]}
    ),
    T + "tariffs_json_hs_code_as_number.json": loaded(
        1, (2, "hs_code", ANY, "HS code"), lines=(1,), values={"hs_code": ["8703"]}
    ),
    T + "tariffs_malformed.json": rejected(),
    T + "tariffs_json_object_without_measures.json": rejected(),
    T + "tariffs_hs_code_too_short.csv": loaded(1, (3, "hs_code", "870", HS_RULE)),
    T + "tariffs_hs_code_with_letters.csv": loaded(
        1, (3, "hs_code", "8703.8O", HS_RULE), (4, "hs_code", "HS8703", HS_RULE)
    ),
    T + "tariffs_hs_code_too_long.csv": loaded(
        1, (3, "hs_code", "8703.80.00.10.1", HS_RULE), values={"hs_code": ["8703.80.00.10"]}
    ),
    T + "tariffs_hs_code_undotted_and_spaced.csv": loaded(
        3,
        values={
            "hs_code": ["8703.80", "8703.80", "2208.20.00"],
            "valid_to": [date(2018, 12, 31), None, None],
        },
    ),
    T + "tariffs_unknown_measure_kind.csv": loaded(
        2,
        (3, "measure", "anti-dumping", "not one of"),
        lines=(2, 4),
        values={"measure": ["MFN", "section_232"]},
    ),
    T + "tariffs_negative_rate.csv": loaded(1, (3, "rate_pct", "-35.3", "negative rate")),
    T + "tariffs_rate_with_percent_sign.csv": loaded(3, values={"rate_pct": [35.3, 7.8, 20.7]}),
    T + "tariffs_rate_not_a_number.csv": loaded(1, (3, "rate_pct", "see Annex I", "not a rate")),
    T + "tariffs_valid_to_before_valid_from.csv": loaded(
        1, (3, "valid_to", "2025-04-13", "before valid_from")
    ),
    T + "tariffs_star_partner.csv": loaded(
        2, values={"reporter": ["JP", "CN"], "partner": ["*", "KR"]}
    ),
    T + "tariffs_unparseable_date.csv": loaded(
        2,
        (3, "valid_from", "5 July 2025", "not a date"),
        (4, "valid_to", "2025-02-30", "not a date"),
        lines=(2, 5),
        values={"valid_from": [date(2024, 10, 1), date(2018, 1, 1)]},
    ),
    T + "tariffs_missing_required_valid_from_column.csv": rejected("valid_from"),
    T + "tariffs_header_aliases.csv": loaded(
        2,
        values={
            "reporter": ["EU", "EU"],
            "partner": ["CN", "CN"],
            "hs_code": ["8703.80", "8703.80"],
            "measure": ["CVD", "CVD"],
            "company": ["Tesla (Shanghai)", "SAIC Motor"],
            "rate_pct": [7.8, 35.3],
            "valid_from": [date(2024, 10, 30)] * 2,
            "legal_basis": ["Commission Implementing Regulation (EU) 2024/2754"] * 2,
        },
    ),
    T + "tariffs_parquet_not_accepted.parquet": rejected("csv", "json"),
    T + "tariffs_windows_1252_specific_duty.txt": loaded(
        1,
        encoding="cp1252",
        values={
            "legal_basis": ["HTSUS column 1 général (taux spécifique)"],
            "rate_pct": [0.0],
            "specific_amount": [1.9],
            "specific_currency": ["USD cents"],
            "specific_unit": ["kg"],
        },
    ),
    T + "tariffs_tracker_series.csv": loaded(
        1,
        values={
            "reporter": ["CN"],
            "partner": ["US"],
            "measure": ["applied"],
            "rate_pct": [40.0],
            "valid_until_next": [True],
        },
    ),
    T + "tariffs_tracker_series.csv.meta.json": Expect(None),
    T + "tariffs_sidecar_unknown_field.csv": rejected(
        "tariffs_sidecar_unknown_field.csv.meta.json", "duty_rate"
    ),
    T + "tariffs_sidecar_unknown_field.csv.meta.json": Expect(None),
    T + "tariffs_gb18030_chinese_legal_basis.csv": loaded(
        2,
        encoding="gb18030",
        values={
            "legal_basis": [
                "国务院关税税则委员会公告2025年第4号",
                "国务院关税税则委员会公告2025年第5号",
            ]
        },
    ),
    T + "tariffs_empty_required_rate.csv": loaded(
        1, (3, "rate_pct", "", MISSING), (4, "reporter", "", MISSING)
    ),
}

STAGED = {
    "sales": "staging.stg_landing__sales",
    "tariffs": "staging.stg_landing__tariff_measures",
}


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Warehouse:
    """The audit and staging tables of the run, read once, as lists of dicts."""

    files: list[dict]
    quarantined: list[dict]
    staged: dict[str, list[dict]]

    def manifest(self, source_file: str) -> dict:
        rows = [r for r in self.files if r["source_file"] == source_file]
        assert len(rows) == 1, f"{source_file}: {len(rows)} rows in audit.ingested_files"
        return rows[0]

    def quarantine_of(self, source_file: str) -> list[dict]:
        rows = [r for r in self.quarantined if r["source_file"] == source_file]
        return sorted(rows, key=lambda r: (r["line_number"] is not None, r["line_number"] or 0))

    def staged_of(self, source_file: str) -> list[dict]:
        feed = source_file.split("/", 1)[0]
        rows = [r for r in self.staged[feed] if r["source_file"] == source_file]
        return sorted(rows, key=lambda r: r["line_number"])


def rows(connection: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    cursor = connection.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> PipelineRun:
    """The whole pipeline over a copy of the corpus (symlinks kept as links, never followed)."""
    root = tmp_path_factory.mktemp("corpus_run")
    shutil.copytree(CORPUS, root / "corpus", symlinks=True)
    settings = settings_in(root, root / "corpus" / "landing")
    return run_pipeline(settings, DagsterInstance.ephemeral(), keys=[DROP, LATER_DROP])


@pytest.fixture(scope="module")
def warehouse(corpus_run) -> Warehouse:
    with corpus_run.settings.connect(read_only=True) as connection:
        return Warehouse(
            files=rows(connection, "select * from audit.ingested_files"),
            quarantined=rows(connection, "select * from audit.quarantined_rows"),
            staged={feed: rows(connection, f"select * from {t}") for feed, t in STAGED.items()},
        )


def corpus_files() -> set[str]:
    """Every entry under the corpus landing (regular files, hidden files and symlinks)."""
    landing = CORPUS / "landing"
    found = set()
    for folder, _, names in os.walk(landing):
        found |= {(Path(folder) / name).relative_to(landing).as_posix() for name in names}
    return found


def listed() -> list[str]:
    return [name for name, expect in EXPECTED.items() if expect.status is not None]


def by_status(status: str) -> list[str]:
    return [name for name, expect in EXPECTED.items() if expect.status == status]


def same_value(actual, expected) -> bool:
    """Quarantined text: an empty or blank cell may come back as null or as its text."""
    if expected is ANY:
        return True
    if expected in ("", None):
        return actual is None or actual.strip() == ""
    return actual == expected


# --- the table covers the corpus ---------------------------------------------------------------


def test_the_table_covers_every_corpus_file():
    assert set(EXPECTED) == corpus_files()
    assert len(listed()) >= 30


# --- the run as a whole ------------------------------------------------------------------------


def test_the_run_succeeds_quarantine_never_fails_it(corpus_run):
    result = corpus_run.result
    blocking = [
        f"{e.asset_key.to_user_string()} {e.check_name}: {e.description}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == AssetCheckSeverity.ERROR
    ]
    failed_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, f"failed steps {failed_steps}; failed blocking checks {blocking}"
    assert not blocking


def test_every_file_of_the_corpus_is_in_the_manifest_once(warehouse):
    listed_names = sorted(r["source_file"] for r in warehouse.files)
    assert listed_names == sorted(listed())


def test_nothing_is_lost_in_a_loaded_file(warehouse):
    problems = []
    for name in by_status("loaded"):
        row = warehouse.manifest(name)
        staged, quarantined = warehouse.staged_of(name), warehouse.quarantine_of(name)
        counts = (row["rows_in"], row["rows_loaded"], row["rows_quarantined"])
        if row["rows_in"] != (row["rows_loaded"] or 0) + (row["rows_quarantined"] or 0):
            problems.append(f"{name}: rows_in, loaded, quarantined = {counts}")
        if len(staged) != row["rows_loaded"]:
            problems.append(f"{name}: {len(staged)} staged rows, manifest says {counts[1]}")
        if len(quarantined) != row["rows_quarantined"]:
            problems.append(f"{name}: {len(quarantined)} quarantined, manifest says {counts[2]}")
        if any(q["line_number"] is None for q in quarantined):
            problems.append(f"{name}: a quarantined row of a loaded file has no line number")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", by_status("rejected"))
def test_a_rejected_file_has_one_quarantine_row_naming_it(warehouse, name):
    row = warehouse.manifest(name)
    assert row["status"] == "rejected"
    assert row["rows_loaded"] == 0
    assert name in (row["message"] or ""), row["message"]
    assert warehouse.staged_of(name) == []
    quarantined = warehouse.quarantine_of(name)
    assert [(q["line_number"], q["field"]) for q in quarantined] == [(None, None)], quarantined
    assert name in quarantined[0]["reason"]
    assert row["rows_quarantined"] == 1


@pytest.mark.parametrize("name", by_status("duplicate"))
def test_the_same_bytes_dropped_again_load_nothing_twice(warehouse, name):
    row = warehouse.manifest(name)
    assert (row["status"], row["rows_loaded"], row["rows_quarantined"]) == ("duplicate", 0, 0)
    assert warehouse.staged_of(name) == []
    assert warehouse.quarantine_of(name) == []


# --- file by file ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", listed())
def test_corpus_file(warehouse, name):
    expect = EXPECTED[name]
    row = warehouse.manifest(name)
    assert row["status"] == expect.status, row["message"]
    for part in expect.message:
        assert part in (row["message"] or ""), row["message"]
    if expect.status == "duplicate":
        assert name in row["message"]
    if expect.loaded is not None:
        assert row["rows_loaded"] == expect.loaded
        assert len(warehouse.staged_of(name)) == expect.loaded
    if expect.status != "loaded":
        return

    if expect.quarantined is not None:
        actual = [
            (q["line_number"], q["field"], q["value"], q["reason"])
            for q in warehouse.quarantine_of(name)
        ]
        wanted = list(expect.quarantined)
        assert [(a[0], a[1]) for a in actual] == [(w[0], w[1]) for w in wanted], actual
        for (line, _, value, reason), (_, _, want_value, want_reason) in zip(
            actual, wanted, strict=True
        ):
            assert same_value(value, want_value), f"line {line}: value {value!r}"
            assert want_reason in (reason or ""), f"line {line}: reason {reason!r}"

    staged = warehouse.staged_of(name)
    if expect.lines is not None:
        assert [r["line_number"] for r in staged] == list(expect.lines)
    for column, wanted in (expect.values or {}).items():
        got = [r[column] for r in staged]
        if column == "extra_columns":
            got = [json.loads(v) if v is not None else None for v in got]
        assert got == wanted, column
    if expect.encoding is not None:
        assert row["encoding"] == expect.encoding
    if expect.extra_columns is not None:
        assert json.loads(row["extra_columns"] or "[]") == list(expect.extra_columns)


# --- what the names become downstream ----------------------------------------------------------


def canonical(corpus_run, name: str, columns: str) -> list[tuple]:
    with corpus_run.settings.connect(read_only=True) as connection:
        return connection.execute(
            f"select {columns} from intermediate.int_sales__canonicalised "
            "where source_file = ? order by line_number",
            [name],
        ).fetchall()


@pytest.mark.parametrize(
    ("name", "columns", "expected"),
    [
        (
            S + "sales_brand_aliases_three_spellings.csv",
            "brand, group_name, model, is_known_brand",
            [("AITO", "Seres", "M9", True)] * 3,
        ),
        (
            S + "sales_gb18030_chinese_headers.csv",
            "brand, model, powertrain",
            [("AITO", "M9", "EREV"), ("BMW", "7 Series", "ICE"), ("Mercedes-Benz", "GLE", "ICE")],
        ),
        (
            S + "sales_chinese_powertrain_words.csv",
            "powertrain, is_known_powertrain",
            [("BEV", True), ("EREV", True), ("PHEV", True), ("ICE", True)],
        ),
        (
            S + "sales_unknown_brand.csv",
            "brand, is_known_brand",
            [("Novaris", False), ("Lotus", True)],
        ),
        (
            S + "sales_unknown_powertrain_word.csv",
            "powertrain, is_known_powertrain",
            [("MHEV", False), ("ICE", True)],
        ),
        (
            S + "sales_whitespace_and_case.csv",
            "brand, model, powertrain",
            [("AITO", "M9", "BEV"), ("Mercedes-Benz", "GLS", "ICE")],
        ),
    ],
)
def test_names_are_canonical_downstream(corpus_run, warehouse, name, columns, expected):
    assert canonical(corpus_run, name, columns) == expected


def test_the_last_line_of_a_file_wins_within_a_drop(corpus_run, warehouse):
    with corpus_run.settings.connect(read_only=True) as connection:
        restated = connection.execute(
            "select source_file, line_number, units from intermediate.int_sales__restated "
            "where period = ? and brand = 'Mercedes-Benz' and model = 'EQS SUV' "
            "and trim = '450 4MATIC'",
            [JAN],
        ).fetchall()
    assert restated == [(S + "sales_same_trim_twice_last_line_wins.csv", 3, 215)]


def test_a_later_drop_restates_and_the_resent_file_changes_nothing(corpus_run, warehouse):
    """February's AITO M9 Max BEV 6-seat: 1520 in the first drop, 1580 in the later one; the
    re-sent copy of the first file in the later drop must not win with its old 1520."""
    with corpus_run.settings.connect(read_only=True) as connection:
        restated = connection.execute(
            "select drop_date, source_file, units from intermediate.int_sales__restated "
            "where period = ? and brand = 'AITO' and model = 'M9' and trim = 'Max BEV 6-seat'",
            [FEB],
        ).fetchall()
        revisions = connection.execute(
            "select previous_units, units from marts.mart_sales_restatements "
            "where period_label = '2025-02' and brand = 'AITO' and model = 'M9' "
            "and trim = 'Max BEV 6-seat' order by restated_on",
        ).fetchall()
    assert restated == [(date(2025, 4, 9), S2 + "sales_restates_february_later_drop.csv", 1580)]
    assert revisions == [(1520, 1580)]


# --- files that need a closer look -------------------------------------------------------------


def test_a_symlink_out_of_the_landing_is_never_read(warehouse):
    assert not [r for r in warehouse.staged["sales"] if r["brand"] == "OUTSIDE"]
    assert not [r for r in warehouse.quarantined if "OUTSIDE" in (r["value"] or "")]


def test_sql_text_lands_verbatim_and_drops_nothing(corpus_run, warehouse):
    with corpus_run.settings.connect(read_only=True) as connection:
        trims = connection.execute(
            "select trim from raw.sales where source_file = ? order by line_number",
            [S + "sales_sql_injection_text.csv"],
        ).fetchall()
    assert trims == [("'); drop table x; --",), ("55 TFSI quattro",)]


def test_one_stray_latin1_byte_does_not_garble_the_rest_of_a_utf8_file(warehouse):
    """The file is UTF-8 but for one byte (0xE9, é in Latin-1) in line 3's trim. Line 2 is
    clean UTF-8 and must load as written; line 3 may load (with a replacement character) or be
    quarantined on its trim, but nothing may fail for a reason the file does not have."""
    name = S + "sales_utf8_with_one_latin1_byte.csv"
    row = warehouse.manifest(name)
    assert row["status"] == "loaded", row["message"]
    staged = {r["line_number"]: r for r in warehouse.staged_of(name)}
    assert 2 in staged, warehouse.quarantine_of(name)
    assert (staged[2]["period"], staged[2]["brand"], staged[2]["model"]) == (FEB, "问界", "问界M7")
    assert staged[2]["trim"] == "Ultra 增程"
    quarantined = {q["line_number"]: q for q in warehouse.quarantine_of(name)}
    assert set(staged) | set(quarantined) == {2, 3}
    if 3 in quarantined:
        assert quarantined[3]["field"] == "trim", quarantined[3]
    else:
        assert staged[3]["brand"] == "Porsche" and staged[3]["units"] == 130


def test_the_published_audit_matches_the_warehouse(corpus_run, warehouse):
    connection = corpus_run.published()
    try:
        published_files = connection.execute(
            "select source_file from audit.ingested_files"
        ).fetchall()
        published_quarantine = connection.execute(
            "select count(*) from audit.quarantined_rows"
        ).fetchone()[0]
    finally:
        connection.close()
    expected_files = sorted(r["source_file"] for r in warehouse.files)
    assert sorted(f for (f,) in published_files) == expected_files
    assert published_quarantine == len(warehouse.quarantined)
