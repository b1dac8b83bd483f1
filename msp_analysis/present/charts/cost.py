"""Charts of what a year costs: the total's distribution, its breakdown, the saving, any column, a budget.

Amounts on axes, labels and titles are compact (``$2.35M``,
:func:`msp_analysis.formatting.money_compact`), in the scenario's currency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from ...engine import metrics
from ...engine.simulation import COST_COLUMNS, MODEL_LABELS, MODELS, Comparison
from ...formatting import mathtext_safe, money_compact
from .style import COLORS, COMPONENT_COLORS, COMPONENT_LABELS, money_formatter, new_axes, symbol_of

__all__ = [
    "cost_histogram_data",
    "histogram_density",
    "plot_budget_exceedance",
    "plot_column_distribution",
    "plot_cost_breakdown",
    "plot_savings_distribution",
    "plot_total_cost_distribution",
    "tail_note",
]

#: Money columns of a result (formatted in the currency); the others are counts or hours.
_MONEY_COLUMNS = ("fees", "internal_cost", "downtime_cost", "security_loss", "total_cost")
_COLUMN_LABELS = {
    "fees": "Fees",
    "internal_cost": "Staff time",
    "downtime_hours": "User-hours lost",
    "downtime_cost": "Downtime cost",
    "security_loss": "Security losses",
    "total_cost": "Total cost",
    "incidents": "Incidents",
    "security_incidents": "Costly security incidents",
    "security_downtime_hours": "User-hours lost to security incidents",
    "availability": "Availability",
}


def cost_histogram_data(comparison: Comparison, column: str, bins: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each model's values and the shared bin edges (the lowest value or 0 to P99.5).

    Years beyond the last edge are not drawn (:func:`histogram_density`) and
    the axis label says which share of years that is (:func:`tail_note`):
    piled into the last bin, as they once were, they made a stray bar at the
    chart's right edge. The dashboard updates its chart in place from the
    same numbers.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, simulate
    >>> data, edges = cost_histogram_data(simulate(sample_scenario(), trials=200, seed=1), "total_cost", 30)
    >>> sorted(data), len(edges), bool(edges[0] <= 0)
    (['break_fix', 'msp'], 31, True)
    """
    data = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    both = np.concatenate(list(data.values()))
    hi = np.quantile(both, 0.995)
    lo = min(both.min(), 0)
    return data, np.linspace(lo, hi, bins + 1)


def histogram_density(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Height of each bin as a density over *all* the years, those beyond the edges included.

    The bars' area is the share of years they hold, so a clipped tail makes
    the drawn area less than one instead of a bar at the edge.

    Examples
    --------
    >>> histogram_density(np.array([0.5, 1.5, 1.5, 9.0]), np.array([0.0, 1.0, 2.0]))
    array([0.25, 0.5 ])
    """
    counts, _ = np.histogram(values, bins=edges)
    return counts / (max(len(values), 1) * np.diff(edges))


def tail_note(data: dict[str, np.ndarray], edges: np.ndarray, symbol: str) -> str:
    r"""The axis label of a cost histogram: what is marked, and the share of years beyond its right edge.

    Examples
    --------
    >>> data = {"break_fix": np.array([1.0, 2.0, 50.0, 60.0]), "msp": np.array([1.0, 2.0, 3.0, 4.0])}
    >>> print(tail_note(data, np.array([0.0, 10.0]), "$"))
    Total cost of a year (dashed: mean). Not drawn: years above \$10: Break/Fix 50.0%, MSP 0.0%
    """
    beyond = ", ".join(f"{MODEL_LABELS[m]} {float((v > edges[-1]).mean()):.1%}" for m, v in data.items())
    return mathtext_safe(
        f"Total cost of a year (dashed: mean). Not drawn: years above {money_compact(edges[-1], symbol)}: {beyond}"
    )


def plot_total_cost_distribution(
    comparison: Comparison, ax: Axes | None = None, column: str = "total_cost", bins: int = 60
) -> Axes:
    """Overlaid histograms of a year's total cost under each model, means marked.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=500, seed=1)
    >>> print(plot_total_cost_distribution(c, ax=Figure().add_subplot()).get_title())
    MSP costs \\$... a year less on average (P(MSP cheaper) = ...%)
    """
    ax = new_axes(ax)
    sym = symbol_of(comparison)
    data, edges = cost_histogram_data(comparison, column, bins)
    for m, v in data.items():
        heights = histogram_density(v, edges)
        ax.stairs(heights, edges, fill=True, color=COLORS[m], alpha=0.55, label=MODEL_LABELS[m])
        ax.axvline(v.mean(), color=COLORS[m], lw=2, ls="--")
    means = {m: v.mean() for m, v in data.items()}
    cheaper = min(means, key=means.__getitem__)
    other = max(means, key=means.__getitem__)
    ax.set_title(
        mathtext_safe(
            f"{MODEL_LABELS[cheaper]} costs {money_compact(means[other] - means[cheaper], sym)} a year less on average "
            f"(P(MSP cheaper) = {comparison.prob_msp_cheaper:.0%})"
        )
    )
    ax.set_xlabel(tail_note(data, edges, sym))
    ax.set_yticks([])
    ax.set_ylabel("Share of simulated years")
    ax.xaxis.set_major_formatter(money_formatter(sym))
    ax.legend()
    return ax


def plot_cost_breakdown(expected_table: pd.DataFrame, ax: Axes | None = None, symbol: str = "$") -> Axes:
    """Stacked bars of expected annual cost by component for both models.

    ``expected_table`` is the frame :func:`msp_analysis.expected` returns.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import expected, sample_scenario
    >>> plot_cost_breakdown(expected(sample_scenario()), ax=Figure().add_subplot()).get_title()
    'The biggest difference between the two: fees'
    """
    ax = new_axes(ax, (7, 4.5))
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
            mathtext_safe(money_compact(total, symbol)),
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
    ax.set_title(f"The biggest difference between the two: {COMPONENT_LABELS[big].lower()}")
    ax.set_ylabel("Expected cost per year")
    ax.yaxis.set_major_formatter(money_formatter(symbol))
    ax.set_ylim(0, bottom.max() * 1.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", visible=False)
    return ax


def plot_savings_distribution(comparison: Comparison, ax: Axes | None = None, bins: int = 60) -> Axes:
    """Histogram of the per-year saving (Break/Fix minus MSP), zero marked.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=500, seed=1)
    >>> print(plot_savings_distribution(c, ax=Figure().add_subplot()).get_title())
    The MSP saves \\$... a year on average (90% of years: ...)
    """
    ax = new_axes(ax)
    sym = symbol_of(comparison)
    s = comparison.savings.to_numpy()
    lo, hi = np.quantile(s, [0.005, 0.995])
    edges = np.linspace(lo, hi, bins + 1)
    # A density over all the years: those beyond either edge are left out and the
    # label says how many, instead of piling up in the end bins as stray bars.
    ax.stairs(histogram_density(s, edges), edges, fill=True, color=COLORS["savings"], alpha=0.8)
    ax.axvline(0, color="black", lw=1)
    ax.axvline(s.mean(), color=COLORS["savings"], lw=2, ls="--")
    p5, p95 = np.quantile(s, [0.05, 0.95])
    # The cheaper side saves: never "the MSP saves -$4,991".
    who = "The MSP" if s.mean() >= 0 else "Break/Fix"
    ax.set_title(
        mathtext_safe(
            f"{who} saves {money_compact(abs(s.mean()), sym)} a year on average "
            f"(90% of years: {money_compact(p5, sym)} to {money_compact(p95, sym)})"
        )
    )
    ax.set_xlabel(
        "Break/Fix total minus MSP total, per year (right of zero: the MSP is cheaper). Not drawn: "
        f"{float((s < lo).mean()):.1%} of years below, {float((s > hi).mean()):.1%} above"
    )
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(money_formatter(sym))
    return ax


def _column_formatter(column: str, sym: str) -> FuncFormatter:
    if column in _MONEY_COLUMNS:
        return money_formatter(sym)
    if column == "availability":
        return FuncFormatter(lambda v, _pos=None: f"{v:.2%}")
    return FuncFormatter(lambda v, _pos=None: f"{v:,.0f}")


def _column_text(column: str, value: float, sym: str) -> str:
    if column in _MONEY_COLUMNS:
        return money_compact(value, sym)
    if column == "availability":
        return f"{value:.2%}"
    return f"{value:,.0f}"


def plot_column_distribution(
    comparison: Comparison, column: str = "downtime_hours", ax: Axes | None = None, bins: int = 60
) -> Axes:
    """Overlaid histograms of any simulated column (hours, counts, money), means marked.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=500, seed=1)
    >>> plot_column_distribution(c, "incidents", ax=Figure().add_subplot()).get_title()
    'Incidents in a year: Break/Fix ..., MSP ... on average'
    """
    ax = new_axes(ax)
    sym = symbol_of(comparison)
    data = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    both = np.concatenate(list(data.values()))
    lo, hi = np.quantile(both, [0.001, 0.995])
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    for m, v in data.items():
        # Density over all the years: the tails beyond the edges are not drawn (the label
        # gives their share), never piled into the end bins.
        ax.stairs(histogram_density(v, edges), edges, fill=True, color=COLORS[m], alpha=0.55, label=MODEL_LABELS[m])
        ax.axvline(v.mean(), color=COLORS[m], lw=2, ls="--")
    name = _COLUMN_LABELS.get(column, column)
    means = {m: v.mean() for m, v in data.items()}
    ax.set_title(
        mathtext_safe(
            f"{name} in a year: Break/Fix {_column_text(column, means['break_fix'], sym)}, "
            f"MSP {_column_text(column, means['msp'], sym)} on average"
        )
    )
    outside = ", ".join(f"{MODEL_LABELS[m]} {float(((v < lo) | (v > hi)).mean()):.1%}" for m, v in data.items())
    ax.set_xlabel(f"{name} in a year (dashed: mean). Years not drawn, beyond the edges: {outside}")
    ax.set_yticks([])
    ax.set_ylabel("Share of simulated years")
    ax.xaxis.set_major_formatter(_column_formatter(column, sym))
    ax.legend()
    return ax


def plot_budget_exceedance(
    comparison: Comparison, budget: float | None = None, ax: Axes | None = None, column: str = "fees"
) -> Axes:
    """P(a year's ``column`` exceeds x) for both models, with a budget marked.

    The budget defaults to the expected MSP figure plus 10 %.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=500, seed=1)
    >>> print(plot_budget_exceedance(c, 80_000, ax=Figure().add_subplot()).get_title())
    A fees budget of \\$80,000 is overrun in ...% of years with Break/Fix, ...% with the MSP
    """
    ax = new_axes(ax)
    sym = symbol_of(comparison)
    data = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    both = np.concatenate(list(data.values()))
    lo, hi = np.quantile(both, [0.0, 0.995])
    grid = np.linspace(max(lo * 0.9, 0.0), hi, 400)
    for m, v in data.items():
        ax.plot(grid, metrics.prob_exceeds(v, grid), color=COLORS[m], lw=2.5, label=MODEL_LABELS[m])
    if budget is None:
        budget = 1.1 * float(data["msp"].mean())
    p = {m: metrics.prob_exceeds(v, budget) for m, v in data.items()}
    ax.axvline(budget, color="black", lw=1, ls="--", label=mathtext_safe(f"Budget {money_compact(budget, sym)}"))
    name = _COLUMN_LABELS.get(column, column).lower()
    ax.set_title(
        mathtext_safe(
            f"A {name} budget of {money_compact(budget, sym)} is overrun in {p['break_fix']:.0%} of years "
            f"with Break/Fix, {p['msp']:.0%} with the MSP"
        )
    )
    ax.set_xlabel(f"Annual {name}")
    ax.set_ylabel("Probability of exceeding it")
    ax.xaxis.set_major_formatter(_column_formatter(column, sym))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: f"{v:.0%}"))
    ax.set_ylim(-0.02, 1.02)
    ax.legend()
    return ax
