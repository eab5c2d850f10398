"""Turn a landed CSV, whatever its compression and encoding, into UTF-8 that Polars can scan.

Polars scans UTF-8 only. Vendor exports also come as GB18030 and gzip, so those are
transcoded in fixed-size chunks into a working copy: memory stays flat however large the file.
Plain files that open as UTF-8 (with or without BOM) are scanned where they lie, without a
copy: Polars' reader checks the rest (it refuses any byte that is not UTF-8), and a file it
refuses is read again through ``as_utf8_csv``.
"""

from __future__ import annotations

import codecs
import gzip
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from orchestration.ingest.values import FULL_WIDTH_PREFIXES

SNIFF_BYTES = 1 << 16
CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
REPLACEMENT = "\ufffd"
REPLACING_UTF8 = "utf-8+replace"
WINDOWS_1252 = "cp1252"
# GB2312, the common core of GB18030, holds every everyday Chinese character. Latin-1 text
# read as GB18030 pairs an accented byte with the next ASCII byte: rare characters outside it.
COMMON_CHINESE_SHARE = 0.5


def _opener(path: Path) -> Callable[[], BinaryIO]:
    if path.name.lower().endswith(".gz"):
        return lambda: gzip.open(path, "rb")
    return lambda: path.open("rb")


def _decodes_as(opener: Callable[[], BinaryIO], encoding: str) -> bool:
    """Whether the whole file decodes in ``encoding`` without an error (at C speed)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with opener() as handle:
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def decodes_as_utf8(path: Path) -> bool:
    """Whether all of the file's bytes are UTF-8."""
    return _decodes_as(_opener(path), "utf-8")


def _utf8_damage(opener: Callable[[], BinaryIO]) -> tuple[int, int]:
    """(invalid UTF-8 sequences, valid non-ASCII characters) over the whole file: a GB18030
    file can open with a pure-ASCII stretch longer than any sniff."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    invalid = valid = 0
    with opener() as handle:
        while chunk := handle.read(CHUNK_BYTES):
            text = decoder.decode(chunk)
            damaged = text.count(REPLACEMENT)
            invalid += damaged
            valid += len(text) - len(text.encode("ascii", "ignore")) - damaged
        invalid += decoder.decode(b"", final=True).count(REPLACEMENT)
    return invalid, valid


def _common_chinese_share(opener: Callable[[], BinaryIO]) -> float:
    """Of the non-ASCII characters the file holds read as GB18030, the share that are GB2312
    (everyday Chinese): near 1 for Chinese text, near 0 for Windows-1252 text misread."""
    decoder = codecs.getincrementaldecoder("gb18030")(errors="replace")
    common = other = 0
    with opener() as handle:
        while chunk := handle.read(CHUNK_BYTES):
            text = decoder.decode(chunk)
            ascii_count = len(text.encode("ascii", "ignore"))
            # Each GB2312 character is two bytes in GB2312; the rest are dropped (C speed).
            in_gb2312 = (len(text.encode("gb2312", "ignore")) - ascii_count) // 2
            common += in_gb2312
            other += len(text) - ascii_count - in_gb2312
    return common / (common + other) if common + other else 1.0


def detect_encoding(path: Path) -> str:
    """The text encoding: ``utf-8``, ``utf-8-sig``, ``utf-8+replace``, ``gb18030``, ``cp1252``
    or charset-normalizer's guess.

    Detected from the bytes, never from the file name. A file that is UTF-8 but for a few
    stray bytes (at least ten well-formed non-ASCII characters for each bad sequence; GB18030
    text read as UTF-8 forms almost none) is UTF-8 with those bytes replaced
    (``utf-8+replace``): read as anything else, all its Chinese text would be garbled.
    Chinese vendor exports that are not UTF-8 are almost always GB18030 (a superset of GBK
    and GB2312), so that is tried next. Windows-1252 (US exports: ``¢`` is byte 0xA2) often
    decodes as GB18030 too, into rare characters: a file that decodes both ways is GB18030
    only when most of its characters read that way are everyday Chinese (GB2312).
    """
    opener = _opener(path)
    with opener() as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(UTF8_BOM):
        return "utf-8-sig"
    if _decodes_as(opener, "utf-8"):
        return "utf-8"
    invalid, valid = _utf8_damage(opener)
    if valid >= 10 * invalid:
        return REPLACING_UTF8
    latin = _decodes_as(opener, WINDOWS_1252)
    if _decodes_as(opener, "gb18030"):
        if latin and _common_chinese_share(opener) < COMMON_CHINESE_SHARE:
            return WINDOWS_1252
        return "gb18030"
    if latin:
        return WINDOWS_1252
    guess = from_bytes(head).best()
    return guess.encoding if guess else "gb18030"


@dataclass(frozen=True)
class Marks:
    """What one pass over a CSV's bytes tells before it is parsed.

    An odd number of double quotes means some quoted value never closes: parsed as a whole,
    such a file turns everything after the stray quote into one value, which costs memory in
    proportion to the file (2.3 GB for a 340 MiB file). A file without the UTF-8 prefixes of
    the full-width characters the parsers fold (``values.FULL_WIDTH``) needs no folding.
    """

    unbalanced_quotes: bool
    full_width: bool
    bom: bool


def scan_marks(path: Path) -> Marks:
    """The ``Marks`` of a file, in one pass over its bytes. CPython's searches go byte by
    byte where a one-byte test is a ``memchr``: the cheap test comes first (0.3 s and 0.75 s
    of CPU saved on 340 MiB), and the pass costs about the read (0.07 s, the read 0.05)."""
    quotes, full_width, tail, bom = 0, False, b"", None
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if bom is None:
                bom = chunk.startswith(UTF8_BOM)
            if b'"' in chunk:
                quotes += chunk.count(b'"')
            if not full_width and not chunk.isascii():
                # A prefix may straddle two chunks: the seam is looked at on its own (joining
                # the chunks would copy each).
                seam = tail + chunk[:2]
                full_width = any(
                    prefix in seam or (prefix[:1] in chunk and prefix in chunk)
                    for prefix in FULL_WIDTH_PREFIXES
                )
            tail = chunk[-2:]
    return Marks(unbalanced_quotes=quotes % 2 == 1, full_width=full_width, bom=bool(bom))


def starts_as_utf8(path: Path) -> bool:
    """Whether the file's first ``SNIFF_BYTES`` are UTF-8 (a character the cut splits aside):
    a GB18030 export shows it in its header already. The rest is Polars' reader's to check,
    which refuses any byte that is not UTF-8."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return False
    return True


def as_utf8_csv(path: Path, workdir: Path) -> tuple[Path, str]:
    """A UTF-8 path for ``path`` (itself, or a transcoded copy in ``workdir``) and its encoding."""
    encoding = detect_encoding(path)
    compressed = path.name.lower().endswith(".gz")
    if encoding in ("utf-8", "utf-8-sig") and not compressed:
        return path, encoding
    codec = "utf-8" if encoding == REPLACING_UTF8 else encoding
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / (path.name + ".utf8.csv")
    # errors="replace" keeps every row: an undecodable byte becomes U+FFFD, and the value it
    # lands in is then quarantined by the field rules rather than dropping the whole file.
    with (
        _opener(path)() as raw,
        codecs.getreader(codec)(raw, errors="replace") as text,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        shutil.copyfileobj(text, out, CHUNK_BYTES)
    return target, encoding
