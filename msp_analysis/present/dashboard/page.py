"""The dashboard's text: its style sheet, labels, headline cards, notes and the assumptions table.

Everything here is HTML for :class:`ipywidgets.HTML` widgets, escaped where it
holds a name or a value from a scenario. Widget descriptions would be typeset
as maths by the page, so labels are plain HTML above their sliders.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ...formatting import money, percent
from ...model.downtime import cost_per_user_hour, site_words, valuation_words
from ...model.scenario import Scenario
from ..report.summary import Headline, assumption_rows

__all__ = ["CSS", "LABELS", "TOOLTIPS", "assumptions_html", "cards_html", "label_html", "notes_html", "title_html"]

#: The label above each control; ``{unit}`` is filled in for the scenario's currency.
LABELS = {
    "users": "Headcount ({unit}; devices follow)",
    "msp_price": "MSP price per user ({unit})",
    "hourly_rate": "Break/Fix hourly rate ({unit})",
    "downtime_cost": "Loaded cost of a staff hour ({unit})",
    "patch_latency": "Patch latency without an MSP ({unit})",
    "budget": "IT support budget ({unit})",
    "risk": "Risk appetite: plan for a bad year of",
}
TOOLTIPS = {
    "users": "Workstations and servers scale with the headcount",
    "hourly_rate": "The on-site rate; the remote rate keeps its ratio to it",
    "downtime_cost": "Wages and overheads of one hour of a user's time; an hour of downtime costs this times the share of work that needs IT",
    "budget": "What the IT support bill (fees only) should not exceed in a year",
}

CSS = """<style>
.msp-dash { font-size: 16px; color: #222; }
.msp-dash .msp-title { font-size: 30px; font-weight: 700; line-height: 1.2; margin: 0; }
.msp-dash .msp-sub { font-size: 15px; color: #555; margin: 2px 0 0 0; }
.msp-dash .msp-label { font-size: 15px; font-weight: 600; margin: 4px 0 0 0; line-height: 1.2; }
.msp-dash .msp-note { font-size: 13px; color: #555; margin: 0; line-height: 1.2; }
.msp-dash .widget-readout { font-size: 16px; }
.msp-dash .widget-dropdown select { font-size: 16px; height: 34px; }
.msp-dash .lm-TabBar-tabLabel { font-size: 16px; }
/* Five tabs (four charts, "How sure are we") share the bar: at 190 px each the fifth ran off a 1280 px screen. */
.msp-dash .widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 1 1 auto !important; min-width: 0; max-width: none; }
.msp-dash .widget-button { font-size: 16px; height: 40px; }
.msp-cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; margin-bottom: 8px; }
.msp-card { background: #f5f5f5; border-radius: 6px; padding: 4px 10px; }
.msp-card .k { font-size: 15px; color: #333; line-height: 1.2; white-space: nowrap; overflow: hidden;
               text-overflow: ellipsis; }
.msp-card .v { font-size: 28px; font-weight: 700; line-height: 1.25; }
.msp-card .row { display: flex; justify-content: space-between; gap: 6px; font-size: 18px; font-weight: 700;
                 line-height: 1.25; }
.msp-card .s { font-size: 13px; color: #555; line-height: 1.2; }
.msp-card .row { flex-wrap: wrap; }
/* A 1024x768 projector: a narrower sidebar, the headline figures in two columns, tabs that
   share the width. Nothing is cut off: an amount goes under its model's name if it must. */
@media (max-width: 1200px) {
  .msp-dash .msp-title { font-size: 24px; }
  .msp-dash .msp-sidebar { width: 280px !important; min-width: 280px !important; }
  .msp-dash .msp-picker .widget-dropdown { width: 260px !important; }
  .msp-dash .widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 1 1 auto !important; min-width: 0; }
  .msp-dash .lm-TabBar-tabLabel { font-size: 15px; }
  .msp-dash .msp-export { font-size: 14px; padding: 0 6px; }
  .msp-cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px; }
  .msp-card .v { font-size: 24px; line-height: 1.15; }
}
.msp-bf { color: #D55E00; }
.msp-msp { color: #0072B2; }
.msp-good { color: #009E73; }
.msp-error { color: #B00020; font-weight: 600; font-size: 15px; }
.msp-ok { color: #006B4F; font-size: 15px; }
.msp-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.msp-table th, .msp-table td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e5e5; }
.msp-table td { vertical-align: top; }
.msp-table tr.yours td { background: #fff6d6; }
.msp-table tr.moved td { font-style: italic; }
/* The export's confirmation in view wherever the page is scrolled (a 1280x720 screen puts the button at the fold). */
.msp-export-status .msp-ok, .msp-export-status .msp-error { position: fixed; right: 16px; bottom: 16px; z-index: 1000;
  max-width: 460px; margin: 0; padding: 10px 14px; background: #fff; border: 1px solid #ccc; border-radius: 6px;
  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.2); }
</style>"""


def label_html(text: str) -> str:
    """The label above a control.

    Examples
    --------
    >>> label_html("Headcount (users; devices follow)")
    '<p class="msp-label">Headcount (users; devices follow)</p>'
    """
    return f'<p class="msp-label">{html.escape(text)}</p>'


def count(n: int, noun: str) -> str:
    """``1 user``, ``45 users``: the headcount slider goes down to one.

    Examples
    --------
    >>> count(1, "server"), count(1_200, "user"), count(0, "server")
    ('1 server', '1,200 users', '0 servers')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def title_html(scenario: Scenario, trials: int, report_trials: int | None = None) -> str:
    """The title, with the organisation's size, currency and how many years the ranges come from.

    With ``report_trials`` it also says whether the figures are the quick
    first run or already as many simulated years as the report's
    (``data-trials`` holds the number, for tests).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> print(title_html(sample_scenario(), 2_000))  # doctest: +NORMALIZE_WHITESPACE
    <p class="msp-title">Break/Fix or MSP? Harbourview Partners (sample)</p><p class="msp-sub" data-trials="2000">45 users ·
    50 workstations · 3 servers · amounts in USD a year · ranges from 2,000 simulated years</p>
    >>> print(title_html(sample_scenario(), 2_000, 10_000).split(" · ")[-1])
    quick ranges from 2,000 simulated years, refining to the report's 10,000...</p>
    >>> print(title_html(sample_scenario(), 10_000, 10_000).split(" · ")[-1])
    ranges from 10,000 simulated years, as in the report</p>
    """
    org = scenario.organization
    if report_trials is None:
        runs = f"ranges from {trials:,} simulated years"
    elif trials < report_trials:
        runs = f"quick ranges from {trials:,} simulated years, refining to the report's {report_trials:,}..."
    else:
        runs = f"ranges from {trials:,} simulated years, as in the report"
    return (
        f'<p class="msp-title">Break/Fix or MSP? {html.escape(org.name)}</p>'
        f'<p class="msp-sub" data-trials="{trials}">{count(org.users, "user")} · '
        f"{count(org.workstations, 'workstation')} · {count(org.servers, 'server')}"
        f" · amounts in {html.escape(org.currency)} a year · {runs}</p>"
    )


def notes_html(scenario: Scenario) -> tuple[str, str]:
    """The notes under the downtime-cost slider (an outage hour's full cost) and the patch slider.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> outage, patch = notes_html(sample_scenario())
    >>> outage
    '<p class="msp-note">An hour of full outage costs about $2,362 (valued at idle staff cost)</p>'
    """
    org = scenario.organization
    outage = cost_per_user_hour(scenario) * org.users
    # Past one site the answer rests on the site-size assumption: say so beside the downtime slider.
    sites = site_words(scenario)
    outage_note = (
        f'<p class="msp-note">An hour of full outage costs about {money(outage, org.currency_symbol)} '
        f"({valuation_words(scenario)}){'; ' + html.escape(sites) if sites else ''}</p>"
    )
    # The security model halves the incident rate for faster patching and
    # at most doubles it for slower: say where the curve turns.
    reference = scenario.security.reference_patch_latency_days
    patch_note = (
        f'<p class="msp-note">Faster than {reference:g} days: fewer costly incidents; '
        "slower: more, at most twice as many</p>"
    )
    return outage_note, patch_note


def _pair(values: Mapping[str, float], fmt: Callable[[float], str]) -> str:
    return (
        f'<div class="row msp-bf"><span>Break/Fix</span><span>{fmt(values["break_fix"])}</span></div>'
        f'<div class="row msp-msp"><span>MSP</span><span>{fmt(values["msp"])}</span></div>'
    )


def cards_html(h: Headline, availability: Mapping[str, float]) -> str:
    """The eight headline cards (each with ``data-figure`` naming its figure)."""

    def m(x: float) -> str:
        return money(x, h.symbol)

    saves = h.savings >= 0
    level = round(1 / (1 - h.level))
    cards = [
        ("total", "Expected cost a year", _pair(h.total, m), "incl. downtime and security"),
        (
            "savings",
            "Expected saving, MSP" if saves else "Extra cost of the MSP",
            f'<span class="{"msp-good" if saves else "msp-bf"}">{m(abs(h.savings))}</span>',
            f"90% of years: {m(h.savings_p5)} to {m(h.savings_p95)}",
        ),
        ("prob", "Chance MSP is cheaper", percent(h.prob_msp_cheaper), "in a given year"),
        ("downtime", "Downtime avoided, MSP", f"{h.downtime_hours_avoided:,.0f}", "user-hours a year"),
        ("security", "Security loss a year", _pair(h.security_loss, m), "expected: incidents, fines"),
        ("budget", f"IT bill over {m(h.budget)}", _pair(h.prob_over_budget, percent), "chance, fees only"),
        ("bad_year", f"A bad year (1 in {level:,})", _pair(h.bad_year, m), f"total cost, P{h.level * 100:g}"),
        ("availability", "IT available to users", _pair(availability, lambda p: f"{p:.2%}"), "expected"),
    ]
    body = "".join(
        f'<div class="msp-card" data-figure="{key}"><div class="k">{html.escape(k)}</div>'
        f'{v if v.startswith("<div") else f"<div class=v>{v}</div>"}<div class="s">{html.escape(sub)}</div></div>'
        for key, k, v, sub in cards
    )
    return f'<div class="msp-cards">{body}</div>'


def assumptions_html(scenario: Scenario, yours: Collection[str] | None = None) -> str:
    """The assumptions behind the figures with their sources and the model each belongs to.

    The client's own numbers (``yours``, see
    :func:`~msp_analysis.present.report.summary.assumption_rows`) are
    highlighted; values changed but not theirs (moved on screen) are marked apart.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> page = assumptions_html(sample_scenario().replace({"msp.per_user_monthly": 99}), yours=())
    >>> "<td>MSP</td><td>Average days from a patch" in page, "class=moved" in page, "class=yours" in page
    (True, True, False)
    """
    rows = assumption_rows(scenario, yours=yours)

    def cls(r: Any) -> str:
        return " class=yours" if r.yours else " class=moved" if r.changed else ""

    body = "".join(
        f"<tr{cls(r)}><td>{html.escape(r.model)}</td><td>{html.escape(r.assumption)}</td>"
        f"<td>{html.escape(r.value)}</td>"
        f"<td>{html.escape(r.source)}</td></tr>"
        for r in rows.itertuples(index=False)
    )
    return (
        '<h3 style="font-size:20px;margin:18px 0 6px 0">Assumptions and their sources</h3>'
        '<p style="margin:0 0 6px 0">Highlighted: the client\'s own numbers (from their files, or marked as '
        "theirs); in italics: values changed on screen that are not theirs.</p>"
        '<table class="msp-table"><tr><th>Applies to</th><th>Assumption</th><th>Value</th><th>Source</th></tr>'
        + body
        + "</table>"
    )
