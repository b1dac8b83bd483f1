"""Risk and predictability metrics of simulated annual figures.

Quantiles, coefficient of variation, Value at Risk (the ``level`` quantile
of a cost) and Tail Value at Risk (the mean cost in the worst ``1 - level``
of years), the chance of exceeding a budget, and the loss exceedance curve.
All take plain arrays; the exceedance curve sorts once and answers every
threshold with ``searchsorted``.
"""

from __future__ import annotations

import numbers

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import ValidationError

__all__ = [
    "coefficient_of_variation",
    "describe",
    "loss_exceedance",
    "prob_exceeds",
    "statistics",
    "tail_value_at_risk",
    "value_at_risk",
]


def _values(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``values`` as a float array with at least one entry (or ``ValidationError("values")``)."""
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0:
        raise ValidationError("values", [], "at least one simulated value")
    return v


def _level(level: float) -> float:
    """``level`` as a float in [0, 1] (or ``ValidationError("level")``)."""
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Real) or not 0 <= level <= 1:
        raise ValidationError("level", level, "a probability in [0, 1], e.g. 0.95")
    return float(level)


def value_at_risk(values: npt.ArrayLike, level: float = 0.95) -> float:
    """The ``level`` quantile of a cost: exceeded in ``1 - level`` of years.

    Examples
    --------
    >>> value_at_risk(np.arange(1, 101), 0.95)
    95.05
    """
    return float(np.quantile(_values(values), _level(level)))


def tail_value_at_risk(values: npt.ArrayLike, level: float = 0.95) -> float:
    """Mean of the years at or beyond the ``level`` quantile (expected shortfall).

    Examples
    --------
    >>> tail_value_at_risk(np.arange(1, 101), 0.95)
    98.0
    """
    v = np.sort(_values(values))
    k = int(np.floor(_level(level) * v.size))
    return float(v[min(k, v.size - 1) :].mean())


def coefficient_of_variation(values: npt.ArrayLike) -> float:
    """Standard deviation over mean (NaN when the mean is zero)."""
    v = _values(values)
    m = v.mean()
    return float(v.std(ddof=1) / m) if m != 0 and v.size > 1 else float("nan")


def prob_exceeds(values: npt.ArrayLike, budget: npt.ArrayLike) -> float | npt.NDArray[np.float64]:
    """Share of years whose value exceeds ``budget`` (scalar or array of budgets).

    Examples
    --------
    >>> prob_exceeds([1, 2, 3, 4], 2.5)
    0.5
    """
    v = np.sort(_values(values))
    b = np.asarray(budget, dtype=float)
    out = 1.0 - np.searchsorted(v, b, side="right") / v.size
    return float(out) if out.ndim == 0 else out


def loss_exceedance(values: npt.ArrayLike, thresholds: npt.ArrayLike | None = None, n: int = 200) -> pd.DataFrame:
    """Loss exceedance curve: P(annual loss > x) for a grid of ``x``.

    The grid defaults to ``n`` log-spaced points across the positive losses.

    Examples
    --------
    >>> curve = loss_exceedance([0, 10, 100, 1000], thresholds=[1, 50, 500])
    >>> curve["probability"].tolist()
    [0.75, 0.5, 0.25]
    """
    v = _values(values)
    if thresholds is None:
        pos = v[v > 0]
        if pos.size == 0:
            thresholds = np.array([1.0])
        else:
            lo, hi = max(pos.min(), 1e-9), pos.max()
            thresholds = np.geomspace(lo, max(hi, lo * 1.0001), n)
    thresholds = np.atleast_1d(np.asarray(thresholds, dtype=float))  # one threshold is a curve of one point
    return pd.DataFrame({"loss": thresholds, "probability": prob_exceeds(v, thresholds)})


def statistics(values: npt.ArrayLike, level: float = 0.95) -> pd.Series:
    """Mean, std, CV, P5, P50, P95, VaR and TVaR of one array."""
    v = _values(values)
    level = _level(level)
    p5, p50, p95 = np.quantile(v, [0.05, 0.5, 0.95])
    pct = f"{level * 100:g}"
    return pd.Series(
        {
            "mean": v.mean(),
            "std": v.std(ddof=1) if v.size > 1 else 0.0,
            "cv": coefficient_of_variation(v),
            "p5": p5,
            "p50": p50,
            "p95": p95,
            f"var_{pct}": value_at_risk(v, level),
            f"tvar_{pct}": tail_value_at_risk(v, level),
        }
    )


def describe(table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """:func:`statistics` of every column of ``table``, one row per column."""
    return pd.DataFrame({c: statistics(table[c].to_numpy(), level) for c in table.columns}).T
