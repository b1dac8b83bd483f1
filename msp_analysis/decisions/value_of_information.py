"""The value of information and variance-based indices, as pure functions on draws.

Given ``saving`` -- one expected saving (Break/Fix total minus MSP total) per
draw of the uncertain inputs -- a decision maker picks the MSP when the mean
saving is positive. Perfect knowledge of every input would let them pick per
draw, so the expected value of perfect information is

    EVPI = E[max(saving, 0)] - max(E[saving], 0).

Knowing one input ``x`` only lets them pick on ``E[saving | x]``:

    EVPPI(x) = E[max(g(x), 0)] - max(E[g(x)], 0),   g(x) = E[saving | x].

:func:`evppi` estimates ``g`` from the same draws by non-parametric regression
(Strong, Oakley & Brennan 2014, *Med. Decis. Making* 34:311): a penalised
cubic spline (P-spline, smoothness by GCV, as a GAM) in the rank of ``x``, so no nested simulation is needed. Its
standard error comes, as in that paper, from the sampling distribution of the
fitted values (coefficients drawn from their heteroscedasticity-consistent
covariance).

:func:`sobol_indices` estimates first-order and total Sobol indices of any
vectorised function of independent inputs given by their quantile functions
(Saltelli et al. 2010 for first order, Jansen 1999 for totals), on a scrambled
Sobol sequence, with bootstrap confidence intervals -- the estimators SALib
uses, written out here so the suite needs no further dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import interpolate, stats

__all__ = ["EVPPIEstimate", "SobolIndices", "evpi", "evppi", "sobol_indices"]

_Floats = npt.NDArray[np.float64]


def evpi(saving: npt.ArrayLike) -> float:
    """Expected value of perfect information about every uncertain input.

    Parameters
    ----------
    saving : array_like
        One expected saving per draw of the inputs (positive: the MSP is better).

    Examples
    --------
    >>> evpi([10.0, -4.0, 6.0, -2.0])   # mean 2.5: choose the MSP; regret in two draws
    1.5
    >>> evpi([3.0, 5.0])                # the MSP is better in every draw: nothing to learn
    0.0
    """
    s = np.asarray(saving, dtype=float)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"saving: expected a non-empty one-dimensional array, got shape {s.shape}")
    return float(np.mean(np.maximum(s, 0.0)) - max(float(np.mean(s)), 0.0))


@dataclass(frozen=True)
class EVPPIEstimate:
    """The EVPPI of one input with its standard error and the fitted ``E[saving | x]``.

    ``capped`` says the regression's estimate exceeded the EVPI and ``value``
    was cut to it (the fit, not the data, was then the limit).
    """

    value: float
    standard_error: float
    fitted: _Floats
    capped: bool = False


def _spline_basis(x: _Floats, knots: int) -> _Floats:
    """Cubic B-spline basis in the rank of ``x`` with ``knots`` interior knots at its quantiles.

    Ranks make the fit invariant to how the input is scaled or skewed (a
    lognormal severity has a few huge draws that would otherwise hold the
    knots); ties share a rank, so a discrete input works too.
    """
    u = (stats.rankdata(x) - 0.5) / x.size
    inner = np.linspace(0.0, 1.0, knots + 2)
    t = np.concatenate([[0.0] * 3, inner, [1.0] * 3])
    return np.asarray(interpolate.BSpline.design_matrix(u, t, 3).toarray())


def _fitted_draws(
    basis: _Floats, saving: _Floats, n_se: int, rng: np.random.Generator, blocks: int = 1
) -> tuple[_Floats, _Floats]:
    """Penalised least-squares fitted values and ``n_se`` draws of them.

    A P-spline (Eilers & Marx 1996): the coefficients' second differences are
    penalised with the weight that minimises generalised cross-validation,
    as a GAM does. Without the penalty, an input that does not matter would
    still get a wiggly fit to noise, and a noisy ``E[saving | x]`` that
    crosses zero reads as information worth money (the estimator's upward
    bias). The draws come from the coefficients' heteroscedasticity-
    consistent (HC0) covariance.
    """
    k = basis.shape[1]
    btb, bty, yty, n = basis.T @ basis, basis.T @ saving, float(saving @ saving), saving.size
    # One penalty block per input of an additive fit (a group of inputs).
    diff = np.diff(np.eye(k // blocks), n=2, axis=0)
    pen = np.kron(np.eye(blocks), diff.T @ diff)
    scale = np.trace(btb) / np.trace(pen)
    best: tuple[float, _Floats, _Floats] | None = None
    for lam in scale * 10.0 ** np.arange(-6.0, 9.0, 1.0):
        a_inv = np.linalg.pinv(btb + lam * pen, hermitian=True)
        coef = a_inv @ bty
        rss = max(float(yty - 2 * coef @ bty + coef @ btb @ coef), 0.0)
        dof = float(np.trace(a_inv @ btb))
        gcv = n * rss / max(n - dof, 1.0) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, coef, a_inv)
    assert best is not None  # the grid is never empty
    _, coef, a_inv = best
    fitted = basis @ coef
    weighted = basis * (saving - fitted)[:, None]
    cov = a_inv @ (weighted.T @ weighted) @ a_inv
    # Draw from N(coef, cov) through its eigen-decomposition, clipping the
    # round-off negatives a nearly singular covariance has.
    w, v = np.linalg.eigh(0.5 * (cov + cov.T))
    coefs = coef + rng.standard_normal((n_se, k)) @ (v * np.sqrt(np.clip(w, 0.0, None))).T
    return fitted, basis @ coefs.T


def evppi(
    x: npt.ArrayLike,
    saving: npt.ArrayLike,
    *,
    knots: int = 8,
    n_se: int = 200,
    rng: np.random.Generator | int | None = None,
) -> EVPPIEstimate:
    """EVPPI of one input by spline regression of the saving on it (Strong, Oakley & Brennan 2014).

    Parameters
    ----------
    x : array_like
        The input's value in each draw; or, for a group of inputs, one
        column per input (the fit is then additive, a spline per input,
        followed by a spline on the rank of that additive index, so a
        saving that is a product of the inputs is not extrapolated below
        anything observed).
    saving : array_like
        The expected saving in each draw (same length).
    knots : int
        Interior knots of the cubic regression spline (at quantiles of ``x``).
    n_se : int
        Draws of the fitted values used for the standard error.
    rng : numpy.random.Generator, int or None
        Randomness of the standard error only (SPEC 7).

    Returns
    -------
    EVPPIEstimate

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=5_000), rng.normal(size=5_000)
    >>> saving = x + 0.1 * y                       # x decides; y hardly matters
    >>> est = evppi(x, saving, rng=1)
    >>> bool(abs(est.value - evpi(saving)) < 0.02)
    True
    >>> evppi(y, x + 5.0, rng=1).value              # never changes the decision
    0.0
    """
    xs, s = np.asarray(x, dtype=float), np.asarray(saving, dtype=float)
    cols = xs.reshape(xs.shape[0], -1) if xs.ndim == 2 else xs[:, None]
    if s.ndim != 1 or xs.ndim not in (1, 2) or cols.shape[0] != s.size:
        raise ValueError(f"x and saving: expected one row of x per saving, got shapes {xs.shape} and {s.shape}")
    if s.size < 4 * (knots + 4) * cols.shape[1]:
        raise ValueError(f"saving: {s.size} draws are too few for {cols.shape[1]} spline(s) with {knots} knots")
    gen = np.random.default_rng(rng)
    basis = np.hstack([_spline_basis(c, knots) for c in cols.T])
    fitted, draws = _fitted_draws(basis, s, n_se, gen, blocks=cols.shape[1])
    if cols.shape[1] > 1:
        # An additive fit of a saving that is a *product* of the group's
        # inputs (users per site x share affected x degradation) runs far
        # below every observed saving where several inputs are low at once,
        # and those made-up losses read as information worth more than the
        # EVPI. A second spline of the saving on the rank of the additive
        # index bends it back (a single-index model); E[saving | index] is a
        # coarsening of E[saving | x], so it cannot be worth more in truth.
        fitted, draws = _fitted_draws(_spline_basis(fitted, knots), s, n_se, gen)

    def value(g: _Floats) -> _Floats:
        return np.mean(np.maximum(g, 0.0), axis=0) - np.maximum(np.mean(g, axis=0), 0.0)

    # EVPPI <= EVPI holds in truth (Jensen); an estimate above it is the
    # regression's error, so it is capped there and says so.
    bound = evpi(s)
    raw = float(value(fitted))
    se = float(np.std(np.minimum(value(draws), bound), ddof=1)) if n_se > 1 else float("nan")
    return EVPPIEstimate(min(max(raw, 0.0), bound), se, fitted, capped=raw > bound)


@dataclass(frozen=True)
class SobolIndices:
    """First-order (``first``) and total (``total``) indices with 95% bootstrap half-widths."""

    first: _Floats
    first_conf: _Floats
    total: _Floats
    total_conf: _Floats
    variance: float
    evaluations: int


def _indices(fa: _Floats, fb: _Floats, fab: _Floats) -> tuple[_Floats, _Floats]:
    var = np.var(np.concatenate([fa, fb], axis=0), axis=0)
    first = np.mean(fb[:, None, ...] * (fab - fa[:, None, ...]), axis=0) / var
    total = 0.5 * np.mean((fa[:, None, ...] - fab) ** 2, axis=0) / var
    return first, total


def sobol_indices(
    func: Callable[[_Floats], _Floats],
    ppfs: Sequence[Callable[[_Floats], _Floats]],
    n_base: int = 1024,
    *,
    n_boot: int = 200,
    rng: np.random.Generator | int | None = None,
) -> SobolIndices:
    """First-order and total Sobol indices of ``func`` over independent inputs.

    Parameters
    ----------
    func : callable
        Maps an ``(n, d)`` array of input values to ``n`` outputs.
    ppfs : sequence of callables
        Each input's quantile function, mapping uniforms in (0, 1) to values.
    n_base : int
        Base samples ``N`` (a power of two keeps the Sobol sequence balanced);
        ``func`` is evaluated on ``N * (d + 2)`` points.
    n_boot : int
        Bootstrap resamples for the confidence intervals.
    rng : numpy.random.Generator, int or None
        Seeds the scrambling and the bootstrap (SPEC 7).

    Examples
    --------
    The Ishigami function, whose indices are known in closed form:

    >>> import numpy as np
    >>> def ishigami(v):
    ...     return np.sin(v[:, 0]) + 7 * np.sin(v[:, 1]) ** 2 + 0.1 * v[:, 2] ** 4 * np.sin(v[:, 0])
    >>> uniform = lambda u: -np.pi + 2 * np.pi * u
    >>> res = sobol_indices(ishigami, [uniform] * 3, 4096, rng=1)
    >>> np.round(res.first, 1).tolist(), np.round(res.total, 1).tolist()
    ([0.3, 0.4, 0.0], [0.6, 0.4, 0.2])
    """
    d = len(ppfs)
    if d < 1:
        raise ValueError("ppfs: at least one input is needed")
    gen = np.random.default_rng(rng)
    u = stats.qmc.Sobol(2 * d, scramble=True, seed=gen).random(n_base)
    # Keep the uniforms off 0 and 1, where quantile functions are infinite.
    u = np.clip(u, 1e-12, 1 - 1e-12)
    a = np.column_stack([ppf(u[:, i]) for i, ppf in enumerate(ppfs)])
    b = np.column_stack([ppf(u[:, d + i]) for i, ppf in enumerate(ppfs)])
    # Points grouped by base sample -- A_j, B_j, then A_j with one column from
    # B_j for each input -- so consecutive evaluations share all but one
    # input, and whatever ``func`` caches per input (the billing moments of a
    # work distribution) is reused.
    points = np.repeat(a[:, None, :], d + 2, axis=1)
    points[:, 1, :] = b
    points[:, np.arange(d) + 2, np.arange(d)] = b
    out = np.asarray(func(points.reshape(n_base * (d + 2), d)), dtype=float).reshape(n_base, d + 2)
    fa, fb, fab = out[:, 0], out[:, 1], out[:, 2:]
    first, total = _indices(fa, fb, fab)
    idx = gen.integers(n_base, size=(n_boot, n_base))
    boot = [_indices(fa[i], fb[i], fab[i]) for i in idx]
    z = float(stats.norm.ppf(0.975))
    first_conf = z * np.std([f for f, _ in boot], axis=0, ddof=1)
    total_conf = z * np.std([t for _, t in boot], axis=0, ddof=1)
    return SobolIndices(first, first_conf, total, total_conf, float(np.var(np.r_[fa, fb])), out.size)
