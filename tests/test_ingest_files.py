"""Whole drops through ``ingest_drop``: files written into a landing folder in tmp_path.

Layout and rules from docs/design.md: ``<landing>/<feed>/<YYYY-MM-DD>/<file>``; UTF-8 (with or
without BOM) or GB18030, English or Chinese headers; bad rows are quarantined with file, line,
field, value and reason; raw rows in = loaded + quarantined; nothing outside landing is read.
"""

import gzip
import json
import os
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from orchestration.ingest import store
from orchestration.ingest.decode import CHUNK_BYTES
from orchestration.ingest.feeds import SALES, TARIFFS
from orchestration.ingest.ingest import ingest_drop
from orchestration.ingest.parse import loaded_schema

DROP = date(2025, 3, 1)
FEB, JAN = date(2025, 2, 1), date(2025, 1, 1)
SALES_HEADER = "period,brand,model,units"


# --- helpers -------------------------------------------------------------------------------


def land(landing: Path, feed: str, name: str, content: str | bytes, encoding="utf-8") -> str:
    """Write one landed file; return its name relative to the landing root (``source_file``)."""
    folder = landing / feed / DROP.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    data = content.encode(encoding) if isinstance(content, str) else content
    (folder / name).write_bytes(data)
    return f"{feed}/{DROP.isoformat()}/{name}"


def csv(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def table(raw: Path, name: str) -> pl.DataFrame:
    """Every Parquet file of one raw table's partition for DROP (empty frame if none)."""
    files = sorted(store.partition_dir(raw, name, DROP).glob("*.parquet"))
    if not files:
        return pl.DataFrame()
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


def rows_of(frame: pl.DataFrame, source_file: str) -> pl.DataFrame:
    if frame.is_empty():
        return frame
    return frame.filter(pl.col("source_file") == source_file).sort("line_number")


def manifest_row(raw: Path, feed: str, source_file: str) -> dict:
    manifest = store.read_manifest(raw, feed, DROP).filter(pl.col("source_file") == source_file)
    assert manifest.height == 1, f"expected one manifest row for {source_file}, got {manifest}"
    return manifest.row(0, named=True)


def run(feed, tmp_path: Path):
    return ingest_drop(feed, tmp_path / "landing", tmp_path / "raw", DROP)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return tmp_path / "raw"


# --- encodings and formats -----------------------------------------------------------------

ENGLISH = csv(SALES_HEADER, "2025-02,AITO,M9,17190", "2025-01,BMW,X5,18130")
CHINESE = csv("月份,品牌,车型,销量", "2025年2月,AITO,M9,17190", "2025年1月,BMW,X5,18130")
ENCODED = [
    ("plain.csv", ENGLISH.encode("utf-8"), "utf-8"),
    ("bom.csv", b"\xef\xbb\xbf" + ENGLISH.encode("utf-8"), "utf-8-sig"),
    ("crlf.csv", ENGLISH.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    ("chinese_utf8.csv", CHINESE.encode("utf-8"), "utf-8"),
    ("chinese_gb.csv", CHINESE.encode("gb18030"), "gb18030"),
    ("plain.csv.gz", gzip.compress(ENGLISH.encode("utf-8"), mtime=0), "utf-8"),
    ("chinese_gb.csv.gz", gzip.compress(CHINESE.encode("gb18030"), mtime=0), "gb18030"),
]


@pytest.mark.parametrize(("name", "data", "encoding"), ENCODED, ids=[e[0] for e in ENCODED])
def test_csv_encodings_load_the_same_rows(tmp_path, landing, raw, name, data, encoding):
    source = land(landing, "sales", name, data)
    run(SALES, tmp_path)

    loaded = rows_of(table(raw, "sales"), source).select("line_number", *SALES_HEADER.split(","))
    expected = pl.DataFrame(
        {
            "line_number": [2, 3],
            "period": [FEB, JAN],
            "brand": ["AITO", "BMW"],
            "model": ["M9", "X5"],
            "units": [17190, 18130],
        }
    )
    assert_frame_equal(loaded, expected)
    assert manifest_row(raw, "sales", source)["encoding"] == encoding


def test_gb18030_with_chinese_headers_yields_typed_values(tmp_path, landing, raw):
    source = land(
        landing,
        "sales",
        "thinkercar.csv",
        csv(
            "月份,品牌,厂商,车型,版本,动力类型,指导价,销量,产地,数据来源",
            "2025年2月,问界,赛力斯,M9,Max 纯电 6座,纯电,50.98万,17190,CN,懂车帝",
            '2025年1月,问界,赛力斯,M9,Ultra 增程,增程,49.48万,"1,200",CN,懂车帝',
        ),
        encoding="gb18030",
    )
    run(SALES, tmp_path)

    loaded = rows_of(table(raw, "sales"), source).drop("drop_date", "source_file", "extra")
    expected = pl.DataFrame(
        {
            "line_number": [2, 3],
            "period": [FEB, JAN],
            "brand": ["问界", "问界"],
            "group": ["赛力斯", "赛力斯"],
            "model": ["M9", "M9"],
            "trim": ["Max 纯电 6座", "Ultra 增程"],
            "powertrain": ["纯电", "增程"],
            "msrp_cny": [509_800, 494_800],
            "units": [17190, 1200],
            "origin": ["CN", "CN"],
            "source": ["懂车帝", "懂车帝"],
        }
    )
    assert_frame_equal(loaded, expected)
    assert manifest_row(raw, "sales", source)["encoding"] == "gb18030"


def test_gb18030_file_larger_than_the_encoding_sniff(tmp_path, landing, raw):
    """A GB18030 export over 64 KiB whose two-byte character straddles byte 65,536.

    Encoding detection reads a 64 KiB head; a head cut in the middle of a character is
    still GB18030 (and the whole file is), so the file must load like a small one.
    """
    header = "月份,品牌,厂商,车型,销量\n".encode("gb18030")
    filler = b"2025-02,BMW,BMW Group,X5,1\n"
    body = header
    while len(body) + 2 * len(filler) < 65_536:
        body += filler
    # pad a brand so that the first byte of "问" is byte 65,535 (0-based) of the file
    pad = 65_535 - len(body) - len(b"2025-02,")
    body += b"2025-02," + b"B" * pad + "问,赛力斯,M9,1\n".encode("gb18030")
    body += "2025年2月,问界,赛力斯,M9,7\n".encode("gb18030")
    assert body[65_535:65_537] == "问".encode("gb18030")  # the test's own premise
    rows = body.count(b"\n") - 1
    source = land(landing, "sales", "big.csv", body)

    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", source)
    assert (row["status"], row["encoding"], row["rows_loaded"]) == ("loaded", "gb18030", rows)
    last = rows_of(table(raw, "sales"), source).tail(1)
    assert last.select("brand", "group", "units").row(0) == ("问界", "赛力斯", 7)


def ascii_head_then(tail: bytes) -> bytes:
    """A sales CSV whose first 64 KiB (the encoding sniff) are ASCII, then ``tail``."""
    body = csv(SALES_HEADER).encode()
    filler = b"2025-02,BMW,X5,1\n"
    while len(body) < 2 * 65_536:
        body += filler
    return body + tail


def test_gb18030_past_an_ascii_head_is_transcoded(tmp_path, landing, raw):
    """A file that opens as UTF-8 is parsed where it lies; Polars refuses the GB18030 bytes
    further on, and the file is then read again, transcoded, not rejected or garbled."""
    body = ascii_head_then("2025年2月,问界,M9,7\n".encode("gb18030"))
    source = land(landing, "sales", "late_gb.csv", body)

    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", source)
    rows = body.count(b"\n") - 1
    assert (row["status"], row["encoding"], row["rows_loaded"]) == ("loaded", "gb18030", rows)
    last = rows_of(table(raw, "sales"), source).tail(1)
    assert last.select("period", "brand", "units").row(0) == (FEB, "问界", 7)


def test_a_file_whose_every_row_fails_loads_none_and_quarantines_each(tmp_path, landing, raw):
    """No row goes to the loaded file: it is still written, empty, with the loaded columns;
    a file of blank lines has no record at all."""
    bad = land(landing, "sales", "bad.csv", csv(SALES_HEADER, "2025-02,BMW,X5,-1", "2025-13,B,X,4"))
    blank = land(landing, "sales", "blank.csv", csv(SALES_HEADER, "", ""))

    run(SALES, tmp_path)

    counts = ("rows_in", "rows_loaded", "rows_quarantined")
    assert [manifest_row(raw, "sales", bad)[c] for c in counts] == [2, 0, 2]
    assert [manifest_row(raw, "sales", blank)[c] for c in counts] == [0, 0, 0]
    quarantined = rows_of(table(raw, "sales_quarantine"), bad)
    assert quarantined.select("line_number", "field").rows() == [(2, "units"), (3, "period")]
    for name in (bad, blank):
        path = store.partition_dir(raw, "sales", DROP) / f"{store.file_key(name)}.parquet"
        loaded = pl.read_parquet(path)
        columns = loaded_schema(SALES) | {"source_file": pl.Categorical}
        assert loaded.is_empty() and dict(loaded.schema) == columns


def test_a_file_read_again_quarantines_its_failing_rows_once(tmp_path, landing, raw):
    """A file read twice (in place until the GB18030 bytes, then transcoded) keeps the second
    read's outputs only: its failing row quarantined once, every other row loaded."""
    body = (
        csv(SALES_HEADER, "2025-02,BMW,X5,-1").encode()
        + ascii_head_then("2025年2月,问界,M9,7\n".encode("gb18030")).split(b"\n", 1)[1]
    )
    source = land(landing, "sales", "late_gb_failing.csv", body)

    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", source)
    rows = body.count(b"\n") - 1
    assert (row["encoding"], row["rows_in"], row["rows_loaded"], row["rows_quarantined"]) == (
        "gb18030",
        rows,
        rows - 1,
        1,
    )
    quarantined = rows_of(table(raw, "sales_quarantine"), source)
    assert quarantined.select("line_number", "field", "value").rows() == [(2, "units", "-1")]


def test_utf8_with_a_stray_byte_past_the_head_keeps_every_row(tmp_path, landing, raw):
    """UTF-8 with one byte that is not, past the sniff: read again with that byte replaced
    (U+FFFD), every row kept."""
    body = ascii_head_then("2025-02,问界,M9,7\n".encode() * 20 + b"2025-02,B\xffMW,X5,3\n")
    source = land(landing, "sales", "stray.csv", body)

    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", source)
    rows = body.count(b"\n") - 1
    assert (row["status"], row["encoding"], row["rows_loaded"]) == ("loaded", "utf-8+replace", rows)
    assert rows_of(table(raw, "sales"), source)["brand"][-1] == "B\ufffdMW"


def across_the_seam(start: bytes, pad: bytes, before: bytes, character: str, after: bytes) -> bytes:
    """A sales CSV whose last line (``start``, ``pad`` repeated, ``before``, ``character``,
    ``after``) puts the first byte of ``character`` last in the reader's first 1 MiB chunk."""
    body = csv(SALES_HEADER).encode()
    filler = b"2025-02,BMW,X5,1\n"
    while len(body) + len(filler) < CHUNK_BYTES - 20:
        body += filler
    padding = pad * (CHUNK_BYTES - 1 - len(body) - len(start) - len(before))
    body += start + padding + before + character.encode() + after
    encoded = character.encode()
    assert body[CHUNK_BYTES - 1 : CHUNK_BYTES - 1 + len(encoded)] == encoded  # the premise
    return body


def test_full_width_digits_across_a_read_chunk_are_folded(tmp_path, landing, raw):
    """The reader folds full-width characters only in files that hold some, found in 1 MiB
    chunks: a file whose only one straddles the first chunk's end must still be folded."""
    # "１" is EF BC 91 in UTF-8
    body = across_the_seam(b"2025-02,BMW,X", b"5", b",", "１", b"\n")
    source = land(landing, "sales", "seam.csv", body)

    run(SALES, tmp_path)

    assert manifest_row(raw, "sales", source)["rows_quarantined"] == 0
    assert rows_of(table(raw, "sales"), source)["units"][-1] == 1


def test_utf8_character_across_a_read_chunk_is_utf8(tmp_path, landing, raw):
    """The UTF-8 check rides on the digest's 1 MiB reads: a character split between two
    reads is still UTF-8, not a stray byte to replace."""
    # "ë" is C3 AB in UTF-8
    body = across_the_seam(b"2025-02,Citro", b"n", b"", "ë", b"n,C5,2\n")
    source = land(landing, "sales", "seam.csv", body)

    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", source)
    assert (row["encoding"], row["rows_quarantined"]) == ("utf-8", 0)
    assert rows_of(table(raw, "sales"), source)["brand"][-1].endswith("nën")


def test_parquet_with_typed_columns(tmp_path, landing, raw):
    folder = landing / "sales" / DROP.isoformat()
    folder.mkdir(parents=True)
    pl.DataFrame(
        {
            "Period": [FEB, JAN],
            "Brand": ["AITO", "Mercedes-Benz"],
            "Model": ["M9", "S-Class"],
            "MSRP": pl.Series([509_800, None], dtype=pl.Int32),
            "Units": pl.Series([17190, 22160], dtype=pl.Int64),
        }
    ).write_parquet(folder / "export.parquet")
    run(SALES, tmp_path)

    source = f"sales/{DROP}/export.parquet"
    loaded = rows_of(table(raw, "sales"), source)
    expected = pl.DataFrame(
        {
            "line_number": [1, 2],  # Parquet: 1-based record number
            "period": [FEB, JAN],
            "brand": ["AITO", "Mercedes-Benz"],
            "msrp_cny": [509_800, None],
            "units": [17190, 22160],
        }
    )
    assert_frame_equal(loaded.select(expected.columns), expected)
    assert manifest_row(raw, "sales", source)["status"] == "loaded"


MEASURE_RECORDS = [
    {
        "reporter": "eu",
        "partner": "CN",
        "hs_code": "870380",
        "measure": "cvd",
        "company": "BYD",
        "rate_pct": 17.0,
        "valid_from": "2024-10-30",
        "valid_to": None,
        "legal_basis": "Regulation (EU) 2024/2754",
    },
    {
        "reporter": "CN",
        "partner": "EU",
        "hs_code": "2208.20",
        "measure": "AD",
        "rate_pct": "39%",
        "valid_from": "2025-07-05",
    },
]


@pytest.mark.parametrize(
    "document", [MEASURE_RECORDS, {"measures": MEASURE_RECORDS}], ids=["array", "object"]
)
def test_tariff_json(tmp_path, landing, raw, document):
    source = land(landing, "tariffs", "measures.json", json.dumps(document))
    run(TARIFFS, tmp_path)

    loaded = rows_of(table(raw, "tariffs"), source).drop("drop_date", "source_file", "extra")
    expected = pl.DataFrame(
        {
            "line_number": [1, 2],
            # Codes and free text as sent: staging trims them and upper-cases codes.
            "reporter": ["eu", "CN"],
            "partner": ["CN", "EU"],
            "hs_code": ["8703.80", "2208.20"],
            "measure": ["CVD", "AD"],
            "company": ["BYD", None],
            "rate_pct": [17.0, 39.0],
            "valid_from": [date(2024, 10, 30), date(2025, 7, 5)],
            "valid_to": pl.Series([None, None], dtype=pl.Date),
            "legal_basis": ["Regulation (EU) 2024/2754", None],
            "source": pl.Series([None, None], dtype=pl.String),
            # 17 came as a number (no rate text), "39%" as text; no specific part; no sidecar.
            "rate_text": pl.Series([None, "39%"], dtype=pl.String),
            "specific_amount": pl.Series([None, None], dtype=pl.Float64),
            "specific_currency": pl.Series([None, None], dtype=pl.String),
            "specific_unit": pl.Series([None, None], dtype=pl.String),
            "valid_until_next": [False, False],
        }
    )
    assert_frame_equal(loaded, expected)


# --- rejected files --------------------------------------------------------------------------


def test_file_missing_a_required_column_is_rejected_and_the_drop_goes_on(tmp_path, landing, raw):
    good = land(landing, "sales", "good.csv", csv(SALES_HEADER, "2025-02,AITO,M9,17190"))
    bad = land(landing, "sales", "no_units.csv", csv("period,brand,model", "2025-02,BMW,X5"))
    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", bad)
    assert row["status"] == "rejected"
    assert bad in row["message"] and "units" in row["message"]
    assert row["rows_loaded"] == 0

    quarantined = rows_of(table(raw, "sales_quarantine"), bad)
    assert quarantined.height == 1
    assert quarantined.row(0, named=True)["reason"] == row["message"]
    assert rows_of(table(raw, "sales"), bad).is_empty()

    assert manifest_row(raw, "sales", good)["status"] == "loaded"
    assert rows_of(table(raw, "sales"), good)["units"].to_list() == [17190]


@pytest.mark.parametrize(
    ("feed", "name"),
    [(SALES, "notes.txt"), (SALES, "sales.json"), (SALES, "sales.xlsx"), (TARIFFS, "t.parquet")],
)
def test_unsupported_file_type_is_rejected(tmp_path, landing, raw, feed, name):
    folder = landing / feed.name / DROP.isoformat()
    folder.mkdir(parents=True)
    if name.endswith(".parquet"):
        pl.DataFrame({"reporter": ["EU"]}).write_parquet(folder / name)
    else:
        (folder / name).write_text(csv(SALES_HEADER, "2025-02,AITO,M9,17190"))
    run(feed, tmp_path)

    source = f"{feed.name}/{DROP}/{name}"
    row = manifest_row(raw, feed.name, source)
    assert row["status"] == "rejected"
    assert source in row["message"]
    assert rows_of(table(raw, feed.name), source).is_empty()
    assert rows_of(table(raw, f"{feed.name}_quarantine"), source).height == 1


# --- bad rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_line", "field", "value", "reason_word"),
    [
        ("2025-02,BMW,X5,-5", "units", "-5", "negative"),
        ("2025-02,BMW,X5,12.5", "units", "12.5", "fractional"),
        ("2025-02,BMW,X5,many", "units", "many", "number"),
        ("Feb 2025,BMW,X5,10", "period", "Feb 2025", "month"),
        ("2025-02,,X5,10", "brand", None, "missing"),
        ("2025-02,BMW,X5,", "units", None, "missing"),
    ],
)
def test_bad_row_is_quarantined_with_its_provenance(
    tmp_path, landing, raw, bad_line, field, value, reason_word
):
    source = land(
        landing,
        "sales",
        "mixed.csv",
        csv(SALES_HEADER, "2025-02,AITO,M9,17190", "2025-01,AITO,M9,3000", bad_line),
    )
    run(SALES, tmp_path)

    quarantined = rows_of(table(raw, "sales_quarantine"), source)
    assert quarantined.height == 1
    bad = quarantined.row(0, named=True)
    # header is line 1, so the third data row is line 4
    assert (bad["feed"], bad["line_number"], bad["field"], bad["value"], bad["drop_date"]) == (
        "sales",
        4,
        field,
        value,
        DROP,
    )
    assert reason_word in bad["reason"]

    loaded = rows_of(table(raw, "sales"), source)
    assert loaded.select("line_number", "units").rows() == [(2, 17190), (3, 3000)]


def test_rows_in_equal_loaded_plus_quarantined(tmp_path, landing, raw):
    files = {
        "a.csv": csv(SALES_HEADER, "2025-02,AITO,M9,1", "2025-02,AITO,M9,-1", "2025-13,BMW,X5,2"),
        "b.csv": csv(SALES_HEADER, "2025-02,BMW,X5,5", "2025-02,BMW,X5,6"),
        "c.csv": csv(SALES_HEADER, "x,y,z,w"),
        "d.csv": csv(SALES_HEADER),
    }
    expected = {"a.csv": (3, 1, 2), "b.csv": (2, 2, 0), "c.csv": (1, 0, 1), "d.csv": (0, 0, 0)}
    for name, content in files.items():
        land(landing, "sales", name, content)
    run(SALES, tmp_path)

    loaded, quarantined = table(raw, "sales"), table(raw, "sales_quarantine")
    for name, (rows_in, rows_loaded, rows_quarantined) in expected.items():
        source = f"sales/{DROP}/{name}"
        row = manifest_row(raw, "sales", source)
        assert (row["rows_in"], row["rows_loaded"], row["rows_quarantined"]) == (
            rows_in,
            rows_loaded,
            rows_quarantined,
        ), name
        assert rows_of(loaded, source).height == rows_loaded, name
        assert rows_of(quarantined, source).height == rows_quarantined, name


def test_csv_line_number_counts_records_after_a_multiline_value(tmp_path, landing, raw):
    """read.py: ``line_number`` counts records from 2 (the header is line 1); a quoted value
    that spans lines does not shift the numbering of the records after it."""
    source = land(
        landing,
        "sales",
        "notes.csv",
        csv(
            "period,brand,model,trim,units",
            '2025-02,AITO,M9,"Max\nlaunch edition",17190',  # lines 2-3
            "2025-02,BMW,X5,,-5",  # line 4
        ),
    )
    run(SALES, tmp_path)

    loaded = rows_of(table(raw, "sales"), source)
    assert loaded["trim"].to_list() == ["Max\nlaunch edition"]
    quarantined = rows_of(table(raw, "sales_quarantine"), source)
    assert quarantined.select("line_number", "field").rows() == [(3, "units")]


# --- columns that come and go --------------------------------------------------------------


def test_unknown_columns_are_kept_in_extra(tmp_path, landing, raw):
    source = land(
        landing,
        "sales",
        "extra.csv",
        csv(SALES_HEADER + ",Dealer Count,Region", "2025-02,AITO,M9,17190,12,East"),
    )
    run(SALES, tmp_path)

    loaded = rows_of(table(raw, "sales"), source)
    assert json.loads(loaded["extra"][0]) == {"dealer_count": "12", "region": "East"}
    assert "dealer_count" not in loaded.columns
    extra_columns = manifest_row(raw, "sales", source)["extra_columns"]
    assert json.loads(extra_columns) == ["dealer_count", "region"]


def test_unknown_column_named_like_a_provenance_column_is_kept_in_extra(tmp_path, landing, raw):
    """Exports often carry a row-number column; it is unknown data, not a reason to reject."""
    source = land(
        landing,
        "sales",
        "numbered.csv",
        csv("Line Number," + SALES_HEADER, "1,2025-02,AITO,M9,17190"),
    )
    run(SALES, tmp_path)

    assert manifest_row(raw, "sales", source)["status"] == "loaded"
    loaded = rows_of(table(raw, "sales"), source)
    assert loaded["units"].to_list() == [17190]
    assert json.loads(loaded["extra"][0]) == {"line_number": "1"}


def test_missing_optional_columns_become_nulls(tmp_path, landing, raw):
    source = land(landing, "sales", "lean.csv", csv(SALES_HEADER, "2025-02,AITO,M9,17190"))
    run(SALES, tmp_path)

    loaded = rows_of(table(raw, "sales"), source)
    assert loaded.height == 1
    optional = ["group", "trim", "powertrain", "msrp_cny", "origin", "source", "extra"]
    assert loaded.select(optional).row(0) == (None,) * len(optional)
    assert manifest_row(raw, "sales", source)["extra_columns"] is None


def test_sql_text_lands_verbatim(tmp_path, landing, raw):
    nasty = "'); drop table x; --"
    source = land(landing, "sales", "nasty.csv", csv(SALES_HEADER, f"2025-02,AITO,{nasty},1"))
    run(SALES, tmp_path)

    assert rows_of(table(raw, "sales"), source)["model"].to_list() == [nasty]


# --- re-runs ---------------------------------------------------------------------------------


def snapshot(raw: Path) -> dict[str, pl.DataFrame]:
    return {
        name: table(raw, name).sort("source_file", "line_number", nulls_last=True)
        for name in ("sales", "sales_quarantine")
    } | {"manifest": store.read_manifest(raw, "sales", DROP).sort("source_file")}


def test_ingesting_a_drop_twice_changes_nothing(tmp_path, landing, raw):
    sources = [
        land(landing, "sales", "a.csv", csv(SALES_HEADER, "2025-02,AITO,M9,1", "2025-02,X,Y,-1")),
        land(
            landing,
            "sales",
            "b.csv.gz",
            gzip.compress(csv(SALES_HEADER, "2025-02,B,X5,2").encode()),
        ),
    ]
    first = run(SALES, tmp_path)
    before = snapshot(raw)
    second = run(SALES, tmp_path)
    after = snapshot(raw)

    assert first.unchanged == []
    assert sorted(second.unchanged) == sorted(sources)
    for name in before:
        assert_frame_equal(after[name], before[name])
    assert before["sales"].height == 2 and before["sales_quarantine"].height == 1


def test_a_changed_file_replaces_its_earlier_rows(tmp_path, landing, raw):
    source = land(
        landing, "sales", "a.csv", csv(SALES_HEADER, "2025-02,AITO,M9,1", "2025-02,AITO,M9,-1")
    )
    run(SALES, tmp_path)
    first_sha = manifest_row(raw, "sales", source)["sha256"]

    land(landing, "sales", "a.csv", csv(SALES_HEADER, "2025-02,AITO,M9,17190"))
    report = run(SALES, tmp_path)

    assert report.unchanged == []
    assert rows_of(table(raw, "sales"), source)["units"].to_list() == [17190]
    assert rows_of(table(raw, "sales_quarantine"), source).is_empty()
    row = manifest_row(raw, "sales", source)
    assert row["sha256"] != first_sha
    assert (row["rows_in"], row["rows_loaded"], row["rows_quarantined"]) == (1, 1, 0)


# --- what is not part of a drop ----------------------------------------------------------------


def test_symlink_out_of_landing_is_refused_and_not_read(tmp_path, landing, raw):
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text(csv(SALES_HEADER, "2025-02,OUTSIDE,M9,1"))
    good = land(landing, "sales", "good.csv", csv(SALES_HEADER, "2025-02,AITO,M9,1"))
    os.symlink(secret, landing / "sales" / DROP.isoformat() / "link.csv")
    run(SALES, tmp_path)

    row = manifest_row(raw, "sales", f"sales/{DROP}/link.csv")
    assert row["status"] == "rejected"
    assert "landing" in row["message"]
    assert row["sha256"] is None  # not even hashed
    assert table(raw, "sales")["brand"].to_list() == ["AITO"]
    assert manifest_row(raw, "sales", good)["status"] == "loaded"


def test_refused_symlink_is_recorded_once_however_often_the_drop_is_ingested(
    tmp_path, landing, raw
):
    secret = tmp_path / "secret.csv"
    secret.write_text(csv(SALES_HEADER, "2025-02,OUTSIDE,M9,1"))
    (landing / "sales" / DROP.isoformat()).mkdir(parents=True)
    os.symlink(secret, landing / "sales" / DROP.isoformat() / "link.csv")
    for _ in range(3):
        run(SALES, tmp_path)

    manifest = store.read_manifest(raw, "sales", DROP)
    assert manifest["source_file"].to_list() == [f"sales/{DROP}/link.csv"]


def test_hidden_files_are_ignored(tmp_path, landing, raw):
    good = land(landing, "sales", "good.csv", csv(SALES_HEADER, "2025-02,AITO,M9,1"))
    land(landing, "sales", ".~lock.good.csv#", "garbage")
    land(landing, "sales", ".partial.csv", csv(SALES_HEADER, "2025-02,HIDDEN,M9,1"))
    report = run(SALES, tmp_path)

    assert [row["source_file"] for row in report.files] == [good]
    assert store.read_manifest(raw, "sales", DROP)["source_file"].to_list() == [good]
    assert table(raw, "sales")["brand"].to_list() == ["AITO"]
    assert table(raw, "sales_quarantine").is_empty()


def test_tariff_ending_before_it_starts_is_quarantined_on_valid_to(tmp_path, landing, raw):
    source = land(
        landing,
        "tariffs",
        "backwards.csv",
        csv(
            "reporter,partner,hs_code,measure,company,rate_pct,valid_from,valid_to",
            "EU,CN,8703.80,CVD,BYD,17.0,2024-10-30,",
            "EU,CN,8703.80,CVD,SAIC,35.3,2024-10-30,2024-10-29",
        ),
    )
    run(TARIFFS, tmp_path)

    assert rows_of(table(raw, "tariffs"), source)["company"].to_list() == ["BYD"]
    quarantined = rows_of(table(raw, "tariffs_quarantine"), source)
    assert quarantined.select("line_number", "field", "value", "reason").rows() == [
        (3, "valid_to", "2024-10-29", "valid_to is before valid_from")
    ]


def test_line_with_more_fields_than_the_header_is_quarantined_whole(tmp_path, landing, raw):
    source = land(
        landing,
        "sales",
        "ragged.csv",
        csv(
            "period,brand,model,units",
            "2025-01,AITO,M9,1",
            "2025-01,BMW,X7,5,surplus",
            '2025-01,Audi,"A6L, long",7',
        ),
    )
    report = run(SALES, tmp_path)

    loaded = rows_of(table(raw, "sales"), source)
    assert loaded.select("line_number", "model").rows() == [(2, "M9"), (4, "A6L, long")]
    quarantined = rows_of(table(raw, "sales_quarantine"), source)
    assert quarantined.select("line_number", "field", "value").rows() == [(3, None, "surplus")]
    assert "more fields than the header" in quarantined["reason"][0]
    assert report.files[0]["rows_in"] == 3


def test_unclosed_quote_quarantines_that_line_and_loads_the_others(tmp_path, landing, raw):
    source = land(
        landing,
        "sales",
        "unclosed.csv",
        csv(
            "period,brand,model,units",
            "2025-01,AITO,M9,1",
            '2025-01,"BMW,X5,2',
            "2025-01,Audi,A8L,3",
        ),
    )
    report = run(SALES, tmp_path)

    assert report.files[0]["status"] == "loaded"
    loaded = rows_of(table(raw, "sales"), source)
    assert loaded.select("line_number", "model", "units").rows() == [(2, "M9", 1), (4, "A8L", 3)]
    quarantined = rows_of(table(raw, "sales_quarantine"), source)
    assert quarantined.select("line_number", "field", "value").rows() == [
        (3, None, '2025-01,"BMW,X5,2')
    ]
    assert "not valid CSV" in quarantined["reason"][0]
    assert report.files[0]["rows_in"] == 3 == report.files[0]["rows_loaded"] + 1


def test_same_content_dropped_again_later_loads_nothing_twice(tmp_path, landing, raw):
    content = csv(SALES_HEADER, "2025-02,AITO,M9,17190")
    first = land(landing, "sales", "export.csv", content)
    run(SALES, tmp_path)
    later = date(2025, 3, 20)
    again = landing / "sales" / later.isoformat() / "export_resent.csv"
    again.parent.mkdir(parents=True)
    again.write_text(content, encoding="utf-8")

    report = ingest_drop(SALES, landing, raw, later)

    (row,) = report.files
    assert (row["status"], row["rows_loaded"]) == ("duplicate", 0)
    assert first in row["message"]
    assert not list(store.partition_dir(raw, "sales", later).glob("*.parquet"))
    assert ingest_drop(SALES, landing, raw, later).files[0]["status"] == "duplicate"
