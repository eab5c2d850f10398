"""The raw layer on disk: Parquet files per feed and drop date, written by Polars.

Layout under the raw directory (beside the warehouse file)::

    <feed>/drop_date=<D>/<file key>.parquet             loaded rows of one landed file
    <feed>_quarantine/drop_date=<D>/<file key>.parquet  its quarantined rows
    <feed>_files/drop_date=<D>/manifest.parquet         one row per landed file (the manifest)
    <table>/_schema.parquet                             an empty file that fixes the columns
    _landing_seen.json                                  each drop's landing fingerprint when read

Re-ingesting a file replaces its two Parquet files; re-ingesting a drop replaces its
manifest. Every write goes to a temporary name first and is renamed into place, so a crash
never leaves half a file where the views can see it; the temporaries and working files a
killed run left are removed when the next one starts (``remove_leftovers``,
``remove_work_dir``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

MANIFEST_SCHEMA = {
    "feed": pl.String,
    "drop_date": pl.Date,
    "source_file": pl.String,
    "sha256": pl.String,
    "bytes": pl.Int64,
    "format": pl.String,
    "encoding": pl.String,
    "status": pl.String,
    "message": pl.String,
    "extra_columns": pl.String,
    "rows_in": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_quarantined": pl.Int64,
    # Rows written to raw: rows_loaded, or more where one line holds several measures.
    "raw_rows": pl.Int64,
    "ingested_at": pl.Datetime("us", "UTC"),
}

LANDING_SEEN = "_landing_seen.json"
# How every raw Parquet file is written. zstd's fastest level: the raw layer is read once
# per build, and on a 5M-row file level 1 wrote the same 47 MiB as the default level, with
# 0.18 s less CPU. No column statistics: the models read a raw file whole, and the min and
# max of every name cost 0.1 s of a 5M-row file's 2.5 s; a filter on the drop reads the
# one-value drop_date column instead (11 ms more over 60M rows, docs/benchmarks.md).
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1, "statistics": False}


def table_dir(raw_dir: Path, table: str) -> Path:
    return raw_dir / table


def partition_dir(raw_dir: Path, table: str, drop_date: date) -> Path:
    return table_dir(raw_dir, table) / f"drop_date={drop_date.isoformat()}"


def file_key(relative_name: str) -> str:
    """A file-system-safe, collision-free name for a landed file's outputs."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", relative_name.rsplit("/", 1)[-1])[:80]
    return f"{stem}-{hashlib.sha1(relative_name.encode()).hexdigest()[:10]}"


@contextmanager
def replacing(target: Path):
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def remove_leftovers(raw_dir: Path, tables: list[str]) -> list[Path]:
    """Remove the temporary files (``.<name>.<pid>.tmp``) a killed run left in ``tables``;
    only call it while holding the run lock, when no writer can own one. Returns them."""
    leftovers = [path for table in tables for path in table_dir(raw_dir, table).glob("**/.*.tmp")]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers


def work_dir(raw_dir: Path, feed: str) -> Path:
    """Where the ingest of one file of ``feed`` keeps its working files (a transcoded copy,
    the outcomes of its pass); removed when the file is done."""
    return raw_dir / ".work" / feed


def remove_work_dir(raw_dir: Path, feed: str) -> Path | None:
    """Remove the working files a killed run left for ``feed``; only under the run lock, as
    ``remove_leftovers``. Returns their folder if there was one."""
    folder = work_dir(raw_dir, feed)
    if not folder.exists():
        return None
    shutil.rmtree(folder)
    return folder


def ingested_fingerprints(raw_dir: Path) -> dict[str, str]:
    """``<feed>/<YYYY-MM-DD>`` -> the landing fingerprint of that drop when it was last
    ingested (``landing.drop_fingerprint``): the landing sensor starts from what runs read."""
    path = raw_dir / LANDING_SEEN
    return json.loads(path.read_text()) if path.exists() else {}


def record_ingested(raw_dir: Path, fingerprints: dict[str, str]) -> None:
    merged = ingested_fingerprints(raw_dir) | fingerprints
    target = raw_dir / LANDING_SEEN
    with replacing(target) as temporary:
        temporary.write_text(json.dumps(merged, sort_keys=True))


def write_schema_file(raw_dir: Path, table: str, schema: dict[str, pl.DataType]) -> Path:
    target = table_dir(raw_dir, table) / "_schema.parquet"
    with replacing(target) as temporary:
        pl.DataFrame(schema=schema).write_parquet(temporary, **PARQUET_OPTIONS)
    return target


def data_files(raw_dir: Path, table: str) -> list[Path]:
    """The schema file first, then every partition's files, in a stable order."""
    root = table_dir(raw_dir, table)
    return [root / "_schema.parquet", *sorted(root.glob("drop_date=*/*.parquet"))]


def row_count(path: Path) -> int:
    return pl.scan_parquet(path).select(pl.len()).collect().item()


def read_manifest(raw_dir: Path, feed: str, drop_date: date) -> pl.DataFrame:
    path = partition_dir(raw_dir, f"{feed}_files", drop_date) / "manifest.parquet"
    if path.exists():
        return pl.read_parquet(path)
    return pl.DataFrame(schema=MANIFEST_SCHEMA)


def loaded_elsewhere(raw_dir: Path, feed: str, drop_date: date) -> dict[str, str]:
    """SHA-256 -> file name of every file loaded in the feed's other drops."""
    this_drop = partition_dir(raw_dir, f"{feed}_files", drop_date)
    seen: dict[str, str] = {}
    for path in sorted(table_dir(raw_dir, f"{feed}_files").glob("drop_date=*/manifest.parquet")):
        if path.parent != this_drop:
            stat = path.stat()
            seen.update(_loaded_files(path, stat.st_mtime_ns, stat.st_size))
    return seen


@lru_cache(maxsize=1 << 14)
def _loaded_files(path: Path, mtime_ns: int, size: int) -> dict[str, str]:
    """SHA-256 -> file name of the loaded files of one manifest, as of its ``mtime_ns`` and
    ``size``: a backfill of many drops reads each other drop's manifest once, not once per
    drop. Manifests are only ever replaced (renamed into place), so a change shows in both."""
    rows = (
        pl.read_parquet(path, columns=["sha256", "source_file", "status"])
        .filter(pl.col("status") == "loaded")
        .select("sha256", "source_file")
    )
    return dict(zip(rows["sha256"], rows["source_file"], strict=True))


def write_manifest(raw_dir: Path, feed: str, drop_date: date, manifest: pl.DataFrame) -> None:
    path = partition_dir(raw_dir, f"{feed}_files", drop_date) / "manifest.parquet"
    with replacing(path) as temporary:
        manifest.select(MANIFEST_SCHEMA.keys()).cast(MANIFEST_SCHEMA).write_parquet(
            temporary, **PARQUET_OPTIONS
        )
