"""Estimators calibration uses: exact intervals of a rate and of a share, and a Gamma fitted by maximum likelihood.

- :func:`poisson_interval`: exact (Garwood) interval of a Poisson rate, from the chi-square distribution;
- :func:`proportion_interval`: exact (Clopper-Pearson) interval of a share;
- :func:`_quantile_interval`: a distribution-free interval of a quantile, from order statistics;
- :func:`fit_gamma`: a Gamma (location 0) by maximum likelihood, zeros dropped or left-censored,
  with its Kolmogorov-Smirnov distance to the data (:class:`GammaFit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from ..model.distributions import Gamma

__all__ = ["GammaFit", "fit_gamma", "poisson_interval", "proportion_interval"]


def poisson_interval(n: int, exposure: float, level: float = 0.90) -> tuple[float, float]:
    """Exact (Garwood) confidence interval of a Poisson rate ``n / exposure``, 90% by default.

    Examples
    --------
    >>> lo, hi = poisson_interval(10, 2.0)
    >>> round(lo, 3), round(hi, 3)
    (2.713, 8.481)
    >>> lo, hi = poisson_interval(10, 2.0, level=0.95)
    >>> round(lo, 3), round(hi, 3)
    (2.398, 9.195)
    """
    a = 1 - level
    lo = stats.chi2.ppf(a / 2, 2 * n) / 2 if n > 0 else 0.0
    hi = stats.chi2.ppf(1 - a / 2, 2 * n + 2) / 2
    return float(lo) / exposure, float(hi) / exposure


def proportion_interval(k: int, m: int, level: float = 0.90) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval of a share ``k / m``, 90% by default."""
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
