"""Reading an XLSX into grids: the zip-bomb checks, each sheet's rows, and formulas that have no saved value.

:func:`open_workbook` opens the bytes with openpyxl (read-only, cached
values) after refusing a damaged zip or one that would inflate beyond
:data:`MAX_UNZIPPED_BYTES`; :func:`_xlsx_grids` reads the sheets asked for,
each no longer than :data:`MAX_SHEET_ROWS`, and marks cells that hold a
formula but no value (a workbook written by a program, never saved by Excel).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DataError
from .cells import Cell
from .grid import MAX_COLUMNS, Grid, _records_frame
from .sources import Source

if TYPE_CHECKING:  # openpyxl itself is imported when an XLSX is read (a CSV-only user does not pay for it)
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

__all__ = ["MAX_SHEET_ROWS", "MAX_UNZIPPED_BYTES", "open_workbook"]

#: An XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_UNZIPPED_BYTES = 2 * 2**30

#: Excel's own limit: a sheet with more rows was not written by Excel, and would take minutes to read.
MAX_SHEET_ROWS = 1_048_576

_MAX_ZIP_RATIO = 100  # real sheets deflate 5-20 times; a part that inflates 100 times or more is a zip bomb


def openpyxl_failures() -> tuple[type[BaseException], ...]:
    """What openpyxl raises, from inside its own code, on a damaged or hand-made workbook.

    A missing part or relationship (KeyError), XML that does not parse
    (SyntaxError: ElementTree's ParseError and lxml's XMLSyntaxError derive
    from it), an attribute of the wrong type or value (TypeError and
    ValueError from its descriptors), no workbook part (OSError), a truncated
    or oddly compressed member (EOFError, zlib.error, BadZipFile,
    NotImplementedError) and its own InvalidFileException. Only calls into
    openpyxl are wrapped with these, so that a bug of ours surfaces as itself.
    """
    from openpyxl.utils.exceptions import InvalidFileException  # openpyxl is loaded only for an XLSX

    return (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        OSError,
        KeyError,
        TypeError,
        ValueError,
        SyntaxError,
    )


def open_workbook(src: Source) -> Workbook:
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
    except openpyxl_failures() as e:
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
        except OSError:  # closing the archive of a damaged read-only workbook can fail too; nothing to recover
            pass


def _sheet_records(ws: ReadOnlyWorksheet, name: str) -> list[list[Cell]]:
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
    except DataError:  # a ValueError too: not a failure of openpyxl's
        raise
    except openpyxl_failures() as e:  # damaged sheet XML: the loop itself only appends rows
        raise DataError(f"{name}: sheet {ws.title!r} cannot be read ({type(e).__name__}: {e})", source=name) from None
    return records


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')

_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>(.*?)</f>", re.S)


def _unsaved_formulas(src: Source, ws: ReadOnlyWorksheet, records: list[list[Cell]]) -> list[tuple[int, int]]:
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
