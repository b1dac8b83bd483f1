"""The dashboard's "How sure are we" tab: computed when it is opened, cached per scenario.

What it shows is the report's section
(:mod:`msp_analysis.present.report.how_sure`), with the same draws and seed,
so the exported report holds the same figures: the chance the MSP is the
better *choice* over what we do not know about the inputs (labelled apart
from the headline's chance that it is cheaper in a given year), the EVPI,
the top three inputs or topics worth measuring with their value in money,
the MSP price the client can be 80% and 90% sure at and, for a client whose
folder holds a ticket history, what that history was worth.

Cost. The figures take ~9 s of CPU today
(:data:`~msp_analysis.present.report.how_sure.DOUBT_DRAWS` draws of the
inputs priced exactly, their regressions, the prices), far more than a
control change's ~100 ms. So nothing is computed until the tab is opened:
the page's time to interactive and the answer to a control are unchanged.
When the tab is opened (or a control moves while it is open) it says it is
computing, and the work starts on the kernel's event loop once the controls
have rested (:data:`COMPUTE_AFTER_S`), after any message already waiting,
so the "computing" line reaches the page first. A ticket history's worth is
a second step (another set of draws), scheduled the same way after the
first is shown. Results are kept per (scenario, draws, seed): going back to
a scenario, or exporting it, costs nothing.

Without a running event loop (a script, a test) the tab computes at once.
"""

from __future__ import annotations

import asyncio
import html
import math
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TYPE_CHECKING

import ipywidgets as W

from ...errors import MSPAnalysisError
from ...formatting import money, percent
from ...model.scenario import Scenario
from ..report.how_sure import DRAFT_TRIALS, SURE_LEVELS, HowSure, how_sure, how_sure_html

if TYPE_CHECKING:  # only for the annotation: ingest loads when a client's tickets are read
    from ...ingest.calibration import CalibrationResult

__all__ = ["COMPUTE_AFTER_S", "TAB_TITLE", "DoubtTab", "client_calibration"]

#: The tab's title.
TAB_TITLE = "How sure are we"
#: Seconds the controls must rest, with the tab open, before its figures are computed.
COMPUTE_AFTER_S = 0.5
#: Results kept (a few hundred kilobytes each: the figures, and the draws behind a ticket history's worth).
_KEEP = 32

_CSS = """<style>
.msp-doubt { padding: 8px 4px; font-size: 15px; line-height: 1.4; max-width: 1100px; }
.msp-doubt-cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; margin-bottom: 8px; }
.msp-doubt-card { background: #eef4fa; border-radius: 6px; padding: 4px 10px; }
.msp-doubt-card .k { font-size: 15px; color: #333; }
.msp-doubt-card .v { font-size: 26px; font-weight: 700; }
.msp-doubt-card .s { font-size: 13px; color: #555; }
.msp-doubt section h3 { font-size: 17px; margin: 8px 0 4px 0; }
.msp-doubt-busy { color: #555; font-style: italic; }
</style>"""


def client_calibration(base: Scenario) -> CalibrationResult | None:
    """The ticket history of the client folder whose scenario is ``base``, calibrated at 90%; None if none.

    A folder that cannot be read, or tickets that cannot be loaded, count as
    no history here: the selector and the rest of the page say what is wrong
    with a client's files.
    """
    # ingest is loaded only when a client's tickets are looked for: the page does not need it to start.
    from ...ingest import clients
    from ...ingest.calibration import calibrate
    from ...ingest.tickets import load_tickets

    try:
        folders = clients.list_clients()
    except (OSError, MSPAnalysisError):
        return None
    for folder in folders:
        try:
            client = clients.load_client(folder)
            if client.scenario != base or client.tickets is None:
                continue
            tickets, _ = load_tickets(client.tickets)
            return calibrate(tickets, users=base.organization.users, scenario=base, level=0.9)
        except (OSError, MSPAnalysisError):
            continue
    return None


class DoubtTab:
    """The tab's widget and its cache.

    Parameters
    ----------
    draws, seed : int
        Draws of the inputs and their seed: the exported report's.
    calibration_of : callable, optional
        Finds the ticket history of a scenario as loaded (default
        :func:`client_calibration`).
    """

    def __init__(
        self,
        draws: int,
        seed: int,
        calibration_of: Callable[[Scenario], CalibrationResult | None] = client_calibration,
    ) -> None:
        self.draws, self.seed = int(draws), int(seed)
        self.calibration_of = calibration_of
        self.widget = W.HTML(value=_CSS + '<div class="msp-doubt"></div>')
        self.widget.add_class("msp-doubt-tab")
        self.computations = 0
        self._results: dict[Hashable, HowSure] = {}
        self._calibrations: dict[Scenario, CalibrationResult | None] = {}
        self._wanted: tuple[Scenario, Scenario] | None = None
        self._handle: asyncio.TimerHandle | None = None

    # -- public ----------------------------------------------------------------------------------
    def result(self, scenario: Scenario, base: Scenario) -> HowSure:
        """The figures for ``scenario`` (computed now unless cached), with the history of ``base``'s client."""
        full = self._results.get(self._key(scenario, "history"))
        if full is not None:
            return full
        first = self._first(scenario)
        calibration = self._calibration(base)
        if calibration is None:
            return first
        return self._with_history(scenario, first, calibration)

    def for_export(self, scenario: Scenario, base: Scenario, trials: int) -> HowSure | None:
        """What the exported report shows: the tab's figures, computed now if the tab was never opened.

        None for a draft export (fewer than :data:`~msp_analysis.present.report.how_sure.DRAFT_TRIALS`
        simulated years) whose figures were never computed: the report leaves the section out and says so.
        """
        if trials < DRAFT_TRIALS and self._key(scenario, "") not in self._results:
            return None
        return self.result(scenario, base)

    def show(self, scenario: Scenario, base: Scenario) -> None:
        """The tab is on screen for ``scenario``: show its figures, computing them first if need be."""
        self._wanted = (scenario, base)
        self._cancel()
        done = self._results.get(self._key(scenario, "history")) or self._results.get(self._key(scenario, ""))
        if done is not None and (done.history is not None or self._calibration(base) is None):
            self._render(done)
            return
        self._busy(done)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._render(self.result(scenario, base))
            return
        self._handle = loop.call_later(COMPUTE_AFTER_S, self._step)

    def cancel(self) -> None:
        """The tab was left: nothing pending is computed (what was computed stays cached)."""
        self._wanted = None
        self._cancel()

    # -- steps -----------------------------------------------------------------------------------
    def _step(self) -> None:
        """One step on the event loop: the figures, then (if any) the ticket history's worth."""
        self._handle = None
        if self._wanted is None:
            return
        scenario, base = self._wanted
        try:
            first = self._first(scenario)
            calibration = self._calibration(base)
            if calibration is None:
                self._render(first)
            elif self._key(scenario, "history") in self._results:
                self._render(self._results[self._key(scenario, "history")])
            else:
                self._busy(first)
                self._handle = asyncio.get_running_loop().call_later(COMPUTE_AFTER_S, self._history_step)
        except Exception as exc:  # shown on the tab, never a traceback in the meeting
            self._error(exc)

    def _history_step(self) -> None:
        self._handle = None
        if self._wanted is None:
            return
        scenario, base = self._wanted
        try:
            calibration = self._calibration(base)
            first = self._first(scenario)
            self._render(first if calibration is None else self._with_history(scenario, first, calibration))
        except Exception as exc:
            self._error(exc)

    # -- computing -------------------------------------------------------------------------------
    def _key(self, scenario: Scenario, part: str) -> Hashable:
        return (scenario, self.draws, self.seed, part)

    def _first(self, scenario: Scenario) -> HowSure:
        key = self._key(scenario, "")
        if key not in self._results:
            self._keep(key, how_sure(scenario, self.draws, self.seed))
        return self._results[key]

    def _with_history(self, scenario: Scenario, first: HowSure, calibration: CalibrationResult) -> HowSure:
        key = self._key(scenario, "history")
        if key not in self._results:
            # The same draws as the figures' own are "before the data" (same scenario and seed).
            full = how_sure(scenario, self.draws, self.seed, calibration)
            self._keep(key, replace(first, history=full.history))
        return self._results[key]

    def _keep(self, key: Hashable, result: HowSure) -> None:
        """Cache ``result``; the oldest go past :data:`_KEEP` (a meeting moves a slider back and forth)."""
        self._results[key] = result
        self.computations += 1
        while len(self._results) > _KEEP:
            self._results.pop(next(iter(self._results)))

    def _calibration(self, base: Scenario) -> CalibrationResult | None:
        if base not in self._calibrations:
            self._calibrations[base] = self.calibration_of(base)
        return self._calibrations[base]

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    # -- drawing ---------------------------------------------------------------------------------
    def _render(self, h: HowSure) -> None:
        self.widget.value = _CSS + f'<div class="msp-doubt" data-state="done">{_cards(h)}{how_sure_html(h, "h3")}</div>'

    def _busy(self, partial: HowSure | None) -> None:
        # measured: ~0.8 s for 2,000 draws on an idle 2-core machine since the batch prices draws as arrays;
        # said as a round figure with room for a slower laptop
        seconds = max(1, round(2 * self.draws / 2_000))
        if partial is None:
            what = (
                f"Computing how sure we are: {self.draws:,} draws of the uncertain inputs, each priced exactly "
                f"(about {seconds} seconds; the controls answer again when it is done)..."
            )
            body = f'<p class="msp-doubt-busy">{html.escape(what)}</p>'
        else:
            what = "Computing what the client's ticket history was worth (another set of draws, a few seconds)..."
            body = f'{_cards(partial)}{how_sure_html(partial, "h3")}<p class="msp-doubt-busy">{html.escape(what)}</p>'
        self.widget.value = _CSS + f'<div class="msp-doubt" data-state="computing">{body}</div>'

    def _error(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, MSPAnalysisError) else f"{type(exc).__name__}: {exc}"
        self.widget.value = _CSS + f'<p class="msp-error">Cannot show this: {html.escape(text)}</p>'


def _price(h: HowSure, price: float) -> str:
    """The card's sure-at price: as the report's line says it (per user, or a share of the quote)."""
    if price == math.inf:
        return "any price"
    if not math.isfinite(price):
        return "no price"
    return money(price, h.symbol) if h.per_user else percent(price)


def _cards(h: HowSure) -> str:
    """The tab's figures at a glance, each card saying what kind of "sure" it is."""
    top = max(SURE_LEVELS)
    price = h.prices.get(top, float("nan"))
    cards = [
        ("doubt-prob", "Chance MSP is the better choice", percent(h.prob_msp_better), "over what we do not know"),
        ("doubt-evpi", "Knowing every input exactly", money(h.evpi, h.symbol), "worth at most, a year (EVPI)"),
        (
            "doubt-price",
            f"{percent(top)} sure up to",
            _price(h, price),
            "MSP price per user a month" if h.per_user else "of the quoted subscription",
        ),
    ]
    if h.history is not None:
        cards.append(("doubt-history", "Your ticket history was worth", money(h.history.realised, h.symbol), "a year"))
    body = "".join(
        f'<div class="msp-doubt-card" data-figure="{key}"><div class="k">{html.escape(k)}</div>'
        f'<div class="v">{html.escape(v)}</div><div class="s">{html.escape(s)}</div></div>'
        for key, k, v, s in cards
    )
    return f'<div class="msp-doubt-cards">{body}</div>'
