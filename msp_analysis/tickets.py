"""Client ticket exports: read a helpdesk export, say precisely what is wrong with it, type it.

A client hands over what their helpdesk exports (ConnectWise, Autotask,
Zendesk, Freshservice) or a spreadsheet someone kept. :func:`load_tickets`
reads it as CSV or XLSX, from a path or from bytes (as an upload widget gives
them), recognises the usual column names, parses dates, priorities and
durations, and returns a clean typed table with a :class:`LoadReport` of what
was read.

Every problem with the file raises :class:`msp_analysis.DataError` whose
message names the file, the row as numbered in the file (the header is row
1, so the first data row of a CSV is row 2; an XLSX row is the sheet's row
number), the column, the offending value and what was expected -- all
problems at once (the first :data:`MAX_PROBLEMS_SHOWN` in the message, every
one in ``error.problems``). With ``lenient=True`` rows with problems are set
aside and listed in the report with their reasons; nothing is dropped
silently. Files are only ever *read*: nothing is evaluated or unpickled.

The reading machinery here (sources, encodings, sniffing binary files, CSV
and XLSX grids, column aliases, value parsers, the problem collector) is
shared by :mod:`.invoices` and :mod:`.quotes`.

Examples
--------
>>> csv = b"Ticket #,Date Entered,Priority,Actual Hours\\n101,2024-03-01 09:30,Priority 1 - Emergency,2.5\\n"
>>> tickets, report = load_tickets(csv, name="export.csv")
>>> tickets[["ticket_id", "priority", "work_hours"]].to_dict("records")
[{'ticket_id': '101', 'priority': 'p1', 'work_hours': 2.5}]
>>> report.columns["opened"]
'Date Entered'
>>> load_tickets(b"Ticket #,Date Entered,Priority\\n101,2024-31-01,P1\\n", name="bad.csv")
Traceback (most recent call last):
...
msp_analysis.errors.DataError: bad.csv: 1 problem in 1 of 1 data rows.
  row 2, column 'Date Entered': '2024-31-01' is not a date; expected a date (and time) such as 2024-03-01 14:30
Fix the file, or pass lenient=True to set such rows aside (they are listed in the report).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError
from .scenario import PRIORITIES

__all__ = [
    "MAX_PROBLEMS_SHOWN",
    "PRIORITY_WORDS",
    "TICKET_COLUMNS",
    "LoadReport",
    "load_tickets",
    "parse_priority",
]

#: How many problems a DataError message lists (all are in ``error.problems``).
MAX_PROBLEMS_SHOWN = 50
#: Files larger than this are refused (an export of a few hundred thousand tickets is ~50 MB).
MAX_BYTES = 200 * 2**20
#: An XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_UNZIPPED_BYTES = 2 * 2**30
_KEEP_PROBLEMS = 10_000  # problems kept in error.problems / the report (the count is always exact)
_HEADER_SCAN_ROWS = 20  # a header may sit below a title line or two

# ---------------------------------------------------------------------------
# Column specifications
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its kind, whether it is required, the names exports give it.

    ``aliases`` are normalised names (see :func:`normalise_name`) in order of
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


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split("|") if a.strip())


#: The columns of a ticket table, with the names common exports give them.
TICKET_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "ticket_id",
        "id",
        False,
        _aliases(
            "ticket id|ticket number|ticket no|ticket nbr|ticket num|ticket|id|case number|case id|"
            "incident id|incident number|request id|request number|service ticket id|display id|"
            "reference|ref|number|sr number|call id|job number|job id"
        ),
        "a ticket number, unique in the file",
        doc="Ticket number (unique)",
        examples=("Ticket #", "Ticket Number", "Id", "Ticket Id", "Ref"),
    ),
    ColumnSpec(
        "opened",
        "date",
        True,
        _aliases(
            "opened|opened at|opened date|open date|date opened|date time opened|opened on|created|"
            "created at|created date|created time|create date|created on|date created|date time created|"
            "creation date|date entered|entered|entered date|date reported|reported|reported at|reported on|"
            "date logged|logged|logged at|submitted|submitted at|date submitted|received|date received|"
            "date|start|start date|raised|date raised"
        ),
        "a date (and time) such as 2024-03-01 14:30",
        doc="When the ticket was opened",
        examples=(
            "Date Entered (ConnectWise)",
            "Created (Autotask)",
            "Created at (Zendesk)",
            "Created Time (Freshservice)",
            "Opened",
            "Date reported",
        ),
    ),
    ColumnSpec(
        "first_response",
        "date_or_duration",
        False,
        _aliases(
            "first response|first response date|first response date time|first response at|"
            "first responded|first responded at|first responded time|date responded|responded|"
            "responded at|response date|initial response|initial response time|initial response date|"
            "first reply|first reply at|first reply date|acknowledged|acknowledged at|date acknowledged|"
            "first reply time in minutes within business hours|first reply time within business hours|"
            "first response time in business hours|first reply time in minutes|first reply time|"
            "first response time in hrs|first response time in hours|first response time|"
            "time to first response|response time|response hours"
        ),
        "a date (and time) on or after the opened date, or a duration",
        units={
            "first reply time in minutes within business hours": "minutes",
            "first reply time within business hours": "minutes",
            "first reply time in minutes": "minutes",
            "first reply time": "minutes",
            "first response time in hrs": "hours",
            "first response time in hours": "hours",
            "first response time in business hours": "hours",
        },
        doc="First response (a time, or a duration after opening)",
        examples=(
            "Date Responded",
            "First Response Date Time",
            "First reply time in minutes",
            "First Response Time (in Hrs)",
        ),
    ),
    ColumnSpec(
        "resolved",
        "date",
        False,
        _aliases(
            "resolved|resolved at|resolved date|resolved time|resolved on|date resolved|resolution date|"
            "solved|solved at|date solved|completed|completed at|completed date|complete date|date completed|"
            "closed|closed at|closed date|closed time|closed on|close date|date closed|date time closed|"
            "fixed|date fixed|finished|end|end date"
        ),
        "a date (and time) on or after the opened date",
        doc="When it was resolved (or closed)",
        examples=("Date Resolved", "Complete Date", "Solved at", "Resolved Time", "Closed"),
    ),
    ColumnSpec(
        "priority",
        "priority",
        True,
        _aliases("priority|priority level|priority name|ticket priority|prio|severity|severity level|urgency"),
        "a priority such as P1-P4, 1-4, Critical, Urgent, High, Medium, Normal or Low",
        doc="Priority (mapped to p1-p4)",
        examples=("Priority", "Severity", "Urgency"),
    ),
    ColumnSpec(
        "category",
        "text",
        False,
        _aliases(
            "category|ticket category|issue type|ticket type|type|problem type|request type|sub category|"
            "subcategory|subtype|sub issue type|service|board|queue"
        ),
        "a text",
        doc="Category or type",
    ),
    ColumnSpec(
        "work_hours",
        "duration",
        False,
        _aliases(
            "actual hours|technician hours|tech hours|work hours|worked hours|hours worked|total hours worked|"
            "total hours|hours|time spent|total time spent|time worked|time tracked|time logged|logged time|"
            "hours logged|labor hours|labour hours|billable hours|effort|agent work time in minutes|"
            "agent work time|total time spent sec|duration"
        ),
        "a duration such as 1.5 (hours), 90 min, 1:30 or 1h 30m",
        units={
            "agent work time in minutes": "minutes",
            "agent work time": "minutes",
            "total time spent sec": "seconds",
        },
        doc="Technician work on the ticket",
        examples=(
            "Actual Hours",
            "Total Hours Worked",
            "Time Tracked",
            "Agent work time in minutes",
            "Time spent (mins)",
        ),
    ),
    ColumnSpec(
        "onsite",
        "bool",
        False,
        _aliases(
            "onsite|on site|onsite visit|on site visit|site visit|visit|service location|location type|"
            "onsite required|on site required|remote or onsite|remote onsite|onsite remote|support type|"
            "work location|delivery"
        ),
        "yes/no, or On-site/Remote",
        doc="Whether someone came on site",
    ),
    ColumnSpec(
        "after_hours",
        "bool",
        False,
        _aliases("after hours|after hours work|afterhours|out of hours|outside business hours|ooh|after hours flag"),
        "yes/no",
        doc="Worked outside business hours",
    ),
    ColumnSpec(
        "users_affected",
        "count",
        False,
        _aliases(
            "users affected|affected users|number of users affected|no of users affected|users impacted|"
            "impacted users|number of users impacted|users"
        ),
        "a whole number of users (0 or more)",
        doc="How many users the incident affected",
    ),
)

_UNIT_TOKENS = {
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "s": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "d": "days",
    "day": "days",
    "days": "days",
}
_UNIT_HOURS = {"hours": 1.0, "minutes": 1 / 60, "seconds": 1 / 3600, "days": 24.0}


def normalise_name(name: Any) -> str:
    """A column name reduced for matching: lower case, ``#`` -> number, punctuation -> space.

    Examples
    --------
    >>> normalise_name("Ticket #"), normalise_name(" Date/Time  Opened "), normalise_name("Time Spent (mins)")
    ('ticket number', 'date time opened', 'time spent mins')
    """
    text = "" if name is None else str(name)
    text = text.replace("#", " number ").replace("%", " percent ").lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def _strip_unit(norm: str) -> tuple[str, str | None]:
    """``"time spent mins"`` -> (``"time spent"``, ``"minutes"``); filler "in" goes too."""
    tokens = norm.split()
    unit = None
    kept = []
    for tok in tokens:
        if tok in _UNIT_TOKENS and unit is None and len(tokens) > 1:
            unit = _UNIT_TOKENS[tok]
        elif tok != "in":
            kept.append(tok)
    return " ".join(kept), unit


# ---------------------------------------------------------------------------
# Sources: paths, bytes, file-like objects, upload-widget values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    name: str
    data: bytes
    suffix: str


def _read_source(source: Any, name: str | None, max_bytes: int) -> _Source | pd.DataFrame:
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
    return _Source(display, data, Path(display).suffix.lower())


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
)


def _sniff(data: bytes) -> str:
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
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark: decoded below
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table")):
        return "an HTML page (some tools save HTML with an .xls or .csv name): export it as CSV or XLSX"
    if stripped.startswith(b"<?xml"):
        return "an XML document (perhaps Excel 2003 XML): save it as .xlsx or CSV"
    if b"\x00" in head:
        return "a binary file (it contains NUL bytes)"
    return "text"


# ---------------------------------------------------------------------------
# Grids: every record of a CSV or a sheet, with its row number in the file
# ---------------------------------------------------------------------------


@dataclass
class _Grid:
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
    notes: list[str] = field(default_factory=list)


def _records_frame(records: list) -> pd.DataFrame:
    """Records of unequal length as a rectangular frame, padded with None."""
    if not records:
        return pd.DataFrame(dtype=object)
    width = max(map(len, records))
    if width == 0:
        return pd.DataFrame(index=range(len(records)), dtype=object)
    padded = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in records]
    frame = pd.DataFrame(padded, dtype=object)
    frame.columns = range(width)
    return frame


def _decode(src: _Source, encoding: str | None) -> tuple[str, str, bool]:
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
    try:
        text = data.decode("utf-8-sig")
        return text, "UTF-8 (with BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8", False
    except UnicodeDecodeError:
        # Keep going with the bad bytes escaped so that every cell holding one
        # can be named (row, column, value) in the error.
        return data.decode("utf-8-sig", errors="surrogateescape"), "UTF-8", True


_SURROGATE = re.compile("[\udc80-\udcff]")


def _csv_grid(src: _Source, encoding: str | None, delimiter: str | None) -> _Grid:
    text, used, escaped = _decode(src, encoding)
    if not text.strip():
        raise DataError(f"{src.name}: the file is empty", source=src.name)
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    sep = delimiter
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        sep = sep or first.strip()[4]  # Excel's "sep=;" first line
    if sep is None:
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        sep = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    if len(sep) != 1 or sep in ('"', "\n", "\r"):
        raise DataError(f"{src.name}: delimiter must be one character other than a quote, got {sep!r}", source=src.name)
    frame = None if escaped else _fast_csv(text, sep)
    if frame is not None:
        return _Grid(src.name, "CSV", frame, np.arange(1, len(frame) + 1), encoding=used, delimiter=sep)
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
    grid = _Grid(
        src.name,
        "CSV",
        _records_frame(records),
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


def _xlsx_grids(src: _Source, sheet: str | int | None) -> list[_Grid]:
    """One grid per worksheet asked for (all worksheets when ``sheet`` is None)."""
    import openpyxl  # imported here: a CSV-only user should not pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(src.data)) as z:
            unzipped = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise DataError(f"{src.name}: is a damaged XLSX workbook ({e})", source=src.name) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise DataError(f"{src.name}: would unpack to {unzipped / 2**30:,.1f} GB; refusing to open it", source=src.name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(src.data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types on damaged files; all mean "not readable"
        raise DataError(
            f"{src.name}: cannot be read as an XLSX workbook ({type(e).__name__}: {e})", source=src.name
        ) from None
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
            try:
                records = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            except Exception as e:  # damaged sheet XML
                raise DataError(
                    f"{src.name}: sheet {ws.title!r} cannot be read ({type(e).__name__}: {e})", source=src.name
                ) from None
            grids.append(
                _Grid(
                    src.name,
                    "XLSX",
                    _records_frame(records),
                    np.arange(1, len(records) + 1),
                    sheet=ws.title,
                    sheets=names,
                )
            )
        return grids
    finally:
        try:
            wb.close()
        except Exception:  # closing a damaged read-only workbook can fail too; nothing to recover
            pass


def _frame_grid(frame: pd.DataFrame, name: str | None) -> _Grid:
    records = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).to_numpy().tolist()]
    return _Grid(name or "table", "DataFrame", _records_frame(records), np.arange(1, len(records) + 1))


def _grids(source, *, name, sheet, encoding, delimiter, max_bytes) -> list[_Grid]:
    src = _read_source(source, name, max_bytes)
    if isinstance(src, pd.DataFrame):
        return [_frame_grid(src, name)]
    if not src.data.strip():
        raise DataError(f"{src.name}: the file is empty", source=src.name)
    what = _sniff(src.data)
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
        if what != "text":
            raise DataError(f"{src.name}: is {what}, not CSV text; export the tickets as CSV or XLSX", source=src.name)
        if sheet is not None:
            raise DataError(f"{src.name}: a CSV file has no sheets (sheet={sheet!r} was given)", source=src.name)
        return [_csv_grid(src, encoding, delimiter)]
    raise DataError(
        f"{src.name}: files of type {suffix!r} are not read; expected .csv or .xlsx"
        + ("" if what == "text" else f" (this one is {what})"),
        source=src.name,
    )


# ---------------------------------------------------------------------------
# Tables: a header found, columns mapped, data rows with their file row numbers
# ---------------------------------------------------------------------------


def _cell_is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def _blank_cells(frame: pd.DataFrame) -> np.ndarray:
    """Cell-by-cell: missing, NaN or the empty string (a whitespace-only cell counts as a value)."""
    arr = frame.to_numpy(dtype=object)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=bool)
    return pd.isna(arr) | (arr == "")


def _blank_mask(values) -> np.ndarray:
    if _all_str(values):
        return np.fromiter((not v.strip() for v in values), dtype=bool, count=len(values))
    return np.array([_cell_is_blank(v) for v in values], dtype=bool)


def _header_label(v, j: int) -> str:
    if _cell_is_blank(v):
        return f"(column {_col_letter(j)})"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class _Mapping:
    columns: dict[str, int]  # canonical -> column position
    labels: dict[str, str]  # canonical -> header label as in the file
    units: dict[str, str]  # canonical -> unit for duration columns
    unused: list[str]
    notes: list[str]


def _match_columns(
    header: Sequence[str], specs: Sequence[ColumnSpec], column_map: Mapping[str, str] | None
) -> tuple[_Mapping, list[str]]:
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
            _stripped, unit = _strip_unit(norm[hits[0]])
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
                    base, unit = _strip_unit(n)
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
    return _Mapping(chosen, labels, units, unused, notes), problems


def _required_missing(mapping: _Mapping, specs: Sequence[ColumnSpec]) -> list[ColumnSpec]:
    return [s for s in specs if s.required and s.name not in mapping.columns]


def _pick_header(grid: _Grid, specs, column_map, header_row: int | None, nonblank: np.ndarray):
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


def _header_of(grid: _Grid, i: int) -> list[str]:
    values = grid.frame.iloc[i].tolist()
    if grid.lengths is not None:
        values = values[: grid.lengths[i]]
    return [_header_label(v, j) for j, v in enumerate(values)]


def _where(grid: _Grid) -> str:
    return f"{grid.name}, sheet {grid.sheet!r}" if grid.sheet is not None else grid.name


def _missing_message(grid: _Grid, header: list[str], missing: list[ColumnSpec], problems: list[str]) -> str:
    lines = [f"{_where(grid)}: cannot find the required column(s) " + ", ".join(repr(s.name) for s in missing) + "."]
    shown = [h for h in header if not h.startswith("(column ")]
    lines.append("  Columns found: " + (", ".join(repr(h) for h in shown) if shown else "none"))
    for s in missing:
        examples = ", ".join(repr(a) for a in (s.examples or s.aliases[:10]))
        lines.append(f"  {s.name} ({s.doc or s.expected}) is recognised under names such as {examples}.")
    if len(shown) == 1 and any(d in shown[0] for d in ";\t|,"):
        lines.append("  Only one column was found: the file may use a different separator (pass delimiter=';').")
    lines.extend("  " + p for p in problems)
    lines.append(
        "Name the columns explicitly with column_map={'<column in your file>': '" + missing[0].name + "', ...}."
    )
    return "\n".join(lines)


@dataclass
class _Table:
    grid: _Grid
    header: list[str]
    header_number: int
    mapping: _Mapping
    values: dict[str, list]  # canonical -> list of raw values, one per data row
    data: pd.DataFrame  # data rows as read, columns by position (header's width)
    numbers: np.ndarray  # file row number of each data row
    blank_rows: int

    def row(self, pos: int) -> list:
        return self.data.iloc[int(pos)].tolist()


def _table(source, specs, *, name, sheet, encoding, delimiter, column_map, header_row, max_bytes, problems_factory):
    """Read a source into a _Table and a _Problems already holding ragged rows and bad text."""
    grids = _grids(source, name=name, sheet=sheet, encoding=encoding, delimiter=delimiter, max_bytes=max_bytes)
    picked = None
    for grid in grids:
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
        where = grids[0].name
        if grids[0].kind == "XLSX":
            raise DataError(
                f"{where}: every sheet is empty (" + ", ".join(repr(s) for s in grids[0].sheets) + ")", source=where
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
    problems = problems_factory(grid, header)
    row_blank = body_blank.all(axis=1) if body_blank.shape[1] else np.ones(body_blank.shape[0], dtype=bool)
    keep = ~row_blank
    if not keep.any():
        raise DataError(f"{_where(grid)}: has a header (row {grid.numbers[i]}) but no data rows", source=grid.name)
    data = grid.frame.iloc[i + 1 :, :width][keep].reset_index(drop=True)
    data.columns = range(width)
    numbers = grid.numbers[i + 1 :][keep]
    problems.numbers = numbers
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
    return _Table(grid, header, int(grid.numbers[i]), mapping, values, data, numbers, int(row_blank.sum())), problems


def _show_bytes(text: str) -> str:
    """A cell with undecodable bytes, shown with the bytes as \\xNN."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


# ---------------------------------------------------------------------------
# Problems: collected per check as arrays, reported per row
# ---------------------------------------------------------------------------


class _Problems:
    """Every problem found, by data-row position; turned into a DataError or a set-aside table."""

    def __init__(self, grid: _Grid, header: list[str]):
        self.grid = grid
        self.header = header
        self.numbers: np.ndarray = np.empty(0, dtype=int)
        self.checks: list[tuple[np.ndarray, str | None, list, Any, str]] = []
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
                    "value": _plain(values[i]),
                    "problem": text,
                    "expected": expected,
                    "_pos": int(pos[o]),
                }
            )
        return out

    def line(self, p: dict) -> str:
        where = f"row {p['row']}" + (f", column {p['column']!r}" if p["column"] is not None else "")
        value = "" if p["value"] is None else f"{_short(p['value'])!r} "
        return f"  {where}: {value}{p['problem']}; expected {p['expected']}"

    def error(self, n_rows: int, lenient_hint: bool = True) -> DataError:
        total = len(self)
        rows = self.bad_positions().size
        flat = self._flat(_KEEP_PROBLEMS)
        head = f"{_where(self.grid)}: {total:,} problem{'s' if total != 1 else ''} in {rows:,} of {n_rows:,} data rows."
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

    def set_aside(self, table: _Table, positions: np.ndarray) -> pd.DataFrame:
        """The set-aside rows: file row, every reason, and the row's values as read."""
        reasons: dict[int, list[str]] = {}
        for p in self._flat():
            col = f"{p['column']}: " if p["column"] is not None else ""
            val = "" if p["value"] is None else f"{_short(p['value'])!r} "
            reasons.setdefault(p["_pos"], []).append(f"{col}{val}{p['problem']} (expected {p['expected']})")
        rows = []
        for pos in positions:
            rec = {"row": int(table.numbers[pos]), "reason": "; ".join(reasons.get(int(pos), []))}
            for h, v in zip(table.header, table.row(pos)):
                rec[h] = _plain(v)
            rows.append(rec)
        return pd.DataFrame(rows, columns=["row", "reason", *table.header])


def _plain(v):
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, str):
        return _show_bytes(v) if _SURROGATE.search(v) else v
    return v


def _short(v, n: int = 60):
    if isinstance(v, str) and len(v) > n:
        return v[: n - 3] + "..."
    return v


# ---------------------------------------------------------------------------
# Value parsers (vectorised over a column; unusual strings parsed once per distinct value)
# ---------------------------------------------------------------------------


def _texts(values: list) -> pd.Series:
    """Raw values as stripped strings (None when blank); numbers as they would print."""
    if _all_str(values):
        return pd.Series([v.strip() or None for v in values], dtype=object)
    out = []
    for v in values:
        if _cell_is_blank(v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v.strip())
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, (dt.datetime, dt.date, pd.Timestamp)):
            out.append(v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat())
        else:
            out.append(str(v))
    return pd.Series(out, dtype=object)


def _all_str(values) -> bool:
    return set(map(type, values)) <= {str}


_TZ_SUFFIX = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:\b|T|\s|$)")

_TIME_PARTS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M:%S%p", "%I:%M%p", "%H:%M:%S.%f", "")


def _date_formats(dayfirst: bool) -> list[str]:
    dates_m = ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"]
    dates_d = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"]
    numeric = (dates_d + dates_m) if dayfirst else (dates_m + dates_d)
    others = [
        "%d.%m.%Y",
        "%d.%m.%y",
        "%Y/%m/%d",
        "%Y.%m.%d",
        "%d %b %Y",
        "%d %B %Y",
        "%d-%b-%Y",
        "%d-%b-%y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%b %d %Y",
        "%a %b %d %Y",
        "%a, %d %b %Y",
        "%Y%m%d",
    ]
    out = []
    for d in numeric + others:
        for t in _TIME_PARTS:
            out.append(f"{d} {t}".strip())
            if t and d.startswith("%Y"):
                out.append(f"{d}T{t}")
    return out


@dataclass
class _DateResult:
    values: pd.Series  # datetime64[ns], NaT where blank or bad
    bad: np.ndarray  # True where a non-blank value is not a date
    notes: list[str]
    warnings: list[str]


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parse_dates(values: list, *, dayfirst: bool | None = None, timezone: str | None = None, excel_numbers=False):
    """Parse a column of dates: ISO 8601 (with or without zones), US/European numeric, month names.

    Values with a time zone (``Z``, ``+01:00``, ``UTC``) are converted to
    ``timezone`` (UTC when None) and the zone dropped, so the column is naive
    and consistent; values without a zone are taken as already local.
    Numeric dates like ``03/04/2024`` are read day-first if that reads more
    of the column than month-first (a day above 12 in the first place), and
    the other way round; when both read everything, by ``dayfirst``
    (month-first by default, with a warning).

    The common case -- one format throughout -- is parsed in one vectorised
    pass with that format (found on a sample); only values it does not read
    go through the slower per-value search.
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    notes: list[str] = []
    warnings: list[str] = []
    if _all_str(values):
        stripped = pd.Series([v.strip() for v in values], dtype=object)
        idx = np.flatnonzero((stripped != "").to_numpy())
        strings = stripped.iloc[idx].reset_index(drop=True)
    else:
        str_idx, str_vals = [], []
        native_idx, native_vals = [], []
        for i, v in enumerate(values):
            if _cell_is_blank(v):
                continue
            if isinstance(v, (dt.datetime, pd.Timestamp)):
                native_idx.append(i)
                tz = getattr(v, "tzinfo", None)
                native_vals.append(pd.Timestamp(v).tz_convert("UTC").tz_localize(None) if tz else pd.Timestamp(v))
            elif isinstance(v, dt.date):
                native_idx.append(i)
                native_vals.append(pd.Timestamp(v))
            elif isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)):
                if excel_numbers and 20_000 <= float(v) <= 80_000:  # an Excel serial date (1954-2119)
                    native_idx.append(i)
                    native_vals.append(_EXCEL_EPOCH + pd.to_timedelta(float(v), unit="D"))
                else:
                    bad[i] = True
            elif isinstance(v, (dt.time, dt.timedelta, bool, np.bool_)):
                bad[i] = True
            else:
                str_idx.append(i)
                str_vals.append(str(v).strip())
        if native_idx:
            got = pd.to_datetime(pd.Series(native_vals, dtype=object), errors="coerce")
            out[native_idx] = got.to_numpy(dtype="datetime64[ns]")
            bad[native_idx] = got.isna().to_numpy()
        idx = np.asarray(str_idx, dtype=int)
        strings = pd.Series(str_vals, dtype=object)
    if len(strings):
        parsed, aware, s_notes, s_warn = _parse_date_strings(strings, dayfirst)
        notes += s_notes
        warnings += s_warn
        if aware.any():
            zone = timezone or "UTC"
            if timezone is not None:
                try:
                    local = pd.Series(parsed[aware]).dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
                except Exception:  # zoneinfo/pytz raise several types for an unknown zone name
                    raise DataError(f"unknown time zone {timezone!r}; use a name such as 'Europe/London'") from None
                parsed[aware] = local.to_numpy(dtype="datetime64[ns]")
            notes.append(f"dates with a time zone converted to {zone} and the zone dropped")
            if (~aware & ~np.isnat(parsed)).any():
                warnings.append(
                    f"some dates carry a time zone and some do not; those without are taken as {zone} time already"
                )
        out[idx] = parsed
        bad[idx] = np.isnat(parsed)
    return _DateResult(pd.Series(out, dtype="datetime64[ns]"), bad, notes, warnings)


_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


_FIELD_WIDTH = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%I": 2, "%M": 2, "%S": 2, "%p": 2}


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime(values, format=fmt, errors="coerce")``, fast for zero-padded numeric formats.

    pandas' strptime reads ``03/01/2024 09:30 AM`` at a few microseconds a
    value; when every field has a fixed width the digits can be read straight
    from the characters with numpy, ten times faster. Values that do not fit
    the fixed layout (unpadded, other lengths) go through pandas.
    """
    tokens = re.findall(r"%[a-zA-Z]|[^%]", fmt)
    if any(t.startswith("%") and t not in _FIELD_WIDTH for t in tokens) or "%Y" not in tokens:
        return pd.to_datetime(values, format=fmt, errors="coerce")
    width = sum(_FIELD_WIDTH.get(t, 1) for t in tokens)
    n = len(values)
    arr = values.to_numpy(dtype=object).astype(f"<U{width + 1}")
    fixed = np.char.str_len(arr) == width
    if not fixed.any():
        return pd.to_datetime(values, format=fmt, errors="coerce")
    codes = arr.view(np.uint32).reshape(n, width + 1)[:, :width].astype(np.int64)
    ok = fixed.copy()
    parts: dict[str, np.ndarray] = {}
    pos = 0
    for t in tokens:
        w = _FIELD_WIDTH.get(t, 1)
        block = codes[:, pos : pos + w]
        if t == "%p":
            first, second = block[:, 0] | 0x20, block[:, 1] | 0x20  # lower case
            ok &= ((first == ord("a")) | (first == ord("p"))) & (second == ord("m"))
            parts[t] = first == ord("p")
        elif t.startswith("%"):
            digits = block - 48
            ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
            parts[t] = digits @ (10 ** np.arange(w - 1, -1, -1))
        else:
            ok &= block[:, 0] == ord(t)
        pos += w
    if "%I" in parts:
        hour12 = parts["%I"]
        ok &= (hour12 >= 1) & (hour12 <= 12)
        hour = hour12 % 12 + 12 * parts.get("%p", np.zeros(n, dtype=bool))
    else:
        hour = parts.get("%H", np.zeros(n, dtype=np.int64))
    fields = {
        "year": parts["%Y"],
        "month": parts.get("%m", np.ones(n, dtype=np.int64)),
        "day": parts.get("%d", np.ones(n, dtype=np.int64)),
        "hour": hour,
        "minute": parts.get("%M", np.zeros(n, dtype=np.int64)),
        "second": parts.get("%S", np.zeros(n, dtype=np.int64)),
    }
    table = pd.DataFrame({k: np.where(ok, v, 1 if k in ("month", "day") else 0) for k, v in fields.items()})
    table["year"] = np.where(ok, table["year"], 2000)
    got = pd.to_datetime(table, errors="coerce").to_numpy(dtype="datetime64[ns]")
    got[~ok] = np.datetime64("NaT")
    out = pd.Series(got, index=values.index)
    slow = ~ok  # everything the fast path could not read (unpadded, other lengths): let pandas try
    if slow.any():
        out[slow] = pd.to_datetime(values[slow], format=fmt, errors="coerce").to_numpy(dtype="datetime64[ns]")
    return out


def _plausible_formats(sample: pd.Series, dayfirst: bool) -> list[str]:
    """The formats worth trying on these values: numeric, year-first, with month names, compact."""
    s = sample.astype(str)
    numeric = bool(s.str.match(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}").any())
    year_first = bool(s.str.match(r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}").any())
    named = bool(s.str.contains(r"[A-Za-z]{3}").any() and s.str.contains(r"\d").any())
    compact = bool(s.str.match(r"^\d{8}").any())
    out = []
    for fmt in _date_formats(dayfirst):
        if "%b" in fmt or "%B" in fmt or "%a" in fmt:
            keep = named
        elif fmt.startswith("%Y%m%d"):
            keep = compact
        elif fmt.startswith("%Y"):
            keep = year_first
        else:
            keep = numeric
        if keep:
            out.append(fmt)
    return out


def _twin(fmt: str) -> str | None:
    """The same numeric format with day and month swapped (``%m/%d/%Y`` <-> ``%d/%m/%Y``)."""
    if fmt.startswith(("%m/%d", "%d/%m", "%m-%d", "%d-%m")):
        return fmt.replace("%m", "%X").replace("%d", "%m").replace("%X", "%d")
    return None


def _parse_date_strings(s: pd.Series, dayfirst: bool | None):
    """Non-blank date strings -> (naive datetime64[ns] array, had-a-zone mask, notes, warnings)."""
    n = len(s)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    aware = np.zeros(n, dtype=bool)
    notes: list[str] = []
    warnings: list[str] = []
    sample = pd.Series(pd.unique(s.to_numpy()[:5000])[:200], dtype=object)
    if sample.str.match(_ISO_START).any():
        iso = s.str.match(_ISO_START).to_numpy()
        sub = s[iso]
        if sub.str.endswith(("UTC", "GMT", "utc", "gmt")).any():
            sub = sub.str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
        res = pd.to_datetime(sub, format="ISO8601", errors="coerce", utc=True)
        vals = res.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        parsed[iso] = vals
        aware[iso] = sub.str.contains(_TZ_SUFFIX).to_numpy() & ~np.isnat(vals)
    rest = np.isnat(parsed)
    if rest.any():
        r = s[rest]
        r_sample = pd.Series(pd.unique(r.to_numpy()[:5000])[:200], dtype=object).str.replace(r"\s+", " ", regex=True)
        formats = _plausible_formats(r_sample, bool(dayfirst))
        best, best_hits = None, 0
        for fmt in formats:  # the first format that reads the whole sample, else the one that reads most
            got_n = int(pd.to_datetime(r_sample, format=fmt, errors="coerce").notna().sum())
            if got_n > best_hits:
                best, best_hits = fmt, got_n
                if got_n == r_sample.size:
                    break
        if best_hits:
            got = _to_datetime(r, best)
            twin = _twin(best)
            if twin is not None:
                first_is_day = best.startswith("%d")
                if dayfirst is not None:
                    choose_twin = first_is_day != dayfirst
                else:
                    # The other order only matters if this one misses some values, or if every
                    # value has a day <= 12 (then both orders read everything: ambiguous).
                    choose_twin = False
                    fails = int(got.isna().sum())
                    ambiguous = bool(got.notna().any()) and bool((got.dt.day <= 12).all())
                    if fails or ambiguous:
                        other = _to_datetime(r, twin)
                        fails_twin = int(other.isna().sum())
                        if fails_twin != fails:
                            choose_twin = fails_twin < fails
                        else:
                            choose_twin = first_is_day  # both read everything: month/day (US) unless told
                            differ = (got != other) & got.notna() & other.notna()
                            if differ.any():
                                example = r[differ.to_numpy()].iloc[0]
                                warnings.append(
                                    f"dates such as {example!r} could be day/month or month/day; read as "
                                    "month/day (US). Pass dayfirst=True if they are day/month."
                                )
                        if choose_twin:
                            got = other
                if choose_twin:
                    best = twin
                    if dayfirst is not None:
                        got = _to_datetime(r, twin)
                notes.append(
                    "numeric dates read as " + ("day/month/year" if best.startswith("%d") else "month/day/year")
                )
            pos = np.flatnonzero(rest)
            parsed[pos] = got.to_numpy(dtype="datetime64[ns]")
        left = np.isnat(parsed)
        # Values no format read in the sample are not retried one by one unless the sample
        # did not see them all (a second format further down a long column).
        if left.any() and (best_hits or r.nunique() > r_sample.size):
            # Mixed formats: the per-value search, once per distinct leftover.
            lv = s[left]
            uniq = pd.Series(pd.unique(lv.to_numpy()), dtype=object)
            u_parsed, u_aware, u_notes, u_warn = _parse_unique_dates(uniq, dayfirst)
            lookup = pd.Series(u_parsed.to_numpy(dtype="datetime64[ns]"), index=uniq.to_numpy())
            parsed[left] = lv.map(lookup).to_numpy(dtype="datetime64[ns]")
            aware_lookup = pd.Series(u_aware, index=uniq.to_numpy())
            aware[left] = lv.map(aware_lookup).to_numpy(dtype=bool)
            notes += [t for t in u_notes if t not in notes]
            warnings += u_warn
    return parsed, aware, notes, warnings


def _parse_unique_dates(uniq: pd.Series, dayfirst: bool | None):
    """Parse distinct date strings: naive values (UTC wall time where a zone was given), a 'had a zone' mask."""
    notes, warnings = [], []
    aware = uniq.str.contains(_TZ_SUFFIX, na=False).to_numpy()
    cleaned = uniq.str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
    # ISO-looking values only: "03/01/2024" must not be guessed at by ISO 8601 leniency
    iso_like = cleaned.str.match(r"^\d{4}-\d{2}-\d{2}", na=False)
    res = pd.to_datetime(cleaned.where(iso_like), format="ISO8601", errors="coerce", utc=True)
    res = pd.Series(res.dt.tz_localize(None).astype("datetime64[ns]").to_numpy(), dtype="datetime64[ns]")
    todo = res.isna().to_numpy()
    if todo.any():
        rest = uniq[todo]
        m = rest.str.extract(_NUMERIC_DATE)
        first = pd.to_numeric(m[0], errors="coerce")
        second = pd.to_numeric(m[2], errors="coerce")
        day_first_evidence = bool((first > 12).any())
        month_first_evidence = bool((second > 12).any())
        numeric = m[1].notna()
        dots = bool(numeric.any()) and bool((m[1][numeric] == ".").all())
        if dayfirst is not None:
            use_dayfirst = dayfirst
        elif day_first_evidence != month_first_evidence:
            use_dayfirst = day_first_evidence
        elif dots:
            use_dayfirst = True
        else:
            use_dayfirst = False
            if numeric.any() and bool((first != second).any()) and not day_first_evidence:
                warnings.append(
                    "dates such as " + repr(rest[numeric].iloc[0]) + " could be day/month or month/day; "
                    "read as month/day (US). Pass dayfirst=True if they are day/month."
                )
        if numeric.any():
            notes.append("numeric dates read as " + ("day/month/year" if use_dayfirst else "month/day/year"))
        rest_clean = rest.str.replace(r"\s+", " ", regex=True)
        got = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
        remaining = pd.Series(True, index=rest.index)
        for fmt in _plausible_formats(rest_clean, use_dayfirst):
            if not remaining.any():
                break
            cand = rest_clean[remaining]
            parsed = pd.to_datetime(cand, format=fmt, errors="coerce")
            ok = parsed.notna()
            if ok.any():
                hit = ok[ok].index
                got[hit] = parsed[hit].astype("datetime64[ns]")
                remaining[hit] = False
        res[todo] = got.to_numpy()
    return res, aware, notes, warnings


_DURATION_TOKEN = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])", re.IGNORECASE
)
_HMM = re.compile(r"^(\d+):([0-5]?\d)(?::([0-5]?\d(?:\.\d+)?))?$")
_H_THEN_MIN = re.compile(r"^(\d+)\s*h\s*(\d{1,2})$", re.IGNORECASE)
_TOKEN_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def _duration_from_text(text: str, unit_hours: float) -> float | None:
    """Hours in a duration string, or None. Negative values come back negative."""
    t = text.strip().lower().replace("\u2212", "-")
    sign = 1.0
    if t.startswith("-"):
        sign, t = -1.0, t[1:].strip()
    elif t.startswith("(") and t.endswith(")"):
        sign, t = -1.0, t[1:-1].strip()
    if re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", t):
        return sign * float(t) * unit_hours
    if re.fullmatch(r"\d+,\d{1,2}", t):  # decimal comma (1,5): thousands separators make no sense here
        return sign * float(t.replace(",", ".")) * unit_hours
    m = _HMM.match(t)
    if m:
        h, mi, s = m.groups()
        return sign * (int(h) + int(mi) / 60 + (float(s) if s else 0.0) / 3600)
    m = _H_THEN_MIN.match(t)
    if m:
        return sign * (int(m.group(1)) + int(m.group(2)) / 60)
    pos = 0
    total = 0.0
    found = False
    for tok in _DURATION_TOKEN.finditer(t):
        if t[pos : tok.start()].strip(" ,and") != "":
            return None
        found = True
        unit = tok.group(2)[0]
        total += float(tok.group(1).replace(",", ".")) * _UNIT_HOURS[_TOKEN_UNITS[unit]]
        pos = tok.end()
    if found and t[pos:].strip() == "":
        return sign * total
    return None


def parse_durations(values: list, unit: str = "hours") -> tuple[np.ndarray, np.ndarray]:
    """Hours from numbers in ``unit`` or strings like ``1.5``, ``90 min``, ``1:30``, ``1h 30m``.

    Returns ``(hours, bad)``: NaN where blank or unparseable, ``bad`` True
    where a non-blank value could not be read.

    Examples
    --------
    >>> hours, bad = parse_durations(["1.5", "90 min", "1:30", "1h 30m", "", "soon"])
    >>> hours[:4].tolist(), bad.tolist()
    ([1.5, 1.5, 1.5, 1.5], [False, False, False, False, False, True])
    """
    factor = _UNIT_HOURS[unit]
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    str_idx, str_vals = [], []
    if _all_str(values):
        stripped = pd.Series([v.strip() for v in values], dtype=object)
        str_idx = np.flatnonzero((stripped != "").to_numpy())
        str_vals = stripped.iloc[str_idx].tolist()
        values = ()
    for i, v in enumerate(values):
        if _cell_is_blank(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            bad[i] = True
        elif isinstance(v, (int, float, np.number)):
            out[i] = float(v) * factor
        elif isinstance(v, dt.timedelta):
            out[i] = v.total_seconds() / 3600
        elif isinstance(v, pd.Timedelta):
            out[i] = v.total_seconds() / 3600
        elif isinstance(v, dt.time):
            out[i] = v.hour + v.minute / 60 + v.second / 3600
        elif isinstance(v, dt.datetime):  # Excel stores [h]:mm of a day or more as a date in 1899/1900
            delta = (pd.Timestamp(v) - _EXCEL_EPOCH).total_seconds() / 3600
            if 0 <= delta < 24 * 400:
                out[i] = delta
            else:
                bad[i] = True
        elif isinstance(v, dt.date):
            bad[i] = True
        else:
            str_idx.append(i)
            str_vals.append(str(v))
    if len(str_idx):
        s = pd.Series(str_vals, dtype=object)
        fast = pd.to_numeric(s, errors="coerce")
        idx = np.asarray(str_idx)
        ok = fast.notna().to_numpy()
        out[idx[ok]] = fast.to_numpy()[ok] * factor
        if (~ok).any():
            rest = s[~ok]
            cache = {u: _duration_from_text(u, factor) for u in pd.unique(rest.to_numpy())}
            vals = rest.map(cache)
            got = vals.notna().to_numpy()
            out[idx[~ok][got]] = vals.to_numpy(dtype=float)[got]
            bad[idx[~ok][~got]] = True
    bad |= np.isinf(out)
    out[np.isinf(out)] = np.nan
    return out, bad


_TRUE = {
    "yes", "y", "true", "t", "1", "x", "on site", "onsite", "on", "site", "visit", "field", "in person",
    "site visit", "onsite visit", "on site visit", "after hours", "out of hours", "ooh", "checked", "ja", "oui",
}  # fmt: skip
_FALSE = {
    "no", "n", "false", "f", "0", "remote", "off site", "offsite", "phone", "email", "e mail", "chat",
    "in house", "inhouse", "remote support", "business hours", "off", "unchecked", "nein", "non", "none", "-",
}  # fmt: skip


def parse_booleans(values: list) -> tuple[pd.Series, np.ndarray]:
    """yes/no, true/false, 1/0, x, On-site/Remote -> nullable booleans; ``bad`` where unreadable."""
    n = len(values)
    if _all_str(values):
        s = pd.Series(values, dtype=object)
        lookup = {}
        for u in pd.unique(s.to_numpy()):
            k = normalise_name(u)
            lookup[u] = None if k == "" else True if k in _TRUE else False if k in _FALSE else "bad"
        mapped = s.map(lookup)
        bad = (mapped == "bad").to_numpy()
        flags = mapped.where(~bad & mapped.notna(), None)
        return pd.Series(pd.array(flags.tolist(), dtype="boolean")), bad
    out: list = [pd.NA] * n
    bad = np.zeros(n, dtype=bool)
    cache: dict = {}
    for i, v in enumerate(values):
        if _cell_is_blank(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = bool(v)
            continue
        if isinstance(v, (int, float, np.number)) and float(v) in (0.0, 1.0):
            out[i] = bool(v)
            continue
        key = v if isinstance(v, str) else str(v)
        if key not in cache:
            k = normalise_name(key)
            cache[key] = True if k in _TRUE else False if k in _FALSE else None
        got = cache[key]
        if got is None:
            bad[i] = True
        else:
            out[i] = got
    return pd.Series(out, dtype="boolean"), bad


def parse_counts(values: list, low: int = 0, high: int = 10_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers in ``[low, high]`` (``1,234`` accepted); NaN where blank; ``bad`` otherwise."""
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    for i, v in enumerate(values):
        if _cell_is_blank(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            bad[i] = True
            continue
        try:
            x = float(v.replace(",", "").strip()) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            bad[i] = True
            continue
        if not (math.isfinite(x) and x.is_integer() and low <= x <= high):
            bad[i] = True
        else:
            out[i] = x
    return out, bad


# ---------------------------------------------------------------------------
# Priorities
# ---------------------------------------------------------------------------

#: Words that name a priority in common helpdesks, mapped to the scenario's classes.
PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(["critical", "urgent", "emergency", "highest", "blocker", "very high", "sev a", "immediate"], "p1"),
    **dict.fromkeys(["high", "major", "important", "elevated"], "p2"),
    **dict.fromkeys(["medium", "normal", "moderate", "standard", "average", "routine"], "p3"),
    **dict.fromkeys(
        ["low", "lowest", "minor", "trivial", "request", "service request", "planning", "scheduled", "very low"], "p4"
    ),
}
_PRIORITY_NUMBER = re.compile(r"^(?:p|pri|prio|priority|sev|severity|s|level|l|tier)?\s*([1-4])(?:\s|$)")


def _priority_key(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return normalise_name(v)


def parse_priority(value, priority_map: Mapping | None = None) -> str | None:
    """``p1``-``p4`` for a priority as exports write it, ``None`` if unknown.

    A ``priority_map`` entry wins over the built-in rules; the built-in rules
    read a number 1-4 with an optional prefix (``P1``, ``Priority 1 -
    Emergency Response``, ``Sev 2``), then words (:data:`PRIORITY_WORDS`),
    then the first word (``High - business critical`` is high).

    Examples
    --------
    >>> [parse_priority(v) for v in ["P1", 2, "Priority 3 - Normal Response", "Urgent", "low", "Do Not Respond"]]
    ['p1', 'p2', 'p3', 'p1', 'p4', None]
    """
    key = _priority_key(value)
    if priority_map:
        norm_map = {_priority_key(k): v for k, v in priority_map.items()}
        if key in norm_map:
            return norm_map[key]
    if key in PRIORITY_WORDS:
        return PRIORITY_WORDS[key]
    m = _PRIORITY_NUMBER.match(key)
    if m:
        return f"p{m.group(1)}"
    first = key.split(" ")[0] if key else ""
    if first in PRIORITY_WORDS:
        return PRIORITY_WORDS[first]
    return None


_EXCLUDE = "__exclude__"


def _normalise_priority_map(priority_map: Mapping | None) -> dict | None:
    if not priority_map:
        return None
    out = {}
    for k, v in priority_map.items():
        if v is None or (isinstance(v, str) and v.strip().lower() in ("", "ignore", "exclude", "skip", "none")):
            out[k] = _EXCLUDE
            continue
        p = parse_priority(v) if not (isinstance(v, str) and v.strip().lower() in PRIORITIES) else v.strip().lower()
        if p is None or str(v).strip().lower() not in (*PRIORITIES, "1", "2", "3", "4"):
            if not (isinstance(v, (int, np.integer)) and 1 <= int(v) <= 4):
                raise DataError(
                    f"priority_map: {k!r} maps to {v!r}; expected one of 'p1', 'p2', 'p3', 'p4' "
                    "(or None to leave such tickets out)"
                )
        out[k] = p
    return out


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_tickets` (or :func:`.load_invoices`) read, kept and set aside.

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


# ---------------------------------------------------------------------------
# load_tickets
# ---------------------------------------------------------------------------

TICKET_OUTPUT = (
    "row",
    "ticket_id",
    "opened",
    "first_response",
    "resolved",
    "priority",
    "category",
    "work_hours",
    "response_hours",
    "response_business_hours",
    "onsite",
    "after_hours",
    "users_affected",
)

_MIN_DATE = pd.Timestamp("1990-01-01")


def load_tickets(
    source,
    column_map: Mapping[str, str] | None = None,
    priority_map: Mapping[str, str | None] | None = None,
    lenient: bool = False,
    sheet: str | int | None = None,
    *,
    name: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    header_row: int | None = None,
    max_work_hours: float = 1000.0,
    max_response_hours: float = 24 * 365,
    max_bytes: int = MAX_BYTES,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a helpdesk ticket export (CSV or XLSX) into a clean, typed table.

    Parameters
    ----------
    source : path, bytes, file-like, upload value or DataFrame
        The export. Bytes and file-like objects are what an upload widget
        gives (an ``ipywidgets.FileUpload`` value or one of its entries is
        accepted as is); ``name`` then names the file in messages and its
        extension says CSV or XLSX (without one, the content decides).
    column_map : dict, optional
        ``{"<column in the file>": "<canonical column>"}`` for columns the
        aliases do not recognise. Canonical columns: ``ticket_id``,
        ``opened`` (required), ``first_response``, ``resolved``, ``priority``
        (required), ``category``, ``work_hours``, ``onsite``, ``after_hours``,
        ``users_affected`` (see :data:`TICKET_COLUMNS` for the names recognised).
    priority_map : dict, optional
        ``{"<value in the file>": "p1".."p4"}``, consulted before the
        built-in rules (:func:`parse_priority`); map a value to ``None`` to
        leave such tickets out (they are listed in the report as excluded).
    lenient : bool
        Set rows with problems aside (listed in ``report.set_aside`` with
        their reasons) instead of raising. Problems with the file as a whole
        (encoding, missing columns, no data) raise either way.
    sheet : str or int, optional
        XLSX sheet name or 0-based index; by default the first sheet that has
        the required columns.
    encoding : str, optional
        UTF-8 (with or without BOM) and UTF-16 with a BOM are detected; pass
        ``"cp1252"`` or ``"latin-1"`` only when you know the file is in it.
    delimiter : str, optional
        CSV separator; by default the most frequent of ``, ; tab |`` in the header.
    dayfirst : bool, optional
        For numeric dates like ``03/04/2024`` that the data cannot decide.
    timezone : str, optional
        Dates that carry a zone are converted to it (default UTC); all dates
        are returned without a zone.
    header_row : int, optional
        The header's row number in the file, if not the first non-blank row
        (rows of titles above a header are skipped automatically).
    max_work_hours, max_response_hours : float
        Durations above these are reported as implausible.

    Returns
    -------
    tickets : pandas.DataFrame
        Columns ``row`` (as numbered in the file), ``ticket_id`` (string),
        ``opened``, ``first_response``, ``resolved`` (datetime64, no zone),
        ``priority`` (categorical p1-p4), ``category`` (string), ``work_hours``,
        ``response_hours`` (wall-clock, from a duration column),
        ``response_business_hours`` (from a business-hours duration column)
        (float hours), ``onsite``, ``after_hours`` (nullable boolean),
        ``users_affected`` (nullable integer). Columns the file lacks are empty.
    report : LoadReport

    Raises
    ------
    msp_analysis.DataError
        For every problem, naming file, row, column, value and what was expected.
    """
    pmap = _normalise_priority_map(priority_map)
    table, problems = _table(
        source,
        TICKET_COLUMNS,
        name=name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        column_map=column_map,
        header_row=header_row,
        max_bytes=max_bytes,
        problems_factory=_Problems,
    )
    mapping = table.mapping
    n = len(table.data)
    label = mapping.labels
    notes = list(mapping.notes)
    warnings: list[str] = []
    excel = table.grid.kind == "XLSX"
    out: dict[str, Any] = {"row": table.numbers.astype(np.int64)}

    # -- ticket ids
    if "ticket_id" in mapping.columns:
        ids = _texts(table.values["ticket_id"])
        empty = ids.isna().to_numpy()
        problems.add_mask(empty, label["ticket_id"], None, "is empty", "a ticket number")
        dup = ids.duplicated(keep="first").to_numpy() & ~empty
        if dup.any():
            first_row = dict(zip(ids[~empty][::-1], table.numbers[~empty][::-1]))
            msgs = [f"is a duplicate ticket id (first on row {first_row[ids[p]]})" if dup[p] else "" for p in range(n)]
            problems.add_mask(dup, label["ticket_id"], ids.tolist(), msgs, "each ticket id once")
        out["ticket_id"] = pd.array(ids, dtype="string")
    else:
        out["ticket_id"] = pd.array([f"row {r}" for r in table.numbers], dtype="string")
        notes.append("no ticket-id column: tickets are named by their row")

    # -- dates
    dates = {}
    for col in ("opened", "first_response", "resolved"):
        if col not in mapping.columns:
            dates[col] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
            continue
        raw = table.values[col]
        res = parse_dates(raw, dayfirst=dayfirst, timezone=timezone, excel_numbers=excel)
        if col == "first_response":
            # A first-response column may hold durations (Zendesk, Freshservice) rather than times.
            nonblank = ~_blank_mask(raw)
            if nonblank.any() and res.bad[nonblank].mean() > 0.5:
                hours, bad = parse_durations(raw, mapping.units.get(col, "hours"))
                if (~bad[nonblank]).mean() >= 0.5:
                    norm = normalise_name(label[col])
                    target = "response_business_hours" if "business" in norm else "response_hours"
                    out[target] = hours
                    notes.append(
                        f"first response read as a duration in {mapping.units.get(col, 'hours')} from {label[col]!r}"
                        + (" (business hours)" if target == "response_business_hours" else " (wall-clock)")
                    )
                    problems.add_mask(bad, label[col], raw, "is not a duration", _DURATION_EXPECTED)
                    neg = hours < 0
                    problems.add_mask(neg, label[col], raw, "is a negative duration", "a duration of 0 or more")
                    absurd = hours > max_response_hours
                    problems.add_mask(
                        absurd,
                        label[col],
                        raw,
                        "is an implausibly long response",
                        f"at most {max_response_hours:,.0f} hours",
                    )
                    dates[col] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
                    continue
        problems.add_mask(res.bad, label[col], raw, "is not a date", "a date (and time) such as 2024-03-01 14:30")
        values = res.values
        implausible = (values < _MIN_DATE) | (values > pd.Timestamp.now().normalize() + pd.Timedelta(days=366))
        problems.add_mask(
            implausible.to_numpy(), label[col], raw, "is an implausible date", "a date between 1990 and next year"
        )
        if col == "opened":
            missing = _blank_mask(raw)
            problems.add_mask(missing, label[col], None, "is empty", "the date the ticket was opened (required)")
        notes += [f"{label[col]}: {t}" for t in res.notes]
        warnings += [f"{label[col]}: {t}" for t in res.warnings]
        dates[col] = values.where(~implausible)
    opened = dates["opened"]
    for col in ("first_response", "resolved"):
        if col in mapping.columns and dates[col].notna().any():
            before = (dates[col] < opened).to_numpy()
            if before.any():
                shown = [f"{o:%Y-%m-%d %H:%M}" if pd.notna(o) else "" for o in opened]
                what = "resolved" if col == "resolved" else "first response"
                msgs = [f"is before the opened date {shown[p]} ({what} before opened)" for p in range(n)]
                problems.add_mask(
                    before,
                    label[col],
                    table.values[col],
                    msgs,
                    f"a date on or after the opened date ({label['opened']})",
                )
    out.update(dates)

    # -- priority
    pr_raw = table.values["priority"]
    cache: dict = {}
    pr = []
    for v in pr_raw:
        if _cell_is_blank(v):
            pr.append(None)
            continue
        key = v if isinstance(v, (str, int, float)) else str(v)
        if key not in cache:
            cache[key] = parse_priority(key, pmap)
        pr.append(cache[key])
    pr_arr = np.array(pr, dtype=object)
    blank_pr = _blank_mask(pr_raw)
    unknown = np.array([p is None for p in pr], dtype=bool) & ~blank_pr
    excluded = np.array([p == _EXCLUDE for p in pr], dtype=bool)
    problems.add_mask(blank_pr, label["priority"], None, "is empty", "a priority (P1-P4, Critical/High/Medium/Low ...)")
    problems.add_mask(
        unknown,
        label["priority"],
        pr_raw,
        "is not a known priority",
        next(s for s in TICKET_COLUMNS if s.name == "priority").expected,
    )
    if unknown.any():
        counts = pd.Series([_plain(v) for v, u in zip(pr_raw, unknown) if u]).astype(str).value_counts()
        listed = ", ".join(f"{k!r} ({c:,} row{'s' if c != 1 else ''})" for k, c in counts.head(10).items())
        problems.hints.append(
            f"Unknown priority values: {listed}. Map them with priority_map={{{counts.index[0]!r}: 'p4'}} "
            "(or to None to leave such tickets out)."
        )
    out["priority"] = pd.Categorical(np.where(excluded | unknown | blank_pr, None, pr_arr), categories=list(PRIORITIES))

    # -- category
    out["category"] = (
        pd.array(_texts(table.values["category"]), dtype="string")
        if "category" in mapping.columns
        else pd.array([pd.NA] * n, dtype="string")
    )

    # -- durations
    out["work_hours"] = np.full(n, np.nan)
    if "work_hours" in mapping.columns:
        raw = table.values["work_hours"]
        unit = mapping.units.get("work_hours", "hours")
        hours, bad = parse_durations(raw, unit)
        problems.add_mask(bad, label["work_hours"], raw, "is not a duration", _DURATION_EXPECTED)
        problems.add_mask(hours < 0, label["work_hours"], raw, "is a negative duration", "a duration of 0 or more")
        problems.add_mask(
            hours > max_work_hours,
            label["work_hours"],
            raw,
            f"is implausible for one ticket ({unit})",
            f"at most {max_work_hours:,.0f} hours (pass max_work_hours= if it is real)",
        )
        out["work_hours"] = hours
        if unit != "hours":
            notes.append(f"work read in {unit} from {label['work_hours']!r}, converted to hours")
    out.setdefault("response_hours", np.full(n, np.nan))
    out.setdefault("response_business_hours", np.full(n, np.nan))

    # -- flags and counts
    for col in ("onsite", "after_hours"):
        if col in mapping.columns:
            flags, bad = parse_booleans(table.values[col])
            spec = next(s for s in TICKET_COLUMNS if s.name == col)
            problems.add_mask(bad, label[col], table.values[col], "is not a yes/no value", spec.expected)
            out[col] = flags
        else:
            out[col] = pd.array([pd.NA] * n, dtype="boolean")
    if "users_affected" in mapping.columns:
        counts_, bad = parse_counts(table.values["users_affected"])
        problems.add_mask(
            bad,
            label["users_affected"],
            table.values["users_affected"],
            "is not a whole number of users",
            "a whole number of users (0 or more)",
        )
        out["users_affected"] = pd.array(np.where(np.isnan(counts_), None, counts_), dtype="Int64")
    else:
        out["users_affected"] = pd.array([pd.NA] * n, dtype="Int64")

    frame = pd.DataFrame({c: out[c] for c in TICKET_OUTPUT})
    bad_pos = problems.bad_positions()
    if len(problems) and not lenient:
        raise problems.error(n)
    excluded_pos = np.flatnonzero(excluded)
    aside_pos = np.union1d(bad_pos, excluded_pos).astype(int)
    if excluded_pos.size:
        problems.add(
            excluded_pos,
            label["priority"],
            [pr_raw[p] for p in excluded_pos],
            "is left out by priority_map",
            "a priority the analysis uses",
        )
        notes.append(f"{excluded_pos.size:,} tickets left out by priority_map")
    set_aside = problems.set_aside(table, aside_pos)
    keep = np.ones(n, dtype=bool)
    keep[aside_pos] = False
    if not keep.any():
        raise DataError(
            f"{_where(table.grid)}: every one of the {n:,} data rows has a problem; nothing left to analyse.\n"
            + problems.error(n, lenient_hint=False).args[0].split("\n", 1)[-1],
            problems=problems._flat(_KEEP_PROBLEMS),
            source=table.grid.name,
        )
    frame = frame[keep].reset_index(drop=True)
    if bad_pos.size:
        warnings.append(f"{bad_pos.size:,} rows set aside because of problems (see report.set_aside)")
    counts = {p: int((frame["priority"] == p).sum()) for p in PRIORITIES}
    report = LoadReport(
        source=table.grid.name,
        format=_format_text(table.grid),
        rows_read=n,
        rows_kept=int(keep.sum()),
        rows_set_aside=int(aside_pos.size),
        blank_rows=table.blank_rows,
        columns=dict(label),
        unused_columns=list(mapping.unused),
        period=(frame["opened"].min(), frame["opened"].max()) if frame["opened"].notna().any() else (None, None),
        set_aside=set_aside,
        notes=tuple(notes),
        warnings=tuple(warnings),
        counts=counts,
        header_row=int(table.header_number),
    )
    return frame, report


_DURATION_EXPECTED = "a duration such as 1.5 (hours), 90 min, 1:30 or 1h 30m"


def _format_text(grid: _Grid) -> str:
    if grid.kind == "CSV":
        sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(grid.delimiter, repr(grid.delimiter))
        return f"CSV ({grid.encoding}, {sep}-separated)"
    if grid.kind == "XLSX":
        return f"XLSX (sheet {grid.sheet!r} of " + ", ".join(repr(s) for s in grid.sheets) + ")"
    return grid.kind


def read_table(
    source,
    specs: Sequence[ColumnSpec],
    *,
    name=None,
    sheet=None,
    encoding=None,
    delimiter=None,
    column_map=None,
    header_row=None,
    max_bytes=MAX_BYTES,
):
    """The shared first step of every loader: a mapped table and a problem collector."""
    return _table(
        source,
        specs,
        name=name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        column_map=column_map,
        header_row=header_row,
        max_bytes=max_bytes,
        problems_factory=_Problems,
    )


def finish(
    table,
    problems,
    frame: pd.DataFrame,
    *,
    lenient: bool,
    notes,
    warnings,
    period_column: str,
    counts=None,
    lenient_hint: bool = True,
):
    """Shared last step: raise, or set rows aside and build the report."""
    n = len(table.data)
    if len(problems) and not lenient:
        raise problems.error(n, lenient_hint=lenient_hint)
    bad = problems.bad_positions()
    keep = np.ones(n, dtype=bool)
    keep[bad] = False
    if not keep.any():
        raise problems.error(n, lenient_hint=False)
    frame = frame[keep].reset_index(drop=True)
    warnings = list(warnings)
    if bad.size:
        warnings.append(f"{bad.size:,} rows set aside because of problems (see report.set_aside)")
    period = (
        (frame[period_column].min(), frame[period_column].max()) if frame[period_column].notna().any() else (None, None)
    )
    report = LoadReport(
        source=table.grid.name,
        format=_format_text(table.grid),
        rows_read=n,
        rows_kept=int(keep.sum()),
        rows_set_aside=int(bad.size),
        blank_rows=table.blank_rows,
        columns=dict(table.mapping.labels),
        unused_columns=list(table.mapping.unused),
        period=period,
        set_aside=problems.set_aside(table, bad),
        notes=tuple(list(table.mapping.notes) + list(notes)),
        warnings=tuple(warnings),
        counts=counts or {},
        header_row=int(table.header_number),
    )
    return frame, report


def guard(func: Callable) -> Callable:
    """Decorator for loaders: anything unexpected a malformed file provokes becomes a DataError.

    Every known failure is already turned into a precise DataError; this is
    the last line, so that no pandas/openpyxl/KeyError traceback reaches a
    user for bad input. Programming errors still surface, as the cause.
    """
    import functools

    @functools.wraps(func)
    def wrapper(source, *args, **kwargs):
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


load_tickets = guard(load_tickets)
