"""Dates: where a date format is recognised, the order of day and month decided, and bad dates reported.

:func:`parse_dates` reads a column of dates -- ISO 8601 with or without a
zone, US and European numeric dates (``03/04/2024``: the column decides the
order of day and month), month names (``Jan 5, 2024``), compact ``20240105``,
Excel serial numbers and native XLSX datetimes -- into naive datetimes.
:func:`check_dates` turns what it could not read, dates written in the
other order, and implausible dates into a loader's problems.

Examples
--------
>>> result = parse_dates(["31/12/2024", "03/04/2024 10:30", "soon"])
>>> [str(d) for d in result.values], result.order, result.bad.tolist()
(['2024-12-31 00:00:00', '2024-04-03 10:30:00', 'NaT'], 'day/month/year', [False, False, True])
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DataError
from ..model.fields import known_zone
from .cells import _EXCEL_EPOCH, Cell, _all_str, blank_mask, cell_is_blank
from .months import english_months

if TYPE_CHECKING:  # for annotations only: problems.py does not import this module either
    from .problems import Problems

__all__ = ["EARLIEST_DATE", "DateResult", "check_dates", "parse_dates"]

#: How a warning says that no value of a column decides the order of day and month.
AMBIGUOUS = "could be day/month or month/day"

#: Dates before this, or more than a year ahead, are implausible (a typo, or a 1900 placeholder).
EARLIEST_DATE = pd.Timestamp("1990-01-01")

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
        "%d/%b/%y",  # Jira's default dd/MMM/yy h:mm a
        "%d/%b/%Y",
        "%d %b %y",
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
    zoned: bool = False  # some values carried a time zone (converted to ``timezone``, or UTC)
    # Local wall-clock minus UTC for each value converted to ``timezone`` (0 for
    # the others): ``values - shift`` is absolute time, the one to order and
    # measure durations on (a DST change makes local time repeat or skip an hour).
    shift: np.ndarray | None = None


def parse_dates(
    values: Sequence[Cell],
    *,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    excel_numbers: bool = False,
    date_format: str | None = None,
) -> DateResult:
    """Parse a column of dates: ISO 8601 (with or without zones), US/European numeric, month names.

    Values with a time zone (``Z``, ``+01:00``, ``UTC``) are converted to
    ``timezone`` (UTC when None) and the zone dropped, so the column is naive
    and consistent (the result's ``shift`` takes them back to absolute time);
    values without a zone are taken as already local.
    Numeric dates like ``03/04/2024`` are read day-first if that reads more
    of the column than month-first (a day above 12 in the first place), and
    the other way round; when both read everything, by ``dayfirst``
    (month-first by default, with a warning). A column is read in one order:
    values that read only in the other (``12/31/2024`` among ``31/12/2024``)
    are marked in ``other_order`` (and ``bad``), not guessed at.

    The common case -- one format throughout -- is parsed in one vectorised
    pass with that format (found on a sample); only values it does not read
    go through the slower per-value search. ``date_format`` (a
    :func:`time.strftime` format such as ``"%d/%b/%y %I:%M %p"``) reads every
    text value with that format alone; month names in Spanish, Portuguese,
    French and German are read as their English abbreviations either way.

    Examples
    --------
    >>> [str(d) for d in parse_dates(["18/jul/26 9:10 AM", "25/Feb/26 10:17 PM"]).values]
    ['2026-07-18 09:10:00', '2026-02-25 22:17:00']
    >>> [str(d) for d in parse_dates(["2026.07.18 h9"], date_format="%Y.%m.%d h%H").values]
    ['2026-07-18 09:00:00']
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    other_order = np.zeros(n, dtype=bool)
    order = None
    notes: list[str] = []
    warnings: list[str] = []
    zoned = False
    shift = None
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
    if len(strings) and date_format is not None:
        parsed, aware = _parse_with_format(strings, date_format)
        other, first_is_day = np.zeros(len(strings), dtype=bool), None
        s_notes: list[str] = []
        s_warn: list[str] = []
        notes.append(f"dates read with date_format={date_format!r}")
    elif len(strings):
        parsed, aware, other, first_is_day, s_notes, s_warn = _parse_date_strings(strings, dayfirst)
    if len(strings):
        other_order[idx] = other
        if first_is_day is not None:
            order = "day/month/year" if first_is_day else "month/day/year"
        notes += s_notes
        warnings += s_warn
        if aware.any():
            zoned = True
            zone = timezone or "UTC"
            if timezone is not None:
                shift = _to_zone(parsed, aware, timezone, idx, n)
            notes.append(f"dates with a time zone converted to {zone} and the zone dropped")
            if (~aware & ~np.isnat(parsed)).any():
                warnings.append(
                    f"some dates carry a time zone and some do not; those without are taken as {zone} time already"
                )
        out[idx] = parsed
        bad[idx] = np.isnat(parsed)
    return DateResult(
        pd.Series(out, dtype="datetime64[ns]"),
        bad,
        notes,
        warnings,
        other_order,
        order,
        dayfirst is not None,
        zoned=zoned,
        shift=shift,
    )


def _parse_with_format(strings: pd.Series, date_format: str) -> tuple[np.ndarray, np.ndarray]:
    """Text dates read with the one format given: (naive UTC-or-local datetime64[ns], had-a-zone mask)."""
    translated = pd.Series(english_months(strings.tolist()), dtype=object)
    try:
        pd.to_datetime(pd.Series(["2000-01-01"]), format=date_format, errors="coerce")
    except ValueError as e:  # an unknown directive, a stray '%'
        raise DataError(
            f"date_format={date_format!r} is not a date format ({e}); use one such as '%d/%m/%Y %H:%M'"
        ) from None
    if "%z" in date_format or "%Z" in date_format:
        got = pd.to_datetime(translated, format=date_format, errors="coerce", utc=True)
        values = got.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        return values, ~np.isnat(values)
    got = pd.to_datetime(translated, format=date_format, errors="coerce")
    return got.to_numpy(dtype="datetime64[ns]"), np.zeros(len(strings), dtype=bool)


#: The warning for zoned dates read without a zone named, after "dates in 'Created', 'Resolved'".
ZONE_NOT_STATED = (
    "carry a time zone and were read as UTC: the after-hours share and anything counted in business hours "
    "depend on the firm's zone; pass timezone= (such as 'America/Los_Angeles'), or state organization.timezone "
    "in the client's scenario, to read them in it"
)


def _to_zone(parsed: np.ndarray, aware: np.ndarray, timezone: str, idx: np.ndarray, n: int) -> np.ndarray:
    """Convert ``parsed[aware]`` (naive UTC) in place to ``timezone``'s wall clock.

    Returns local minus UTC for each of the column's ``n`` values (``parsed``
    holds those at ``idx``), zero where a value had no zone.
    """
    _check_zone(timezone)
    local = pd.Series(parsed[aware]).dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
    shift = np.zeros(n, dtype="timedelta64[ns]")
    shift[idx[aware]] = local.to_numpy(dtype="datetime64[ns]") - parsed[aware]
    parsed[aware] = local.to_numpy(dtype="datetime64[ns]")
    return shift


def _check_zone(timezone: str) -> None:
    """Refuse a time-zone name that names no zone, before any date is converted to it.

    A name counts when :func:`~msp_analysis.model.fields.known_zone` accepts it.
    """
    # The same test as organization.timezone's: "localtime" or "right/UTC"
    # open as zones but name no place.
    if not isinstance(timezone, str) or not known_zone(timezone):
        raise DataError(f"unknown time zone {timezone!r}; use a name such as 'Europe/London'")


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


def _parse_date_strings(
    s: pd.Series, dayfirst: bool | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool | None, list[str], list[str]]:
    """Non-blank date strings -> (naive datetime64[ns], had-a-zone mask, other-order mask, day first?, notes, warnings).

    "Day first?" is the column's order of numeric dates (None without any).
    Three passes: the ISO values, vectorised; then the one format that reads
    most of a sample of the rest (:func:`_best_format`), in the order of day
    and month the column shows (:func:`_choose_order`); then the values left,
    once per distinct value (:func:`_parse_unique_dates`).
    """
    n = len(s)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    aware = np.zeros(n, dtype=bool)
    other_order = np.zeros(n, dtype=bool)
    first_is_day = None
    notes: list[str] = []
    warnings: list[str] = []
    sample = pd.Series(pd.unique(s.to_numpy()[:5000])[:200], dtype=object)
    if english_months(sample.tolist()) != sample.tolist():  # month names in Spanish, French ...: as English
        uniq = pd.unique(s.to_numpy())
        s = s.map(dict(zip(uniq, english_months(list(uniq)))))
        sample = pd.Series(english_months(sample.tolist()), dtype=object)
    if sample.str.match(_ISO_START).any():
        _parse_iso(s, parsed, aware)
    rest = np.isnat(parsed)
    if rest.any():
        r = s[rest]
        r_sample = pd.Series(pd.unique(r.to_numpy()[:5000])[:200], dtype=object).str.replace(r"\s+", " ", regex=True)
        best, best_hits = _best_format(r_sample, dayfirst) or ("", 0)
        order = None
        if best_hits:
            got = _to_datetime(r, best)
            twin = _twin(best)
            if twin is not None:
                got, best = _choose_order(r, got, best, twin, dayfirst, warnings)
                order = best.startswith("%d")
                notes.append("numeric dates read as " + ("day/month/year" if order else "month/day/year"))
            parsed[np.flatnonzero(rest)] = got.to_numpy(dtype="datetime64[ns]")
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


def _parse_iso(s: pd.Series, parsed: np.ndarray, aware: np.ndarray) -> None:
    """Read the ISO 8601 values of ``s`` into ``parsed`` (as UTC wall time where zoned), marking ``aware`` ones."""
    iso = s.str.match(_ISO_START).to_numpy()
    sub = s[iso]
    if sub.str.endswith(("UTC", "GMT", "utc", "gmt")).any():
        sub = sub.str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True, case=False)
    res = pd.to_datetime(sub, format="ISO8601", errors="coerce", utc=True)
    vals = res.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    parsed[iso] = vals
    # a zone ends in a letter (Z, UTC) or, after the time, takes the length past 19 ("...09:30+0100"): the
    # pattern search is skipped for "2024-03-01 09:30:00" and shorter values ending in a digit
    longer = ((sub.str.len() > 19) | ~sub.str[-1:].str.isdigit()).to_numpy()
    zoned = np.zeros(len(sub), dtype=bool)
    if longer.any():
        zoned[longer] = sub[longer].str.contains(_TZ_SUFFIX).to_numpy()
    aware[iso] = zoned & ~np.isnat(vals)


def _best_format(sample: pd.Series, dayfirst: bool | None) -> tuple[str, int] | None:
    """The first format that reads the whole sample, else the one that reads most, and how many it reads.

    None when no format reads any value of the sample.
    """
    best: tuple[str, int] | None = None
    for fmt in _plausible_formats(sample, bool(dayfirst)):
        got_n = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        if got_n > (best[1] if best else 0):
            best = fmt, got_n
            if got_n == sample.size:
                break
    return best


def _choose_order(
    r: pd.Series, got: pd.Series, best: str, twin: str, dayfirst: bool | None, warnings: list[str]
) -> tuple[pd.Series, str]:
    """The dates and the format of a numeric column in the order of day and month it is in.

    ``got`` is ``r`` read with ``best``. The other order (``twin``) is
    taken when ``dayfirst`` says so, or -- the data deciding -- when it reads
    more values, or when the values neither reads show it; when both read
    everything, month/day (US) with a warning where they differ.
    """
    first_is_day = best.startswith("%d")
    if dayfirst is not None:
        if first_is_day == dayfirst:
            return got, best
        return _to_datetime(r, twin), twin
    # The other order only matters if this one misses some values, or if every
    # value has a day <= 12 (then both orders read everything: ambiguous).
    fails = int(got.isna().sum())
    ambiguous = bool(got.notna().any()) and bool((got.dt.day <= 12).all())
    if not (fails or ambiguous):
        return got, best
    other = _to_datetime(r, twin)
    fails_twin = int(other.isna().sum())
    # a tie: the values neither format reads (those without a time, say) may decide
    day_ev, month_ev = _order_evidence(r[(got.isna() & other.isna()).to_numpy()]) if fails == fails_twin else (0, 0)
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
                f"dates such as {example!r} {AMBIGUOUS}; read as "
                "month/day (US). Pass dayfirst=True if they are day/month."
            )
    return (other, twin) if choose_twin else (got, best)


def _order_evidence(values: pd.Series) -> tuple[int, int]:
    """How many distinct numeric dates can only be day/month (a first number above 12), and only month/day."""
    m = pd.Series(pd.unique(values.to_numpy()), dtype=object).str.extract(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d")
    first, second = pd.to_numeric(m[0], errors="coerce"), pd.to_numeric(m[1], errors="coerce")
    return int(((first > 12) & (second <= 12)).sum()), int(((second > 12) & (first <= 12)).sum())


def _parse_unique_dates(
    uniq: pd.Series, dayfirst: bool | None, order: bool | None = None
) -> tuple[pd.Series, np.ndarray, np.ndarray, bool | None, list[str], list[str]]:
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
                    "dates such as " + repr(rest[numeric].iloc[0]) + f" {AMBIGUOUS}; "
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


# ---------------------------------------------------------------------------
# Reporting a date column's problems
# ---------------------------------------------------------------------------


def check_dates(
    problems: Problems, column: str, raw: list, parsed: DateResult, *, expected: str, required: str | None = None
) -> pd.Series:
    """Report a date column's unreadable, implausible and (when ``required`` says what belongs there) empty cells.

    Dates written in the other order of day and month than the rest of the
    column (see :class:`.DateResult`) are named as such, not as "not a date".

    ``column`` is the column's name in the file; ``raw`` its cells and
    ``parsed`` what :func:`.parse_dates` made of them. Returns the dates with
    the implausible ones (before :data:`EARLIEST_DATE` or over a year ahead) as NaT.
    """
    other = parsed.other_order if parsed.other_order is not None else np.zeros(len(raw), dtype=bool)
    problems.add_mask(parsed.bad & ~other, column, raw, "is not a date", expected)
    if other.any():
        swapped = "month/day/year" if parsed.order == "day/month/year" else "day/month/year"
        if parsed.order_told:
            told = "True" if parsed.order == "day/month/year" else "False"
            problem, want = f"is {swapped}, but dayfirst={told} says {parsed.order}", f"a date written {parsed.order}"
        else:
            problem = f"is {swapped}, but the column's other dates are {parsed.order}"
            want = f"one order of day and month throughout the column ({parsed.order}), or pass dayfirst="
            want += "False" if parsed.order == "day/month/year" else "True"
        problems.add_mask(other, column, raw, problem, want)
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=366)
    implausible = ((parsed.values < EARLIEST_DATE) | (parsed.values > latest)).to_numpy()
    problems.add_mask(implausible, column, raw, "is an implausible date", "a date between 1990 and next year")
    if required is not None:
        problems.add_mask(blank_mask(raw), column, None, "is empty", required)
    return parsed.values.where(~implausible)
