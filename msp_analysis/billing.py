"""Fees: how each support model bills.

Break/Fix bills every incident by the hour: ``max(minimum, ceil(work /
increment) * increment)`` hours at the on-site or remote rate, times the
after-hours multiplier out of hours, plus a trip fee for a visit. That rule is
not linear in the work, so its exact expectation comes from the Gamma's
partial moments over the billing lattice (:func:`billing_moments`).

The MSP bills a fixed monthly fee (per user, per workstation, per server, flat,
with a minimum), the onboarding fee spread over the term, out-of-scope work by
the hour, less SLA credits for missed critical responses (capped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats

from .distributions import Gamma

__all__ = [
    "BillingMoments",
    "billed_hours",
    "billing_moments",
    "expected_sla_credits",
    "msp_annual_fixed_fee",
    "msp_monthly_fee",
    "sla_credits",
]

# Floating-point slack when asking how many increments fit in the minimum
# (0.3 / 0.1 is 2.9999999999999996 in binary floating point).
_EPS = 1e-9
# Upper bound on billing-lattice cells in the exact expectation (see _moments).
_MAX_CELLS = 20_000


def billed_hours(work, minimum: float, increment: float):
    """Hours billed for incidents that took ``work`` hours.

    Parameters
    ----------
    work : array_like
        Technician hours per incident.
    minimum : float
        Minimum billable hours (a call-out shorter than this is billed at it).
    increment : float
        Billing increment; work is rounded up to a multiple of it. ``0`` bills
        the exact time.

    Examples
    --------
    >>> billed_hours([0.2, 1.0, 1.1, 2.6], minimum=1.0, increment=0.25).tolist()
    [1.0, 1.0, 1.25, 2.75]
    >>> billed_hours([0.2, 1.3], minimum=0.5, increment=0).tolist()
    [0.5, 1.3]
    """
    w = np.asarray(work, dtype=float)
    if increment > 0:
        w = np.ceil(w / increment - _EPS) * increment
    return np.maximum(w, minimum)


@dataclass(frozen=True)
class BillingMoments:
    """Moments of billed hours ``B`` and the rounding-up ``R = B - W``.

    ``mean_billed`` is ``E[B]``. ``mean_residual``, ``var_residual`` and
    ``cov_residual_work`` describe ``R`` and its covariance with the work
    ``W``: the simulation uses them to draw a year's billed hours from a year's
    work hours when incidents are many (see :mod:`msp_analysis.simulation`).
    """

    mean_billed: float
    mean_residual: float
    var_residual: float
    cov_residual_work: float


@lru_cache(maxsize=1024)
def _moments(shape: float, scale: float, minimum: float, increment: float) -> BillingMoments:
    g = Gamma(shape, scale)
    ew, ew2 = g.mean(), g.partial_moment(2)
    if increment <= 0:
        # B = max(m, W): the minimum below m, the work itself above it.
        p_low = float(g.cdf(minimum))
        eb = minimum * p_low + float(g.partial_moment(1, minimum))
        ebw = minimum * float(g.partial_moment(1, 0, minimum)) + float(g.partial_moment(2, minimum))
        eb2 = minimum**2 * p_low + float(g.partial_moment(2, minimum))
    else:
        # Work up to m0 is billed at the minimum; each cell (m0 + (j-1)d, m0 + jd]
        # above it at m0 + jd. Cells run until the Gamma's tail is below 1e-12 (at
        # most _MAX_CELLS of them). Beyond that the rounding-up is treated as
        # uniform on [0, d): exact in the limit, and weighted by a mass < 1e-12
        # unless the cap binds (work tails of hundreds of hours billed in minutes).
        m0 = math.floor(minimum / increment + _EPS) * increment
        top = max(float(g.ppf(1 - 1e-12)), m0 + increment)
        n_cells = max(1, min(math.ceil((top - m0) / increment), _MAX_CELLS))
        edges = m0 + increment * np.arange(n_cells + 1)
        billed = edges[1:]
        p = np.diff(g.cdf(edges))
        pw = np.diff(g.partial_moment(1, 0, edges))
        t = edges[-1]
        tail_p, tail_w, tail_w2 = float(g.sf(t)), float(g.partial_moment(1, t)), float(g.partial_moment(2, t))
        low_p = float(g.cdf(m0))
        low_w = float(g.partial_moment(1, 0, m0))
        eb = minimum * low_p + float(billed @ p) + tail_w + 0.5 * increment * tail_p
        ebw = minimum * low_w + float(billed @ pw) + tail_w2 + 0.5 * increment * tail_w
        eb2 = minimum**2 * low_p + float(billed**2 @ p) + tail_w2 + increment * tail_w + increment**2 / 3 * tail_p
    mean_r = eb - ew
    var_r = max(eb2 - 2 * ebw + ew2 - mean_r**2, 0.0)
    cov_rw = ebw - eb * ew - g.var()
    return BillingMoments(eb, mean_r, var_r, cov_rw)


def billing_moments(work: Gamma, minimum: float, increment: float) -> BillingMoments:
    """Exact moments of the hours billed for one incident with Gamma work.

    Examples
    --------
    >>> w = Gamma.from_median_p90(0.75, 2.0)
    >>> m = billing_moments(w, minimum=1.0, increment=0.25)
    >>> round(m.mean_billed, 4) >= round(w.mean(), 4)   # billing never rounds down
    True
    """
    return _moments(float(work.shape), float(work.scale), float(minimum), float(increment))


def msp_monthly_fee(scenario) -> float:
    """The MSP's monthly subscription: per-seat and per-device fees, flat fee, minimum.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> msp_monthly_fee(sample_scenario())   # 45 users x 125 + 3 servers x 150
    6075.0
    """
    o, m = scenario.organization, scenario.msp
    fee = (
        m.per_user_monthly * o.users
        + m.per_workstation_monthly * o.workstations
        + m.per_server_monthly * o.servers
        + m.flat_monthly
    )
    return float(max(fee, m.monthly_minimum))


def msp_annual_fixed_fee(scenario) -> float:
    """Twelve months of subscription plus a year's share of the onboarding fee.

    The fee is paid once and spread over the term (a 36-month term carries a
    third of it each year); a term of a year or less carries all of it, once:
    renewing a month-to-month contract does not onboard the client again.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()   # 6,075 a month, 2,500 onboarding over 36 months
    >>> msp_annual_fixed_fee(s)
    73733.33333333333
    >>> msp_annual_fixed_fee(s.replace({"msp.term_months": 1})) - 12 * msp_monthly_fee(s)
    2500.0
    """
    m = scenario.msp
    return 12 * msp_monthly_fee(scenario) + m.onboarding_fee * 12 / max(m.term_months, 12)


def sla_credits(critical_misses, scenario):
    """Credits for a year's missed P1/P2 responses: per miss, capped per year."""
    monthly = msp_monthly_fee(scenario)
    m = scenario.msp
    return np.minimum(
        m.sla_credit_per_critical_miss * monthly * np.asarray(critical_misses, dtype=float),
        m.sla_credit_cap * 12 * monthly,
    )


def expected_sla_credits(mean_critical_misses: float, scenario) -> float:
    """``E[credits]`` when critical misses are Poisson with the given mean.

    ``E[min(c M, C)] = c E[min(M, C / c)]`` and for a Poisson ``M``
    ``E[min(M, x)] = sum_{k <= floor(x)} k p(k) + x P(M > floor(x))``.
    """
    monthly = msp_monthly_fee(scenario)
    m = scenario.msp
    c, cap = m.sla_credit_per_critical_miss * monthly, m.sla_credit_cap * 12 * monthly
    if c <= 0 or cap <= 0 or mean_critical_misses <= 0:
        return 0.0
    x = cap / c
    mu = mean_critical_misses
    # Beyond the Poisson's far tail the cap never binds: E[min(M, x)] = E[M].
    if x >= stats.poisson.isf(1e-16, mu):
        return c * mu
    k_max = math.floor(x)
    ks = np.arange(k_max + 1)
    body = float(ks @ stats.poisson.pmf(ks, mu))
    return c * (body + x * float(stats.poisson.sf(k_max, mu)))
