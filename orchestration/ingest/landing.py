"""Where raw drops arrive, and which of those files may be read.

Landing layout (see docs/design.md): ``<landing>/<feed>/<YYYY-MM-DD>/<file>``. The date folder
is the drop date and the daily partition key. File names are data: nothing outside the landing
root is ever read, whether reached through ``..`` or a symbolic link. ``X.meta.json`` is the
sidecar of ``X`` (see ``sidecar``), never a data file itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DROP_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Longest suffix first, so that ``x.csv.gz`` is not taken for ``.gz``.
FORMAT_BY_SUFFIX = {
    ".csv.gz": "csv.gz",
    ".csv": "csv",
    ".txt": "txt",
    ".parquet": "parquet",
    ".json": "json",
}
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class LandedFile:
    """One file in a drop folder, named relative to the landing root."""

    feed: str
    drop_date: date
    path: Path
    relative_name: str
    format: str | None  # None: a suffix the feed does not accept
    sidecar: Path | None = None  # X.meta.json beside X, when there is one


class UnsafePathError(ValueError):
    """A landing entry that points outside the landing root."""


def file_format(name: str) -> str | None:
    lowered = name.lower()
    for suffix, fmt in FORMAT_BY_SUFFIX.items():
        if lowered.endswith(suffix):
            return fmt
    return None


def _inside(root: Path, candidate: Path) -> Path:
    resolved = candidate.resolve()
    if candidate.is_symlink() or not resolved.is_relative_to(root.resolve()):
        # Named relative to the landing root: server paths do not belong in the audit tables.
        name = candidate.relative_to(root).as_posix()
        raise UnsafePathError(f"{name}: a link or path that leaves the landing directory; not read")
    return resolved


def drop_folders(landing: Path, feed: str) -> tuple[list[date], list[tuple[str, str]]]:
    """Drop dates that have a folder for this feed, oldest first, and the entries of the feed
    folder that are no drop (name, why): a bad name is refused, never a reason to stop."""
    feed_dir = landing / feed
    if not feed_dir.is_dir():
        return [], []
    days, refused = [], []
    for entry in sorted(feed_dir.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        name = entry.relative_to(landing).as_posix()
        if entry.is_symlink() or not entry.is_dir():
            refused.append((name, f"{name}: not a drop folder (a link or a file); not read"))
            continue
        try:
            if not DROP_DATE_PATTERN.match(entry.name):
                raise ValueError("not named YYYY-MM-DD")
            days.append(date.fromisoformat(entry.name))
        except ValueError as error:
            refused.append((name, f"{name}: not a drop date ({error}); its files are not read"))
    return days, refused


def drop_dates(landing: Path, feed: str) -> list[date]:
    """Drop dates that have a folder for this feed, oldest first."""
    return drop_folders(landing, feed)[0]


def landed_drop_dates(landing: Path, feeds: Iterable[str]) -> list[str]:
    """Every drop date with a folder in any of ``feeds``, oldest first, as partition keys."""
    days = {day for feed in feeds for day in drop_dates(landing, feed)}
    return [day.isoformat() for day in sorted(days)]


def landed_files(
    landing: Path, feed: str, drop_date: date
) -> tuple[list[LandedFile], list[tuple[str, str]]]:
    """Files in one drop folder, in name order, and the entries refused as unsafe (name, why).

    Hidden files (editors' and uploaders' temporaries) are not part of a drop.
    """
    folder = landing / feed / drop_date.isoformat()
    if not folder.is_dir():
        return [], []
    entries = [
        e for e in sorted(folder.iterdir(), key=lambda p: p.name) if not e.name.startswith(".")
    ]
    names = {entry.name for entry in entries}
    files, refused = [], []
    for entry in entries:
        relative_name = entry.relative_to(landing).as_posix()
        if entry.name.lower().endswith(SIDECAR_SUFFIX):
            data_name = entry.name[: -len(SIDECAR_SUFFIX)]
            if data_name not in names:
                refused.append(
                    (
                        relative_name,
                        f"{relative_name}: a sidecar of {data_name}, which is not in the drop",
                    )
                )
            continue
        sidecar = folder / (entry.name + SIDECAR_SUFFIX)
        try:
            resolved = _inside(landing, entry)
            # A sidecar is read like its data file: it must not leave the landing root either.
            sidecar = _inside(landing, sidecar) if sidecar.name in names else None
        except UnsafePathError as error:
            refused.append((relative_name, str(error)))
            continue
        if not resolved.is_file():
            continue
        files.append(
            LandedFile(
                feed=feed,
                drop_date=drop_date,
                path=resolved,
                relative_name=relative_name,
                format=file_format(entry.name),
                sidecar=sidecar,
            )
        )
    return files, refused


def sha256_of(*paths: Path, chunk_bytes: int = 1 << 20) -> str:
    """One digest over the files' bytes in order: a file with its sidecar changes when either
    does."""
    digest = hashlib.sha256()
    for number, path in enumerate(paths):
        if number:
            digest.update(b"\0" + SIDECAR_SUFFIX.encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(chunk_bytes):
                digest.update(chunk)
    return digest.hexdigest()


def landed_sha256(file: LandedFile) -> str:
    """The file's SHA-256, or with a sidecar, the digest of both (see ``sha256_of``)."""
    return sha256_of(file.path, *([file.sidecar] if file.sidecar else []))


def drop_fingerprint(landing: Path, drop_date: date, feeds: list[str]) -> str:
    """Changes whenever a file of the drop is added, removed, replaced or rewritten."""
    digest = hashlib.sha256()
    for feed in feeds:
        files, refused = landed_files(landing, feed, drop_date)
        for file in files:
            for name, path in ((file.relative_name, file.path), ("sidecar", file.sidecar)):
                if path is not None:
                    stat = path.stat()
                    digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        for name, _ in refused:
            digest.update(f"{name}\0refused\n".encode())
    return digest.hexdigest()[:16]
