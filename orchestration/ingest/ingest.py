"""Ingest one drop of one feed: landed files -> raw Parquet, quarantine and manifest.

Idempotent: a file whose SHA-256 is already in the drop's manifest as loaded is not read
again; a changed file replaces its earlier outputs; a file with the same bytes as one loaded
in another drop (or earlier in this one) is recorded as a duplicate and loads nothing. A file
that cannot be loaded at all is recorded in the manifest as rejected and in the quarantine
with the reason, and the drop goes on with the other files. Only reading a landed file can
reject it: an error writing the raw outputs or the manifest fails the run, which the next run
repairs (every output is renamed into place, the manifest last).

A file withdrawn (``withdraw``) loses its rows and stays withdrawn while its bytes are the same.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from orchestration.ingest import store
from orchestration.ingest.decode import decodes_as_utf8
from orchestration.ingest.feeds import Feed
from orchestration.ingest.landing import LandedFile, landed_files, landed_sha256
from orchestration.ingest.limits import shortened
from orchestration.ingest.parse import OUTCOME, QUARANTINE_SCHEMA, Outcome, split
from orchestration.ingest.read import (
    COMPRESSED_FORMATS,
    CSV_FORMATS,
    LINE,
    RejectedFile,
    TextFrame,
    machine_fault,
    read_text,
)

LOADED, REJECTED, DUPLICATE, WITHDRAWN = "loaded", "rejected", "duplicate", "withdrawn"


class UnreadableRows(RejectedFile):
    """Reading the file's rows failed after its header was read (a malformed record)."""


@dataclass
class DropReport:
    """What one ingest of a drop did.

    ``files`` is the drop's whole manifest after it; ``ingested`` the rows of the files read
    (or refused) this time; ``unchanged`` the files skipped because their SHA-256 was loaded.
    """

    feed: str
    drop_date: date
    files: list[dict] = field(default_factory=list)
    ingested: list[dict] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def total(self, column: str) -> int:
        """Sum of a count column over the files ingested this time."""
        return sum(row[column] or 0 for row in self.ingested)

    @property
    def rejected(self) -> list[dict]:
        return [row for row in self.ingested if row["status"] == REJECTED]


def _outputs(raw_dir: Path, feed: Feed, name: str, drop_date: date) -> tuple[Path, Path]:
    """Where the loaded and the quarantined rows of the landed file ``name`` go."""
    key = store.file_key(name)
    return (
        store.partition_dir(raw_dir, feed.name, drop_date) / f"{key}.parquet",
        store.partition_dir(raw_dir, f"{feed.name}_quarantine", drop_date) / f"{key}.parquet",
    )


def _reject(raw_dir: Path, feed: Feed, name: str, drop_date: date, reason: str) -> None:
    """Drop any rows the file loaded before; quarantine it as one whole-file row."""
    loaded_path, quarantine_path = _outputs(raw_dir, feed, name, drop_date)
    loaded_path.unlink(missing_ok=True)
    row = {
        "feed": feed.name,
        "source_file": name,
        "line_number": None,
        "field": None,
        "value": None,
        "reason": shortened(reason),
        "drop_date": drop_date,
    }
    with store.replacing(quarantine_path) as temporary:
        pl.DataFrame([row], schema=QUARANTINE_SCHEMA).write_parquet(
            temporary, **store.PARQUET_OPTIONS
        )


# The working file of each outcome of a file's rows (a blank line's is thrown away).
OUTCOME_FILES = {
    Outcome.LOADED: "loaded.parquet",
    Outcome.QUARANTINED: "quarantined.parquet",
    Outcome.BLANK: "blank.parquet",
}


def _load(
    feed: Feed,
    file: LandedFile,
    workdir: Path,
    loaded_path: Path,
    quarantine_path: Path,
    repair: bool = False,
    in_place: bool = True,
) -> tuple[TextFrame, int]:
    """Parse the file into its two Parquet outputs in one pass, which writes every row to
    the working file of its outcome (``parse.OUTCOME``); ``Split.quarantine`` then turns the
    quarantined ones into the quarantine's rows. Returns the text frame and the number of
    lines sent to the quarantine."""
    text = read_text(feed, file, workdir, repair=repair, in_place=in_place)
    parts = split(feed, text, file.relative_name, file.drop_date)
    outcomes = workdir / "outcomes"
    # An earlier try at this file (``_load_csv``) may have left its outcomes.
    shutil.rmtree(outcomes, ignore_errors=True)
    try:
        parts.rows.sink_parquet(
            pl.PartitionBy(
                outcomes,
                key=OUTCOME,
                include_key=False,
                file_path_provider=lambda args: OUTCOME_FILES[args.partition_keys.item()],
                approximate_bytes_per_file=None,
            ),
            mkdir=True,
            engine="streaming",
            **store.PARQUET_OPTIONS,
        )
    except (pl.exceptions.PolarsError, OSError) as error:
        # Reading, parsing and writing fail in one pass: the file is to blame only if
        # reading it alone fails too; otherwise the error is the machine's or the code's.
        if machine_fault(error) or _readable(text.frame):
            raise
        raise UnreadableRows(f"{file.relative_name}: cannot be read: {error}") from error
    loaded, failed = (outcomes / OUTCOME_FILES[o] for o in (Outcome.LOADED, Outcome.QUARANTINED))
    empty = pl.LazyFrame(schema=parts.rows.drop(OUTCOME).collect_schema())
    failed_rows = pl.scan_parquet(failed) if failed.exists() else empty
    with store.replacing(loaded_path) as loaded_tmp, store.replacing(quarantine_path) as q_tmp:
        if loaded.exists():
            loaded.replace(loaded_tmp)
        else:
            empty.sink_parquet(loaded_tmp, **store.PARQUET_OPTIONS)
        parts.quarantine(failed_rows).sink_parquet(q_tmp, **store.PARQUET_OPTIONS)
    return text, _lines(failed_rows, text.rows_per_line)


def _lines(rows: pl.LazyFrame, rows_per_line: bool) -> int:
    """The input lines ``rows`` came from: a line a row, or a line a line number where a
    reader made several rows of one line (a USITC line)."""
    count = pl.col(LINE).n_unique() if rows_per_line else pl.len()
    return rows.select(count).collect().item()


def _load_csv(feed: Feed, file: LandedFile, workdir: Path, outputs: tuple[Path, Path]):
    """``_load`` of a CSV, read where it lies first. Polars refuses bytes that are not UTF-8
    as it refuses a record it cannot parse: a file that is not UTF-8 is read again through
    ``as_utf8_csv``, which transcodes it; one that still fails, or was UTF-8, is read line by
    line, quarantining the lines that are not CSV and loading the rest (where it lies when it
    is UTF-8: its encoding is known by then)."""
    try:
        return _load(feed, file, workdir, *outputs)
    except UnreadableRows:
        transcode = file.format not in COMPRESSED_FORMATS and not decodes_as_utf8(file.path)
    if transcode:
        try:
            return _load(feed, file, workdir, *outputs, in_place=False)
        except UnreadableRows:
            pass
    return _load(feed, file, workdir, *outputs, repair=True, in_place=not transcode)


def _readable(frame: pl.LazyFrame) -> bool:
    try:
        frame.select(pl.len()).collect(engine="streaming")
    except pl.exceptions.PolarsError:
        return False
    return True


def _manifest_row(feed: Feed, file: LandedFile, sha256: str) -> dict:
    """What the manifest knows of a landed file before its outcome."""
    return {
        "feed": feed.name,
        "drop_date": file.drop_date,
        "source_file": file.relative_name,
        "sha256": sha256,
        "bytes": file.path.stat().st_size,
        "format": file.format,
        "encoding": None,
        "extra_columns": None,
        "ingested_at": datetime.now(UTC),
    }


def ingest_file(
    feed: Feed, file: LandedFile, sha256: Future[str], raw_dir: Path, workdir: Path
) -> dict:
    """Load one landed file, whose SHA-256 ``sha256`` is being taken beside the parse (see
    ``ingest_drop``); return its manifest row."""
    outputs = _outputs(raw_dir, feed, file.relative_name, file.drop_date)
    loaded_path, quarantine_path = outputs
    try:
        if file.format in CSV_FORMATS:
            text, lines_failed = _load_csv(feed, file, workdir, outputs)
        else:
            text, lines_failed = _load(feed, file, workdir, *outputs)
    except RejectedFile as error:
        message = shortened(str(error))
        _reject(raw_dir, feed, file.relative_name, file.drop_date, message)
        return _manifest_row(feed, file, sha256.result()) | {
            "status": REJECTED,
            "message": message,
            "rows_in": None,
            "rows_loaded": 0,
            "rows_quarantined": 1,
            "raw_rows": 0,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    row = _manifest_row(feed, file, sha256.result())
    # Counts are of input lines; raw_rows of the rows written, several per line where a
    # line holds several measures (a USITC line), else one.
    raw_rows, rows_quarantined = store.row_count(loaded_path), store.row_count(quarantine_path)
    rows_loaded = _lines(pl.scan_parquet(loaded_path), text.rows_per_line)
    # Every line lands in one output by construction (one sink, one outcome per line); what
    # can still go wrong is a line sent to the quarantine without a reason to show.
    if rows_quarantined != lines_failed:
        raise RuntimeError(
            f"{file.relative_name}: {lines_failed} lines failed but {rows_quarantined} were "
            "quarantined; lines were lost"
        )
    return row | {
        "encoding": text.encoding,
        "extra_columns": json.dumps(text.extra_columns) if text.extra_columns else None,
        "status": LOADED,
        "message": None,
        "rows_in": rows_loaded + rows_quarantined,
        "rows_loaded": rows_loaded,
        "rows_quarantined": rows_quarantined,
        "raw_rows": raw_rows,
    }


def _duplicate(feed: Feed, file: LandedFile, sha256: str, original: str, raw_dir: Path) -> dict:
    for output in _outputs(raw_dir, feed, file.relative_name, file.drop_date):
        output.unlink(missing_ok=True)
    return _manifest_row(feed, file, sha256) | {
        "status": DUPLICATE,
        "message": f"{file.relative_name}: same content as {original}; nothing loaded twice",
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "raw_rows": 0,
    }


def _refusal(feed: Feed, drop_date: date, name: str, message: str, raw_dir: Path) -> dict:
    _reject(raw_dir, feed, name, drop_date, message)
    return {
        "feed": feed.name,
        "drop_date": drop_date,
        "source_file": name,
        "status": REJECTED,
        "message": shortened(message),
        "rows_loaded": 0,
        "rows_quarantined": 1,
        "raw_rows": 0,
        "ingested_at": datetime.now(UTC),
    }


def ingest_drop(
    feed: Feed,
    landing: Path,
    raw_dir: Path,
    drop_date: date,
    progress: Callable[[str], None] = lambda message: None,
) -> DropReport:
    """Ingest every file of ``landing/<feed>/<drop_date>/`` and rewrite that drop's manifest."""
    previous = {
        row["source_file"]: row
        for row in store.read_manifest(raw_dir, feed.name, drop_date).to_dicts()
    }
    files, refused = landed_files(landing, feed.name, drop_date)
    seen = store.loaded_elsewhere(raw_dir, feed.name, drop_date)
    report = DropReport(feed.name, drop_date)
    # Each file's digest is taken on a thread beside its parse, which leaves a core a little
    # room (0.27 s of a 340 MiB file's 2.6 s, docs/benchmarks.md). A file that may be the
    # one loaded before under its name (the same size) waits for its digest instead: it is
    # then not parsed at all.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as digests:
        for number, file in enumerate(files, start=1):
            earlier = previous.pop(file.relative_name, None)
            sha256 = digests.submit(landed_sha256, file)
            if (
                earlier
                and earlier["status"] in (LOADED, WITHDRAWN)
                and earlier["bytes"] == file.path.stat().st_size
                and earlier["sha256"] == sha256.result()
            ):
                report.unchanged.append(file.relative_name)
                report.files.append(earlier)
                if earlier["status"] == LOADED:
                    seen.setdefault(earlier["sha256"], file.relative_name)
                continue
            progress(f"{feed.name} {drop_date}: file {number}/{len(files)} {file.relative_name}")
            row = ingest_file(feed, file, sha256, raw_dir, store.work_dir(raw_dir, feed.name))
            if row["sha256"] in seen:
                # The same bytes dropped again (a re-sent export): loading them twice would
                # only make the latest-drop-wins rule pick the same figures, so what the parse
                # wrote is removed and nothing is loaded.
                row = _duplicate(feed, file, row["sha256"], seen[row["sha256"]], raw_dir)
            progress(
                f"{feed.name} {drop_date}: {file.relative_name}: {row['status']}, "
                f"{row['rows_loaded']} rows loaded, {row['rows_quarantined']} quarantined"
                + (f" ({row['message']})" if row["message"] else "")
            )
            report.ingested.append(row)
            if row["status"] == LOADED:
                seen.setdefault(row["sha256"], file.relative_name)
    for name, message in refused:
        previous.pop(name, None)
        report.ingested.append(_refusal(feed, drop_date, name, message, raw_dir))
    report.files.extend(report.ingested)
    # Files that left the landing folder keep their rows: nothing loaded is lost unless it is
    # withdrawn on purpose (``withdraw``).
    report.files.extend(previous.values())
    manifest = pl.DataFrame(report.files, schema=store.MANIFEST_SCHEMA, strict=False)
    store.write_manifest(raw_dir, feed.name, drop_date, manifest)
    return report


def withdraw(feed: Feed, raw_dir: Path, drop_date: date, name: str) -> dict:
    """Take the landed file ``name`` (``<feed>/<YYYY-MM-DD>/<file>``) out of the raw layer:
    its loaded and quarantined rows are removed and its manifest row says ``withdrawn``, so
    the next build drops its rows from every model. It stays withdrawn while the landing
    folder holds the same bytes (or none); a new version of the file loads as usual."""
    manifest = store.read_manifest(raw_dir, feed.name, drop_date).to_dicts()
    rows = [row for row in manifest if row["source_file"] == name]
    if not rows:
        raise LookupError(
            f"{name}: not in the {feed.name} manifest of {drop_date}; nothing to withdraw"
        )
    for output in _outputs(raw_dir, feed, name, drop_date):
        output.unlink(missing_ok=True)
    withdrawn = rows[0] | {
        "status": WITHDRAWN,
        "message": f"{name}: withdrawn at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; its rows removed",
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "ingested_at": datetime.now(UTC),
    }
    others = [row for row in manifest if row["source_file"] != name]
    frame = pl.DataFrame([*others, withdrawn], schema=store.MANIFEST_SCHEMA, strict=False)
    store.write_manifest(raw_dir, feed.name, drop_date, frame)
    return withdrawn
