"""Tables: a file read into its data rows under a found header, with a loader's columns mapped.

Every client file -- a helpdesk export (:mod:`.tickets`), an invoice list
(:mod:`.invoices`), an MSP quote (:mod:`.quotes`) -- is read the same way,
and :func:`read_table` is that way:

1. **Source** (:mod:`.sources`): a path, bytes, a file-like object, an
   ``ipywidgets.FileUpload`` value or a DataFrame, with a size cap, and
   what the bytes really are.
2. **Grid**: every record of a CSV (:mod:`.csv_grid`) or of each sheet of a
   workbook (:mod:`.xlsx_grid`), with its row number *as the file numbers it*.
3. **Table** (here): the header found (below title rows, on the first sheet
   that has the required columns), columns matched to a loader's
   :class:`~.columns.ColumnSpec` aliases or to an explicit ``column_map``
   (:mod:`.columns`).
4. **Problems** (:mod:`.problems`): each check adds the offending cells;
   :func:`~.problems.finish` raises one :class:`~msp_analysis.DataError`
   listing them all, or, when lenient, sets the rows aside in a
   :class:`~.problems.LoadReport`.

The value parsers a loader applies between steps 3 and 4 live in
:mod:`.cells`, :mod:`.dates`, :mod:`.durations` and :mod:`.money`. Files are
only ever *read*: nothing is evaluated or unpickled.

Examples
--------
>>> from msp_analysis.ingest.columns import ColumnSpec, aliases
>>> specs = (ColumnSpec("when", "date", True, aliases("date|when"), "a date"),)
>>> table, problems = read_table(b"Title\\n\\nDate,Note\\n2024-01-02,x\\n", specs, name="t.csv")
>>> table.header_number, table.mapping.labels, table.numbers.tolist()
(3, {'when': 'Date'}, [4])
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .cells import Cell, _show_bytes, cell_is_blank, parse_texts, shown
from .columns import (
    ColumnMapping,
    ColumnSpec,
    _col_letter,
    _match_columns,
    _required_missing,
    normalise_name,
    suggest_column_map,
)
from .csv_grid import _csv_grids
from .grid import _HEADER_SCAN_ROWS, Grid, _frame_grid, _where
from .problems import Problems
from .sources import MAX_BYTES, _not_text, read_source, sniff
from .xlsx_grid import _xlsx_grids

__all__ = ["Table", "read_table"]


def _grids(
    source: Any,
    *,
    name: str | None,
    sheet: str | int | None,
    encoding: str | None,
    delimiter: str | None,
    max_bytes: int,
    accept: Callable[[Grid], bool] | None = None,
    header_row: int | None = None,
) -> Iterable[Grid]:
    """The grids to look for a header in: by the file's name and what its bytes are (CSV, XLSX, a DataFrame).

    ``accept`` tells a workbook's sheets with the header needed from their
    first rows, before any is read whole (:func:`.xlsx_grid._xlsx_grids`).
    """
    src = read_source(source, name, max_bytes)
    if isinstance(src, pd.DataFrame):
        return [_frame_grid(src, name)]
    if not src.data.strip():
        raise DataError(f"{src.name}: the file is empty", source=src.name)
    what = sniff(src.data)
    suffix = src.suffix
    if suffix in (".xlsx", ".xlsm"):
        if what == "xlsx":
            return _xlsx_grids(src, sheet, accept, header_row=header_row)
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
                return _xlsx_grids(src, sheet, accept, header_row=header_row)
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
# The header: found below any title rows, its columns matched
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


def _header_label(v: Cell, j: int) -> str:
    if cell_is_blank(v):
        return f"(column {_col_letter(j)})"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return shown(str(v).strip())  # undecodable bytes as \xNN, as in every message


def _pick_header(
    grid: Grid,
    specs: Sequence[ColumnSpec],
    column_map: Mapping[str, str | None] | None,
    header_row: int | None,
    nonblank: np.ndarray,
) -> tuple[int, ColumnMapping, list[str]]:
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
    assert first_result is not None, "a grid with a non-blank row has a header candidate"
    return first_result


def _header_of(grid: Grid, i: int) -> list[str]:
    values = grid.frame.iloc[i].tolist()
    if grid.lengths is not None:
        values = values[: grid.lengths[i]]
    return [_header_label(v, j) for j, v in enumerate(values)]


_SHOWN_BYTE = re.compile(r"\\x[89a-f][0-9a-f]")  # an undecodable byte as messages show it


def _known(specs: Sequence[ColumnSpec]) -> set[str]:
    return {a for s in specs for a in s.aliases}


def _missing_message(
    grid: Grid, header: list[str], missing: list[ColumnSpec], problems: list[str], specs: Sequence[ColumnSpec]
) -> str:
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
    close = suggest_column_map(header, missing, [h for h in header if normalise_name(h) in _known(specs)])
    for file_col, canon in close.items():
        lines.append(f"  {file_col!r} looks like {canon!r}.")
    ready = {**close, **{f"<your column for {s.name}>": s.name for s in missing if s.name not in close.values()}}
    lines.append(f"Name the columns explicitly with column_map={ready!r}.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


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

    def row(self, pos: int) -> list[Cell]:
        return self.data.iloc[int(pos)].tolist()

    def text(self, column: str) -> pd.arrays.StringArray:
        """A text column as stripped strings (``<NA>`` where blank, or everywhere if the file lacks it)."""
        if column not in self.values:
            return pd.array([pd.NA] * len(self.data), dtype="string")
        return pd.array(parse_texts(self.values[column]), dtype="string")


def read_table(
    source: Any,
    specs: Sequence[ColumnSpec],
    *,
    name: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    column_map: Mapping[str, str | None] | None = None,
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
    grids = _grids(
        source,
        name=name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        max_bytes=max_bytes,
        accept=functools.partial(_has_header, specs=specs, column_map=column_map, header_row=header_row),
        header_row=header_row,
    )
    grid, i, mapping, cell_blank = _header_grid(grids, specs, column_map, header_row, sheet)
    header = _header_of(grid, i)
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
    # the data row (position in ``data``) of each record of the grid; -1 for the header, blank rows and above
    position = np.full(len(grid.frame), -1)
    position[i + 1 :][keep] = np.arange(keep.sum())
    _formula_problems(problems, grid, position, data)
    if grid.lengths is not None:
        extra_filled = (
            ~body_blank[keep][:, width:].all(axis=1) if body_blank.shape[1] > width else np.zeros(keep.sum(), bool)
        )
        _ragged_problems(problems, grid.lengths[i + 1 :][keep], width, np.asarray(extra_filled))
    _encoding_problems(problems, grid, position, data)
    values = {c: data[j].tolist() for c, j in mapping.columns.items()}
    return Table(grid, header, int(grid.numbers[i]), mapping, values, data, numbers, int(row_blank.sum())), problems


def _has_header(
    grid: Grid,
    *,
    specs: Sequence[ColumnSpec],
    column_map: Mapping[str, str | None] | None,
    header_row: int | None,
) -> bool:
    """Whether ``grid`` (a sheet's first rows) has a header with every required column, as :func:`_header_grid` asks."""
    cell_blank = _blank_cells(grid.frame)
    nonblank = np.flatnonzero(~cell_blank.all(axis=1)) if cell_blank.size else np.empty(0, dtype=int)
    if nonblank.size == 0:
        return False
    try:
        _i, mapping, problems = _pick_header(grid, specs, column_map, header_row, nonblank)
    except DataError:  # no such header_row in these rows: the full reading says so
        return False
    return not _required_missing(mapping, specs) and not problems


def _header_grid(
    grids: Iterable[Grid],
    specs: Sequence[ColumnSpec],
    column_map: Mapping[str, str | None] | None,
    header_row: int | None,
    sheet: str | int | None,
) -> tuple[Grid, int, ColumnMapping, np.ndarray]:
    """The grid (sheet or CSV reading) whose header has the required columns, the header's record and its mapping.

    Grids are read in turn until one has them (the next sheet, or the CSV
    read with the next separator); without any, the first grid's header
    names what is missing. Also returns the grid's blank-cell mask.
    """
    picked = first = None
    others: list[str] = []  # what the other sheets' headers hold, for the message when none has the columns
    for grid in grids:
        first = first or grid
        cell_blank = _blank_cells(grid.frame)
        nonblank = np.flatnonzero(~cell_blank.all(axis=1)) if cell_blank.size else np.empty(0, dtype=int)
        if nonblank.size == 0:
            continue
        i, mapping, problems = _pick_header(grid, specs, column_map, header_row, nonblank)
        if picked is not None:
            named = [h for h in _header_of(grid, i) if not h.startswith("(column ")]
            shown_ = ", ".join(repr(h) for h in named[:12]) + (
                f", ... ({len(named)} columns)" if len(named) > 12 else ""
            )
            others.append(f"  Sheet {grid.sheet!r}, row {grid.numbers[i]}: {shown_ or 'no named columns'}.")
        if picked is None:
            picked = (grid, i, mapping, problems, cell_blank)
        if not _required_missing(mapping, specs) and not problems:
            picked = (grid, i, mapping, problems, cell_blank)
            break
    if picked is None:
        if first is not None and first.kind == "XLSX":
            where = first.name
            raise DataError(
                f"{where}: every sheet is empty (" + ", ".join(repr(s) for s in first.sheets) + ")", source=where
            )
        where = first.name if first is not None else "table"
        raise DataError(f"{where}: the file is empty", source=where)
    grid, i, mapping, col_problems, cell_blank = picked
    missing = _required_missing(mapping, specs)
    if missing or col_problems:
        if missing:
            msg = _missing_message(grid, _header_of(grid, i), missing, col_problems, specs)
            if grid.kind == "XLSX" and len(grid.sheets) > 1 and sheet is None:
                msg += (
                    "\n  No sheet has them; sheets: " + ", ".join(repr(s) for s in grid.sheets) + " (pass sheet=...)."
                )
                msg += "".join("\n" + o for o in others)
            if "first rows only" in grid.notes:
                msg += "\n  (Each sheet's first rows were looked at for the header; no sheet was read whole.)"
        else:
            msg = f"{_where(grid)}: " + "; ".join(col_problems)
        raise DataError(
            msg,
            problems=[{"row": int(grid.numbers[i]), "column": None, "value": None, "problem": msg}],
            source=grid.name,
        )
    return grid, i, mapping, cell_blank


def _formula_problems(problems: Problems, grid: Grid, position: np.ndarray, data: pd.DataFrame) -> None:
    """Cells of the table that hold a formula with no saved value (an XLSX written by a program)."""
    width = data.shape[1]
    cells = [(int(position[k]), j) for k, j in grid.formula_cells if j < width and position[k] >= 0]
    for j in sorted({j for _, j in cells}):
        ps = np.asarray([p for p, jj in cells if jj == j])
        problems.add(
            ps,
            problems.header[j],
            [data.iat[p, j] for p in ps],
            "is a formula with no saved value (the workbook was written by a program, never saved by Excel)",
            "a value: open the workbook in Excel and save it, or paste the values",
        )


def _ragged_problems(problems: Problems, lengths: np.ndarray, width: int, extra_filled: np.ndarray) -> None:
    """CSV records with fewer fields than the header, or more where the extra fields hold something."""
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


def _encoding_problems(problems: Problems, grid: Grid, position: np.ndarray, data: pd.DataFrame) -> None:
    """Cells of the table holding bytes that are not UTF-8 (kept escaped by the CSV reader), column by column."""
    width = data.shape[1]
    by_col: dict[int, list[int]] = {}
    for k, j in grid.bad_cells:
        if position[k] >= 0 and j < width:
            by_col.setdefault(j, []).append(int(position[k]))
    for j, ps in by_col.items():
        vals = [_show_bytes(data.iat[p, j]) for p in ps]
        problems.add(
            np.asarray(ps),
            problems.header[j],
            vals,
            "contains bytes that are not UTF-8",
            "UTF-8 text (in Excel: Save As > 'CSV UTF-8'); if the file is Windows-1252/Latin-1, pass encoding='cp1252'",
            encoding=True,
        )
