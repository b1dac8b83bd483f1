"""Sources: a file's bytes from whatever the user hands over, within a size limit, and what kind of file it is.

:func:`read_source` takes a path, bytes, a file-like object or an
``ipywidgets.FileUpload`` value and returns a :class:`Source` (name, bytes,
extension), refusing files over :data:`MAX_BYTES`. :func:`sniff` says what
the bytes really are -- ``"xlsx"``, ``"text"``, or a description of anything
else (a PDF, an old ``.xls``, a pickle, an HTML page saved as ``.xls``) --
from their first bytes; nothing is ever evaluated or unpickled.

Examples
--------
>>> src = read_source(b"Date,Note\\n2024-01-02,x\\n", "t.csv", MAX_BYTES)
>>> src.name, src.suffix, sniff(src.data)
('t.csv', '.csv', 'text')
>>> sniff(b"%PDF-1.7 ...")
'a PDF document'
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from ..files import read_limited

__all__ = ["MAX_BYTES", "Source", "read_source", "sniff"]

#: Files larger than this are refused (an export of a few hundred thousand tickets is ~50 MB).
MAX_BYTES = 200 * 2**20


@dataclass(frozen=True)
class Source:
    """A file's bytes, the name messages call it by, and its extension (which says CSV or XLSX)."""

    name: str
    data: bytes
    suffix: str


def read_source(source: Any, name: str | None, max_bytes: int) -> Source | pd.DataFrame:
    """Bytes and a display name from whatever the caller handed over."""
    if isinstance(source, pd.DataFrame):
        return source
    # ipywidgets.FileUpload: .value is a tuple of dicts {name, content, ...}
    if isinstance(source, (tuple, list)) and (not source or isinstance(source[0], Mapping)):
        if len(source) != 1:
            raise DataError(
                f"{name or 'upload'}: expected exactly one uploaded file, got {len(source)}",
                source=name or "upload",
            )
        source = source[0]
    if isinstance(source, Mapping):
        if "content" not in source:
            raise DataError(
                "expected an uploaded file (a mapping with 'name' and 'content'), got keys "
                + ", ".join(map(str, source)),
                source=name or "upload",
            )
        name = name or str(source.get("name") or "upload")
        source = source["content"]
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        display = name or "upload"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        display = name or path.name
        # read_limited: a byte limit on what is read (not stat's size), devices and FIFOs refused
        data = read_limited(path, max_bytes, limit_name="max_bytes")
    elif hasattr(source, "read"):
        display = name or Path(str(getattr(source, "name", "") or "upload")).name
        try:
            data = source.read(max_bytes + 1)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise DataError(f"{display}: cannot be read ({e})", source=display) from None
        if isinstance(data, str):  # a text-mode file: already decoded
            data = data.encode("utf-8", errors="surrogateescape")
        if not isinstance(data, (bytes, bytearray)):
            raise DataError(f"{display}: reading it gave {type(data).__name__}, not bytes", source=display)
        data = bytes(data)
    else:
        raise DataError(
            f"cannot read a {type(source).__name__}: expected a file path, bytes, a file-like object or an upload",
            source=name,
        )
    if len(data) > max_bytes:
        raise DataError(
            f"{display}: the file is larger than the {max_bytes / 2**20:,.0f} MB allowed (MAX_BYTES); "
            "if it really is this large, pass a larger max_bytes=...",
            source=display,
        )
    return Source(display, data, Path(display).suffix.lower())


# -- what a file really is ---------------------------------------------------

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program (ELF)"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x80\x02", "a Python pickle (never loaded)"),
    (b"\x80\x03", "a Python pickle (never loaded)"),
    (b"\x80\x04", "a Python pickle (never loaded)"),
    (b"\x80\x05", "a Python pickle (never loaded)"),
    (b"\x93NUMPY", "a NumPy array file"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio or video file"),
    (b"fLaC", "a FLAC audio file"),
    (b"RIFF", "a RIFF file (WAV audio or AVI video)"),
)

# C0 control characters other than tab, line feed, form feed and carriage return, and DEL: text has
# next to none (a stray \x0b from an Excel cell, a \x1a at the end); binary data has one byte in ten.
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])

_CONTROL_TABLE = bytes.maketrans(_CONTROL_BYTES, b"\0" * len(_CONTROL_BYTES))

# Tab, line feed, carriage return and printable ASCII: what most of a CSV in any 8-bit code page is.
_PLAIN_BYTES = bytes([9, 10, 13, *range(32, 127)])


def sniff(data: bytes) -> str:
    """What the bytes are: 'xlsx', 'text', or a description of something else."""
    head = data[:8192]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return "a damaged zip archive"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "a Word document (.docx)"
        if any(n.startswith("ppt/") for n in names):
            return "a PowerPoint presentation (.pptx)"
        if "content.xml" in names:
            return "an OpenDocument file (.ods/.odt): save it as .xlsx or CSV"
        return "a zip archive"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return (
            "an old-format Excel 97-2003 workbook (.xls) or a password-protected workbook: "
            "save it as .xlsx (without a password) or as CSV UTF-8"
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        return "text"  # UTF-16: decoded below
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table")):
        return "an HTML page (some tools save HTML with an .xls or .csv name): export it as CSV or XLSX"
    if stripped.startswith(b"<?xml"):
        return "an XML document (perhaps Excel 2003 XML): save it as .xlsx or CSV"
    if b"\x00" in head:
        return "a binary file (it contains NUL bytes)"
    controls = head.translate(_CONTROL_TABLE).count(0)
    if controls > max(3, 0.02 * len(head)):
        return f"a binary file ({controls:,} of its first {len(head):,} bytes are control characters)"
    return "text"


def _not_text(data: bytes) -> str | None:
    """Why bytes that are not UTF-8 look like no text at all (None when they may be text in a legacy encoding).

    A CSV in Windows-1252 or Latin-1 is mostly ASCII (separators, digits,
    dates, most letters); random or compressed bytes are mostly not.
    """
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        return None  # UTF-16: decoded as such
    try:
        head.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4:  # a character cut at the end of the sample
            return None
    ascii_text = len(head) - len(head.translate(None, _PLAIN_BYTES))
    if ascii_text < 0.3 * len(head):  # Cyrillic or Greek text in an 8-bit code page stays well above
        return (
            f"a binary file, or text in an unknown encoding (only {ascii_text / len(head):.0%} of its first "
            f"{len(head):,} bytes are plain characters and it is not UTF-8; if it is text, pass encoding=...)"
        )
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` for UTF-16 text with no byte-order mark, else None.

    Some tools write UTF-16 without a BOM; it is full of NUL bytes and would
    pass for a binary file. Mostly-Latin text in UTF-16 has a NUL in every
    other byte: the odd ones (little-endian) or the even ones (big-endian).
    """
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for codec, text_nuls, other_nuls in (("utf-16-le", nul_odd, nul_even), ("utf-16-be", nul_even, nul_odd)):
        if text_nuls >= 0.9 and other_nuls <= 0.02:
            try:
                head.decode(codec)
            except UnicodeDecodeError:
                return None
            return codec
    return None
