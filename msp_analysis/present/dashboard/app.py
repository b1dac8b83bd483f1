"""The client dashboard: what a control change recomputes, what is redrawn, and the export.

See :mod:`msp_analysis.present.dashboard` for what the consultant sees and why.
"""

from __future__ import annotations

import asyncio
import html
import math
import time
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np

from ...decisions.projection import Projection
from ...decisions.what_if import with_headcount
from ...engine.expected import expected_components
from ...engine.simulation import MODELS, Comparison, simulate
from ...errors import MSPAnalysisError
from ...files import unique_folder
from ...formatting import nice_step, short_unit, slugify
from ...model.scenario import Scenario, field_info
from ..live import LiveSurface, bug_details, register
from ..report.build import build_report
from ..report.how_sure import draws_for
from ..report.summary import (
    CHARTS,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    Headline,
    changed_paths,
    contract_years,
    default_budget,
    expected_frame,
    headline,
    projection_for,
)
from ..widgets.controls import control, ui_range
from .charts import _DPI, TAB_TITLES, Chart, draw
from .deliver import DeliverPanel
from .doubt import TAB_TITLE, DoubtTab
from .page import CSS, LABELS, TOOLTIPS, assumptions_html, cards_html, label_html, notes_html, title_html
from .serve import PROJECT_ROOT, available_scenarios, reports_dir

__all__ = ["DASHBOARD_TRIALS", "PROJECTION_TRIALS", "REFINE_AFTER_S", "RISK_LEVELS", "Dashboard"]

#: Simulated years of the quick run that answers a control at once: P5/P95 and
#: probabilities within about a percentage point, and a recomputation in ~20 ms.
#: The figures are then refined to the report's :data:`DEFAULT_TRIALS`.
DASHBOARD_TRIALS = 2_000
#: Simulated paths behind the multi-year chart's band in the quick run (refined: the report's).
PROJECTION_TRIALS = 500
#: Seconds without a control change after which the figures are refined to the report's years.
REFINE_AFTER_S = 0.3
#: Seconds after an export during which a click is taken for the second half of a double click.
_EXPORT_REPEAT_S = 1.0
#: Risk appetite: what "a bad year" means.
RISK_LEVELS = {"1 year in 10 (P90)": 0.90, "1 year in 20 (P95)": 0.95, "1 year in 100 (P99)": 0.99}

#: The scenario fields behind the sliders, by control key.
_PATHS = {
    "users": "organization.users",
    "msp_price": "msp.per_user_monthly",
    "hourly_rate": "break_fix.hourly_rate",
    # An hour of downtime is valued at idle staff cost by default (issue 12): the
    # loaded cost of an hour is what moves it; lost revenue counts only if the
    # scenario says so (organization.downtime_revenue_weight), never on top.
    "downtime_cost": "organization.loaded_hourly_cost",
    "patch_latency": "break_fix.patch_latency_days",
}


#: Every field a control can move: the sliders' own, and those that follow them
#: (devices follow headcount, the remote rate follows the on-site rate).
_MOVABLE = (*_PATHS.values(), "organization.workstations", "organization.servers", "break_fix.remote_hourly_rate")


def _with_control(scenario: Scenario, key: str, value: Any) -> Scenario:
    """The scenario with one slider applied.

    Headcount scales workstations and servers with it
    (:func:`msp_analysis.decisions.what_if.with_headcount`); the Break/Fix remote rate
    keeps its ratio to the on-site rate.
    """
    if key == "users":
        return with_headcount(scenario, int(value))
    if key == "hourly_rate":
        bf = scenario.break_fix
        ratio = float(value) / bf.hourly_rate
        return scenario.replace(
            {"break_fix.hourly_rate": float(value), "break_fix.remote_hourly_rate": bf.remote_hourly_rate * ratio}
        )
    return scenario.replace({_PATHS[key]: value})


def _set_range(widget: W.ValueWidget, lo: float, hi: float, step: float, value: float) -> None:
    """Give a slider a new range and value without ever clipping on the way."""
    cast = int if isinstance(widget, W.IntSlider) else float
    lo, hi = cast(min(lo, value)), cast(max(hi, value))
    widget.max = max(hi, widget.max)
    widget.min = min(lo, widget.min)
    widget.step = cast(step)
    widget.value = cast(value)
    widget.min, widget.max = lo, hi


def _shown(path: Path) -> str:
    """A folder as the consultant should read it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


class Dashboard(LiveSurface):
    """The client dashboard: controls, headline figures, four charts, assumptions, export.

    A :class:`~msp_analysis.present.live.LiveSurface`: ``with d.hold():``
    recomputes once after several changes, :meth:`flush` draws the charts of
    hidden tabs, and an error shows its text in the status line.

    Parameters
    ----------
    scenarios : mapping of str to Scenario or callable, optional
        What the selector lists (default :func:`available_scenarios`).
    selected : str, optional
        The label to start on (default: the first).
    trials : int
        Simulated years of the quick run that answers a control at once.
    seed : int
        Seed of every recomputation (SPEC 7).
    years : int, optional
        Years in the multi-year chart (default: the MSP contract's term,
        :func:`~msp_analysis.present.report.summary.contract_years`).
    report_trials : int
        Simulated years behind an exported report. The figures on screen are
        refined to this many when the controls rest (:data:`REFINE_AFTER_S`,
        on the kernel's event loop), on :meth:`refine`, :meth:`flush` and
        before an export, so screen and report show the same figures.
    out_dir : Path, optional
        Where the export button writes (default :func:`reports_dir`).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole dashboard (displaying the object displays it).
    inputs : dict of str to ipywidgets.Widget
        ``scenario``, ``users``, ``msp_price``, ``hourly_rate``,
        ``downtime_cost``, ``patch_latency``, ``budget`` and ``risk``.
    yours_box : ipywidgets.Checkbox
        "The values moved here are the client's own" (see :meth:`yours`).
    controls : list
        The same widgets, as :func:`msp_analysis.testing.drive` expects.
    errors : list of Exception
        Every error a callback caught (its text was shown, never a traceback).
    renders : dict
        ``{"figures": n}``: recomputations of the figures (every change redraws them).
    chart_draws : int
        Charts drawn (only those whose data changed, see the module docstring).
    timings : list of float
        Seconds each recomputation (with the redraw of the visible chart) took.
    headline : msp_analysis.present.report.Headline
        The figures on screen (``headline.trials``: the simulated years behind them).
    deliver : msp_analysis.present.dashboard.deliver.DeliverPanel
        The lines above the cards: fees alone, the operational break-even, what the saving rests on.
    """

    def __init__(
        self,
        scenarios: Mapping[str, Scenario | Callable[[], Scenario]] | None = None,
        selected: str | None = None,
        *,
        trials: int = DASHBOARD_TRIALS,
        seed: int = DEFAULT_SEED,
        years: int | None = None,
        report_trials: int = DEFAULT_TRIALS,
        out_dir: str | Path | None = None,
    ) -> None:
        super().__init__()
        self.sources = dict(scenarios) if scenarios is not None else available_scenarios()
        if not self.sources:
            raise ValueError("scenarios: got none, expected at least one scenario to show")
        self.trials, self.seed, self.report_trials = int(trials), seed, int(report_trials)
        self.years = int(years) if years is not None else None
        self._refine_handle: asyncio.TimerHandle | None = None
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.timings: list[float] = []
        self.renders = {"figures": 0}
        self.chart_draws = 0
        self.last_export: list[Path] = []
        self.headline: Headline
        self._export_done = -math.inf
        self._silent = 0
        self._projection: Projection | None = None
        self._scenario: Scenario
        self._comparison: Comparison
        self._comps: dict[str, dict[str, float]]
        self._assumptions_key: tuple[Scenario, frozenset[str]] | None = None
        first = selected if selected is not None else next(iter(self.sources))
        self.base = self._scenario_of(first)
        self._label = first
        self._build_widgets()
        self._load(first, self.base)
        register(self)

    # -- public --------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario on screen: the selected one with the sliders applied."""
        return self._scenario

    @property
    def controls(self) -> list[W.ValueWidget]:
        """Every control: the scenario selector, the sliders, budget and risk appetite."""
        return list(self.inputs.values())

    def param_values(self) -> dict[str, Any]:
        """The controls that are not scenario fields: budget and risk appetite."""
        return {"budget": self.inputs["budget"].value, "risk": self.inputs["risk"].value}

    def set(self, key: str, value: Any) -> None:
        """Set a control as a user would (its callback runs)."""
        self.inputs[key].value = value

    def select(self, label: str) -> None:
        """Choose a scenario in the selector."""
        self.inputs["scenario"].value = label

    @property
    def refined(self) -> bool:
        """True when the figures on screen come from as many simulated years as the report's."""
        return self.headline.trials == self.capped_trials(self.report_trials)

    def refine(self) -> bool:
        """Bring the figures on screen to the report's simulated years now; False if they already were."""
        self._cancel_refine()
        if self.refined:
            return False
        self._recompute(self.report_trials)
        return True

    def yours(self) -> frozenset[str]:
        """The fields that are the client's own numbers, as the report marks them ("your figure").

        Those that came from the client's files (the selected scenario's values
        that differ from the sample's) and were not moved since; and the values
        moved on screen only when the consultant marks them as the client's
        (the "client's own" checkbox).
        """
        s, base = self.scenario, self.base
        moved = {p for p in _MOVABLE if s.get(p) != base.get(p)}
        own = self._from_files - moved
        return frozenset(own | moved if self.yours_box.value else own)

    def contract_years(self) -> int:
        """Years in the multi-year chart: ``years`` if given, else the contract term of the scenario on screen."""
        return self.years if self.years is not None else contract_years(self.scenario)

    def flush(self) -> None:
        """Finish pending work: refine the figures, draw every chart that is out of date, hidden tabs included."""
        with self.guard(self.status):
            self.refine()
        for chart in self.charts.values():
            if chart.stale:
                with self.guard(self.status):
                    self._draw(chart)

    def export(self, out_dir: str | Path | None = None) -> list[Path]:
        """Write the report of the scenario on screen (what the export button does).

        The figures on screen are refined first (:meth:`refine`), so the report
        holds exactly what the screen then shows: same scenario, seed and
        simulated years.
        """
        self.refine()
        folder = Path(out_dir) if out_dir is not None else self._export_folder()
        return build_report(
            self.scenario,
            folder,
            trials=self.headline.trials,
            seed=self.seed,
            years=self.contract_years(),
            budget=self.headline.budget,
            level=self.headline.level,
            yours=self.yours(),
            doubt=self.doubt.for_export(self.scenario, self.base, self.headline.trials),
        )

    def error_html(self, exc: BaseException) -> str:
        """The dashboard's error line: the library's message as it is; a bug with its type, and where it happened."""
        text = str(exc) if isinstance(exc, MSPAnalysisError) else f"{type(exc).__name__}: {exc}"
        return f'<p class="msp-error">Cannot show this: {html.escape(text)}</p>{bug_details(exc)}'

    # -- building --------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.title = W.HTML()
        self.status = W.HTML()
        self.inputs: dict[str, W.ValueWidget] = {}
        self._labels: dict[str, W.HTML] = {}
        scenario = W.Dropdown(options=list(self.sources), value=self._label, layout=W.Layout(width="340px"))
        scenario.observe(self._on_scenario, names="value")
        scenario.add_class("msp-scenario")
        self.inputs["scenario"] = scenario
        sidebar = self._build_sidebar()
        self.cards = W.HTML()
        self.cards.add_class("msp-headline")
        self.charts = {name: Chart(name) for name in CHARTS}
        # The last tab, "How sure are we", is computed when opened (doubt.py): the same draws as the report's.
        self.doubt = DoubtTab(draws_for(self.report_trials), self.seed)
        tabs = [self.charts[n].image for n in CHARTS] + [self.doubt.widget]
        self.tabs = W.Tab(children=tabs, titles=[TAB_TITLES[n] for n in CHARTS] + [TAB_TITLE])
        self.tabs.selected_index = 0
        self.tabs.observe(self._on_tab, names="selected_index")
        self.deliver = DeliverPanel()  # issue 12: what the invoices say and what the MSP must deliver, first
        main = W.VBox([self.deliver.widget, self.cards, self.tabs], layout=W.Layout(flex="1 1 auto", min_width="0"))
        self.assumptions = W.HTML()
        # The picker keeps its width (flex 0 0 auto): a long title wraps instead
        # of pushing the selector off a narrow screen.
        picker = W.VBox(
            [W.HTML(label_html("Scenario")), scenario],
            layout=W.Layout(flex="0 0 auto", overflow="visible"),
        )
        picker.add_class("msp-picker")
        header = W.HBox(
            [W.Box([self.title], layout=W.Layout(flex="1 1 auto")), picker],
            layout=W.Layout(align_items="flex-end", margin="0 0 6px 0", overflow="visible"),
        )
        self.widget = W.VBox(
            [W.HTML(CSS), header, self.status, W.HBox([sidebar, main]), self.assumptions],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("msp-dash")

    def _build_sidebar(self) -> W.VBox:
        rows: list[W.Widget] = []
        for key, path in _PATHS.items():
            # Slider from the suite's control factory (same ranges as the
            # notebooks), described by an HTML label above it: a projector
            # needs the room, and a description would be typeset as maths.
            w = control(
                path,
                self.base,
                description="",
                continuous_update=False,
                layout=W.Layout(width="100%"),
                style={"description_width": "0px"},
            )
            self._add(key, w, rows)
            if key == "downtime_cost":
                self.outage_note = W.HTML()
                rows.append(self.outage_note)
            if key == "patch_latency":
                self.patch_note = W.HTML()
                rows.append(self.patch_note)
        budget = W.FloatSlider(
            min=0,
            max=1,
            step=1,
            readout_format=",.0f",
            continuous_update=False,
            layout=W.Layout(width="100%"),
            style={"description_width": "0px"},
        )
        self._add("budget", budget, rows)
        risk = W.Dropdown(options=list(RISK_LEVELS), value="1 year in 20 (P95)", layout=W.Layout(width="100%"))
        self._add("risk", risk, rows)
        # What the report may call "your figure": a value moved here is the
        # consultant's what-if unless the client says it is theirs.
        yours = W.Checkbox(
            value=False,
            description="The values moved here are the client's own",
            indent=False,
            layout=W.Layout(width="100%", margin="12px 0 0 0"),
        )
        yours.observe(self._on_yours, names="value")
        yours.add_class("msp-control-yours")
        # Not among the controls: it changes no figure, only who the report says a value belongs to.
        self.yours_box = yours
        rows.append(yours)
        self.export_button = W.Button(
            description="Export report (HTML, PowerPoint, PDF)",
            icon="",
            button_style="primary",
            layout=W.Layout(width="100%", margin="8px 0 4px 0"),
            tooltip="Write the leave-behind report of what is on screen",
        )
        self.export_button.add_class("msp-export")
        self.export_button.on_click(self._on_export)
        self.export_status = W.HTML()
        self.export_status.add_class("msp-export-status")
        rows += [self.export_button, self.export_status]
        # overflow visible: a widget box scrolls by default, and the sliders' few
        # pixels past the edge put a scrollbar under the controls on a desktop browser.
        sidebar = W.VBox(
            rows, layout=W.Layout(width="340px", min_width="340px", padding="0 18px 0 0", overflow="visible")
        )
        sidebar.add_class("msp-sidebar")
        return sidebar

    def _add(self, key: str, widget: W.ValueWidget, rows: list[W.Widget]) -> None:
        widget.observe(self._on_control, names="value")
        widget.add_class(f"msp-control-{key}")
        self.inputs[key] = widget
        self._labels[key] = W.HTML(tooltip=TOOLTIPS.get(key))
        rows += [self._labels[key], widget]

    # -- state changes ---------------------------------------------------------------------------
    def _scenario_of(self, label: str) -> Scenario:
        source = self.sources[label]
        scenario = source() if callable(source) else source
        if not isinstance(scenario, Scenario):
            raise TypeError(f"{label}: expected a Scenario, got {type(scenario).__name__}")
        return scenario

    def _load(self, label: str, base: Scenario) -> None:
        """Show ``base``: every slider back to its value, ranges fitted, everything redrawn."""
        self.base, self._label = base, label
        self._from_files = changed_paths(base)
        self.export_status.value = ""
        sym = base.organization.currency_symbol
        exp = expected_components(base)
        budget = default_budget({m: exp[m]["fees"] for m in MODELS})
        self._silent += 1
        try:
            for key, path in _PATHS.items():
                w, value = self.inputs[key], base.get(path)
                lo, hi, step = ui_range(path, value)
                _set_range(w, lo, hi, step, value)
                unit = short_unit(field_info(path).unit, sym)
                self._labels[key].value = label_html(LABELS[key].format(unit=unit))
            hi = max(budget * 3, 1.0)
            step = nice_step(hi)
            _set_range(self.inputs["budget"], 0.0, float(np.ceil(hi / step) * step), step, budget)
            self._labels["budget"].value = label_html(LABELS["budget"].format(unit=sym + " a year"))
            self._labels["risk"].value = label_html(LABELS["risk"])
        finally:
            self._silent -= 1
        self._recompute()

    def _on_scenario(self, change: Mapping[str, Any]) -> None:
        if self._silent:
            return
        with self.guard(self.status, clear=True):
            try:
                base = self._scenario_of(change["new"])
            except BaseException:
                # Keep what is on screen; the selector goes back to it.
                self._silent += 1
                try:
                    self.inputs["scenario"].value = self._label
                finally:
                    self._silent -= 1
                raise
            self._load(change["new"], base)

    def _on_control(self, _change: object) -> None:
        if not self._silent:
            self.changed()

    def _on_yours(self, _change: object) -> None:
        with self.guard(self.status):
            self._assumptions_key = (self._scenario, self.yours())
            self.assumptions.value = assumptions_html(*self._assumptions_key)
            self.deliver.show(*self._assumptions_key)

    def _update(self) -> None:
        self.export_status.value = ""  # the last export's note is about what was on screen then
        with self.guard(self.status, clear=True):
            self._recompute()

    def _on_tab(self, change: Mapping[str, Any]) -> None:
        index = change["new"]
        if index is None:
            return
        if index == len(CHARTS):
            with self.guard(self.status, clear=True):
                self.doubt.show(self._scenario, self.base)
            return
        self.doubt.cancel()
        chart = self.charts[CHARTS[index]]
        if chart.stale:
            with self.guard(self.status, clear=True):
                self._draw(chart)

    def _on_export(self, _button: object) -> None:
        # A double click sends two clicks before the page learns the button is
        # disabled; the second waits in the kernel's queue and wrote the whole
        # report again, into a second folder. A click that arrives right after
        # an export finished is that second click.
        if time.monotonic() - self._export_done < _EXPORT_REPEAT_S:
            return
        self.export_button.disabled = True
        self.export_status.value = '<p class="msp-ok">Writing the report...</p>'
        try:
            with self.guard(self.export_status):
                paths = self.export()
                self.last_export = paths
                names = "<br>".join(html.escape(p.name) for p in paths)
                self.export_status.value = (
                    f'<p class="msp-ok">Report written to <b>{html.escape(_shown(paths[0].parent))}</b>:<br>{names}</p>'
                )
        finally:
            self.export_button.disabled = False
            self._export_done = time.monotonic()

    def _export_folder(self) -> Path:
        root = self.out_dir if self.out_dir is not None else reports_dir()
        # created here, time plus a counter: two exports in the same second (two pages) never share a folder
        return unique_folder(root, slugify(self.scenario.organization.name))

    # -- recomputation ------------------------------------------------------------------------------
    def _recompute(self, trials: int | None = None) -> None:
        """Figures for the controls as they are: a quick run (``trials`` None), or ``trials`` simulated years.

        After a quick run the refinement to the report's years is scheduled
        for when the controls rest (:meth:`_schedule_refine`).
        """
        t0 = time.perf_counter()
        s = self.base
        for key, path in _PATHS.items():
            value = self.inputs[key].value
            if value != self.base.get(path):
                s = _with_control(s, key, value)
        comps = expected_components(s)
        self._widen_budget(max(comps[m]["fees"] for m in MODELS))
        if trials is None and hasattr(self, "_scenario") and s == self._scenario and self.refined:
            # Only the budget or the risk appetite moved: the refined years still hold.
            comparison, projection = self._comparison, self._projection
        else:
            # The quick run is never larger than the report's: the screen would then settle on other figures.
            n = self.capped_trials(min(self.trials, self.report_trials) if trials is None else trials)
            comparison, projection = simulate(s, trials=n, seed=self.seed, progress=False), None
        level = RISK_LEVELS[self.inputs["risk"].value]
        self.headline = headline(comparison, comps, budget=float(self.inputs["budget"].value), level=level)
        self._scenario, self._comparison, self._comps, self._projection = s, comparison, comps, projection
        self._render_text()
        self.renders["figures"] += 1
        for name, chart in self.charts.items():
            chart.wanted = self._wanted(name, s, comparison, comps)
        index = self.tabs.selected_index or 0
        if index == len(CHARTS):
            self.doubt.show(s, self.base)
        elif self.charts[CHARTS[index]].stale:
            self._draw(self.charts[CHARTS[index]])
        self.timings.append(time.perf_counter() - t0)
        if self.refined:
            self._cancel_refine()
        else:
            self._schedule_refine()

    def _schedule_refine(self) -> None:
        """Refine once the controls have rested :data:`REFINE_AFTER_S` seconds, on the kernel's event loop.

        The timer runs on the loop that delivers the widgets' messages, so the
        refinement never overlaps a control change, and the next change cancels
        it. Without a running loop (a script, a test) nothing is scheduled:
        :meth:`refine`, :meth:`flush` and :meth:`export` refine.
        """
        self._cancel_refine()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._refine_handle = loop.call_later(REFINE_AFTER_S, self._refine_when_idle)

    def _cancel_refine(self) -> None:
        if self._refine_handle is not None:
            self._refine_handle.cancel()
            self._refine_handle = None

    def _refine_when_idle(self) -> None:
        self._refine_handle = None
        with self.guard(self.status):
            self.refine()

    @staticmethod
    def _wanted(name: str, s: Scenario, comparison: Comparison, comps: Mapping[str, Any]) -> Hashable:
        """What a chart shows: a chart is redrawn only when this changes."""
        if name != "exceedance":
            return (s, comparison.n_trials)
        loss = tuple(comparison[m].trials["security_loss"].to_numpy().tobytes() for m in MODELS)
        # The loss curve's legend quotes the exact expected losses (exceedance_labels).
        exact_loss = tuple(comps[m]["security_loss"] for m in MODELS)
        return (hash(loss), comparison.n_trials, exact_loss)

    def _widen_budget(self, fees: float) -> None:
        """Let the budget slider reach past either model's expected fees.

        Its range is fitted to the scenario as loaded (up to three times the
        starting budget); after a headcount or price change the fees can pass
        it, and "IT bill over budget" sat at 100% with no way to ask about a
        larger budget. The range only grows, so the handle does not jump back
        and forth; the value and the step are kept (a browser slider snaps its
        value to a multiple of a new step: 50,000 became 60,000).
        """
        w = self.inputs["budget"]
        need = 1.5 * fees
        if need <= w.max:
            return
        self._silent += 1
        try:
            _set_range(w, w.min, float(np.ceil(need / w.step) * w.step), w.step, w.value)
        finally:
            self._silent -= 1

    def _draw(self, chart: Chart) -> None:
        if chart.name == "projection" and self._projection is None:
            # Refined: the report's paths (build_report draws its band from as many).
            n = self.headline.trials if self.refined else min(PROJECTION_TRIALS, self.headline.trials)
            self._projection = projection_for(self._scenario, self.contract_years(), trials=n, seed=self.seed)
        dpi = self.limits.figure_dpi or _DPI
        draw(chart, self._comparison, expected_frame(self._comps), self._projection, dpi)
        self.chart_draws += 1

    def _render_text(self) -> None:
        s = self._scenario
        self.title.value = title_html(s, self.headline.trials, self.capped_trials(self.report_trials))
        self.outage_note.value, self.patch_note.value = notes_html(s)
        self.deliver.show(s, self.yours())  # redrawn only when the scenario or the client's numbers change
        availability = {m: self._comps[m]["availability"] for m in MODELS}
        self.cards.value = cards_html(self.headline, availability)
        key = (s, self.yours())
        if key != self._assumptions_key:  # a budget or risk change leaves the table as it is (~8 ms saved)
            self.assumptions.value = assumptions_html(*key)
            self._assumptions_key = key
