"""Charts of the comparison, in the suite's one consistent look.

Every function takes ``ax=`` (a new figure is made when it is ``None``) and
returns the axes, so notebooks, the dashboard and the report compose them
freely. Break/Fix is always vermillion and the MSP always blue (Okabe-Ito
colours, safe for colour-blind readers and on a projector); amounts are
formatted in the scenario's currency; titles state the finding, not the
chart type.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from . import metrics
from .simulation import COST_COLUMNS, MODEL_LABELS, MODELS

__all__ = [
    "COLORS",
    "COMPONENT_COLORS",
    "COMPONENT_LABELS",
    "apply_style",
    "money",
    "money_formatter",
    "plot_cost_breakdown",
    "plot_loss_exceedance",
    "plot_savings_distribution",
    "plot_total_cost_distribution",
]

#: One colour per support model across the whole suite.
COLORS = {"break_fix": "#D55E00", "msp": "#0072B2", "savings": "#009E73", "neutral": "#7F7F7F"}
COMPONENT_COLORS = {
    "fees": "#56B4E9",
    "internal_cost": "#E69F00",
    "downtime_cost": "#CC79A7",
    "security_loss": "#000000",
}
COMPONENT_LABELS = {
    "fees": "Fees",
    "internal_cost": "Staff time",
    "downtime_cost": "Downtime",
    "security_loss": "Security losses",
}


def money(x: float, symbol: str = "$", digits: int = 0) -> str:
    """Format an amount: ``$1,234``, ``-$56``, ``$1.2M`` for millions.

    Examples
    --------
    >>> money(1234.5), money(-56), money(2_345_678), money(0.5, digits=2)
    ('$1,234', '-$56', '$2.35M', '$0.50')
    """
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}{symbol}{x / 1e6:,.2f}M"
    return f"{sign}{symbol}{x:,.{digits}f}"


def money_formatter(symbol: str = "$") -> FuncFormatter:
    """Axis tick formatter in ``k`` and ``M`` of the currency."""

    def fmt(x, _pos=None):
        sign = "-" if x < 0 else ""
        a = abs(x)
        if a >= 1e6:
            return f"{sign}{symbol}{a / 1e6:g}M"
        if a >= 1e3:
            return f"{sign}{symbol}{a / 1e3:g}k"
        return f"{sign}{symbol}{a:g}"

    return FuncFormatter(fmt)


def apply_style(large: bool = False) -> None:
    """The suite's matplotlib defaults; ``large=True`` for a projector."""
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


def _axes(ax, figsize=(8, 4.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _symbol(comparison) -> str:
    return comparison.scenario.organization.currency_symbol


def plot_total_cost_distribution(comparison, ax=None, column: str = "total_cost", bins: int = 60):
    """Overlaid histograms of a year's total cost under each model, means marked."""
    ax = _axes(ax)
    sym = _symbol(comparison)
    data = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    both = np.concatenate(list(data.values()))
    hi = np.quantile(both, 0.995)
    lo = min(np.quantile(both, 0.001), 0)
    edges = np.linspace(lo, hi, bins + 1)
    for m, v in data.items():
        ax.hist(np.clip(v, lo, hi), bins=edges, alpha=0.55, color=COLORS[m], label=MODEL_LABELS[m], density=True)
        ax.axvline(v.mean(), color=COLORS[m], lw=2, ls="--")
    means = {m: v.mean() for m, v in data.items()}
    cheaper = min(means, key=means.get)
    other = max(means, key=means.get)
    ax.set_title(
        f"{MODEL_LABELS[cheaper]} costs {money(means[other] - means[cheaper], sym)} a year less on average "
        f"(P(MSP cheaper) = {comparison.prob_msp_cheaper:.0%})"
    )
    ax.set_xlabel("Total cost of a year (dashed: mean; tail beyond the 99.5th percentile clipped)")
    ax.set_yticks([])
    ax.set_ylabel("Share of simulated years")
    ax.xaxis.set_major_formatter(money_formatter(sym))
    ax.legend()
    return ax


def plot_cost_breakdown(expected_table, ax=None, symbol: str = "$"):
    """Stacked bars of expected annual cost by component for both models.

    ``expected_table`` is the frame :func:`msp_analysis.expected` returns.
    """
    ax = _axes(ax, (7, 4.5))
    bottom = np.zeros(len(MODELS))
    x = np.arange(len(MODELS))
    for comp in COST_COLUMNS:
        vals = expected_table.loc[comp, list(MODELS)].to_numpy(dtype=float)
        ax.bar(
            x,
            vals,
            bottom=bottom,
            color=COMPONENT_COLORS[comp],
            label=COMPONENT_LABELS[comp],
            width=0.6,
            edgecolor="white",
        )
        bottom += vals
    for xi, total in zip(x, bottom):
        ax.annotate(
            money(total, symbol),
            (xi, total),
            ha="center",
            va="bottom",
            fontweight="bold",
            xytext=(0, 3),
            textcoords="offset points",
        )
    ax.set_xticks(x, [MODEL_LABELS[m] for m in MODELS])
    for tick, m in zip(ax.get_xticklabels(), MODELS):
        tick.set_color(COLORS[m])
        tick.set_fontweight("bold")
    big = max(COST_COLUMNS, key=lambda c: abs(expected_table.loc[c, "break_fix"] - expected_table.loc[c, "msp"]))
    ax.set_title(f"{COMPONENT_LABELS[big]} make the biggest difference")
    ax.set_ylabel("Expected cost per year")
    ax.yaxis.set_major_formatter(money_formatter(symbol))
    ax.set_ylim(0, bottom.max() * 1.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", visible=False)
    return ax


def plot_loss_exceedance(comparison, ax=None, column: str = "security_loss"):
    """Loss exceedance curves on log axes: P(a year's loss exceeds x)."""
    ax = _axes(ax)
    sym = _symbol(comparison)
    values = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    pos = np.concatenate([v[v > 0] for v in values.values()])
    if pos.size == 0:
        ax.text(0.5, 0.5, "No losses in any simulated year", ha="center", va="center", transform=ax.transAxes)
        ax.set_title("No security losses simulated")
        return ax
    grid = np.geomspace(max(pos.min(), 1.0), pos.max(), 200)
    n = len(values["break_fix"])
    for m, v in values.items():
        curve = metrics.loss_exceedance(v, grid)
        ax.step(
            curve["loss"],
            curve["probability"].where(curve["probability"] > 0),
            where="post",
            color=COLORS[m],
            lw=2,
            label=f"{MODEL_LABELS[m]} (mean {money(v.mean(), sym)})",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(max(0.5 / n, 1e-6), 1)
    ax.xaxis.set_major_formatter(money_formatter(sym))
    ax.set_xlabel("Annual loss")
    ax.set_ylabel("Probability a year's loss exceeds it")
    big = 100_000 if pos.max() > 100_000 else float(np.quantile(pos, 0.9))
    pb = {m: metrics.prob_exceeds(v, big) for m, v in values.items()}
    ax.set_title(
        f"A loss above {money(big, sym)}: {pb['break_fix']:.1%} of years with Break/Fix, {pb['msp']:.1%} with the MSP"
    )
    ax.legend()
    return ax


def plot_savings_distribution(comparison, ax=None, bins: int = 60):
    """Histogram of the per-year saving (Break/Fix minus MSP), zero marked."""
    ax = _axes(ax)
    sym = _symbol(comparison)
    s = comparison.savings.to_numpy()
    lo, hi = np.quantile(s, [0.005, 0.995])
    edges = np.linspace(lo, hi, bins + 1)
    ax.hist(np.clip(s, lo, hi), bins=edges, color=COLORS["savings"], alpha=0.8)
    ax.axvline(0, color="black", lw=1)
    ax.axvline(s.mean(), color=COLORS["savings"], lw=2, ls="--")
    p5, p95 = np.quantile(s, [0.05, 0.95])
    ax.set_title(
        f"The MSP saves {money(s.mean(), sym)} a year on average (90% of years: {money(p5, sym)} to {money(p95, sym)})"
    )
    ax.set_xlabel("Break/Fix total minus MSP total, per year (right of zero: the MSP is cheaper)")
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(money_formatter(sym))
    return ax
