"""Synthetic client data generated from a scenario with known parameters.

A ticket log, the Break/Fix invoices it would have produced, and an MSP
quote, for a client that lives exactly by a scenario's assumptions. Two uses:

- **tests**: calibrating a log generated from known parameters must give
  those parameters back within their sampling error;
- **the sample client** in ``data/clients/sample/``, so that every notebook
  path works out of the box. Regenerate it with
  ``python -m msp_analysis.ingest.synthetic`` (same seed, same files).

How a ticket is drawn (the Break/Fix world of the scenario): tickets of
priority ``p`` arrive as a Poisson process at ``rate_per_user_year * users``
a year; a share ``after_hours_share`` is opened outside business hours
(uniformly over evenings, nights and weekends), the rest uniformly over
business hours; the technician's first response comes after a Gamma number
of *business* hours (the scenario's Break/Fix response median and p90; the
count starts at the next opening); the work is Gamma (the incidents' median
and p90), the ticket resolved that many hours after the response; a share
``onsite_share`` needs a visit. The export looks like a ConnectWise Manage
ticket export (``Ticket #``, ``Date Entered``, ``Date Responded``, ``Date
Resolved``, ``Priority 1 - Emergency Response``, ``Service Location``,
``Actual Hours``) with US-style dates.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> log = generate_ticket_log(sample_scenario(), months=12, seed=1)
>>> list(log.columns)[:4]
['Ticket #', 'Company', 'Summary', 'Board']
>>> generate_ticket_log(sample_scenario(), months=12, seed=1).equals(log)   # same seed, same log
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..files import write_atomic
from ..model.billing import billed_hours
from ..model.defaults import sample_scenario
from ..model.distributions import Gamma
from ..model.scenario import PRIORITIES, Scenario
from .business_time import BUSINESS_HOURS, add_business_hours, in_business_hours
from .clients import data_dir

__all__ = [
    "SAMPLE_SEED",
    "generate_invoices",
    "generate_quote",
    "generate_ticket_log",
    "simulate_tickets",
    "write_sample_client",
]

#: Seed of the bundled sample client's files: one whose ticket counts lie within one standard
#: deviation of their expectation in every priority, so that the sample shows a typical history.
SAMPLE_SEED = 7
SAMPLE_START = "2023-01-01"
SAMPLE_MONTHS = 24

CONNECTWISE_PRIORITIES = {
    "p1": "Priority 1 - Emergency Response",
    "p2": "Priority 2 - Quick Response",
    "p3": "Priority 3 - Normal Response",
    "p4": "Priority 4 - Schedule Maintenance",
}
_SUMMARIES = {
    "p1": [
        "Server down",
        "Internet outage, whole office",
        "Ransomware alert on file server",
        "Email down for everyone",
    ],
    "p2": [
        "Shared drive unavailable",
        "Accounting software will not start",
        "Printer fleet offline",
        "VPN down for team",
    ],
    "p3": [
        "Outlook not syncing",
        "Laptop very slow",
        "Cannot print",
        "Password reset",
        "Teams audio issue",
        "Monitor flickers",
    ],
    "p4": ["New user setup", "Install software", "Add mailbox permission", "Move desk phone", "Order a keyboard"],
}
_TYPES = {"p1": "Outage", "p2": "Incident", "p3": "Incident", "p4": "Service Request"}


def _period(start: str | pd.Timestamp, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not 1 <= int(months) <= 120:
        raise ValueError(f"months must be between 1 and 120, got {months}")
    begin = pd.Timestamp(start).normalize()
    return begin, begin + pd.DateOffset(months=int(months))


def _uniform_times(
    rng: np.random.Generator,
    n: int,
    begin: pd.Timestamp,
    end: pd.Timestamp,
    business: bool,
    business_hours: tuple[float, float],
) -> np.ndarray:
    """``n`` times uniform over the business (or the non-business) part of [begin, end)."""
    out = np.empty(0, dtype="datetime64[ns]")
    span = (end - begin).value  # nanoseconds
    share = 45 / 168 if business else 123 / 168  # rough, only sizes the batches
    while out.size < n:
        batch = int((n - out.size) / share * 1.3) + 16
        t = begin.to_datetime64().astype("datetime64[ns]") + (rng.random(batch) * span).astype("timedelta64[ns]")
        keep = in_business_hours(t, business_hours) == business
        out = np.concatenate([out, t[keep]])
    return out[:n]


def simulate_tickets(
    scenario: Scenario,
    months: int = 18,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    *,
    start: str | pd.Timestamp = SAMPLE_START,
    business_hours: tuple[float, float] = BUSINESS_HOURS,
    users: int | None = None,
) -> pd.DataFrame:
    """Tickets of a scenario's Break/Fix world, in the canonical columns of :func:`.load_tickets`.

    Columns ``ticket_id``, ``opened``, ``first_response``, ``resolved``,
    ``priority``, ``category``, ``work_hours`` (exact, not rounded),
    ``response_business_hours``, ``onsite``, ``after_hours``, sorted by opening time.
    """
    rng = np.random.default_rng(seed)
    begin, end = _period(start, months)
    years = (end - begin) / pd.Timedelta(days=365.25)
    users = scenario.organization.users if users is None else int(users)
    parts = []
    for p in PRIORITIES:
        cls = scenario.incidents[p]
        n = int(rng.poisson(cls.rate_per_user_year * users * years))
        after = rng.random(n) < cls.after_hours_share
        onsite = rng.random(n) < cls.onsite_share
        opened = np.empty(n, dtype="datetime64[ns]")
        opened[~after] = _uniform_times(rng, int((~after).sum()), begin, end, True, business_hours)
        opened[after] = _uniform_times(rng, int(after.sum()), begin, end, False, business_hours)
        opened = opened.astype("datetime64[m]").astype("datetime64[ns]")  # exports show minutes
        bf = scenario.break_fix
        wait = Gamma.from_median_p90(bf.response_median_hours[p], bf.response_p90_hours[p]).sample(n, rng)
        work = Gamma.from_median_p90(cls.work_median_hours, cls.work_p90_hours).sample(n, rng)
        responded = add_business_hours(opened, wait, business_hours).astype("datetime64[m]").astype("datetime64[ns]")
        resolved = (responded + np.round(work * 3600e9).astype("timedelta64[ns]")).astype("datetime64[m]")
        parts.append(
            pd.DataFrame(
                {
                    "opened": opened,
                    "first_response": responded,
                    "resolved": resolved.astype("datetime64[ns]"),
                    "priority": p,
                    "category": _TYPES[p],
                    "summary": rng.choice(_SUMMARIES[p], size=n) if n else np.array([], dtype=object),
                    "work_hours": work,
                    "response_business_hours": wait,
                    "onsite": onsite,
                    "after_hours": after,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True).sort_values("opened", kind="stable").reset_index(drop=True)
    first = 10_000 + int(rng.integers(0, 90_000))
    frame.insert(0, "ticket_id", [str(first + i) for i in range(len(frame))])
    frame["priority"] = pd.Categorical(frame["priority"], categories=list(PRIORITIES))
    return frame


def generate_ticket_log(
    scenario: Scenario,
    months: int = 18,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    *,
    start: str | pd.Timestamp = SAMPLE_START,
    business_hours: tuple[float, float] = BUSINESS_HOURS,
    users: int | None = None,
) -> pd.DataFrame:
    """A ConnectWise-style ticket export generated from the scenario's known parameters.

    Parameters
    ----------
    scenario : Scenario
        Rates, shares and work per priority come from ``incidents``; the
        response waits from ``break_fix.response_*_hours``.
    months : int
        Length of the log.
    seed : int, SeedSequence or Generator, optional
        Same seed, same log (SPEC 7).
    start : date
        First day of the log.
    business_hours : (start, end)
        Opening and closing hour, Monday to Friday.
    users : int, optional
        Headcount (the scenario's by default).

    Returns
    -------
    pandas.DataFrame
        Text columns as an export would have them (dates ``MM/DD/YYYY hh:mm AM``,
        hours to two decimals): write it with ``to_csv(index=False)``.
    """
    t = simulate_tickets(scenario, months, seed, start=start, business_hours=business_hours, users=users)

    def us(col: str) -> pd.Series:
        return pd.to_datetime(t[col]).dt.strftime("%m/%d/%Y %I:%M %p")

    return pd.DataFrame(
        {
            "Ticket #": t["ticket_id"],
            "Company": scenario.organization.name,
            "Summary": t["summary"],
            "Board": "Help Desk",
            "Type": t["category"],
            "Priority": t["priority"].map(CONNECTWISE_PRIORITIES).astype(str),
            "Service Location": np.where(t["onsite"], "On-Site", "Remote"),
            "Date Entered": us("opened"),
            "Date Responded": us("first_response"),
            "Date Resolved": us("resolved"),
            "Actual Hours": t["work_hours"].round(2).map("{:.2f}".format),
            "Status": "Closed",
        }
    )


def bill_tickets(
    scenario: Scenario, tickets: pd.DataFrame, business_hours: tuple[float, float] = BUSINESS_HOURS
) -> pd.DataFrame:
    """What the scenario's Break/Fix terms charge for each ticket (hours billed, amount).

    ``tickets`` in the canonical columns (``opened``, ``work_hours``,
    ``onsite``, ``after_hours``); a missing on-site flag counts as remote, a
    missing after-hours flag is taken from the opening time. Out of hours the
    after-hours minimum applies; P1/P2 tickets in business hours pay the
    same-day surcharge (no ``priority`` column: none does).
    """
    bf = scenario.break_fix
    work = tickets["work_hours"].to_numpy(dtype=float, na_value=np.nan)
    work = np.where(np.isfinite(work), work, 0.0)
    onsite = tickets["onsite"].fillna(False).to_numpy(dtype=bool) if "onsite" in tickets else np.zeros(len(work), bool)
    if "after_hours" in tickets and tickets["after_hours"].notna().any():
        after = tickets["after_hours"].fillna(False).to_numpy(dtype=bool)
    else:
        after = ~in_business_hours(tickets["opened"], business_hours)
    hours = np.where(
        onsite,
        billed_hours(work, bf.onsite_minimum_hours, bf.billing_increment_hours),
        billed_hours(work, bf.remote_minimum_hours, bf.billing_increment_hours),
    )
    hours = np.where(after, np.maximum(hours, bf.after_hours_minimum_hours), hours)
    # The same-day surcharge is for P1/P2 in business hours (after hours the multiplier is the urgent price).
    urgent = tickets["priority"].isin(["p1", "p2"]).to_numpy(dtype=bool) if "priority" in tickets else False
    in_hours = np.where(urgent, 1 + bf.same_day_surcharge, 1.0)
    rate = np.where(onsite, bf.hourly_rate, bf.remote_hourly_rate) * np.where(
        after, bf.after_hours_multiplier, in_hours
    )
    amount = hours * rate + np.where(onsite, bf.trip_fee, 0.0)
    return pd.DataFrame({"billed_hours": hours, "amount": amount, "onsite": onsite, "after_hours": after})


def generate_invoices(
    scenario: Scenario,
    tickets: pd.DataFrame | None = None,
    months: int = 18,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    *,
    start: str | pd.Timestamp = SAMPLE_START,
    business_hours: tuple[float, float] = BUSINESS_HOURS,
) -> pd.DataFrame:
    """Monthly Break/Fix invoices for a ticket log, billed by the scenario's terms.

    ``tickets`` in canonical columns (from :func:`simulate_tickets` or
    :func:`.load_tickets`); without it a log is simulated with the same
    ``months``, ``seed`` and ``start``. One invoice per month with work,
    dated the month's last day: ``Invoice #``, ``Invoice Date``,
    ``Description``, ``Hours``, ``Amount``.
    """
    if tickets is None:
        tickets = simulate_tickets(scenario, months, seed, start=start, business_hours=business_hours)
    billed = bill_tickets(scenario, tickets, business_hours)
    month = pd.to_datetime(tickets["opened"]).dt.to_period("M").to_numpy()
    grouped = billed.assign(month=month).groupby("month", sort=True)
    table = grouped.agg(hours=("billed_hours", "sum"), amount=("amount", "sum"), tickets=("amount", "size"),
                        visits=("onsite", "sum"))  # fmt: skip
    rows = []
    for i, (period, r) in enumerate(table.iterrows()):
        rows.append(
            {
                "Invoice #": f"INV-{period.year}{period.month:02d}-{i + 1:03d}",
                "Invoice Date": period.to_timestamp(how="end").strftime("%Y-%m-%d"),
                "Description": f"IT support {period.strftime('%B %Y')}: {int(r.tickets)} tickets, {int(r.visits)} site visits",
                "Hours": f"{r.hours:.2f}",
                "Amount": f"{r.amount:.2f}",
            }
        )
    return pd.DataFrame(rows, columns=["Invoice #", "Invoice Date", "Description", "Hours", "Amount"])


def generate_quote(scenario: Scenario) -> pd.DataFrame:
    """An MSP quote (price lines) that :func:`.load_msp_quote` reads back into the scenario's MSP prices."""
    m = scenario.msp
    lines = [
        ("Managed IT services (help desk, monitoring, patching)", "per user per month", m.per_user_monthly),
        ("Workstation management", "per workstation per month", m.per_workstation_monthly),
        ("Server management", "per server per month", m.per_server_monthly),
        ("Flat monthly fee", "flat per month", m.flat_monthly),
        ("Minimum monthly charge", "minimum per month", m.monthly_minimum),
        ("Onboarding and documentation", "onboarding (one-off)", m.onboarding_fee),
        ("Contract term", "term (months)", m.term_months),
        ("Out-of-scope work", "out-of-scope rate per hour", m.out_of_scope_rate),
        ("Annual price increase", "escalator per year", f"{m.annual_escalator * 100:g}%"),
    ]
    rows = [(item, unit, price) for item, unit, price in lines if not (isinstance(price, float) and price == 0.0)]
    return pd.DataFrame(rows, columns=["Item", "Unit", "Price"])


_README = """# Sample client (generated)

Everything in this folder is **synthetic**: generated by `msp_analysis.ingest.synthetic`
from the bundled sample scenario (`msp_analysis.sample_scenario()`, the fictional
{name}, {users} users) with known parameters, so that every path of the suite
works out of the box and calibration can be checked against the truth.

- `scenario.json`: the parameters the data were generated from.
- `tickets.csv`: a ConnectWise-style ticket export, {n_tickets:,} tickets over
  {months} months from {start} (seed {seed}, chosen because its ticket counts lie within one
  standard deviation of their expectation in every priority: a typical history). Incidents arrive as Poisson processes
  by priority; work and Break/Fix response times are Gamma (response in business
  hours, Mon-Fri {bh0:g}:00-{bh1:g}:00); on-site and after-hours shares as in the scenario.
- `invoices.csv`: the monthly Break/Fix invoices those tickets produce under the
  scenario's hourly terms (minimums, increments, trip fees, after-hours multiplier).
- `quote.csv`: an MSP quote whose price lines equal the scenario's MSP prices.

Regenerate (same seed, same files): `python -m msp_analysis.ingest.synthetic`.
"""


def write_sample_client(
    folder: str | Path | None = None,
    *,
    seed: int = SAMPLE_SEED,
    months: int = SAMPLE_MONTHS,
    start: str | pd.Timestamp = SAMPLE_START,
    scenario: Scenario | None = None,
) -> Path:
    """Write the sample client's files (scenario, tickets, invoices, quote, README) into ``folder``."""
    scenario = scenario if scenario is not None else sample_scenario()
    folder = Path(folder) if folder is not None else data_dir() / "clients" / "sample"
    folder.mkdir(parents=True, exist_ok=True)
    tickets = simulate_tickets(scenario, months, seed, start=start)
    # The export is what the generator draws, formatted; the invoices bill the
    # hours as exported (two decimals), as a real Break/Fix shop would.
    log = generate_ticket_log(scenario, months, seed, start=start)
    exported = tickets.assign(work_hours=log["Actual Hours"].astype(float).to_numpy())
    scenario.to_json(folder / "scenario.json")
    # each file whole (temporary file, fsync, rename): an interrupted run leaves no cut CSV for load_client to read
    for table, file in ((log, "tickets.csv"), (generate_invoices(scenario, exported), "invoices.csv")):
        write_atomic(folder / file, table.to_csv(index=False, lineterminator="\n"))
    write_atomic(folder / "quote.csv", generate_quote(scenario).to_csv(index=False, lineterminator="\n"))
    write_atomic(
        folder / "README.md",
        _README.format(
            name=scenario.organization.name,
            users=scenario.organization.users,
            n_tickets=len(log),
            months=months,
            start=pd.Timestamp(start).strftime("%Y-%m-%d"),
            seed=seed,
            bh0=BUSINESS_HOURS[0],
            bh1=BUSINESS_HOURS[1],
        ),
    )
    return folder


if __name__ == "__main__":  # python -m msp_analysis.ingest.synthetic
    print(f"wrote {write_sample_client()}")
