"""A run with nothing to do: what the last published run read, and whether any of it changed.

A run's result depends on the landed files, the project (dbt models, seeds and macros, the
GX suites, the pipeline's code and its locked libraries) and the settings it ran under. After a
run that published, ``make run`` records one digest of all of them beside the warehouse,
with the version it published (``last_run.json``). The next ``make run`` computes the digest
first, before it imports Dagster or dbt: when nothing changed and that version is still the
published one, the run is done in about a second and says so.

Landed files count by name, size and modification time (as the landing sensor sees them);
project files by content, so a checkout or a copy that keeps the bytes keeps the digest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.landing import drop_fingerprint

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


def inputs_digest(
    landing: Path, drop_dates: Iterable[str], settings: Mapping[str, str], root: Path = REPOSITORY
) -> str:
    """One digest over the drops ``drop_dates`` of every feed, the project files under
    ``root`` and ``settings``: equal digests, equal published marts."""
    digest = hashlib.sha256(json.dumps(dict(sorted(settings.items()))).encode())
    for day in drop_dates:
        fingerprint = drop_fingerprint(landing, date.fromisoformat(day), FEEDS)
        digest.update(f"{day}\0{fingerprint}\n".encode())
    return files_digest(digest, root, PROJECT_INPUTS)


def files_digest(digest: hashlib._Hash, root: Path, names: Iterable[str]) -> str:
    """``digest`` updated with the path and content of every file of ``names`` (files or
    folders under ``root``, build output left out), as hex."""
    for path in _project_files(root, names):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def unchanged_since(warehouse: Path, current_version: str | None, digest: str) -> str | None:
    """The published version the last run left, when ``digest`` is what that run read, that
    version is still the one published and the warehouse is still there; otherwise None."""
    if not warehouse.exists():
        return None
    try:
        last = json.loads((warehouse.parent / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if last.get("inputs") == digest and current_version and last.get("version") == current_version:
        return current_version
    return None


def record(warehouse: Path, digest: str, version: str) -> None:
    """Remember what the run that published ``version`` read (written whole or not at all)."""
    target = warehouse.parent / RECORD
    temporary = target.with_name(f".{RECORD}.tmp")
    temporary.write_text(json.dumps({"inputs": digest, "version": version}), encoding="utf-8")
    os.replace(temporary, target)
