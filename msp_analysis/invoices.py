"""Break/Fix invoices: read what the client actually paid, and hold the model against it.

:func:`load_invoices` reads an invoice list (CSV or XLSX: date, amount, and
optionally hours, description, invoice number) with the same validation as
:func:`.load_tickets`: every problem raises :class:`msp_analysis.DataError`
naming file, row, column, value and what was expected.

:func:`compare_invoices` answers "would the model have predicted last year's
bills?": the expected Break/Fix fees for the invoices' period (exact, from
:func:`msp_analysis.expected.expected_components`), the simulated 90 % range
of fees over a period of that length, what the client's own tickets come to
at the scenario's hourly terms (when a ticket table is given), and a
plain-language verdict.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> csv = b"Invoice Date,Hours,Amount\\n2024-01-31,20.5,\\"$3,120.00\\"\\n2024-02-29,18,2710.5\\n"
>>> invoices, report = load_invoices(csv, name="invoices.csv")
>>> invoices["amount"].tolist()
[3120.0, 2710.5]
>>> result = compare_invoices(sample_scenario(), invoices, trials=500, seed=1)
>>> float(result.table.loc["invoices paid", "amount"])
5830.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DataError
from .parsing import blank_mask, parse_dates, parse_durations, parse_money
from .readers import MAX_BYTES, ColumnSpec, aliases, check_dates, finish, guard, read_table

__all__ = ["INVOICE_COLUMNS", "InvoiceComparison", "compare_invoices", "load_invoices", "parse_money"]

#: The columns of an invoice table, with the names common accounting exports give them.
INVOICE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "invoice_id",
        "id",
        False,
        aliases(
            "invoice number|invoice no|invoice nbr|invoice num|invoice id|invoice|invoice ref|bill number|bill no|"
            "document number|doc number|reference|ref|number|no"
        ),
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
        ),
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
        ),
        "hours such as 12.5",
        doc="Hours billed",
    ),
    ColumnSpec(
        "amount",
        "money",
        True,
        aliases(
            "amount|total|invoice total|total amount|invoice amount|amount paid|paid|net|net amount|subtotal|"
            "sub total|charge|charges|amount due|total due|gross|gross amount|line total|value|cost|price|"
            "amount usd|amount eur|amount gbp|total usd|total eur|total gbp"
        ),
        "an amount such as 1234.50 or $1,234.50",
        doc="Amount invoiced",
    ),
    ColumnSpec(
        "description",
        "text",
        False,
        aliases("description|memo|details|item|items|line description|notes|note|service|summary"),
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
    source,
    column_map: Mapping[str, str] | None = None,
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
) -> tuple[pd.DataFrame, object]:
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
    n = len(table.data)
    label = table.mapping.labels
    notes: list[str] = []
    warnings: list[str] = []
    out: dict = {"row": table.numbers.astype(np.int64)}

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

    raw = table.values["amount"]
    amount, bad, decimal = parse_money(raw)
    problems.add_mask(bad, label["amount"], raw, "is not an amount", "an amount such as 1234.50 or $1,234.50")
    problems.add_mask(blank_mask(raw), label["amount"], None, "is empty", "the amount invoiced (required)")
    problems.add_mask(
        np.abs(amount) > max_amount,
        label["amount"],
        raw,
        "is implausibly large for one invoice line",
        f"at most {max_amount:,.0f} (pass max_amount= if it is real)",
    )
    if decimal == ",":
        notes.append(f"{label['amount']}: amounts read with a decimal comma, points grouping thousands (1.234,50)")
    out["amount"] = amount

    out["hours"] = np.full(n, np.nan)
    if "hours" in table.mapping.columns:
        raw = table.values["hours"]
        hours, bad = parse_durations(raw, table.mapping.units.get("hours", "hours"))
        problems.add_mask(bad, label["hours"], raw, "is not a number of hours", "hours such as 12.5 or 12:30")
        problems.add_mask(hours < 0, label["hours"], raw, "is negative", "hours of 0 or more")
        problems.add_mask(
            hours > max_hours, label["hours"], raw, "is implausibly many hours", f"at most {max_hours:,.0f}"
        )
        out["hours"] = hours

    out["invoice_id"] = table.text("invoice_id")
    out["description"] = table.text("description")
    frame = pd.DataFrame({c: out[c] for c in INVOICE_OUTPUT})
    if "invoice_id" in label:
        cols = ["invoice_id", "date", "amount", "hours", "description"]
        key = pd.Series(list(zip(*(frame[c].astype(object).where(frame[c].notna(), None) for c in cols))))
        dup = key.duplicated(keep="first").to_numpy()
        if dup.any():
            first = dict(zip(key[::-1], frame["row"][::-1]))
            msgs = [f"repeats an earlier line exactly (row {first[k]})" for k in key]
            problems.add_mask(
                dup, label["invoice_id"], frame["invoice_id"].astype(object).tolist(), msgs, "each invoice line once"
            )
    credits = int((amount < 0).sum())
    if credits:
        notes.append(f"{credits:,} negative amounts (credit notes) kept: they reduce the total paid")
    return finish(table, problems, frame, lenient=lenient, notes=notes, warnings=warnings, period_column="date")


# ---------------------------------------------------------------------------
# compare_invoices
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceComparison:
    """What the model says Break/Fix would have cost for the invoices' period, beside what was paid.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``invoices paid``, ``model expected``, ``model P5``, ``model
        P50``, ``model P95`` and (with tickets) ``tickets at the scenario's
        terms``; columns ``amount`` and ``hours``.
    verdict : str
        The finding in plain language.
    percentile : float
        Share of simulated periods whose Break/Fix fees are at most what was paid.
    period : tuple of Timestamps
        Start (inclusive) and end (exclusive).
    years : float
        Length of the period in years.
    """

    table: pd.DataFrame
    verdict: str
    percentile: float
    period: tuple
    years: float
    notes: tuple = field(default=())

    def __str__(self) -> str:
        return self.verdict


def _invoice_period(dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the first day of the first invoice's month to the day after the last invoice's month."""
    first, last = dates.min(), dates.max()
    start = first.to_period("M").to_timestamp()
    end = (last.to_period("M") + 1).to_timestamp()
    return start, end


def compare_invoices(
    scenario,
    invoices: pd.DataFrame,
    tickets: pd.DataFrame | None = None,
    *,
    period: tuple | None = None,
    trials: int = 4000,
    seed=0,
) -> InvoiceComparison:
    """Model's Break/Fix fees for the invoices' period vs what the invoices say was paid.

    Parameters
    ----------
    scenario : Scenario
        Usually the client's scenario (calibrated on their tickets).
    invoices : pandas.DataFrame
        From :func:`load_invoices` (``date``, ``amount``, optional ``hours``).
    tickets : pandas.DataFrame, optional
        From :func:`.load_tickets`: adds what the logged tickets come to at
        the scenario's hourly terms (a check of the billing terms that does
        not depend on the incident model).
    period : (start, end), optional
        Period the invoices cover (end exclusive); by default whole months
        from the first invoice's month to the last's.
    trials, seed :
        Simulation of the fees over a period of that length (P5, P50, P95).

    Notes
    -----
    The simulated range comes from a scenario whose incident rates are
    multiplied by the period's length in years: counts over ``T`` years are
    Poisson with ``T`` times the annual mean, so this is exact for any ``T``
    (the annual escalator is ignored within the period).
    """
    from .expected import expected_components
    from .incidents import incident_plan
    from .plotting import money
    from .scenario import PRIORITIES
    from .simulation import simulate

    if not isinstance(invoices, pd.DataFrame) or not {"date", "amount"} <= set(invoices.columns):
        raise DataError("compare_invoices: expected the invoice table from load_invoices (with 'date' and 'amount')")
    inv = invoices[invoices["date"].notna() & invoices["amount"].notna()]
    if inv.empty:
        raise DataError("compare_invoices: no invoices with a date and an amount")
    if period is None:
        start, end = _invoice_period(pd.to_datetime(inv["date"]))
    else:
        start, end = (pd.Timestamp(x) for x in period)
        if not end > start:
            raise ValueError(f"period: the end {end} must come after the start {start}")
        inv = inv[(inv["date"] >= start) & (inv["date"] < end)]
    years = (end - start) / pd.Timedelta(days=365.25)
    sym = scenario.organization.currency_symbol
    paid = float(inv["amount"].sum())
    paid_hours = float(inv["hours"].sum()) if "hours" in inv and inv["hours"].notna().any() else math.nan

    comps = expected_components(scenario)["break_fix"]
    exp_fees = comps["fees"] * years
    exp_hours = (
        sum(
            plan.rate * cat.probability * cat.moments.mean_billed
            for plan in incident_plan(scenario)
            for cat in plan.categories
        )
        * years
    )
    scaled = scenario.replace(
        {
            f"incidents.{p}.rate_per_user_year": min(scenario.incidents[p].rate_per_user_year * years, 1000.0)
            for p in PRIORITIES
        }
    )
    fees = simulate(scaled, trials=trials, seed=seed, progress=False).break_fix.trials["fees"].to_numpy()
    p5, p50, p95 = np.quantile(fees, [0.05, 0.5, 0.95])
    pct = float((fees <= paid).mean())
    rows = {
        "invoices paid": (paid, paid_hours),
        "model expected": (exp_fees, exp_hours),
        "model P5": (p5, math.nan),
        "model P50": (p50, math.nan),
        "model P95": (p95, math.nan),
    }
    ticket_amount = None
    if tickets is not None:
        from .synthetic import bill_tickets

        t = tickets[(tickets["opened"] >= start) & (tickets["opened"] < end)]
        billed = bill_tickets(scenario, t)
        ticket_amount = float(billed["amount"].sum())
        rows["tickets at the scenario's terms"] = (ticket_amount, float(billed["billed_hours"].sum()))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["amount", "hours"])
    table.index.name = "what"

    span = f"{start:%b %Y} to {(end - pd.Timedelta(days=1)):%b %Y} ({years:.2f} years)"
    head = (
        f"Paid {money(paid, sym)} in Break/Fix invoices over {span}; the model expects {money(exp_fees, sym)} "
        f"(90% range {money(p5, sym)} to {money(p95, sym)})."
    )
    if p5 <= paid <= p95:
        verdict = (
            head
            + " What was paid is inside the range: the scenario's Break/Fix assumptions are consistent with the invoices."
        )
    elif paid > p95:
        verdict = head + (
            " What was paid is above the model's 95th percentile: the scenario understates this client's Break/Fix cost "
            "(more incidents, longer work or dearer terms than assumed). Calibrate the incidents on the ticket log and check the hourly terms."
        )
    else:
        verdict = head + (
            " What was paid is below the model's 5th percentile: the scenario overstates this client's Break/Fix cost "
            "(fewer incidents, shorter work or cheaper terms than assumed), or some invoices are missing."
        )
    if ticket_amount is not None and paid > 0:
        gap = ticket_amount / paid - 1
        if abs(gap) < 0.005:
            verdict += (
                f" Billing the logged tickets at the scenario's terms gives {money(ticket_amount, sym)}, what was "
                "paid: the hourly terms match the invoices."
            )
        elif abs(gap) <= 0.10:
            verdict += (
                f" Billing the logged tickets at the scenario's terms gives {money(ticket_amount, sym)}, within "
                f"{abs(gap):.0%} of what was paid: the hourly terms match the invoices."
            )
        else:
            verdict += (
                f" Billing the logged tickets at the scenario's terms gives {money(ticket_amount, sym)}, "
                f"{abs(gap):.0%} {'more' if gap > 0 else 'less'} than was paid: check the hourly rates, minimums and "
                "trip fees, and whether all billed work appears in the ticket log."
            )
    return InvoiceComparison(table, verdict, pct, (start, end), float(years))
