"""Value parsers for client files: dates, durations, yes/no, counts, money and column names.

Each parser takes a column of raw cell values -- strings from a CSV, or the
native values openpyxl gives for an XLSX cell (numbers, datetimes, times,
timedeltas, booleans) -- and returns numpy/pandas arrays plus a ``bad`` mask
of the non-blank values it could not read, so that a loader can name every
offending cell (see :mod:`.readers`). They are vectorised over the column:
the common case (one format throughout) is parsed in one pass, and unusual
strings are parsed once per distinct value.

Examples
--------
>>> hours, bad = parse_durations(["1.5", "90 min", "1:30", "soon"])
>>> hours[:3].tolist(), bad.tolist()
([1.5, 1.5, 1.5], [False, False, False, True])
>>> amounts, bad, decimal = parse_money(["1.234,50 €", "99,00"])
>>> amounts.tolist(), decimal
([1234.5, 99.0], ',')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "DateResult",
    "blank_mask",
    "cell_is_blank",
    "normalise_name",
    "parse_booleans",
    "parse_counts",
    "parse_dates",
    "parse_durations",
    "parse_money",
    "parse_texts",
    "strip_unit",
]

# ---------------------------------------------------------------------------
# Column names and the units they imply
# ---------------------------------------------------------------------------

_UNIT_TOKENS = {
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "s": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "d": "days",
    "day": "days",
    "days": "days",
}
_UNIT_HOURS = {"hours": 1.0, "minutes": 1 / 60, "seconds": 1 / 3600, "days": 24.0}


def normalise_name(name: Any) -> str:
    """A column name reduced for matching: lower case, ``#`` -> number, punctuation -> space.

    Examples
    --------
    >>> normalise_name("Ticket #"), normalise_name(" Date/Time  Opened "), normalise_name("Time Spent (mins)")
    ('ticket number', 'date time opened', 'time spent mins')
    """
    text = "" if name is None else str(name)
    text = text.replace("#", " number ").replace("%", " percent ").lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def strip_unit(norm: str) -> tuple[str, str | None]:
    """``"time spent mins"`` -> (``"time spent"``, ``"minutes"``); filler "in" goes too."""
    tokens = norm.split()
    unit = None
    kept = []
    for tok in tokens:
        if tok in _UNIT_TOKENS and unit is None and len(tokens) > 1:
            unit = _UNIT_TOKENS[tok]
        elif tok != "in":
            kept.append(tok)
    return " ".join(kept), unit


# ---------------------------------------------------------------------------
# Blank cells
# ---------------------------------------------------------------------------


def _all_str(values) -> bool:
    """Every value a str (a CSV column): the parsers then take their fast, vectorised path."""
    return set(map(type, values)) <= {str}


def cell_is_blank(v) -> bool:
    """An empty cell: None, NaN, or a string of nothing but whitespace."""
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def blank_mask(values) -> np.ndarray:
    """:func:`cell_is_blank` over a column, as a boolean array."""
    if _all_str(values):
        return np.fromiter((not v.strip() for v in values), dtype=bool, count=len(values))
    return np.array([cell_is_blank(v) for v in values], dtype=bool)


# ---------------------------------------------------------------------------
# Value parsers (vectorised over a column; unusual strings parsed once per distinct value)
# ---------------------------------------------------------------------------


def parse_texts(values: list) -> pd.Series:
    """Raw values as stripped strings (None when blank); numbers as they would print."""
    if _all_str(values):
        return pd.Series([v.strip() or None for v in values], dtype=object)
    out = []
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


_TZ_SUFFIX = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:\b|T|\s|$)")

_TIME_PARTS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M:%S%p", "%I:%M%p", "%H:%M:%S.%f", "")


def _date_formats(dayfirst: bool, one_order: bool = False) -> list[str]:
    """Formats to try, the ``dayfirst`` order of numeric dates first (``one_order``: only that order)."""
    dates_m = ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"]
    dates_d = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"]
    numeric = (dates_d + dates_m) if dayfirst else (dates_m + dates_d)
    if one_order:
        numeric = dates_d if dayfirst else dates_m
    others = [
        "%d.%m.%Y",
        "%d.%m.%y",
        "%Y/%m/%d",
        "%Y.%m.%d",
        "%d %b %Y",
        "%d %B %Y",
        "%d-%b-%Y",
        "%d-%b-%y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%b %d %Y",
        "%a %b %d %Y",
        "%a, %d %b %Y",
        "%Y%m%d",
    ]
    out = []
    for d in numeric + others:
        for t in _TIME_PARTS:
            out.append(f"{d} {t}".strip())
            if t and d.startswith("%Y"):
                out.append(f"{d}T{t}")
    return out


@dataclass
class DateResult:
    """What :func:`parse_dates` made of a column.

    ``other_order`` marks numeric dates written in the other order of day and
    month than the column's (``order``): ``12/31/2024`` in a column of
    ``31/12/2024``. They are among ``bad``, since every date of the column
    written like them (``05/06/2024``) is then in doubt. ``order_told`` says
    whether ``order`` came from ``dayfirst`` rather than from the data.
    """

    values: pd.Series  # datetime64[ns], NaT where blank or bad
    bad: np.ndarray  # True where a non-blank value is not a date
    notes: list[str]
    warnings: list[str]
    other_order: np.ndarray | None = None
    order: str | None = None  # "day/month/year" or "month/day/year", when the column has numeric dates
    order_told: bool = False


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parse_dates(values: list, *, dayfirst: bool | None = None, timezone: str | None = None, excel_numbers=False):
    """Parse a column of dates: ISO 8601 (with or without zones), US/European numeric, month names.

    Values with a time zone (``Z``, ``+01:00``, ``UTC``) are converted to
    ``timezone`` (UTC when None) and the zone dropped, so the column is naive
    and consistent; values without a zone are taken as already local.
    Numeric dates like ``03/04/2024`` are read day-first if that reads more
    of the column than month-first (a day above 12 in the first place), and
    the other way round; when both read everything, by ``dayfirst``
    (month-first by default, with a warning). A column is read in one order:
    values that read only in the other (``12/31/2024`` among ``31/12/2024``)
    are marked in ``other_order`` (and ``bad``), not guessed at.

    The common case -- one format throughout -- is parsed in one vectorised
    pass with that format (found on a sample); only values it does not read
    go through the slower per-value search.
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    other_order = np.zeros(n, dtype=bool)
    order = None
    notes: list[str] = []
    warnings: list[str] = []
    if _all_str(values):
        stripped = pd.Series([v.strip() for v in values], dtype=object)
        idx = np.flatnonzero((stripped != "").to_numpy())
        strings = stripped.iloc[idx].reset_index(drop=True)
    else:
        str_idx, str_vals = [], []
        native_idx, native_vals = [], []
        for i, v in enumerate(values):
            if cell_is_blank(v):
                continue
            if isinstance(v, (dt.datetime, pd.Timestamp)):
                native_idx.append(i)
                tz = getattr(v, "tzinfo", None)
                native_vals.append(pd.Timestamp(v).tz_convert("UTC").tz_localize(None) if tz else pd.Timestamp(v))
            elif isinstance(v, dt.date):
                native_idx.append(i)
                native_vals.append(pd.Timestamp(v))
            elif isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)):
                if excel_numbers and 20_000 <= float(v) <= 80_000:  # an Excel serial date (1954-2119)
                    native_idx.append(i)
                    native_vals.append(_EXCEL_EPOCH + pd.to_timedelta(float(v), unit="D"))
                else:
                    bad[i] = True
            elif isinstance(v, (dt.time, dt.timedelta, bool, np.bool_)):
                bad[i] = True
            else:
                str_idx.append(i)
                str_vals.append(str(v).strip())
        if native_idx:
            got = pd.to_datetime(pd.Series(native_vals, dtype=object), errors="coerce")
            out[native_idx] = got.to_numpy(dtype="datetime64[ns]")
            bad[native_idx] = got.isna().to_numpy()
        idx = np.asarray(str_idx, dtype=int)
        strings = pd.Series(str_vals, dtype=object)
    if len(strings):
        parsed, aware, other, first_is_day, s_notes, s_warn = _parse_date_strings(strings, dayfirst)
        other_order[idx] = other
        if first_is_day is not None:
            order = "day/month/year" if first_is_day else "month/day/year"
        notes += s_notes
        warnings += s_warn
        if aware.any():
            zone = timezone or "UTC"
            if timezone is not None:
                try:
                    local = pd.Series(parsed[aware]).dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
                except Exception:  # zoneinfo/pytz raise several types for an unknown zone name
                    raise DataError(f"unknown time zone {timezone!r}; use a name such as 'Europe/London'") from None
                parsed[aware] = local.to_numpy(dtype="datetime64[ns]")
            notes.append(f"dates with a time zone converted to {zone} and the zone dropped")
            if (~aware & ~np.isnat(parsed)).any():
                warnings.append(
                    f"some dates carry a time zone and some do not; those without are taken as {zone} time already"
                )
        out[idx] = parsed
        bad[idx] = np.isnat(parsed)
    return DateResult(
        pd.Series(out, dtype="datetime64[ns]"), bad, notes, warnings, other_order, order, dayfirst is not None
    )


_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


_FIELD_WIDTH = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%I": 2, "%M": 2, "%S": 2, "%p": 2}


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime(values, format=fmt, errors="coerce")``, fast for zero-padded numeric formats.

    pandas' strptime reads ``03/01/2024 09:30 AM`` at a few microseconds a
    value; when every field has a fixed width the digits can be read straight
    from the characters with numpy, ten times faster. Values that do not fit
    the fixed layout (unpadded, other lengths) go through pandas.
    """
    tokens = re.findall(r"%[a-zA-Z]|[^%]", fmt)
    if any(t.startswith("%") and t not in _FIELD_WIDTH for t in tokens) or "%Y" not in tokens:
        return pd.to_datetime(values, format=fmt, errors="coerce")
    width = sum(_FIELD_WIDTH.get(t, 1) for t in tokens)
    n = len(values)
    arr = values.to_numpy(dtype=object).astype(f"<U{width + 1}")
    fixed = np.char.str_len(arr) == width
    if not fixed.any():
        return pd.to_datetime(values, format=fmt, errors="coerce")
    codes = arr.view(np.uint32).reshape(n, width + 1)[:, :width].astype(np.int64)
    ok = fixed.copy()
    parts: dict[str, np.ndarray] = {}
    pos = 0
    for t in tokens:
        w = _FIELD_WIDTH.get(t, 1)
        block = codes[:, pos : pos + w]
        if t == "%p":
            first, second = block[:, 0] | 0x20, block[:, 1] | 0x20  # lower case
            ok &= ((first == ord("a")) | (first == ord("p"))) & (second == ord("m"))
            parts[t] = first == ord("p")
        elif t.startswith("%"):
            digits = block - 48
            ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
            parts[t] = digits @ (10 ** np.arange(w - 1, -1, -1))
        else:
            ok &= block[:, 0] == ord(t)
        pos += w
    if "%I" in parts:
        hour12 = parts["%I"]
        ok &= (hour12 >= 1) & (hour12 <= 12)
        hour = hour12 % 12 + 12 * parts.get("%p", np.zeros(n, dtype=bool))
    else:
        hour = parts.get("%H", np.zeros(n, dtype=np.int64))
    fields = {
        "year": parts["%Y"],
        "month": parts.get("%m", np.ones(n, dtype=np.int64)),
        "day": parts.get("%d", np.ones(n, dtype=np.int64)),
        "hour": hour,
        "minute": parts.get("%M", np.zeros(n, dtype=np.int64)),
        "second": parts.get("%S", np.zeros(n, dtype=np.int64)),
    }
    table = pd.DataFrame({k: np.where(ok, v, 1 if k in ("month", "day") else 0) for k, v in fields.items()})
    table["year"] = np.where(ok, table["year"], 2000)
    got = pd.to_datetime(table, errors="coerce").to_numpy(dtype="datetime64[ns]")
    got[~ok] = np.datetime64("NaT")
    out = pd.Series(got, index=values.index)
    slow = ~ok  # everything the fast path could not read (unpadded, other lengths): let pandas try
    if slow.any():
        out[slow] = pd.to_datetime(values[slow], format=fmt, errors="coerce").to_numpy(dtype="datetime64[ns]")
    return out


def _plausible_formats(sample: pd.Series, dayfirst: bool, one_order: bool = False) -> list[str]:
    """The formats worth trying on these values: numeric, year-first, with month names, compact."""
    s = sample.astype(str)
    numeric = bool(s.str.match(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}").any())
    year_first = bool(s.str.match(r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}").any())
    named = bool(s.str.contains(r"[A-Za-z]{3}").any() and s.str.contains(r"\d").any())
    compact = bool(s.str.match(r"^\d{8}").any())
    out = []
    for fmt in _date_formats(dayfirst, one_order):
        if "%b" in fmt or "%B" in fmt or "%a" in fmt:
            keep = named
        elif fmt.startswith("%Y%m%d"):
            keep = compact
        elif fmt.startswith("%Y"):
            keep = year_first
        else:
            keep = numeric
        if keep:
            out.append(fmt)
    return out


def _twin(fmt: str) -> str | None:
    """The same numeric format with day and month swapped (``%m/%d/%Y`` <-> ``%d/%m/%Y``)."""
    if fmt.startswith(("%m/%d", "%d/%m", "%m-%d", "%d-%m")):
        return fmt.replace("%m", "%X").replace("%d", "%m").replace("%X", "%d")
    return None


def _parse_date_strings(s: pd.Series, dayfirst: bool | None):
    """Non-blank date strings -> (naive datetime64[ns], had-a-zone mask, other-order mask, day first?, notes, warnings).

    "Day first?" is the column's order of numeric dates (None without any).
    """
    n = len(s)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    aware = np.zeros(n, dtype=bool)
    other_order = np.zeros(n, dtype=bool)
    first_is_day = None
    notes: list[str] = []
    warnings: list[str] = []
    sample = pd.Series(pd.unique(s.to_numpy()[:5000])[:200], dtype=object)
    if sample.str.match(_ISO_START).any():
        iso = s.str.match(_ISO_START).to_numpy()
        sub = s[iso]
        if sub.str.endswith(("UTC", "GMT", "utc", "gmt")).any():
            sub = sub.str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
        res = pd.to_datetime(sub, format="ISO8601", errors="coerce", utc=True)
        vals = res.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        parsed[iso] = vals
        aware[iso] = sub.str.contains(_TZ_SUFFIX).to_numpy() & ~np.isnat(vals)
    rest = np.isnat(parsed)
    if rest.any():
        r = s[rest]
        r_sample = pd.Series(pd.unique(r.to_numpy()[:5000])[:200], dtype=object).str.replace(r"\s+", " ", regex=True)
        formats = _plausible_formats(r_sample, bool(dayfirst))
        best, best_hits, order = None, 0, None
        for fmt in formats:  # the first format that reads the whole sample, else the one that reads most
            got_n = int(pd.to_datetime(r_sample, format=fmt, errors="coerce").notna().sum())
            if got_n > best_hits:
                best, best_hits = fmt, got_n
                if got_n == r_sample.size:
                    break
        if best_hits:
            got = _to_datetime(r, best)
            twin = _twin(best)
            if twin is not None:
                first_is_day = best.startswith("%d")
                if dayfirst is not None:
                    choose_twin = first_is_day != dayfirst
                else:
                    # The other order only matters if this one misses some values, or if every
                    # value has a day <= 12 (then both orders read everything: ambiguous).
                    choose_twin = False
                    fails = int(got.isna().sum())
                    ambiguous = bool(got.notna().any()) and bool((got.dt.day <= 12).all())
                    if fails or ambiguous:
                        other = _to_datetime(r, twin)
                        fails_twin = int(other.isna().sum())
                        # a tie: the values neither format reads (those without a time, say) may decide
                        day_ev, month_ev = (
                            _order_evidence(r[(got.isna() & other.isna()).to_numpy()])
                            if fails == fails_twin
                            else (0, 0)
                        )
                        if fails_twin != fails:
                            choose_twin = fails_twin < fails
                        elif day_ev != month_ev:
                            choose_twin = (day_ev > month_ev) != first_is_day
                        else:
                            choose_twin = first_is_day  # both read everything: month/day (US) unless told
                            differ = (got != other) & got.notna() & other.notna()
                            if differ.any():
                                example = r[differ.to_numpy()].iloc[0]
                                warnings.append(
                                    f"dates such as {example!r} could be day/month or month/day; read as "
                                    "month/day (US). Pass dayfirst=True if they are day/month."
                                )
                        if choose_twin:
                            got = other
                if choose_twin:
                    best = twin
                    if dayfirst is not None:
                        got = _to_datetime(r, twin)
                order = best.startswith("%d")
                notes.append("numeric dates read as " + ("day/month/year" if order else "month/day/year"))
            pos = np.flatnonzero(rest)
            parsed[pos] = got.to_numpy(dtype="datetime64[ns]")
        left = np.isnat(parsed)
        # Values no format read in the sample are not retried one by one unless the sample
        # did not see them all (a second format further down a long column).
        if left.any() and (best_hits or r.nunique() > r_sample.size):
            # Mixed formats: the per-value search, once per distinct leftover.
            lv = s[left]
            uniq = pd.Series(pd.unique(lv.to_numpy()), dtype=object)
            u_parsed, u_aware, u_other, u_order, u_notes, u_warn = _parse_unique_dates(uniq, dayfirst, order)
            lookup = pd.Series(u_parsed.to_numpy(dtype="datetime64[ns]"), index=uniq.to_numpy())
            parsed[left] = lv.map(lookup).to_numpy(dtype="datetime64[ns]")
            aware_lookup = pd.Series(u_aware, index=uniq.to_numpy())
            aware[left] = lv.map(aware_lookup).to_numpy(dtype=bool)
            other_order[left] = lv.map(pd.Series(u_other, index=uniq.to_numpy())).to_numpy(dtype=bool)
            order = order if order is not None else u_order
            notes += [t for t in u_notes if t not in notes]
            warnings += u_warn
        first_is_day = order
    return parsed, aware, other_order, first_is_day, notes, warnings


def _order_evidence(values: pd.Series) -> tuple[int, int]:
    """How many distinct numeric dates can only be day/month (a first number above 12), and only month/day."""
    m = pd.Series(pd.unique(values.to_numpy()), dtype=object).str.extract(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d")
    first, second = pd.to_numeric(m[0], errors="coerce"), pd.to_numeric(m[1], errors="coerce")
    return int(((first > 12) & (second <= 12)).sum()), int(((second > 12) & (first <= 12)).sum())


def _parse_unique_dates(uniq: pd.Series, dayfirst: bool | None, order: bool | None = None):
    """Parse distinct date strings in one order of day and month.

    ``order`` (day first?) is the order the column was already read in, if
    any; otherwise ``dayfirst``, else the order most values show (a number
    above 12 first, or second). Returns naive values (UTC wall time where a
    zone was given), a 'had a zone' mask, an 'only reads in the other order'
    mask, the order used (None if no value is numeric), notes and warnings.
    """
    notes, warnings = [], []
    other = np.zeros(len(uniq), dtype=bool)
    use_dayfirst = None
    aware = uniq.str.contains(_TZ_SUFFIX, na=False).to_numpy()
    cleaned = uniq.str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
    # ISO-looking values only: "03/01/2024" must not be guessed at by ISO 8601 leniency
    iso_like = cleaned.str.match(r"^\d{4}-\d{2}-\d{2}", na=False)
    res = pd.to_datetime(cleaned.where(iso_like), format="ISO8601", errors="coerce", utc=True)
    res = pd.Series(res.dt.tz_localize(None).astype("datetime64[ns]").to_numpy(), dtype="datetime64[ns]")
    todo = res.isna().to_numpy()
    if todo.any():
        rest = uniq[todo]
        m = rest.str.extract(_NUMERIC_DATE)
        first = pd.to_numeric(m[0], errors="coerce")
        second = pd.to_numeric(m[2], errors="coerce")
        day_first_evidence = int((first > 12).sum())
        month_first_evidence = int((second > 12).sum())
        numeric = m[1].notna()
        dots = bool(numeric.any()) and bool((m[1][numeric] == ".").all())
        if order is not None:
            use_dayfirst = order
        elif dayfirst is not None:
            use_dayfirst = dayfirst
        elif day_first_evidence != month_first_evidence:
            use_dayfirst = day_first_evidence > month_first_evidence  # both: the order most values show
        elif dots:
            use_dayfirst = True
        else:
            use_dayfirst = False
            if numeric.any() and bool((first != second).any()) and not day_first_evidence:
                warnings.append(
                    "dates such as " + repr(rest[numeric].iloc[0]) + " could be day/month or month/day; "
                    "read as month/day (US). Pass dayfirst=True if they are day/month."
                )
        if numeric.any():
            notes.append("numeric dates read as " + ("day/month/year" if use_dayfirst else "month/day/year"))
        else:
            use_dayfirst = order
        rest_clean = rest.str.replace(r"\s+", " ", regex=True)
        got = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
        remaining = pd.Series(True, index=rest.index)
        for fmt in _plausible_formats(rest_clean, bool(use_dayfirst), one_order=True):
            if not remaining.any():
                break
            cand = rest_clean[remaining]
            parsed = pd.to_datetime(cand, format=fmt, errors="coerce")
            ok = parsed.notna()
            if ok.any():
                hit = ok[ok].index
                got[hit] = parsed[hit].astype("datetime64[ns]")
                remaining[hit] = False
        if remaining.any() and numeric.any():
            # Dates that read only the other way round are not guessed at: the column mixes both orders.
            cand = rest_clean[remaining]
            swapped = pd.Series(False, index=cand.index)
            for fmt in _plausible_formats(cand, not use_dayfirst, one_order=True):
                if _twin(fmt) is not None:  # the order-dependent formats only
                    swapped |= pd.to_datetime(cand, format=fmt, errors="coerce").notna()
            other[cand.index.to_numpy()] = swapped.to_numpy()
        res[todo] = got.to_numpy()
    return res, aware, other, use_dayfirst, notes, warnings


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


def parse_durations(values: list, unit: str = "hours") -> tuple[np.ndarray, np.ndarray]:
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
    str_idx, str_vals = [], []
    if _all_str(values):
        stripped = pd.Series([v.strip() for v in values], dtype=object)
        str_idx = np.flatnonzero((stripped != "").to_numpy())
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


_TRUE = {
    "yes", "y", "true", "t", "1", "x", "on site", "onsite", "on", "site", "visit", "field", "in person",
    "site visit", "onsite visit", "on site visit", "after hours", "out of hours", "ooh", "checked", "ja", "oui",
}  # fmt: skip
_FALSE = {
    "no", "n", "false", "f", "0", "remote", "off site", "offsite", "phone", "email", "e mail", "chat",
    "in house", "inhouse", "remote support", "business hours", "off", "unchecked", "nein", "non", "none", "-",
}  # fmt: skip


def parse_booleans(values: list) -> tuple[pd.Series, np.ndarray]:
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


def parse_counts(values: list, low: int = 0, high: int = 10_000_000) -> tuple[np.ndarray, np.ndarray]:
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
# Money
# ---------------------------------------------------------------------------

# Currency signs before or after an amount: symbols, ISO codes, and the local abbreviations invoices use
# (kr, zł, Kč, Ft, Fr., lei, RM, Rp, R$ ...).
_CURRENCY_SIGN = r"(?:[A-Z]{1,2}\$|CHF|Fr\.?|[Kk]r\.?|zł|Kč|Ft|lei|RM|Rp|[A-Z]{3}|[$€£¥₹₩₽₺₪₫฿₱₦₴₸₲₵₡₭₮₾₼¢])"
_CURRENCY_AFFIX = re.compile(rf"^{_CURRENCY_SIGN}\s*|\s*{_CURRENCY_SIGN}$")
_GROUPED_DOT_DECIMAL = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_INDIAN_GROUPED = re.compile(r"\d{1,2}(?:,\d{2})*,\d{3}(?:\.\d+)?")  # 1,23,456.00 (lakh and crore)
_GROUPED_COMMA_DECIMAL = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _money_from_text(text: str, decimal: str) -> float | None:
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "").replace("\u2212", "-")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    for _ in range(2):  # "-$5", "$-5", "$5-", "5 EUR"
        if t.startswith("-"):
            neg, t = not neg, t[1:].strip()
        if t.endswith("-"):
            neg, t = not neg, t[:-1].strip()
        t = _CURRENCY_AFFIX.sub("", t, count=1).strip()
    t = t.replace(" ", "").replace("'", "")
    if not t or (not t[0].isdigit() and not t.startswith((".", ","))):
        return None
    if re.fullmatch(r"\d+", t):
        value = float(t)
    elif (_GROUPED_DOT_DECIMAL.fullmatch(t) or _INDIAN_GROUPED.fullmatch(t)) and (decimal == "." or "." in t):
        value = float(t.replace(",", ""))
    elif _GROUPED_COMMA_DECIMAL.fullmatch(t) and (decimal == "," or "," in t):
        value = float(t.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d*\.\d+", t) and decimal == ".":
        value = float(t)
    elif re.fullmatch(r"\d*,\d+", t) and decimal == ",":
        value = float(t.replace(",", "."))
    elif re.fullmatch(r"\d*\.\d{1,2}", t) or re.fullmatch(r"\d*,\d{1,2}", t):
        value = float(t.replace(",", "."))  # two decimals are decimals whatever the column's habit
    else:
        return None
    return -value if neg else value


def parse_money(values: list) -> tuple[np.ndarray, np.ndarray, str]:
    """Amounts from numbers or text like ``$1,234.50``, ``1.234,50 €``, ``(120.00)``, ``USD 99``.

    The decimal mark is decided per column: a comma if more values end in
    ``,dd`` than in ``.dd``, else a point -- unless the points only ever group
    thousands (``1.234``, ``12.000``: no value with one, two or four and more
    digits after a point, and no comma), as whole euros are often written:
    then the points group thousands. Returns ``(amounts, bad, decimal)``.

    Examples
    --------
    >>> amounts, bad, dec = parse_money(["$1,234.50", "(120.00)", "99", "EUR 5", "ten"])
    >>> amounts[:4].tolist(), bad.tolist()
    ([1234.5, -120.0, 99.0, 5.0], [False, False, False, False, True])
    """
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    texts: dict[int, str] = {}
    for i, v in enumerate(values):
        if cell_is_blank(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            bad[i] = True
        elif isinstance(v, (int, float, np.number)):
            out[i] = float(v)
        else:
            texts[i] = str(v)
    decimal = "."
    if texts:
        s = pd.Series(list(texts.values()), dtype=object)
        comma = int(s.str.contains(r",\d{2}\s*\D*$", regex=True).sum())
        dot = int(s.str.contains(r"\.\d{2}\s*\D*$", regex=True).sum())
        decimal = "," if comma > dot else "."
        if comma == dot == 0 and not s.str.contains(",", regex=False).any():
            grouping = s.str.fullmatch(r"\D*\d{1,3}(?:\.\d{3})+\D*")
            decimal_point = s.str.contains(r"\.(?:\d{1,2}|\d{4,})\D*$", regex=True)
            if grouping.any() and not decimal_point.any():
                decimal = ","
        fast = pd.to_numeric(s, errors="coerce").to_numpy()
        cache: dict[str, float | None] = {}
        for (i, t), f in zip(texts.items(), fast):
            if not math.isnan(f) and decimal == ".":
                out[i] = f
                continue
            if t not in cache:
                cache[t] = _money_from_text(t, decimal)
            got = cache[t]
            if got is None:
                bad[i] = True
            else:
                out[i] = got
    bad |= np.isinf(out)
    out[np.isinf(out)] = np.nan
    return out, bad, decimal
