"""How sure are we, and what to measure next: the figures the dashboard's tab and the report's section share.

One function computes them (:func:`how_sure`), one dataclass holds them
(:class:`HowSure`), and the same sentences (:meth:`HowSure.lines`) are laid out
by the dashboard's tab, the HTML and PDF report and the PPTX slide, so screen
and leave-behind cannot disagree: same scenario, :data:`DOUBT_DRAWS` draws of
the inputs and the report's seed.

Why :data:`DOUBT_DRAWS` = 2,000. A draw costs ~1.9 ms today (the exact
expectations of both models). Measured on the sample (CPU seconds, 2026-12):
the 2,000 draws 3.8 s, the single inputs' EVPPI 1.5 s, the topics' 2.0 s, the
prices the client can be sure at 1.8 s (re-pricings of a quarter of the
draws, :data:`PRICE_SHARE`; bracketing each break-even, so that a monthly
minimum with no root is not taken for one, doubled their wall time on the
sample from 0.11 s to 0.21 s on 2026-12-08): ~9 s, paid once per scenario when the tab is
first opened (or the report written) and cached. Fewer draws are not enough
for the ranking of what to measure: on the sample, the incident rates'
EVPPI reads $1,130 at 1,000 draws and $530 at 2,000 (SE $190); P(MSP is the
better choice) is within about a point at 2,000 (a binomial SE of 1.0 point at
73%). Notebook 08 uses the same 2,000 draws and seed, so its figures are these.

What to measure. Single inputs' EVPPI are shown when at least three are
clearly above zero (more than twice their standard error); otherwise (the
usual case: the MSP loses only where several inputs are unfavourable at once)
the topics a client finds out together (:func:`~msp_analysis.decisions.input_ranges.input_groups`),
and the screen says "topics".

A client's ticket history (when the scenario comes from a client folder with
tickets): :func:`~msp_analysis.decisions.data_worth.history_worth`, with the
rule in words in the sentences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from ...decisions.data_worth import HistoryWorth, history_worth, sure_prices, sure_shares
from ...decisions.uncertainty import Uncertainty, input_groups, input_ranges, regression_draws, uncertainty
from ...errors import ValidationError
from ...formatting import field_label, money, percent
from ...model.billing import msp_monthly_fee
from ...model.scenario import Scenario
from .summary import DEFAULT_SEED, DEFAULT_TRIALS

if TYPE_CHECKING:  # only for the annotation: the report needs ingest only when given a calibration
    from ...ingest.calibration import CalibrationResult

__all__ = [
    "DOUBT_DRAWS",
    "DRAFT_NOTE",
    "DRAFT_TRIALS",
    "MIN_DRAWS",
    "PRICE_SHARE",
    "SECTION_TITLE",
    "SURE_LEVELS",
    "HowSure",
    "Measure",
    "draws_for",
    "how_sure",
    "how_sure_html",
    "min_draws",
]

#: Draws of the uncertain inputs behind the tab and the report's section (see the module docstring).
DOUBT_DRAWS = 2_000
#: The fewest draws: the largest topic (23 inputs, one spline each) needs 920 for its regression.
MIN_DRAWS = 1_000
#: Of the draws, the share re-priced to find the MSP price the client can be sure at (500 of 2,000).
PRICE_SHARE = 0.25
#: How sure: the price at which P(MSP is the better choice) falls to each level.
SURE_LEVELS = (0.8, 0.9)
#: The heading of the report's section, the slide and the dashboard's tab.
SECTION_TITLE = "How sure are we, and what to measure next"
#: A report of fewer simulated years than this is a draft (a test, a doctest, a quick look): it leaves the
#: section out (~4 s of draws otherwise) and says so in its notes. The dashboard's export always has it.
DRAFT_TRIALS = 1_000
#: The draft's note.
DRAFT_NOTE = (
    f"{SECTION_TITLE}: left out of this draft of fewer than {DRAFT_TRIALS:,} simulated years; a full report, "
    "and the dashboard's tab, have it."
)
#: What is worth measuring: this many inputs or topics are shown.
TOP = 3


def draws_for(trials: int) -> int:
    """Draws of the inputs for a report (or a dashboard) of ``trials`` simulated years.

    A full report (the report's :data:`~.summary.DEFAULT_TRIALS` years or more)
    gets :data:`DOUBT_DRAWS`; a quick one (tests, doctests, a draft) fewer in
    proportion, never under :data:`MIN_DRAWS`. The dashboard asks with the
    report's years, so its tab and the exported report use the same number.

    Examples
    --------
    >>> draws_for(10_000), draws_for(500), draws_for(7_500)
    (2000, 1000, 1500)
    """
    return int(min(DOUBT_DRAWS, max(MIN_DRAWS, round(DOUBT_DRAWS * trials / DEFAULT_TRIALS))))


@dataclass(frozen=True)
class Measure:
    """One input or topic worth measuring: its name and its EVPPI (a year) with the standard error."""

    name: str
    value: float
    se: float
    #: The regression's estimate exceeded the EVPI and was cut to it.
    capped: bool = False


@dataclass(frozen=True)
class HowSure:
    """How sure we are that the MSP is the better choice, and what is worth measuring next.

    Attributes
    ----------
    n, seed : int
        Draws of the inputs and their seed.
    inputs_varied : int
        Inputs drawn from their 90% ranges.
    prob_msp_better : float
        Share of the draws in which the MSP's expected total is lower.
    evpi : float
        Expected value of perfect information, a year.
    by : str
        ``"topics"`` or ``"inputs"``: what :attr:`measures` are.
    measures : tuple of Measure
        The top :data:`TOP` inputs or topics by EVPPI.
    prices : dict
        Level -> MSP price per user a month up to which the client can be that sure (``nan``: no price).
    symbol : str
        Currency symbol.
    history : HistoryWorth or None
        The client's ticket history's worth, when there is one.
    quoted_monthly : float
        The quote's monthly subscription, or ``nan`` when :attr:`prices` are per user.
        A quote with no per-user price (per workstation, a flat fee) has
        nothing for a per-user price to move: its :attr:`prices` are then
        shares of the whole subscription (:func:`~msp_analysis.decisions.data_worth.sure_shares`).
    """

    n: int
    seed: int
    inputs_varied: int
    prob_msp_better: float
    evpi: float
    by: str
    measures: tuple[Measure, ...]
    prices: dict[float, float]
    symbol: str
    history: HistoryWorth | None = field(default=None, repr=False)
    quoted_monthly: float = math.nan

    @property
    def per_user(self) -> bool:
        """Whether :attr:`prices` are prices per user a month (else shares of the quoted subscription)."""
        return math.isnan(self.quoted_monthly)

    def price_text(self, p: float) -> str:
        """One sure-at price in words: per user a month, or a share of the quoted subscription."""
        if self.per_user:
            return f"{self._m(p)} per user a month"
        return f"{percent(p)} of the quoted subscription ({self._m(p * self.quoted_monthly)} a month)"

    def _m(self, x: float) -> str:
        return money(x, self.symbol)

    def probability_line(self) -> str:
        """P(MSP is the better choice), said apart from the chance the MSP is cheaper in a given year."""
        return (
            f"Chance the MSP is the better choice: {percent(self.prob_msp_better)} of {self.n:,} draws of the "
            f"{self.inputs_varied} uncertain inputs, each from its 90% range. This is not the chance the MSP "
            "is cheaper in a given year (the headline's), which takes every input as known and asks how much "
            "one year can vary."
        )

    def evpi_line(self) -> str:
        """The EVPI in words."""
        return (
            f"Knowing every input exactly would be worth at most {self._m(self.evpi)} a year (the expected "
            "value of perfect information): no study of the inputs is worth more than that to this choice."
        )

    def measure_lines(self) -> list[str]:
        """The top inputs or topics worth measuring, each with its value in money."""
        kind = "topics (inputs found out together)" if self.by == "topics" else "inputs"
        head = f"Worth measuring next, by what knowing it is worth a year (EVPPI), {kind}:"
        items = [
            f"{i}. {m.name[0].upper()}{m.name[1:]}: {self._m(m.value)} (± {self._m(m.se)})"
            + (", capped at the EVPI: the regression put it higher, which cannot be" if m.capped else "")
            for i, m in enumerate(self.measures, 1)
        ]
        return [head, *items]

    def price_line(self) -> str:
        """The MSP price (per user, or share of the quoted subscription) at which the client can be 80% / 90% sure."""
        parts = [
            f"{percent(level)} sure up to {self.price_text(p)}"
            if math.isfinite(p)
            else f"{percent(level)} sure at any price"
            if p == math.inf
            else f"not {percent(level)} sure at any price"
            for level, p in self.prices.items()
        ]
        return "At what MSP price the client can be sure it is the better choice: " + "; ".join(parts) + "."

    def history_lines(self) -> list[str]:
        """The ticket history's worth with the rule in words, and the EVPI before and after it."""
        w = self.history
        if w is None:
            return []
        m = self._m
        what = f"Your ticket history ({w.tickets:,} tickets over {w.years:.1f} years, {w.users:,} users)"
        if w.changed_choice:
            first = (
                f"{what} was worth {m(w.realised)} a year: it changed the better choice to {w.choice_after}, "
                f"and under what the data now say that choice is better by {m(w.realised)} a year on average."
            )
        else:
            first = (
                f"{what} was worth {m(0.0)} a year in changed decisions: {w.choice_after} was the better "
                "choice before it and after it. Data are worth money only when they change what one does."
            )
        return [
            first,
            f"Before anyone looked at it, a history that long was expected to be worth {m(w.expected)} a year "
            f"(± {m(w.expected_se)}; the expected value of the incident counts it would show, a floor: it also "
            "tells about repair hours and response times).",
            f"Knowing every input exactly was worth {m(w.evpi_before)} a year before the data and "
            f"{m(w.evpi_after)} after"
            + (
                ": higher, because the data moved the estimates toward break-even, not because they were worth "
                "less than nothing."
                if w.evpi_after > w.evpi_before
                else "."
            ),
        ]

    def lines(self) -> list[str]:
        """Every sentence of the section, in order (the PDF page and the slide lay these out)."""
        return [
            self.probability_line(),
            self.evpi_line(),
            *self.measure_lines(),
            self.price_line(),
            *self.history_lines(),
        ]


def _measures(u: Uncertainty) -> tuple[str, tuple[Measure, ...]]:
    """The top inputs, when at least :data:`TOP` are clearly worth something; else the top topics."""
    single = u.evppi()
    clear = single[single["evppi"] > 2 * single["se"]]
    if len(clear) >= TOP:
        rows = clear.head(TOP)
        return "inputs", tuple(
            Measure(field_label(p), float(v), float(s), bool(c))
            for p, v, s, c in rows[["path", "evppi", "se", "capped"]].itertuples(index=False)
        )
    groups = u.evppi_groups().head(TOP)
    return "topics", tuple(
        Measure(str(g), float(v), float(s), bool(c))
        for g, v, s, c in groups[["group", "evppi", "se", "capped"]].itertuples(index=False)
    )


def how_sure(
    scenario: Scenario,
    n: int = DOUBT_DRAWS,
    seed: int = DEFAULT_SEED,
    calibration: CalibrationResult | None = None,
) -> HowSure:
    """The section's figures for ``scenario`` (cached: the same scenario, draws and seed are computed once).

    Parameters
    ----------
    scenario : Scenario
        The scenario on screen or in the report.
    n, seed : int
        Draws of the inputs and their seed (the report's).
    calibration : CalibrationResult, optional
        The client's ticket history, calibrated with ``level=0.9``: adds what it was worth.

    Raises
    ------
    ValidationError
        ``n`` below :func:`min_draws` of the scenario (the regressions of
        the largest topic need that many), named with the minimum.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> h = how_sure(sample_scenario(), n=1_000, seed=1)
    >>> h.by in ("topics", "inputs") and len(h.measures) == 3 and 0 <= h.prob_msp_better <= 1
    True
    """
    need = min_draws(scenario)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < need:
        raise ValidationError(
            "n", n, f"a whole number of draws, at least {need:,} (the largest topic's regression needs that many)"
        )
    base = _cached(scenario, int(n), int(seed))
    if calibration is None:
        return base
    # "Before the data" is the same draws as the section's own (same scenario and seed): not drawn again.
    worth = history_worth(scenario, calibration, n=n, seed=seed, before=_draws(scenario, int(n), int(seed)))
    return replace(base, history=worth)


def min_draws(scenario: Scenario) -> int:
    """The fewest draws :func:`how_sure` accepts for ``scenario``: its largest topic's regression needs them.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> min_draws(sample_scenario()) <= MIN_DRAWS
    True
    """
    groups = input_groups(input_ranges(scenario))
    largest = max((len(v) for v in groups.values()), default=1)
    # The topics' regressions use 6 knots, the single inputs' 8 (Uncertainty.evppi_groups / evppi).
    return max(regression_draws(6, largest), regression_draws(8))


@lru_cache(maxsize=4)
def _draws(scenario: Scenario, n: int, seed: int) -> Uncertainty:
    return uncertainty(scenario, n=n, seed=seed)


@lru_cache(maxsize=16)
def _cached(scenario: Scenario, n: int, seed: int) -> HowSure:
    u = _draws(scenario, n, seed)
    by, measures = _measures(u)
    k = max(1, round(n * PRICE_SHARE))
    per_user = scenario.msp.per_user_monthly > 0
    prices = sure_prices(u, SURE_LEVELS, draws=k) if per_user else sure_shares(u, SURE_LEVELS, draws=k)
    quoted = math.nan if per_user else float(msp_monthly_fee(scenario))
    return HowSure(
        n=n,
        seed=seed,
        inputs_varied=len(u.ranges),
        prob_msp_better=u.prob_msp_better,
        evpi=u.evpi,
        by=by,
        measures=measures,
        prices=prices,
        symbol=scenario.organization.currency_symbol,
        quoted_monthly=quoted,
    )


def how_sure_html(h: HowSure, heading: str = "h2") -> str:
    """The section as HTML (the report's and the dashboard tab's): each figure marked with ``data-figure``.

    Examples
    --------
    >>> h = HowSure(2000, 1, 10, 0.73, 5773.0, "topics", (Measure("how often incidents happen", 530.0, 190.0),),
    ...             {0.8: 126.0, 0.9: 101.0}, "$")
    >>> '<b data-figure="prob-better">73%</b>' in how_sure_html(h)
    True
    """
    e = escape
    top = "".join(f'<li data-figure="measure">{e(line.split(". ", 1)[1])}</li>' for line in h.measure_lines()[1:])
    history = "".join(f'<p data-figure="history">{e(line)}</p>' for line in h.history_lines())
    prob = percent(h.prob_msp_better)
    first = e(h.probability_line()).replace(e(prob), f'<b data-figure="prob-better">{e(prob)}</b>', 1)
    return (
        f'<section class="how-sure"><{heading}>{e(SECTION_TITLE)}</{heading}>'
        f"<p>{first}</p>"
        f'<p data-figure="evpi">{e(h.evpi_line())}</p>'
        f"<p>{e(h.measure_lines()[0])}</p><ol>{top}</ol>"
        f'<p data-figure="prices">{e(h.price_line())}</p>'
        f"{history}</section>"
    )
