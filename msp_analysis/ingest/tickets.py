"""Client ticket exports: read a helpdesk export, say precisely what is wrong with it, type it.

A client hands over what their helpdesk exports (ConnectWise, Autotask,
Zendesk, Freshservice) or a spreadsheet someone kept. :func:`load_tickets`
reads it as CSV or XLSX, from a path or from bytes (as an upload widget gives
them), recognises the usual column names, parses dates, priorities and
durations, and returns a clean typed table with a :class:`LoadReport` of what
was read.

Every problem with the file raises :class:`msp_analysis.DataError` whose
message names the file, the row as numbered in the file (the header is row
1, so the first data row of a CSV is row 2; an XLSX row is the sheet's row
number), the column, the offending value and what was expected -- all
problems at once (the first :data:`MAX_PROBLEMS_SHOWN` in the message, every
one in ``error.problems``). With ``lenient=True`` rows with problems are set
aside and listed in the report with their reasons; nothing is dropped
silently. Files are only ever *read*: nothing is evaluated or unpickled.

What is about tickets lives here: the columns a helpdesk export has and
the names vendors give them (:data:`TICKET_COLUMNS`), and the checks a ticket log must pass (unique ids,
resolved on or after opened, plausible work and response times). Reading
the file is shared with :mod:`.invoices` and :mod:`.quotes`: the source and
its kind (:mod:`.sources`), CSV and XLSX grids (:mod:`.csv_grid`,
:mod:`.xlsx_grid`), the header and columns (:mod:`.tables`,
:mod:`.columns`) and the problem collector (:mod:`.problems`); values are
parsed by :mod:`.dates`, :mod:`.durations` and :mod:`.cells`.

Examples
--------
>>> csv = b"Ticket #,Date Entered,Priority,Actual Hours\\n101,2024-03-01 09:30,Priority 1 - Emergency,2.5\\n"
>>> tickets, report = load_tickets(csv, name="export.csv")
>>> tickets[["ticket_id", "priority", "work_hours"]].to_dict("records")
[{'ticket_id': '101', 'priority': 'p1', 'work_hours': 2.5}]
>>> report.columns["opened"]
'Date Entered'
>>> load_tickets(b"Ticket #,Date Entered,Priority\\n101,2024-31-01,P1\\n", name="bad.csv")
Traceback (most recent call last):
...
msp_analysis.errors.DataError: bad.csv: 1 problem in 1 of 1 data rows.
  row 2, column 'Date Entered': '2024-31-01' is not a date; expected a date (and time) such as 2024-03-01 14:30
Fix the file, or pass lenient=True to set such rows aside (they are listed in the report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ValidationError
from ..model.scenario import PRIORITIES
from . import event_logs
from .blanks import clear_markers
from .cells import Cell, blank_mask, cell_is_blank, parse_booleans, parse_counts, parse_texts, shown
from .columns import ColumnSpec, aliases, normalise_name
from .dates import AMBIGUOUS, ZONE_NOT_STATED, DateResult, check_dates, parse_dates
from .durations import parse_durations
from .grid import _where
from .priorities import _EXCLUDE, _normalise_priority_map, check_bare_numbers, guess_priority, parse_priority
from .problems import MAX_PROBLEMS_SHOWN, LoadReport, Problems, finish, guard
from .sources import MAX_BYTES
from .tables import Table, read_table
from .vendors import VENDOR_ALIASES, VENDOR_UNITS, autotask_api, vendor_units

__all__ = ["MAX_PROBLEMS_SHOWN", "TICKET_COLUMNS", "LoadReport", "load_tickets"]

# ---------------------------------------------------------------------------
# The columns of a ticket export
# ---------------------------------------------------------------------------

#: The columns of a ticket table, with the names common exports give them.
TICKET_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "ticket_id",
        "id",
        False,
        aliases(
            "ticket id|ticket number|ticket no|ticket nbr|ticket num|ticket|id|case number|case id|"
            "incident id|incident number|request id|request number|service ticket id|display id|"
            "reference|ref|number|sr number|call id|job number|job id"
        )
        + VENDOR_ALIASES["ticket_id"],
        "a ticket number, unique in the file",
        doc="Ticket number (unique)",
        examples=("Ticket #", "Ticket Number", "Id", "Ticket Id", "Ref"),
    ),
    ColumnSpec(
        "opened",
        "date",
        True,
        aliases(
            "opened|opened at|opened date|open date|date opened|date time opened|opened on|created|"
            "created at|created date|created time|create date|created on|date created|date time created|"
            "creation date|date entered|entered|entered date|date reported|reported|reported at|reported on|"
            "date logged|logged|logged at|submitted|submitted at|date submitted|received|date received|"
            "date|start|start date|raised|date raised"
        )
        + VENDOR_ALIASES["opened"],
        "a date (and time) such as 2024-03-01 14:30",
        doc="When the ticket was opened",
        examples=(
            "Date Entered (ConnectWise)",
            "Created (Autotask)",
            "Created at (Zendesk)",
            "Created Time (Freshservice)",
            "Opened",
            "Date reported",
        ),
    ),
    ColumnSpec(
        "first_response",
        "date_or_duration",
        False,
        aliases(
            "first response|first response date|first response date time|first response at|"
            "first responded|first responded at|first responded time|date responded|responded|"
            "responded at|response date|initial response|initial response time|initial response date|"
            "first reply|first reply at|first reply date|acknowledged|acknowledged at|date acknowledged|"
            "first reply time in minutes within business hours|first reply time within business hours|"
            "first response time in business hours|first reply time in minutes|first reply time|"
            "first response time in hrs|first response time in hours|first response time|"
            "response time|response hours"
        )
        + VENDOR_ALIASES["first_response"],
        "a date (and time) on or after the opened date, or a duration",
        units={
            "first reply time in minutes within business hours": "minutes",
            "first reply time within business hours": "minutes",
            "first reply time in minutes": "minutes",
            "first reply time": "minutes",
            "first response time in hrs": "hours",
            "first response time in hours": "hours",
            "first response time in business hours": "hours",
        },
        doc="First response (a time, or a duration after opening)",
        examples=(
            "Date Responded",
            "First Response Date Time",
            "First reply time in minutes",
            "First Response Time (in Hrs)",
        ),
    ),
    ColumnSpec(
        "resolved",
        "date",
        False,
        aliases(
            "resolved|resolved at|resolved date|resolved time|resolved on|date resolved|resolution date|"
            "solved|solved at|date solved|completed|completed at|completed date|complete date|date completed|"
            "closed|closed at|closed date|closed time|closed on|close date|date closed|date time closed|"
            "fixed|date fixed|finished|end|end date"
        )
        + VENDOR_ALIASES["resolved"],
        "a date (and time) on or after the opened date",
        doc="When it was resolved (or closed)",
        examples=("Date Resolved", "Complete Date", "Solved at", "Resolved Time", "Closed"),
    ),
    ColumnSpec(
        "priority",
        "priority",
        True,
        aliases("priority|priority level|priority name|ticket priority|prio|severity|severity level|urgency")
        + VENDOR_ALIASES["priority"],
        "a priority such as P1-P4, 1-4, Critical, Urgent, High, Medium, Normal or Low",
        doc="Priority (mapped to p1-p4)",
        examples=("Priority", "Severity", "Urgency"),
    ),
    ColumnSpec(
        "category",
        "text",
        False,
        aliases(
            "category|ticket category|issue type|ticket type|type|problem type|request type|sub category|"
            "subcategory|subtype|sub issue type|service|board|queue"
        )
        + VENDOR_ALIASES["category"],
        "a text",
        doc="Category or type",
    ),
    ColumnSpec(
        "work_hours",
        "duration",
        False,
        aliases(
            "actual hours|technician hours|tech hours|work hours|worked hours|hours worked|total hours worked|"
            "total hours|hours|time spent|total time spent|time worked|time tracked|time logged|logged time|"
            "hours logged|labor hours|labour hours|billable hours|effort|agent work time in minutes|"
            "agent work time|total time spent sec|duration"
        )
        + VENDOR_ALIASES["work_hours"],
        "a duration such as 1.5 (hours), 90 min, 1:30 or 1h 30m",
        units={
            "agent work time in minutes": "minutes",
            "agent work time": "minutes",
            "total time spent sec": "seconds",
            **VENDOR_UNITS["work_hours"],
        },
        doc="Technician work on the ticket",
        examples=(
            "Actual Hours",
            "Total Hours Worked",
            "Time Tracked",
            "Agent work time in minutes",
            "Time spent (mins)",
        ),
    ),
    ColumnSpec(
        "onsite",
        "bool",
        False,
        aliases(
            "onsite|on site|onsite visit|on site visit|site visit|visit|service location|location type|"
            "onsite required|on site required|remote or onsite|remote onsite|onsite remote|support type|"
            "work location|delivery"
        ),
        "yes/no, or On-site/Remote",
        doc="Whether someone came on site",
    ),
    ColumnSpec(
        "after_hours",
        "bool",
        False,
        aliases("after hours|after hours work|afterhours|out of hours|outside business hours|ooh|after hours flag"),
        "yes/no",
        doc="Worked outside business hours",
    ),
    ColumnSpec(
        "users_affected",
        "count",
        False,
        aliases(
            "users affected|affected users|number of users affected|no of users affected|users impacted|"
            "impacted users|number of users impacted|users"
        ),
        "a whole number of users (0 or more)",
        doc="How many users the incident affected",
    ),
)


# ---------------------------------------------------------------------------
# load_tickets
# ---------------------------------------------------------------------------

TICKET_OUTPUT = (
    "row",
    "ticket_id",
    "opened",
    "first_response",
    "resolved",
    "priority",
    "category",
    "work_hours",
    "response_hours",
    "response_business_hours",
    "onsite",
    "after_hours",
    "users_affected",
)


@guard
def load_tickets(
    source: Any,
    column_map: Mapping[str, str | None] | None = None,
    priority_map: Mapping[str, str | None] | None = None,
    lenient: bool = False,
    sheet: str | int | None = None,
    *,
    name: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    date_format: str | None = None,
    event_log: str | None = None,
    header_row: int | None = None,
    max_work_hours: float = 1000.0,
    max_response_hours: float = 24 * 365,
    max_bytes: int = MAX_BYTES,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a helpdesk ticket export (CSV or XLSX) into a clean, typed table.

    Parameters
    ----------
    source : path, bytes, file-like, upload value or DataFrame
        The export. Bytes and file-like objects are what an upload widget
        gives (an ``ipywidgets.FileUpload`` value or one of its entries is
        accepted as is); ``name`` then names the file in messages and its
        extension says CSV or XLSX (without one, the content decides).
    column_map : dict, optional
        ``{"<column in the file>": "<canonical column>"}`` for columns the
        aliases do not recognise. Canonical columns: ``ticket_id``,
        ``opened`` (required), ``first_response``, ``resolved``, ``priority``
        (required), ``category``, ``work_hours``, ``onsite``, ``after_hours``,
        ``users_affected`` (see :data:`TICKET_COLUMNS` for the names recognised).
    priority_map : dict, optional
        ``{"<value in the file>": "p1".."p4"}``, consulted before the
        built-in rules (:func:`parse_priority`); map a value to ``None`` to
        leave such tickets out (they are listed in the report as excluded).
    lenient : bool
        Set rows with problems aside (listed in ``report.set_aside`` with
        their reasons) instead of raising. Problems with the file as a whole
        (encoding, missing columns, no data) raise either way.
    sheet : str or int, optional
        XLSX sheet name or 0-based index; by default the first sheet that has
        the required columns.
    encoding : str, optional
        UTF-8 (with or without BOM) and UTF-16 with a BOM are detected; pass
        ``"cp1252"`` or ``"latin-1"`` only when you know the file is in it.
    delimiter : str, optional
        CSV separator; by default the most frequent of ``, ; tab |`` in the header.
    dayfirst : bool, optional
        For numeric dates like ``03/04/2024`` that the data cannot decide: a
        column where no value decides (no day above 12) is refused until it is given.
    date_format : str, optional
        A ``strftime`` format (``"%d/%b/%y %I:%M %p"``) for dates the
        built-in formats do not read; month names may be in English, Spanish,
        Portuguese, French or German.
    timezone : str, optional
        The firm's zone (such as ``"Europe/Madrid"``): dates that carry a zone
        (``Z``, ``+02:00``) are converted to it before anything depends on the
        time of day; all dates are returned without a zone. Without it, zoned
        dates are read as UTC with a warning.
    event_log : {None, "final", "first", "off"}
        An event (audit) log -- ticket ids repeated, with a state or
        update-time column -- is collapsed to one row per ticket at its final
        state (None, the default, when one is found; "final" always), or to
        each ticket's first row ("first"); "off" reads every row as a ticket
        (repeated ids are then problems). See :mod:`.event_logs`.
    header_row : int, optional
        The header's row number in the file, if not the first non-blank row
        (rows of titles above a header are skipped automatically).
    max_work_hours, max_response_hours : float
        Durations above these are reported as implausible.

    Returns
    -------
    tickets : pandas.DataFrame
        Columns ``row`` (as numbered in the file), ``ticket_id`` (string),
        ``opened``, ``first_response``, ``resolved`` (datetime64, no zone),
        ``priority`` (categorical p1-p4), ``category`` (string), ``work_hours``,
        ``response_hours`` (elapsed, from a duration column or from zoned dates),
        ``response_business_hours`` (from a business-hours duration column)
        (float hours), ``onsite``, ``after_hours`` (nullable boolean),
        ``users_affected`` (nullable integer). Columns the file lacks are empty.
    report : LoadReport

    Raises
    ------
    msp_analysis.DataError
        For every problem, naming file, row, column, value and what was expected.
    """
    for flag, value, allowed in (("lenient", lenient, (bool,)), ("dayfirst", dayfirst, (bool, type(None)))):
        if not isinstance(value, allowed):  # 'no' is truthy: never read a string as a switch
            raise ValidationError(flag, value, "True or False" + (" or None" if flag == "dayfirst" else ""))
    pmap = _normalise_priority_map(priority_map)
    table, problems = read_table(
        source,
        TICKET_COLUMNS,
        name=name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        column_map=column_map,
        header_row=header_row,
        max_bytes=max_bytes,
    )
    notes: list[str] = vendor_units(table.header, table.mapping.labels, table.mapping.units, table.values, problems)
    warnings: list[str] = []
    out: dict[str, Any] = {"row": table.numbers.astype(np.int64)}
    # The order of the checks is the order of a row's problems in the message.
    clear_markers(table, _OPTIONAL, ("first_response", "resolved"), warnings, zero=("resolved",))
    log = event_logs.prepare(table, event_log)
    out["ticket_id"] = _ticket_ids(table, problems, notes, repeats=log is not None)
    out.update(
        _ticket_dates(
            table,
            problems,
            notes,
            warnings,
            dayfirst=dayfirst,
            timezone=timezone,
            date_format=date_format,
            max_response_hours=max_response_hours,
        )
    )
    bare = check_bare_numbers(
        table.values["priority"],
        where=_where(table.grid),
        column=table.mapping.labels["priority"],
        autotask=autotask_api(table.header),
        priority_map=pmap,
    )
    warnings += [bare] if bare else []
    out["priority"] = _priorities(table, problems, pmap, notes)
    out["category"] = table.text("category")
    out["work_hours"] = _work_hours(table, problems, notes, max_work_hours)
    for col in ("onsite", "after_hours"):
        out[col] = _flags(table, problems, col)
    out["users_affected"] = _users_affected(table, problems)
    frame = pd.DataFrame({c: out[c] for c in TICKET_OUTPUT})
    frame, report = finish(
        table,
        problems,
        frame,
        lenient=lenient,
        notes=notes,
        warnings=warnings,
        period_column="opened",
        count_by="priority",
    )
    return (frame, report) if log is None else event_logs.apply(frame, report, log)


_SPECS = {spec.name: spec for spec in TICKET_COLUMNS}
# Optional columns whose blank markers ("?", "N/A", Excel's zero date) are blanks; yes/no columns keep "-"/"none" as no.
_OPTIONAL = ("first_response", "resolved", "category", "work_hours", "users_affected")


def _ticket_ids(table: Table, problems: Problems, notes: list[str], repeats: bool) -> pd.arrays.StringArray:
    """Ticket ids, each once (``repeats``: an event log's, many rows each); without an id column, by their row."""
    if "ticket_id" not in table.values:
        notes.append("no ticket-id column: tickets are named by their row")
        return pd.array([f"row {r}" for r in table.numbers], dtype="string")
    label = table.mapping.labels["ticket_id"]
    ids = parse_texts(table.values["ticket_id"])
    empty = ids.isna().to_numpy()
    problems.add_mask(empty, label, None, "is empty", "a ticket number")
    # "INC-101", "inc-101" and "INC  101" are one ticket exported twice (or merged exports), not three tickets
    key = ids.str.casefold().str.replace(r"\s+", " ", regex=True)
    dup = key.duplicated(keep="first").to_numpy() & ~empty & (not repeats)
    if dup.any():
        first: dict[str, tuple[int, str]] = {}  # key -> (row, the id as first written)
        for k, row, i in zip(key, table.numbers, ids):
            if pd.notna(k):
                first.setdefault(k, (row, i))
        msgs = [
            f"is a duplicate ticket id (first on row {first[k][0]}"
            + (f" as {first[k][1]!r})" if first[k][1] != i else ")")
            if d
            else ""
            for k, i, d in zip(key, ids, dup)
        ]
        problems.add_mask(dup, label, ids.tolist(), msgs, "each ticket id once")
    return pd.array(ids, dtype="string")


def _ticket_dates(
    table: Table,
    problems: Problems,
    notes: list[str],
    warnings: list[str],
    *,
    dayfirst: bool | None,
    timezone: str | None,
    date_format: str | None,
    max_response_hours: float,
) -> dict[str, Any]:
    """Opened, first response and resolved; a first response given as a duration goes to response_hours."""
    n = len(table.data)
    label = table.mapping.labels
    unit = table.mapping.units.get("first_response", "hours")
    out: dict[str, Any] = {"response_hours": np.full(n, np.nan), "response_business_hours": np.full(n, np.nan)}
    zoned: list[str] = []
    shift = {c: np.zeros(n, dtype="timedelta64[ns]") for c in ("opened", "first_response", "resolved")}
    for col in shift:
        out[col] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
        if col not in table.values:
            continue
        raw = table.values[col]
        parsed = parse_dates(
            raw, dayfirst=dayfirst, timezone=timezone, excel_numbers=table.grid.kind == "XLSX", date_format=date_format
        )
        if col == "first_response" and (durations := _response_durations(raw, parsed, unit)):
            hours, bad = durations
            business = "business" in normalise_name(label[col])
            out["response_business_hours" if business else "response_hours"] = hours
            clock = " (business hours)" if business else " (wall-clock)"
            notes.append(f"first response read as a duration in {unit} from {label[col]!r}{clock}")
            _check_hours(
                problems,
                label[col],
                raw,
                hours,
                bad,
                maximum=max_response_hours,
                too_long="is an implausibly long response",
                at_most=f"at most {max_response_hours:,.0f} hours",
            )
            continue
        out[col] = check_dates(
            problems,
            label[col],
            raw,
            parsed,
            expected=_SPECS["opened"].expected,
            required="the date the ticket was opened (required)" if col == "opened" else None,
        )
        if dayfirst is None and any(AMBIGUOUS in w for w in parsed.warnings):
            _ask_order(table, label[col], raw)
        notes += [f"{label[col]}: {t}" for t in parsed.notes]
        warnings += [f"{label[col]}: {t}" for t in parsed.warnings]
        zoned += [label[col]] if parsed.zoned else []
        shift[col] = shift[col] if parsed.shift is None else parsed.shift
    warnings += (
        [f"dates in {', '.join(repr(z) for z in zoned)} {ZONE_NOT_STATED}"] if zoned and timezone is None else []
    )
    if shift["first_response"].any():  # elapsed on absolute time: across a DST change local clocks gain or lose 1 h
        out["response_hours"] = (
            (out["first_response"] - shift["first_response"]) - (out["opened"] - shift["opened"])
        ).dt.total_seconds().to_numpy(dtype=float) / 3600
    shown_opened = None
    for col, what in (("first_response", "first response"), ("resolved", "resolved")):
        # On absolute time: in a zone's autumn change 00:30Z -> 01:10Z reads 02:30 -> 02:10 local.
        before = (out[col] - shift[col] < out["opened"] - shift["opened"]).to_numpy()
        if not before.any():
            continue
        if shown_opened is None:
            shown_opened = [f"{o:%Y-%m-%d %H:%M}" if pd.notna(o) else "" for o in out["opened"]]
        problems.add_mask(
            before,
            label[col],
            table.values[col],
            [f"is before the opened date {o} ({what} before opened)" for o in shown_opened],
            f"a date on or after the opened date ({label['opened']})",
        )
    return out


def _ask_order(table: Table, column: str, raw: Sequence[Cell]) -> None:
    """Refuse a column whose numeric dates read both ways (no day above 12): the user says which."""
    example = next((v for v in raw if isinstance(v, str) and v.strip()[:1].isdigit()), "03/04/2024")
    raise DataError(
        f"{_where(table.grid)}: column {column!r} has dates such as {example.strip()!r} that read both as day/month "
        "and as month/day, and no value decides (none has a day above 12). Pass dayfirst=True if they are "
        "day/month (03/04 is 3 April), dayfirst=False if they are month/day (03/04 is March 4).",
        source=table.grid.name,
    )


def _response_durations(raw: Sequence[Cell], parsed: DateResult, unit: str) -> tuple[np.ndarray, np.ndarray] | None:
    """``(hours, bad)`` when a first-response column holds durations (Zendesk, Freshservice), not times; else None."""
    nonblank = ~blank_mask(raw)
    if not nonblank.any() or parsed.bad[nonblank].mean() <= 0.5:
        return None
    hours, bad = parse_durations(raw, unit)
    return (hours, bad) if (~bad[nonblank]).mean() >= 0.5 else None


def _check_hours(
    problems: Problems,
    column: str,
    raw: Sequence[Cell],
    hours: np.ndarray,
    bad: np.ndarray,
    *,
    maximum: float,
    too_long: str,
    at_most: str,
) -> None:
    problems.add_mask(bad, column, raw, "is not a duration", _SPECS["work_hours"].expected)
    problems.add_mask(hours < 0, column, raw, "is a negative duration", "a duration of 0 or more")
    problems.add_mask(hours > maximum, column, raw, too_long, at_most)


def _priorities(
    table: Table, problems: Problems, priority_map: dict[Any, str | None] | None, notes: list[str]
) -> pd.Categorical:
    """p1-p4; tickets a priority_map leaves out are set aside (never a problem), unknown ones are problems."""
    raw = table.values["priority"]
    label = table.mapping.labels["priority"]
    cache: dict = {}
    got: list[str | None] = []
    for v in raw:
        if cell_is_blank(v):
            got.append(None)
            continue
        key = v if isinstance(v, (str, int, float)) else str(v)
        if key not in cache:
            cache[key] = parse_priority(key, priority_map)
        got.append(cache[key])
    blank = blank_mask(raw)
    unknown = np.array([p is None for p in got], dtype=bool) & ~blank
    excluded = np.array([p == _EXCLUDE for p in got], dtype=bool)
    problems.add_mask(blank, label, None, "is empty", "a priority (P1-P4, Critical/High/Medium/Low ...)")
    problems.add_mask(unknown, label, raw, "is not a known priority", _SPECS["priority"].expected)
    if unknown.any():
        counts = pd.Series([shown(v) for v, u in zip(raw, unknown) if u]).astype(str).value_counts()
        listed = ", ".join(f"{k!r} ({c:,} row{'s' if c != 1 else ''})" for k, c in counts.head(10).items())
        proposed = {k: guess_priority(k) for k in counts.index[:10]}
        problems.hints.append(
            f"Unknown priority values: {listed}. Map them with priority_map={proposed!r} "
            "(a guess from the nearest known word: check each; map a value to None to leave such tickets out)."
        )
    if excluded.any():
        problems.leave_out(excluded, label, raw, "is left out by priority_map", "a priority the analysis uses")
        notes.append(f"{int(excluded.sum()):,} tickets left out by priority_map")
    keep = np.array(got, dtype=object)
    keep[excluded | unknown | blank] = None
    return pd.Categorical(keep, categories=list(PRIORITIES))


def _work_hours(table: Table, problems: Problems, notes: list[str], max_work_hours: float) -> np.ndarray:
    if "work_hours" not in table.values:
        return np.full(len(table.data), np.nan)
    label = table.mapping.labels["work_hours"]
    raw = table.values["work_hours"]
    unit = table.mapping.units.get("work_hours", "hours")
    hours, bad = parse_durations(raw, unit)
    _check_hours(
        problems,
        label,
        raw,
        hours,
        bad,
        maximum=max_work_hours,
        too_long=f"is implausible for one ticket ({unit})",
        at_most=f"at most {max_work_hours:,.0f} hours (pass max_work_hours= if it is real)",
    )
    if unit != "hours":
        notes.append(f"work read in {unit} from {label!r}, converted to hours")
    return hours


def _flags(table: Table, problems: Problems, col: str) -> pd.Series:
    if col not in table.values:
        return pd.array([pd.NA] * len(table.data), dtype="boolean")
    flags, bad = parse_booleans(table.values[col])
    problems.add_mask(bad, table.mapping.labels[col], table.values[col], "is not a yes/no value", _SPECS[col].expected)
    return flags


def _users_affected(table: Table, problems: Problems) -> pd.arrays.IntegerArray:
    if "users_affected" not in table.values:
        return pd.array([pd.NA] * len(table.data), dtype="Int64")
    raw = table.values["users_affected"]
    counts, bad = parse_counts(raw)
    problems.add_mask(
        bad,
        table.mapping.labels["users_affected"],
        raw,
        "is not a whole number of users",
        _SPECS["users_affected"].expected,
    )
    whole = counts.astype(object)
    whole[np.isnan(counts)] = None
    return pd.array(whole, dtype="Int64")
