"""Blank markers: the values exports write where a cell is empty, read as blanks and counted.

Helpdesks and spreadsheets fill empty cells with a marker rather than
nothing: ServiceNow's ``?``, a dash, ``N/A``, ``null``/``None`` from a
database dump, Excel's ``(blank)``, and in date columns Excel's zero date
(``1899-12-30``, ``1900-01-00``, ``1900-01-01``, or the serial number 0) --
Zendesk writes ``1900-01-01 00:00:00`` in "Solved at" for every ticket not
yet solved. :func:`clear_markers` turns them into blanks in a loader's
optional columns and says, per column and marker, how many rows it did so
for: an open ticket is still a ticket (it counts in incident rates) and is
left out only of what needs its resolution.

Examples
--------
>>> cleared, found = blank_markers(["2024-01-02", "?", "1900-01-01 00:00:00", "N/A", ""], dates=True)
>>> cleared, found
(['2024-01-02', '', '', '', ''], {'?': 1, '1900-01-01 00:00:00': 1, 'N/A': 1})
>>> blank_markers([0, 2.5, None], dates=True, zero=True)
([None, 2.5, None], {'0': 1})
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .cells import Cell, _all_str

if TYPE_CHECKING:  # for annotations only: tables.py does not import this module
    from .tables import Table

__all__ = ["BLANK_MARKERS", "blank_markers", "clear_markers"]

#: Texts that mean "nothing here" (compared stripped and in lower case).
BLANK_MARKERS = frozenset({"?", "-", "--", "n/a", "na", "#n/a", "null", "none", "nil", "(blank)", "(empty)", "(none)"})

# Excel's day zero and its neighbours, as text, optionally with a midnight time: a blank date cell written out.
_ZERO_DATE = re.compile(r"^(?:1899-12-3[01]|1900-01-0[01]|0000-00-00)(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_ZERO_DAYS = {dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1)}


def _is_marker(v: Cell, dates: bool, zero: bool = False) -> bool:
    if isinstance(v, str):
        t = v.strip()
        return t.lower() in BLANK_MARKERS or (dates and bool(_ZERO_DATE.match(t))) or (zero and t == "0")
    if not dates or isinstance(v, bool):
        return False
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date() in _ZERO_DAYS and v.hour == v.minute == v.second == 0
    if isinstance(v, dt.date):
        return v in _ZERO_DAYS
    return zero and isinstance(v, (int, float)) and v == 0  # serial 0: an empty date cell formatted as a number


def _label(v: Cell) -> str:
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return f"{v:%Y-%m-%d}"
    return v.strip() if isinstance(v, str) else str(v)


def blank_markers(values: Sequence[Cell], *, dates: bool, zero: bool = False) -> tuple[list[Cell], dict[str, int]]:
    """The column with its blank markers made blank, and how many of each marker (as written) it had.

    ``dates`` adds Excel's zero dates, ``zero`` the serial number 0 (not in a
    column that may hold durations, where 0 is a real value). Text columns
    keep text (a marker becomes ``""``), so the parsers' fast path for text still applies.
    """
    cleared, found, _mask = _markers(values, dates, zero)
    return cleared, found


def _markers(values: Sequence[Cell], dates: bool, zero: bool) -> tuple[list[Cell], dict[str, int], np.ndarray]:
    """:func:`blank_markers`, with the mask of the cells that held a marker."""
    column = pd.Series(values, dtype=object)
    uniq = pd.unique(column)
    markers = [v for v in uniq if not (isinstance(v, float) and v != v) and _is_marker(v, dates, zero)]
    if not markers:
        return list(values), {}, np.zeros(len(values), dtype=bool)
    mask = column.isin(markers).to_numpy()
    found: dict[str, int] = {}
    for v, count in column[mask].value_counts(sort=False).items():
        found[_label(v)] = found.get(_label(v), 0) + int(count)
    cleared = column.where(~mask, "" if _all_str(values) else None).tolist()
    return cleared, found, mask


def _cause(marker: str) -> str:
    if marker[:4] in ("1899", "1900", "0000") or marker == "0":
        return "Excel's blank date?"
    if marker == "?":
        return "the export's mark for an empty field?"
    return "a mark for an empty cell?"


def clear_markers(
    table: Table, columns: Iterable[str], dates: Iterable[str], warnings: list[str], zero: Iterable[str] = ()
) -> None:
    """Make blank the markers of ``table``'s ``columns`` (``dates``: those that may hold dates), one warning per kind.

    ``zero`` names the date columns where the number 0 is Excel's serial 0.

    Each warning gives the exact count, the first rows, the likely cause and
    what to pass if the marker means something else.
    """
    date_cols, zero_cols = set(dates), set(zero)
    for col in columns:
        if col not in table.values:
            continue
        raw = table.values[col]
        cleared, found, mask = _markers(raw, col in date_cols, col in zero_cols)
        if not found:
            continue
        table.values[col] = cleared
        label = table.mapping.labels[col]
        positions = np.flatnonzero(mask)
        labels = [_label(raw[p]) for p in positions]
        for marker, count in found.items():
            rows = [int(table.numbers[p]) for p, lab in zip(positions, labels) if lab == marker][:3]
            shown_rows = ", ".join(map(str, rows)) + (", ..." if count > len(rows) else "")
            effect = " (such tickets count as open: in the rates, not in resolution times)" if col == "resolved" else ""
            warnings.append(
                f"{count:,} row{'s' if count != 1 else ''}: {label!r} is {marker!r} -- {_cause(marker)} "
                f"Treated as blank{effect} (rows {shown_rows}). If it means something else, fix the file or "
                f"pass column_map={{{label!r}: None}} to ignore the column."
            )
