"""Charts of the decision tools: tornado, break-even, multi-year projection, monthly fees, scorecard, quotes.

Amounts on axes, labels and titles are compact (``$2.35M``,
:func:`msp_analysis.formatting.money_compact` and
:func:`msp_analysis.formatting.value_label`), in the scenario's currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from ...decisions.break_even import BreakEven, NoCrossingError, break_even, savings_curve
from ...decisions.budget import MonthlyFees
from ...decisions.projection import Projection
from ...decisions.what_if import with_headcount
from ...engine.expected import expected_components
from ...engine.simulation import MODEL_LABELS, MODELS
from ...formatting import field_label, mathtext_safe, money_compact, value_label
from ...model.scenario import FieldInfo, Scenario, field_info
from .style import COLORS, money_formatter, new_axes

__all__ = [
    "plot_break_even",
    "plot_fees_vs_headcount",
    "plot_monthly_fee_bands",
    "plot_projection",
    "plot_scorecard",
    "plot_tornado",
    "projection_title",
]


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- tornado ---------------------------------------------------------------------------------


def _tornado_legend(ax: Axes) -> None:
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


def plot_tornado(table: pd.DataFrame, ax: Axes | None = None, max_rows: int = 12, symbol: str | None = None) -> Axes:
    """Tornado chart of a :func:`msp_analysis.decisions.sensitivity.sensitivity` table.

    Each bar runs from today's expected savings to the savings with the
    parameter lowered (light) or raised (solid); blue where the change
    favours the MSP (savings rise), vermillion where it favours Break/Fix.
    The largest effect is at the top.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, sensitivity
    >>> table = sensitivity(sample_scenario(), ["msp.per_user_monthly", "break_fix.hourly_rate"])
    >>> print(plot_tornado(table, ax=Figure().add_subplot()).get_title())
    Price per user matters most: savings ...\\$... to \\$...
    """
    rows = table.head(max_rows).iloc[::-1]
    ax = new_axes(ax, (10, 0.45 * len(rows) + 1.8))
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
    _tornado_legend(ax)
    top = table.iloc[0]
    a, b = sorted((float(top["savings_low"]), float(top["savings_high"])))
    ax.set_title(
        mathtext_safe(
            f"{_short(str(top['label']), 60)} matters most: savings {money_compact(a, sym)} to {money_compact(b, sym)}"
        )
    )
    ax.grid(axis="y", visible=False)
    return ax


# -- break-even ------------------------------------------------------------------------------


def _break_even_range(
    scenario: Scenario, parameter: str, low: float | None, high: float | None, scale_devices: bool
) -> tuple[BreakEven | NoCrossingError, float, float]:
    """The break-even (or why there is none) and the range to plot: around today's value and the crossing."""
    x0 = float(scenario.get(parameter))
    found: BreakEven | NoCrossingError
    try:
        found = break_even(scenario, parameter, low, high, scale_devices=scale_devices)
        domain = found.search_range
    except NoCrossingError as e:
        found, domain = e, (e.low, e.high)
    if low is not None and high is not None:
        return found, float(low), float(high)
    anchors = [x0] + ([found.continuous_value] if isinstance(found, BreakEven) else [])
    a, b = min(anchors), max(anchors)
    pad = 0.6 * (b - a) if b > a else 0.5 * max(abs(x0), 1.0)
    lo = max(domain[0], a - pad) if low is None else float(low)
    hi = min(domain[1], b + pad) if high is None else float(high)
    if isinstance(found, NoCrossingError) and not lo < hi:
        lo, hi = domain
    return found, lo, hi


def _mark_break_even(ax: Axes, be: BreakEven, curve: pd.DataFrame, kind: str, integer: bool) -> None:
    """The crossing as a dashed line and a labelled dot (on the curves, or on zero savings)."""
    xb = be.continuous_value
    yb = (be.break_fix_total + be.msp_total) / 2 if kind == "totals" else 0.0
    if integer and kind == "totals":
        yb = np.interp(xb, curve["value"], curve[["break_fix", "msp"]].mean(axis=1))
    ax.axvline(xb, color="black", ls="--", lw=1)
    ax.plot([xb], [yb], "o", color="black", zorder=5)
    ax.annotate("break-even", (xb, yb), xytext=(6, 8), textcoords="offset points", fontsize="small", fontweight="bold")


def _break_even_title(found: BreakEven | NoCrossingError, x0: float, info: FieldInfo, sym: str) -> str:
    """Where the MSP is cheaper (today's value beside it), or that the totals do not cross in the range."""
    if isinstance(found, NoCrossingError):
        who = "the MSP" if found.savings_low > 0 else "Break/Fix"
        return mathtext_safe(
            f"No break-even between {value_label(found.low, info.unit, sym)} and "
            f"{value_label(found.high, info.unit, sym)}: {who} is cheaper throughout"
        )
    at = value_label(found.value, info.unit, sym)
    if info.integer:
        where = f"from {at} up" if found.msp_cheaper == "above" else f"below {at}"
    else:
        where = f"{found.msp_cheaper} {at}"
    return mathtext_safe(f"The MSP is cheaper {where} (today {value_label(x0, info.unit, sym)})")


def plot_break_even(
    scenario: Scenario,
    parameter: str,
    ax: Axes | None = None,
    low: float | None = None,
    high: float | None = None,
    *,
    kind: str = "totals",
    points: int = 81,
    scale_devices: bool = True,
) -> Axes:
    """Expected totals (or savings) of both models against one parameter, crossing marked.

    ``kind="totals"`` draws both expected totals; ``kind="savings"`` draws
    Break/Fix minus MSP. ``low``/``high`` set the plotted range (default:
    around today's value and the break-even). The break-even comes from
    :func:`msp_analysis.decisions.break_even.break_even`; when there is none, the title
    says so.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> ax = plot_break_even(sample_scenario(), "msp.per_user_monthly", ax=Figure().add_subplot())
    >>> print(ax.get_title())
    The MSP is cheaper below \\$... per user per month (today \\$125 per user per month)
    """
    if kind not in ("totals", "savings"):
        raise ValueError(f"kind: got {kind!r}, expected 'totals' or 'savings'")
    ax = new_axes(ax)
    sym = scenario.organization.currency_symbol
    info = field_info(parameter)
    x0 = float(scenario.get(parameter))
    found, lo, hi = _break_even_range(scenario, parameter, low, high, scale_devices)
    grid = np.linspace(lo, hi, points)
    if info.integer:
        grid = np.unique(np.floor(grid + 0.5)).astype(int)
    curve = savings_curve(scenario, parameter, grid, scale_devices=scale_devices)

    def draw(y: pd.Series, color: str, label: str) -> None:
        # A whole-number parameter (users, devices) moves in steps: the curve does too.
        if info.integer:
            ax.step(curve["value"], y, where="mid", color=color, lw=2, label=label)
        else:
            ax.plot(curve["value"], y, color=color, lw=2, label=label)

    if kind == "totals":
        for m in MODELS:
            draw(curve[m], COLORS[m], MODEL_LABELS[m])
        ax.set_ylabel("Expected total cost per year")
    else:
        draw(curve["savings"], COLORS["savings"], "Savings (Break/Fix - MSP)")
        ax.axhline(0, color="black", lw=1)
        ax.set_ylabel("Expected savings of the MSP per year")
    ax.axvline(
        x0, color=COLORS["neutral"], ls=":", lw=1.5, label=mathtext_safe(f"today: {value_label(x0, info.unit, sym)}")
    )
    if isinstance(found, BreakEven):
        _mark_break_even(ax, found, curve, kind, info.integer)
    ax.set_title(_break_even_title(found, x0, info, sym))
    ax.set_xlabel(f"{_short(field_label(parameter), 70)} ({info.unit})")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    if info.unit.startswith("currency"):
        ax.xaxis.set_major_formatter(money_formatter(sym))
    ax.legend()
    return ax


# -- over time: projection and monthly fees --------------------------------------------------


def plot_projection(result: Projection, ax: Axes | None = None, band: bool = True) -> Axes:
    """Cumulative expected cost of both models by year, with the simulated P5-P95 band.

    ``result`` is a :class:`msp_analysis.decisions.projection.Projection`; the year the
    MSP's running total falls below Break/Fix's is marked.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import project, sample_scenario
    >>> result = project(sample_scenario(), years=3, trials=200, seed=1)
    >>> print(plot_projection(result, ax=Figure().add_subplot()).get_title())
    Over 3 years the MSP saves \\$... (expected); cheaper from year 1
    """
    ax = new_axes(ax)
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
    ax.set_title(projection_title(result))
    ax.set_xticks(list(range(1, result.years + 1)))
    ax.set_xlabel("Year")
    ax.set_ylabel("Cumulative total cost")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.set_ylim(bottom=0)
    # Beside the axes, not inside: in the upper left it sat on Break/Fix's band.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax


def projection_title(result: Projection) -> str:
    """The finding of :func:`plot_projection`: the saving over the whole term and the payback year.

    Examples
    --------
    >>> from msp_analysis import project, sample_scenario
    >>> print(projection_title(project(sample_scenario(), years=1, trials=100, seed=1)))
    Over 1 year the MSP saves \\$... (expected); cheaper from year 1
    """
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


def plot_monthly_fee_bands(
    monthly: MonthlyFees, ax: Axes | None = None, lower: float = 0.05, upper: float = 0.95
) -> Axes:
    """Monthly fees of both models by month: median line and the P5-P95 band.

    ``monthly`` is a :class:`msp_analysis.decisions.budget.MonthlyFees`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import monthly_fees, sample_scenario
    >>> m = monthly_fees(sample_scenario(), months=12, trials=200, seed=1)
    >>> print(plot_monthly_fee_bands(m, ax=Figure().add_subplot()).get_title())
    Break/Fix bills \\$...–\\$... a month, the MSP \\$...–\\$... (90% of months)
    """
    ax = new_axes(ax)
    sym = monthly.symbol
    bands = monthly.bands(lower, upper)
    lo_col, hi_col = bands.columns[-3], bands.columns[-1]
    for m in MODELS:
        b = bands[bands["model"] == m]
        ax.fill_between(b["month"], b[lo_col], b[hi_col], step="mid", color=COLORS[m], alpha=0.25, lw=0)
        ax.step(b["month"], b["p50"], where="mid", color=COLORS[m], lw=2, label=f"{MODEL_LABELS[m]} (median, P5-P95)")
    # The title describes an ordinary month: the onboarding month is left out.
    first = 1 if monthly.onboarding_fee > 0 and monthly.months > 1 else 0
    spread = {m: np.quantile(monthly.fees[m][:, first:], [lower, upper]) for m in MODELS}
    bf, msp = ([money_compact(v, sym) for v in spread[m]] for m in ("break_fix", "msp"))
    ax.set_title(mathtext_safe(f"Break/Fix bills {bf[0]}–{bf[1]} a month, the MSP {msp[0]}–{msp[1]} (90% of months)"))
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


# -- scorecard and quotes --------------------------------------------------------------------


def _scorecard_legend(ax: Axes) -> None:
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


def plot_scorecard(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Scores of both models by dimension (0-10), judgments hatched, those not yet judged named, totals in the title.

    ``table`` is the frame :func:`msp_analysis.decisions.scorecard.scorecard` returns.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario, scorecard, simulate
    >>> table = scorecard(simulate(sample_scenario(), trials=300, seed=1))
    >>> plot_scorecard(table, ax=Figure().add_subplot()).get_title()
    'MSP scores higher: MSP ... Break/Fix ... of 10 (weighted)'
    """
    dims = table.drop(index="total", errors="ignore")
    ax = new_axes(ax, (8.5, 0.55 * len(dims) + 2))
    y = np.arange(len(dims))[::-1]
    h = 0.38
    for k, m in enumerate(MODELS):
        offset = h / 2 if k == 0 else -h / 2
        for yi, (_, r) in zip(y, dims.iterrows()):
            judged = r["basis"] == "judgment"
            if r["basis"] == "not yet judged":  # no score yet: say so instead of drawing a bar
                if k == 0:
                    ax.annotate("not yet judged", (0.1, yi), va="center", fontsize="small", color="0.4")
                continue
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
    labels = [
        f"{r['label']} ({'not yet judged' if r['basis'] == 'not yet judged' else format(r['weight_share'], '.0%')})"
        for _, r in dims.iterrows()
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 10.8)
    ax.set_xlabel("Score (0-10; weight share in brackets)")
    _scorecard_legend(ax)
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


def plot_fees_vs_headcount(
    scenarios: Mapping[str, Scenario], users: Iterable[int], ax: Axes | None = None, reference: int | None = None
) -> Axes:
    """Expected annual fees against headcount for several offers (pricing structures).

    ``scenarios`` maps a label to a scenario (e.g. the same MSP quoted per
    user, per device and hybrid); each is scaled to every headcount in
    ``users`` with its devices (:func:`msp_analysis.decisions.what_if.with_headcount`).
    The first scenario's Break/Fix fees are drawn too. ``reference`` marks
    today's headcount (default: the first scenario's).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> quotes = {"per user": s, "dearer": s.replace({"msp.per_user_monthly": 200})}
    >>> print(plot_fees_vs_headcount(quotes, range(10, 101, 10), ax=Figure().add_subplot()).get_title())
    At 45 users the cheapest quote is per user: \\$... a year in fees
    """
    ax = new_axes(ax)
    items = list(scenarios.items())
    first = items[0][1]
    sym = first.organization.currency_symbol
    counts = np.asarray(list(users), dtype=int)
    styles = ["-", "--", "-.", ":"]
    at_ref = {}
    ref = first.organization.users if reference is None else int(reference)
    bf = [expected_components(with_headcount(first, int(u)))["break_fix"]["fees"] for u in counts]
    ax.plot(counts, bf, color=COLORS["break_fix"], lw=2.5, label="Break/Fix (expected hourly bills)")
    for i, (name, s) in enumerate(items):
        fees = [expected_components(with_headcount(s, int(u)))["msp"]["fees"] for u in counts]
        ax.plot(counts, fees, color=COLORS["msp"], lw=2, ls=styles[i % len(styles)], label=f"MSP {name}")
        at_ref[name] = expected_components(with_headcount(s, ref))["msp"]["fees"]
    ax.axvline(ref, color=COLORS["neutral"], lw=1, ls=":")
    cheapest = min(at_ref, key=at_ref.__getitem__)
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
