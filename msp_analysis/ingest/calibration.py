"""Calibrate the incident model on a client's ticket history.

:func:`calibrate` turns a ticket table (from :func:`.load_tickets`) into the
``incidents`` section and the Break/Fix response times of a scenario, with a
report that says how much each number can be trusted:

- **incident rates** per priority per user per year, ``n / (users * years)``,
  with exact (Garwood) Poisson confidence intervals from the chi-square
  distribution;
- **technician work** per ticket: a Gamma fitted by maximum likelihood
  (``scipy.stats.gamma.fit`` with the location fixed at 0), expressed as the
  median and p90 the scenario uses. Tickets with no time logged (0 h) are
  left out of the fit and counted in the report: in an export a zero means
  "not recorded" far more often than "took no time";
- **response time**, opened to first response, in **business hours** by
  default (Monday-Friday, :data:`.business_time.BUSINESS_HOURS`, no public holidays): the
  scenario's response wait is a business-hours quantity, and a ticket logged
  on Friday evening and answered on Monday morning did not cost a weekend of
  downtime. A response given before the next opening measures 0 business
  hours; such zeros are treated as *left-censored* (somewhere below
  :data:`.calibration_fits.CENSOR_HOURS`) in the maximum-likelihood fit rather than dropped.
  ``response_clock="wall"`` measures plain elapsed hours (a 24/7 desk);
- **on-site and after-hours shares** with exact (Clopper-Pearson) binomial
  intervals. Without an after-hours column, a ticket is after hours when it
  was opened outside business hours;
- **users affected** (when the export has that column) as the mean share
  of users.

Thin data: with fewer than ``min_tickets`` (30) observations of a priority a
number is not taken from the data. ``thin="keep"`` (default) keeps the
scenario's value and says so in the report, showing what the data say beside
it; ``thin="shrink"`` blends data and default with credibility weight
``n / (n + min_tickets)`` (for a rate: the posterior mean under a Gamma prior
worth ``min_tickets`` tickets centred on the default; for medians and p90s: a
geometric blend); ``thin="data"`` uses the data whatever their size.

Fit quality is the Kolmogorov-Smirnov distance between the data and the
fitted Gamma (with its p-value, conservative because the parameters were
estimated from the same data: read it as a guide, not a test). Medians and
p90s also carry distribution-free confidence intervals from order statistics.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> from msp_analysis.ingest.synthetic import generate_ticket_log
>>> from msp_analysis.ingest.tickets import load_tickets
>>> s = sample_scenario()
>>> export = generate_ticket_log(s, months=24, seed=3)
>>> tickets, _ = load_tickets(export.to_csv(index=False).encode(), name="log.csv")
>>> result = calibrate(tickets, users=45, scenario=s)
>>> sorted(result.changes)[:2]
['break_fix.response_median_hours.p3', 'break_fix.response_median_hours.p4']
>>> calibrated = result.apply(s)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ValidationError
from ..model.defaults import sample_scenario
from ..model.scenario import PRIORITIES, Scenario, field_info
from .business_time import BUSINESS_HOURS, business_hours_between, in_business_hours
from .calibration_fits import (
    _check_pairs,
    _Context,
    _fit_rate,
    _fit_response,
    _fit_shares,
    _fit_users_affected,
    _fit_work,
    _Ledger,
    _TicketColumns,
)

__all__ = ["REPORT_COLUMNS", "CalibrationResult", "calibrate"]


# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------

REPORT_COLUMNS = (
    "priority",
    "quantity",
    "path",
    "unit",
    "default",
    "estimate",
    "ci_low",
    "ci_high",
    "empirical",
    "n",
    "value",
    "source",
    "fit",
    "note",
)


@dataclass(frozen=True)
class CalibrationResult:
    """What a ticket history says about the incident model.

    Attributes
    ----------
    changes : dict
        Dotted scenario path -> calibrated value, only for numbers taken
        (or shrunk) from the data; apply with :meth:`apply`.
    report : pandas.DataFrame
        One row per (priority, quantity): the scenario's default, the data's
        estimate with its confidence interval, the empirical value, sample
        size, the value used and why (``source``), fit quality and notes.
        Columns :data:`REPORT_COLUMNS`.
    warnings : tuple of str
        Thin data, missing columns, short periods.
    period : tuple of Timestamps
        Start (inclusive) and end (exclusive) of the period analysed.
    years : float
        Its length in years (days / 365.25).
    users : int
        Headcount the rates are per.
    n_tickets : int
        Tickets in the period.
    response_clock : str
        How response times were measured (``"business"`` or ``"wall"``).
    scenario : Scenario or None
        Where the defaults came from.
    level : float
        Confidence level of the intervals (0.90 by default, like the
        assumption ranges, so :func:`~msp_analysis.decisions.input_ranges.calibration_ranges`
        can hand them to the uncertainty analysis as they are).
    """

    changes: dict
    report: pd.DataFrame = field(repr=False)
    warnings: tuple
    period: tuple
    years: float
    users: int
    n_tickets: int
    response_clock: str = "business"
    scenario: Scenario | None = field(default=None, repr=False)
    level: float = 0.90

    def apply(self, scenario: Scenario | None = None) -> Scenario:
        """A new scenario with the calibrated values (and the headcount) put in."""
        base = scenario if scenario is not None else self.scenario
        if base is None:
            raise ValueError("apply() needs a scenario")
        return base.replace({"organization.users": self.users, **self.changes})

    def side_by_side(self) -> pd.DataFrame:
        """Default vs calibrated value of every path, with sample size and source."""
        t = self.report.dropna(subset=["path"])
        return t[["path", "unit", "default", "value", "ci_low", "ci_high", "n", "source"]].reset_index(drop=True)

    def table(self, digits: int = 3) -> pd.DataFrame:
        """The report formatted for reading: numbers to ``digits`` significant figures, as text.

        Columns: priority, quantity, default, from the data, interval (the
        confidence interval), n, used, source, fit.
        """

        def g(x: object) -> str:
            return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}g}"

        t = self.report
        # an order-statistic interval can be open at one end with few values: "?" says so
        interval = [
            f"{g(lo) or '?'} to {g(hi) or '?'}" if g(lo) or g(hi) else "" for lo, hi in zip(t["ci_low"], t["ci_high"])
        ]
        return pd.DataFrame(
            {
                "priority": t["priority"].str.upper(),
                "quantity": t["quantity"].str.replace("_", " "),
                "default": t["default"].map(g),
                "from the data": t["estimate"].map(g),
                "interval": interval,
                "n": t["n"].map("{:,}".format),
                "used": t["value"].map(g),
                "source": t["source"],
                "fit": t["fit"].str.replace(r"^Gamma MLE ", "", regex=True),
            }
        )

    def overview(self) -> pd.DataFrame:
        """Period, headcount, ticket counts and warnings as an (item, value) table."""
        start, end = self.period
        items = [
            ("period", f"{start:%Y-%m-%d} to {(end - pd.Timedelta(days=1)):%Y-%m-%d} ({self.years:.2f} years)"),
            ("users", f"{self.users:,}"),
            ("tickets", f"{self.n_tickets:,}"),
            ("response clock", self.response_clock),
            ("intervals", f"{self.level:.0%} confidence"),
            ("values taken from the data", f"{len(self.changes):,}"),
        ]
        items += [("warning", w) for w in self.warnings]
        return pd.DataFrame(items, columns=["item", "value"])

    def __str__(self) -> str:
        return "\n".join(f"{i}: {v}" for i, v in self.overview().itertuples(index=False))


# ---------------------------------------------------------------------------
# calibrate
# ---------------------------------------------------------------------------


def calibrate(
    tickets: pd.DataFrame,
    users: int,
    *,
    scenario: Scenario | None = None,
    period: tuple[Any, Any] | None = None,
    min_tickets: int = 30,
    thin: str = "keep",
    level: float = 0.90,
    business_hours: tuple[float, float] = BUSINESS_HOURS,
    response_clock: str = "business",
) -> CalibrationResult:
    """Estimate incident rates, work, response and shares per priority from tickets.

    Parameters
    ----------
    tickets : pandas.DataFrame
        As returned by :func:`msp_analysis.ingest.tickets.load_tickets` (needs
        ``opened`` and ``priority``; uses ``work_hours``, ``first_response``
        or the response-hours columns, ``onsite``, ``after_hours`` and
        ``users_affected`` when present).
    users : int
        Headcount during the period (the rates are per user per year).
    scenario : Scenario, optional
        Source of the defaults kept for thin data (the sample scenario if omitted).
    period : (start, end), optional
        Period the export covers (end exclusive). By default from the day of
        the first ticket to the day after the last; tickets outside a given
        period are left out (and counted in the warnings).
    min_tickets : int
        Fewer observations than this count as thin data (see ``thin``).
    thin : {"keep", "shrink", "data"}
        What to do with thin data (see the module docstring).
    level : float
        Confidence level of the intervals, in (0, 1). 0.90 by default: the
        assumption ranges are 90% intervals too, so the uncertainty analysis
        can take these as they are.
    business_hours : (start, end)
        Opening and closing hour, Monday to Friday.
    response_clock : {"business", "wall"}
        Measure opened -> first response in business hours (default) or elapsed hours.

    Returns
    -------
    CalibrationResult

    Examples
    --------
    >>> from msp_analysis.ingest.synthetic import simulate_tickets
    >>> from msp_analysis import sample_scenario
    >>> tickets = simulate_tickets(sample_scenario(), months=12, seed=1)
    >>> result = calibrate(tickets, users=45, thin="data")
    >>> result.report.query("quantity == 'rate_per_user_year'")["priority"].tolist()
    ['p1', 'p2', 'p3', 'p4']
    """
    if thin not in ("keep", "shrink", "data"):
        raise ValueError(f"thin must be 'keep', 'shrink' or 'data', got {thin!r}")
    if response_clock not in ("business", "wall"):
        raise ValueError(f"response_clock must be 'business' or 'wall', got {response_clock!r}")
    if not 0 < level < 1:
        raise ValidationError("level", level, "a confidence level in (0, 1), e.g. 0.90")
    users = field_info("organization.users").check("organization.users", users)
    base = scenario if scenario is not None else sample_scenario()
    warnings: list[str] = []
    frame, opened, (start, end) = _tickets_in_period(tickets, period, warnings)
    days = (end - start) / pd.Timedelta(days=1)
    years = days / 365.25
    if days < 90:
        warnings.append(f"the period is only {days:.0f} days: rates from it ignore seasons and may mislead")
    ctx = _Context(base, users, years, users * years, min_tickets, thin, level, response_clock)
    data = _ticket_columns(frame, opened, response_clock, business_hours, warnings)
    ledger = _Ledger(ctx, warnings)
    for p in PRIORITIES:
        sel = data.priority == p
        _fit_rate(ledger, p, int(sel.sum()))
        _fit_shares(ledger, p, data, sel)
        if data.affected is not None:
            _fit_users_affected(ledger, p, data.affected[sel])
        if data.work is not None:
            _fit_work(ledger, p, data.work[sel])
        if np.isfinite(data.response).any():
            _fit_response(ledger, p, data.response[sel], data.response_note)
    report = pd.DataFrame(ledger.rows, columns=list(REPORT_COLUMNS))
    _check_pairs(ledger.changes, base, warnings)
    return CalibrationResult(
        changes=ledger.changes,
        report=report,
        warnings=tuple(dict.fromkeys(warnings)),
        period=(start, end),
        years=float(years),
        users=int(users),
        n_tickets=len(frame),
        response_clock=response_clock,
        scenario=base,
        level=float(level),
    )


def _tickets_in_period(
    tickets: pd.DataFrame, period: tuple[Any, Any] | None, warnings: list[str]
) -> tuple[pd.DataFrame, pd.Series, tuple[pd.Timestamp, pd.Timestamp]]:
    """The tickets with an opened date and a priority inside the period, their opened dates, and the period."""
    if not isinstance(tickets, pd.DataFrame) or not {"opened", "priority"} <= set(tickets.columns):
        raise DataError("calibrate: expected the ticket table from load_tickets (with 'opened' and 'priority' columns)")
    frame = tickets[tickets["opened"].notna() & tickets["priority"].notna()]
    if frame.empty:
        raise DataError("calibrate: no tickets with an opened date and a priority")
    opened = pd.to_datetime(frame["opened"])
    if period is None:
        start = opened.min().normalize()
        end = opened.max().normalize() + pd.Timedelta(days=1)
    else:
        start, end = (pd.Timestamp(x) for x in period)
        if not end > start:
            raise ValueError(f"period: the end {end} must come after the start {start}")
        inside = (opened >= start) & (opened < end)
        if (~inside).any():
            warnings.append(f"{int((~inside).sum()):,} tickets outside the period were left out")
        frame, opened = frame[inside], opened[inside]
    return frame, opened, (start, end)


def _ticket_columns(
    frame: pd.DataFrame,
    opened: pd.Series,
    response_clock: str,
    business_hours: tuple[float, float],
    warnings: list[str],
) -> _TicketColumns:
    """The columns the estimates need, with a warning for each the export lacks."""
    has = {c: frame[c].notna().any() for c in frame.columns}
    response, response_note = _response_hours(frame, opened, has, response_clock, business_hours, warnings)
    if has.get("after_hours"):
        after = frame["after_hours"].to_numpy(dtype=object)
        after_note = "after-hours column of the export"
    else:
        after = (~in_business_hours(opened, business_hours)).astype(object)
        after_note = f"opened outside business hours (Mon-Fri {business_hours[0]:g}:00-{business_hours[1]:g}:00)"
    onsite = frame["onsite"].to_numpy(dtype=object) if has.get("onsite") else None
    if onsite is None:
        warnings.append("no on-site column: on-site shares keep their defaults")
    work = frame["work_hours"].to_numpy(dtype=float) if has.get("work_hours") else None
    if work is None:
        warnings.append("no work-hours column: technician work keeps its defaults")
    affected = frame["users_affected"].to_numpy(dtype=float, na_value=np.nan) if has.get("users_affected") else None
    priority = frame["priority"].astype(str).to_numpy()
    return _TicketColumns(priority, response, response_note, after, after_note, onsite, work, affected)


def _response_hours(
    frame: pd.DataFrame,
    opened: pd.Series,
    has: dict[str, bool],
    response_clock: str,
    business_hours: tuple[float, float],
    warnings: list[str],
) -> tuple[np.ndarray, str]:
    """Response hours per ticket by the chosen clock, and where they come from.

    From the first-response time if the export has one, else from a response
    duration the export gives (business hours preferred for the business clock).
    """
    if has.get("first_response"):
        fr = pd.to_datetime(frame["first_response"])
        if response_clock == "business":
            return business_hours_between(opened, fr, business_hours), "business hours from opened to first response"
        elapsed = ((fr - opened) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
        if has.get("response_hours"):  # load_tickets' own, on absolute time, for dates read in a zone with DST
            given = frame["response_hours"].to_numpy(dtype=float)
            elapsed = np.where(np.isfinite(given), given, elapsed)
        return elapsed, "elapsed hours from opened to first response"
    if has.get("response_business_hours") and response_clock == "business":
        return frame["response_business_hours"].to_numpy(
            dtype=float
        ), "business-hours response durations from the export"
    if has.get("response_hours"):
        if response_clock == "business":
            warnings.append(
                "response times are elapsed (wall-clock) hours in this export; the scenario wants business hours, "
                "so calibrated responses may be long"
            )
        return frame["response_hours"].to_numpy(dtype=float), "elapsed-hours response durations from the export"
    warnings.append("no first-response column: Break/Fix response times keep their defaults")
    return np.full(len(frame), np.nan), ""
