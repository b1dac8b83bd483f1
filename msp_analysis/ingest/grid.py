"""A grid: every record of a CSV or of one sheet, as raw cells, with its row number in the file.

:mod:`.csv_grid` and :mod:`.xlsx_grid` make grids; :mod:`.tables` finds the
header in one. Records of unequal length are padded into a rectangle by
:func:`_records_frame`, which refuses a table that would be mostly padding
(:data:`MAX_PADDED_CELLS`) or wider than a spreadsheet (:data:`MAX_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from .cells import Cell, shown
from .columns import _col_letter

__all__ = ["MAX_COLUMNS", "MAX_PADDED_CELLS", "Grid"]

#: A table this large (rows x columns) is refused when it would be mostly padding: a stray cell in
#: column XFD, or one CSV line of a million separators, must not turn a small file into billions of cells.
MAX_PADDED_CELLS = 10_000_000

#: Excel's own limit (column XFD): a record wider than this is no spreadsheet's table, and a CSV line of
#: millions of separators would take minutes to lay out as columns.
MAX_COLUMNS = 16_384

_HEADER_SCAN_ROWS = 20  # a header may sit below a title line or two


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


def _where(grid: Grid) -> str:
    return f"{grid.name}, sheet {grid.sheet!r}" if grid.sheet is not None else grid.name


def _records_frame(records: Sequence[Sequence[Cell]], where: str = "table", kind: str = "DataFrame") -> pd.DataFrame:
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
    _check_widths(lengths, where, kind, lambda k: shown(records[k][-1]))
    padded = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in records]
    frame = pd.DataFrame(padded, dtype=object)
    frame.columns = range(width)
    return frame


def _check_widths(lengths: np.ndarray, where: str, kind: str, last_cell: Callable[[int], object]) -> None:
    """Refuse records too wide to lay out (see :func:`_records_frame`), from their lengths alone.

    :mod:`.csv_grid` calls it before either CSV reader builds anything.
    """
    width = int(lengths.max())
    cells = lengths.size * width
    usual = int(np.median(lengths))
    if cells > MAX_PADDED_CELLS and width > 20 * max(usual, 1):
        k = int(lengths.argmax())
        if kind == "XLSX":
            what = f"cell {_col_letter(width - 1)}{k + 1} holds {last_cell(k)!r}"
        else:
            what = f"row {k + 1} has {width:,} fields"
        raise DataError(
            f"{where}: {what}, so the table would be {lengths.size:,} rows by {width:,} columns "
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


def _frame_grid(frame: pd.DataFrame, name: str | None) -> Grid:
    records = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).to_numpy().tolist()]
    return Grid(name or "table", "DataFrame", _records_frame(records), np.arange(1, len(records) + 1))
