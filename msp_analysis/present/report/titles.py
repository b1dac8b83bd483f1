"""The findings the report's and the dashboard's charts state in their titles, in the headline's exact figures.

Split from :mod:`msp_analysis.present.report.summary` (which re-exports
every name here): a chart's title quotes the same exact averages as the
headline figures, never the simulated ones, so that a client comparing two
numbers on one screen finds them equal.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from ...engine.simulation import COST_COLUMNS, MODEL_LABELS, MODELS, Comparison
from ...formatting import mathtext_safe, money_compact, percent
from ..charts.security import exceedance_label
from ..charts.style import COMPONENT_LABELS

__all__ = ["breakdown_title", "chart_title", "distribution_title", "exceedance_labels"]


def chart_title(ax: Axes) -> str:
    """An axes' title as plain text (for slides and captions): escaped ``$`` back to ``$``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> _ = ax.set_title(mathtext_safe("Saves $1,200") + "\\na year")
    >>> chart_title(ax)
    'Saves $1,200 a year'
    """
    return " ".join(ax.get_title().split()).replace(r"\$", "$")


def distribution_title(comparison: Comparison, expected_table: pd.DataFrame) -> str:
    """The finding of the cost distribution, with the exact averages the headline figures show.

    (The simulated ones differ by sampling error, and a client comparing the
    two numbers on one screen would ask why.) Only ``comparison.scenario`` and
    ``comparison.prob_msp_cheaper`` are read.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from msp_analysis import expected, sample_scenario
    >>> s = sample_scenario()
    >>> print(distribution_title(SimpleNamespace(scenario=s, prob_msp_cheaper=0.999), expected(s)))
    MSP costs \\$... a year less on average (P(MSP cheaper) > 99%)
    """
    symbol = comparison.scenario.organization.currency_symbol
    total = {m: float(expected_table.loc["total_cost", m]) for m in MODELS}
    cheaper = min(total, key=total.__getitem__)
    gap = abs(total["break_fix"] - total["msp"])
    p = percent(comparison.prob_msp_cheaper)
    # "P(MSP cheaper) > 99%", not "= >99%".
    relation = f"{p[0]} {p[1:]}" if p[0] in "<>" else f"= {p}"
    return mathtext_safe(
        f"{MODEL_LABELS[cheaper]} costs {money_compact(gap, symbol)} a year less on average (P(MSP cheaper) {relation})"
    )


def exceedance_labels(expected_table: pd.DataFrame, symbol: str) -> dict[str, str]:
    """Legend of the loss-exceedance chart: each model's exact expected annual security loss.

    The library's legend quotes the simulated mean, which in a heavy tail
    differs by sampling error (2,000 simulated years against the
    headline's exact mean for the sample's Break/Fix); on one screen a client
    would ask which is right.

    Examples
    --------
    >>> from msp_analysis import expected, sample_scenario
    >>> print(exceedance_labels(expected(sample_scenario()), "$")["break_fix"])  # $ escaped for matplotlib
    Break/Fix (mean \\$7,825)
    """
    return {m: exceedance_label(m, float(expected_table.loc["security_loss", m]), symbol) for m in MODELS}


def breakdown_title(expected_table: pd.DataFrame, symbol: str) -> str:
    """The finding of the cost breakdown: the component that differs most, by how much, and against whom.

    The library's chart says "The biggest difference between the two: ...";
    a client deck needs the verb to agree ("Downtime makes ...") and the amount.

    Examples
    --------
    >>> from msp_analysis import expected, sample_scenario
    >>> print(breakdown_title(expected(sample_scenario()), "$"))
    Fees make the biggest difference: \\$... a year more with the MSP
    """
    diff = {c: expected_table.loc[c, "break_fix"] - expected_table.loc[c, "msp"] for c in COST_COLUMNS}
    big = max(diff, key=lambda c: abs(diff[c]))
    label = COMPONENT_LABELS[big]
    verb = "make" if label.endswith("s") else "makes"
    who = "Break/Fix" if diff[big] > 0 else "the MSP"
    return mathtext_safe(
        f"{label} {verb} the biggest difference: {money_compact(abs(diff[big]), symbol)} a year more with {who}"
    )
