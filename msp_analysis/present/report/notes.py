"""Speaker notes for the PowerPoint deck: what the consultant says while each slide is on screen.

Every slide gets three things, in plain words: what it shows, how to read
it, and which assumptions drive it (so the consultant knows which slider to
reach for when the client asks "and if ...?"). Figures quoted here are the
report's own (:class:`~msp_analysis.present.report.content.ReportContent`),
so the notes never disagree with the slide.
"""

from __future__ import annotations

from ...formatting import percent
from .content import ReportContent
from .how_sure import SECTION_TITLE
from .summary import CHARTS, bad_year_words

__all__ = [
    "CHART_NOTES",
    "assumption_notes",
    "chart_notes",
    "deliver_notes",
    "headline_notes",
    "how_sure_notes",
    "method_notes_notes",
    "title_notes",
]

#: For each chart: (what it shows, how to read it, the assumptions that drive it).
CHART_NOTES: dict[str, tuple[str, str, str]] = {
    "distribution": (
        "The total cost of one year under each model, over every simulated year: fees, staff time, downtime "
        "and security losses together. Dashed lines mark the averages.",
        "The further right, the costlier the year. Where the two shapes overlap, either model can be the "
        "cheaper one in a given year; the title gives the chance the MSP is. A long right tail is the bad "
        "years: mostly downtime and security incidents, rarely fees.",
        "Incident rates and repair times, the Break/Fix hourly rate and minimums, the MSP's price per user, "
        "the cost of an hour of downtime (loaded cost, IT dependency, revenue per outage hour) and the "
        "security incident rate and severity.",
    ),
    "breakdown": (
        "The expected yearly cost of each model split into fees, staff time, downtime and security losses.",
        "Compare the bars piece by piece: the MSP usually costs more in fees and less in downtime and "
        "security. The title names the piece that differs most; that is where the decision is made.",
        "Fees: the MSP's per-user, per-workstation and per-server prices against the Break/Fix rate and "
        "hours. Downtime: response times, SLA adherence, users affected, the cost of an hour. Security: "
        "patch latency and monitoring coverage.",
    ),
    "exceedance": (
        "How often a year's security losses exceed a given amount, for each model (both axes on log scales).",
        "Read across from a chance on the left (1 in 10, 1 in 100) to the loss it brings under each model; "
        "the lower curve is the safer one. The gap between the curves is what faster patching and monitoring "
        "buy, mostly in the rare, large losses.",
        "The base rate of costly incidents per user, their median and 90th-percentile cost, patch latency "
        "under each model (the rate halves for every so many days faster), monitoring coverage, and the "
        "compliance regime's fines.",
    ),
    "projection": (
        "The cumulative expected cost of each model year by year over the contract's term, with the band "
        "that holds 90% of simulated paths.",
        "Where the lines cross is the payback year of the onboarding fee; the gap at the right end is the "
        "saving (or extra cost) over the whole term. Overlapping bands mean the ranking can flip in a run of "
        "unlucky years.",
        "The contract term, each side's yearly price escalator, the MSP's onboarding fee and everything "
        "behind a single year's cost; headcount is held at today's level.",
    ),
}


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def title_notes(c: ReportContent) -> str:
    """Notes of the title slide: the question, and what the figures rest on."""
    return _join(
        f"The question for {c.client}: pay for IT support by the hour when something breaks (Break/Fix), "
        "or a monthly subscription with a managed service provider (MSP)?",
        f"Every range and probability in this deck comes from {c.trials:,} simulated years (seed {c.seed}); "
        "averages are exact. The same figures are on the dashboard and in the HTML and PDF reports.",
    )


def deliver_notes(c: ReportContent) -> str:
    """Notes of the "what the invoices say" slide: the fees first, then what the MSP must deliver, and what is assumed.

    Examples
    --------
    >>> import datetime as dt
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.present.report.content import collect
    >>> c = collect(sample_scenario(), trials=200, seed=1, years=2, date=dt.date(2026, 3, 14))
    >>> print(deliver_notes(c).splitlines()[0])
    What it shows: the fees each model is expected to bill in a year, the only figures the client can check against invoices; then what the MSP must deliver to be worth its fees, and what the expected saving rests on.
    """
    d = c.deliver
    return _join(
        "What it shows: the fees each model is expected to bill in a year, the only figures the client can check "
        "against invoices; then what the MSP must deliver to be worth its fees, and what the expected saving rests on.",
        f"How to read it: {d.fees_line} {d.break_even_line} The first number is arithmetic on the fees, the staff "
        "time and the price of an hour of downtime; the second is an assumption about the MSP. " + " ".join(d.details),
        "What drives it: the parts of the saving are switched on one after the other (prevent an incident, else "
        "catch it early, else answer it faster; then patching, monitoring, staff time) and add up to the expected "
        f"saving exactly. {d.basis_line} Ask the MSP for evidence of the effects that carry it.",
    )


def headline_notes(c: ReportContent) -> str:
    """Notes of the headline slide: how to read each figure and what moves it."""
    h = c.headline
    return _join(
        "What it shows: the answers a client asks for first, for this organisation.",
        "How to read it: the expected cost and saving are averages over many years; the 90% range and the "
        f"chance the MSP is cheaper say how much one year can differ. A bad year ({bad_year_words(h.level)}) "
        "is the cost to plan for; the budget line is fees only, the bill the client actually pays.",
        "What drives it: fees (the MSP's prices, the Break/Fix rate) set the IT bill; downtime and security "
        "losses, priced from the organisation's own figures, usually decide the total.",
    )


def chart_notes(c: ReportContent, name: str) -> str:
    """Notes of a chart slide: its finding, then what it shows, how to read it, what drives it.

    Examples
    --------
    >>> import datetime as dt
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.present.report.content import collect
    >>> c = collect(sample_scenario(), trials=200, seed=1, years=2, date=dt.date(2026, 3, 14))
    >>> print(chart_notes(c, "breakdown").splitlines()[0])
    The finding: Fees make the biggest difference: $... a year more with the MSP.
    """
    if name not in CHART_NOTES:
        raise ValueError(f"chart: got {name!r}, expected one of {CHARTS}")
    shows, read, drivers = CHART_NOTES[name]
    return _join(
        f"The finding: {c.titles[name]}.",
        f"What it shows: {shows}",
        f"How to read it: {read}",
        f"What drives it: {drivers}",
    )


def assumption_notes(c: ReportContent) -> str:
    """Notes of an assumptions slide: how the sources and the client's own numbers are marked."""
    n_yours = int(c.all_assumptions["yours"].sum())
    return _join(
        "What it shows: the values behind every figure, which model each applies to, and where each comes "
        "from: a published source (publisher, title, year) or an assumption with what it rests on.",
        f"How to read it: ★ your figure marks the client's own numbers ({n_yours} in all), from their files "
        "or confirmed by them; 'set for this analysis' marks values changed for a what-if that are not theirs.",
        "Invite corrections: any value the client knows better can be changed and the report written again.",
    )


def method_notes_notes(c: ReportContent) -> str:
    """Notes of the method slide."""
    return _join(
        "What it shows: how the figures are computed, in plain words.",
        "How to read it: the model compares like with like (both models face the same simulated incidents "
        "and attacks each year); these are estimates for a decision, not a quote.",
    )


def how_sure_notes(c: ReportContent) -> str:
    """Notes of the "how sure are we" slide: what it shows, how to read it, what to do next."""
    h = c.how_sure
    if h is None:
        raise ValueError(f"{SECTION_TITLE}: this report has no such section")
    top = h.measures[0].name if h.measures else "nothing in particular"
    history = (
        "The ticket history's worth is what it changed: zero when it confirmed the choice, however much it "
        "taught; the expected figure is what a history that long could have changed, before it was seen."
        if h.history is not None
        else ""
    )
    return _join(
        "What it shows: how sure we can be that the MSP is the better choice when the inputs themselves are "
        f"uncertain ({percent(h.prob_msp_better)} of {h.n:,} draws), and what finding out more would be worth.",
        "How to read it: the headline's chance the MSP is cheaper is about years that vary with every input "
        "known; this one is about the inputs we do not know. The EVPI caps what any study is worth to this "
        "choice; each EVPPI is what knowing one input, or one topic, is worth.",
        f"What to do next: measure {top} first if finding it out costs less than its value; ask the MSP for "
        "a price under the 90% line if the client wants to be that sure.",
        history,
        "Same draws and seed as the dashboard's tab: the numbers there are these.",
    )
