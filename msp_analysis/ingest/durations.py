"""Durations: technician work and response times as hours, whatever the export wrote.

``1.5`` (in the column's unit), ``90 min``, ``1:30``, ``1h 30m``, ``2 days``,
Excel's ``[h]:mm`` cells (times, timedeltas, or datetimes in 1899/1900) all
become float hours; see :func:`parse_durations`.

Examples
--------
>>> hours, bad = parse_durations(["1.5", "90 min", "1:30", "soon"])
>>> hours[:3].tolist(), bad.tolist()
([1.5, 1.5, 1.5], [False, False, False, True])
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .cells import _EXCEL_EPOCH, Cell, _all_str, cell_is_blank

__all__ = ["parse_durations", "without_grouping"]

_UNIT_HOURS = {"hours": 1.0, "minutes": 1 / 60, "seconds": 1 / 3600, "days": 24.0}

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


_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def without_grouping(texts: pd.Series) -> pd.Series:
    """Texts with the thousands commas of a number such as ``"3,600"`` or ``"1,800.5"`` taken out.

    Only for a column in seconds or minutes: there ``"3,600"`` is 3,600 (a
    decimal comma with three decimals of a second is no one's habit); in
    hours it could be 3.6, and is left for the duration rules.

    Examples
    --------
    >>> without_grouping(pd.Series(["3,600", "1,800.5", "3,6", "12,5000", 5400.0])).tolist()
    ['3600', '1800.5', '3,6', '12,5000', 5400.0]
    """
    # element by element: an Excel column mixes numbers and texts, and .str refuses a column of numbers
    return texts.map(lambda v: v.replace(",", "") if isinstance(v, str) and _GROUPED.match(v) else v)


def parse_durations(values: Sequence[Cell], unit: str = "hours") -> tuple[np.ndarray, np.ndarray]:
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
    str_idx: list[int] = []
    str_vals: list[str] = []
    if _all_str(values):
        stripped = pd.Series([v.strip() for v in values], dtype=object)
        str_idx = np.flatnonzero((stripped != "").to_numpy()).tolist()
        str_vals = stripped.iloc[str_idx].tolist()
        values = ()
    for i, v in enumerate(values):
        if cell_is_blank(v):
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
        if factor < 1:  # minutes, seconds: Jira's "3,600" seconds re-saved with a thousands separator
            s = without_grouping(s)
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
