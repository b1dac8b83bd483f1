"""Charts of how sure we are: the expected saving across input draws, what is worth measuring, acceptability.

They draw an :class:`~msp_analysis.decisions.uncertainty.Uncertainty` (and
tables it returns); the maths stays there. Unlike the year-to-year charts of
:mod:`.cost`, every value here is an *expected* saving under one draw of the
uncertain inputs, so the spread is what we do not know, not how years vary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from ...decisions.uncertainty import Uncertainty, threshold
from ...formatting import field_label, mathtext_safe, money_compact
from ...model.scenario import field_info
from .style import COLORS, money_formatter, new_axes

__all__ = ["plot_acceptability", "plot_evppi", "plot_expected_savings_draws"]


def plot_expected_savings_draws(result: Uncertainty, ax: Axes | None = None, bins: int = 60) -> Axes:
    """Histogram of the expected saving over the input draws, zero and the mean marked.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, uncertainty
    >>> u = uncertainty(sample_scenario(), n=200, seed=1, inputs=["organization.loaded_hourly_cost"])
    >>> print(plot_expected_savings_draws(u, ax=Figure().add_subplot()).get_title())
    The MSP is the better choice in ...% of input draws (EVPI \\$... a year)
    """
    ax = new_axes(ax)
    sym = result.scenario.organization.currency_symbol
    s = result.savings.to_numpy()
    lo, hi = np.quantile(s, [0.005, 0.995])
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    edges = np.linspace(min(lo, 0.0), max(hi, 0.0), bins + 1)
    counts, _ = np.histogram(np.clip(s, edges[0], edges[-1]), bins=edges)
    centres = 0.5 * (edges[:-1] + edges[1:])
    ax.bar(centres[centres < 0], counts[centres < 0], width=np.diff(edges)[0], color=COLORS["break_fix"], alpha=0.8)
    ax.bar(centres[centres >= 0], counts[centres >= 0], width=np.diff(edges)[0], color=COLORS["msp"], alpha=0.8)
    ax.axvline(0, color="black", lw=1)
    ax.axvline(float(s.mean()), color=COLORS["savings"], lw=2, ls="--", label="mean")
    ax.set_title(
        mathtext_safe(
            f"The MSP is the better choice in {result.prob_msp_better:.0%} of input draws "
            f"(EVPI {money_compact(result.evpi, sym)} a year)"
        )
    )
    ax.set_xlabel("Expected saving under one draw of the inputs (right of zero: the MSP is better)")
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(money_formatter(sym))
    return ax


def plot_evppi(table: pd.DataFrame, evpi: float, ax: Axes | None = None, max_rows: int = 10, symbol: str = "$") -> Axes:
    """Bar chart of an :meth:`Uncertainty.evppi` table: what knowing each input is worth, with 2 SE.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"path": ["organization.loaded_hourly_cost"], "evppi": [1200.0], "se": [100.0]})
    >>> print(plot_evppi(t, 1500.0, ax=Figure().add_subplot()).get_title())
    Knowing fully loaded cost of one employee-hour is worth up to \\$1,200 a year
    """
    rows = table.head(max_rows).iloc[::-1]
    ax = new_axes(ax, (10, 0.45 * max(len(rows), 1) + 1.8))
    if rows.empty or float(rows["evppi"].max()) <= 0:
        ax.text(0.5, 0.5, "No single input is worth measuring", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(mathtext_safe(f"No single input changes the choice (EVPI {money_compact(evpi, symbol)} a year)"))
        ax.set_yticks([])
        return ax
    y = np.arange(len(rows))
    ax.barh(y, rows["evppi"], xerr=2 * rows["se"], color=COLORS["savings"], alpha=0.85, height=0.6, capsize=3)
    ax.set_yticks(y, [_short(field_label(str(p))) for p in rows["path"]])
    ax.axvline(evpi, color=COLORS["neutral"], lw=1.5, ls="--")
    ax.annotate("EVPI (everything known)", (evpi, 1.0), xycoords=("data", "axes fraction"), ha="right", va="bottom")
    top = table.iloc[0]
    ax.set_title(
        mathtext_safe(
            f"Knowing {field_label(str(top['path'])).lower()} is worth up to "
            f"{money_compact(float(top['evppi']), symbol)} a year"
        )
    )
    ax.set_xlabel("Expected value of perfect information about the input, per year (bars: 2 standard errors)")
    ax.xaxis.set_major_formatter(money_formatter(symbol))
    return ax


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def plot_acceptability(curve: pd.DataFrame, ax: Axes | None = None, levels: tuple[float, ...] = (0.8, 0.9)) -> Axes:
    """P(MSP is the better choice) against one input, the values at which we are 80% and 90% sure marked.

    ``curve`` is an :meth:`Uncertainty.acceptability` table; ``curve.attrs``
    may carry ``path`` and ``currency_symbol`` for the labels.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> c = pd.DataFrame({"value": [100, 150, 200], "prob_msp_better": [1.0, 0.85, 0.3]})
    >>> c.attrs.update(path="msp.per_user_monthly", currency_symbol="$")
    >>> print(plot_acceptability(c, ax=Figure().add_subplot()).get_title())
    90% sure the MSP is the better choice up to \\$133 (price per user)
    """
    ax = new_axes(ax)
    path = str(curve.attrs.get("path", ""))
    label = field_label(path) if path else "value"
    sym = str(curve.attrs.get("currency_symbol", "$"))
    is_money = bool(path) and field_info(path).unit.startswith("currency")

    def fmt(v: float) -> str:
        return money_compact(v, sym) if is_money else f"{v:,.3g}"

    ax.plot(curve["value"], curve["prob_msp_better"], color=COLORS["msp"], lw=2, marker="o", ms=3)
    for level in levels:
        ax.axhline(level, color=COLORS["neutral"], lw=1, ls=":")
        v = threshold(curve, level)
        if np.isfinite(v):
            ax.axvline(v, color=COLORS["neutral"], lw=1, ls=":")
            ax.annotate(mathtext_safe(f"{level:.0%}: {fmt(v)}"), (v, level), xytext=(4, 4), textcoords="offset points")
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: f"{v:.0%}"))
    ax.set_xlabel(label)
    ax.set_ylabel("P(MSP is the better choice)")
    top = max(levels)
    v = threshold(curve, top)
    ax.set_title(
        mathtext_safe(
            f"{top:.0%} sure the MSP is the better choice up to {fmt(v)} ({label.lower()})"
            if np.isfinite(v)
            else f"P(MSP is the better choice) never crosses {top:.0%} in this range"
        )
    )
    return ax
