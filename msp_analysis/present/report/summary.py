"""What a report says, in every format, and what the dashboard shows: the summary of one comparison.

- the headline figures (:func:`headline`, :class:`Headline`): exact expected
  values, ranges and probabilities from the simulation, amounts in full;
- the four charts (:data:`CHARTS`, :func:`draw_chart`) with titles that
  state the finding in the same exact figures as the headline;
- the assumptions with their sources, the client's own numbers marked
  (:func:`assumption_rows`);
- the method notes (:func:`method_notes`).

The writers of :mod:`msp_analysis.present.report` (HTML, PowerPoint, PDF)
and the dashboard (:mod:`msp_analysis.present.dashboard`) both take these,
so what the client saw in the meeting is what they take away. Amounts in
sentences and tables are in full (``$2,345,678``); on charts, compact
(``$2.35M``): see :mod:`msp_analysis.formatting`.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...decisions.deliver import CYBER_PREMIUM_USD, security_vs_insurance
from ...decisions.projection import Projection, project
from ...engine.expected import expected_components
from ...engine.simulation import COLUMNS, MODEL_LABELS, MODELS, Comparison
from ...formatting import assumption_label, format_value, money, percent
from ...model.defaults import assumptions
from ...model.downtime import site_words, valuation_words
from ...model.scenario import Scenario, field_info
from ..charts.cost import plot_cost_breakdown, plot_total_cost_distribution
from ..charts.decisions import plot_projection
from ..charts.security import plot_loss_exceedance
from .titles import breakdown_title, chart_title, distribution_title, exceedance_labels

__all__ = [
    "CHARTS",
    "CHART_ALT",
    "CHART_HEADINGS",
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "KEY_ASSUMPTIONS",
    "Headline",
    "Seed",
    "assumption_rows",
    "bad_year_words",
    "breakdown_title",
    "changed_paths",
    "chart_png",
    "chart_title",
    "contract_years",
    "default_budget",
    "distribution_title",
    "draw_chart",
    "exceedance_labels",
    "expected_frame",
    "headline",
    "method_notes",
    "projection_for",
]

#: What a simulation's ``seed`` may be (SPEC 7): an int (the same int, the same figures), a
#: SeedSequence, a Generator, or None for fresh randomness.
Seed = int | np.random.SeedSequence | np.random.Generator | None

#: Simulated years behind a report: tails (P5, P95, the loss curve) settle at this size.
DEFAULT_TRIALS = 10_000
#: Fixed seed: the same scenario gives the same report, figure for figure.
DEFAULT_SEED = 2024

#: The four charts, in the order they are shown, with a neutral heading each
#: (the chart's own title states the finding) and a description for readers who do not see it.
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
    # How a lost hour is priced (issue 12): the weight says whether revenue counts at all.
    "organization.downtime_revenue_weight",
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

#: The support model each section's fields belong to (other sections: both).
_SECTION_MODELS = {"break_fix": "Break/Fix", "msp": "MSP"}

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

    total: dict[str, float]
    savings: float
    savings_p5: float
    savings_p95: float
    prob_msp_cheaper: float
    downtime_hours_avoided: float
    security_loss: dict[str, float]
    budget: float
    prob_over_budget: dict[str, float]
    level: float
    bad_year: dict[str, float]
    symbol: str
    trials: int

    def rows(self) -> list[tuple[str, str]]:
        """``(label, formatted value)`` pairs, in the order a report shows them; amounts in full.

        Examples
        --------
        >>> from msp_analysis import sample_scenario, simulate
        >>> h = headline(simulate(sample_scenario(), trials=500, seed=1))
        >>> h.rows()[0]
        ('Expected annual total cost', 'Break/Fix $... · MSP $...')
        """
        s = self.symbol
        # "The MSP costs $9,381 a year" would read as its whole bill: say "more".
        saves, more = ("saves", "") if self.savings >= 0 else ("costs", " more")
        return [
            (
                "Expected annual total cost",
                f"Break/Fix {money(self.total['break_fix'], s)} · MSP {money(self.total['msp'], s)}",
            ),
            (
                "Expected saving with the MSP",
                f"The MSP {saves} {money(abs(self.savings), s)} a year{more} "
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

    def downtime(m: str) -> float:
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


def contract_years(scenario: Scenario) -> int:
    """Years the multi-year chart covers: the MSP contract's term, rounded up to whole years.

    A 24-month contract is shown over 2 years, not the 3 a fixed default gave;
    a 30-month one over 3 (the last year part of the term).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> contract_years(s), contract_years(s.replace({"msp.term_months": 24})), contract_years(s.replace({"msp.term_months": 30}))
    (3, 2, 3)
    """
    return max(1, math.ceil(scenario.msp.term_months / 12))


def projection_for(scenario: Scenario, years: int = 3, trials: int = 2_000, seed: Seed = DEFAULT_SEED) -> Projection:
    """The multi-year view of the report and the dashboard.

    :func:`msp_analysis.decisions.projection.project` with today's headcount, each
    side's escalator from the scenario and the onboarding fee paid in year
    one; ``trials`` simulated paths give the chart's band.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> projection_for(sample_scenario(), years=2, trials=100).years
    2
    """
    return project(scenario, years=years, trials=trials, seed=seed)


# -- charts ------------------------------------------------------------------------


def draw_chart(
    name: str,
    ax: Axes,
    comparison: Comparison,
    expected_table: pd.DataFrame,
    projection: Projection | None,
    bins: int = 40,
    title_width: int = 64,
) -> Axes:
    """Draw one of :data:`CHARTS` on ``ax`` with the library's plotting functions.

    ``projection`` is what :func:`projection_for` returns (only the
    ``"projection"`` chart needs it); ``bins`` is the histogram's (fewer draw
    faster). The title, which states the finding in the headline's exact
    figures, is wrapped at ``title_width`` characters so that it fits the chart.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import expected, sample_scenario, simulate
    >>> s = sample_scenario()
    >>> ax = draw_chart("breakdown", Figure().add_subplot(), simulate(s, trials=200, seed=1), expected(s), None)
    >>> chart_title(ax)
    'Fees make the biggest difference: $... a year more with the MSP'
    """
    symbol = comparison.scenario.organization.currency_symbol
    if name == "distribution":
        ax = plot_total_cost_distribution(comparison, ax=ax, bins=bins)
        ax.set_title(distribution_title(comparison, expected_table))
    elif name == "breakdown":
        ax = plot_cost_breakdown(expected_table, ax=ax, symbol=symbol)
        ax.set_title(breakdown_title(expected_table, symbol))
    elif name == "exceedance":
        means = {m: expected_table.loc["security_loss", m] for m in MODELS}
        ax = plot_loss_exceedance(comparison, ax=ax, means=means)
    elif name == "projection":
        if projection is None:
            raise ValueError("projection: got None, expected what projection_for() returns")
        ax = plot_projection(projection, ax=ax)
    else:
        raise ValueError(f"chart: got {name!r}, expected one of {CHARTS}")
    ax.set_title(textwrap.fill(ax.get_title(), title_width))
    return ax


def expected_frame(comps: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """The :func:`msp_analysis.expected` frame from its plain-dict form.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.engine.expected import expected_components
    >>> expected_frame(expected_components(sample_scenario())).loc["total_cost"].round(-3).to_dict()
    {'break_fix': ..., 'msp': ...}
    """
    frame = pd.DataFrame({m: pd.Series(comps[m]) for m in MODELS}).loc[list(COLUMNS)]
    frame.index.name = "column"
    return frame


def chart_png(fig: Figure, dpi: int = 150) -> bytes:
    """PNG bytes of a figure, without matplotlib's URL in the metadata (reports link nowhere).

    Examples
    --------
    >>> chart_png(Figure(figsize=(1, 1)), dpi=10)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


# -- assumptions -----------------------------------------------------------------------


def assumption_rows(
    scenario: Scenario,
    paths: Iterable[str] | None = None,
    changed_too: bool = True,
    yours: Collection[str] | None = None,
) -> pd.DataFrame:
    """The assumptions to show a client, with sources; their own numbers marked.

    Parameters
    ----------
    scenario : Scenario
    paths : iterable of str, optional
        Fields to show (default :data:`KEY_ASSUMPTIONS`; ``scenario.paths()``
        for all of them).
    changed_too : bool
        Also show every field whose value differs from the sample default.
    yours : collection of str, optional
        The fields whose values are the client's own: from the client's files,
        or marked as theirs by the consultant. Default: every field that
        differs from the sample default (a scenario file is the client's). A
        value only moved on screen is not the client's: the dashboard passes
        what came from the files, and what was moved only when marked.

    Returns
    -------
    pandas.DataFrame
        Columns ``section``, ``model`` (which support model the field belongs
        to: "Break/Fix", "MSP" or "Both"), ``path``, ``assumption``, ``value``
        (formatted), ``yours`` (the client's own number), ``changed`` (differs
        from the default) and ``source``: publisher, title, year; or
        "assumption: <note>"; "your figure (default ...)" for the client's
        own; "set for this analysis (default ...)" for a value changed but
        not the client's. A text field's default (the sample's name) is never
        quoted: it would name another firm.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> rows = assumption_rows(sample_scenario().replace({"msp.per_user_monthly": 99}))
    >>> row = rows.set_index("path").loc["msp.per_user_monthly"]
    >>> row["value"], row["model"], bool(row["yours"]), row["source"]
    ('$99 per user per month', 'MSP', True, 'your figure (default $125 per user per month)')
    >>> moved = assumption_rows(sample_scenario().replace({"msp.per_user_monthly": 99}), yours=())
    >>> moved.set_index("path").loc["msp.per_user_monthly", "source"]
    'set for this analysis (default $125 per user per month)'
    """
    sources = _sources()
    all_paths = scenario.paths()
    values = {p: scenario.get(p) for p in all_paths}
    changed = {p: _differs(values[p], sources[p][0] if p in sources else "") for p in all_paths}
    own = {p for p in all_paths if changed[p]} if yours is None else set(yours)
    wanted = list(KEY_ASSUMPTIONS if paths is None else paths)
    if changed_too:
        wanted += [p for p in all_paths if changed[p] or p in own]
    order = {p: i for i, p in enumerate(all_paths)}
    wanted = sorted(dict.fromkeys(wanted), key=lambda p: order.get(p, len(order)))
    symbol = scenario.organization.currency_symbol
    rows = []
    for path in wanted:
        default, source, note = sources.get(path, ("", "", ""))
        shown = _format_default(path, default, symbol) if changed[path] else ""
        if path in own:
            source = f"your figure (default {shown})" if shown else "your figure"
        elif changed[path]:
            source = f"set for this analysis (default {shown})" if shown else "set for this analysis"
        elif source == "assumption":
            source = f"assumption: {note}" if note else "assumption"
        section = path.split(".")[0]
        rows.append(
            {
                "section": _SECTION_NAMES[section],
                "model": _SECTION_MODELS.get(section, "Both"),
                "path": path,
                "assumption": assumption_label(path),
                "value": format_value(path, values[path], symbol),
                "yours": path in own,
                "changed": changed[path],
                "source": source,
            }
        )
    return pd.DataFrame(rows, columns=["section", "model", "path", "assumption", "value", "yours", "changed", "source"])


def changed_paths(scenario: Scenario) -> frozenset[str]:
    """The fields whose values differ from the sample default (the rule of :func:`assumption_rows`).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> changed_paths(sample_scenario()), sorted(changed_paths(sample_scenario().replace({"msp.term_months": 24})))
    (frozenset(), ['msp.term_months'])
    """
    sources = _sources()
    return frozenset(p for p in scenario.paths() if _differs(scenario.get(p), sources[p][0] if p in sources else ""))


@functools.cache
def _sources() -> dict[str, tuple[str, str, str]]:
    """``{path: (default, source, note)}`` from the package's table of sources, read once.

    The dashboard asks on every control change; reading and indexing the CSV
    each time would cost more than the whole recomputation. The table ships
    inside the package, so it does not change while the process runs.
    """
    table = assumptions()
    return {r.path: (r.value, r.source, r.note) for r in table[["path", "value", "source", "note"]].itertuples()}


def _differs(value: str | float, default: str) -> bool:
    """The rule of :func:`msp_analysis.scenario_assumptions`: different text and a different number."""
    if str(value) == default:
        return False
    try:
        return float(value) != float(default)
    except (TypeError, ValueError):
        return True


def _format_default(path: str, default: str, symbol: str) -> str:
    info = field_info(path)
    if default == "" or info.unit == "text":
        # A name's default is the sample firm's: quoting it names another organisation.
        return ""
    if info.choices is not None:
        return format_value(path, default, symbol)
    try:
        return format_value(path, float(default), symbol)
    except ValueError:
        return default


# -- method notes ------------------------------------------------------------------------


def _insurance_sentence(scenario: Scenario) -> str:
    """The expected annual security loss beside a small-business cyber-insurance premium, in one sentence."""
    check = security_vs_insurance(scenario)
    sym = scenario.organization.currency_symbol
    losses = ", ".join(
        f"{MODEL_LABELS[m]} {money(float(check.loc[m, 'expected_loss']), sym)}" for m in ("break_fix", "msp")
    )
    return (
        f"Expected security loss a year: {losses}; for comparison, small-business cyber insurance costs about "
        f"${CYBER_PREMIUM_USD:,.0f} a year for $1M of cover (AdvisorSmith, 43 US insurers)."
    )


def method_notes(scenario: Scenario, trials: int, seed: Seed, years: int) -> list[str]:
    """What the figures rest on, in plain words (one paragraph per item).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> notes = method_notes(sample_scenario(), 10_000, 2024, 3)
    >>> notes[0][:60]
    'Each range and probability comes from 10,000 simulated years'
    """
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
        "and how much of their IT is down), each hour "
        f"{valuation_words(scenario)} (the loaded cost of an hour times the share of work that needs IT, or the "
        "revenue lost instead, or a stated mix: never both added, as wages and billable revenue overlap)."
        + (f" For a firm of more than one site, {sites}." if (sites := site_words(scenario)) else ""),
        "Break/Fix bills each incident by the hour with minimum billable time, billing increments, trip fees "
        "and after-hours multipliers; users wait for a technician. The MSP charges fixed monthly fees, bills "
        "out-of-scope work by the hour, credits missed critical SLAs, meets its response targets most of the "
        "time, prevents some incidents and fixes some before users notice, patches faster and monitors.",
        "Security: costly incidents (not every phishing e-mail) arrive at random. Patching acts on the "
        f"{sec.exploited_vulnerability_share:.0%} of them that enter through an exploited vulnerability (Verizon "
        f"DBIR 2025), whose rate halves for every {sec.patch_halving_days:g} days of faster patching and rises, "
        "at most to double, with slower patching (an assumption anchored on Marsh McLennan claims data, 2023). "
        "The cost of an incident is heavy-tailed (lognormal, median from NetDiligence's claims of small and "
        "mid-sized firms) and lower with monitoring (an assumption); under a compliance regime an incident can "
        "bring a fine. " + _insurance_sentence(scenario),
        f"Multi-year view: {years} years of expected cost with each side's yearly price escalator "
        f"(Break/Fix {scenario.break_fix.annual_escalator:.0%}, MSP {scenario.msp.annual_escalator:.0%}), the MSP "
        "onboarding fee paid in year one and headcount held at today's level; the band holds 90% of simulated "
        "paths.",
        "Every assumption carries its source (publisher, title, year) or is marked as an assumption with what "
        "it rests on; values marked 'your figure' are the client's own numbers (from their files or confirmed "
        "by them), and values 'set for this analysis' were changed without being theirs. These are estimates for "
        "decision support, not a quote.",
    ]
