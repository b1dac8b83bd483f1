"""Reading a CSV into a grid: encoding and separator detected, ragged rows and undecodable cells kept.

:func:`_csv_grids` decodes the bytes (UTF-8 with or without BOM, UTF-16 with
or without BOM, or the encoding given; bytes that are not UTF-8 are kept,
escaped, so that every cell holding one can be named), picks the separator
(the one given, Excel's ``sep=`` line, or the first line's most frequent of
``, ; tab |``) and reads every record -- with pandas' C reader when every
record has the header's width, field by field otherwise.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..errors import DataError
from .cells import _SURROGATE
from .grid import _HEADER_SCAN_ROWS, MAX_COLUMNS, Grid, _check_widths, _records_frame
from .sources import Source, _utf16_without_bom

__all__: list[str] = []


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
    primary = max(counts, key=lambda d: counts[d]) if max(counts.values()) > 0 else ","
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines[1:]]
    median = {d: float(np.median([line.count(d) for line in unquoted])) if unquoted else 0.0 for d in candidates}
    others = sorted((d for d in candidates if d != primary and median[d] >= 1), key=lambda d: -median[d])
    return [primary, *others]


def _csv_grid(src: Source, text: str, used: str, escaped: bool, sep: str) -> Grid:
    """Every record of the decoded text, split at ``sep``."""
    if len(sep) != 1 or sep in ('"', "\n", "\r"):
        raise DataError(f"{src.name}: delimiter must be one character other than a quote, got {sep!r}", source=src.name)
    _check_width(src, text, sep)
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


def _check_width(src: Source, text: str, sep: str) -> None:
    """Refuse a CSV with a line of more than :data:`.grid.MAX_COLUMNS` fields before any reader lays it out.

    Both readers would otherwise build the table first (pandas' C reader a
    frame of a million columns, minutes and gigabytes, before any check):
    separators outside quotes are counted per line in one pass over the text,
    so the check costs what reading the bytes costs.
    """
    b = np.frombuffer(text.encode("utf-8", "surrogateescape"), dtype=np.uint8)
    outside = (np.cumsum(b == 34, dtype=np.uint8) & 1) == 0
    seps = np.flatnonzero((b == ord(sep)) & outside) if ord(sep) < 128 else np.empty(0, dtype=np.intp)
    if seps.size < MAX_COLUMNS:
        return
    eol = "\r" if "\r" in text and "\n" not in text else "\n"  # old Mac files end lines with CR alone
    line_ends = np.flatnonzero((b == ord(eol)) & outside)
    n_records = line_ends.size + (0 if text.endswith(eol) else 1)
    fields = np.bincount(np.searchsorted(line_ends, seps), minlength=n_records)[:n_records] + 1
    # the same limits and messages as the readers' own check, before either reader lays anything out
    _check_widths(fields, src.name, "CSV", lambda k: None)


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
