"""Reading client files: from whatever the user hands over to a mapped table and a list of problems.

Every client file -- a helpdesk export (:mod:`.tickets`), an invoice list
(:mod:`.invoices`), an MSP quote (:mod:`.quotes`) -- is read the same way, and
this module is that way:

1. **Source** (:func:`read_source`): a path, bytes, a file-like object, an
   ``ipywidgets.FileUpload`` value or a DataFrame, with a size cap.
2. **What the bytes are** (:func:`sniff`): XLSX, text, or something else
   renamed (a PDF, an old ``.xls``, a pickle, an HTML page ...), each named.
3. **Grid**: every record of a CSV (encoding and separator detected; ragged
   rows and undecodable cells kept so they can be named) or of each sheet of
   a workbook (zip-bomb capped), with its row number *as the file numbers it*.
4. **Table** (:func:`read_table`): the header found (below title rows, on the
   first sheet that has the required columns), columns matched to a
   loader's :class:`ColumnSpec` aliases or to an explicit ``column_map``.
5. **Problems** (:class:`Problems`): each check adds the offending cells;
   :func:`finish` raises one :class:`~msp_analysis.DataError` listing them
   all (file, row, column, value, what was expected), or, when lenient, sets
   the rows aside with their reasons in a :class:`LoadReport`.

The value parsers a loader applies between steps 4 and 5 live in
:mod:`.parsing`. Files are only ever *read*: nothing is evaluated or unpickled.

Examples
--------
>>> specs = (ColumnSpec("when", "date", True, aliases("date|when"), "a date"),)
>>> table, problems = read_table(b"Title\\n\\nDate,Note\\n2024-01-02,x\\n", specs, name="t.csv")
>>> table.header_number, table.mapping.labels, table.numbers.tolist()
(3, {'when': 'Date'}, [4])
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import inspect
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .parsing import DateResult, blank_mask, cell_is_blank, normalise_name, parse_texts, strip_unit

__all__ = [
    "EARLIEST_DATE",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_PADDED_CELLS",
    "MAX_PROBLEMS_SHOWN",
    "MAX_SHEET_ROWS",
    "MAX_UNZIPPED_BYTES",
    "ColumnSpec",
    "LoadReport",
    "Problems",
    "Source",
    "Table",
    "aliases",
    "check_dates",
    "finish",
    "guard",
    "open_workbook",
    "read_source",
    "read_table",
    "shown",
    "sniff",
]

#: How many problems a DataError message lists (all are in ``error.problems``).
MAX_PROBLEMS_SHOWN = 50
#: Files larger than this are refused (an export of a few hundred thousand tickets is ~50 MB).
MAX_BYTES = 200 * 2**20
#: An XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_UNZIPPED_BYTES = 2 * 2**30
#: Excel's own limit: a sheet with more rows was not written by Excel, and would take minutes to read.
MAX_SHEET_ROWS = 1_048_576
#: A table this large (rows x columns) is refused when it would be mostly padding: a stray cell in
#: column XFD, or one CSV line of a million separators, must not turn a small file into billions of cells.
MAX_PADDED_CELLS = 10_000_000
#: Excel's own limit (column XFD): a record wider than this is no spreadsheet's table, and a CSV line of
#: millions of separators would take minutes to lay out as columns.
MAX_COLUMNS = 16_384
_MAX_ZIP_RATIO = 100  # real sheets deflate 5-20 times; a part that inflates 100 times or more is a zip bomb
#: Dates before this, or more than a year ahead, are implausible (a typo, or a 1900 placeholder).
EARLIEST_DATE = pd.Timestamp("1990-01-01")
_KEEP_PROBLEMS = 10_000  # problems kept in error.problems / the report (the count is always exact)
_HEADER_SCAN_ROWS = 20  # a header may sit below a title line or two

# ---------------------------------------------------------------------------
# Column specifications
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its kind, whether it is required, the names exports give it.

    ``aliases`` are normalised names (see :func:`.normalise_name`) in order of
    preference: when an export has two candidates ("Resolved Time" and
    "Closed Time") the earlier alias wins and the other is reported unused.
    ``units`` gives the unit implied by an alias for duration columns.
    """

    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...]
    expected: str
    units: Mapping[str, str] = field(default_factory=dict)
    doc: str = ""
    examples: tuple[str, ...] = ()  # names as exports spell them, for messages


def aliases(text: str) -> tuple[str, ...]:
    """``"created|created at|date entered"`` -> the aliases as a tuple (the names, in order of preference)."""
    return tuple(a.strip() for a in text.split("|") if a.strip())


# ---------------------------------------------------------------------------
# Sources: paths, bytes, file-like objects, upload-widget values
# ---------------------------------------------------------------------------


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
        try:
            size = path.stat().st_size
            if path.is_dir():
                raise DataError(f"{display}: is a folder, not a file ({path})", source=display)
            if size > max_bytes:
                raise DataError(
                    f"{display}: the file is {size / 2**20:,.1f} MB, more than the {max_bytes / 2**20:,.0f} MB allowed",
                    source=display,
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise DataError(f"{display}: no such file ({path})", source=display) from None
        except PermissionError:
            raise DataError(f"{display}: permission denied ({path})", source=display) from None
        except OSError as e:
            raise DataError(f"{display}: cannot be read ({e.strerror or e})", source=display) from None
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
        raise DataError(f"{display}: the file is larger than the {max_bytes / 2**20:,.0f} MB allowed", source=display)
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


# ---------------------------------------------------------------------------
# Grids: every record of a CSV or a sheet, with its row number in the file
# ---------------------------------------------------------------------------


@dataclass
class Grid:
    """Every record of a CSV or a sheet as a DataFrame of raw values (columns by position)."""

    name: str
    kind: str  # "CSV", "XLSX", "DataFrame"
    frame: pd.DataFrame
    numbers: np.ndarray  # file row number of each record
    lengths: np.ndarray | None = None  # fields per record (CSV read field by field); None: all equal
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    bad_cells: list[tuple[int, int]] = field(default_factory=list)  # (record, column) not decodable
    formula_cells: list[tuple[int, int]] = field(default_factory=list)  # (record, column) formula, no saved value
    notes: list[str] = field(default_factory=list)


def _records_frame(records: list, where: str = "table", kind: str = "DataFrame") -> pd.DataFrame:
    """Records of unequal length as a rectangular frame, padded with None.

    Refuses (naming the widest record) a frame of more than
    :data:`MAX_PADDED_CELLS` cells that would be mostly padding, and a record
    wider than :data:`MAX_COLUMNS`.
    """
    if not records:
        return pd.DataFrame(dtype=object)
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    width = int(lengths.max())
    if width == 0:
        return pd.DataFrame(index=range(len(records)), dtype=object)
    cells = len(records) * width
    usual = int(np.median(lengths))
    if cells > MAX_PADDED_CELLS and width > 20 * max(usual, 1):
        k = int(lengths.argmax())
        if kind == "XLSX":
            what = f"cell {_col_letter(width - 1)}{k + 1} holds {shown(records[k][-1])!r}"
        else:
            what = f"row {k + 1} has {width:,} fields"
        raise DataError(
            f"{where}: {what}, so the table would be {len(records):,} rows by {width:,} columns "
            f"({cells:,} cells) where most rows have {usual:,}; delete what lies beyond the table, "
            "or export just the table",
            problems=[{"row": k + 1, "column": None, "value": None, "problem": f"{width:,} columns wide"}],
            source=where.split(", sheet ")[0],
        )
    if width > MAX_COLUMNS:
        k = int(lengths.argmax())
        raise DataError(
            f"{where}: row {k + 1} has {width:,} fields, more than the {MAX_COLUMNS:,} columns a spreadsheet "
            "can hold; it is not a table (a line of separators?). Delete what lies beyond the table, "
            "or export just the table",
            problems=[{"row": k + 1, "column": None, "value": None, "problem": f"{width:,} fields"}],
            source=where.split(", sheet ")[0],
        )
    padded = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in records]
    frame = pd.DataFrame(padded, dtype=object)
    frame.columns = range(width)
    return frame


def _decode(src: Source, encoding: str | None) -> tuple[str, str, bool]:
    """Text, the encoding used, and whether undecodable bytes were escaped."""
    data = src.data
    if encoding is not None:
        try:
            return data.decode(encoding), encoding, False
        except LookupError:
            raise DataError(f"{src.name}: unknown encoding {encoding!r}", source=src.name) from None
        except UnicodeDecodeError as e:
            row = data[: e.start].count(b"\n") + 1
            raise DataError(
                f"{src.name}: cannot be read as {encoding}: byte {data[e.start : e.start + 1]!r} on line {row} "
                f"({e.reason}); check the encoding",
                problems=[{"row": row, "column": None, "value": repr(data[e.start : e.end]), "problem": e.reason}],
                source=src.name,
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16", False
        except UnicodeDecodeError:
            raise DataError(f"{src.name}: starts like UTF-16 text but is not valid UTF-16", source=src.name) from None
    codec = _utf16_without_bom(data[:8192])
    if codec is not None:
        try:
            return data.decode(codec), f"{codec.upper()} (no BOM)", False
        except UnicodeDecodeError:
            raise DataError(
                f"{src.name}: looks like UTF-16 text without a byte-order mark but is not valid {codec.upper()}; "
                "save it as CSV UTF-8",
                source=src.name,
            ) from None
    try:
        text = data.decode("utf-8-sig")
        return text, "UTF-8 (with BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8", False
    except UnicodeDecodeError:
        # Keep going with the bad bytes escaped so that every cell holding one
        # can be named (row, column, value) in the error.
        return data.decode("utf-8-sig", errors="surrogateescape"), "UTF-8", True


_SURROGATE = re.compile("[\udc80-\udcff]")
_SHOWN_BYTE = re.compile(r"\\x[89a-f][0-9a-f]")  # an undecodable byte as messages show it


def _csv_grids(src: Source, encoding: str | None, delimiter: str | None) -> Iterator[Grid]:
    """The CSV as a grid: with the separator given, or Excel's ``sep=`` line, or the first line's.

    Without either, the grids with the other separators the first lines use
    follow, read only if the loader asks for them (it found no header in the
    first): a title line "Tickets; exported 2024-06-01" above a comma-separated
    table must not decide the separator.
    """
    text, used, escaped = _decode(src, encoding)
    if not text.strip():
        raise DataError(f"{src.name}: the file is empty", source=src.name)
    lines = [line for line in text[:65536].splitlines() if line.strip()][: _HEADER_SCAN_ROWS + 5]
    first = lines[0] if lines else ""
    sep = delimiter
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        sep = sep or first.strip()[4]  # Excel's "sep=;" first line
    if sep is not None:
        yield _csv_grid(src, text, used, escaped, sep)
        return
    primary, *others = _delimiters(lines)
    yield _csv_grid(src, text, used, escaped, primary)
    for sep in others:
        try:
            yield _csv_grid(src, text, used, escaped, sep)
        except DataError:  # not this separator either: the first grid's message stands
            continue


def _delimiters(lines: list[str]) -> list[str]:
    """Separators to try: the most frequent of ``, ; tab |`` in the first line, then the others the lines use.

    The others are ordered by how many fields they give a line (the median
    over the first lines), separators inside quotes not counted.
    """
    candidates = (",", ";", "\t", "|")
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in candidates}
    primary = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines[1:]]
    median = {d: float(np.median([line.count(d) for line in unquoted])) if unquoted else 0.0 for d in candidates}
    others = sorted((d for d in candidates if d != primary and median[d] >= 1), key=lambda d: -median[d])
    return [primary, *others]


def _csv_grid(src: Source, text: str, used: str, escaped: bool, sep: str) -> Grid:
    """Every record of the decoded text, split at ``sep``."""
    if len(sep) != 1 or sep in ('"', "\n", "\r"):
        raise DataError(f"{src.name}: delimiter must be one character other than a quote, got {sep!r}", source=src.name)
    frame = None if escaped else _fast_csv(text, sep)
    if frame is not None:
        return Grid(src.name, "CSV", frame, np.arange(1, len(frame) + 1), encoding=used, delimiter=sep)
    # The exact path: field by field, so that ragged rows and undecodable cells can be named.
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as e:
        raise DataError(f"{src.name}: cannot be read as CSV ({e})", source=src.name) from None
    if text.count('"') % 2 == 1 and records and any("\n" in str(f) for f in records[-1]):
        raise DataError(
            f'{src.name}: row {len(records)} opens a quote (") that is never closed, so the rest of the file '
            "reads as one cell; close the quote or remove it",
            problems=[{"row": len(records), "column": None, "value": None, "problem": "unclosed quote"}],
            source=src.name,
        )
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    grid = Grid(
        src.name,
        "CSV",
        _records_frame(records, src.name, "CSV"),
        np.arange(1, len(records) + 1),
        lengths=lengths,
        encoding=used,
        delimiter=sep,
    )
    if escaped:
        for i, rec in enumerate(records):
            for j, cell in enumerate(rec):
                if _SURROGATE.search(cell):
                    grid.bad_cells.append((i, j))
        if not grid.bad_cells:  # bad bytes only where no cell is (cannot really happen)
            raise DataError(f"{src.name}: is not valid UTF-8 text", source=src.name)
    return grid


def _fast_csv(text: str, sep: str) -> pd.DataFrame | None:
    """pandas' C reader, when every record has the header's number of fields; else None.

    The C reader pads short records silently, so the field count of each
    record is checked separately: separators and line ends outside quotes,
    counted with numpy over the bytes (quote parity by a wrapping uint8
    cumulative sum). Any doubt (ragged rows, stray quotes, old Mac line ends)
    sends the file to the exact, field-by-field reader.
    """
    if "\r" in text and "\n" not in text:
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            sep=sep,
            quotechar='"',
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError, MemoryError):
        return None
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    outside = (np.cumsum(b == 34, dtype=np.uint8) & 1) == 0
    line_ends = np.flatnonzero((b == 10) & outside)
    seps = np.flatnonzero((b == ord(sep)) & outside)
    n_records = line_ends.size + (0 if text.endswith("\n") else 1)
    if n_records != len(frame):
        return None
    fields = np.bincount(np.searchsorted(line_ends, seps), minlength=n_records)[:n_records] + 1
    width = frame.shape[1]
    blank = fields == 1
    if blank.any():  # a one-field record may be a blank line
        cells = frame.to_numpy(dtype=object)[blank]
        blank[blank] = (cells == "").all(axis=1)
    if not np.all((fields == width) | blank):
        return None
    frame.columns = range(width)
    return frame


def open_workbook(src: Source):
    """An openpyxl workbook (read-only, cached values) of an XLSX's bytes, after the zip-bomb checks.

    Refuses a damaged zip, one that would unpack to more than
    :data:`MAX_UNZIPPED_BYTES`, and a part that would inflate a hundred times
    or more; anything openpyxl cannot open is a DataError too. The caller
    closes the workbook.
    """
    import openpyxl  # imported here: a CSV-only user should not pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(src.data)) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise DataError(f"{src.name}: is a damaged XLSX workbook ({e})", source=src.name) from None
    unzipped = sum(i.file_size for i in parts)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise DataError(f"{src.name}: would unpack to {unzipped / 2**30:,.1f} GB; refusing to open it", source=src.name)
    for part in parts:
        if part.file_size > 2**24 and part.file_size > _MAX_ZIP_RATIO * max(part.compress_size, 1):
            raise DataError(
                f"{src.name}: its part {part.filename!r} would inflate {part.file_size / max(part.compress_size, 1):,.0f}"
                f" times ({part.compress_size / 2**10:,.0f} KB to {part.file_size / 2**20:,.0f} MB); a workbook "
                "Excel writes inflates 5 to 20 times. Refusing to open it (a zip bomb?)",
                source=src.name,
            )
    try:
        return openpyxl.load_workbook(io.BytesIO(src.data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types on damaged files; all mean "not readable"
        raise DataError(
            f"{src.name}: cannot be read as an XLSX workbook ({type(e).__name__}: {e})", source=src.name
        ) from None


def _xlsx_grids(src: Source, sheet: str | int | None) -> list[Grid]:
    """One grid per worksheet asked for (all worksheets when ``sheet`` is None)."""
    wb = open_workbook(src)
    try:
        names = tuple(wb.sheetnames)
        worksheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
        if sheet is None:
            chosen = worksheets
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(worksheets):
                raise DataError(
                    f"{src.name}: has no sheet number {sheet} (counting from 0); sheets: "
                    + ", ".join(repr(n) for n in names),
                    source=src.name,
                )
            chosen = [worksheets[sheet]]
        else:
            match = [ws for ws in worksheets if ws.title == str(sheet)] or [
                ws for ws in worksheets if ws.title.strip().lower() == str(sheet).strip().lower()
            ]
            if not match:
                raise DataError(
                    f"{src.name}: has no sheet {str(sheet)!r}; the sheets are " + ", ".join(repr(n) for n in names),
                    problems=[{"row": None, "column": None, "value": str(sheet), "problem": "no such sheet"}],
                    source=src.name,
                )
            chosen = match[:1]
        if not chosen:
            raise DataError(f"{src.name}: has no worksheets", source=src.name)
        grids = []
        for ws in chosen:
            records = _sheet_records(ws, src.name)
            unsaved = _unsaved_formulas(src, ws, records)
            grid = Grid(
                src.name,
                "XLSX",
                _records_frame(records, f"{src.name}, sheet {ws.title!r}", "XLSX"),
                np.arange(1, len(records) + 1),
                sheet=ws.title,
                sheets=names,
            )
            grid.formula_cells = unsaved
            grids.append(grid)
        return grids
    finally:
        try:
            wb.close()
        except Exception:  # closing a damaged read-only workbook can fail too; nothing to recover
            pass


def _sheet_records(ws, name: str) -> list[list]:
    """Every row of a read-only worksheet as a list of values, each as long as its last cell.

    The dimension a sheet declares is ignored: openpyxl would pad every row to
    it, and a sheet may declare A1:XFD1048576 (17 billion cells) over three
    rows. Rows past Excel's own limit are refused.
    """
    ws.reset_dimensions()
    records = []
    try:
        for row in ws.iter_rows(min_row=1, values_only=True):
            records.append(list(row))
            if len(records) > MAX_SHEET_ROWS:
                raise DataError(
                    f"{name}, sheet {ws.title!r}: has more than {MAX_SHEET_ROWS:,} rows, more than Excel allows; "
                    "it was not written by Excel. Export it as CSV",
                    source=name,
                )
    except DataError:
        raise
    except Exception as e:  # damaged sheet XML
        raise DataError(f"{name}: sheet {ws.title!r} cannot be read ({type(e).__name__}: {e})", source=name) from None
    return records


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>(.*?)</f>", re.S)


def _unsaved_formulas(src: Source, ws, records: list[list]) -> list[tuple[int, int]]:
    """Put the formula text into cells that hold a formula but no saved value; return their (record, column).

    Read for values, such a cell is empty -- a workbook written by a script
    (openpyxl, pandas) has no cached results -- and "is empty" or "no data
    rows" would hide what the cell really holds. The sheet's XML is searched
    for ``<f>`` elements only (no second parse): each one's ``<c>`` is found
    around it.
    """
    from openpyxl.utils import column_index_from_string  # openpyxl is loaded already: ws is its sheet

    path = getattr(ws, "_worksheet_path", None)
    if not path:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(src.data)) as z:
            xml = z.read(path.lstrip("/"))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return []
    found = []
    at = xml.find(b"<f")
    while at != -1:
        start, end = xml.rfind(b"<c ", 0, at), xml.find(b"</c>", at)
        if start == -1 or end == -1:
            break
        cell = xml[start:end]
        ref = _CELL_REF.search(cell[: cell.find(b">") + 1])
        value = re.search(rb"<v>([^<]+)</v>", cell)
        if ref is not None and value is None and xml[at + 2 : at + 3] in (b">", b" ", b"/"):
            i = int(ref.group(2)) - 1
            j = column_index_from_string(ref.group(1).decode()) - 1
            text = _FORMULA_TEXT.search(cell)
            formula = "=" + html.unescape(text.group(1).decode("utf-8", "replace")) if text else "=(a shared formula)"
            if 0 <= i < len(records) and j < MAX_COLUMNS:
                row = records[i]
                if len(row) <= j:
                    row.extend([None] * (j + 1 - len(row)))
                if row[j] is None:
                    row[j] = formula
                    found.append((i, j))
        at = xml.find(b"<f", end)
    return found


def _frame_grid(frame: pd.DataFrame, name: str | None) -> Grid:
    records = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).to_numpy().tolist()]
    return Grid(name or "table", "DataFrame", _records_frame(records), np.arange(1, len(records) + 1))


def _grids(source, *, name, sheet, encoding, delimiter, max_bytes) -> Iterable[Grid]:
    src = read_source(source, name, max_bytes)
    if isinstance(src, pd.DataFrame):
        return [_frame_grid(src, name)]
    if not src.data.strip():
        raise DataError(f"{src.name}: the file is empty", source=src.name)
    what = sniff(src.data)
    suffix = src.suffix
    if suffix in (".xlsx", ".xlsm"):
        if what == "xlsx":
            return _xlsx_grids(src, sheet)
        if what == "text":
            raise DataError(
                f"{src.name}: has an {suffix} name but is plain text (a CSV?); rename it to .csv", source=src.name
            )
        raise DataError(f"{src.name}: has an {suffix} name but is {what}, not an Excel workbook", source=src.name)
    if suffix == ".xls":
        raise DataError(
            f"{src.name}: .xls files are not read; "
            + (f"this one is {what}" if what not in ("text", "xlsx") else "open it in Excel")
            + " -- save it as .xlsx or CSV UTF-8",
            source=src.name,
        )
    if suffix in ("", ".csv", ".txt", ".tsv", ".tab"):
        if what == "xlsx":
            if suffix == "":  # no name to contradict: the content decides
                return _xlsx_grids(src, sheet)
            raise DataError(
                f"{src.name}: is an Excel workbook (XLSX) with a {suffix} name, not CSV text: "
                "rename it to .xlsx, or save it from Excel as CSV UTF-8",
                source=src.name,
            )
        if what == "text" and encoding is None:
            what = _not_text(src.data) or what
        if what != "text":
            raise DataError(f"{src.name}: is {what}, not CSV text; export it as CSV or XLSX", source=src.name)
        if sheet is not None:
            raise DataError(f"{src.name}: a CSV file has no sheets (sheet={sheet!r} was given)", source=src.name)
        return _csv_grids(src, encoding, delimiter)
    raise DataError(
        f"{src.name}: files of type {suffix!r} are not read; expected .csv or .xlsx"
        + ("" if what == "text" else f" (this one is {what})"),
        source=src.name,
    )


# ---------------------------------------------------------------------------
# Tables: a header found, columns mapped, data rows with their file row numbers
# ---------------------------------------------------------------------------


def _blank_cells(frame: pd.DataFrame) -> np.ndarray:
    """Cell-by-cell: missing, NaN or the empty string; every cell of a row with nothing but whitespace.

    A whitespace-only cell in a row with data is a value (an id of ``" "``
    is named as empty by the loader), but a row of nothing but spaces, tabs
    or a DOS end-of-file mark (``\\x1a``) -- the last line an editor leaves --
    is a blank row, skipped like an empty one, not a ragged record.
    """
    arr = frame.to_numpy(dtype=object)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=bool)
    blank = pd.isna(arr) | (arr == "")
    # Only a row whose first non-blank cell is whitespace can be all whitespace: check those rows alone.
    rows = np.flatnonzero(~blank.all(axis=1))
    if rows.size:
        first = arr[rows, (~blank[rows]).argmax(axis=1)]
        maybe = rows[_whitespace(first)]
        if maybe.size:
            soft = blank[maybe] | _whitespace(arr[maybe].ravel()).reshape(maybe.size, -1)
            blank[maybe[soft.all(axis=1)]] = True
    return blank


def _whitespace(values: np.ndarray) -> np.ndarray:
    """Which values are text of nothing but whitespace (or the DOS end-of-file mark)."""
    # the first character decides for nearly every cell: one pass, no string built for ordinary values
    return np.fromiter(
        (
            isinstance(v, str) and (v[:1].isspace() or v[:1] == "\x1a") and not v.replace("\x1a", "").strip()
            for v in values
        ),
        dtype=bool,
        count=len(values),
    )


def _header_label(v, j: int) -> str:
    if cell_is_blank(v):
        return f"(column {_col_letter(j)})"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return shown(str(v).strip())  # undecodable bytes as \xNN, as in every message


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class ColumnMapping:
    columns: dict[str, int]  # canonical -> column position
    labels: dict[str, str]  # canonical -> header label as in the file
    units: dict[str, str]  # canonical -> unit for duration columns
    unused: list[str]
    notes: list[str]


def _match_columns(
    header: Sequence[str], specs: Sequence[ColumnSpec], column_map: Mapping[str, str] | None
) -> tuple[ColumnMapping, list[str]]:
    """Map canonical columns to header positions; return the mapping and the ambiguity notes."""
    norm = [normalise_name(h) for h in header]
    spec_by_name = {s.name: s for s in specs}
    chosen: dict[str, int] = {}
    units: dict[str, str] = {}
    notes: list[str] = []
    problems: list[str] = []
    if column_map:
        for file_col, canon in column_map.items():
            if canon not in spec_by_name:
                problems.append(
                    f"column_map maps {file_col!r} to {canon!r}, which is not a column this table has; expected one of "
                    + ", ".join(spec_by_name)
                )
                continue
            hits = [j for j, h in enumerate(header) if h == str(file_col)] or [
                j for j, n in enumerate(norm) if n == normalise_name(file_col)
            ]
            if not hits:
                problems.append(f"column_map names column {file_col!r}, which the file does not have")
                continue
            chosen[canon] = hits[0]
            _stripped, unit = strip_unit(norm[hits[0]])
            spec = spec_by_name[canon]
            if spec.kind in ("duration", "date_or_duration"):
                units[canon] = spec.units.get(norm[hits[0]]) or unit or "hours"
    taken = set(chosen.values())
    for spec in specs:
        if spec.name in chosen:
            continue
        # 1) the full normalised name, in alias order; 2) the name without its unit ("Time spent (mins)")
        best = None
        for rank, alias in enumerate(spec.aliases):
            for j, n in enumerate(norm):
                if j in taken:
                    continue
                if n == alias:
                    cand = (rank, 0, j, spec.units.get(alias))
                else:
                    base, unit = strip_unit(n)
                    if base != alias or spec.kind not in ("duration", "date_or_duration") or unit is None:
                        continue
                    cand = (rank, 1, j, unit)
                if best is None or cand[:3] < best[:3]:
                    best = cand
        if best is not None:
            chosen[spec.name] = best[2]
            taken.add(best[2])
            if spec.kind in ("duration", "date_or_duration"):
                units[spec.name] = best[3] or "hours"
    # Exact duplicates of a used header make the choice ambiguous: say so.
    for canon, j in chosen.items():
        twins = [k for k, h in enumerate(header) if k != j and norm[k] == norm[j] and norm[j]]
        if twins:
            problems.append(
                f"column {header[j]!r} appears more than once (columns "
                + ", ".join(_col_letter(k) for k in [j, *twins])
                + f"); rename one, or name the one to use with column_map={{'...': '{canon}'}}"
            )
    unused = [h for j, h in enumerate(header) if j not in chosen.values()]
    for spec in specs:
        others = [header[j] for j, n in enumerate(norm) if n in spec.aliases and j not in chosen.values()]
        if others and spec.name in chosen:
            notes.append(
                f"{spec.name}: used column {header[chosen[spec.name]]!r}; also present, not used: "
                + ", ".join(repr(o) for o in others)
            )
    labels = {c: header[j] for c, j in chosen.items()}
    return ColumnMapping(chosen, labels, units, unused, notes), problems


def _required_missing(mapping: ColumnMapping, specs: Sequence[ColumnSpec]) -> list[ColumnSpec]:
    return [s for s in specs if s.required and s.name not in mapping.columns]


def _pick_header(grid: Grid, specs, column_map, header_row: int | None, nonblank: np.ndarray):
    """Index of the header record: the first non-blank one, or one below a title that matches better."""
    if header_row is not None:
        cand = np.flatnonzero(grid.numbers == header_row).tolist()
        if not cand:
            raise DataError(f"{_where(grid)}: has no row {header_row} to use as header", source=grid.name)
        order = cand
    else:
        order = nonblank[:_HEADER_SCAN_ROWS].tolist()
    first_result = None
    for i in order:
        header = _header_of(grid, i)
        mapping, problems = _match_columns(header, specs, column_map)
        result = (i, mapping, problems)
        if first_result is None:
            first_result = result
        if not _required_missing(mapping, specs) and not problems:
            if i != order[0]:
                mapping.notes.append(f"header found on row {grid.numbers[i]} (rows above it ignored)")
            return result
    return first_result


def _header_of(grid: Grid, i: int) -> list[str]:
    values = grid.frame.iloc[i].tolist()
    if grid.lengths is not None:
        values = values[: grid.lengths[i]]
    return [_header_label(v, j) for j, v in enumerate(values)]


def _where(grid: Grid) -> str:
    return f"{grid.name}, sheet {grid.sheet!r}" if grid.sheet is not None else grid.name


def _missing_message(grid: Grid, header: list[str], missing: list[ColumnSpec], problems: list[str]) -> str:
    lines = [f"{_where(grid)}: cannot find the required column(s) " + ", ".join(repr(s.name) for s in missing) + "."]
    named = [h for h in header if not h.startswith("(column ")]
    lines.append("  Columns found: " + (", ".join(repr(h) for h in named) if named else "none"))
    for s in missing:
        examples = ", ".join(repr(a) for a in (s.examples or s.aliases[:10]))
        lines.append(f"  {s.name} ({s.doc or s.expected}) is recognised under names such as {examples}.")
    if len(named) == 1 and any(d in named[0] for d in ";\t|,"):
        lines.append("  Only one column was found: the file may use a different separator (pass delimiter=';').")
    lines.extend("  " + p for p in problems)
    if any(_SHOWN_BYTE.search(h) for h in named) and grid.bad_cells:
        lines.append(
            "  The column names are not UTF-8 text (the bytes shown as \\xNN): if the file is Windows-1252 or "
            "Latin-1, pass encoding='cp1252' (or save it from Excel as 'CSV UTF-8')."
        )
    lines.append(
        "Name the columns explicitly with column_map={'<column in your file>': '" + missing[0].name + "', ...}."
    )
    return "\n".join(lines)


@dataclass
class Table:
    """A file's data rows under its header, with the loader's columns found.

    ``values[c]`` holds the raw cell values of canonical column ``c`` (one per
    data row; only the columns found), ``numbers`` the file row number of
    each data row, ``data`` the rows as read (for the set-aside table).
    """

    grid: Grid
    header: list[str]
    header_number: int
    mapping: ColumnMapping
    values: dict[str, list]  # canonical -> list of raw values, one per data row
    data: pd.DataFrame  # data rows as read, columns by position (header's width)
    numbers: np.ndarray  # file row number of each data row
    blank_rows: int

    def row(self, pos: int) -> list:
        return self.data.iloc[int(pos)].tolist()

    def text(self, column: str) -> pd.arrays.StringArray:
        """A text column as stripped strings (``<NA>`` where blank, or everywhere if the file lacks it)."""
        if column not in self.values:
            return pd.array([pd.NA] * len(self.data), dtype="string")
        return pd.array(parse_texts(self.values[column]), dtype="string")


def read_table(
    source,
    specs: Sequence[ColumnSpec],
    *,
    name: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    column_map: Mapping[str, str] | None = None,
    header_row: int | None = None,
    max_bytes: int = MAX_BYTES,
) -> tuple[Table, Problems]:
    """The first step of every loader: the source read into a mapped :class:`Table`.

    Problems with the file as a whole (unreadable, empty, the wrong kind of
    file, required columns missing) raise :class:`~msp_analysis.DataError`
    at once; problems with rows (ragged CSV records, cells that are not
    UTF-8) come back in the :class:`Problems` collector, for the loader to
    add its own checks to. Parameters as in :func:`.load_tickets`.
    """
    grids = _grids(source, name=name, sheet=sheet, encoding=encoding, delimiter=delimiter, max_bytes=max_bytes)
    picked = first = None
    for grid in grids:
        first = first or grid
        cell_blank = _blank_cells(grid.frame)
        nonblank = np.flatnonzero(~cell_blank.all(axis=1)) if cell_blank.size else np.empty(0, dtype=int)
        if nonblank.size == 0:
            continue
        i, mapping, problems = _pick_header(grid, specs, column_map, header_row, nonblank)
        if picked is None:
            picked = (grid, i, mapping, problems, cell_blank)
        if not _required_missing(mapping, specs) and not problems:
            picked = (grid, i, mapping, problems, cell_blank)
            break
    if picked is None:
        where = first.name
        if first.kind == "XLSX":
            raise DataError(
                f"{where}: every sheet is empty (" + ", ".join(repr(s) for s in first.sheets) + ")", source=where
            )
        raise DataError(f"{where}: the file is empty", source=where)
    grid, i, mapping, col_problems, cell_blank = picked
    header = _header_of(grid, i)
    missing = _required_missing(mapping, specs)
    if missing or col_problems:
        if missing:
            msg = _missing_message(grid, header, missing, col_problems)
            if grid.kind == "XLSX" and len(grid.sheets) > 1 and sheet is None:
                msg += (
                    "\n  No sheet has them; sheets: " + ", ".join(repr(s) for s in grid.sheets) + " (pass sheet=...)."
                )
        else:
            msg = f"{_where(grid)}: " + "; ".join(col_problems)
        raise DataError(
            msg,
            problems=[{"row": int(grid.numbers[i]), "column": None, "value": None, "problem": msg}],
            source=grid.name,
        )
    body_blank = cell_blank[i + 1 :]
    width = len(header)
    # trailing unnamed, empty columns (Excel's "a,b,c,,") are not columns
    while width > 0 and header[width - 1].startswith("(column ") and body_blank[:, width - 1].all():
        width -= 1
    header = header[:width]
    row_blank = body_blank.all(axis=1) if body_blank.shape[1] else np.ones(body_blank.shape[0], dtype=bool)
    keep = ~row_blank
    if not keep.any():
        raise DataError(f"{_where(grid)}: has a header (row {grid.numbers[i]}) but no data rows", source=grid.name)
    data = grid.frame.iloc[i + 1 :, :width][keep].reset_index(drop=True)
    data.columns = range(width)
    numbers = grid.numbers[i + 1 :][keep]
    problems = Problems(grid, header, numbers)
    if grid.formula_cells:
        rec_to_pos = np.full(len(grid.frame), -1)
        rec_to_pos[i + 1 :][keep] = np.arange(keep.sum())
        cells = [(int(rec_to_pos[k]), j) for k, j in grid.formula_cells if k > i and j < width and rec_to_pos[k] >= 0]
        for j in sorted({j for _, j in cells}):
            ps = np.asarray([p for p, jj in cells if jj == j])
            problems.add(
                ps,
                header[j],
                [data.iat[p, j] for p in ps],
                "is a formula with no saved value (the workbook was written by a program, never saved by Excel)",
                "a value: open the workbook in Excel and save it, or paste the values",
            )
    if grid.lengths is not None:
        lengths = grid.lengths[i + 1 :][keep]
        extra_filled = (
            ~body_blank[keep][:, width:].all(axis=1) if body_blank.shape[1] > width else np.zeros(keep.sum(), bool)
        )
        ragged = (lengths < width) | ((lengths > width) & extra_filled)
        if ragged.any():
            pos = np.flatnonzero(ragged)
            msgs = [
                f"has {lengths[p]} fields where the header has {width}"
                + (
                    " (an unquoted separator inside a value?)"
                    if lengths[p] > width
                    else " (a missing separator, or a line break inside an unquoted value?)"
                )
                for p in pos
            ]
            problems.add(pos, None, [None] * pos.size, msgs, "the same number of fields as the header")
    if grid.bad_cells:
        rec_to_pos = np.full(len(grid.frame), -1)
        rec_to_pos[i + 1 :][keep] = np.arange(keep.sum())
        by_col: dict[int, list[int]] = {}
        for k, j in grid.bad_cells:
            if k > i and rec_to_pos[k] >= 0 and j < width:
                by_col.setdefault(j, []).append(int(rec_to_pos[k]))
        for j, ps in by_col.items():
            vals = [_show_bytes(data.iat[p, j]) for p in ps]
            problems.add(
                np.asarray(ps),
                header[j],
                vals,
                "contains bytes that are not UTF-8",
                "UTF-8 text (in Excel: Save As > 'CSV UTF-8'); if the file is Windows-1252/Latin-1, pass "
                "encoding='cp1252'",
                encoding=True,
            )
    values = {c: data[j].tolist() for c, j in mapping.columns.items()}
    return Table(grid, header, int(grid.numbers[i]), mapping, values, data, numbers, int(row_blank.sum())), problems


def _show_bytes(text: str) -> str:
    """A cell with undecodable bytes, shown with the bytes as \\xNN."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


# ---------------------------------------------------------------------------
# Problems: collected per check as arrays, reported per row
# ---------------------------------------------------------------------------


class Problems:
    """Every problem found, by data-row position; turned into a DataError or a set-aside table.

    Checks add whole columns at a time (:meth:`add_mask`), so a file of a
    million rows costs a few numpy operations per check, not a Python loop.
    ``hints`` are extra lines for the message (such as how to map an unknown
    priority). Rows the caller's own settings leave out (:meth:`leave_out`)
    are not problems -- they never raise -- but are set aside, with their
    reason, like the rest.
    """

    def __init__(self, grid: Grid, header: list[str], numbers: np.ndarray):
        self.grid = grid
        self.header = header
        self.numbers = numbers  # file row number of each data row
        self.checks: list[tuple[np.ndarray, str | None, list, Any, str]] = []
        self.left_out: list[tuple[np.ndarray, str | None, list, Any, str]] = []
        self.hints: list[str] = []
        self.encoding = False

    def add(self, positions, column: str | None, values, problem, expected: str, encoding: bool = False) -> None:
        positions = np.asarray(positions, dtype=int)
        if positions.size == 0:
            return
        self.checks.append((positions, column, list(values), problem, expected))
        self.encoding = self.encoding or encoding

    def add_mask(self, mask, column: str | None, values, problem, expected: str) -> None:
        """Add a problem for every True in ``mask``; ``values``/``problem`` are full-length or scalar."""
        mask = np.asarray(mask, dtype=bool)
        pos = np.flatnonzero(mask)
        if pos.size == 0:
            return
        vals = [values[p] for p in pos] if isinstance(values, (list, np.ndarray, pd.Series)) else [values] * pos.size
        if isinstance(problem, (list, np.ndarray, pd.Series)):
            problem = [problem[p] for p in pos]
        self.add(pos, column, vals, problem, expected)

    def leave_out(self, mask, column: str | None, values, reason: str, expected: str) -> None:
        """Set the rows in ``mask`` aside with ``reason``, without counting them as problems."""
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if pos.size:
            vals = (
                [values[p] for p in pos] if isinstance(values, (list, np.ndarray, pd.Series)) else [values] * pos.size
            )
            self.left_out.append((pos, column, vals, reason, expected))

    def __len__(self) -> int:
        return sum(c[0].size for c in self.checks)

    def bad_positions(self) -> np.ndarray:
        if not self.checks:
            return np.empty(0, dtype=int)
        return np.unique(np.concatenate([c[0] for c in self.checks]))

    def _flat(self, limit: int | None = None) -> list[dict]:
        """Problems as dicts ordered by row (then by the order of the checks)."""
        if not self.checks:
            return []
        pos = np.concatenate([c[0] for c in self.checks])
        which = np.concatenate([np.full(c[0].size, k) for k, c in enumerate(self.checks)])
        idx = np.concatenate([np.arange(c[0].size) for c in self.checks])
        order = np.lexsort((which, pos))
        if limit is not None:
            order = order[:limit]
        out = []
        for o in order:
            _positions, column, values, problem, expected = self.checks[which[o]]
            i = idx[o]
            text = problem[i] if isinstance(problem, list) else problem
            out.append(
                {
                    "row": int(self.numbers[pos[o]]),
                    "column": column,
                    "value": shown(values[i]),
                    "problem": text,
                    "expected": expected,
                    "_pos": int(pos[o]),
                }
            )
        return out

    def line(self, p: dict) -> str:
        where = f"row {p['row']}" + (f", column {p['column']!r}" if p["column"] is not None else "")
        value = "" if p["value"] is None else f"{_quoted(p['value'])} "
        return f"  {where}: {value}{p['problem']}; expected {p['expected']}"

    def error(self, n_rows: int, lenient_hint: bool = True, head: str | None = None) -> DataError:
        total = len(self)
        rows = self.bad_positions().size
        flat = self._flat(_KEEP_PROBLEMS)
        head = head or f"{total:,} problem{'s' if total != 1 else ''} in {rows:,} of {n_rows:,} data rows."
        head = f"{_where(self.grid)}: {head}"
        lines = [head] + [self.line(p) for p in flat[:MAX_PROBLEMS_SHOWN]]
        if total > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ... and {total - MAX_PROBLEMS_SHOWN:,} more (all in error.problems).")
        lines.extend(self.hints)
        if self.encoding:
            lines.append(
                "The file is not UTF-8 text. Save it from Excel as 'CSV UTF-8', or pass encoding='cp1252' "
                "(Windows) or encoding='latin-1' if you know it is in that encoding."
            )
        elif lenient_hint:
            lines.append("Fix the file, or pass lenient=True to set such rows aside (they are listed in the report).")
        for p in flat:
            p.pop("_pos")
        return DataError("\n".join(lines), problems=flat, source=self.grid.name)

    def set_aside(self, table: Table, positions: np.ndarray) -> pd.DataFrame:
        """The set-aside rows: file row, every reason, and the row's values as read."""
        reasons: dict[int, list[str]] = {}
        for p in self._flat():
            col = f"{p['column']}: " if p["column"] is not None else ""
            val = "" if p["value"] is None else f"{_quoted(p['value'])} "
            reasons.setdefault(p["_pos"], []).append(f"{col}{val}{p['problem']} (expected {p['expected']})")
        positions = np.asarray(positions, dtype=int)
        cells = table.data.to_numpy(dtype=object)[positions] if positions.size else np.empty((0, len(table.header)))
        columns = {
            "row": table.numbers[positions].astype(int).tolist(),
            "reason": ["; ".join(reasons.get(int(pos), [])) for pos in positions],
        }
        for j, h in enumerate(table.header):  # a name given twice keeps its last column, as a dict would
            column = cells[:, j].tolist()
            plain = self.grid.kind == "CSV" and not self.grid.bad_cells  # str throughout: nothing to show otherwise
            columns[h] = column if plain else [shown(v) for v in column]
        return pd.DataFrame(columns, columns=["row", "reason", *table.header])


def shown(v):
    """A cell value as messages and the set-aside table show it (numpy scalars as Python, bad bytes as \\xNN)."""
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, str):
        return _show_bytes(v) if _SURROGATE.search(v) else v
    return v


def _short(v, n: int = 60):
    if isinstance(v, str) and len(v) > n:
        return v[: n - 3] + "..."
    return v


def _quoted(v) -> str:
    """A cell's value in a message: text in quotes, the native values of an XLSX cell as a person writes them."""
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return f"{v:%Y-%m-%d %H:%M:%S}" if v.second or v.microsecond else f"{v:%Y-%m-%d %H:%M}"
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (dt.timedelta, pd.Timedelta)):
        return str(v)
    return repr(_short(v))


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    """What a loader (:func:`.load_tickets`, :func:`.load_invoices`, :func:`.load_msp_quote`) read, kept and set aside.

    Attributes
    ----------
    source : str
        The file's name as shown in messages.
    format : str
        ``"CSV"`` or ``"XLSX"`` with the encoding and separator or the sheet.
    rows_read, rows_kept, rows_set_aside : int
        Data rows read (blank rows not counted), kept, and set aside; ``rows_kept
        + rows_set_aside == rows_read``.
    blank_rows : int
        Empty rows skipped.
    columns : dict
        Canonical column -> the file's column it was read from.
    unused_columns : list
        The file's columns that were not used.
    period : tuple
        First and last date in the kept rows (``None`` if none).
    set_aside : pandas.DataFrame
        One row per set-aside row: ``row`` (as numbered in the file),
        ``reason`` (every problem found in it), then the row as read.
    notes, warnings : tuple of str
        How values were interpreted, and what deserves a look.
    counts : dict
        Kept rows per priority (tickets) or other breakdowns.
    """

    source: str
    format: str
    rows_read: int
    rows_kept: int
    rows_set_aside: int
    blank_rows: int
    columns: dict
    unused_columns: list
    period: tuple
    set_aside: pd.DataFrame = field(repr=False)
    notes: tuple = ()
    warnings: tuple = ()
    counts: dict = field(default_factory=dict)
    header_row: int = 1

    def summary(self) -> pd.DataFrame:
        """The report as a two-column table (item, value), for a notebook."""
        start, end = self.period
        items = [
            ("file", self.source),
            ("format", self.format),
            ("header row", self.header_row),
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
            ("rows set aside", f"{self.rows_set_aside:,}"),
            ("blank rows skipped", f"{self.blank_rows:,}"),
            (
                "period",
                "" if start is None else f"{start:%Y-%m-%d} to {end:%Y-%m-%d} ({_days(start, end):,} days)",
            ),
        ]
        items += [(f"column {k}", v) for k, v in self.columns.items()]
        if self.unused_columns:
            items.append(("columns not used", ", ".join(self.unused_columns)))
        items += [(f"rows {k}", f"{v:,}") for k, v in self.counts.items()]
        items += [("note", n) for n in self.notes]
        items += [("warning", w) for w in self.warnings]
        return pd.DataFrame(items, columns=["item", "value"])

    def __str__(self) -> str:
        return "\n".join(f"{i}: {v}" for i, v in self.summary().itertuples(index=False))


def _days(start, end) -> int:
    return int((pd.Timestamp(end).normalize() - pd.Timestamp(start).normalize()).days) + 1


def _format_text(grid: Grid) -> str:
    if grid.kind == "CSV":
        sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(grid.delimiter, repr(grid.delimiter))
        return f"CSV ({grid.encoding}, {sep}-separated)"
    if grid.kind == "XLSX":
        return f"XLSX (sheet {grid.sheet!r} of " + ", ".join(repr(s) for s in grid.sheets) + ")"
    return grid.kind


def check_dates(
    problems: Problems, column: str, raw: list, parsed: DateResult, *, expected: str, required: str | None = None
) -> pd.Series:
    """Report a date column's unreadable, implausible and (when ``required`` says what belongs there) empty cells.

    Dates written in the other order of day and month than the rest of the
    column (see :class:`.DateResult`) are named as such, not as "not a date".

    ``column`` is the column's name in the file; ``raw`` its cells and
    ``parsed`` what :func:`.parse_dates` made of them. Returns the dates with
    the implausible ones (before :data:`EARLIEST_DATE` or over a year ahead) as NaT.
    """
    other = parsed.other_order if parsed.other_order is not None else np.zeros(len(raw), dtype=bool)
    problems.add_mask(parsed.bad & ~other, column, raw, "is not a date", expected)
    if other.any():
        swapped = "month/day/year" if parsed.order == "day/month/year" else "day/month/year"
        if parsed.order_told:
            told = "True" if parsed.order == "day/month/year" else "False"
            problem, want = f"is {swapped}, but dayfirst={told} says {parsed.order}", f"a date written {parsed.order}"
        else:
            problem = f"is {swapped}, but the column's other dates are {parsed.order}"
            want = f"one order of day and month throughout the column ({parsed.order}), or pass dayfirst="
            want += "False" if parsed.order == "day/month/year" else "True"
        problems.add_mask(other, column, raw, problem, want)
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=366)
    implausible = ((parsed.values < EARLIEST_DATE) | (parsed.values > latest)).to_numpy()
    problems.add_mask(implausible, column, raw, "is an implausible date", "a date between 1990 and next year")
    if required is not None:
        problems.add_mask(blank_mask(raw), column, None, "is empty", required)
    return parsed.values.where(~implausible)


def finish(
    table: Table,
    problems: Problems,
    frame: pd.DataFrame,
    *,
    lenient: bool,
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
    period_column: str | None = None,
    count_by: str | None = None,
    lenient_hint: bool = True,
) -> tuple[pd.DataFrame, LoadReport]:
    """The last step of every loader: raise every problem at once, or set rows aside and report.

    Parameters
    ----------
    table, problems :
        From :func:`read_table`, with the loader's checks added.
    frame : pandas.DataFrame
        The loader's typed table, one row per data row of ``table``.
    lenient : bool
        False: any problem raises one DataError listing them all. True: rows
        with problems are set aside, each with every reason, in the report.
        Either way, rows left out by :meth:`Problems.leave_out` are set aside,
        and a file with no row left raises.
    notes, warnings : sequences of str
        The loader's own, reported after those of the column matching.
    period_column : str, optional
        The date column whose range over the kept rows is the report's period.
    count_by : str, optional
        A column whose kept rows are counted per value in ``report.counts``
        (every category of a categorical column, even those with none).
    lenient_hint : bool
        Whether the message suggests ``lenient=True`` (not for loaders without it).
    """
    n = len(table.data)
    if len(problems) and not lenient:
        raise problems.error(n, lenient_hint=lenient_hint)
    bad = problems.bad_positions()
    problems.checks += problems.left_out  # from here on, rows left out are listed beside those with problems
    problems.left_out = []
    aside = problems.bad_positions()
    keep = np.ones(n, dtype=bool)
    keep[aside] = False
    if not keep.any():
        raise problems.error(
            n, lenient_hint=False, head=f"every one of the {n:,} data rows has a problem; nothing left to analyse."
        )
    frame = frame[keep].reset_index(drop=True)
    warnings = list(warnings)
    if bad.size:
        warnings.append(f"{bad.size:,} rows set aside because of problems (see report.set_aside)")
    dates = frame[period_column] if period_column is not None else pd.Series([], dtype="datetime64[ns]")
    report = LoadReport(
        source=table.grid.name,
        format=_format_text(table.grid),
        rows_read=n,
        rows_kept=int(keep.sum()),
        rows_set_aside=int(aside.size),
        blank_rows=table.blank_rows,
        columns=dict(table.mapping.labels),
        unused_columns=list(table.mapping.unused),
        period=(dates.min(), dates.max()) if dates.notna().any() else (None, None),
        set_aside=problems.set_aside(table, aside),
        notes=(*table.mapping.notes, *notes),
        warnings=tuple(warnings),
        counts={} if count_by is None else {k: int(v) for k, v in frame[count_by].value_counts(sort=False).items()},
        header_row=int(table.header_number),
    )
    return frame, report


def guard(func: Callable) -> Callable:
    """Decorator for loaders: anything unexpected a malformed file provokes becomes a DataError.

    Every known failure is already turned into a precise DataError; this is
    the last line, so that no pandas/openpyxl/KeyError traceback reaches a
    user for bad input. Programming errors still surface, as the cause; a
    call the loader's signature does not accept (a misspelt keyword) raises
    its TypeError, not a DataError about the file.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(source, *args, **kwargs):
        signature.bind(source, *args, **kwargs)
        try:
            return func(source, *args, **kwargs)
        except DataError:
            raise
        except (
            ValueError,
            KeyError,
            IndexError,
            TypeError,
            UnicodeError,
            OverflowError,
            csv.Error,
            zipfile.BadZipFile,
        ) as e:
            name = kwargs.get("name") or _guess_name(source)
            raise DataError(f"{name}: cannot be read ({type(e).__name__}: {e})", source=name) from e

    return wrapper


def _guess_name(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    if isinstance(source, Mapping) and "name" in source:
        return str(source["name"])
    return str(getattr(source, "name", "upload"))
