"""What the last published run read, and what of it a run can leave as it is.

A run's result depends on the landed files, the project (dbt models, seeds and macros, the
GX suites, the pipeline's code and its locked libraries) and the settings it ran under. After a
run that published, ``make run`` records (``last_run.json``, beside the warehouse) one digest
of all of them, the digest of the project and settings alone, the digest of each raw table's
files, and the version it published.

- The next ``make run`` computes the digest first, before it imports Dagster or dbt: when
  nothing changed and that version is still the one published, the run is done in about a
  second and says so.
- Otherwise, a raw table that the run's ingest will not write and that still holds the files
  the published version was built from is unchanged (``unchanged_raw_tables``); so are the
  dbt models built from such tables alone, with the same project: the run leaves them, and
  their checks, out (``orchestration.pipeline``). A sales drop leaves the tariff models be.

Landed files count by name, size and modification time (as the landing sensor sees them);
project files by content, so a checkout or a copy that keeps the bytes keeps the digest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.ingest import store
from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.landing import drop_dates, drop_fingerprint
from orchestration.ingest.raw_views import raw_tables

REPOSITORY = Path(__file__).resolve().parents[1]
# What a run executes besides the landed files. dbt's own output folders are not inputs.
PROJECT_INPUTS = ("orchestration", "expectations", "dbt_project", "pyproject.toml", "uv.lock")
NOT_INPUTS = {"__pycache__", "target", "logs", "data_docs_vendor", ".user.yml"}
RECORD = "last_run.json"


def _project_files(root: Path, names: Iterable[str]) -> Iterable[Path]:
    for name in names:
        top = root / name
        if top.is_file():
            yield top
            continue
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if d not in NOT_INPUTS)
            for file in sorted(files):
                if file not in NOT_INPUTS and not file.endswith(".pyc"):
                    yield Path(folder, file)


@dataclass(frozen=True)
class Digests:
    """``project``: the project files and the settings; ``inputs``: those and the run's
    drops (equal digests, equal published marts)."""

    project: str
    inputs: str

    @classmethod
    def of(
        cls,
        landing: Path,
        drop_dates: Iterable[str],
        settings: Mapping[str, str],
        root: Path = REPOSITORY,
    ) -> Digests:
        """The digests of the drops ``drop_dates`` of every feed, the project files under
        ``root`` and ``settings``."""
        project = files_digest(
            hashlib.sha256(json.dumps(dict(sorted(settings.items()))).encode()),
            root,
            PROJECT_INPUTS,
        )
        digest = hashlib.sha256(project.encode())
        for day in drop_dates:
            fingerprint = drop_fingerprint(landing, date.fromisoformat(day), FEEDS)
            digest.update(f"{day}\0{fingerprint}\n".encode())
        return cls(project, digest.hexdigest())


def files_digest(digest: hashlib._Hash, root: Path, names: Iterable[str]) -> str:
    """``digest`` updated with the path and content of every file of ``names`` (files or
    folders under ``root``, build output left out), as hex."""
    for path in _project_files(root, names):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _last_run(warehouse: Path, current_version: str | None) -> dict:
    """What the last published run recorded, while its version is still the one published
    and the warehouse is still there; else nothing."""
    if not warehouse.exists() or not current_version:
        return {}
    try:
        last = json.loads((warehouse.parent / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return last if last.get("version") == current_version else {}


def unchanged_since(warehouse: Path, current_version: str | None, digest: str) -> str | None:
    """The published version the last run left, when ``digest`` is what that run read, that
    version is still the one published and the warehouse is still there; otherwise None."""
    last = _last_run(warehouse, current_version)
    return current_version if last and last.get("inputs") == digest else None


def raw_digests(raw_dir: Path) -> dict[str, str]:
    """Each raw table's digest over its data files (name, size, modification time). Not the
    ``_schema.parquet`` every ingest rewrites: its columns come from the project's code."""
    digests = {}
    for feed in FEEDS.values():
        for table in raw_tables(feed):
            digest = hashlib.sha256()
            for path in store.data_files(raw_dir, table)[1:]:
                stat = path.stat()
                name = path.relative_to(raw_dir).as_posix()
                digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            digests[table] = digest.hexdigest()
    return digests


def tables_ingest_writes(landing: Path, raw_dir: Path, run_dates: Iterable[str]) -> set[str]:
    """The raw tables the ingest of the drop dates ``run_dates`` will write: a feed's
    manifest for every drop of it, its rows and quarantine for a drop whose landed files
    changed since they were last ingested (``store.ingested_fingerprints``)."""
    seen = store.ingested_fingerprints(raw_dir)
    wanted = {date.fromisoformat(day) for day in run_dates}
    written = set()
    for feed in FEEDS.values():
        rows, quarantine, manifest = raw_tables(feed)  # in the order raw_tables gives them
        # The drops the raw asset ingests: those of the run with a drop folder of the feed.
        for day in wanted.intersection(drop_dates(landing, feed.name)):
            written.add(manifest)
            if seen.get(f"{feed.name}/{day}") != drop_fingerprint(landing, day, [feed.name]):
                written |= {rows, quarantine}
    return written


def unchanged_raw_tables(
    warehouse: Path,
    current_version: str | None,
    digests: Digests,
    raw_now: Mapping[str, str],
    written: set[str],
) -> set[str]:
    """The raw tables that hold the files the published version was built from, with the
    project and settings it was built with, and that the run will not write: the models
    built from them alone need no build. None without a record of that version."""
    last = _last_run(warehouse, current_version)
    if last.get("project") != digests.project:
        return set()
    built_from = last.get("raw", {})
    return {t for t, d in raw_now.items() if built_from.get(t) == d and t not in written}


def record(warehouse: Path, digests: Digests, version: str, raw: Mapping[str, str]) -> None:
    """Remember what the run that published ``version`` read: its digests and the raw
    tables' (written whole or not at all)."""
    target = warehouse.parent / RECORD
    temporary = target.with_name(f".{RECORD}.tmp")
    temporary.write_text(
        json.dumps(
            {
                "inputs": digests.inputs,
                "project": digests.project,
                "raw": dict(raw),
                "version": version,
            }
        ),
        encoding="utf-8",
    )
    os.replace(temporary, target)
