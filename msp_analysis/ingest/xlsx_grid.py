"""Reading an XLSX into grids: the zip-bomb checks, each sheet's rows, and formulas that have no saved value.

:func:`open_workbook` opens the bytes with openpyxl (read-only, cached
values) after refusing a damaged zip or one that would inflate beyond
:data:`MAX_UNZIPPED_BYTES`; :func:`_xlsx_grids` looks at every sheet's first
rows for the header a loader needs (refusing a workbook where no sheet has it
before any sheet is read whole), reads the sheets that have it, each no
longer than :data:`MAX_SHEET_ROWS`, and marks cells that hold a formula but
no value (a workbook written by a program, never saved by Excel).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DataError
from .cells import Cell
from .grid import _HEADER_SCAN_ROWS, MAX_COLUMNS, Grid, _records_frame
from .sources import Source

if TYPE_CHECKING:  # openpyxl itself is imported when an XLSX is read (a CSV-only user does not pay for it)
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

__all__ = ["MAX_PART_BYTES", "MAX_SHEET_ROWS", "MAX_UNZIPPED_BYTES", "MAX_ZIP_RATIO", "open_workbook"]

#: An XLSX is a zip: refuse one whose parts together would inflate beyond this (a "zip bomb"). A helpdesk
#: export of a million tickets is about 300 MB of XML.
MAX_UNZIPPED_BYTES = 1 * 2**30

#: No single part (a sheet's XML) may inflate beyond this either.
MAX_PART_BYTES = 512 * 2**20

#: Real sheets deflate 5 to 20 times: a part over :data:`RATIO_FLOOR_BYTES`, or the parts together, inflating
#: this many times or more are a zip bomb (many parts each just under a per-part check add up).
MAX_ZIP_RATIO = 100

#: Parts smaller than this are not held to :data:`MAX_ZIP_RATIO` (a small styles part may deflate far better).
RATIO_FLOOR_BYTES = 2**20

#: Excel's own limit: a sheet with more rows was not written by Excel, and would take minutes to read.
MAX_SHEET_ROWS = 1_048_576


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


def _check_sizes(name: str, parts: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip that would inflate too far, in total or in one part, or too many times over.

    The sizes are those the zip declares; :mod:`zipfile` never inflates a part
    beyond its declared size (and fails on a part whose data says otherwise),
    so they bound what openpyxl can be made to read.
    """
    unzipped = sum(i.file_size for i in parts)
    packed = sum(i.compress_size for i in parts)
    how = "refusing to open it (a zip bomb?); if it is a real workbook, export it as CSV"
    if unzipped > MAX_UNZIPPED_BYTES:
        raise DataError(
            f"{name}: would unpack to {unzipped / 2**20:,.0f} MiB, more than MAX_UNZIPPED_BYTES "
            f"({MAX_UNZIPPED_BYTES / 2**20:,.0f} MiB); {how}",
            source=name,
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_PART_BYTES or (part.file_size > RATIO_FLOOR_BYTES and ratio >= MAX_ZIP_RATIO):
            raise DataError(
                f"{name}: its part {part.filename[:100]!r} would inflate {ratio:,.0f} times "
                f"({part.compress_size / 2**10:,.0f} KB to {part.file_size / 2**20:,.0f} MiB; the limits are "
                f"MAX_PART_BYTES {MAX_PART_BYTES / 2**20:,.0f} MiB and MAX_ZIP_RATIO {MAX_ZIP_RATIO}); a workbook "
                f"Excel writes inflates 5 to 20 times; {how}",
                source=name,
            )
    if unzipped > 16 * RATIO_FLOOR_BYTES and unzipped >= MAX_ZIP_RATIO * max(packed, 1):
        raise DataError(
            f"{name}: its {len(parts):,} parts would inflate {unzipped / max(packed, 1):,.0f} times together "
            f"({packed / 2**10:,.0f} KB to {unzipped / 2**20:,.0f} MiB), MAX_ZIP_RATIO is {MAX_ZIP_RATIO}; a "
            f"workbook Excel writes inflates 5 to 20 times; {how}",
            source=name,
        )


#: How far into a sheet's XML its <dimension> is looked for, before <sheetData> (Excel writes it in the first bytes).
_DIMENSION_SCAN_BYTES = 2**16
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s>/]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension[\s/>]")


def _declare_dimensions(data: bytes, parts: list[zipfile.ZipInfo]) -> bytes:
    """The workbook's bytes with a placeholder ``<dimension ref="A1"/>`` in each sheet that declares none.

    openpyxl sizes every read-only sheet as the workbook opens, from the
    ``<dimension>`` Excel writes first; a sheet without one (another tool's,
    or a hand-made one) it parses to its end for that -- 6 s for 150,000 rows
    -- before a loader has looked at a single header. The size is never used
    here (``reset_dimensions`` before every read), so a placeholder is put just
    before ``<sheetData>``; every part is streamed (zlib's speed, constant
    memory), and nothing is rewritten when every sheet has its dimension.
    """
    sheets = [p for p in parts if p.filename.startswith("xl/worksheets/") and p.filename.endswith(".xml")]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        missing: dict[str, tuple[int, bytes]] = {}
        for part in sheets:
            with z.open(part) as f:
                head = f.read(_DIMENSION_SCAN_BYTES)
            m = _SHEET_DATA.search(head)
            if m is not None and not _DIMENSION.search(head, 0, m.start()):
                missing[part.filename] = (m.start(), m.group(1) or b"")
        if not missing:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as w:
            for part in parts:
                if part.is_dir():  # a folder entry: nothing for openpyxl to read
                    continue
                with z.open(part) as f, w.open(part.filename, "w", force_zip64=part.file_size > 2**30) as g:
                    if part.filename in missing:
                        at, prefix = missing[part.filename]
                        g.write(f.read(at) + b"<" + prefix + b'dimension ref="A1"/>')
                    while chunk := f.read(2**20):
                        g.write(chunk)
        return out.getvalue()


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
    _check_sizes(src.name, parts)
    try:
        data = _declare_dimensions(src.data, parts)
    # a part that will not inflate, or is encrypted (zipfile's RuntimeError: a password is needed)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        raise DataError(f"{src.name}: is a damaged XLSX workbook ({e})", source=src.name) from None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except openpyxl_failures() as e:
        raise DataError(
            f"{src.name}: cannot be read as an XLSX workbook ({type(e).__name__}: {e})", source=src.name
        ) from None


#: Rows of a sheet looked at for a header before any sheet is read whole: the header may sit below
#: titles and blank rows, but a loader only ever looks for it among the first non-blank rows.
HEAD_MAX_ROWS = 1_000


def _head_records(ws: ReadOnlyWorksheet, name: str, nonblank: int, header_row: int | None) -> list[list[Cell]]:
    """The first rows of a sheet, streamed: up to ``nonblank`` non-blank ones (or to ``header_row``).

    Never more than :data:`HEAD_MAX_ROWS` rows (or ``header_row``) and
    :data:`.grid.MAX_COLUMNS` columns: the rest of the sheet is not parsed.
    """
    ws.reset_dimensions()
    last = max(HEAD_MAX_ROWS, header_row or 0)
    records: list[list[Cell]] = []
    seen = 0
    try:
        for row in ws.iter_rows(min_row=1, max_row=last, values_only=True):
            records.append(list(row[:MAX_COLUMNS]))
            seen += any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row)
            if seen >= nonblank and len(records) >= (header_row or 0):
                break
    except openpyxl_failures() as e:  # damaged sheet XML, as in _sheet_records
        raise DataError(f"{name}: sheet {ws.title!r} cannot be read ({type(e).__name__}: {e})", source=name) from None
    return records


def _xlsx_grids(
    src: Source,
    sheet: str | int | None,
    accept: Callable[[Grid], bool] | None = None,
    *,
    header_row: int | None = None,
) -> Iterator[Grid]:
    """One grid per worksheet asked for (all worksheets when ``sheet`` is None), each read when asked for.

    Lazy: the loader stops at the first sheet with the header it needs, so the
    sheets after it are never read. With ``accept`` (whether a grid of a
    sheet's first rows holds the header the loader needs), every sheet's first
    rows are looked at before any sheet is read whole: only sheets whose first
    rows pass are read, and when none does the grids of those first rows are
    all that is given, for the loader to say what is missing -- a 150,000-row
    sheet of the wrong columns is refused after reading a few rows of it.
    """
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
        if accept is not None:
            heads = [_head_grid(src.name, ws, names, header_row) for ws in chosen]
            passed = [g is None or accept(g) for g in heads]
            if not any(passed):
                yield from (g for g in heads if g is not None)  # no sheet read whole: the loader names what is missing
                return
            chosen = [ws for ws, ok in zip(chosen, passed) if ok]
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
            yield grid
    finally:
        try:
            wb.close()
        except OSError:  # closing the archive of a damaged read-only workbook can fail too; nothing to recover
            pass


def _head_grid(name: str, ws: ReadOnlyWorksheet, names: tuple[str, ...], header_row: int | None) -> Grid | None:
    """A grid of a sheet's first rows (:func:`_head_records`), noted as such; None if they cannot be laid out.

    A stray far cell among the first rows (a table of 20 rows by 16,384
    columns) is for the whole sheet's reading to refuse, with the sheet's own
    row count in its message: None says "read it".
    """
    records = _head_records(ws, name, _HEADER_SCAN_ROWS, header_row)
    try:
        frame = _records_frame(records, f"{name}, sheet {ws.title!r}", "XLSX")
    except DataError:
        return None
    grid = Grid(name, "XLSX", frame, np.arange(1, len(records) + 1), sheet=ws.title, sheets=names)
    grid.notes.append("first rows only")
    return grid


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

_SAVED_VALUE = re.compile(rb"<v>([^<]+)</v>")

# The tags the scan needs: a cell opening (a space, tab or line end may follow "<c": all valid XML), a
# formula opening, and a cell closing. One pass over the sheet finds them all.
_CELL_TAGS = re.compile(rb"<c[\s>]|<f[\s>/]|</c>")


def _formula_cells(xml: bytes) -> list[tuple[int, int]]:
    """(start, end) of each ``<c ...>...</c>`` that holds an ``<f``, in one pass over the sheet's XML.

    Linear in the size of the XML whatever its cells look like: each tag is
    visited once, and each cell's text is sliced once (cells do not overlap).
    A search back from each formula for its cell's start would be quadratic
    when the cells are written ``<c\tr=...>`` and the search runs to the top.
    """
    cells = []
    start, formula = -1, False
    for m in _CELL_TAGS.finditer(xml):
        tag = m.group()
        if tag.startswith(b"<c"):
            start, formula = m.start(), False
        elif tag.startswith(b"<f"):
            formula = start != -1
        else:
            if formula:
                cells.append((start, m.end()))
            start, formula = -1, False
    return cells


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
    for start, end in _formula_cells(xml):
        cell = xml[start:end]
        ref = _CELL_REF.search(cell[: cell.find(b">") + 1])
        if ref is None or _SAVED_VALUE.search(cell) is not None:
            continue
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
    return found
