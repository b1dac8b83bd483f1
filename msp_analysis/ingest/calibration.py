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
  default (Monday-Friday, :data:`BUSINESS_HOURS`, no public holidays): the
  scenario's response wait is a business-hours quantity, and a ticket logged
  on Friday evening and answered on Monday morning did not cost a weekend of
  downtime. A response given before the next opening measures 0 business
  hours; such zeros are treated as *left-censored* (somewhere below
  :data:`CENSOR_HOURS`) in the maximum-likelihood fit rather than dropped.
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
import numpy.typing as npt
import pandas as pd
from scipy import optimize, special, stats

from ..errors import DataError, ValidationError
from ..model.defaults import sample_scenario
from ..model.distributions import GAMMA_RATIO_RANGE, Gamma
from ..model.scenario import PRIORITIES, Scenario, field_info

__all__ = [
    "BUSINESS_HOURS",
    "CENSOR_HOURS",
    "CalibrationResult",
    "add_business_hours",
    "business_hours_between",
    "calibrate",
    "fit_gamma",
    "in_business_hours",
    "poisson_interval",
    "proportion_interval",
]

#: Opening and closing hour of a business day (Monday-Friday), local time.
BUSINESS_HOURS = (8.0, 17.0)
#: A response measured as 0 business hours is taken to lie somewhere below this.
CENSOR_HOURS = 0.05
_EPOCH = np.datetime64("2000-01-03", "D")  # a Monday: business time is counted from here


# ---------------------------------------------------------------------------
# Business time
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------


def poisson_interval(n: int, exposure: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval of a Poisson rate ``n / exposure``.

    Examples
    --------
    >>> lo, hi = poisson_interval(10, 2.0)
    >>> round(lo, 3), round(hi, 3)
    (2.398, 9.195)
    """
    a = 1 - level
    lo = stats.chi2.ppf(a / 2, 2 * n) / 2 if n > 0 else 0.0
    hi = stats.chi2.ppf(1 - a / 2, 2 * n + 2) / 2
    return float(lo) / exposure, float(hi) / exposure


def proportion_interval(k: int, m: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval of a share ``k / m``."""
    if m == 0:
        return (math.nan, math.nan)
    a = 1 - level
    lo = stats.beta.ppf(a / 2, k, m - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(1 - a / 2, k + 1, m - k) if k < m else 1.0
    return float(lo), float(hi)


def _quantile_interval(sorted_x: np.ndarray, q: float, level: float) -> tuple[float, float]:
    """Distribution-free CI of the q-quantile from order statistics (binomial ranks)."""
    n = sorted_x.size
    if n < 2:
        return (math.nan, math.nan)
    a = 1 - level
    lo = int(stats.binom.ppf(a / 2, n, q))
    hi = int(stats.binom.ppf(1 - a / 2, n, q))
    low = sorted_x[lo - 1] if lo >= 1 else math.nan
    high = sorted_x[hi] if hi < n else math.nan
    return float(low), float(high)


@dataclass(frozen=True)
class GammaFit:
    """A Gamma fitted by maximum likelihood, with what it was fitted on and how well it fits."""

    gamma: Gamma
    n: int  # observations used (positive values)
    n_censored: int  # zeros treated as below CENSOR_HOURS
    ks_statistic: float
    ks_pvalue: float
    sample_mean: float

    @property
    def median(self) -> float:
        return float(self.gamma.ppf(0.5))

    @property
    def p90(self) -> float:
        return float(self.gamma.ppf(0.9))

    @property
    def quality(self) -> str:
        """ "good", "fair", "poor" -- or "too few to judge" under 20 values.

        Large samples of rounded durations reject any smooth distribution (a
        tiny p-value) while fitting it well (a small distance D), so a fit is
        good when D is small *or* the test cannot tell it from the data.
        """
        if self.n < 20:
            return "too few to judge"
        d, p = self.ks_statistic, self.ks_pvalue
        if d <= 0.05 or p >= 0.2:
            return "good"
        if d <= 0.10 or p >= 0.05:
            return "fair"
        return "poor"


def fit_gamma(values: npt.ArrayLike, censor_below: float | None = None) -> GammaFit | None:
    """Maximum-likelihood Gamma (location 0) for positive ``values``.

    Zeros are dropped, unless ``censor_below`` is given: then each zero counts
    as "somewhere in (0, censor_below)" (left-censored) in the likelihood.
    ``None`` when fewer than two distinct positive values remain.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> fit = fit_gamma(rng.gamma(2.0, 0.5, size=5000))
    >>> round(fit.gamma.shape, 1), round(fit.gamma.mean(), 1)
    (2.0, 1.0)
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    zeros = int((x <= 0).sum()) if censor_below else 0
    x = x[x > 0]
    if x.size < 2 or np.ptp(x) == 0:
        return None
    with np.errstate(all="ignore"):
        shape, _, scale = stats.gamma.fit(x, floc=0)
    if zeros:
        # Censored MLE on the sufficient statistics: O(1) per likelihood evaluation.
        n, sx, slx = x.size, x.sum(), np.log(x).sum()

        def nll(theta: np.ndarray) -> float:
            a, th = np.exp(theta)
            ll = (a - 1) * slx - sx / th - n * (a * math.log(th) + special.gammaln(a))
            ll += zeros * math.log(max(special.gammainc(a, censor_below / th), 1e-300))
            return -ll

        res = optimize.minimize(
            nll, np.log([shape, scale]), method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10}
        )
        shape, scale = np.exp(res.x)
    lo, hi = 0.05, 5e4  # the shapes a median/p90 pair can express (see distributions.GAMMA_RATIO_RANGE)
    shape = float(np.clip(shape, lo * 1.0001, hi * 0.9999))
    d, p = stats.kstest(x, stats.gamma(shape, scale=scale).cdf)
    return GammaFit(Gamma(shape, float(scale)), int(x.size), zeros, float(d), float(p), float(x.mean()))


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
    level: float = 0.95,
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
        Confidence level of the intervals.
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
    )


@dataclass(frozen=True)
class _Context:
    """What every estimate of one calibration shares: the defaults, the exposure and the rules for thin data."""

    base: Scenario
    users: int
    years: float
    exposure: float  # user-years: users * years
    min_tickets: int
    thin: str
    level: float
    response_clock: str


@dataclass(frozen=True)
class _Estimate:
    """One quantity of one priority as the data give it, before the rules for thin data decide what is used."""

    priority: str
    quantity: str
    path: str | None  # the scenario field it calibrates (None: reported only)
    default: float
    estimate: float | None  # None: no data
    n: int
    unit: str
    ci: tuple[float, float] = (math.nan, math.nan)
    empirical: float = math.nan
    fit: str = ""
    note: str = ""
    kind: str = "rate"  # how a thin estimate is shrunk: "rate", "share" or "quantile"


@dataclass
class _Ledger:
    """The report's rows, the changes taken from the data and the warnings, in the order they arise."""

    ctx: _Context
    warnings: list[str]
    rows: list[dict] = field(default_factory=list)
    changes: dict[str, float] = field(default_factory=dict)

    def record(self, e: _Estimate) -> None:
        """Decide the value used (data, shrunk toward the default, or the default) and record it."""
        ctx, n, default, estimate = self.ctx, e.n, e.default, e.estimate
        if estimate is None or not np.isfinite(estimate):
            value, source = default, "default (no data)"
        elif n >= ctx.min_tickets or ctx.thin == "data":
            value, source = estimate, f"data (n={n:,})"
        elif ctx.thin == "shrink" and n > 0:
            z = n / (n + ctx.min_tickets)
            if e.kind == "rate":
                value = (n + ctx.min_tickets) / (ctx.exposure + ctx.min_tickets / default) if default > 0 else estimate
            elif e.kind == "share":
                value = z * estimate + (1 - z) * default
            else:
                value = math.exp(z * math.log(estimate) + (1 - z) * math.log(default))
            source = f"shrunk toward default (n={n:,}, weight {z:.2f})"
        else:
            value, source = default, f"default kept (only {n:,} < {ctx.min_tickets})"
        if e.path is not None and not source.startswith("default"):
            value = _within_range(e.path, value, self.warnings)
            self.changes[e.path] = value
        self.rows.append(
            {
                "priority": e.priority,
                "quantity": e.quantity,
                "path": e.path,
                "unit": e.unit,
                "default": default,
                "estimate": estimate if estimate is not None else math.nan,
                "ci_low": e.ci[0],
                "ci_high": e.ci[1],
                "empirical": e.empirical,
                "n": int(n),
                "value": value,
                "source": source,
                "fit": e.fit,
                "note": e.note,
            }
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


@dataclass(frozen=True)
class _TicketColumns:
    """Per ticket, as arrays: priority, response hours by the chosen clock, and the columns the export has."""

    priority: np.ndarray
    response: np.ndarray  # NaN where unknown (everywhere without a response column)
    response_note: str
    after_hours: np.ndarray  # object: True/False/NA
    after_hours_note: str
    onsite: np.ndarray | None  # None: the export has no such column
    work: np.ndarray | None
    affected: np.ndarray | None


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
        return ((fr - opened) / pd.Timedelta(hours=1)).to_numpy(
            dtype=float
        ), "elapsed hours from opened to first response"
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


def _fit_rate(ledger: _Ledger, p: str, n: int) -> None:
    """Incidents per user per year: ``n / (users * years)`` with an exact Poisson interval."""
    ctx = ledger.ctx
    rate = n / ctx.exposure
    ledger.record(
        _Estimate(
            p,
            "rate_per_user_year",
            f"incidents.{p}.rate_per_user_year",
            ctx.base.incidents[p].rate_per_user_year,
            rate,
            n,
            unit="incidents per user per year",
            ci=poisson_interval(n, ctx.exposure, ctx.level),
            empirical=rate,
            note=f"{n:,} tickets over {ctx.years:.2f} years x {ctx.users:,} users",
        )
    )
    if n < ctx.min_tickets and ctx.thin == "keep":
        ledger.warnings.append(
            f"{p}: only {n:,} tickets (fewer than {ctx.min_tickets}): its defaults are kept; the report shows what the data say"
        )


def _fit_shares(ledger: _Ledger, p: str, data: _TicketColumns, sel: np.ndarray) -> None:
    """On-site and after-hours shares with exact (Clopper-Pearson) intervals, over the tickets that say."""
    cls = ledger.ctx.base.incidents[p]
    for quantity, flags, note in (
        ("onsite_share", data.onsite, "on-site column"),
        ("after_hours_share", data.after_hours, data.after_hours_note),
    ):
        if flags is None:
            ledger.record(_Estimate(p, quantity, None, getattr(cls, quantity), None, 0, "share", note="column missing"))
            continue
        f = flags[sel]
        known = np.array(
            [v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v)) for v in f],
            dtype=bool,
        )
        m = int(known.sum())
        k = int(sum(bool(v) for v in f[known]))
        share = k / m if m else None
        ledger.record(
            _Estimate(
                p,
                quantity,
                f"incidents.{p}.{quantity}",
                getattr(cls, quantity),
                share,
                m,
                unit="share",
                ci=proportion_interval(k, m, ledger.ctx.level),
                empirical=share if share is not None else math.nan,
                note=f"{k:,} of {m:,} ({note})",
                kind="share",
            )
        )


def _fit_users_affected(ledger: _Ledger, p: str, affected: np.ndarray) -> None:
    """The mean share of users an incident affects: mean users affected / headcount."""
    a = affected[np.isfinite(affected)]
    share = float(np.clip(a.mean() / ledger.ctx.users, 0, 1)) if a.size else None
    ledger.record(
        _Estimate(
            p,
            "users_affected_share",
            f"incidents.{p}.users_affected_share",
            ledger.ctx.base.incidents[p].users_affected_share,
            share,
            int(a.size),
            unit="share",
            empirical=share if share is not None else math.nan,
            note="mean users affected / headcount",
            kind="share",
        )
    )


def _fit_work(ledger: _Ledger, p: str, work: np.ndarray) -> None:
    """Technician work per ticket: a Gamma on the tickets with time logged (0 h means "not recorded")."""
    cls = ledger.ctx.base.incidents[p]
    w = work[np.isfinite(work)]
    zeros = int((w <= 0).sum())
    ip = f"incidents.{p}"
    _fit_quantiles(
        ledger,
        p,
        w[w > 0],
        None,
        (
            _Target("work_median_hours", f"{ip}.work_median_hours", cls.work_median_hours),
            _Target("work_p90_hours", f"{ip}.work_p90_hours", cls.work_p90_hours),
        ),
        "hours",
        note=f"{zeros:,} tickets with 0 h logged left out" if zeros else "",
    )
    if zeros:
        ledger.warnings.append(f"{p}: {zeros:,} tickets with no time logged were left out of the work-hours fit")


def _fit_response(ledger: _Ledger, p: str, response: np.ndarray, source_note: str) -> None:
    """Break/Fix response: a Gamma with responses of 0 hours left-censored below :data:`CENSOR_HOURS`."""
    bf = ledger.ctx.base.break_fix
    r = response[np.isfinite(response)]
    neg = int((r < 0).sum())
    r = r[r >= 0]
    zeros = int((r == 0).sum())
    note = source_note + (
        f"; {zeros:,} answered before the next opening (censored below {CENSOR_HOURS} h)" if zeros else ""
    )
    if neg:
        note += f"; {neg:,} negative left out"
    _fit_quantiles(
        ledger,
        p,
        r,
        CENSOR_HOURS,
        (
            _Target("response_median_hours", f"break_fix.response_median_hours.{p}", bf.response_median_hours[p]),
            _Target("response_p90_hours", f"break_fix.response_p90_hours.{p}", bf.response_p90_hours[p]),
        ),
        "business hours" if ledger.ctx.response_clock == "business" else "hours",
        note=note,
    )


@dataclass(frozen=True)
class _Target:
    """A quantity a fit gives, the scenario field it calibrates and the field's default."""

    quantity: str
    path: str
    default: float


def _fit_quantiles(
    ledger: _Ledger,
    p: str,
    values: np.ndarray,
    censor: float | None,
    targets: tuple[_Target, _Target],
    unit: str,
    note: str = "",
) -> None:
    """Fit a Gamma and record its median and p90 (with order-statistic intervals)."""
    fit = fit_gamma(values, censor_below=censor)
    xs = np.sort(values)
    n = int(xs.size)
    median, p90 = targets
    if fit is None:
        for t in targets:
            ledger.record(
                _Estimate(p, t.quantity, t.path, t.default, None, n, unit, note=note or "too few values to fit")
            )
        return
    fit_text = (
        f"Gamma MLE shape {fit.gamma.shape:.2f}; KS D={fit.ks_statistic:.3f} (p={fit.ks_pvalue:.2f}, {fit.quality})"
    )
    level = ledger.ctx.level
    ledger.record(
        _Estimate(
            p,
            median.quantity,
            median.path,
            median.default,
            fit.median,
            n,
            unit,
            ci=_quantile_interval(xs, 0.5, level),
            empirical=float(np.quantile(xs, 0.5)),
            fit=fit_text,
            note=(note + "; " if note else "") + f"fitted mean {fit.gamma.mean():.3g} vs sample mean {xs.mean():.3g}",
            kind="quantile",
        )
    )
    ledger.record(
        _Estimate(
            p,
            p90.quantity,
            p90.path,
            p90.default,
            fit.p90,
            n,
            unit,
            ci=_quantile_interval(xs, 0.9, level),
            empirical=float(np.quantile(xs, 0.9)),
            fit=fit_text,
            note=note,
            kind="quantile",
        )
    )


def _within_range(path: str, value: float, warnings: list) -> float:
    info = field_info(path)
    v = float(value)
    lo = info.low if info.low is not None else -math.inf
    hi = info.high if info.high is not None else math.inf
    if info.low_open and v <= lo:
        v = lo + max(1e-6, abs(lo) * 1e-6)
    clipped = min(max(v, lo), hi)
    if clipped != v:
        warnings.append(
            f"{path}: data give {value:.4g}, outside the allowed {info.allowed()}; clipped to {clipped:.4g}"
        )
    return clipped


def _check_pairs(changes: dict, base: Scenario, warnings: list) -> None:
    """A median taken from data and a p90 kept as default (or the reverse) must still form a Gamma."""
    pairs = [(f"incidents.{p}.work_median_hours", f"incidents.{p}.work_p90_hours") for p in PRIORITIES]
    pairs += [(f"break_fix.response_median_hours.{p}", f"break_fix.response_p90_hours.{p}") for p in PRIORITIES]
    lo, hi = GAMMA_RATIO_RANGE
    for med_path, p90_path in pairs:
        med = changes.get(med_path, base.get(med_path))
        p90 = changes.get(p90_path, base.get(p90_path))
        if not (lo < p90 / med < hi):
            for path in (med_path, p90_path):
                changes.pop(path, None)
            warnings.append(f"{med_path} / {p90_path}: the pair from the data cannot form a Gamma; defaults kept")
    try:
        base.replace(changes)
    except ValidationError as e:  # pragma: no cover - ranges are clipped above; keep the defaults if not
        warnings.append(f"calibrated values rejected ({e}); defaults kept")
        changes.clear()
