"""Absurd landing entries are refused with a short reason and the rest of the drop loads; a
machine error (read-only or full raw directory) fails the ingest instead of rejecting a file;
a withdrawn file's rows leave the raw layer; a killed writer's temporaries are removed.

Read-only and full directories are real mounts (tmpfs, a read-only bind): the tests run as
root, as the project's CI does.
"""

import json
import secrets
import subprocess
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from orchestration.ingest import store
from orchestration.ingest.feeds import SALES, TARIFFS
from orchestration.ingest.ingest import ingest_drop, withdraw
from orchestration.ingest.landing import drop_folders
from orchestration.ingest.limits import (
    MAX_COLUMNS,
    MAX_FIELD_BYTES,
    MAX_HEADER_BYTES,
    MAX_REASON_CHARS,
    SHOWN_CHARS,
)
from orchestration.partitions import landed_drop_dates
from tests.conftest import settings_in

DROP = date(2025, 3, 1)
GOOD = "period,brand,model,units\n2025-02,BMW,X5,10\n2025-02,Audi,A6L,20\n"


def land(landing: Path, feed: str, name: str, content: str | bytes, day: str = "2025-03-01"):
    folder = landing / feed / day
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return f"{feed}/{day}/{name}"


def manifest(raw: Path, feed: str) -> dict[str, dict]:
    rows = store.read_manifest(raw, feed, DROP).to_dicts()
    return {row["source_file"]: row for row in rows}


def loaded_rows(raw: Path, feed: str = "sales") -> pl.DataFrame:
    files = sorted(store.partition_dir(raw, feed, DROP).glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def test_a_drop_folder_that_is_no_date_is_refused_by_name_and_the_others_are_found(tmp_path):
    landing = tmp_path / "landing"
    land(landing, "sales", "a.csv", GOOD)
    land(landing, "sales", "a.csv", GOOD, day="2025-13-45")
    land(landing, "sales", "a.csv", GOOD, day="latest")
    days, refused = drop_folders(landing, "sales")
    assert days == [DROP]
    reasons = dict(refused)
    assert set(reasons) == {"sales/2025-13-45", "sales/latest"}
    assert "sales/2025-13-45" in reasons["sales/2025-13-45"]
    assert "month must be in 1..12" in reasons["sales/2025-13-45"]
    settings = settings_in(tmp_path, landing)
    assert landed_drop_dates(settings) == ["2025-03-01"]


def test_a_header_of_millions_of_columns_is_rejected_quickly_with_a_short_reason(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    header = ",".join(f"c{i}" for i in range(2_000_000))
    wide = land(landing, "sales", "wide.csv", header + "\n" + "1," * 10 + "\n")
    good = land(landing, "sales", "good.csv", GOOD)
    started = time.monotonic()
    ingest_drop(SALES, landing, raw, DROP)
    assert time.monotonic() - started < 20
    rows = manifest(raw, "sales")
    assert rows[wide]["status"] == "rejected"
    assert f"longer than {MAX_HEADER_BYTES:,} bytes" in rows[wide]["message"]
    assert len(rows[wide]["message"]) <= MAX_REASON_CHARS
    assert rows[good]["status"] == "loaded"
    quarantine = pl.read_parquet(store.partition_dir(raw, "sales_quarantine", DROP) / "*.parquet")
    assert quarantine["reason"].str.len_chars().max() <= MAX_REASON_CHARS + 40


def test_more_columns_than_the_limit_in_a_short_header_is_rejected(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    header = "period,brand,model,units," + ",".join(f"x{i}" for i in range(MAX_COLUMNS))
    name = land(landing, "sales", "many.csv", header + "\n")
    ingest_drop(SALES, landing, raw, DROP)
    row = manifest(raw, "sales")[name]
    assert row["status"] == "rejected"
    assert f"more than {MAX_COLUMNS}" in row["message"]


def test_a_missing_column_reason_lists_a_few_headers_not_all(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    header = ",".join(f"column_{i}" for i in range(MAX_COLUMNS - 1))
    name = land(landing, "sales", "nothing.csv", header + "\n1\n")
    ingest_drop(SALES, landing, raw, DROP)
    row = manifest(raw, "sales")[name]
    assert row["status"] == "rejected"
    assert "missing required column" in row["message"]
    assert len(row["message"]) <= MAX_REASON_CHARS + 40


TARIFF = {
    "reporter": "CN",
    "partner": "EU",
    "hs_code": "2208.20",
    "measure": "AD",
    "rate_pct": "39%",
    "valid_from": "2025-07-05",
}


def test_json_nested_ten_thousand_deep_is_rejected_and_the_drop_goes_on(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    deep = land(landing, "tariffs", "deep.json", "[" * 10_000 + "]" * 10_000)
    good = land(landing, "tariffs", "good.json", json.dumps([TARIFF]))
    report = ingest_drop(TARIFFS, landing, raw, DROP)
    rows = manifest(raw, "tariffs")
    assert rows[deep]["status"] == "rejected"
    assert "nested deeper" in rows[deep]["message"]
    assert rows[good]["status"] == "loaded", rows[good]["message"]
    assert report.total("rows_loaded") == 1


HUGE = "B" * (50 * 1024 * 1024)
LONG_FIELD_FILES = {
    # feed, file name, content, the field that is too long, its line
    "csv": (
        SALES,
        "huge.csv",
        f"period,brand,model,units\n2025-02,{HUGE},X5,10\n" + GOOD.split("\n", 1)[1],
        "brand",
        2,
    ),
    "json": (
        TARIFFS,
        "huge.json",
        json.dumps([TARIFF | {"company": HUGE}, TARIFF | {"company": "BYD"}]),
        "company",
        1,
    ),
}


@pytest.mark.parametrize("fmt", LONG_FIELD_FILES)
def test_a_field_beyond_the_limit_quarantines_its_row_with_the_value_cut(tmp_path, fmt):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    feed, file_name, content, field, line = LONG_FIELD_FILES[fmt]
    name = land(landing, feed.name, file_name, content)
    ingest_drop(feed, landing, raw, DROP)
    row = manifest(raw, feed.name)[name]
    assert row["status"] == "loaded"
    rows_in = row["rows_in"]
    assert (row["rows_loaded"], row["rows_quarantined"]) == (rows_in - 1, 1)
    assert loaded_rows(raw, feed.name)[field].str.len_bytes().max() <= MAX_FIELD_BYTES
    quarantined = pl.read_parquet(
        store.partition_dir(raw, f"{feed.name}_quarantine", DROP) / "*.parquet"
    )
    assert quarantined["line_number"].to_list() == [line]
    assert f"{field!r}" in quarantined["reason"][0]
    assert f"longer than {MAX_FIELD_BYTES} bytes" in quarantined["reason"][0]
    assert quarantined["value"][0] == "B" * SHOWN_CHARS


@contextmanager
def mounted(path: Path, *options: str):
    """A tmpfs at ``path`` (``options`` e.g. size=...), unmounted after."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", path], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=True)


def read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", path], check=True)


def test_a_read_only_raw_directory_fails_the_ingest_and_rejects_nothing(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    name = land(landing, "sales", "a.csv", GOOD)
    with mounted(raw, "size=64m"):
        read_only(raw)
        with pytest.raises(OSError, match="Read-only file system"):
            ingest_drop(SALES, landing, raw, DROP)
        subprocess.run(["mount", "-o", "remount,rw", raw], check=True)
        assert manifest(raw, "sales") == {}, "a machine error was recorded as a rejection"
        ingest_drop(SALES, landing, raw, DROP)
        assert manifest(raw, "sales")[name]["status"] == "loaded"
        assert loaded_rows(raw).height == 2


def test_a_full_raw_directory_fails_the_ingest_and_the_next_run_repairs_it(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    # Random model names: the Parquet output does not compress below the 1 MB disk.
    big = GOOD + "".join(f"2025-02,BMW,{secrets.token_hex(16)},{i}\n" for i in range(400_000))
    name = land(landing, "sales", "big.csv", big)
    with mounted(raw, "size=1m"):
        with pytest.raises(Exception, match="No space left on device"):
            ingest_drop(SALES, landing, raw, DROP)
        assert manifest(raw, "sales") == {}, "a full disk was recorded as a rejection"
        assert not list(raw.rglob("*.tmp")), "a temporary file was left behind"
        subprocess.run(["mount", "-o", "remount,size=256m", raw], check=True)
        report = ingest_drop(SALES, landing, raw, DROP)
        assert manifest(raw, "sales")[name]["status"] == "loaded"
        assert report.total("rows_loaded") == 400_002
        assert loaded_rows(raw).height == 400_002


def test_a_withdrawn_file_loses_its_rows_and_stays_withdrawn_until_it_changes(tmp_path):
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    kept = land(landing, "sales", "kept.csv", GOOD)
    gone = land(landing, "sales", "gone.csv", GOOD.replace("BMW", "Porsche"))
    ingest_drop(SALES, landing, raw, DROP)
    assert sorted(loaded_rows(raw)["brand"]) == ["Audi", "Audi", "BMW", "Porsche"]

    withdraw(SALES, raw, DROP, gone)
    assert manifest(raw, "sales")[gone]["status"] == "withdrawn"
    assert sorted(loaded_rows(raw)["brand"]) == ["Audi", "BMW"]
    ingest_drop(SALES, landing, raw, DROP)  # the file is still in landing, same bytes
    assert manifest(raw, "sales")[gone]["status"] == "withdrawn"
    assert manifest(raw, "sales")[kept]["status"] == "loaded"
    assert sorted(loaded_rows(raw)["brand"]) == ["Audi", "BMW"]

    land(landing, "sales", "gone.csv", GOOD.replace("BMW", "Lexus"))
    ingest_drop(SALES, landing, raw, DROP)
    assert manifest(raw, "sales")[gone]["status"] == "loaded"
    assert sorted(loaded_rows(raw)["brand"]) == ["Audi", "Audi", "BMW", "Lexus"]


def test_withdrawing_a_file_not_in_the_manifest_says_so(tmp_path):
    with pytest.raises(LookupError, match="nothing to withdraw"):
        withdraw(SALES, tmp_path / "raw", DROP, "sales/2025-03-01/never.csv")


def test_temporaries_left_by_a_killed_writer_are_removed(tmp_path):
    raw = tmp_path / "raw"
    leftover = store.partition_dir(raw, "sales", DROP) / ".x.parquet.12345.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"")
    kept = leftover.with_name("x.parquet")
    kept.write_bytes(b"kept")
    assert store.remove_leftovers(raw, ["sales", "sales_quarantine"]) == [leftover]
    assert not leftover.exists() and kept.exists()
    working = store.work_dir(raw, "sales") / "outcomes" / "loaded.parquet"
    working.parent.mkdir(parents=True)
    working.write_bytes(b"half")
    assert store.remove_work_dir(raw, "sales") == store.work_dir(raw, "sales")
    assert not working.exists() and store.remove_work_dir(raw, "sales") is None
