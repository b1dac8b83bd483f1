"""Would the model have predicted last year's Break/Fix bills?

:func:`compare_invoices` holds invoices read by
:func:`msp_analysis.load_invoices` against the model: the expected Break/Fix
fees for the invoices' period (exact, from
:func:`msp_analysis.engine.expected.expected_components`), the simulated 90 %
range of fees over a period of that length, what the client's own tickets
come to at the scenario's hourly terms (when a ticket table is given), and a
plain-language verdict.

Examples
--------
>>> from msp_analysis import load_invoices, sample_scenario
>>> csv = b"Invoice Date,Hours,Amount\\n2024-01-31,20.5,\\"$3,120.00\\"\\n2024-02-29,18,2710.5\\n"
>>> invoices, report = load_invoices(csv, name="invoices.csv")
>>> result = compare_invoices(sample_scenario(), invoices, trials=500, seed=1)
>>> float(result.table.loc["invoices paid", "amount"])
5830.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..engine.expected import expected_components
from ..engine.simulation import SeedLike, simulate
from ..errors import DataError
from ..formatting import money
from ..ingest.synthetic import bill_tickets
from ..model.incidents import incident_plan
from ..model.scenario import PRIORITIES, Scenario

__all__ = ["InvoiceComparison", "compare_invoices"]


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
    scenario: Scenario,
    invoices: pd.DataFrame,
    tickets: pd.DataFrame | None = None,
    *,
    period: tuple[Any, Any] | None = None,
    trials: int = 4000,
    seed: SeedLike = 0,
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
    inv, start, end = _invoices_in_period(invoices, period)
    years = (end - start) / pd.Timedelta(days=365.25)
    sym = scenario.organization.currency_symbol
    paid = float(inv["amount"].sum())
    paid_hours = float(inv["hours"].sum()) if "hours" in inv and inv["hours"].notna().any() else math.nan

    exp_fees, exp_hours = _expected_fees_and_hours(scenario, years)
    fees = _simulated_fees(scenario, years, trials, seed)
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
    verdict = head + _range_finding(paid, p5, p95)
    if ticket_amount is not None and paid > 0:
        verdict += _terms_finding(ticket_amount, paid, sym)
    return InvoiceComparison(table, verdict, pct, (start, end), float(years))


def _invoices_in_period(
    invoices: pd.DataFrame, period: tuple[Any, Any] | None
) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    """The invoices with a date and an amount inside the period, and the period (given or whole months)."""
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
    return inv, start, end


def _expected_fees_and_hours(scenario: Scenario, years: float) -> tuple[float, float]:
    """Exact expected Break/Fix fees and billed hours over ``years``."""
    comps = expected_components(scenario)["break_fix"]
    exp_fees = comps["fees"] * years
    exp_hours = (
        sum(
            plan.rate * cat.probability * cat.moments.mean_billed
            for plan in incident_plan(scenario)
            for cat in plan.categories
        )
        + scenario.organization.project_hours_per_year  # project hours are billed too
    ) * years
    return exp_fees, exp_hours


def _simulated_fees(scenario: Scenario, years: float, trials: int, seed: SeedLike) -> np.ndarray:
    """Simulated Break/Fix fees over a period of ``years`` (rates scaled by the length: Poisson counts)."""
    scaled = scenario.replace(
        {
            f"incidents.{p}.rate_per_user_year": min(scenario.incidents[p].rate_per_user_year * years, 1000.0)
            for p in PRIORITIES
        }
        | {"organization.project_hours_per_year": min(scenario.organization.project_hours_per_year * years, 1e6)}
    )
    return simulate(scaled, trials=trials, seed=seed, progress=False).break_fix.trials["fees"].to_numpy()


def _range_finding(paid: float, p5: float, p95: float) -> str:
    """Where what was paid falls against the model's 90% range, and what that says."""
    if p5 <= paid <= p95:
        return (
            " What was paid is inside the range: the scenario's Break/Fix assumptions are consistent with the invoices."
        )
    if paid > p95:
        return (
            " What was paid is above the model's 95th percentile: the scenario understates this client's Break/Fix cost "
            "(more incidents, longer work or dearer terms than assumed). Calibrate the incidents on the ticket log and check the hourly terms."
        )
    return (
        " What was paid is below the model's 5th percentile: the scenario overstates this client's Break/Fix cost "
        "(fewer incidents, shorter work or cheaper terms than assumed), or some invoices are missing."
    )


def _terms_finding(ticket_amount: float, paid: float, sym: str) -> str:
    """What billing the logged tickets at the scenario's terms says about those terms."""
    gap = ticket_amount / paid - 1
    if abs(gap) < 0.005:
        return (
            f" Billing the logged tickets at the scenario's terms gives {money(ticket_amount, sym)}, what was "
            "paid: the hourly terms match the invoices."
        )
    if abs(gap) <= 0.10:
        return (
            f" Billing the logged tickets at the scenario's terms gives {money(ticket_amount, sym)}, within "
            f"{abs(gap):.0%} of what was paid: the hourly terms match the invoices."
        )
    return (
        f" Billing the logged tickets at the scenario's terms gives {money(ticket_amount, sym)}, "
        f"{abs(gap):.0%} {'more' if gap > 0 else 'less'} than was paid: check the hourly rates, minimums and "
        "trip fees, and whether all billed work appears in the ticket log."
    )
