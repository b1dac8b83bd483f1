"""Where calibration fits each quantity of one priority, and decides whether the data or the default is used.

:func:`.calibrate` reads the ticket columns, then for each priority calls
:func:`_fit_rate` (incidents per user per year), :func:`_fit_shares`
(on-site and after-hours), :func:`_fit_users_affected`, :func:`_fit_work`
(technician hours, a Gamma) and :func:`_fit_response` (Break/Fix response,
a Gamma with zeros left-censored below :data:`CENSOR_HOURS`). Each builds an
:class:`_Estimate`; :meth:`_Ledger.record` applies the rules for thin data of
the calibration's :class:`_Context` (keep the default, shrink toward it, or
use the data) and keeps the report's rows, the changes and the warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..model.distributions import GAMMA_RATIO_RANGE
from ..model.scenario import PRIORITIES, Scenario, field_info
from .estimators import _quantile_interval, fit_gamma, poisson_interval, proportion_interval

__all__ = ["CENSOR_HOURS", "PRIOR_DAYS", "SHORT_WINDOW_DAYS"]

#: A response measured as 0 business hours is taken to lie somewhere below this.
CENSOR_HOURS = 0.05

#: Rates from a window shorter than this are shrunk toward the defaults (a few days say little about a year).
SHORT_WINDOW_DAYS = 90

#: In that shrinkage the default counts as this many days of the firm's own exposure (a Gamma prior with
#: shape ``default x users x PRIOR_DAYS / 365.25`` and rate ``users x PRIOR_DAYS / 365.25``): a 3-day window
#: gets a weight of 3 / (3 + 30) = 0.09, an 80-day one 0.73.
PRIOR_DAYS = 30


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
        elif e.kind == "rate" and ctx.years < SHORT_WINDOW_DAYS / 365.25 and default > 0 and ctx.thin != "data":
            # Gamma-Poisson: the default is a Gamma prior worth PRIOR_DAYS of this firm's exposure
            prior = ctx.users * PRIOR_DAYS / 365.25
            value = (n + default * prior) / (ctx.exposure + prior)
            z = ctx.exposure / (ctx.exposure + prior)
            source = (
                f"shrunk toward default: {ctx.years * 365.25:.0f}-day window < {SHORT_WINDOW_DAYS} "
                f"(Gamma-Poisson, default worth {PRIOR_DAYS} days; data weight {z:.2f}, n={n:,})"
            )
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
    cls = ctx.base.incidents[p]
    if cls.self_service_share > 0 or cls.in_house_share > 0:
        # The rate field counts incidents before self-service and in-house help; whether an export holds those
        # depends on whose helpdesk it is, so the count is used as it is and the user is told what to check.
        ledger.warnings.append(
            f"{p}: the scenario has {cls.self_service_share:.0%} self-served and {cls.in_house_share:.0%} resolved "
            "in house before a vendor; the tickets are counted as all incidents (the rate field's meaning). If the "
            "export holds only tickets that reached the vendor, divide the rate by the share that reaches it"
        )
    if ctx.years < SHORT_WINDOW_DAYS / 365.25 and ctx.thin != "data":
        ledger.warnings.append(
            f"{p}: a {ctx.years * 365.25:.0f}-day window gives {rate:.3g} incidents per user per year; shrunk "
            f"toward the default (worth {PRIOR_DAYS} days) as the report's source column says"
        )
    elif n < ctx.min_tickets and ctx.thin == "keep":
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
    """The mean share of one site's users an incident affects: mean users affected / min(headcount, users per site).

    The model stops ``share * min(users, users_per_site)`` users (model/downtime.py), so the share is read
    against the same base: a 2,000-user firm whose outages stop its 250-user sites has a share of 1, not 0.125.
    """
    a = affected[np.isfinite(affected)]
    site = min(ledger.ctx.users, ledger.ctx.base.organization.users_per_site)
    share = float(np.clip(a.mean() / site, 0, 1)) if a.size else None
    if a.size and a.mean() > site:  # the share is capped at 1: say what the data said instead
        ledger.warnings.append(
            f"{p.upper()} tickets affected {a.mean():,.0f} users on average, more than "
            + (
                f"one site's {site:,} (organization.users_per_site)"
                if site < ledger.ctx.users
                else f"the {site:,} users"
            )
            + ": the share of users affected is taken as 1"
        )
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
            note="mean users affected / users of one site"
            if site < ledger.ctx.users
            else "mean users affected / headcount",
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
    mean_note = f"fitted mean {fit.gamma.mean():.3g} vs sample mean {xs.mean():.3g}"
    for target, q, fitted, extra in ((median, 0.5, fit.median, mean_note), (p90, 0.9, fit.p90, "")):
        ci = _quantile_interval(xs, q, level)
        empirical = float(np.quantile(xs, q))
        value, why = _shown_quantile(fitted, empirical, ci, fit.quality)
        ledger.record(
            _Estimate(
                p,
                target.quantity,
                target.path,
                target.default,
                value,
                n,
                unit,
                ci=ci,
                empirical=empirical,
                fit=fit_text + (f"; {why}" if why else ""),
                note="; ".join(t for t in (note, extra) if t),
                kind="quantile",
            )
        )


def _shown_quantile(fitted: float, empirical: float, ci: tuple[float, float], quality: str) -> tuple[float, str]:
    """The quantile used: the Gamma's when its fit is not poor and it lies in the data's interval, else the data's.

    A value shown is never outside its own (order-statistic) interval: the
    data's quantile is brought inside it where interpolation leaves it out.
    """
    lo = ci[0] if np.isfinite(ci[0]) else -math.inf
    hi = ci[1] if np.isfinite(ci[1]) else math.inf
    if quality == "poor":
        why = "Gamma fit poor: the data's own quantile is used"
    elif not lo <= fitted <= hi:
        why = f"fitted {fitted:.3g} lies outside the data's interval: the data's own quantile is used"
    else:
        return fitted, ""
    return float(min(max(empirical, lo), hi)), why


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
