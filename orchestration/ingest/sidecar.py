"""A sidecar ``X.meta.json`` says what the header of ``X`` does not.

``{"constants": {field: value}, "columns": {header: field}, "valid_until_next": true}``:
``constants`` fill fields the file lacks (``"reporter": "CN"``), ``columns`` map the file's
headers to fields (``"tariff": "rate_pct"``), ``valid_until_next`` says each dated row of a lane
holds until the next dated row of that lane (a tracker series; dbt derives ``valid_to``). Every
key is optional. A sidecar that is not JSON, has another key or names a field the feed does not
have rejects its file, with the reason: loading the file without it would load wrong rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl

from orchestration.ingest.feeds import Feed, normalise_header
from orchestration.ingest.landing import LandedFile

KEYS = ("constants", "columns", "valid_until_next")


class SidecarError(ValueError):
    """Why a sidecar cannot be used; the caller names the file."""


@dataclass(frozen=True)
class Sidecar:
    constants: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    valid_until_next: bool = False

    def apply(self, frame: pl.LazyFrame, feed: Feed, protected: set[str]) -> pl.LazyFrame:
        """Headers renamed to their fields, then the constants where the file has no value.
        ``protected`` columns (the reader's own) are left alone."""
        headers = [h for h in frame.collect_schema().names() if h not in protected]
        by_key = {normalise_header(header): field for header, field in self.columns.items()}
        renames = {h: by_key.get(normalise_header(h), feed.canonical_header(h)) for h in headers}
        frame = frame.rename(renames)
        present = set(renames.values())
        return frame.with_columns(
            (pl.coalesce(pl.col(name), pl.lit(value)) if name in present else pl.lit(value)).alias(
                name
            )
            for name, value in self.constants.items()
        )


def _fields(feed: Feed, mapping: object, key: str, values_are_fields: bool) -> dict[str, str]:
    if not isinstance(mapping, dict):
        raise SidecarError(f'"{key}" must be an object')
    known = {f.name for f in feed.read_fields}
    named = mapping.values() if values_are_fields else mapping.keys()
    unknown = [str(name) for name in named if name not in known]
    if unknown:
        raise SidecarError(
            f'"{key}" names unknown field(s) {", ".join(unknown)} '
            f"(the {feed.name} feed has: {', '.join(sorted(known))})"
        )
    if any(not isinstance(v, (str, int, float)) or isinstance(v, bool) for v in mapping.values()):
        raise SidecarError(f'"{key}" values must be text or numbers')
    return {str(k): str(v) for k, v in mapping.items()}


def read_sidecar(feed: Feed, file: LandedFile) -> Sidecar | None:
    """The file's sidecar, or None when it has none; ``SidecarError`` when it is unusable."""
    if file.sidecar is None:
        return None
    try:
        document = json.loads(file.sidecar.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SidecarError(f"not JSON ({error})") from error
    if not isinstance(document, dict):
        raise SidecarError("must be a JSON object")
    unexpected = [key for key in document if key not in KEYS]
    if unexpected:
        raise SidecarError(f"unknown key(s) {', '.join(unexpected)} (allowed: {', '.join(KEYS)})")
    until_next = document.get("valid_until_next", False)
    if not isinstance(until_next, bool):
        raise SidecarError('"valid_until_next" must be true or false')
    if until_next and not feed.until_next:
        raise SidecarError(f'"valid_until_next" does not apply to the {feed.name} feed')
    return Sidecar(
        constants=_fields(feed, document.get("constants", {}), "constants", False),
        columns=_fields(feed, document.get("columns", {}), "columns", True),
        valid_until_next=until_next,
    )
