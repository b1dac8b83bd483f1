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

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import DataError, ValidationError
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


def _check_hours(business_hours) -> tuple[float, float]:
    start, end = (float(x) for x in business_hours)
    if not 0 <= start < end <= 24:
        raise ValueError(f"business_hours must be (start, end) with 0 <= start < end <= 24, got {business_hours}")
    return start, end


def _as_datetime64(t) -> np.ndarray:
    return np.asarray(pd.to_datetime(pd.Series(np.atleast_1d(t))).to_numpy(dtype="datetime64[ns]"))


def _business_clock(t, business_hours=BUSINESS_HOURS) -> np.ndarray:
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


def business_hours_between(start, end, business_hours=BUSINESS_HOURS) -> np.ndarray:
    """Business hours (Monday-Friday, ``business_hours`` each day) from ``start`` to ``end``.

    Examples
    --------
    >>> business_hours_between(["2024-03-01 16:00", "2024-03-04 07:00"], ["2024-03-04 09:30", "2024-03-04 08:30"]).tolist()
    [2.5, 0.5]
    """
    return _business_clock(end, business_hours) - _business_clock(start, business_hours)


def add_business_hours(t, hours, business_hours=BUSINESS_HOURS) -> np.ndarray:
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


def in_business_hours(t, business_hours=BUSINESS_HOURS) -> np.ndarray:
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


def fit_gamma(values, censor_below: float | None = None) -> GammaFit | None:
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

        def nll(theta):
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

        def g(x) -> str:
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
    period: tuple | None = None,
    min_tickets: int = 30,
    thin: str = "keep",
    level: float = 0.95,
    business_hours=BUSINESS_HOURS,
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
    """
    from ..model.defaults import sample_scenario

    if thin not in ("keep", "shrink", "data"):
        raise ValueError(f"thin must be 'keep', 'shrink' or 'data', got {thin!r}")
    if response_clock not in ("business", "wall"):
        raise ValueError(f"response_clock must be 'business' or 'wall', got {response_clock!r}")
    users = field_info("organization.users").check("organization.users", users)
    base = scenario if scenario is not None else sample_scenario()
    if not isinstance(tickets, pd.DataFrame) or not {"opened", "priority"} <= set(tickets.columns):
        raise DataError("calibrate: expected the ticket table from load_tickets (with 'opened' and 'priority' columns)")
    frame = tickets[tickets["opened"].notna() & tickets["priority"].notna()]
    if frame.empty:
        raise DataError("calibrate: no tickets with an opened date and a priority")
    warnings: list[str] = []
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
    days = (end - start) / pd.Timedelta(days=1)
    years = days / 365.25
    if days < 90:
        warnings.append(f"the period is only {days:.0f} days: rates from it ignore seasons and may mislead")
    exposure = users * years

    cols = set(frame.columns)
    has = {c: c in cols and frame[c].notna().any() for c in frame.columns}
    pr = frame["priority"].astype(str).to_numpy()

    # response hours per ticket, by the chosen clock
    resp = np.full(len(frame), np.nan)
    resp_note = ""
    if has.get("first_response"):
        fr = pd.to_datetime(frame["first_response"])
        if response_clock == "business":
            resp = business_hours_between(opened, fr, business_hours)
            resp_note = "business hours from opened to first response"
        else:
            resp = ((fr - opened) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
            resp_note = "elapsed hours from opened to first response"
    elif has.get("response_business_hours") and response_clock == "business":
        resp = frame["response_business_hours"].to_numpy(dtype=float)
        resp_note = "business-hours response durations from the export"
    elif has.get("response_hours"):
        resp = frame["response_hours"].to_numpy(dtype=float)
        resp_note = "elapsed-hours response durations from the export"
        if response_clock == "business":
            warnings.append(
                "response times are elapsed (wall-clock) hours in this export; the scenario wants business hours, "
                "so calibrated responses may be long"
            )
    else:
        warnings.append("no first-response column: Break/Fix response times keep their defaults")

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

    rows: list[dict] = []
    changes: dict = {}

    def decide(
        path,
        quantity,
        p,
        default,
        estimate,
        n,
        *,
        unit,
        ci=(math.nan, math.nan),
        empirical=math.nan,
        fit="",
        note="",
        prior_weight=None,
        kind="rate",
    ):
        """Record one quantity; put it in ``changes`` if the data are used."""
        if estimate is None or not np.isfinite(estimate):
            value, source = default, "default (no data)"
        elif n >= min_tickets or thin == "data":
            value, source = estimate, f"data (n={n:,})"
        elif thin == "shrink" and n > 0:
            z = n / (n + min_tickets)
            if kind == "rate":
                value = (n + min_tickets) / (exposure + min_tickets / default) if default > 0 else estimate
            elif kind == "share":
                value = z * estimate + (1 - z) * default
            else:
                value = math.exp(z * math.log(estimate) + (1 - z) * math.log(default))
            source = f"shrunk toward default (n={n:,}, weight {z:.2f})"
        else:
            value, source = default, f"default kept (only {n:,} < {min_tickets})"
        if path is not None and not source.startswith("default"):
            value = _within_range(path, value, warnings)
            changes[path] = value
        rows.append(
            {
                "priority": p,
                "quantity": quantity,
                "path": path,
                "unit": unit,
                "default": default,
                "estimate": estimate if estimate is not None else math.nan,
                "ci_low": ci[0],
                "ci_high": ci[1],
                "empirical": empirical,
                "n": int(n),
                "value": value,
                "source": source,
                "fit": fit,
                "note": note,
            }
        )

    for p in PRIORITIES:
        sel = pr == p
        n = int(sel.sum())
        cls = base.incidents[p]
        ip = f"incidents.{p}"
        # -- rate
        rate = n / exposure
        decide(
            f"{ip}.rate_per_user_year",
            "rate_per_user_year",
            p,
            cls.rate_per_user_year,
            rate,
            n,
            unit="incidents per user per year",
            ci=poisson_interval(n, exposure, level),
            empirical=rate,
            note=f"{n:,} tickets over {years:.2f} years x {users:,} users",
        )
        if n < min_tickets and thin == "keep":
            warnings.append(
                f"{p}: only {n:,} tickets (fewer than {min_tickets}): its defaults are kept; the report shows what the data say"
            )
        # -- shares
        for quantity, flags, note in (
            ("onsite_share", onsite, "on-site column"),
            ("after_hours_share", after, after_note),
        ):
            if flags is None:
                decide(None, quantity, p, getattr(cls, quantity), None, 0, unit="share", note="column missing")
                continue
            f = flags[sel]
            known = np.array(
                [v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v)) for v in f],
                dtype=bool,
            )
            m = int(known.sum())
            k = int(sum(bool(v) for v in f[known]))
            share = k / m if m else None
            decide(
                f"{ip}.{quantity}",
                quantity,
                p,
                getattr(cls, quantity),
                share,
                m,
                unit="share",
                ci=proportion_interval(k, m, level),
                empirical=share if share is not None else math.nan,
                note=f"{k:,} of {m:,} ({note})",
                kind="share",
            )
        if affected is not None:
            a = affected[sel]
            a = a[np.isfinite(a)]
            share = float(np.clip(a.mean() / users, 0, 1)) if a.size else None
            decide(
                f"{ip}.users_affected_share",
                "users_affected_share",
                p,
                cls.users_affected_share,
                share,
                int(a.size),
                unit="share",
                empirical=share if share is not None else math.nan,
                note="mean users affected / headcount",
                kind="share",
            )
        # -- work
        if work is not None:
            w = work[sel]
            w = w[np.isfinite(w)]
            zeros = int((w <= 0).sum())
            _fitted_pair(
                decide,
                p,
                w[w > 0],
                None,
                (f"{ip}.work_median_hours", cls.work_median_hours),
                (f"{ip}.work_p90_hours", cls.work_p90_hours),
                ("work_median_hours", "work_p90_hours"),
                "hours",
                level,
                note=f"{zeros:,} tickets with 0 h logged left out" if zeros else "",
            )
            if zeros:
                warnings.append(f"{p}: {zeros:,} tickets with no time logged were left out of the work-hours fit")
        # -- response
        if np.isfinite(resp).any():
            r = resp[sel]
            r = r[np.isfinite(r)]
            neg = int((r < 0).sum())
            r = r[r >= 0]
            zeros = int((r == 0).sum())
            note = resp_note + (
                f"; {zeros:,} answered before the next opening (censored below {CENSOR_HOURS} h)" if zeros else ""
            )
            if neg:
                note += f"; {neg:,} negative left out"
            _fitted_pair(
                decide,
                p,
                r,
                CENSOR_HOURS,
                (f"break_fix.response_median_hours.{p}", base.break_fix.response_median_hours[p]),
                (f"break_fix.response_p90_hours.{p}", base.break_fix.response_p90_hours[p]),
                ("response_median_hours", "response_p90_hours"),
                "business hours" if response_clock == "business" else "hours",
                level,
                note=note,
            )
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    _check_pairs(changes, base, warnings)
    return CalibrationResult(
        changes=changes,
        report=report,
        warnings=tuple(dict.fromkeys(warnings)),
        period=(start, end),
        years=float(years),
        users=int(users),
        n_tickets=len(frame),
        response_clock=response_clock,
        scenario=base,
    )


def _fitted_pair(decide, p, values, censor, median_spec, p90_spec, names, unit, level, note=""):
    """Fit a Gamma and record its median and p90 (with order-statistic intervals)."""
    fit = fit_gamma(values, censor_below=censor)
    xs = np.sort(values)
    n = int(xs.size)
    if fit is None:
        for (path, default), quantity in zip((median_spec, p90_spec), names):
            decide(path, quantity, p, default, None, n, unit=unit, note=note or "too few values to fit")
        return
    fit_text = (
        f"Gamma MLE shape {fit.gamma.shape:.2f}; KS D={fit.ks_statistic:.3f} (p={fit.ks_pvalue:.2f}, {fit.quality})"
    )
    med, p90 = fit.median, fit.p90
    decide(
        median_spec[0],
        names[0],
        p,
        median_spec[1],
        med,
        n,
        unit=unit,
        ci=_quantile_interval(xs, 0.5, level),
        empirical=float(np.quantile(xs, 0.5)),
        fit=fit_text,
        note=(note + "; " if note else "") + f"fitted mean {fit.gamma.mean():.3g} vs sample mean {xs.mean():.3g}",
        kind="quantile",
    )
    decide(
        p90_spec[0],
        names[1],
        p,
        p90_spec[1],
        p90,
        n,
        unit=unit,
        ci=_quantile_interval(xs, 0.9, level),
        empirical=float(np.quantile(xs, 0.9)),
        fit=fit_text,
        note=note,
        kind="quantile",
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
