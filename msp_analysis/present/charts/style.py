"""The suite's one look: model colours, component colours, rcParams, money on an axis.

Break/Fix is always vermillion and the MSP always blue (Okabe-Ito colours,
safe for colour-blind readers and on a projector). Every chart module draws
with these, so a reader who learned the colours on one chart reads them on all.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from ...engine.simulation import Comparison
from ...formatting import axis_money

__all__ = [
    "COLORS",
    "COMPONENT_COLORS",
    "COMPONENT_LABELS",
    "apply_style",
    "money_formatter",
    "new_axes",
    "symbol_of",
]

#: One colour per support model across the whole suite (and one for savings, one neutral).
COLORS = {"break_fix": "#D55E00", "msp": "#0072B2", "savings": "#009E73", "neutral": "#7F7F7F"}
#: One colour per cost component.
COMPONENT_COLORS = {
    "fees": "#56B4E9",
    "internal_cost": "#E69F00",
    "downtime_cost": "#CC79A7",
    "security_loss": "#000000",
}
#: How a cost component is named on a chart.
COMPONENT_LABELS = {
    "fees": "Fees",
    "internal_cost": "Staff time",
    "downtime_cost": "Downtime",
    "security_loss": "Security losses",
}


def money_formatter(symbol: str = "$") -> FuncFormatter:
    """Axis tick formatter in ``k`` and ``M`` of the currency (:func:`msp_analysis.formatting.axis_money`).

    Examples
    --------
    >>> money_formatter("€")(1_500_000)
    '€1.5M'
    """
    return FuncFormatter(lambda x, _pos=None: axis_money(x, symbol))


def apply_style(large: bool = False) -> None:
    """The suite's matplotlib defaults; ``large=True`` for a projector.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():
    ...     apply_style(large=True)
    ...     mpl.rcParams["font.size"]
    15.0
    """
    base = 15 if large else 11
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "font.size": base,
            "axes.titlesize": base + 1,
            "axes.titleweight": "bold",
            "axes.labelsize": base,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.frameon": False,
            "legend.fontsize": base - 1,
            "xtick.labelsize": base - 1,
            "ytick.labelsize": base - 1,
        }
    )


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (8, 4.5)) -> Axes:
    """``ax`` itself, or the axes of a new pyplot figure when it is ``None`` (every chart's ``ax=``).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> new_axes(ax) is ax
    True
    """
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def symbol_of(comparison: Comparison) -> str:
    """The currency symbol of a comparison's scenario.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, simulate
    >>> symbol_of(simulate(sample_scenario(), trials=10, seed=1))
    '$'
    """
    return comparison.scenario.organization.currency_symbol
