"""Tables written for spreadsheets, safe against formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice and Google Sheets when a CSV
is opened (``=HYPERLINK(...)``, ``=cmd|...``): a ticket summary typed by
anyone can become code on the consultant's laptop. :func:`safe_table_export`
writes CSV or XLSX with such text prefixed by a single quote (the OWASP
advice), in the header and index too, while real numbers -- negative ones
included -- stay numbers.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> table = pd.DataFrame({"summary": ["=1+1", "fine", "-2 users", "@SUM(A1)"], "saving": [-120.5, 3.0, 0.0, 1.0]})
>>> neutralise_frame(table)["summary"].tolist()
["'=1+1", 'fine', "'-2 users", "'@SUM(A1)"]
>>> path = safe_table_export(table, pathlib.Path(tempfile.mkdtemp()) / "table.csv")
>>> path.read_text(encoding="utf-8-sig").splitlines()[1]
"'=1+1,-120.5"
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import atomic_path

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_frame", "safe_table_export"]

#: Characters that make a spreadsheet treat a cell's text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
# Characters XLSX (XML 1.0) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LEADING_CONTROL = re.compile(r"^[\x00-\x08\x0b\x0c\x0e-\x1f]+")


def neutralise(value: object) -> object:
    """One cell made safe: text that a spreadsheet would run as a formula gets a leading ``'``.

    Text that is just a number (``"-5"``, ``"+3.2"``) is left alone: a
    spreadsheet reads it as that number, not as a formula. Control
    characters in front (``"\\x00=1"``) do not hide a formula: XLSX drops
    them, and so may the program that opens a CSV.
    """
    if not isinstance(value, str):
        return value
    bare = _LEADING_CONTROL.sub("", value)
    if bare.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(bare):
        return "'" + value
    return value


def _neutralise_labels(index: pd.Index) -> pd.Index:
    """An index (or the columns) with every text label and name neutralised, each level of a MultiIndex too."""
    names = [neutralise(n) if isinstance(n, str) else n for n in index.names]
    if isinstance(index, pd.MultiIndex):
        if len(index) == 0:
            return index.set_names(names)
        return pd.MultiIndex.from_tuples([tuple(map(neutralise, t)) for t in index], names=names)
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype) or isinstance(index, pd.CategoricalIndex):
        index = pd.Index([neutralise(v) for v in index], dtype=object)
    return index.set_names(names)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell, column name and index label neutralised."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype) or isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(neutralise)
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = _neutralise_labels(out.columns)
    else:
        out.columns = [neutralise(str(c)) if not isinstance(c, str) else neutralise(c) for c in out.columns]
    out.index = _neutralise_labels(out.index)
    if out.index.name is not None:
        out.index.name = neutralise(str(out.index.name))
    return out


def safe_table_export(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False, sheet_name: str = "table"
) -> Path:
    """Write ``frame`` to ``path`` (``.csv`` or ``.xlsx``) with formula injection neutralised.

    CSV is written as UTF-8 with a byte-order mark, so that Excel opens
    accented text correctly, with Windows line ends. In XLSX every text cell is stored as a string
    (never a formula), time zones are dropped (Excel has none) and characters
    XML cannot hold are removed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"{path.name}: expected a .csv or .xlsx file name")
    safe = neutralise_frame(frame)
    with atomic_path(path) as tmp:  # whole or not at all: a kill mid-save leaves the previous file
        if suffix == ".csv":
            # CRLF line ends: the csv writer then quotes any cell holding a \r or \n, so none splits a row.
            safe.to_csv(tmp, index=index, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            _write_xlsx(safe, tmp, index=index, sheet_name=sheet_name)
    return path


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):  # an aware one as its wall time: a spreadsheet has no zones
        return pd.Timestamp(value).tz_localize(None).to_pydatetime()
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    if isinstance(value, (int, float, bool)):
        return value
    return _ILLEGAL_XML.sub("", str(value))


def _write_xlsx(frame: pd.DataFrame, path: Path, *, index: bool, sheet_name: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_ILLEGAL_XML.sub("", sheet_name)[:31] or "table")
    bold = Font(bold=True)
    header = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    cells = []
    for h in header:
        c = WriteOnlyCell(ws, value=_cell(h))
        c.font = bold
        c.data_type = "s"
        cells.append(c)
    ws.append(cells)
    values = frame.to_numpy(dtype=object)
    labels = frame.index.to_numpy(dtype=object)
    for label, row in zip(labels, values):
        out = []
        for v in ([label] if index else []) + list(row):
            c = WriteOnlyCell(ws, value=_cell(v))
            if isinstance(c.value, str):
                c.data_type = "s"  # text is text: never let it become a formula
            out.append(c)
        ws.append(out)
    wb.save(path)
