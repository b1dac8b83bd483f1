"""Business time: hours counted Monday to Friday between an opening and a closing hour, no holidays.

A Break/Fix response is waited for in business hours: a ticket logged on
Friday evening and answered on Monday morning cost a weekend of nobody's
time, not 60 hours of downtime. :func:`business_hours_between` measures such
a wait, :func:`add_business_hours` adds one to a time, and
:func:`in_business_hours` says whether a time falls inside
:data:`BUSINESS_HOURS`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["BUSINESS_HOURS", "add_business_hours", "business_hours_between", "in_business_hours"]

#: Opening and closing hour of a business day (Monday-Friday), local time.
BUSINESS_HOURS = (8.0, 17.0)

_EPOCH = np.datetime64("2000-01-03", "D")  # a Monday: business time is counted from here


def _check_hours(business_hours: tuple[float, float]) -> tuple[float, float]:
    start, end = (float(x) for x in business_hours)
    if not 0 <= start < end <= 24:
        raise ValueError(f"business_hours must be (start, end) with 0 <= start < end <= 24, got {business_hours}")
    return start, end


def _as_datetime64(t: npt.ArrayLike) -> np.ndarray:
    return np.asarray(pd.to_datetime(pd.Series(np.atleast_1d(t))).to_numpy(dtype="datetime64[ns]"))


def _business_clock(t: npt.ArrayLike, business_hours: tuple[float, float] = BUSINESS_HOURS) -> np.ndarray:
    """Business hours elapsed from a fixed Monday to each time (NaN for NaT)."""
    start, end = _check_hours(business_hours)
    t = _as_datetime64(t)
    ok = ~np.isnat(t)
    out = np.full(t.shape, np.nan)
    tt = t[ok]
    day = tt.astype("datetime64[D]")
    frac = (tt - day) / np.timedelta64(1, "h")
    length = end - start
    within = np.where(np.is_busday(day), np.clip(frac - start, 0.0, length), 0.0)
    out[ok] = np.busday_count(_EPOCH, day) * length + within
    return out


def business_hours_between(
    start: npt.ArrayLike, end: npt.ArrayLike, business_hours: tuple[float, float] = BUSINESS_HOURS
) -> np.ndarray:
    """Business hours (Monday-Friday, ``business_hours`` each day) from ``start`` to ``end``.

    Examples
    --------
    >>> business_hours_between(["2024-03-01 16:00", "2024-03-04 07:00"], ["2024-03-04 09:30", "2024-03-04 08:30"]).tolist()
    [2.5, 0.5]
    """
    return _business_clock(end, business_hours) - _business_clock(start, business_hours)


def add_business_hours(
    t: npt.ArrayLike, hours: npt.ArrayLike, business_hours: tuple[float, float] = BUSINESS_HOURS
) -> np.ndarray:
    """The time ``hours`` business hours after ``t`` (counting starts at the next opening).

    Examples
    --------
    >>> str(add_business_hours(["2024-03-01 16:00"], [2.5])[0])   # Friday 16:00 + 2.5 h
    '2024-03-04T09:30:00.000000000'
    """
    start, end = _check_hours(business_hours)
    length = end - start
    clock = _business_clock(t, business_hours) + np.asarray(hours, dtype=float)
    k = np.floor(clock / length)
    rest = clock - k * length
    day = np.busday_offset(_EPOCH, k.astype(np.int64), roll="forward")
    offset = np.round((start + rest) * 3600e9).astype(np.int64).astype("timedelta64[ns]")
    return day.astype("datetime64[ns]") + offset


def in_business_hours(t: npt.ArrayLike, business_hours: tuple[float, float] = BUSINESS_HOURS) -> np.ndarray:
    """True where ``t`` falls on a weekday between the opening and closing hour."""
    start, end = _check_hours(business_hours)
    t = _as_datetime64(t)
    day = t.astype("datetime64[D]")
    frac = (t - day) / np.timedelta64(1, "h")
    return np.is_busday(day) & (frac >= start) & (frac < end) & ~np.isnat(t)
