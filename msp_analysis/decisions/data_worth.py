"""What a client's ticket history was worth to the decision, and the MSP price the client can be sure at.

EVPI before and after the data is not the data's worth. The data do two
things at once: they narrow the ranges of the calibrated inputs and they move
their values. An estimate that lands closer to break-even makes the choice
*less* sure, so the EVPI after the data can be higher than before (the sample
client's: $5,773 before, $6,421 after) although the data can only have helped.
Two measures that a finance director can check are used instead:

**What the history changed (realised value).** Under what we know now (the
draws of :func:`~msp_analysis.uncertainty` with the calibrated values and
their intervals), the expected saving of the choice made *with* the data minus
that of the choice we would have made *without* it::

    worth = E_after[saving(choice_after)] - E_after[saving(choice_before)]

where a choice is the MSP when the mean expected saving over the draws is
positive, and ``saving(MSP) = saving``, ``saving(Break/Fix) = 0``. It is never
negative (the choice with the data is the best one under what we now know)
and it is zero when the data confirmed the choice: they changed nothing we
would do, however much they taught us. When they flipped it, it is the size
of the mean saving the flip secures, per year.

**What a history that long was expected to be worth (EVSI).** Before anyone
looked at it, a ticket history of ``years`` for ``users`` people was a
sample: for every draw of the inputs it would have shown Poisson counts of
incidents per priority, ``N_p ~ Poisson(rate_p * users * years)``, and the
choice would then be made on ``E[saving | N]``. Its expected value of sample
information,

    EVSI = E_N[max(E[saving | N], 0)] - max(E[saving], 0),

is estimated from the same draws by regressing the saving on simulated counts
(Strong, Oakley, Brennan & Breeze 2015, *Med. Decis. Making* 35:570; the
spline of :func:`.value_of_information.evppi`). It prices the incident rates
only: a history also tells about technician hours and response times, so this
is a floor on what the whole history was expected to be worth. It lies between
0 and the EVPPI of the incident rates, and tends to that EVPPI as the history
grows. Calibration treats a long history the same way: its rates are the
data's ``n / (users * years)``, the posterior mean under a Gamma prior that
the data swamp (:mod:`msp_analysis.ingest.calibration`).

Examples
--------
>>> realised_value([5.0, 3.0, -1.0], [4.0, 6.0])   # the MSP before and after: nothing changed
0.0
>>> realised_value([-5.0, 1.0], [4.0, 6.0])          # Break/Fix before, the MSP after: worth the mean saving
5.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..engine.batch import expected_totals
from ..errors import ValidationError
from .uncertainty import Uncertainty, calibration_ranges, uncertainty
from .value_of_information import EVPPIEstimate, evppi

if TYPE_CHECKING:  # only for the annotation: decisions do not need ingest at run time
    from ..ingest.calibration import CalibrationResult
    from ..model.scenario import Scenario

__all__ = [
    "SUBSCRIPTION",
    "HistoryWorth",
    "evsi_of_counts",
    "history_worth",
    "realised_value",
    "sure_prices",
    "sure_shares",
]

_Floats = npt.NDArray[np.float64]


def _choice(saving: npt.ArrayLike) -> bool:
    """True when the MSP is the better choice on average over the draws (ties go to Break/Fix: no change)."""
    return bool(np.mean(np.asarray(saving, dtype=float)) > 0)


def realised_value(saving_before: npt.ArrayLike, saving_after: npt.ArrayLike) -> float:
    """What deciding with the data gained, judged by what we know after it (never negative).

    Parameters
    ----------
    saving_before, saving_after : array_like
        Expected saving per draw (Break/Fix minus MSP; positive: the MSP is
        better) without the data and with it. Only the sign of the mean of
        ``saving_before`` matters: it is the choice the data could change.

    Returns
    -------
    float
        ``|mean(saving_after)|`` if the data changed the choice, else 0.

    Examples
    --------
    >>> realised_value([1.0, 2.0], [-3.0, -1.0])   # the MSP before, Break/Fix after
    2.0
    """
    before, after = np.asarray(saving_before, dtype=float), np.asarray(saving_after, dtype=float)
    for name, s in (("saving_before", before), ("saving_after", after)):
        if s.ndim != 1 or s.size == 0 or not np.all(np.isfinite(s)):
            raise ValueError(f"{name}: expected a non-empty one-dimensional array of finite numbers, got {s!r}")
    if _choice(before) == _choice(after):
        return 0.0
    return float(abs(np.mean(after)))


def evsi_of_counts(
    rates: npt.ArrayLike,
    exposure: float,
    saving: npt.ArrayLike,
    *,
    knots: int = 6,
    n_se: int = 200,
    rng: np.random.Generator | int | None = None,
) -> EVPPIEstimate:
    """EVSI of incident counts over ``exposure`` user-years, by regression on simulated counts.

    Parameters
    ----------
    rates : array_like
        Incidents per user per year in each draw: one column per rate (a
        priority), or one dimension for a single rate.
    exposure : float
        User-years the history would cover (users x years), > 0.
    saving : array_like
        The expected saving in each draw.
    knots, n_se : int
        As in :func:`.value_of_information.evppi`.
    rng : numpy.random.Generator, int or None
        Draws the counts and the standard error (SPEC 7).

    Examples
    --------
    A history long enough tells the rate: its EVSI nears the rate's EVPPI.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> rate = rng.gamma(4.0, 0.25, 5_000)          # incidents per user-year, mean 1
    >>> saving = 100.0 * (rate - 0.9)
    >>> short = evsi_of_counts(rate, 1.0, saving, rng=1).value
    >>> long = evsi_of_counts(rate, 1_000.0, saving, rng=1).value
    >>> bool(0.0 <= short < long <= evppi(rate, saving, knots=6).value * 1.05)
    True
    """
    r, s = np.asarray(rates, dtype=float), np.asarray(saving, dtype=float)
    if not (isinstance(exposure, (int, float, np.integer, np.floating)) and math.isfinite(exposure) and exposure > 0):
        raise ValueError(f"exposure: expected a positive number of user-years, got {exposure!r}")
    if r.ndim not in (1, 2) or r.shape[0] != s.size or np.any(~np.isfinite(r)) or np.any(r < 0):
        raise ValueError(f"rates: expected one row of non-negative rates per saving, got shape {r.shape}")
    gen = np.random.default_rng(rng)
    counts = gen.poisson(r * float(exposure)).astype(float)
    return evppi(counts, s, knots=knots, n_se=n_se, rng=gen)


def sure_prices(
    result: Uncertainty,
    levels: tuple[float, ...] = (0.8, 0.9),
    *,
    draws: int = 500,
    path: str = "msp.per_user_monthly",
) -> dict[float, float]:
    """The MSP price (per user a month) up to which the client can be ``level`` sure the MSP is the better choice.

    Each draw has its own break-even price, where its expected saving is
    zero; P(MSP is the better choice) at a price is the share of draws whose
    break-even price is above it, so the price at which the client is 90%
    sure is the 10th percentile of the break-even prices. They are found by
    bracketing (:func:`_breakeven`: a draw with no root is never or always
    better), on the first ``draws`` draws (a Latin hypercube's rows are in
    random order, so they are a random subset): a few batches of ``draws``
    exact expectations instead of one per price on a grid
    (:meth:`Uncertainty.acceptability` gives the same curve, slower).
    ``nan`` for a level the prices from 0 up do not reach (even free, the MSP
    is not better that often, as when the MSP's monthly minimum binds and
    the price per user changes nothing); ``inf`` for one every price up to
    100,000 keeps.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, uncertainty
    >>> u = uncertainty(sample_scenario(), n=200, seed=1)
    >>> p = sure_prices(u, (0.8, 0.9), draws=200)
    >>> bool(0 < p[0.9] < p[0.8])
    True
    """
    if path not in result.scenario.paths():
        raise ValidationError(path, "<path>", "a field of the scenario (see Scenario.paths())")
    m = _checked(levels, draws, len(result.draws))
    rows = result.draws.iloc[:m]
    fixed = {c: rows[c].to_numpy() for c in rows.columns if c != path}

    def saving(price: _Floats, rows: npt.NDArray[np.intp]) -> _Floats:
        totals = expected_totals(result.scenario, {**{c: v[rows] for c, v in fixed.items()}, path: price})
        return np.asarray(totals[:, 0] - totals[:, 1])

    return _quantiles(_breakeven(saving, m), levels)


#: The recurring price fields of a quote (and its minimum): scaled together, they scale the subscription.
SUBSCRIPTION = (
    "msp.per_user_monthly",
    "msp.per_workstation_monthly",
    "msp.per_server_monthly",
    "msp.flat_monthly",
    "msp.monthly_minimum",
)


def sure_shares(result: Uncertainty, levels: tuple[float, ...] = (0.8, 0.9), *, draws: int = 500) -> dict[float, float]:
    """The share of the quoted subscription up to which the client can be ``level`` sure of the MSP.

    As :func:`sure_prices`, but every recurring price of the quote (per
    user, per workstation, per server, flat, and the monthly minimum) is
    scaled by one factor, so it answers for any quote: one priced per
    workstation or as a flat fee has no per-user price to move. ``1.0`` is
    the quote as it stands; ``nan`` a level not reached even at no fee,
    ``inf`` one kept up to ten times the quote.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, uncertainty
    >>> s = sample_scenario().replace({"msp.per_user_monthly": 0.0, "msp.per_workstation_monthly": 120.0})
    >>> k = sure_shares(uncertainty(s, n=200, seed=1), (0.8, 0.9), draws=200)
    >>> bool(0 < k[0.9] < k[0.8])
    True
    """
    m = _checked(levels, draws, len(result.draws))
    rows = result.draws.iloc[:m]
    fixed = {c: rows[c].to_numpy() for c in rows.columns if c not in SUBSCRIPTION}
    base = {
        p: rows[p].to_numpy(float) if p in rows else np.full(m, float(result.scenario.get(p))) for p in SUBSCRIPTION
    }

    def saving(factor: _Floats, idx: npt.NDArray[np.intp]) -> _Floats:
        scaled = {p: v[idx] * factor for p, v in base.items()}
        totals = expected_totals(result.scenario, {**{c: v[idx] for c, v in fixed.items()}, **scaled})
        return np.asarray(totals[:, 0] - totals[:, 1])

    return _quantiles(_breakeven(saving, m, top=_TOP_SHARE), levels)


def _checked(levels: tuple[float, ...], draws: int, available: int) -> int:
    for level in levels:
        if not 0.0 < level < 1.0:
            raise ValidationError("levels", level, "a probability strictly between 0 and 1")
    m = min(int(draws), available)
    if m < 1:
        raise ValidationError("draws", draws, "at least one draw")
    return m


def _quantiles(breakeven: _Floats, levels: tuple[float, ...]) -> dict[float, float]:
    """The break-even below which ``level`` of the draws are better, per level (see :func:`sure_prices`)."""
    out = {}
    for level in levels:
        # Interpolating next to an infinite break-even would subtract infinities: take the draw's own then.
        if np.isinf(breakeven).any():
            q = float(np.quantile(breakeven, 1.0 - level, method="inverted_cdf"))
        else:
            q = float(np.quantile(breakeven, 1.0 - level))
        # -inf: even free, the MSP is not better that often; inf: better that often at any price.
        out[level] = math.nan if q == -math.inf else q
    return out


_TOP_PRICE = 100_000.0
#: Ten times the quote: a client this sure at that price is sure at any price that matters.
_TOP_SHARE = 10.0


def _breakeven(
    saving: Callable[[_Floats, npt.NDArray[np.intp]], _Floats], m: int, steps: int = 12, top: float = _TOP_PRICE
) -> _Floats:
    """Each draw's break-even price in [0, ``top``], ``-inf`` if never better, ``inf`` if always.

    The saving does not rise with the price, but it need not fall either:
    below the MSP's monthly minimum the per-user price changes nothing, so
    a secant through two prices there has no slope and no root. The root is
    therefore bracketed: a draw not better at a price of 0 is never better,
    one still better at the top price always is, and the rest are narrowed
    by the Illinois variant of regula falsi (exact in a step or two on each
    linear piece of the fee), re-pricing only the draws not yet settled
    (``saving(prices, rows)`` prices the given rows of the draws).
    """
    every = np.arange(m)
    lo, hi = np.zeros(m), np.full(m, top)
    s_lo, s_hi = saving(lo, every), saving(hi, every)
    out = np.where(s_lo <= 0.0, -np.inf, np.where(s_hi > 0.0, np.inf, np.nan))
    open_ = np.isnan(out)
    side = np.zeros(m)  # which end was kept last (Illinois halves its value when kept twice)
    root = hi.copy()
    for _ in range(steps):
        if not open_.any():
            break
        i = np.flatnonzero(open_)
        root[i] = lo[i] + s_lo[i] * (hi[i] - lo[i]) / (s_lo[i] - s_hi[i])
        s = saving(root[i], i)
        done = (np.abs(s) <= 1e-6 * (np.abs(s_lo[i]) + 1.0)) | (hi[i] - lo[i] <= 1e-6 * (hi[i] + 1.0))
        pos = s > 0.0
        j, k = i[pos], i[~pos]
        lo[j], s_lo[j] = root[j], s[pos]
        s_hi[j] = np.where(side[j] > 0, 0.5 * s_hi[j], s_hi[j])
        hi[k], s_hi[k] = root[k], s[~pos]
        s_lo[k] = np.where(side[k] < 0, 0.5 * s_lo[k], s_lo[k])
        side[j], side[k] = 1.0, -1.0
        out[i[done]] = root[i[done]]
        open_[i[done]] = False
    # Not settled in ``steps``: the bracket is already narrow; take its middle.
    out[open_] = 0.5 * (lo[open_] + hi[open_])
    return out


@dataclass(frozen=True)
class HistoryWorth:
    """A ticket history's worth to the decision, with the EVPI before and after it.

    Attributes
    ----------
    before, after : Uncertainty
        The draws without the data (the assumptions table's ranges) and with
        it (calibrated values, calibration intervals).
    realised : float
        What the data changed (see the module docstring), a year.
    expected, expected_se : float
        EVSI of a history as long as this one, before it was seen, and its
        standard error (incident rates only: a floor).
    tickets, users : int
        Tickets in the history and the headcount its rates are per.
    years : float
        Length of the history.
    """

    before: Uncertainty
    after: Uncertainty
    realised: float
    expected: float
    expected_se: float
    tickets: int
    users: int
    years: float

    @property
    def evpi_before(self) -> float:
        """EVPI without the data."""
        return self.before.evpi

    @property
    def evpi_after(self) -> float:
        """EVPI with the data (may be higher: see the module docstring)."""
        return self.after.evpi

    @property
    def changed_choice(self) -> bool:
        """True when the data changed which model is the better choice on average."""
        return _choice(self.before.savings) != _choice(self.after.savings)

    @property
    def choice_after(self) -> str:
        """The better choice with the data: ``"MSP"`` or ``"Break/Fix"``."""
        return "MSP" if _choice(self.after.savings) else "Break/Fix"


def history_worth(
    scenario: Scenario,
    calibration: CalibrationResult,
    n: int = 2_000,
    seed: int | None = None,
    *,
    before: Uncertainty | None = None,
) -> HistoryWorth:
    """What ``calibration``'s ticket history was worth to the choice for ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The scenario without the data (its rates the assumptions table's).
    calibration : CalibrationResult
        From :func:`~msp_analysis.calibrate` with ``level=0.9`` (its intervals
        become the calibrated inputs' 90% ranges, :func:`calibration_ranges`).
    n, seed : int
        Draws of the inputs and their seed, the same before and after.
    before : Uncertainty, optional
        ``uncertainty(scenario, n, seed)`` if already made (it is reused).

    Examples
    --------
    >>> from msp_analysis import calibrate, sample_scenario
    >>> from msp_analysis.ingest.synthetic import simulate_tickets
    >>> s = sample_scenario()
    >>> cal = calibrate(simulate_tickets(s, months=12, seed=7), users=45, scenario=s, level=0.9)
    >>> w = history_worth(s, cal, n=500, seed=1)
    >>> w.realised >= 0.0 and w.expected >= 0.0
    True
    """
    prior = before if before is not None else uncertainty(scenario, n=n, seed=seed)
    # The calibrated values put in, the headcount kept: rates are per user, and the scenario may be sized apart.
    after = uncertainty(
        scenario.replace(dict(calibration.changes)), n=n, seed=seed, ranges=calibration_ranges(calibration)
    )
    realised = realised_value(prior.savings.to_numpy(), after.savings.to_numpy())
    rate_cols = [c for c in prior.draws.columns if c.startswith("incidents.") and c.endswith(".rate_per_user_year")]
    exposure = float(calibration.users) * float(calibration.years)
    if rate_cols and exposure > 0:
        est = evsi_of_counts(prior.draws[rate_cols].to_numpy(), exposure, prior.savings.to_numpy(), rng=seed)
        expected, se = est.value, est.standard_error
    else:  # no rate varies: counts could not change anything we do not already know
        expected, se = 0.0, 0.0
    return HistoryWorth(
        prior,
        after,
        realised,
        expected,
        se,
        int(calibration.n_tickets),
        int(calibration.users),
        float(calibration.years),
    )
