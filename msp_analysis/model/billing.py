"""Fees: how each support model bills.

Break/Fix bills every incident by the hour: ``max(minimum, ceil(work /
increment) * increment)`` hours at the on-site or remote rate, times the
after-hours multiplier out of hours, plus a trip fee for a visit. That rule is
not linear in the work, so its exact expectation comes from the Gamma's
partial moments over the billing lattice (:func:`billing_moments`).

The MSP bills a fixed monthly fee (per user, per workstation, per server, flat,
with a minimum), the onboarding fee spread over the term, out-of-scope work by
the hour, less SLA credits for missed critical responses (capped). The
client's own staff time during onboarding is spread the same way
(:func:`msp_onboarding_staff_cost`), as internal cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from .distributions import Gamma, batchable
from .scenario import Scenario

__all__ = [
    "BillingMoments",
    "billed_hours",
    "billing_moments",
    "break_fix_project_fees",
    "expected_sla_credits",
    "msp_annual_fixed_fee",
    "msp_hourly_fees",
    "msp_monthly_fee",
    "msp_onboarding_staff_cost",
    "short_term_factor",
    "sla_credits",
    "term_premium",
]

# Floating-point slack when asking how many increments fit in the minimum
# (0.3 / 0.1 is 2.9999999999999996 in binary floating point).
_EPS = 1e-9
# Increments below this (3.6 microseconds) bill the exact time: rounding up
# by less than it is invisible in any fee, and work or minimums divided by a
# vanishing increment (1e-310) would overflow.
_MIN_INCREMENT = 1e-9
# Billing-lattice cells summed exactly in the expectation (see _lattice): at
# first, and at most; in between, a fourth more at a time until the tail
# formula takes over (each cell costs an incomplete gamma function: the
# lattice is most of the time a batch of input sets takes).
_FIRST_CELLS = 16
_GROWTH = 1.25
_MAX_CELLS = 20_000
# Relative size of the terms the tail formula neglects (see _lattice): for the
# mean, floating-point noise; for the second moments, which only shape the
# simulation's normal draw of many incidents' rounding, far below sampling error.
_TAIL_TOL_MEAN = 1e-13
_TAIL_TOL_SECOND = 1e-8


def billed_hours(work: npt.ArrayLike, minimum: float, increment: float) -> npt.NDArray[np.float64]:
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
    if increment >= _MIN_INCREMENT:
        x = w / increment
        # The slack forgives floating-point noise just above a whole number of
        # increments; any work at all still takes the first increment: a
        # work-time density that piles up near zero (a Gamma of shape < 1) puts
        # a sizeable share of incidents below 1e-9 increments.
        w = np.maximum(np.ceil(x - _EPS), np.ceil(np.minimum(x, 1.0))) * increment
    return np.maximum(w, minimum)


@dataclass(frozen=True)
class BillingMoments:
    """Moments of billed hours ``B`` and the rounding-up ``R = B - W``.

    ``mean_billed`` is ``E[B]``. ``mean_residual``, ``var_residual`` and
    ``cov_residual_work`` describe ``R`` and its covariance with the work
    ``W``: the simulation uses them to draw a year's billed hours from a year's
    work hours when incidents are many (see :mod:`msp_analysis.engine.simulation`).
    """

    mean_billed: float
    mean_residual: float
    var_residual: float
    cov_residual_work: float


@lru_cache(maxsize=1024)
def _moments(shape: float, scale: float, minimum: float, increment: float) -> BillingMoments:
    """One scenario's moments, cached (the dashboard asks for the same few again and again)."""
    one = _moments_of(*(np.array([v], dtype=float) for v in (shape, scale, minimum, increment)))
    return BillingMoments(*(float(v[0]) for v in one))


_Floats = npt.NDArray[np.float64]
_Moments = tuple[_Floats, _Floats, _Floats, _Floats]
# Lattice edges are summed in rows padded to a multiple of this: the sum over a
# row (and its rounding) then depends on that row alone, never on the other
# input sets computed with it.
_MIN_WIDTH = 16
# Lattice entries held at once: bounds memory for a batch of many input sets.
_BLOCK_ENTRIES = 2**20
# Lattices start at a multiple of this many edges at or below their minimum, so
# that minimums a few increments apart (on site, remote) share one.
_SHARED_BLOCK = 32


def _moments_of(shape: _Floats, scale: _Floats, minimum: _Floats, increment: _Floats) -> _Moments:
    """``(E[B], E[R], Var[R], Cov[R, W])`` for 1-d arrays, one entry per input set (see :class:`BillingMoments`).

    An ``increment`` of 0 bills the exact time. Each entry is computed from its
    own inputs alone (the same numbers whatever else is in the arrays).
    """
    columns = np.stack([np.ravel(a) for a in np.broadcast_arrays(shape, scale, minimum, increment)], axis=1)
    # Each distinct input computed once: a Sobol design or an acceptability
    # curve repeats the billing inputs of a draw many times.
    distinct, inverse = (
        np.unique(columns.astype(float), axis=0, return_inverse=True) if len(columns) > 1 else (columns, None)
    )
    if inverse is not None and len(distinct) < len(columns):
        return tuple(m[inverse.ravel()] for m in _moments_of(*distinct.T))  # type: ignore[return-value]
    k, th, mn, d = (np.ascontiguousarray(c) for c in columns.T.astype(float))
    g = Gamma(batchable(k), batchable(th))
    ew, ew2 = np.asarray(g.mean()), np.asarray(g.partial_moment(2))
    eb, ebw, eb2 = np.empty(k.size), np.empty(k.size), np.empty(k.size)
    exact = d <= 0
    if exact.any():
        # B = max(m, W): the minimum below m, the work itself above it.
        ge, m = Gamma(batchable(k[exact]), batchable(th[exact])), mn[exact]
        p_low = ge.cdf(m)
        eb[exact] = m * p_low + ge.partial_moment(1, m)
        ebw[exact] = m * ge.partial_moment(1, 0, m) + ge.partial_moment(2, m)
        eb2[exact] = m**2 * p_low + ge.partial_moment(2, m)
    rows = np.flatnonzero(~exact)
    if rows.size:
        eb[rows], ebw[rows], eb2[rows] = _lattice(k[rows], th[rows], mn[rows], d[rows])
    mean_r = eb - ew
    var_r = np.maximum(eb2 - 2 * ebw + ew2 - mean_r**2, 0.0)
    cov_rw = ebw - eb * ew - np.asarray(g.var())
    return eb, mean_r, var_r, cov_rw


def _lattice(k: _Floats, th: _Floats, minimum: _Floats, d: _Floats) -> tuple[_Floats, _Floats, _Floats]:
    """``E[B]``, ``E[B W]``, ``E[B^2]`` over the billing lattice, for increments ``d > 0``.

    Work up to m0 is billed at the minimum; each cell (m0 + (j-1)d, m0 + jd]
    above it at m0 + jd, summed exactly up to a point t. Beyond t the
    rounding-up R is the sawtooth d - ((W - t) mod d); integrating its
    Fourier series against the density f by parts gives
      E[R; W>t]   = d/2 P(W>t) + d^2/12 f(t)             - d^4/720 f''(t) ...
      E[R W; W>t] = d/2 E[W; W>t] + d^2/12 t f(t)         - d^4/720 (t f)''(t) ...
      E[R^2; W>t] = d^2/3 P(W>t) + d^3/12 f(t)            - d^4/360 f'(t) ...
    (Euler-Maclaurin boundary terms). The first two terms are used; t is
    where the Gamma's tail is below 1e-12, or earlier, as soon as the
    first neglected terms are negligible (:func:`_tail_is_smooth`): a long
    work tail billed in small increments needs a few hundred cells, not
    hundreds of thousands, and the decision tools stay in milliseconds.
    Each input set's lattice depends on its own inputs alone; input sets
    with the same work and increment whose minimums are close share one.
    """
    g = Gamma(batchable(k), batchable(th))
    i0 = np.floor(minimum / d + _EPS)  # whole increments in the minimum: the lattice starts at m0
    m0 = i0 * d
    top = np.maximum(np.asarray(g.ppf(1 - 1e-12)), m0 + d)
    # The lattice ends at edge `end` (edges j d counted from 0, not from m0, so that the on-site
    # and remote lattices of a priority, whose minimums differ, end at the same edge and are
    # summed once): the first edge of a growing sequence where the tail formula holds, at most
    # where the tail is below 1e-12. Every candidate is checked at once, not one at a time.
    most = np.minimum(np.ceil(np.minimum(top / d, 1e18)), i0 + _MAX_CELLS)
    tried = _cell_counts(_FIRST_CELLS, _GROWTH, float(most.max()))
    ends = np.minimum(np.maximum(tried[None, :], i0[:, None] + 1), most[:, None])
    part = Gamma(batchable(k[:, None]), batchable(th[:, None]))
    done = (ends >= most[:, None]) | _tail_is_smooth(part, ends * d[:, None], d[:, None])
    end = ends[np.arange(k.size), np.argmax(done, axis=1)]
    t = end * d
    # Summed from a multiple of _SHARED_BLOCK edges below the start, the same for nearby minimums.
    start = _SHARED_BLOCK * np.floor(i0 / _SHARED_BLOCK)
    sums = _shared_sums(k, th, d, start, end, i0)
    tail_p, tail_w, tail_w2 = g.sf(t), g.partial_moment(1, t), g.partial_moment(2, t)
    f_t = g.pdf(t)
    low_p, low_w = g.cdf(m0), g.partial_moment(1, 0, m0)
    e_r = 0.5 * d * tail_p + d**2 / 12 * f_t
    e_rw = 0.5 * d * tail_w + d**2 / 12 * t * f_t
    e_r2 = d**2 / 3 * tail_p + d**3 / 12 * f_t
    eb = minimum * low_p + sums[0] + tail_w + e_r
    ebw = minimum * low_w + sums[1] + tail_w2 + e_rw
    eb2 = minimum**2 * low_p + sums[2] + tail_w2 + 2 * e_rw + e_r2
    return eb, ebw, eb2


def _cell_counts(first: int, growth: float, most: float) -> npt.NDArray[np.float64]:
    """Lattice ends tried in turn: ``first``, then a ``growth`` more each time, until ``most``."""
    counts = [float(first)]
    while counts[-1] < most:
        counts.append(float(math.ceil(growth * counts[-1])))
    return np.array(counts)


def _shared_sums(
    k: _Floats, th: _Floats, d: _Floats, start: _Floats, end: _Floats, i0: _Floats
) -> npt.NDArray[np.float64]:
    """Each row's cell sums from edge ``i0`` to ``end``: one lattice per distinct ``(k, theta, d, start, end)``.

    A row's numbers depend on those five alone (never on the other rows), so
    a set priced alone or among others gives the same bits.
    """
    keys = np.stack([k, th, d, start, end], axis=1)
    if k.size == 1:  # one scenario's row: nothing to share
        lattices, which = keys, np.zeros(1, dtype=np.int64)
    else:
        lattices, which = np.unique(keys, axis=0, return_inverse=True)
        which = which.ravel()
    cells = (lattices[:, 4] - lattices[:, 3]).astype(np.int64)
    width = _MIN_WIDTH * -(-(cells + 1) // _MIN_WIDTH)
    out = np.empty((3, k.size))
    for w in np.unique(width):
        group = np.flatnonzero(width == w)
        step = max(1, _BLOCK_ENTRIES // int(w))
        for first in range(0, group.size, step):
            u = group[first : first + step]
            lat = lattices[u]
            cum = _cumulative_cell_sums(lat[:, 0], lat[:, 1], lat[:, 2], lat[:, 3], cells[u], int(w))
            rows = np.flatnonzero(np.isin(which, u))
            pos = np.searchsorted(u, which[rows])
            lo = (i0[rows] - lattices[which[rows], 3]).astype(np.int64)
            out[:, rows] = cum[:, pos, cells[which[rows]]] - cum[:, pos, lo]
    return out


def _cumulative_cell_sums(
    k: _Floats, th: _Floats, d: _Floats, start: _Floats, cells: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.float64]:
    """Cumulative ``sum B P``, ``sum B E[W; cell]``, ``sum B^2 P`` over each row's cells from edge ``start``.

    Entry ``j`` of a row sums its first ``j`` cells; rows are padded to
    ``width`` edges (padding repeats the last edge: its cells are empty).
    """
    edges = (start[:, None] + np.minimum(np.arange(width), cells[:, None])) * d[:, None]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        z = np.where(edges == 0, 0.0, edges / th[:, None])
        cdf = special.gammainc(k[:, None], z)  # the costly part
        # P(k + 1, z) = P(k, z) - z^k e^-z / Gamma(k + 1): E[W; W <= e] without a second incomplete gamma.
        term = np.exp(k[:, None] * np.log(z) - z - special.gammaln(k + 1)[:, None])
        cdf1 = cdf - np.where(np.isfinite(z), term, 0.0)
    p = np.diff(cdf, axis=1)
    pw = np.diff(cdf1, axis=1) * (k * th)[:, None]
    billed = edges[:, 1:]
    cum = np.zeros((3, k.size, width))
    np.cumsum(billed * p, axis=1, out=cum[0, :, 1:])
    np.cumsum(billed * pw, axis=1, out=cum[1, :, 1:])
    np.cumsum(billed**2 * p, axis=1, out=cum[2, :, 1:])
    return cum


def _tail_is_smooth(g: Gamma, t: _Floats, d: _Floats) -> npt.NDArray[np.bool_]:
    """Whether the terms the tail formula of :func:`_lattice` neglects at ``t`` are negligible.

    They are ``d^4/720 f''(t)`` in ``E[R]``, ``d^4/720 (2 f'(t) + t f''(t))``
    in ``E[R W]`` and ``d^4/360 f'(t)`` in ``E[R^2]``, compared with the mean
    work, and with ``d`` times the work's spread and ``d^2`` (the scales of
    the rounding's covariance with the work and of its variance).
    """
    k, th = np.asarray(g.shape), np.asarray(g.scale)
    f = np.asarray(g.pdf(t))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # Bounds on |f'| and |f''| (f'/f = (k - 1)/t - 1/theta) that no cancellation can make vanish:
        # near the mode or an inflection point the derivatives themselves do, the next terms do not.
        slope = np.abs(k - 1) / t + 1 / th
        f1 = f * slope
        f2 = f * (slope**2 + np.abs(k - 1) / t**2)
        c = d**4 / 720
        small = (
            (c * np.abs(f2) <= _TAIL_TOL_MEAN * (g.mean() + d))
            & (c * np.abs(2 * f1 + t * f2) <= _TAIL_TOL_SECOND * d * (np.sqrt(g.var()) + d))
            & (2 * c * np.abs(f1) <= _TAIL_TOL_SECOND * d**2)
        )
    # Far in the tail (or a vanishing scale, whose slope would overflow) the
    # density is 0: its exponential decay outruns any power of the slope.
    # Only in the right tail, though: there the density and its derivatives
    # fall monotonically and the first neglected terms bound the rest. Left
    # of the bulk (four spreads past the mode; a shape <= 1 has no bulk to
    # pass) they are small while the bulk to come is not.
    beyond = t >= np.where(k > 1, th * (k - 1 + 4 * np.sqrt(k)), 0.0)
    return np.asarray(beyond & ((f == 0.0) | small))


def billing_moments(work: Gamma, minimum: float, increment: float) -> BillingMoments:
    """Exact moments of the hours billed for one incident with Gamma work.

    For a batch (arrays in ``work``, ``minimum`` or ``increment``, one entry
    per input set) the moments are arrays, each entry what one input set alone
    would give.

    Examples
    --------
    >>> w = Gamma.from_median_p90(0.75, 2.0)
    >>> m = billing_moments(w, minimum=1.0, increment=0.25)
    >>> round(m.mean_billed, 4) >= round(w.mean(), 4)   # billing never rounds down
    True
    >>> both = billing_moments(w, minimum=np.array([1.0, 0.5]), increment=0.25)
    >>> bool(both.mean_billed[0] == m.mean_billed)
    True
    """
    inc = np.asarray(increment, dtype=float)
    if all(np.ndim(v) == 0 for v in (work.shape, work.scale, increment)) and np.ndim(minimum) == 1:
        # One scenario's few minimums (on site, remote): each from the cache.
        each = [billing_moments(work, float(m), increment) for m in np.asarray(minimum, dtype=float)]
        return BillingMoments(
            *(batchable(np.array([getattr(e, f) for e in each])) for f in BillingMoments.__dataclass_fields__)
        )
    if all(np.ndim(v) == 0 for v in (work.shape, work.scale, minimum, increment)):
        return _moments(
            float(work.shape), float(work.scale), float(minimum), float(inc) if inc >= _MIN_INCREMENT else 0.0
        )
    inc = np.where(inc >= _MIN_INCREMENT, inc, 0.0)
    n = np.broadcast_shapes(*(np.shape(v) for v in (work.shape, work.scale, minimum, inc)))
    moments = _moments_of(work.shape, work.scale, minimum, inc)  # type: ignore[arg-type]
    return BillingMoments(*(batchable(m.reshape(n)) for m in moments))


def term_premium(term_months: npt.ArrayLike, month_to_month: npt.ArrayLike, one_year: npt.ArrayLike) -> np.ndarray:
    """Price premium of a contract term over a 36-month term's price.

    Under 12 months the month-to-month premium, from 12 to 35 months the
    one-year premium, 36 months or more none. Array-friendly: any argument
    may be an array of input sets.

    Examples
    --------
    >>> term_premium([1, 12, 24, 36, 60], 0.15, 0.05).tolist()
    [0.15, 0.05, 0.05, 0.0, 0.0]
    """
    t = np.asarray(term_months)
    return np.where(t < 12, month_to_month, np.where(t < 36, one_year, 0.0))


def short_term_factor(scenario: Scenario) -> float:
    """What the quoted subscription prices are multiplied by for the scenario's term.

    Prices are quoted for ``msp.quoted_term_months``; at that term the factor
    is 1 and the quote's prices stand. Another term pays its premium instead
    of the quoted term's: ``(1 + premium(term)) / (1 + premium(quoted))``, so
    a month-to-month quote moved to three years is cheaper by the same rule.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()   # quoted for 36 months; month-to-month +15%, one year +5%
    >>> float(short_term_factor(s)), float(short_term_factor(s.replace({"msp.term_months": 12})))
    (1.0, 1.05)
    """
    m = scenario.msp
    term = term_premium(m.term_months, m.month_to_month_premium, m.one_year_premium)
    quoted = term_premium(m.quoted_term_months, m.month_to_month_premium, m.one_year_premium)
    return batchable((1 + term) / (1 + quoted))


def msp_monthly_fee(scenario: Scenario) -> float:
    """The MSP's monthly subscription: per-seat and per-device fees, flat fee, minimum.

    Quoted for ``msp.quoted_term_months``; another term pays the short-term
    premium (:func:`short_term_factor`) on the whole subscription, minimum
    included; a co-managed contract takes ``msp.co_managed_discount`` off it, down to the
    minimum at most. Onboarding, exit and out-of-scope prices are not scaled.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> msp_monthly_fee(sample_scenario())   # 45 users x 125 + 3 servers x 150
    6075.0
    >>> round(msp_monthly_fee(sample_scenario().replace({"msp.term_months": 1})), 2)   # month to month: +15%
    6986.25
    """
    o, m = scenario.organization, scenario.msp
    fee = (
        m.per_user_monthly * o.users
        + m.per_workstation_monthly * o.workstations
        + m.per_server_monthly * o.servers
        + m.flat_monthly
    )
    # a co-managed contract (in-house first line) is discounted, but the invoice never falls below the minimum
    discounted = np.maximum(fee * (1 - m.co_managed_discount), m.monthly_minimum)
    return batchable(discounted * short_term_factor(scenario))


def msp_annual_fixed_fee(scenario: Scenario) -> float:
    """Twelve months of subscription plus a year's share of the onboarding and exit fees.

    Each fee is paid once and spread over the term (a 36-month term carries a
    third of it each year); a term of a year or less carries all of it, once:
    renewing a month-to-month contract does not onboard the client again. The
    exit (termination) fee is the cost of leaving: a client who signs also
    commits to it, so a year carries its share like the onboarding fee's.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()   # 6,075 a month, 2,500 onboarding over 36 months
    >>> msp_annual_fixed_fee(s)
    73733.33333333333
    >>> m2m = s.replace({"msp.term_months": 1})
    >>> msp_annual_fixed_fee(m2m) - 12 * msp_monthly_fee(m2m)
    2500.0
    >>> msp_annual_fixed_fee(s.replace({"msp.exit_fee": 3000.0})) - msp_annual_fixed_fee(s)   # a third a year
    1000.0
    """
    m = scenario.msp
    return batchable(
        12 * msp_monthly_fee(scenario) + (m.onboarding_fee + m.exit_fee) * 12 / np.maximum(m.term_months, 12)
    )


def break_fix_project_fees(scenario: Scenario) -> float:
    """A year's project work bought from Break/Fix, at its on-site hourly rate.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> break_fix_project_fees(sample_scenario().replace({"organization.project_hours_per_year": 40.0}))
    6000.0
    """
    return scenario.break_fix.hourly_rate * scenario.organization.project_hours_per_year


def msp_hourly_fees(scenario: Scenario, oos_hours: npt.ArrayLike, after_hours_hours: npt.ArrayLike) -> np.ndarray:
    """What the MSP bills by the hour, by kind: incidents outside scope, projects, after-hours work left out.

    ``oos_hours`` is the work on incidents outside the contract and
    ``after_hours_hours`` the in-scope work users notice done out of hours (a
    year's, or their expectations); project hours are the organisation's. All
    at the out-of-scope rate, the after-hours work left out by the contract
    (``msp.after_hours_out_of_scope_share``) at its after-hours multiple.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario().replace({"msp.after_hours_out_of_scope_share": 0.5, "organization.project_hours_per_year": 10.0})
    >>> float(msp_hourly_fees(s, 20.0, 8.0))   # 150/h x (20 + 10 + 1.5 x 0.5 x 8)
    5400.0
    """
    m = scenario.msp
    after = m.after_hours_rate_multiplier * m.after_hours_out_of_scope_share
    hours = np.asarray(oos_hours) + scenario.organization.project_hours_per_year + after * np.asarray(after_hours_hours)
    return m.out_of_scope_rate * hours


def msp_onboarding_staff_cost(scenario: Scenario) -> float:
    """A year's share of the client's own staff time spent moving to the MSP, at the loaded hourly cost.

    Agents installed, accounts and MFA set up, walk-throughs: hours per user
    times the users, priced like any staff hour and spread over the term like
    the onboarding fee (the client's cost, so internal cost, not a fee).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario().replace({"msp.onboarding_staff_hours_per_user": 2.0})
    >>> round(float(msp_onboarding_staff_cost(s)), 2)   # 2 h x 45 users x 75/h, a third a year
    2250.0
    """
    o, m = scenario.organization, scenario.msp
    hours = m.onboarding_staff_hours_per_user * o.users
    return o.loaded_hourly_cost * hours * 12 / np.maximum(m.term_months, 12)


def sla_credits(critical_misses: npt.ArrayLike, scenario: Scenario) -> npt.NDArray[np.float64]:
    """Credits for a year's missed P1/P2 responses: per miss, capped per year."""
    monthly = msp_monthly_fee(scenario)
    m = scenario.msp
    return np.minimum(
        m.sla_credit_per_critical_miss * monthly * np.asarray(critical_misses, dtype=float),
        m.sla_credit_cap * 12 * monthly,
    )


def expected_sla_credits(mean_critical_misses: float, scenario: Scenario) -> float:
    """``E[credits]`` when critical misses are Poisson with the given mean.

    ``E[min(c M, C)] = c E[min(M, C / c)]`` and for a Poisson ``M``
    ``E[min(M, x)] = sum_{k <= floor(x)} k p(k) + x P(M > floor(x))``, where
    ``k p(k) = mu p(k - 1)`` turns the sum into ``mu P(M <= floor(x) - 1)``:
    constant time however many misses a year brings (summing the terms took
    seconds and gigabytes at millions a year).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()   # 5% of 6,075 per miss, capped at 10% of a year's fees
    >>> round(expected_sla_credits(2.0, s), 2)   # the cap (24 misses) never binds
    607.5
    """
    monthly = msp_monthly_fee(scenario)
    m = scenario.msp
    c, cap = m.sla_credit_per_critical_miss * monthly, m.sla_credit_cap * 12 * monthly
    mu = np.asarray(mean_critical_misses, dtype=float)
    some = (c > 0) & (cap > 0) & (mu > 0)
    if not np.any(some):
        return batchable(np.zeros(np.broadcast_shapes(np.shape(c), np.shape(cap), mu.shape)))
    # A credit per miss vanishing beside the cap sends x to infinity: the cap never binds, chosen below.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(some, cap / np.where(some, c, 1.0), 0.0)
        k_max = np.floor(x)
        body = np.where(k_max >= 1, mu * special.pdtr(np.maximum(k_max - 1, 0.0), mu), 0.0)  # P(M <= -1) = 0
        credits = c * (body + x * special.pdtrc(k_max, mu))
    # Beyond the Poisson's far tail the cap never binds: E[min(M, x)] = E[M].
    unbound = x >= stats.poisson.isf(1e-16, np.where(some, mu, 1.0))
    return batchable(np.where(some, np.where(unbound, c * mu, credits), 0.0))
