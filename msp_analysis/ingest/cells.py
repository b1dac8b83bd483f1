"""One raw cell at a time: blank or not, as text, yes/no, a whole count, and as a message shows it.

A cell is what a grid holds (see :mod:`.grid`): a string from a CSV, or the
native value openpyxl gives for an XLSX cell (a number, datetime, time,
timedelta or boolean). The parsers here, like those of :mod:`.dates`,
:mod:`.durations` and :mod:`.money`, take a whole column of such cells and
return arrays plus a ``bad`` mask of the non-blank cells they could not read,
so that a loader can name every offending cell.

Examples
--------
>>> blank_mask(["", " ", None, "x", 0]).tolist()
[True, True, True, False, False]
>>> flags, bad = parse_booleans(["Yes", "remote", "On-site", "maybe"])
>>> flags.tolist(), bad.tolist()
([True, False, True, <NA>], [False, False, False, True])
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .columns import normalise_name

__all__ = ["blank_mask", "cell_is_blank", "parse_booleans", "parse_counts", "parse_texts", "shown"]

#: One raw cell: a str from a CSV, or what openpyxl gives for an XLSX cell (a number, bool, datetime, date,
#: time or timedelta) or None. Any, not object: the parsers branch on a cell's type at run time.
Cell: TypeAlias = Any

# Day zero of Excel's serial dates and times (1900 date system): an XLSX cell of dates or durations counts from it.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


# ---------------------------------------------------------------------------
# Blank cells
# ---------------------------------------------------------------------------


def _all_str(values: Sequence[Cell]) -> bool:
    """Every value a str (a CSV column): the parsers then take their fast, vectorised path."""
    return set(map(type, values)) <= {str}


def cell_is_blank(v: Cell) -> bool:
    """An empty cell: None, NaN, or a string of nothing but whitespace."""
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def blank_mask(values: Sequence[Cell]) -> np.ndarray:
    """:func:`cell_is_blank` over a column, as a boolean array."""
    if _all_str(values):
        return np.fromiter((not v.strip() for v in values), dtype=bool, count=len(values))
    return np.array([cell_is_blank(v) for v in values], dtype=bool)


# ---------------------------------------------------------------------------
# Text, yes/no and counts
# ---------------------------------------------------------------------------


def parse_texts(values: Sequence[Cell]) -> pd.Series:
    """Raw values as stripped strings (None when blank); numbers as they would print."""
    if _all_str(values):
        return pd.Series([v.strip() or None for v in values], dtype=object)
    out: list[str | None] = []
    for v in values:
        if cell_is_blank(v):
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


_TRUE = {
    "yes", "y", "true", "t", "1", "x", "on site", "onsite", "on", "site", "visit", "field", "in person",
    "site visit", "onsite visit", "on site visit", "after hours", "out of hours", "ooh", "checked", "ja", "oui",
}  # fmt: skip

_FALSE = {
    "no", "n", "false", "f", "0", "remote", "off site", "offsite", "phone", "email", "e mail", "chat",
    "in house", "inhouse", "remote support", "business hours", "off", "unchecked", "nein", "non", "none", "-",
}  # fmt: skip


def parse_booleans(values: Sequence[Cell]) -> tuple[pd.Series, np.ndarray]:
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
        if cell_is_blank(v):
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


def parse_counts(values: Sequence[Cell], low: int = 0, high: int = 10_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers in ``[low, high]`` (``1,234`` accepted); NaN where blank; ``bad`` otherwise."""
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    for i, v in enumerate(values):
        if cell_is_blank(v):
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
# A cell as messages show it
# ---------------------------------------------------------------------------

_SURROGATE = re.compile("[\udc80-\udcff]")


def shown(v: Cell) -> Cell:
    """A cell value as messages and the set-aside table show it (numpy scalars as Python, bad bytes as \\xNN)."""
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, str):
        return _show_bytes(v) if _SURROGATE.search(v) else v
    return v


def _show_bytes(text: str) -> str:
    """A cell with undecodable bytes, shown with the bytes as \\xNN."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def _short(v: Cell, n: int = 60) -> Cell:
    if isinstance(v, str) and len(v) > n:
        return v[: n - 3] + "..."
    return v


def _quoted(v: Cell) -> str:
    """A cell's value in a message: text in quotes, the native values of an XLSX cell as a person writes them."""
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return f"{v:%Y-%m-%d %H:%M:%S}" if v.second or v.microsecond else f"{v:%Y-%m-%d %H:%M}"
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (dt.timedelta, pd.Timedelta)):
        return str(v)
    return repr(_short(v))
