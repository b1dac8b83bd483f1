"""Budget predictability: what the monthly bill looks like, and the chance of blowing a budget.

The seed's point about cost predictability ("Break/Fix costs fluctuate; MSP
fees are fixed and recurring") as numbers:

- :func:`monthly_fees` simulates the *fees* (what the invoices say: no
  staff time, downtime or security losses) month by month, for both models.
  A month is drawn by the same engine as a year
  (:func:`msp_analysis.engine.simulation.simulate_raw`) on a *monthly scenario*:
  the same organisation and offers with every incident rate divided by 12.
  Incidents are Poisson processes, so a month's incidents are exactly those
  of a year at a twelfth of the rate, and months are independent. The
  Break/Fix fee of a month is then the engine's Break/Fix fee; the MSP's is
  its monthly subscription (:func:`msp_analysis.model.billing.msp_monthly_fee`)
  plus that month's out-of-scope work less that month's SLA credits (the
  engine's annual fixed fee is taken back out). The onboarding fee, when
  included, is paid in month one. The yearly cap on SLA credits is applied
  to each month on its own, which can only overstate credits in a year that
  would reach the cap (24 critical misses a year at the sample's terms).
  Growth and price escalators step once a year, as in
  :func:`msp_analysis.decisions.projection.project`.
- :func:`prob_fees_exceed` gives the chance that a year's fees exceed a
  budget, from a simulated comparison (fees as :func:`msp_analysis.simulate`
  counts them: the MSP's onboarding fee spread over the term).

Examples
--------
>>> from msp_analysis import sample_scenario
>>> from msp_analysis.decisions.budget import monthly_fees, prob_fees_exceed
>>> m = monthly_fees(sample_scenario(), months=12, trials=500, seed=1)
>>> bands = m.bands()
>>> sorted(bands.columns)
['mean', 'model', 'month', 'p5', 'p50', 'p95']
>>> p = prob_fees_exceed(sample_scenario(), 60_000, trials=2_000, seed=1)
>>> float(p["msp"]), bool(p["break_fix"] < 0.5)
(1.0, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..engine.simulation import (
    MODEL_LABELS,
    MODELS,
    Comparison,
    SeedLike,
    check_trials,
    seed_sequence,
    simulate,
    simulate_raw,
)
from ..errors import ValidationError
from ..model.billing import msp_annual_fixed_fee, msp_monthly_fee
from ..model.scenario import PRIORITIES, Scenario
from .projection import year_scenario

__all__ = ["MonthlyFees", "monthly_fees", "monthly_scenario", "prob_fees_exceed"]

_MAX_MONTHS = 600


def monthly_scenario(scenario: Scenario) -> Scenario:
    """The scenario of one month: every incident rate and the project hours divided by 12, no security events.

    Security events do not enter fees; switching them off only saves time.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> monthly_scenario(sample_scenario()).incidents.p3.rate_per_user_year * 12
    2.5
    """
    changes = {f"incidents.{p}.rate_per_user_year": scenario.incidents[p].rate_per_user_year / 12 for p in PRIORITIES}
    changes["organization.project_hours_per_year"] = scenario.organization.project_hours_per_year / 12
    changes["security.base_rate_per_user_year"] = 0.0
    return scenario.replace(changes)


@dataclass(frozen=True)
class MonthlyFees:
    """Simulated monthly fees of both models. Made by :func:`monthly_fees`.

    Attributes
    ----------
    fees : dict of str to ndarray
        Per model, shape ``(trials, months)``: row ``i`` is one simulated
        sequence of months.
    scenarios : tuple of Scenario
        The scenario of each year covered (growth and escalators applied).
    onboarding_fee : float
        The onboarding fee included in month one (0 when left out).
    """

    fees: dict = field(repr=False)
    scenarios: tuple = field(repr=False)
    onboarding_fee: float = 0.0
    symbol: str = "$"
    seed: object = None

    @property
    def months(self) -> int:
        return self.fees["break_fix"].shape[1]

    @property
    def trials(self) -> int:
        return self.fees["break_fix"].shape[0]

    def bands(self, lower: float = 0.05, upper: float = 0.95) -> pd.DataFrame:
        """Tidy band table: ``month``, ``model``, ``mean``, ``p5``, ``p50``, ``p95``.

        The quantile columns are named after ``lower`` and ``upper``
        (``p5`` and ``p95`` by default).
        """
        if not 0 <= lower < 0.5 < upper <= 1:
            raise ValidationError("lower, upper", (lower, upper), "0 <= lower < 0.5 < upper <= 1")
        names = [f"p{lower * 100:g}", "p50", f"p{upper * 100:g}"]
        rows = []
        for m in MODELS:
            v = self.fees[m]
            q = np.quantile(v, [lower, 0.5, upper], axis=0)
            frame = pd.DataFrame({"month": np.arange(1, self.months + 1), "model": m, "mean": v.mean(axis=0)})
            for name, values in zip(names, q):
                frame[name] = values
            rows.append(frame)
        return pd.concat(rows, ignore_index=True)

    def prob_exceeds(self, monthly_budget: float) -> pd.DataFrame:
        """P(a month's fees exceed ``monthly_budget``), by month (rows) and model (columns)."""
        budget = _budget(monthly_budget, "monthly_budget")
        if np.ndim(budget) != 0:
            raise ValidationError("monthly_budget", monthly_budget, "one amount >= 0")
        data = {m: (self.fees[m] > budget).mean(axis=0) for m in MODELS}
        return pd.DataFrame(data, index=pd.RangeIndex(1, self.months + 1, name="month"))

    def summary(self, exclude_onboarding_month: bool = False) -> pd.DataFrame:
        """Per model, over all simulated months: mean, std, CV, P5, P50, P95 and the largest month.

        With ``exclude_onboarding_month=True`` month one is left out of both
        models when it carries the onboarding fee (and there are later
        months): the figures then describe an ordinary month, as the title of
        :func:`msp_analysis.present.plotting.plot_monthly_fee_bands` does. Otherwise
        the one-off fee dominates the MSP's spread (its P95, std and largest
        month) whenever fewer than 1 month in 20 carries it.

        Examples
        --------
        >>> from msp_analysis import sample_scenario
        >>> m = monthly_fees(sample_scenario(), months=12, trials=500, seed=1)
        >>> all_months, ordinary = m.summary(), m.summary(exclude_onboarding_month=True)
        >>> bool(all_months.loc["p95", "MSP"] > 8_000), bool(ordinary.loc["p95", "MSP"] < 7_000)
        (True, True)
        """
        first = 1 if exclude_onboarding_month and self.onboarding_fee > 0 and self.months > 1 else 0
        out = {}
        for m in MODELS:
            v = self.fees[m][:, first:].ravel()
            mean = v.mean()
            out[MODEL_LABELS[m]] = {
                "mean": mean,
                "std": v.std(ddof=1) if v.size > 1 else 0.0,
                "cv": v.std(ddof=1) / mean if mean and v.size > 1 else float("nan"),
                "p5": np.quantile(v, 0.05),
                "p50": np.quantile(v, 0.5),
                "p95": np.quantile(v, 0.95),
                "max": v.max(),
            }
        return pd.DataFrame(out)


def monthly_fees(
    scenario: Scenario,
    months: int = 12,
    trials: int = 2000,
    seed: SeedLike = None,
    *,
    onboarding: bool = True,
    user_growth: float = 0.0,
    device_growth: float | None = None,
    break_fix_escalator: float | None = None,
    msp_escalator: float | None = None,
    msp_price_change: str = "yearly",
) -> MonthlyFees:
    """Simulate ``months`` months of fees for both models, ``trials`` times.

    Parameters
    ----------
    scenario : Scenario
    months : int
        Months to simulate (1 to 600). Months 1-12 are year one (the scenario
        as given), 13-24 year two (grown and escalated), and so on.
    trials : int
        Simulated sequences of months.
    seed : None, int, SeedSequence or Generator
        SPEC 7: year ``y`` draws from the ``y``-th child of the seed.
    onboarding : bool
        Put the MSP onboarding fee into month one (default) or leave it out.
    user_growth, device_growth, break_fix_escalator, msp_escalator, msp_price_change
        As in :func:`msp_analysis.decisions.projection.project`; they act once a year.

    Returns
    -------
    MonthlyFees
        ``fees`` per model of shape ``(trials, months)``; ``bands()`` for the
        P5-P95 band by month; ``prob_exceeds(budget)`` per month.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> m = monthly_fees(sample_scenario(), months=3, trials=200, seed=2, onboarding=False)
    >>> m.fees["msp"].shape
    (200, 3)
    >>> bool((m.fees["msp"] >= 6075 * (1 - 0.1)).all())   # the subscription, less at most the credit cap
    True
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or not 1 <= months <= _MAX_MONTHS:
        raise ValidationError("months", months, f"a whole number in [1, {_MAX_MONTHS}]")
    trials = check_trials(trials)
    months = int(months)
    n_years = math.ceil(months / 12)
    children = seed_sequence(seed).spawn(n_years)
    out = {m: np.empty((trials, months)) for m in MODELS}
    scenarios = []
    for y, child in enumerate(children, start=1):
        s_y = year_scenario(
            scenario,
            y,
            user_growth=user_growth,
            device_growth=device_growth,
            break_fix_escalator=break_fix_escalator,
            msp_escalator=msp_escalator,
            msp_price_change=msp_price_change,
        )
        scenarios.append(s_y)
        k = min(12, months - 12 * (y - 1))
        s_m = monthly_scenario(s_y)
        raw = simulate_raw(s_m, trials * k, child, progress=False)
        cols = slice(12 * (y - 1), 12 * (y - 1) + k)
        out["break_fix"][:, cols] = raw["break_fix"]["fees"].reshape(trials, k)
        # The engine's MSP fees are a year's fixed fee plus the variable part of
        # the period drawn; keep the variable part, add one month's subscription.
        variable = raw["msp"]["fees"] - msp_annual_fixed_fee(s_m)
        out["msp"][:, cols] = (msp_monthly_fee(s_y) + variable).reshape(trials, k)
    fee = scenario.msp.onboarding_fee if onboarding else 0.0
    out["msp"][:, 0] += fee
    return MonthlyFees(
        fees=out,
        scenarios=tuple(scenarios),
        onboarding_fee=float(fee),
        symbol=scenario.organization.currency_symbol,
        seed=seed,
    )


def _budget(budget: object, name: str = "budget") -> float | npt.NDArray[np.float64]:
    if isinstance(budget, (str, bytes)):  # numpy would read "100" as a number
        raise ValidationError(name, budget, "an amount >= 0 (or a list of amounts)")
    try:
        b = np.asarray(budget, dtype=float)
    except (TypeError, ValueError):
        raise ValidationError(name, budget, "an amount >= 0 (or a list of amounts)") from None
    if isinstance(budget, bool) or b.ndim > 1 or b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValidationError(name, budget, "an amount >= 0 (or a list of amounts)")
    return float(b) if b.ndim == 0 else b


def prob_fees_exceed(
    comparison_or_scenario: Comparison | Scenario,
    budget: npt.ArrayLike,
    *,
    trials: int = 10_000,
    seed: SeedLike = None,
) -> pd.Series | pd.DataFrame:
    """P(a year's fees exceed ``budget``) for both models.

    Parameters
    ----------
    comparison_or_scenario : Comparison or Scenario
        A simulated comparison, or a scenario to simulate (``trials`` years
        with ``seed``).
    budget : float or sequence of float
        Annual budget for fees, in the scenario's currency.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        For one budget, a Series indexed by model; for several, a DataFrame
        indexed by budget with one column per model.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=2_000, seed=4)
    >>> prob_fees_exceed(c, [40_000, 80_000]).round(2).to_dict("list")["msp"]
    [1.0, 0.0]
    """
    if isinstance(comparison_or_scenario, Scenario):
        comparison = simulate(comparison_or_scenario, trials=trials, seed=seed)
    elif isinstance(comparison_or_scenario, Comparison):
        comparison = comparison_or_scenario
    else:
        raise TypeError(f"expected a Comparison or a Scenario, got {type(comparison_or_scenario).__name__}")
    b = _budget(budget)
    probs = {m: comparison[m].prob_exceeds(b, "fees") for m in MODELS}
    if np.ndim(b) == 0:
        return pd.Series(probs, name="prob_fees_exceed")
    frame = pd.DataFrame(probs, index=pd.Index(b, name="budget"))
    return frame
