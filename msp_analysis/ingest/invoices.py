"""Break/Fix invoices: read what the client actually paid.

:func:`load_invoices` reads an invoice list (CSV or XLSX: date, amount, and
optionally hours, description, invoice number) with the same validation as
:func:`.load_tickets`: every problem raises :class:`msp_analysis.DataError`
naming file, row, column, value and what was expected.

Holding the model against what was paid is
:func:`msp_analysis.decisions.invoice_check.compare_invoices`.

Examples
--------
>>> csv = b"Invoice Date,Hours,Amount\\n2024-01-31,20.5,\\"$3,120.00\\"\\n2024-02-29,18,2710.5\\n"
>>> invoices, report = load_invoices(csv, name="invoices.csv")
>>> invoices["amount"].tolist()
[3120.0, 2710.5]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .blanks import clear_markers
from .cells import blank_mask
from .columns import ColumnSpec, aliases
from .dates import check_dates, parse_dates
from .durations import parse_durations
from .money import parse_money
from .problems import LoadReport, Problems, finish, guard
from .sources import MAX_BYTES
from .tables import Table, read_table
from .vendors import INVOICE_ALIASES

__all__ = ["INVOICE_COLUMNS", "load_invoices", "parse_money"]

#: The columns of an invoice table, with the names common accounting exports give them.
INVOICE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "invoice_id",
        "id",
        False,
        aliases(
            "invoice number|invoice no|invoice nbr|invoice num|invoice id|invoice|invoice ref|bill number|bill no|"
            "document number|doc number|reference|ref|number|no"
        )
        + INVOICE_ALIASES["invoice_id"],
        "an invoice number",
        doc="Invoice number",
    ),
    ColumnSpec(
        "date",
        "date",
        True,
        aliases(
            "invoice date|date|bill date|billing date|issue date|date issued|issued|issued on|posted|posting date|"
            "transaction date|txn date|service date|date of service|period|month|invoice period|paid date|"
            "date paid|payment date"
        )
        + INVOICE_ALIASES["date"],
        "a date such as 2024-03-31",
        doc="Invoice date",
    ),
    ColumnSpec(
        "hours",
        "duration",
        False,
        aliases(
            "hours|billable hours|hours billed|billed hours|labor hours|labour hours|total hours|qty hours|"
            "quantity hours|time|time billed"
        )
        + INVOICE_ALIASES["hours"],
        "hours such as 12.5",
        doc="Hours billed",
    ),
    ColumnSpec(
        "amount",
        "money",
        True,
        aliases(
            "line amount|amount|total|invoice total|total amount|invoice amount|amount paid|paid|net|net amount|subtotal|"
            "sub total|charge|charges|amount due|total due|gross|gross amount|line total|value|cost|price|"
            "amount usd|amount eur|amount gbp|total usd|total eur|total gbp"
        )
        + INVOICE_ALIASES["amount"],
        "an amount such as 1234.50 or $1,234.50",
        doc="Amount invoiced",
    ),
    ColumnSpec(
        "description",
        "text",
        False,
        aliases("description|memo|details|item|items|line description|notes|note|service|summary")
        + INVOICE_ALIASES["description"],
        "a text",
        doc="What was billed",
    ),
)

# ---------------------------------------------------------------------------
# load_invoices
# ---------------------------------------------------------------------------

INVOICE_OUTPUT = ("row", "invoice_id", "date", "hours", "amount", "description")


@guard
def load_invoices(
    source: Any,
    column_map: Mapping[str, str | None] | None = None,
    lenient: bool = False,
    sheet: str | int | None = None,
    *,
    name: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    dayfirst: bool | None = None,
    header_row: int | None = None,
    max_amount: float = 10_000_000.0,
    max_hours: float = 10_000.0,
    max_bytes: int = MAX_BYTES,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a list of Break/Fix invoices (CSV or XLSX) into a clean, typed table.

    Required columns: ``date`` and ``amount``; optional ``hours``,
    ``description``, ``invoice_id`` (see :data:`INVOICE_COLUMNS` for the names
    recognised). Amounts may carry currency symbols, thousands separators and
    parentheses for credits; negative amounts (credit notes) are kept and
    counted in the report. Parameters as in :func:`.load_tickets`.

    Returns
    -------
    invoices : pandas.DataFrame
        Columns ``row`` (as numbered in the file), ``invoice_id`` (string),
        ``date`` (datetime64), ``hours`` and ``amount`` (float),
        ``description`` (string).
    report : LoadReport
    """
    table, problems = read_table(
        source,
        INVOICE_COLUMNS,
        name=name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        column_map=column_map,
        header_row=header_row,
        max_bytes=max_bytes,
    )
    label = table.mapping.labels
    notes: list[str] = []
    warnings: list[str] = []
    clear_markers(table, ("hours", "description", "invoice_id"), (), warnings)
    out: dict[str, Any] = {"row": table.numbers.astype(np.int64)}
    raw = table.values["date"]
    parsed = parse_dates(raw, dayfirst=dayfirst, excel_numbers=table.grid.kind == "XLSX")
    out["date"] = check_dates(
        problems,
        label["date"],
        raw,
        parsed,
        expected="a date such as 2024-03-31",
        required="the invoice date (required)",
    )
    notes += [f"{label['date']}: {t}" for t in parsed.notes]
    warnings += [f"{label['date']}: {t}" for t in parsed.warnings]
    out["amount"] = _amounts(table, problems, notes, max_amount)
    out["hours"] = _hours(table, problems, max_hours)
    out["invoice_id"] = table.text("invoice_id")
    out["description"] = table.text("description")
    frame = pd.DataFrame({c: out[c] for c in INVOICE_OUTPUT})
    if "invoice_id" in label:
        _repeated_lines(problems, label["invoice_id"], frame)
    credits = int((out["amount"] < 0).sum())
    if credits:
        notes.append(f"{credits:,} negative amounts (credit notes) kept: they reduce the total paid")
    return finish(table, problems, frame, lenient=lenient, notes=notes, warnings=warnings, period_column="date")


def _amounts(table: Table, problems: Problems, notes: list[str], max_amount: float) -> np.ndarray:
    """The amount column: unreadable, empty and implausibly large amounts are problems."""
    label, raw = table.mapping.labels["amount"], table.values["amount"]
    amount, bad, decimal = parse_money(raw)
    problems.add_mask(bad, label, raw, "is not an amount", "an amount such as 1234.50 or $1,234.50")
    problems.add_mask(blank_mask(raw), label, None, "is empty", "the amount invoiced (required)")
    problems.add_mask(
        np.abs(amount) > max_amount,
        label,
        raw,
        "is implausibly large for one invoice line",
        f"at most {max_amount:,.0f} (pass max_amount= if it is real)",
    )
    if decimal == ",":
        notes.append(f"{label}: amounts read with a decimal comma, points grouping thousands (1.234,50)")
    return amount


def _hours(table: Table, problems: Problems, max_hours: float) -> np.ndarray:
    """The hours billed (NaN without the column); unreadable, negative and implausibly many hours are problems."""
    if "hours" not in table.mapping.columns:
        return np.full(len(table.data), np.nan)
    label, raw = table.mapping.labels["hours"], table.values["hours"]
    hours, bad = parse_durations(raw, table.mapping.units.get("hours", "hours"))
    problems.add_mask(bad, label, raw, "is not a number of hours", "hours such as 12.5 or 12:30")
    problems.add_mask(hours < 0, label, raw, "is negative", "hours of 0 or more")
    problems.add_mask(hours > max_hours, label, raw, "is implausibly many hours", f"at most {max_hours:,.0f}")
    return hours


def _repeated_lines(problems: Problems, label: str, frame: pd.DataFrame) -> None:
    """Lines that repeat an earlier one exactly (same number, date, amount, hours and text): exported twice."""
    cols = ["invoice_id", "date", "amount", "hours", "description"]
    key = pd.Series(list(zip(*(frame[c].astype(object).where(frame[c].notna(), None) for c in cols))))
    dup = key.duplicated(keep="first").to_numpy()
    if dup.any():
        first = dict(zip(key[::-1], frame["row"][::-1]))
        msgs = [f"repeats an earlier line exactly (row {first[k]})" for k in key]
        problems.add_mask(dup, label, frame["invoice_id"].astype(object).tolist(), msgs, "each invoice line once")
