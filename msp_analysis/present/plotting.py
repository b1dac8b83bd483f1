"""Charts of the comparison, in the suite's one consistent look.

Every function takes ``ax=`` (a new figure is made when it is ``None``) and
returns the axes, so notebooks, the dashboard and the report compose them
freely. Break/Fix is always vermillion and the MSP always blue (Okabe-Ito
colours, safe for colour-blind readers and on a projector); amounts are
formatted in the scenario's currency; titles state the finding, not the
chart type.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..engine import metrics
from ..engine.simulation import COST_COLUMNS, MODEL_LABELS, MODELS

__all__ = [
    "COLORS",
    "COMPONENT_COLORS",
    "COMPONENT_LABELS",
    "apply_style",
    "money_formatter",
    "plot_cost_breakdown",
    "plot_loss_exceedance",
    "plot_savings_distribution",
    "plot_total_cost_distribution",
]

#: One colour per support model across the whole suite.
from ..formatting import axis_money, mathtext_safe, money_compact, value_label

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


def money_formatter(symbol: str = "$") -> FuncFormatter:
    """Axis tick formatter in ``k`` and ``M`` of the currency (:func:`msp_analysis.formatting.axis_money`)."""
    return FuncFormatter(lambda x, _pos=None: axis_money(x, symbol))


def _percent_label(p, _pos=None) -> str:
    """Probability as a percentage with as many decimals as it needs: 10%, 1%, 0.1%, 0.01%."""
    if p <= 0:
        return "0%"
    digits = max(0, -int(np.floor(np.log10(p * 100) + 1e-9)))
    return f"{p * 100:.{digits}f}%"


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


def _histogram(ax, values, edges, *, color, alpha, label=None, density=False):
    """A filled histogram drawn as one step patch (``ax.hist`` makes one rectangle per bin,
    several times slower to build and draw in a live dashboard)."""
    counts, _ = np.histogram(values, bins=edges, density=density)
    return ax.stairs(counts, edges, fill=True, color=color, alpha=alpha, label=label)


def _axes(ax, figsize=(8, 4.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _symbol(comparison) -> str:
    return comparison.scenario.organization.currency_symbol


def _cost_histogram_data(comparison, column: str, bins: int):
    """Each model's values and the shared bin edges (P0.1 or 0 to P99.5; values beyond are clipped into them).

    The dashboard updates its chart in place from the same numbers.
    """
    data = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    both = np.concatenate(list(data.values()))
    hi = np.quantile(both, 0.995)
    lo = min(np.quantile(both, 0.001), 0)
    return data, np.linspace(lo, hi, bins + 1)


def plot_total_cost_distribution(comparison, ax=None, column: str = "total_cost", bins: int = 60):
    """Overlaid histograms of a year's total cost under each model, means marked."""
    ax = _axes(ax)
    sym = _symbol(comparison)
    data, edges = _cost_histogram_data(comparison, column, bins)
    for m, v in data.items():
        clipped = np.clip(v, edges[0], edges[-1])
        _histogram(ax, clipped, edges, color=COLORS[m], alpha=0.55, label=MODEL_LABELS[m], density=True)
        ax.axvline(v.mean(), color=COLORS[m], lw=2, ls="--")
    means = {m: v.mean() for m, v in data.items()}
    cheaper = min(means, key=means.get)
    other = max(means, key=means.get)
    ax.set_title(
        mathtext_safe(
            f"{MODEL_LABELS[cheaper]} costs {money_compact(means[other] - means[cheaper], sym)} a year less on average "
            f"(P(MSP cheaper) = {comparison.prob_msp_cheaper:.0%})"
        )
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


def plot_loss_exceedance(comparison, ax=None, column: str = "security_loss", means=None):
    """Loss exceedance curves on log axes: P(a year's loss exceeds x).

    The legend quotes each model's mean loss: the simulated years' by default,
    or ``means`` (``{model: value}``, e.g. the exact expectations of
    :func:`msp_analysis.expected`, so a chart beside exact figures agrees with them).
    """
    ax = _axes(ax)
    sym = _symbol(comparison)
    values, curves = _exceedance_curves(comparison, column)
    if curves is None:
        ax.text(0.5, 0.5, "No losses in any simulated year", ha="center", va="center", transform=ax.transAxes)
        ax.set_title("No security losses simulated")
        return ax
    n = len(values["break_fix"])
    for m, v in values.items():
        mean = v.mean() if means is None else float(means[m])
        ax.step(*curves[m], where="post", color=COLORS[m], lw=2, label=_exceedance_label(m, mean, sym))
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
    ax.set_title(_exceedance_title(values, sym))
    ax.legend()
    return ax


def _exceedance_curves(comparison, column: str = "security_loss"):
    """``(values, curves)``: each model's annual losses and its ``(loss, probability)`` curve on a shared
    log grid (probability NaN where zero, so a log axis skips it); ``curves`` is None without any loss."""
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


def _exceedance_label(model: str, mean: float, sym: str) -> str:
    return mathtext_safe(f"{MODEL_LABELS[model]} (mean {money_compact(mean, sym)})")


def _exceedance_title(values, sym: str) -> str:
    """The finding: how often a year's loss passes $100,000 (or the 90th percentile of losses when smaller)."""
    pos = np.concatenate([v[v > 0] for v in values.values()])
    big = 100_000 if pos.max() > 100_000 else float(np.quantile(pos, 0.9))
    pb = {m: metrics.prob_exceeds(v, big) for m, v in values.items()}
    return mathtext_safe(
        f"A loss above {money_compact(big, sym)}: {pb['break_fix']:.1%} of years with Break/Fix, {pb['msp']:.1%} with the MSP"
    )


def plot_savings_distribution(comparison, ax=None, bins: int = 60):
    """Histogram of the per-year saving (Break/Fix minus MSP), zero marked."""
    ax = _axes(ax)
    sym = _symbol(comparison)
    s = comparison.savings.to_numpy()
    lo, hi = np.quantile(s, [0.005, 0.995])
    edges = np.linspace(lo, hi, bins + 1)
    _histogram(ax, np.clip(s, lo, hi), edges, color=COLORS["savings"], alpha=0.8)
    ax.axvline(0, color="black", lw=1)
    ax.axvline(s.mean(), color=COLORS["savings"], lw=2, ls="--")
    p5, p95 = np.quantile(s, [0.05, 0.95])
    ax.set_title(
        mathtext_safe(
            f"The MSP saves {money_compact(s.mean(), sym)} a year on average (90% of years: {money_compact(p5, sym)} to {money_compact(p95, sym)})"
        )
    )
    ax.set_xlabel("Break/Fix total minus MSP total, per year (right of zero: the MSP is cheaper)")
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(money_formatter(sym))
    return ax


# -- decision tools: tornado, break-even, projection, monthly fees, scorecard ----------------

__all__ += [
    "plot_break_even",
    "plot_monthly_fee_bands",
    "plot_projection",
    "plot_scorecard",
    "plot_tornado",
]


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plot_tornado(table, ax=None, max_rows: int = 12, symbol: str | None = None):
    """Tornado chart of a :func:`msp_analysis.decisions.sensitivity.sensitivity` table.

    Each bar runs from today's expected savings to the savings with the
    parameter lowered (light) or raised (solid); blue where the change
    favours the MSP (savings rise), vermillion where it favours Break/Fix.
    The largest effect is at the top.
    """
    rows = table.head(max_rows).iloc[::-1]
    ax = _axes(ax, (10, 0.45 * len(rows) + 1.8))
    sym = symbol or table.attrs.get("currency_symbol", "$")
    base = float(table.attrs.get("base_savings", np.nan))
    if rows.empty:
        ax.text(0.5, 0.5, "No parameter changes the expected savings", ha="center", va="center", transform=ax.transAxes)
        ax.set_title("Nothing to show")
        return ax
    y = np.arange(len(rows))
    for yi, (_, r) in zip(y, rows.iterrows()):
        for end, alpha in (("low", 0.45), ("high", 0.95)):
            s = float(r[f"savings_{end}"])
            color = COLORS["msp"] if s >= base else COLORS["break_fix"]
            ax.barh(yi, s - base, left=base, height=0.6, color=color, alpha=alpha)
            ax.annotate(
                mathtext_safe(value_label(r[f"{end}_value"], "", sym)),
                (s, yi),
                xytext=(4 if s >= base else -4, 0),
                textcoords="offset points",
                ha="left" if s >= base else "right",
                va="center",
                fontsize="small",
                color="0.3",
            )
    ax.set_yticks(y, [_short(str(label)) for label in rows["label"]])
    ax.axvline(base, color="black", lw=1, ls="--")
    lo = float(min(rows["savings_low"].min(), rows["savings_high"].min(), base))
    hi = float(max(rows["savings_low"].max(), rows["savings_high"].max(), base))
    if lo <= 0 <= hi:
        ax.axvline(0, color=COLORS["neutral"], lw=1.5)
        ax.annotate(
            "break-even", (0, 1.0), xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize="small"
        )
    pad = 0.15 * (hi - lo if hi > lo else max(abs(base), 1.0))
    ax.set_xlim(lo - pad, hi + pad)
    ax.xaxis.set_major_formatter(money_formatter(sym))
    swing = table.attrs.get("swing")
    ax.set_xlabel(
        mathtext_safe(
            f"MSP savings per year (dashed: today, {money_compact(base, sym)})"
            + (f"; parameters -/+{swing:.0%}" if swing else "")
        )
    )
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=COLORS["msp"], label="favours the MSP"),
            Patch(color=COLORS["break_fix"], label="favours Break/Fix"),
            Patch(color="0.5", alpha=0.45, label="parameter lowered"),
            Patch(color="0.5", alpha=0.95, label="parameter raised"),
        ],
        loc="lower right",
        fontsize="small",
    )
    top = table.iloc[0]
    a, b = sorted((float(top["savings_low"]), float(top["savings_high"])))
    ax.set_title(
        mathtext_safe(
            f"{_short(str(top['label']), 60)} matters most: savings {money_compact(a, sym)} to {money_compact(b, sym)}"
        )
    )
    ax.grid(axis="y", visible=False)
    return ax


def plot_break_even(
    scenario,
    parameter: str,
    ax=None,
    low: float | None = None,
    high: float | None = None,
    *,
    kind: str = "totals",
    points: int = 81,
    scale_devices: bool = True,
):
    """Expected totals (or savings) of both models against one parameter, crossing marked.

    ``kind="totals"`` draws both expected totals; ``kind="savings"`` draws
    Break/Fix minus MSP. ``low``/``high`` set the plotted range (default:
    around today's value and the break-even). The break-even comes from
    :func:`msp_analysis.decisions.break_even.break_even`; when there is none, the title
    says so.
    """
    from ..decisions.break_even import NoCrossingError, break_even, savings_curve
    from ..decisions.what_if import field_label as _label
    from ..model.scenario import field_info

    if kind not in ("totals", "savings"):
        raise ValueError(f"kind: got {kind!r}, expected 'totals' or 'savings'")
    ax = _axes(ax)
    sym = scenario.organization.currency_symbol
    info = field_info(parameter)
    x0 = float(scenario.get(parameter))
    try:
        be = break_even(scenario, parameter, low, high, scale_devices=scale_devices)
        domain, err = be.search_range, None
    except NoCrossingError as e:
        be, domain, err = None, (e.low, e.high), e
    if low is not None and high is not None:
        lo, hi = float(low), float(high)
    else:
        anchors = [x0] + ([be.continuous_value] if be is not None else [])
        a, b = min(anchors), max(anchors)
        pad = 0.6 * (b - a) if b > a else 0.5 * max(abs(x0), 1.0)
        lo = max(domain[0], a - pad) if low is None else float(low)
        hi = min(domain[1], b + pad) if high is None else float(high)
        if err is not None and not lo < hi:
            lo, hi = domain
    grid = np.linspace(lo, hi, points)
    if info.integer:
        grid = np.unique(np.floor(grid + 0.5)).astype(int)
    curve = savings_curve(scenario, parameter, grid, scale_devices=scale_devices)
    draw = ax.step if info.integer else ax.plot
    extra = {"where": "mid"} if info.integer else {}
    if kind == "totals":
        for m in MODELS:
            draw(curve["value"], curve[m], color=COLORS[m], lw=2, label=MODEL_LABELS[m], **extra)
        ax.set_ylabel("Expected total cost per year")
    else:
        draw(
            curve["value"], curve["savings"], color=COLORS["savings"], lw=2, label="Savings (Break/Fix - MSP)", **extra
        )
        ax.axhline(0, color="black", lw=1)
        ax.set_ylabel("Expected savings of the MSP per year")
    ax.axvline(
        x0, color=COLORS["neutral"], ls=":", lw=1.5, label=mathtext_safe(f"today: {value_label(x0, info.unit, sym)}")
    )
    label = _label(parameter)
    if be is not None:
        xb = be.continuous_value
        yb = (be.break_fix_total + be.msp_total) / 2 if kind == "totals" else 0.0
        if info.integer:
            yb = np.interp(xb, curve["value"], curve[["break_fix", "msp"]].mean(axis=1)) if kind == "totals" else 0.0
        ax.axvline(xb, color="black", ls="--", lw=1)
        ax.plot([xb], [yb], "o", color="black", zorder=5)
        ax.annotate(
            "break-even", (xb, yb), xytext=(6, 8), textcoords="offset points", fontsize="small", fontweight="bold"
        )
        if info.integer:
            where = (
                f"from {value_label(be.value, info.unit, sym)} up"
                if be.msp_cheaper == "above"
                else (f"below {value_label(be.value, info.unit, sym)}")
            )
        else:
            where = f"{be.msp_cheaper} {value_label(be.value, info.unit, sym)}"
        ax.set_title(mathtext_safe(f"The MSP is cheaper {where} (today {value_label(x0, info.unit, sym)})"))
    else:
        who = "the MSP" if err.savings_low > 0 else "Break/Fix"
        ax.set_title(
            mathtext_safe(
                f"No break-even between {value_label(err.low, info.unit, sym)} and "
                f"{value_label(err.high, info.unit, sym)}: {who} is cheaper throughout"
            )
        )
    ax.set_xlabel(f"{_short(label, 70)} ({info.unit})")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    if info.unit.startswith("currency"):
        ax.xaxis.set_major_formatter(money_formatter(sym))
    ax.legend()
    return ax


def plot_projection(result, ax=None, band: bool = True):
    """Cumulative expected cost of both models by year, with the simulated P5-P95 band.

    ``result`` is a :class:`msp_analysis.decisions.projection.Projection`; the year the
    MSP's running total falls below Break/Fix's is marked.
    """
    ax = _axes(ax)
    sym = result.symbol
    t = result.table
    for m in MODELS:
        r = t[t["model"] == m]
        ax.plot(r["year"], r["cumulative_total"], "o-", color=COLORS[m], lw=2, label=f"{MODEL_LABELS[m]} (expected)")
        if band:
            # Light fill with a dashed edge in the model's colour: where the two
            # bands overlap their fills mix to a grey that would read as a third
            # series, and the edges say whose band ends where.
            ax.fill_between(
                r["year"],
                r["sim_cumulative_p5"],
                r["sim_cumulative_p95"],
                facecolor=mpl.colors.to_rgba(COLORS[m], 0.12),
                edgecolor=mpl.colors.to_rgba(COLORS[m], 0.8),
                linestyle="--",
                lw=1,
                label=f"{MODEL_LABELS[m]}: 90% of simulated paths",
            )
    payback = result.payback_year
    if payback is not None:
        ax.axvline(payback, color=COLORS["neutral"], ls=":", lw=1.5)
    ax.set_title(_projection_title(result))
    ax.set_xticks(list(range(1, result.years + 1)))
    ax.set_xlabel("Year")
    ax.set_ylabel("Cumulative total cost")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return ax


def _projection_title(result) -> str:
    """The finding of :func:`plot_projection`: the saving over the whole term and the payback year."""
    sym = result.symbol
    payback = result.payback_year
    # The last year's expected cumulative saving (what summary() reports, without building it).
    last = result.table[result.table["year"] == result.years].set_index("model")["cumulative_total"]
    total = float(last["break_fix"] - last["msp"])
    n = result.years
    if total > 0:
        title = f"Over {n} year{'s' if n > 1 else ''} the MSP saves {money_compact(total, sym)} (expected)"
        title += f"; cheaper from year {payback}" if payback is not None else ""
    else:
        title = f"Over {n} year{'s' if n > 1 else ''} Break/Fix costs {money_compact(-total, sym)} less (expected)"
    return mathtext_safe(title)


def plot_monthly_fee_bands(monthly, ax=None, lower: float = 0.05, upper: float = 0.95):
    """Monthly fees of both models by month: median line and the P5-P95 band.

    ``monthly`` is a :class:`msp_analysis.decisions.budget.MonthlyFees`.
    """
    ax = _axes(ax)
    sym = monthly.symbol
    bands = monthly.bands(lower, upper)
    lo_col, hi_col = bands.columns[-3], bands.columns[-1]
    for m in MODELS:
        b = bands[bands["model"] == m]
        ax.fill_between(b["month"], b[lo_col], b[hi_col], step="mid", color=COLORS[m], alpha=0.25, lw=0)
        ax.step(b["month"], b["p50"], where="mid", color=COLORS[m], lw=2, label=f"{MODEL_LABELS[m]} (median, P5-P95)")
    # The title describes an ordinary month: the onboarding month is left out.
    first = 1 if monthly.onboarding_fee > 0 and monthly.months > 1 else 0
    spread = {}
    for m in MODELS:
        v = monthly.fees[m][:, first:]
        spread[m] = np.quantile(v, [lower, upper])
    ax.set_title(
        mathtext_safe(
            f"Break/Fix bills {money_compact(spread['break_fix'][0], sym)}–{money_compact(spread['break_fix'][1], sym)} a month, "
            f"the MSP {money_compact(spread['msp'][0], sym)}–{money_compact(spread['msp'][1], sym)} (90% of months)"
        )
    )
    if monthly.onboarding_fee > 0:
        ax.annotate(
            mathtext_safe(f"onboarding {money_compact(monthly.onboarding_fee, sym)}"),
            (1, float(bands[(bands["model"] == "msp") & (bands["month"] == 1)]["p50"].iloc[0])),
            xytext=(10, 12),
            textcoords="offset points",
            va="bottom",
            fontsize="small",
            color=COLORS["msp"],
        )
    ax.set_xlabel("Month")
    ax.set_ylabel("Fees invoiced in the month")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right")
    return ax


def plot_scorecard(table, ax=None):
    """Scores of both models by dimension (0-10), judgments hatched, weighted totals in the title.

    ``table`` is the frame :func:`msp_analysis.decisions.scorecard.scorecard` returns.
    """
    dims = table.drop(index="total", errors="ignore")
    ax = _axes(ax, (8.5, 0.55 * len(dims) + 2))
    y = np.arange(len(dims))[::-1]
    h = 0.38
    for k, m in enumerate(MODELS):
        offset = h / 2 if k == 0 else -h / 2
        for yi, (_, r) in zip(y, dims.iterrows()):
            judged = r["basis"] == "judgment"
            ax.barh(
                yi + offset,
                float(r[m]),
                height=h,
                color=COLORS[m],
                alpha=0.55 if judged else 0.95,
                hatch="//" if judged else None,
                edgecolor="white",
            )
            ax.annotate(
                f"{float(r[m]):.1f}",
                (float(r[m]), yi + offset),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize="small",
            )
    labels = [f"{r['label']} ({r['weight_share']:.0%})" for _, r in dims.iterrows()]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 10.8)
    ax.set_xlabel("Score (0-10; weight share in brackets)")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=COLORS["break_fix"], label=MODEL_LABELS["break_fix"]),
            Patch(color=COLORS["msp"], label=MODEL_LABELS["msp"]),
            Patch(facecolor="0.6", hatch="//", edgecolor="white", label="judgment"),
            Patch(facecolor="0.3", label="derived from the results"),
        ],
        loc="lower right",
        fontsize="small",
    )
    if "total" in table.index:
        bf, ms = float(table.loc["total", "break_fix"]), float(table.loc["total", "msp"])
    else:
        w = dims["weight"] / dims["weight"].sum()
        bf, ms = float((w * dims["break_fix"]).sum()), float((w * dims["msp"]).sum())
    lead = "MSP" if ms >= bf else "Break/Fix"
    ax.set_title(
        f"{lead} scores higher: MSP {ms:.1f}, Break/Fix {bf:.1f} of 10 (weighted)"
        if abs(ms - bf) >= 0.05
        else f"A tie: both score {ms:.1f} of 10 (weighted)"
    )
    ax.grid(axis="y", visible=False)
    return ax


# -- the notebook series: billing, response, incidents, downtime, budget, security -----------

__all__ += [
    "plot_billing_rule",
    "plot_budget_exceedance",
    "plot_column_distribution",
    "plot_fees_vs_headcount",
    "plot_fines_by_regime",
    "plot_incident_outcomes",
    "plot_response_times",
    "plot_security_rate",
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
_PRIORITY_NAMES = {"p1": "P1 site-wide", "p2": "P2 team / key system", "p3": "P3 one user", "p4": "P4 request"}


def _hours_text(h: float) -> str:
    """``30 min``, ``2 h``, ``1.5 h``."""
    if h < 1:
        return f"{h * 60:.0f} min"
    return f"{h:g} h" if float(h).is_integer() else f"{h:.1f} h"


def plot_billing_rule(scenario, ax=None, max_hours: float = 3.0):
    """What Break/Fix bills for one incident against the technician's actual work.

    Lines for remote work, on-site work (minimum, increments, trip fee) and
    on-site work after hours, against the grey line of the work itself at
    the on-site rate: the gap is what minimums, rounding and fees add.
    """
    from ..model.billing import billed_hours

    ax = _axes(ax)
    bf = scenario.break_fix
    sym = scenario.organization.currency_symbol
    work = np.linspace(0.0, max_hours, 1201)[1:]
    onsite = bf.hourly_rate * billed_hours(work, bf.onsite_minimum_hours, bf.billing_increment_hours) + bf.trip_fee
    remote = bf.remote_hourly_rate * billed_hours(work, bf.remote_minimum_hours, bf.billing_increment_hours)
    after = (
        bf.after_hours_multiplier
        * bf.hourly_rate
        * billed_hours(work, bf.onsite_minimum_hours, bf.billing_increment_hours)
        + bf.trip_fee
    )
    c = COLORS["break_fix"]
    ax.plot(work, after, color=c, lw=1.5, ls=":", label=f"On site, after hours (×{bf.after_hours_multiplier:g})")
    ax.plot(work, onsite, color=c, lw=2.5, label="On site, business hours")
    ax.plot(work, remote, color=c, lw=1.5, ls="--", label="Remote")
    ax.plot(work, bf.hourly_rate * work, color=COLORS["neutral"], lw=1, label="The work itself at the on-site rate")
    quarter = 0.25
    billed = float(
        bf.hourly_rate * billed_hours(np.array([quarter]), bf.onsite_minimum_hours, bf.billing_increment_hours)[0]
        + bf.trip_fee
    )
    ax.set_title(
        mathtext_safe(
            f"A 15-minute visit is billed {money_compact(billed, sym)}: "
            f"{_hours_text(max(bf.onsite_minimum_hours, quarter))} minimum + {money_compact(bf.trip_fee, sym)} trip fee"
        )
    )
    ax.set_xlabel("Technician's actual work on one incident (hours)")
    ax.set_ylabel("Billed for the incident")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.set_xlim(0, max_hours)
    ax.set_ylim(0, None)
    ax.legend(loc="upper left")
    return ax


def plot_response_times(scenario, ax=None):
    """Break/Fix waits (median to p90) against the MSP's SLA targets, by priority (log scale).

    The label of each priority gives how often a Break/Fix response would
    meet the MSP's target (:func:`msp_analysis.model.response.sla_attainment`).
    """
    from ..model.response import break_fix_response, expected_msp_response, sla_attainment

    ax = _axes(ax, (8, 4.5))
    from ..model.scenario import PRIORITIES

    attain = sla_attainment(scenario)
    msp = scenario.msp
    y = np.arange(len(PRIORITIES))[::-1]
    for yi, p in zip(y, PRIORITIES):
        g = break_fix_response(scenario, p)
        med, p90 = float(g.ppf(0.5)), float(g.ppf(0.9))
        ax.plot([med, p90], [yi + 0.15] * 2, color=COLORS["break_fix"], lw=6, solid_capstyle="butt", alpha=0.6)
        ax.plot([g.mean()], [yi + 0.15], "o", color=COLORS["break_fix"], ms=7)
        target = msp.sla_response_hours[p]
        ax.plot([target], [yi - 0.15], "|", color=COLORS["msp"], ms=18, mew=3)
        ax.plot([expected_msp_response(scenario, p)], [yi - 0.15], "o", color=COLORS["msp"], ms=7)
    labels = [f"{_PRIORITY_NAMES[p]}\nBreak/Fix within target: {attain[p]:.0%}" for p in PRIORITIES]
    ax.set_yticks(y, labels)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda h, _pos=None: _hours_text(h)))
    ax.set_xlabel("Business hours until a technician starts (log scale)")
    ax.plot([], [], color=COLORS["break_fix"], lw=6, alpha=0.6, label="Break/Fix wait: median to p90")
    ax.plot([], [], "o", color=COLORS["break_fix"], label="Break/Fix mean wait")
    ax.plot([], [], "|", color=COLORS["msp"], ms=12, mew=3, label=f"MSP SLA target (met {msp.sla_adherence:.0%})")
    ax.plot([], [], "o", color=COLORS["msp"], label="MSP mean wait")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", visible=False)
    ax.set_title(
        f"Break/Fix answers a P1 outage within the MSP's {_hours_text(msp.sla_response_hours['p1'])} "
        f"target in {attain['p1']:.0%} of calls"
    )
    return ax


def plot_incident_outcomes(scenario, ax=None):
    """What becomes of each priority's incidents: all reach users under Break/Fix; the MSP prevents or catches some.

    One pair of bars per priority, as shares of that priority's incidents
    (its expected number a year is written beside it), so rare site-wide
    outages read as clearly as frequent requests.
    """
    from ..model.incidents import CLASSES, incident_plan

    ax = _axes(ax, (8, 4.5))
    plans = incident_plan(scenario)
    idx = {c: i for i, c in enumerate(CLASSES)}
    q = np.array([p.class_probabilities for p in plans])
    prevented = q[:, idx["prevented"]]
    caught = q[:, idx["caught_in_scope"]] + q[:, idx["caught_out_of_scope"]]
    noticed = 1.0 - prevented - caught
    rate = np.array([p.rate for p in plans])
    y = np.arange(len(plans))[::-1] * 1.0
    h = 0.36
    ax.barh(y + h / 2, np.ones(len(plans)), h, color=COLORS["break_fix"], label="Break/Fix: reaches users")
    ax.barh(y - h / 2, noticed, h, color=COLORS["msp"], label="MSP: users notice")
    ax.barh(y - h / 2, caught, h, left=noticed, color="#56B4E9", label="MSP: fixed before users notice")
    ax.barh(
        y - h / 2,
        prevented,
        h,
        left=noticed + caught,
        color="white",
        edgecolor=COLORS["msp"],
        hatch="//",
        label="MSP: prevented",
    )
    for yi, r in zip(y, rate):
        ax.annotate(f"{r:,.1f} a year", (1.01, yi), va="center", fontsize="small", annotation_clip=False)
    ax.set_yticks(y, [_PRIORITY_NAMES[p.priority] for p in plans])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: f"{v:.0%}"))
    ax.set_xlabel("Share of the priority's incidents")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    ax.grid(axis="y", visible=False)
    n_prev, n_caught = float(rate @ prevented), float(rate @ caught)
    ax.set_title(
        f"Of {rate.sum():,.0f} incidents a year the MSP prevents {n_prev:,.0f} and quietly fixes {n_caught:,.0f}"
    )
    return ax


def _column_formatter(column: str, sym: str):
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


def plot_column_distribution(comparison, column: str = "downtime_hours", ax=None, bins: int = 60):
    """Overlaid histograms of any simulated column (hours, counts, money), means marked."""
    ax = _axes(ax)
    sym = _symbol(comparison)
    data = {m: comparison[m].trials[column].to_numpy() for m in MODELS}
    both = np.concatenate(list(data.values()))
    lo, hi = np.quantile(both, [0.001, 0.995])
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    for m, v in data.items():
        _histogram(ax, np.clip(v, lo, hi), edges, color=COLORS[m], alpha=0.55, label=MODEL_LABELS[m], density=True)
        ax.axvline(v.mean(), color=COLORS[m], lw=2, ls="--")
    name = _COLUMN_LABELS.get(column, column)
    means = {m: v.mean() for m, v in data.items()}
    ax.set_title(
        mathtext_safe(
            f"{name} in a year: Break/Fix {_column_text(column, means['break_fix'], sym)}, "
            f"MSP {_column_text(column, means['msp'], sym)} on average"
        )
    )
    ax.set_xlabel(f"{name} in a year (dashed: mean; tail beyond the 99.5th percentile clipped)")
    ax.set_yticks([])
    ax.set_ylabel("Share of simulated years")
    ax.xaxis.set_major_formatter(_column_formatter(column, sym))
    ax.legend()
    return ax


def plot_budget_exceedance(comparison, budget: float | None = None, ax=None, column: str = "fees"):
    """P(a year's ``column`` exceeds x) for both models, with a budget marked.

    The budget defaults to the expected MSP figure plus 10 %.
    """
    ax = _axes(ax)
    sym = _symbol(comparison)
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


def plot_fees_vs_headcount(scenarios, users, ax=None, reference: int | None = None):
    """Expected annual fees against headcount for several offers (pricing structures).

    ``scenarios`` maps a label to a scenario (e.g. the same MSP quoted per
    user, per device and hybrid); each is scaled to every headcount in
    ``users`` with its devices (:func:`msp_analysis.decisions.what_if.with_headcount`).
    The first scenario's Break/Fix fees are drawn too. ``reference`` marks
    today's headcount (default: the first scenario's).
    """
    from ..decisions.what_if import with_headcount
    from ..engine.expected import expected_components

    ax = _axes(ax)
    items = list(scenarios.items())
    first = items[0][1]
    sym = first.organization.currency_symbol
    users = np.asarray(list(users), dtype=int)
    styles = ["-", "--", "-.", ":"]
    at_ref = {}
    ref = first.organization.users if reference is None else int(reference)
    bf = [expected_components(with_headcount(first, int(u)))["break_fix"]["fees"] for u in users]
    ax.plot(users, bf, color=COLORS["break_fix"], lw=2.5, label="Break/Fix (expected hourly bills)")
    for i, (name, s) in enumerate(items):
        fees = [expected_components(with_headcount(s, int(u)))["msp"]["fees"] for u in users]
        ax.plot(users, fees, color=COLORS["msp"], lw=2, ls=styles[i % len(styles)], label=f"MSP {name}")
        at_ref[name] = expected_components(with_headcount(s, ref))["msp"]["fees"]
    ax.axvline(ref, color=COLORS["neutral"], lw=1, ls=":")
    cheapest = min(at_ref, key=at_ref.get)
    ax.set_title(
        mathtext_safe(
            f"At {ref} users the cheapest quote is {cheapest}: {money_compact(at_ref[cheapest], sym)} a year in fees"
        )
    )
    ax.set_xlabel("Users (workstations and servers scaled with them)")
    ax.set_ylabel("Expected fees per year")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.legend(loc="upper left")
    return ax


def plot_security_rate(scenario, ax=None, max_days: float = 120.0):
    """Costly security incidents a year against patch latency, both models marked."""
    from ..model.security import incident_rate

    ax = _axes(ax)
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


def plot_fines_by_regime(scenario, ax=None):
    """Expected annual security loss by compliance regime: direct cost, outage and fines, both models."""
    from ..model.scenario import REGIMES
    from ..model.security import security_profile

    ax = _axes(ax, (8, 4.5))
    sym = scenario.organization.currency_symbol
    parts = {"direct": "Direct cost", "outage": "Outage", "fines": "Fines"}
    shades = {"direct": 1.0, "outage": 0.6, "fines": 0.3}
    x = np.arange(len(REGIMES))
    w = 0.38
    totals = {}
    for k, m in enumerate(MODELS):
        bottom = np.zeros(len(REGIMES))
        for part in parts:
            vals = []
            for r in REGIMES:
                prof = security_profile(scenario.replace({"organization.compliance": r}), m)
                if part == "direct":
                    v = prof.rate * prof.severity.mean() * prof.severity_multiplier
                elif part == "outage":
                    v = prof.rate * prof.outage.mean() * prof.outage_cost_per_hour
                else:
                    v = prof.rate * prof.fine_probability * prof.fine.limited_mean(prof.fine_cap) if prof.fine else 0.0
                vals.append(v)
            vals = np.array(vals)
            ax.bar(
                x + (k - 0.5) * w,
                vals,
                w,
                bottom=bottom,
                color=COLORS[m],
                alpha=shades[part],
                edgecolor="white",
                label=f"{MODEL_LABELS[m]}: {parts[part].lower()}",
            )
            bottom += vals
        totals[m] = bottom
    ax.set_xticks(x, [r.upper() if r != "none" else "No regime" for r in REGIMES])
    ax.set_ylabel("Expected security loss per year")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    ax.grid(axis="x", visible=False)
    worst = int(np.argmax(totals["break_fix"]))
    ax.set_title(
        mathtext_safe(
            f"Fines weigh most under {REGIMES[worst].upper() if REGIMES[worst] != 'none' else 'no regime'}: "
            f"{money_compact(totals['break_fix'][worst], sym)} a year with Break/Fix, "
            f"{money_compact(totals['msp'][worst], sym)} with the MSP"
        )
    )
    return ax
