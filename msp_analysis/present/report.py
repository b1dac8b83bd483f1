"""A leave-behind report: self-contained HTML, an editable PowerPoint deck, a PDF.

:func:`build_report` runs the comparison for one scenario and writes, into a
folder, the same content in up to three formats:

- ``html``: one file that opens anywhere, offline, and forwards by e-mail:
  charts embedded as base64 PNG data URIs, CSS inline, no link, script or
  font fetched from anywhere (tested by scanning the file);
- ``pptx``: an editable deck (python-pptx): title, headline figures, one
  slide per chart (charts as pictures), assumptions and sources, method
  notes;
- ``pdf``: the same pages drawn with matplotlib's ``PdfPages`` (no system
  package needed).

The headline figures and the four charts are the dashboard's
(:mod:`msp_analysis.present.dashboard`), computed by the same functions here, so what
the client saw in the meeting is what they take away.

Examples
--------
>>> import tempfile
>>> from msp_analysis import sample_scenario
>>> from msp_analysis.present.report import build_report
>>> with tempfile.TemporaryDirectory() as out:
...     paths = build_report(sample_scenario(), out, trials=500, seed=1, formats=("html",))
...     [p.suffix for p in paths]
['.html']
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import html
import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..engine.expected import expected_components
from ..engine.simulation import COLUMNS, COST_COLUMNS, MODEL_LABELS, MODELS, Comparison, simulate
from ..formatting import assumption_label, format_value, mathtext_safe, money, money_compact, percent, slugify
from ..model.defaults import assumptions
from ..model.scenario import Scenario, field_info
from .plotting import (
    COMPONENT_LABELS,
    _exceedance_label,
    apply_style,
    plot_cost_breakdown,
    plot_loss_exceedance,
    plot_projection,
    plot_total_cost_distribution,
)

__all__ = [
    "CHARTS",
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "FORMATS",
    "KEY_ASSUMPTIONS",
    "Headline",
    "assumption_rows",
    "build_report",
    "chart_png",
    "chart_title",
    "draw_chart",
    "exceedance_labels",
    "format_value",
    "headline",
    "method_notes",
    "projection_for",
    "slugify",
]

#: Simulated years behind a report: tails (P5, P95, the loss curve) settle at this size.
DEFAULT_TRIALS = 10_000
#: Fixed seed: the same scenario gives the same report, figure for figure.
DEFAULT_SEED = 2024
FORMATS = ("html", "pptx", "pdf")

#: The four charts, in the order they are shown, with a neutral heading each
#: (the chart's own title states the finding).
CHARTS = ("distribution", "breakdown", "exceedance", "projection")
CHART_HEADINGS = {
    "distribution": "What a year costs under each model",
    "breakdown": "Where the money goes",
    "exceedance": "Security: how bad can a year get",
    "projection": "Cumulative cost over the contract",
}
CHART_ALT = {
    "distribution": "Histogram of the simulated annual total cost of Break/Fix and of the MSP",
    "breakdown": "Stacked bars of expected annual cost by component for both models",
    "exceedance": "Loss exceedance curves of annual security losses, log scales",
    "projection": "Cumulative expected cost of both models year by year",
}

#: The assumptions a client asks about; every field that differs from the
#: sample default (the client's own numbers) is shown as well.
KEY_ASSUMPTIONS = (
    "organization.users",
    "organization.workstations",
    "organization.servers",
    "organization.loaded_hourly_cost",
    "organization.it_dependency",
    "organization.revenue_per_outage_hour",
    "organization.compliance",
    "break_fix.hourly_rate",
    "break_fix.remote_hourly_rate",
    "break_fix.onsite_minimum_hours",
    "break_fix.trip_fee",
    "break_fix.after_hours_multiplier",
    "break_fix.patch_latency_days",
    "msp.per_user_monthly",
    "msp.per_workstation_monthly",
    "msp.per_server_monthly",
    "msp.monthly_minimum",
    "msp.onboarding_fee",
    "msp.term_months",
    "msp.sla_adherence",
    "msp.patch_latency_days",
    "msp.monitoring_coverage",
    "security.base_rate_per_user_year",
    "security.severity_median",
    "security.severity_p90",
)

_SECTION_NAMES = {
    "organization": "Your organisation",
    "incidents": "Incidents",
    "break_fix": "Break/Fix offer",
    "msp": "MSP offer",
    "security": "Security",
}


# -- headline figures -----------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The figures a client asks for first, for one scenario.

    Expected values are exact (:func:`msp_analysis.engine.expected.expected_components`);
    ranges and probabilities come from the simulation.

    Attributes
    ----------
    total : dict
        Expected annual total cost per model.
    savings, savings_p5, savings_p95 : float
        Expected yearly saving with the MSP (Break/Fix minus MSP; negative:
        the MSP costs more) and the 5th and 95th percentiles of the
        simulated per-year saving.
    prob_msp_cheaper : float
        Share of simulated years in which the MSP's total is lower.
    downtime_hours_avoided : float
        Expected user-hours of downtime a year (incidents and security
        outages) the MSP avoids.
    security_loss : dict
        Expected annual security loss per model.
    budget : float
        An annual budget for the IT support bill (fees).
    prob_over_budget : dict
        Share of simulated years whose fees exceed ``budget``, per model.
    level : float
        Risk appetite: a "bad year" is the ``level`` quantile of total cost.
    bad_year : dict
        That quantile per model.
    symbol : str
        Currency symbol.
    trials : int
        Simulated years behind the ranges and probabilities.
    """

    total: dict
    savings: float
    savings_p5: float
    savings_p95: float
    prob_msp_cheaper: float
    downtime_hours_avoided: float
    security_loss: dict
    budget: float
    prob_over_budget: dict
    level: float
    bad_year: dict
    symbol: str
    trials: int

    def rows(self) -> list[tuple[str, str]]:
        """``(label, formatted value)`` pairs, in the order a report shows them."""
        s = self.symbol
        saves = "saves" if self.savings >= 0 else "costs"
        return [
            (
                "Expected annual total cost",
                f"Break/Fix {money(self.total['break_fix'], s)} · MSP {money(self.total['msp'], s)}",
            ),
            (
                "Expected saving with the MSP",
                f"The MSP {saves} {money(abs(self.savings), s)} a year "
                f"(90% of years: {money(self.savings_p5, s)} to {money(self.savings_p95, s)})",
            ),
            ("Chance the MSP is cheaper in a given year", percent(self.prob_msp_cheaper)),
            ("Downtime avoided with the MSP", f"{self.downtime_hours_avoided:,.0f} user-hours a year"),
            (
                "Expected annual security loss",
                f"Break/Fix {money(self.security_loss['break_fix'], s)} · MSP {money(self.security_loss['msp'], s)}",
            ),
            (
                f"Chance the IT bill exceeds a budget of {money(self.budget, s)}",
                f"Break/Fix {percent(self.prob_over_budget['break_fix'])} · "
                f"MSP {percent(self.prob_over_budget['msp'])}",
            ),
            (
                f"A bad year ({bad_year_words(self.level)})",
                f"Break/Fix {money(self.bad_year['break_fix'], s)} · MSP {money(self.bad_year['msp'], s)}",
            ),
        ]


def bad_year_words(level: float) -> str:
    """``0.95`` -> ``'1 year in 20, P95'``.

    Examples
    --------
    >>> bad_year_words(0.9), bad_year_words(0.99)
    ('1 year in 10, P90', '1 year in 100, P99')
    """
    return f"1 year in {round(1 / (1 - level)):,}, P{level * 100:g}"


def default_budget(expected_fees: Mapping[str, float]) -> float:
    """A starting budget for the IT bill: Break/Fix's expected fees plus 10%, rounded up.

    Rounded up to two significant figures, so the control starts on a round number.

    Examples
    --------
    >>> default_budget({"break_fix": 44_605.3, "msp": 75_143.3})
    50000.0
    """
    x = 1.1 * float(expected_fees["break_fix"])
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return float(math.ceil(x / step) * step)


def headline(
    comparison: Comparison,
    expected: Mapping[str, Mapping[str, float]] | None = None,
    budget: float | None = None,
    level: float = 0.95,
) -> Headline:
    """The headline figures of a comparison.

    Parameters
    ----------
    comparison : Comparison
        A simulation (:func:`msp_analysis.simulate`).
    expected : dict, optional
        ``expected_components(comparison.scenario)``, if already computed.
    budget : float, optional
        Annual budget for fees; default :func:`default_budget`.
    level : float
        Risk appetite: the quantile of total cost called "a bad year".

    Examples
    --------
    >>> from msp_analysis import sample_scenario, simulate
    >>> h = headline(simulate(sample_scenario(), trials=1_000, seed=1))
    >>> h.total["break_fix"] > h.total["msp"], 0 <= h.prob_msp_cheaper <= 1
    (True, True)
    """
    exp = expected if expected is not None else expected_components(comparison.scenario)
    if budget is None:
        budget = default_budget({m: exp[m]["fees"] for m in MODELS})
    savings = comparison.savings.to_numpy()
    p5, p95 = np.quantile(savings, [0.05, 0.95])
    trials = {m: comparison[m].trials for m in MODELS}

    def downtime(m):
        return exp[m]["downtime_hours"] + exp[m]["security_downtime_hours"]

    return Headline(
        total={m: float(exp[m]["total_cost"]) for m in MODELS},
        savings=float(exp["break_fix"]["total_cost"] - exp["msp"]["total_cost"]),
        savings_p5=float(p5),
        savings_p95=float(p95),
        prob_msp_cheaper=comparison.prob_msp_cheaper,
        downtime_hours_avoided=float(downtime("break_fix") - downtime("msp")),
        security_loss={m: float(exp[m]["security_loss"]) for m in MODELS},
        budget=float(budget),
        prob_over_budget={m: float((trials[m]["fees"].to_numpy() > budget).mean()) for m in MODELS},
        level=level,
        bad_year={m: float(np.quantile(trials[m]["total_cost"].to_numpy(), level)) for m in MODELS},
        symbol=comparison.scenario.organization.currency_symbol,
        trials=comparison.n_trials,
    )


# -- multi-year view --------------------------------------------------------------


def projection_for(scenario: Scenario, years: int = 3, trials: int = 2_000, seed=DEFAULT_SEED):
    """The multi-year view of the report and the dashboard.

    :func:`msp_analysis.decisions.projection.project` with today's headcount, each
    side's escalator from the scenario and the onboarding fee paid in year
    one; ``trials`` simulated paths give the chart's band.
    """
    from ..decisions.projection import project

    return project(scenario, years=years, trials=trials, seed=seed)


# -- charts ------------------------------------------------------------------------


def draw_chart(
    name: str,
    ax,
    comparison: Comparison,
    expected_table: pd.DataFrame,
    projection,
    bins: int = 40,
    title_width: int = 64,
):
    """Draw one of :data:`CHARTS` on ``ax`` with the library's plotting functions.

    ``projection`` is what :func:`projection_for` returns; ``bins`` is the
    histogram's (fewer draw faster). The title, which states the finding, is
    wrapped at ``title_width`` characters so that it fits the chart.
    """
    ax = _draw(name, ax, comparison, expected_table, projection, bins)
    ax.set_title(textwrap.fill(ax.get_title(), title_width))
    return ax


def chart_title(ax) -> str:
    """An axes' title as plain text (for slides and captions): escaped ``$`` back to ``$``."""
    return " ".join(ax.get_title().split()).replace(r"\$", "$")


def _draw(name, ax, comparison, expected_table, projection, bins):
    symbol = comparison.scenario.organization.currency_symbol
    if name == "distribution":
        ax = plot_total_cost_distribution(comparison, ax=ax, bins=bins)
        ax.set_title(_distribution_title(comparison, expected_table))
        return ax
    if name == "breakdown":
        ax = plot_cost_breakdown(expected_table, ax=ax, symbol=symbol)
        ax.set_title(_breakdown_title(expected_table, symbol))
        return ax
    if name == "exceedance":
        means = {m: expected_table.loc["security_loss", m] for m in MODELS}
        return plot_loss_exceedance(comparison, ax=ax, means=means)
    if name == "projection":
        return plot_projection(projection, ax=ax)
    raise ValueError(f"chart: got {name!r}, expected one of {CHARTS}")


def _distribution_title(comparison: Comparison, expected_table: pd.DataFrame) -> str:
    """The same finding as the library's title, with the exact averages the headline figures show.

    (The simulated ones differ by sampling error, and a client comparing the
    two numbers on one screen would ask why.)
    """
    symbol = comparison.scenario.organization.currency_symbol
    total = {m: float(expected_table.loc["total_cost", m]) for m in MODELS}
    cheaper = min(total, key=total.get)
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
    differs by sampling error (2,000 simulated years: $14,571 beside the
    headline's $16,887 for the sample's Break/Fix); on one screen a client
    would ask which is right.

    Examples
    --------
    >>> from msp_analysis import expected, sample_scenario
    >>> print(exceedance_labels(expected(sample_scenario()), "$")["break_fix"])  # $ escaped for matplotlib
    Break/Fix (mean \\$16,887)
    """
    return {m: _exceedance_label(m, float(expected_table.loc["security_loss", m]), symbol) for m in MODELS}


def _breakdown_title(expected_table: pd.DataFrame, symbol: str) -> str:
    """plotting.plot_cost_breakdown says "<component> make ..."; a client deck needs the verb to agree
    ("Downtime makes ...") and the amount."""
    diff = {c: expected_table.loc[c, "break_fix"] - expected_table.loc[c, "msp"] for c in COST_COLUMNS}
    big = max(diff, key=lambda c: abs(diff[c]))
    label = COMPONENT_LABELS[big]
    verb = "make" if label.endswith("s") else "makes"
    who = "Break/Fix" if diff[big] > 0 else "the MSP"
    return mathtext_safe(
        f"{label} {verb} the biggest difference: {money_compact(abs(diff[big]), symbol)} a year more with {who}"
    )


def expected_frame(comps: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """The :func:`msp_analysis.expected` frame from its plain-dict form."""
    frame = pd.DataFrame({m: pd.Series(comps[m]) for m in MODELS}).loc[list(COLUMNS)]
    frame.index.name = "column"
    return frame


def chart_png(fig: Figure, dpi: int = 150) -> bytes:
    """PNG bytes of a figure, without matplotlib's URL in the metadata (reports link nowhere)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _chart_figures(comparison, expected_table, projection, figsize=(10, 5.6)) -> dict[str, Figure]:
    # Figures are built without pyplot: nothing is registered globally or
    # shown by an inline backend, and they are freed with their last reference.
    figs = {}
    for name in CHARTS:
        fig = Figure(figsize=figsize, layout="constrained")
        draw_chart(name, fig.add_subplot(), comparison, expected_table, projection)
        figs[name] = fig
    return figs


# -- assumptions -----------------------------------------------------------------------


def assumption_rows(scenario: Scenario, paths: Iterable[str] | None = None, changed_too: bool = True) -> pd.DataFrame:
    """The assumptions to show a client, with sources; their own numbers marked.

    Parameters
    ----------
    scenario : Scenario
    paths : iterable of str, optional
        Fields to show (default :data:`KEY_ASSUMPTIONS`; ``scenario.paths()``
        for all of them).
    changed_too : bool
        Also show every field whose value differs from the sample default.

    Returns
    -------
    pandas.DataFrame
        Columns ``section``, ``path``, ``assumption``, ``value`` (formatted),
        ``yours`` (True where the value differs from the default, as in
        :func:`msp_analysis.scenario_assumptions`: the client's own number),
        ``source`` (publisher, title, year; or "assumption: <note>"; or
        "your figure (default ...)").

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> rows = assumption_rows(sample_scenario().replace({"msp.per_user_monthly": 99}))
    >>> row = rows.set_index("path").loc["msp.per_user_monthly"]
    >>> row["value"], bool(row["yours"])
    ('$99 per user per month', True)
    """
    sources = _sources()
    all_paths = scenario.paths()
    values = {p: scenario.get(p) for p in all_paths}
    changed = {p: _differs(values[p], sources[p][0] if p in sources else "") for p in all_paths}
    wanted = list(KEY_ASSUMPTIONS if paths is None else paths)
    if changed_too:
        wanted += [p for p in all_paths if changed[p]]
    order = {p: i for i, p in enumerate(all_paths)}
    wanted = sorted(dict.fromkeys(wanted), key=lambda p: order.get(p, len(order)))
    symbol = scenario.organization.currency_symbol
    rows = []
    for path in wanted:
        default, source, note = sources.get(path, ("", "", ""))
        if changed[path]:
            shown = _format_default(path, default, symbol)
            source = f"your figure (default {shown})" if shown else "your figure"
        elif source == "assumption":
            source = f"assumption: {note}" if note else "assumption"
        rows.append(
            {
                "section": _SECTION_NAMES[path.split(".")[0]],
                "path": path,
                "assumption": assumption_label(path),
                "value": format_value(path, values[path], symbol),
                "yours": changed[path],
                "source": source,
            }
        )
    return pd.DataFrame(rows, columns=["section", "path", "assumption", "value", "yours", "source"])


@functools.cache
def _sources() -> dict[str, tuple[str, str, str]]:
    """``{path: (default, source, note)}`` from the package's table of sources, read once.

    The dashboard asks on every control change; reading and indexing the CSV
    each time would cost more than the whole recomputation. The table ships
    inside the package, so it does not change while the process runs.
    """
    table = assumptions()
    return {r.path: (r.value, r.source, r.note) for r in table[["path", "value", "source", "note"]].itertuples()}


def _differs(value, default: str) -> bool:
    """The rule of :func:`msp_analysis.scenario_assumptions`: different text and a different number."""
    if str(value) == default:
        return False
    try:
        return float(value) != float(default)
    except (TypeError, ValueError):
        return True


def _format_default(path: str, default: str, symbol: str) -> str:
    if default == "":
        return ""
    info = field_info(path)
    if info.choices is not None or info.unit == "text":
        return default
    try:
        return format_value(path, float(default), symbol)
    except ValueError:
        return default


# -- method notes ------------------------------------------------------------------------


def method_notes(scenario: Scenario, trials: int, seed, years: int) -> list[str]:
    """What the figures rest on, in plain words (one paragraph per item)."""
    sec = scenario.security
    return [
        f"Each range and probability comes from {trials:,} simulated years (seed {seed}). In every simulated "
        "year both support models face the same incidents and the same attacks, so the saving and the chance "
        "that the MSP is cheaper compare like with like.",
        "Expected values (averages) in the headline figures are computed exactly from the model's formulas; "
        "the simulation supplies the spread: the P5-P95 range, probabilities, the histogram and the loss curve. "
        "Averages quoted in the charts are the exact ones too; the simulated years' own averages differ from them "
        "by sampling error.",
        "Total cost = fees + staff time spent on IT incidents and on managing the contract + downtime + "
        "security losses. Downtime is user-hours lost (waiting for help plus repair, times the users affected "
        "and how much of their IT is down), priced at the loaded cost of an hour times the share of work that "
        "needs IT, plus revenue lost during a full outage.",
        "Break/Fix bills each incident by the hour with minimum billable time, billing increments, trip fees "
        "and after-hours multipliers; users wait for a technician. The MSP charges fixed monthly fees, bills "
        "out-of-scope work by the hour, credits missed critical SLAs, meets its response targets most of the "
        "time, prevents some incidents and fixes some before users notice, patches faster and monitors.",
        "Security: costly incidents (not every phishing e-mail) arrive at random; their rate halves for every "
        f"{sec.patch_halving_days:g} days of faster patching (Marsh McLennan claims data, 2023) and rises, at "
        "most to double, with slower patching (an assumption), their cost is "
        "heavy-tailed (lognormal) and lower with monitoring (IBM, 2025), each stops the site for some hours and, "
        "under a compliance regime, can bring a fine.",
        f"Multi-year view: {years} years of expected cost with each side's yearly price escalator "
        f"(Break/Fix {scenario.break_fix.annual_escalator:.0%}, MSP {scenario.msp.annual_escalator:.0%}), the MSP "
        "onboarding fee paid in year one and headcount held at today's level; the band holds 90% of simulated "
        "paths.",
        "Every assumption carries its source (publisher, title, year) or is marked as an assumption with what "
        "it rests on; values marked 'your figure' are the client's own numbers. These are estimates for "
        "decision support, not a quote.",
    ]


# -- output formats ----------------------------------------------------------------------


@dataclass
class _Content:
    scenario: Scenario
    comparison: Comparison
    headline: Headline
    figures: dict[str, Figure]
    titles: dict[str, str]
    assumptions: pd.DataFrame
    all_assumptions: pd.DataFrame
    notes: list[str]
    date: _dt.date
    trials: int
    seed: object
    years: int

    @property
    def client(self) -> str:
        return self.scenario.organization.name


def _collect(scenario, trials, seed, years, date, budget, level) -> _Content:
    comparison = simulate(scenario, trials=trials, seed=seed)
    comps = expected_components(scenario)
    table = expected_frame(comps)
    projection = projection_for(scenario, years, trials=trials, seed=seed)
    figures = _chart_figures(comparison, table, projection)
    titles = {name: chart_title(fig.axes[0]) for name, fig in figures.items()}
    return _Content(
        scenario=scenario,
        comparison=comparison,
        headline=headline(comparison, comps, budget=budget, level=level),
        figures=figures,
        titles=titles,
        assumptions=assumption_rows(scenario),
        all_assumptions=assumption_rows(scenario, paths=scenario.paths()),
        notes=method_notes(scenario, trials, seed, years),
        date=date,
        trials=trials,
        seed=seed,
        years=years,
    )


_CSS = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 1100px; padding: 2em 2.5em; line-height: 1.45; }
h1 { font-size: 2em; margin: 0 0 0.2em 0; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 2px solid #eee; padding-bottom: 0.2em; }
.sub { color: #666; margin-top: 0; }
.bf { color: #D55E00; font-weight: 600; }
.msp { color: #0072B2; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { text-align: left; padding: 0.35em 0.6em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
th { background: #f6f6f6; }
table.headline td:first-child { width: 38%; color: #555; }
table.headline td:last-child { font-weight: 600; font-size: 1.08em; }
tr.yours td { background: #fff6d6; }
.tag { display: inline-block; background: #E69F00; color: #fff; border-radius: 3px; padding: 0 0.4em;
       font-size: 0.8em; font-weight: 600; }
figure { margin: 1em 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
details summary { cursor: pointer; color: #0072B2; margin-top: 1em; }
footer { margin-top: 3em; color: #888; font-size: 0.85em; }
@media print { body { padding: 0; } h2 { page-break-after: avoid; } figure { page-break-inside: avoid; } }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _headline_html(h: Headline) -> str:
    out = []
    for label, value in h.rows():
        value = _e(value).replace("Break/Fix", '<span class="bf">Break/Fix</span>')
        value = value.replace("MSP ", '<span class="msp">MSP</span> ', 1) if "·" in value else value
        out.append(f"<tr><td>{_e(label)}</td><td>{value}</td></tr>")
    return '<table class="headline">' + "".join(out) + "</table>"


def _assumptions_html(rows: pd.DataFrame) -> str:
    out = ["<table><tr><th>Section</th><th>Assumption</th><th>Value</th><th>Source</th></tr>"]
    for r in rows.itertuples(index=False):
        tag = ' <span class="tag">your figure</span>' if r.yours else ""
        cls = ' class="yours"' if r.yours else ""
        out.append(
            f"<tr{cls}><td>{_e(r.section)}</td><td>{_e(r.assumption)}</td>"
            f"<td>{_e(r.value)}{tag}</td><td>{_e(r.source)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _write_html(c: _Content, path: Path) -> Path:
    h = c.headline
    charts = []
    for name in CHARTS:
        data = base64.b64encode(chart_png(c.figures[name], dpi=110)).decode("ascii")
        charts.append(
            f"<h2>{_e(CHART_HEADINGS[name])}</h2><figure>"
            f'<img alt="{_e(CHART_ALT[name])}. {_e(c.titles[name])}" src="data:image/png;base64,{data}">'
            "</figure>"
        )
    n_yours = int(c.all_assumptions["yours"].sum())
    yours = (
        f"{n_yours} value{'s' if n_yours != 1 else ''} marked <span class='tag'>your figure</span> "
        "are your own numbers; every other value is a published figure or a stated assumption."
        if n_yours
        else "Every value is a published figure or a stated assumption (none was changed for you yet)."
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in c.notes)
    doc = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Break/Fix or MSP? {_e(c.client)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Break/Fix or MSP? {_e(c.client)}</h1>
<p class="sub">Prepared {_e(c.date.strftime("%d %B %Y"))} · {c.trials:,} simulated years · amounts in
{_e(c.scenario.organization.currency)} a year unless stated</p>
</header>
<h2>Headline figures</h2>
{_headline_html(h)}
{"".join(charts)}
<h2>Assumptions and sources</h2>
<p>{yours}</p>
{_assumptions_html(c.assumptions)}
<details><summary>All {len(c.all_assumptions)} assumptions</summary>
{_assumptions_html(c.all_assumptions)}
</details>
<h2>Method notes</h2>
<ul>{notes}</ul>
<footer>Generated by msp_analysis (Break/Fix vs MSP decision suite). Same scenario and seed, same figures.</footer>
</body>
</html>
"""
    path.write_text(doc, encoding="utf-8")
    return path


def _write_pptx(c: _Content, path: Path) -> Path:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title_layout, title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    width = prs.slide_width
    grey = RGBColor(0x55, 0x55, 0x55)

    def titled(text: str):
        slide = prs.slides.add_slide(title_only)
        slide.shapes.title.text = text
        tf = slide.shapes.title.text_frame
        for p in tf.paragraphs:
            for r in p.runs:
                r.font.size = Pt(30)
                r.font.bold = True
        slide.shapes.title.left, slide.shapes.title.top = Inches(0.5), Inches(0.3)
        slide.shapes.title.width, slide.shapes.title.height = width - Inches(1), Inches(1.0)
        return slide

    def table(slide, rows: Sequence[Sequence[str]], col_widths: Sequence[float], top=1.45, font=14, header=True):
        shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(0.5), Inches(top), width - Inches(1), Inches(1))
        tbl = shape.table
        for j, w in enumerate(col_widths):
            tbl.columns[j].width = Emu(int((width - Inches(1)) * w))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                cell = tbl.cell(i, j)
                cell.text = str(text)
                for p in cell.text_frame.paragraphs:
                    for r in p.runs:
                        r.font.size = Pt(font)
                        r.font.bold = header and i == 0
        return tbl

    # 1. title
    slide = prs.slides.add_slide(title_layout)
    slide.shapes.title.text = f"Break/Fix or MSP?\n{c.client}"
    for shape, top, height in ((slide.shapes.title, 2.0, 2.0), (slide.placeholders[1], 4.3, 1.2)):
        # The default template's layouts are laid out for 4:3; centre them on 16:9.
        shape.left, shape.width = Inches(0.75), width - Inches(1.5)
        shape.top, shape.height = Inches(top), Inches(height)
    slide.placeholders[1].text = (
        f"Prepared {c.date.strftime('%d %B %Y')} · {c.trials:,} simulated years · amounts in "
        f"{c.scenario.organization.currency} a year"
    )
    # 2. headline figures
    slide = titled("Headline figures")
    table(slide, [("Figure", "Value"), *c.headline.rows()], (0.42, 0.58), font=16)
    # 3-6. one slide per chart, the chart's finding as the title
    for name in CHARTS:
        slide = titled(c.titles[name])
        # The slide title carries the finding (editable); the picture drops
        # its own copy of it.
        ax = c.figures[name].axes[0]
        drawn = ax.get_title()
        ax.set_title("")
        png = io.BytesIO(chart_png(c.figures[name], dpi=150))
        ax.set_title(drawn)
        pic_h = Inches(5.55)
        pic = slide.shapes.add_picture(png, 0, Inches(1.45), height=pic_h)
        pic.left = int((width - pic.width) / 2)
        pic.name = f"chart: {name}"
        box = slide.shapes.add_textbox(Inches(0.5), Inches(7.05), width - Inches(1), Inches(0.35))
        box.text_frame.text = CHART_HEADINGS[name]
        box.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
        box.text_frame.paragraphs[0].runs[0].font.color.rgb = grey
    # assumptions and sources, 10 rows a slide (long sources wrap: the table must stay on the slide)
    rows = c.assumptions
    per = 10
    pages = max(1, math.ceil(len(rows) / per))
    for k in range(pages):
        part = rows.iloc[k * per : (k + 1) * per]
        suffix = f" ({k + 1} of {pages})" if pages > 1 else ""
        slide = titled(f"Assumptions and sources{suffix}")
        body = [("Assumption", "Value", "Source")] + [
            (f"{r.section}: {r.assumption}", r.value + ("  ★ your figure" if r.yours else ""), r.source)
            for r in part.itertuples(index=False)
        ]
        table(slide, body, (0.38, 0.22, 0.40), font=11)
    # method notes
    slide = titled("Method notes")
    box = slide.shapes.add_textbox(Inches(0.6), Inches(1.4), width - Inches(1.2), Inches(5.8))
    tf = box.text_frame
    tf.word_wrap = True
    for i, note in enumerate(c.notes):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = "• " + note
        p.space_after = Pt(4)
        for r in p.runs:
            r.font.size = Pt(14)
    prs.core_properties.title = f"Break/Fix or MSP? {c.client}"
    prs.core_properties.author = "msp_analysis"
    prs.save(path)
    return path


#: A4 landscape, inches; text pages of the PDF run from 6% to 94% of its width.
_PDF_SIZE = (11.69, 8.27)
_PDF_LEFT, _PDF_RIGHT = 0.06, 0.94


def _wrap_to_width(text: str, fontsize: float, weight: str = "normal", width_pt: float | None = None) -> str:
    """``text`` wrapped so that every line fits ``width_pt`` points, measured in the font it is drawn in.

    A fixed number of characters a line does not work: bold type is wider,
    and a line of it ran off the PDF's page.

    Examples
    --------
    >>> _wrap_to_width("a b c", 12, width_pt=1000)
    'a b c'
    >>> _wrap_to_width("word " * 40, 12, "bold", width_pt=200).count("\\n") > 3
    True
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    if width_pt is None:
        width_pt = (_PDF_RIGHT - _PDF_LEFT) * _PDF_SIZE[0] * 72
    prop = FontProperties(size=fontsize, weight=weight)

    def fits(line: str) -> bool:
        return text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] <= width_pt

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and not fits(candidate):
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def _write_pdf(c: _Content, path: Path) -> Path:
    from matplotlib.backends.backend_pdf import PdfPages

    size = _PDF_SIZE

    def text_page(title: str, lines: list[tuple[str, float, str]]):
        fig = Figure(figsize=size)
        # parse_math=False: amounts carry "$", which matplotlib would read as maths.
        fig.text(_PDF_LEFT, 0.92, title, fontsize=22, fontweight="bold", va="top", parse_math=False)
        y = 0.82
        for text, fontsize, weight in lines:
            wrapped = _wrap_to_width(text, fontsize, weight)
            fig.text(_PDF_LEFT, y, wrapped, fontsize=fontsize, fontweight=weight, va="top", parse_math=False)
            y -= (wrapped.count("\n") + 1) * fontsize * 1.45 / (size[1] * 72) + 0.012
        return fig

    meta = {"Title": f"Break/Fix or MSP? {c.client}", "Creator": "msp_analysis", "Producer": "msp_analysis"}
    with PdfPages(path, metadata=meta) as pdf:
        lines = [
            (
                f"Prepared {c.date.strftime('%d %B %Y')} · {c.trials:,} simulated years · amounts in "
                f"{c.scenario.organization.currency} a year",
                12,
                "normal",
            ),
            ("", 8, "normal"),
        ]
        for label, value in c.headline.rows():
            lines.append((label, 12, "normal"))
            lines.append((value, 15, "bold"))
        pdf.savefig(text_page(f"Break/Fix or MSP? {c.client}", lines))
        for name in CHARTS:
            fig = c.figures[name]
            original = fig.get_size_inches()
            fig.set_size_inches(*size)
            fig.suptitle(CHART_HEADINGS[name], fontsize=12, color="#555555")
            pdf.savefig(fig)
            fig.suptitle("")
            fig.set_size_inches(*original)
        rows = c.assumptions
        per = 18
        pages = max(1, math.ceil(len(rows) / per))
        for k in range(pages):
            part = rows.iloc[k * per : (k + 1) * per]
            lines = [
                # The client's own numbers in bold; their source already says "your figure".
                (f"{r.assumption}: {r.value}  ({r.source})", 10, "bold" if r.yours else "normal")
                for r in part.itertuples(index=False)
            ]
            suffix = f" ({k + 1} of {pages})" if pages > 1 else ""
            pdf.savefig(text_page(f"Assumptions and sources{suffix}", lines))
        pdf.savefig(text_page("Method notes", [(n, 12, "normal") for n in c.notes]))
    return path


_WRITERS = {"html": _write_html, "pptx": _write_pptx, "pdf": _write_pdf}


def build_report(
    scenario: Scenario,
    out_dir: str | Path,
    trials: int = DEFAULT_TRIALS,
    seed=DEFAULT_SEED,
    years: int = 3,
    formats: Iterable[str] = FORMATS,
    *,
    date: _dt.date | None = None,
    budget: float | None = None,
    level: float = 0.95,
    name: str | None = None,
) -> list[Path]:
    """Write the leave-behind report for ``scenario`` into ``out_dir``.

    Parameters
    ----------
    scenario : Scenario
        The client's scenario.
    out_dir : str or Path
        Folder to write into (created if missing).
    trials : int
        Simulated years (ranges, probabilities, the loss curve).
    seed : int, optional
        Seed of the simulation (SPEC 7): same scenario and seed, same report.
    years : int
        Contract years in the multi-year chart.
    formats : iterable of str
        Any of ``"html"``, ``"pptx"``, ``"pdf"``.
    date : datetime.date, optional
        Date printed on the report (default: today).
    budget, level : float, optional
        Budget for the IT bill and risk appetite in the headline figures
        (see :func:`headline`).
    name : str, optional
        File name stem (default: the client's name, slugified, plus
        ``-break-fix-vs-msp``).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    formats = [formats] if isinstance(formats, str) else list(formats)
    unknown = [f for f in formats if f not in _WRITERS]
    if unknown or not formats:
        raise ValueError(f"formats: got {formats!r}, expected one or more of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = name or f"{slugify(scenario.organization.name)}-break-fix-vs-msp"
    # The report is drawn in the suite's large style whatever the caller's
    # rcParams are, and the caller's settings are put back afterwards.
    import matplotlib as mpl

    with mpl.rc_context():
        apply_style(large=True)
        content = _collect(scenario, trials, seed, years, date or _dt.date.today(), budget, level)
        return [_WRITERS[f](content, out / f"{stem}.{f}") for f in dict.fromkeys(formats)]
