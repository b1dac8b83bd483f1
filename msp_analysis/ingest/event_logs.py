"""Event and audit logs: many rows per ticket (one per change), collapsed to one row per ticket.

ServiceNow's incident event log, and audit exports of other helpdesks, write a
row each time a ticket changes: its state, priority, category or time worked
after the change, with the time of the change. Read as a ticket table every
row would be a "repeated ticket id"; keeping each ticket's first row would
take priorities as they were before triage. :func:`detect` recognises such a
log (repeated ids, and a state or update-time column) and :func:`collapse`
makes one row per ticket out of it:

- its **final state**: the last priority and category (in the order of the
  update times, else of the file), the first opening, the earliest first
  response, the last resolution (a reopened ticket stays one ticket);
- **work**: the last value where the log keeps a running total (every
  ticket's values never fall), the sum where it logs increments -- and the
  note says which;
- on site / after hours if any row says so, users affected at the largest;
- or, with ``keep="first"``, each ticket's first row as it was.

Examples
--------
>>> rows = pd.DataFrame({
...     "row": [2, 3, 4], "ticket_id": ["INC1", "INC1", "INC2"],
...     "opened": pd.to_datetime(["2026-01-05 09:00"] * 2 + ["2026-01-06 10:00"]),
...     "priority": pd.Categorical(["p3", "p1", "p4"], categories=["p1", "p2", "p3", "p4"]),
...     "work_hours": [0.5, 1.5, 2.0]})
>>> tickets, notes = collapse(rows, updated=None)
>>> tickets[["ticket_id", "priority", "work_hours"]].to_dict("records")
[{'ticket_id': 'INC1', 'priority': 'p1', 'work_hours': 1.5}, {'ticket_id': 'INC2', 'priority': 'p4', 'work_hours': 2.0}]
>>> notes[0]
'event log: 3 rows collapsed to 2 tickets (1 to 2 rows per ticket, median 1.5), each at its final state (last priority and category, first opening, earliest first response, last resolution)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DataError
from .cells import parse_texts
from .columns import normalise_name
from .dates import parse_dates
from .problems import LoadReport
from .vendors import EVENT_LOG_STATE, EVENT_LOG_UPDATED

if TYPE_CHECKING:  # for annotations only: the loader passes its table in
    from .tables import Table

__all__ = ["EventLog", "apply", "collapse", "detect", "prepare", "update_column"]

#: How the log's rows become one ticket: the final state, or each ticket's first row.
KEEP = ("final", "first")


def update_column(header: Sequence[str], used: Sequence[int]) -> tuple[int | None, int | None]:
    """Positions of the update-time and the state columns of a header (None where absent), unused columns only."""
    norm = [normalise_name(h) for h in header]

    def find(names: Sequence[str]) -> int | None:
        for name in names:
            for j, n in enumerate(norm):
                if n == name and j not in used:
                    return j
        return None

    return find(EVENT_LOG_UPDATED), find(EVENT_LOG_STATE)


def detect(ids: pd.Series, header: Sequence[str], used: Sequence[int]) -> bool:
    """Whether a table is an event log: some ticket id repeats, and it has an update-time or a state column.

    Examples
    --------
    >>> detect(pd.Series(["A", "A", "B"]), ["number", "incident_state", "priority"], [0, 2])
    True
    >>> detect(pd.Series(["A", "A", "B"]), ["number", "priority"], [0, 1])
    False
    """
    key = ids.dropna().astype(str).str.casefold()
    if not key.duplicated().any():
        return False
    updated, state = update_column(header, used)
    return updated is not None or state is not None


def _key(ids: pd.Series) -> pd.Series:
    return ids.astype("string").str.casefold().str.replace(r"\s+", " ", regex=True)


def collapse(frame: pd.DataFrame, updated: pd.Series | None, keep: str = "final") -> tuple[pd.DataFrame, list[str]]:
    """One row per ticket from an event log's rows (typed as :func:`.load_tickets` types them), and notes.

    ``updated`` gives each row's update time (aligned with ``frame``; None:
    the file's order is the order of the changes). Long because each column
    has its own rule, stated in the module's docstring, and the notes say
    which rule was applied and how many rows each ticket had.
    """
    n_rows = len(frame)
    order = pd.DataFrame({"key": _key(frame["ticket_id"]), "pos": np.arange(n_rows)})
    order["t"] = updated.to_numpy() if updated is not None else pd.NaT
    if updated is not None and _newest_first(order):
        order["pos"] = -order["pos"]  # a log exported newest first: among equal times, the lower row is older
    # update time first, file order among equal (or missing) times; NaT sorts last within a ticket
    order = order.sort_values(["key", "t", "pos"], kind="stable", na_position="last")
    order["pos"] = order["pos"].abs()
    rows = frame.iloc[order["pos"].to_numpy()].reset_index(drop=True)
    key = order["key"].to_numpy()
    groups = rows.groupby(key, sort=False)
    sizes = groups.size()
    if keep == "first":
        out = groups.head(1).reset_index(drop=True)
        how = "each ticket's first row as logged (priority and category before any change)"
        work_note = None
    else:
        first = groups.first()  # first non-null per column, in the order of the changes
        last = groups.last()  # last non-null per column
        out = first.copy()
        out["row"] = groups["row"].min()
        for col in ("opened", "first_response", "response_hours", "response_business_hours"):
            if col in rows:
                out[col] = groups[col].min()
        if "resolved" in rows:
            out["resolved"] = groups["resolved"].max()
        for col in ("priority", "category"):
            if col in rows:
                out[col] = last[col]
        for col in ("onsite", "after_hours"):
            if col in rows:
                out[col] = groups[col].max()
        if "users_affected" in rows:
            out["users_affected"] = groups["users_affected"].max()
        work_note = None
        if "work_hours" in rows and rows["work_hours"].notna().any():
            running = _running_total(rows["work_hours"], key)
            out["work_hours"] = last["work_hours"] if running else groups["work_hours"].sum(min_count=1)
            work_note = (
                "event log: work read as a running total (every ticket's values never fall): each ticket's last value"
                if running
                else "event log: work read as increments (some ticket's values fall): summed per ticket"
            )
        out = out.reset_index(drop=True)
        how = "each at its final state (last priority and category, first opening, earliest first response, last resolution)"
    out = out[list(frame.columns)]
    for col in frame.columns:  # the groupby loses categorical and nullable dtypes on some columns: restore them
        if out[col].dtype != frame[col].dtype:
            out[col] = out[col].astype(frame[col].dtype)
    notes = [
        f"event log: {n_rows:,} rows collapsed to {len(out):,} tickets ({int(sizes.min())} to {int(sizes.max())} "
        f"rows per ticket, median {float(sizes.median()):g}), {how}"
    ]
    if work_note:
        notes.append(work_note)
    return out.sort_values("row", kind="stable").reset_index(drop=True), notes


def _newest_first(order: pd.DataFrame) -> bool:
    """Whether, within tickets, the file lists later changes above earlier ones more often than below."""
    same = order["key"].to_numpy()[1:] == order["key"].to_numpy()[:-1]
    step = order["t"].diff().to_numpy()[1:][same]
    step = step[~np.isnat(step)]
    return bool((step < np.timedelta64(0)).sum() > (step > np.timedelta64(0)).sum())


def _running_total(work: pd.Series, key: np.ndarray) -> bool:
    """Whether work per ticket never falls from one logged value to the next (a running total, not increments)."""
    values = work.to_numpy(dtype=float)
    known = ~np.isnan(values)
    v, k = values[known], key[known]
    if v.size < 2:
        return True
    same = k[1:] == k[:-1]
    if not same.any():
        return True
    return bool((np.diff(v)[same] >= 0).all())


# ---------------------------------------------------------------------------
# In the ticket loader
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLog:
    """An event log found in a table: how to collapse it, and each data row's update time (by file row)."""

    keep: str
    updated: pd.Series | None  # update time, indexed by the file's row number
    label: str  # the column the order of the changes comes from, or "the file's order"


def prepare(table: Table, event_log: str | None) -> EventLog | None:
    """The event log in a ticket table, or None; ``event_log``: None (collapse if found), "first", or "off"."""
    if event_log not in (None, "final", "first", "off"):
        raise DataError(f"event_log={event_log!r}; expected None (collapse when found), 'final', 'first' or 'off'")
    if event_log == "off" or "ticket_id" not in table.values:
        return None
    used = list(table.mapping.columns.values())
    ids = parse_texts(table.values["ticket_id"])
    if not detect(ids, table.header, used) and event_log is None:
        return None
    updated_at, _state = update_column(table.header, used)
    if updated_at is None:
        return EventLog(event_log or "final", None, "the file's order")
    raw = table.data[updated_at].tolist()
    parsed = parse_dates(raw, excel_numbers=table.grid.kind == "XLSX")
    return EventLog(
        event_log or "final", pd.Series(parsed.values.to_numpy(), index=table.numbers), table.header[updated_at]
    )


def apply(frame: pd.DataFrame, report: LoadReport, log: EventLog) -> tuple[pd.DataFrame, LoadReport]:
    """The loaded rows collapsed to one per ticket; the report says so, with the ticket count and the counts by priority."""
    updated = None if log.updated is None else log.updated.reindex(frame["row"].to_numpy()).reset_index(drop=True)
    tickets, notes = collapse(frame, updated, log.keep)
    notes.append(
        f"event log: the order of each ticket's changes is that of {log.label!r}"
        if log.updated is not None
        else "event log: the order of each ticket's changes is the file's order (no update-time column)"
    )
    counts = {k: int(v) for k, v in tickets["priority"].value_counts(sort=False).items()}
    return tickets, replace(report, notes=(*report.notes, *notes), counts=counts, tickets=len(tickets))
