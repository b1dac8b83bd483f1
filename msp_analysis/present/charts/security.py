"""Charts of security risk: how bad a year's losses can get, the incident rate against patching, fines.

Amounts on axes, legends and titles are compact (``$2.35M``,
:func:`msp_analysis.formatting.money_compact`), in the scenario's currency.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter

from ...engine import metrics
from ...engine.simulation import MODEL_LABELS, MODELS, Comparison
from ...formatting import mathtext_safe, money_compact
from ...model.scenario import REGIMES, Scenario
from ...model.security import incident_rate, security_profile
from .style import COLORS, money_formatter, new_axes, symbol_of

__all__ = [
    "exceedance_curves",
    "exceedance_label",
    "exceedance_title",
    "plot_fines_by_regime",
    "plot_loss_exceedance",
    "plot_security_rate",
]

#: ``{model: (loss grid, probability)}`` of a loss exceedance chart.
Curves = dict[str, tuple[pd.Series, pd.Series]]


def _percent_label(p: float, _pos: object = None) -> str:
    """Probability as a percentage with as many decimals as it needs: 10%, 1%, 0.1%, 0.01%.

    Examples
    --------
    >>> _percent_label(0.1), _percent_label(0.001), _percent_label(0)
    ('10%', '0.1%', '0%')
    """
    if p <= 0:
        return "0%"
    digits = max(0, -int(np.floor(np.log10(p * 100) + 1e-9)))
    return f"{p * 100:.{digits}f}%"


def exceedance_curves(
    comparison: Comparison, column: str = "security_loss"
) -> tuple[dict[str, np.ndarray], Curves | None]:
    """``(values, curves)``: each model's annual losses and its ``(loss, probability)`` curve.

    The curves share one log grid; the probability is NaN where it is zero,
    so that a log axis skips it. ``curves`` is None when no simulated year
    has any loss. The dashboard updates its chart in place from these.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, simulate
    >>> values, curves = exceedance_curves(simulate(sample_scenario(), trials=500, seed=1))
    >>> sorted(values), len(curves["msp"][0])
    (['break_fix', 'msp'], 200)
    """
    values = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    pos = np.concatenate([v[v > 0] for v in values.values()])
    if pos.size == 0:
        return values, None
    grid = np.geomspace(max(pos.min(), 1.0), pos.max(), 200)
    curves = {}
    for m, v in values.items():
        curve = metrics.loss_exceedance(v, grid)
        curves[m] = (curve["loss"], curve["probability"].where(curve["probability"] > 0))
    return values, curves


def exceedance_label(model: str, mean: float, symbol: str) -> str:
    """The legend entry of one model on the loss-exceedance chart: its mean annual loss.

    Examples
    --------
    >>> print(exceedance_label("break_fix", 16_887.2, "$"))  # $ escaped for matplotlib
    Break/Fix (mean \\$16,887)
    """
    return mathtext_safe(f"{MODEL_LABELS[model]} (mean {money_compact(mean, symbol)})")


def exceedance_title(values: Mapping[str, np.ndarray], symbol: str) -> str:
    """The finding: how often a year's loss passes $100,000 (or the 90th percentile of losses when smaller).

    ``values`` is the first item :func:`exceedance_curves` returns.

    Examples
    --------
    >>> import numpy as np
    >>> print(exceedance_title({"break_fix": np.array([0, 2e5, 0, 0]), "msp": np.zeros(4) + [0, 0, 0, 5e5]}, "$"))
    A loss above \\$100,000: 25.0% of years with Break/Fix, 25.0% with the MSP
    """
    pos = np.concatenate([v[v > 0] for v in values.values()])
    big = 100_000 if pos.max() > 100_000 else float(np.quantile(pos, 0.9))
    pb = {m: metrics.prob_exceeds(v, big) for m, v in values.items()}
    return mathtext_safe(
        f"A loss above {money_compact(big, symbol)}: {pb['break_fix']:.1%} of years with Break/Fix, "
        f"{pb['msp']:.1%} with the MSP"
    )


def plot_loss_exceedance(
    comparison: Comparison,
    ax: Axes | None = None,
    column: str = "security_loss",
    means: Mapping[str, float] | None = None,
) -> Axes:
    """Loss exceedance curves on log axes: P(a year's loss exceeds x).

    The legend quotes each model's mean loss: the simulated years' by default,
    or ``means`` (``{model: value}``, e.g. the exact expectations of
    :func:`msp_analysis.expected`, so a chart beside exact figures agrees with them).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=500, seed=1)
    >>> print(plot_loss_exceedance(c, ax=Figure().add_subplot()).get_title())
    A loss above \\$...: ...% of years with Break/Fix, ...% with the MSP
    """
    ax = new_axes(ax)
    sym = symbol_of(comparison)
    values, curves = exceedance_curves(comparison, column)
    if curves is None:
        ax.text(0.5, 0.5, "No losses in any simulated year", ha="center", va="center", transform=ax.transAxes)
        ax.set_title("No security losses simulated")
        return ax
    n = len(values["break_fix"])
    for m, v in values.items():
        mean = v.mean() if means is None else float(means[m])
        ax.step(*curves[m], where="post", color=COLORS[m], lw=2, label=exceedance_label(m, mean, sym))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(max(0.5 / n, 1e-6), 1)
    ax.xaxis.set_major_formatter(money_formatter(sym))
    # Plain-text tick labels: the log axes' default labels are typeset as maths
    # (10^-2), which is harder to read for a client and dominates drawing time.
    ax.yaxis.set_major_formatter(FuncFormatter(_percent_label))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Annual loss")
    ax.set_ylabel("Probability a year's loss exceeds it")
    ax.set_title(exceedance_title(values, sym))
    ax.legend()
    return ax


def plot_security_rate(scenario: Scenario, ax: Axes | None = None, max_days: float = 120.0) -> Axes:
    """Costly security incidents a year against patch latency, both models marked.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> plot_security_rate(sample_scenario(), ax=Figure().add_subplot()).get_title()
    'Faster patching cuts costly incidents by ...%: ... to ... a year'
    """
    ax = new_axes(ax)
    days = np.linspace(0.0, max_days, 241)
    rate = incident_rate(scenario, days)
    ax.plot(days, rate, color=COLORS["neutral"], lw=2)
    pts = {}
    for m in MODELS:
        d = getattr(scenario, m).patch_latency_days
        pts[m] = incident_rate(scenario, d)
        ax.plot([d], [pts[m]], "o", ms=10, color=COLORS[m], label=f"{MODEL_LABELS[m]}: patches in {d:g} days")
    ref = scenario.security.reference_patch_latency_days
    ax.axvline(ref, color=COLORS["neutral"], lw=1, ls=":")
    ax.set_xlabel("Days from a patch's release to its installation")
    ax.set_ylabel("Costly security incidents a year")
    ax.set_ylim(0, None)
    bf, ms = pts["break_fix"], pts["msp"]
    if bf > 0 and ms < bf:
        title = f"Faster patching cuts costly incidents by {1 - ms / bf:.0%}: {bf:.3f} to {ms:.3f} a year"
    else:
        title = f"Costly incidents a year: Break/Fix {bf:.3f}, MSP {ms:.3f}"
    ax.set_title(title)
    ax.legend()
    return ax


#: The parts of a year's expected security loss, as the fines chart names them, and their shade.
_LOSS_PARTS = {"direct": "Direct cost", "outage": "Outage", "fines": "Fines"}
_SHADES = {"direct": 1.0, "outage": 0.6, "fines": 0.3}


def _loss_parts(scenario: Scenario, model: str, regime: str) -> dict[str, float]:
    """One model's expected annual security loss under ``regime``, split into :data:`_LOSS_PARTS`."""
    prof = security_profile(scenario.replace({"organization.compliance": regime}), model)
    fines = prof.rate * prof.fine_probability * prof.fine.limited_mean(prof.fine_cap) if prof.fine else 0.0
    return {
        "direct": prof.rate * prof.severity.mean() * prof.severity_multiplier,
        "outage": prof.rate * prof.outage.mean() * prof.outage_cost_per_hour,
        "fines": fines,
    }


def _regime_name(regime: str) -> str:
    return regime.upper() if regime != "none" else "No regime"


def plot_fines_by_regime(scenario: Scenario, ax: Axes | None = None) -> Axes:
    """Expected annual security loss by compliance regime: direct cost, outage and fines, both models.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> print(plot_fines_by_regime(sample_scenario(), ax=Figure().add_subplot()).get_title())
    Fines weigh most under ...: \\$... a year with Break/Fix, \\$... with the MSP
    """
    ax = new_axes(ax, (8, 4.5))
    sym = scenario.organization.currency_symbol
    x = np.arange(len(REGIMES))
    w = 0.38
    totals = {}
    for k, m in enumerate(MODELS):
        parts = [_loss_parts(scenario, m, r) for r in REGIMES]
        bottom = np.zeros(len(REGIMES))
        for part, name in _LOSS_PARTS.items():
            vals = np.array([p[part] for p in parts])
            ax.bar(
                x + (k - 0.5) * w,
                vals,
                w,
                bottom=bottom,
                color=COLORS[m],
                alpha=_SHADES[part],
                edgecolor="white",
                label=f"{MODEL_LABELS[m]}: {name.lower()}",
            )
            bottom += vals
        totals[m] = bottom
    ax.set_xticks(x, [_regime_name(r) for r in REGIMES])
    ax.set_ylabel("Expected security loss per year")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    ax.grid(axis="x", visible=False)
    worst = int(np.argmax(totals["break_fix"]))
    ax.set_title(
        mathtext_safe(
            f"Fines weigh most under {_regime_name(REGIMES[worst]) if REGIMES[worst] != 'none' else 'no regime'}: "
            f"{money_compact(totals['break_fix'][worst], sym)} a year with Break/Fix, "
            f"{money_compact(totals['msp'][worst], sym)} with the MSP"
        )
    )
    return ax
