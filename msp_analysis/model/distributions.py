"""Small distribution objects, parameterised the way people think about them.

Users rarely know a shape parameter. They know "usually about an hour, one
time in ten more than three" (median and p90), "somewhere between 5k and 100k"
(a 90 % range) or "at least, most likely, at most" (PERT). Each class below
is built from such a statement, states what it implies for the mean and the
tail, and carries the maths the exact expectations need: ``mean``, ``var``,
``cdf``, ``ppf`` and partial moments ``E[X^j; a < X <= b]``.

Sampling follows SPEC 7: every ``sample`` takes a ``numpy.random.Generator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import special, stats

__all__ = ["PERT", "Z90", "FloatOrArray", "Gamma", "Lognormal", "batchable", "gamma_shape_for_ratio"]

#: What the maths below returns: a float for a scalar argument, an array of
#: floats for an array.
FloatOrArray: TypeAlias = float | npt.NDArray[np.float64]

#: Standard normal quantile of 0.9: a 90 % central range spans +-1.645 sigma,
#: and a p90 sits 1.2816 sigma above the median.
Z90 = float(stats.norm.ppf(0.9))
_Z95 = float(stats.norm.ppf(0.95))


def _clip_bounds(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.maximum(a, 0.0), np.maximum(b, 0.0)


def batchable(x: Any) -> float:
    """``x`` as a plain float for one scenario; for a batch, the array of values, unchanged.

    A batch (:mod:`msp_analysis.engine.batch`) is a scenario whose numeric
    fields hold one value per input set, so the model's one implementation of
    the maths runs on it as written, broadcasting. The model's signatures
    describe one scenario, hence the type: this is the one place that says a
    float may be an array of floats at run time.

    Examples
    --------
    >>> batchable(np.float64(2.0)), batchable(np.array([1.0, 2.0])).tolist()
    (2.0, [1.0, 2.0])
    """
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a  # type: ignore[return-value]


# The p90/median ratio of a Gamma as a function of its shape, tabulated once:
# u = log(log(ratio)) falls smoothly (almost linearly) with log k, which makes
# the table an accurate first guess and its slope a good Newton derivative.
_LOG_K = np.linspace(math.log(0.05), math.log(5e4), 8_193)  # a few ms at import


def _log_log_ratio(log_k: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    k = np.exp(log_k)
    return np.asarray(np.log(np.log(special.gammaincinv(k, 0.9) / special.gammaincinv(k, 0.5))))


_U = _log_log_ratio(_LOG_K)[::-1]  # increasing, for np.interp
_LOG_K_OF_U = _LOG_K[::-1]
_SLOPE = np.gradient(_LOG_K_OF_U, _U)
# Newton stops for a shape once its step in log k is below this. The table's
# slope is off by about 1e-7 of itself, so a step of e leaves an error of about
# 1e-7 e + e^2 < 1e-13: one evaluation for most shapes, as the table's first
# guess is within 1e-7 (tested against brentq).
_SHAPE_STEP_TOL = 1e-7
_SHAPE_MAX_STEPS = 30


def gamma_shape_for_ratio(ratio: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Shape ``k`` with ``ppf(0.9, k) / ppf(0.5, k) == ratio`` (scale-free), for an array of ratios.

    Newton's method in ``log k`` from the tabulated inverse (two or three
    evaluations per ratio); each ratio stops on its own step, so its shape
    does not depend on the other ratios solved with it.

    Examples
    --------
    >>> k = gamma_shape_for_ratio([2.5, 4.0])
    >>> np.round(special.gammaincinv(k, 0.9) / special.gammaincinv(k, 0.5), 12).tolist()
    [2.5, 4.0]
    """
    r = np.asarray(ratio, dtype=float)
    distinct, inverse = np.unique(r, return_inverse=True)
    if distinct.size < r.size:  # each distinct ratio solved once (a Sobol design repeats them)
        return gamma_shape_for_ratio(distinct)[inverse].reshape(r.shape)
    u = np.log(np.log(r)).ravel()
    log_k = np.interp(u, _U, _LOG_K_OF_U)
    slope = np.interp(u, _U, _SLOPE)
    todo = np.arange(u.size)
    for _ in range(_SHAPE_MAX_STEPS):
        if not todo.size:
            break
        step = (_log_log_ratio(log_k[todo]) - u[todo]) * slope[todo]
        log_k[todo] = np.clip(log_k[todo] - step, _LOG_K[0], _LOG_K[-1])
        todo = todo[~(np.abs(step) <= _SHAPE_STEP_TOL)]
    return np.exp(log_k).reshape(r.shape)


@lru_cache(maxsize=4096)
def _gamma_shape_for_ratio(ratio: float) -> float:
    """One ratio's shape, cached: the dashboard asks for the same few again and again."""
    return float(gamma_shape_for_ratio(ratio))


#: The p90/median ratios a Gamma can express with shape in [0.05, 5e4].
GAMMA_RATIO_RANGE = (
    float(special.gammaincinv(5e4, 0.9) / special.gammaincinv(5e4, 0.5)),
    float(special.gammaincinv(0.05, 0.9) / special.gammaincinv(0.05, 0.5)),
)


@dataclass(frozen=True)
class Gamma:
    """Gamma distribution with shape ``k`` and scale ``theta`` (mean ``k * theta``).

    Used for durations: technician work hours, response waits, outage length.
    Sums of independent Gamma variables with a common scale are Gamma
    (``sum of n Gamma(k, theta) = Gamma(n k, theta)``), which lets the
    simulation draw a year's total work in one draw whatever the headcount.

    Examples
    --------
    >>> g = Gamma.from_median_p90(1.0, 2.5)
    >>> print(round(g.ppf(0.5), 6), round(g.ppf(0.9), 6))
    1.0 2.5
    >>> round(g.mean(), 3)   # right-skewed: the mean lies above the median
    1.234
    """

    shape: float
    scale: float

    @classmethod
    def from_median_p90(cls, median: float, p90: float) -> Gamma:
        """Gamma with the given median and 90th percentile.

        The ratio ``p90 / median`` fixes the shape (a ratio near 1 means an
        almost fixed duration, a ratio of 4 or more a long right tail where the
        mean is well above the median); the median then fixes the scale.
        The ratio must lie strictly between about 1.0 and 1e13.
        """
        lo, hi = GAMMA_RATIO_RANGE
        if np.ndim(median) == 0 and np.ndim(p90) == 0:  # one scenario: plain checks, the cached solve
            if not (median > 0 and p90 > median):
                raise ValueError(f"need 0 < median < p90, got median={median}, p90={p90}")
            if not (lo < p90 / median < hi):
                raise ValueError(
                    f"p90/median = {p90 / median:.6g} is outside what a Gamma expresses ({lo:.6g}, {hi:.3g})"
                )
            k = _gamma_shape_for_ratio(float(p90 / median))
            return cls(k, float(median) / float(special.gammaincinv(k, 0.5)))
        med, top = np.asarray(median, dtype=float), np.asarray(p90, dtype=float)
        if not np.all((med > 0) & (top > med)):
            raise ValueError(f"need 0 < median < p90, got median={median}, p90={p90}")
        ratio = top / med
        if not np.all((lo < ratio) & (ratio < hi)):
            raise ValueError(f"p90/median = {ratio} is outside what a Gamma expresses ({lo:.6g}, {hi:.3g})")
        shape = gamma_shape_for_ratio(ratio)  # a batch: one shape per input set
        return cls(batchable(shape), batchable(med / special.gammaincinv(shape, 0.5)))

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> Gamma:
        """Gamma with the given mean and coefficient of variation (std / mean)."""
        k = 1.0 / cv**2
        return cls(k, mean / k)

    def mean(self) -> float:
        return self.shape * self.scale

    def var(self) -> float:
        return self.shape * self.scale**2

    def pdf(self, x: npt.ArrayLike) -> FloatOrArray:
        """Density at ``x`` (0 for ``x <= 0``)."""
        x = np.asarray(x, dtype=float)
        k, th = self.shape, self.scale
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            z = x / th
            log_f = (k - 1) * np.log(z) - z - special.gammaln(k) - np.log(th)
            # z infinite (a vanishing scale): the density there is 0, not inf - inf
            return np.where((x > 0) & np.isfinite(z), np.exp(log_f), 0.0)

    def _standard(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]:
        # x / scale; a scale of 1e-310 hours or one that underflows to 0 (a
        # "valid" median far below any real duration) sends it to infinity,
        # where the incomplete gamma is exact.
        xs = np.maximum(np.asarray(x, dtype=float), 0.0)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return np.where(xs == 0, 0.0, xs / self.scale)  # 0 / 0 is 0 here; NaN stays NaN

    def cdf(self, x: npt.ArrayLike) -> FloatOrArray:
        return special.gammainc(self.shape, self._standard(x))

    def sf(self, x: npt.ArrayLike) -> FloatOrArray:
        return special.gammaincc(self.shape, self._standard(x))

    def ppf(self, q: npt.ArrayLike) -> FloatOrArray:
        return special.gammaincinv(self.shape, q) * self.scale

    def sample(self, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return rng.gamma(self.shape, self.scale, size=n)

    def sample_sum(self, counts: npt.ArrayLike, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        """Sum of ``counts`` independent draws, per entry, in one Gamma draw each."""
        counts = np.asarray(counts)
        return rng.gamma(self.shape * counts, self.scale)

    def partial_moment(self, j: int, a: npt.ArrayLike = 0.0, b: npt.ArrayLike = np.inf) -> FloatOrArray:
        """``E[X^j ; a < X <= b]`` for j = 0, 1, 2, exactly.

        Uses ``E[X^j; X <= b] = theta^j Gamma(k+j)/Gamma(k) P(k+j, b/theta)``.
        """
        a, b = _clip_bounds(a, b)
        k, th = self.shape, self.scale
        factor = th**j * np.exp(special.gammaln(k + j) - special.gammaln(k))
        return factor * (special.gammainc(k + j, self._standard(b)) - special.gammainc(k + j, self._standard(a)))


@dataclass(frozen=True)
class Lognormal:
    """Lognormal distribution: ``log X ~ Normal(mu, sigma)``.

    Used for money at risk (breach severity, fines). Built from a median and
    p90, or from a 90 % range (5th and 95th percentiles). The mean is
    ``median * exp(sigma^2 / 2)``: a wide range pushes the mean far above the
    median, and the tail is heavier than any Gamma's but lighter than a
    power law's (cyber-loss studies treat the lognormal as a floor for tail
    risk, not a ceiling).

    Examples
    --------
    >>> d = Lognormal.from_median_p90(16_000, 150_000)
    >>> round(d.ppf(0.9))
    150000
    >>> round(d.mean())
    73514
    """

    mu: float
    sigma: float

    @classmethod
    def from_median_p90(cls, median: float, p90: float) -> Lognormal:
        if np.ndim(median) == 0 and np.ndim(p90) == 0:  # one scenario
            if not (median > 0 and p90 > median):
                raise ValueError(f"need 0 < median < p90, got median={median}, p90={p90}")
            return cls(math.log(median), math.log(p90 / median) / Z90)
        med, top = np.asarray(median, dtype=float), np.asarray(p90, dtype=float)
        if not np.all((med > 0) & (top > med)):
            raise ValueError(f"need 0 < median < p90, got median={median}, p90={p90}")
        return cls(batchable(np.log(med)), batchable(np.log(top / med) / Z90))

    @classmethod
    def from_range(cls, low: float, high: float) -> Lognormal:
        """Lognormal whose 5th and 95th percentiles are ``low`` and ``high``."""
        if not (0 < low < high):
            raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
        return cls((math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / (2 * _Z95))

    def median(self) -> float:
        return batchable(np.exp(self.mu))

    def mean(self) -> float:
        return batchable(np.exp(self.mu + self.sigma**2 / 2))

    def var(self) -> float:
        return batchable((np.exp(self.sigma**2) - 1) * np.exp(2 * self.mu + self.sigma**2))

    def cdf(self, x: npt.ArrayLike) -> FloatOrArray:
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            return stats.norm.cdf((np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma)

    def sf(self, x: npt.ArrayLike) -> FloatOrArray:
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            return stats.norm.sf((np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma)

    def ppf(self, q: npt.ArrayLike) -> FloatOrArray:
        return np.exp(self.mu + self.sigma * stats.norm.ppf(q))

    def sample(self, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return rng.lognormal(self.mu, self.sigma, size=n)

    def partial_moment(self, j: int, a: npt.ArrayLike = 0.0, b: npt.ArrayLike = np.inf) -> FloatOrArray:
        """``E[X^j ; a < X <= b]``, exactly, for j = 0, 1, 2."""
        a, b = _clip_bounds(a, b)
        m = np.exp(j * self.mu + j**2 * self.sigma**2 / 2)
        with np.errstate(divide="ignore"):
            za = (np.log(a) - self.mu - j * self.sigma**2) / self.sigma
            zb = (np.log(b) - self.mu - j * self.sigma**2) / self.sigma
        return m * (stats.norm.cdf(zb) - stats.norm.cdf(za))

    def limited_mean(self, cap: float) -> float:
        """``E[min(X, cap)]``: the mean of a loss capped at ``cap``."""
        c = np.asarray(cap, dtype=float)
        finite = np.isfinite(c)
        if not finite.any():
            return self.mean()
        with np.errstate(invalid="ignore"):  # inf * 0 where there is no cap: that branch is not taken
            capped = self.partial_moment(1, 0.0, c) + c * self.sf(c)
        return batchable(np.where(finite, capped, self.mean()))


@dataclass(frozen=True)
class PERT:
    """Textbook PERT: a Beta on ``[low, high]`` with ``lambda = 4``.

    ``alpha = 1 + 4 (mode - low) / (high - low)``, ``beta = 1 + 4 (high - mode)
    / (high - low)``, mean ``(low + 4 mode + high) / 6``. Bounded: nothing
    beyond ``high`` ever happens, so it understates tails that are really
    open-ended. (pyfair's PERT differs from this textbook form.)

    Examples
    --------
    >>> p = PERT(1.0, 2.0, 6.0)
    >>> round(p.mean(), 6)
    2.5
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}")

    @property
    def alpha(self) -> float:
        return 1 + 4 * (self.mode - self.low) / (self.high - self.low)

    @property
    def beta(self) -> float:
        return 1 + 4 * (self.high - self.mode) / (self.high - self.low)

    def _frozen(self) -> Any:  # a frozen scipy distribution (scipy ships no types)
        return stats.beta(self.alpha, self.beta, loc=self.low, scale=self.high - self.low)

    def mean(self) -> float:
        return (self.low + 4 * self.mode + self.high) / 6

    def var(self) -> float:
        return float(self._frozen().var())

    def cdf(self, x: npt.ArrayLike) -> FloatOrArray:
        return self._frozen().cdf(x)

    def ppf(self, q: npt.ArrayLike) -> FloatOrArray:
        return self._frozen().ppf(q)

    def sample(self, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return self.low + (self.high - self.low) * rng.beta(self.alpha, self.beta, size=n)
