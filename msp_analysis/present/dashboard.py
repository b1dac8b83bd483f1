"""The client presentation: a dashboard for Voilà, and how to serve it offline.

``notebooks/07_client_presentation.ipynb`` only builds a :class:`Dashboard`
and displays it; everything the consultant shows is made here:

- a title with the client's name and a selector of scenarios (the sample and
  every client scenario under ``data/clients/``);
- the few controls a client asks about (from :func:`msp_analysis.present.widgets.control`,
  so they match the notebooks): headcount (workstations and servers
  follow), the MSP's price per user, the Break/Fix hourly rate (on-site; the
  remote rate keeps its ratio to it), the revenue lost per hour of a full
  outage (the part of downtime cost a client knows least; the full cost of an
  outage hour is shown under it), patch latency without an MSP, a budget for
  the IT bill and a risk appetite ("plan for a bad year of 1 in 20");
- the headline figures (:func:`msp_analysis.present.report.headline`), four charts
  (:data:`msp_analysis.present.report.CHARTS`), the assumptions with their sources;
- an export button that writes the leave-behind report
  (:func:`msp_analysis.present.report.build_report`) into ``reports/<client>-<time>/``
  and says where.

Responsiveness. A control change recomputes the exact expectations (well under
a millisecond), a :data:`DASHBOARD_TRIALS`-year simulation (about 20 ms for
the sample organisation; its cost does not grow with headcount) and the
headline figures, then redraws the chart on screen. Charts sit in tabs: the
visible one is redrawn at once, the others when their tab is opened (or on
:meth:`Dashboard.flush`), and a chart whose data did not change (the
security-loss curve when a price moves, every chart when only the budget
moves) is not redrawn at all. Sliders update when released. Every
recomputation uses the same seed, so a change shows the effect of the change,
not simulation noise, and moving a control back restores the same figures.

Offline. :func:`voila_command` is the one place that says how Voilà is
started (``make present`` and the browser test both use it): bound to
127.0.0.1, idle kernels culled, and a template (shipped in
``msp_analysis/present/jupyter_path``) that is Voilà's "lab" template without the
FontAwesome stylesheets it would fetch from a CDN. The dashboard uses no
icons, and widget descriptions (which the page typesets as maths) carry no
text: labels are plain HTML.

Examples
--------
>>> from msp_analysis.present.dashboard import Dashboard
>>> d = Dashboard(trials=500)
>>> before = d.headline.total["msp"]
>>> d.set("msp_price", 150)
>>> d.headline.total["msp"] > before, d.errors
(True, [])
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import io
import json
import math
import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import ipywidgets as W
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from ..engine.expected import expected_components
from ..engine.simulation import MODELS, simulate
from ..errors import MSPAnalysisError
from ..formatting import mathtext_safe, money, money_compact, nice_step
from ..ingest import clients
from ..model.defaults import sample_scenario
from ..model.downtime import cost_per_user_hour
from ..model.scenario import Scenario
from . import widgets as suite_widgets
from .plotting import apply_style
from .report import (
    CHARTS,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    _breakdown_title,
    _distribution_title,
    assumption_rows,
    build_report,
    default_budget,
    draw_chart,
    exceedance_labels,
    expected_frame,
    headline,
    percent,
    projection_for,
    slugify,
)

__all__ = [
    "DASHBOARD_TRIALS",
    "PROJECTION_TRIALS",
    "RISK_LEVELS",
    "TEMPLATE",
    "Dashboard",
    "available_scenarios",
    "measure_latency",
    "reports_dir",
    "voila_command",
]

#: Simulated years behind the live figures: P5/P95 and probabilities within
#: about a percentage point, and a recomputation in ~20 ms.
DASHBOARD_TRIALS = 2_000
#: Simulated paths behind the multi-year chart's band.
PROJECTION_TRIALS = 500
#: Seconds after an export during which a click is taken for the second half of a double click.
_EXPORT_REPEAT_S = 1.0
#: Risk appetite: what "a bad year" means.
RISK_LEVELS = {"1 year in 10 (P90)": 0.90, "1 year in 20 (P95)": 0.95, "1 year in 100 (P99)": 0.99}
#: The Voilà template without CDN assets (``msp_analysis/present/jupyter_path/voila/templates``).
TEMPLATE = "msp_offline"

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A folder on JUPYTER_PATH: Voilà finds the template under voila/templates/ in it.
_TEMPLATE_ROOT = Path(__file__).resolve().parent / "jupyter_path"

#: The scenario fields behind the sliders, by control key.
_PATHS = {
    "users": "organization.users",
    "msp_price": "msp.per_user_monthly",
    "hourly_rate": "break_fix.hourly_rate",
    "outage_revenue": "organization.revenue_per_outage_hour",
    "patch_latency": "break_fix.patch_latency_days",
}
_LABELS = {
    "users": "Headcount ({unit}; devices follow)",
    "msp_price": "MSP price per user ({unit})",
    "hourly_rate": "Break/Fix hourly rate ({unit})",
    "outage_revenue": "Revenue lost per hour of full outage ({unit})",
    "patch_latency": "Patch latency without an MSP ({unit})",
    "budget": "IT support budget ({unit})",
    "risk": "Risk appetite: plan for a bad year of",
}
_TOOLTIPS = {
    "users": "Workstations and servers scale with the headcount",
    "hourly_rate": "The on-site rate; the remote rate keeps its ratio to it",
    "outage_revenue": "Revenue lost, not merely delayed, while every user is down",
    "budget": "What the IT support bill (fees only) should not exceed in a year",
}
_TAB_TITLES = {
    "distribution": "A year's cost",
    "breakdown": "Where the money goes",
    "exceedance": "Security risk",
    "projection": "Over the years",
}
# Chart size on screen: the tab panel is ~880 px wide in a 1280x720 window.
_FIGSIZE = (11.0, 4.4)
_DPI = 80
_TITLE_WIDTH = 72
_BINS = 30
#: Charts whose amount axis gets at most five intervals.
_FEW_TICKS = ("breakdown", "projection")
# Fixed margins per chart (left, bottom, right, top, as figure fractions):
# constrained layout would find them itself but costs as much as the drawing.
_MARGINS = {
    "distribution": (0.05, 0.15, 0.98, 0.84),
    "breakdown": (0.09, 0.1, 0.78, 0.84),
    "exceedance": (0.1, 0.15, 0.98, 0.84),
    "projection": (0.1, 0.12, 0.98, 0.84),
}


# -- where things are ----------------------------------------------------------------------


def reports_dir() -> Path:
    """Where the export button writes (``MSP_ANALYSIS_REPORTS`` overrides ``<project>/reports``)."""
    env = os.environ.get("MSP_ANALYSIS_REPORTS")
    return Path(env) if env else _PROJECT_ROOT / "reports"


def available_scenarios() -> dict[str, Callable[[], Scenario]]:
    """The scenarios the selector lists, ``{label: loader}``, the sample first.

    Client scenarios are the folders :func:`msp_analysis.ingest.clients.list_clients`
    finds, each labelled with the organisation's name as its ``scenario.json``
    gives it (the client sees the selector), or its folder's name when the file
    cannot be read. Loading waits until a scenario is chosen, so one broken
    client file does not stop the meeting: choosing it shows its error and
    keeps the scenario on screen.

    Examples
    --------
    >>> found = available_scenarios()
    >>> list(found)[0], "Client: Harbourview Partners (sample)" in found
    ('Sample organisation', True)
    """
    try:
        folders = clients.list_clients()
    except (OSError, MSPAnalysisError):
        folders = []
    out: dict[str, Callable[[], Scenario]] = {"Sample organisation": sample_scenario}
    for folder in folders:
        label = f"Client: {_organisation_name(folder)}"
        if label in out:  # two folders, one organisation name: tell them apart
            label = f"{label} ({folder})"
        out[label] = _client_loader(folder)
    return out


def _organisation_name(folder: str) -> str:
    """The organisation's name in ``clients/<folder>/scenario.json``, without validating it.

    A glance at one key, not a load: validation waits until the scenario is
    chosen, and any problem here just falls back to the folder's name.
    """
    try:
        with open(clients.client_dir(folder) / "scenario.json", encoding="utf-8") as f:
            name = json.load(f)["organization"]["name"]
    except (OSError, ValueError, KeyError, TypeError, MSPAnalysisError):
        return folder
    return name.strip() if isinstance(name, str) and name.strip() else folder


def _client_loader(folder: str) -> Callable[[], Scenario]:
    return lambda: clients.load_client(folder).scenario


def voila_command(
    port: int = 8866,
    notebook: str | Path | None = None,
    *,
    cull_idle_timeout: int = 600,
    cull_interval: int = 60,
    extra: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the dashboard with Voilà.

    Bound to 127.0.0.1 only. A kernel is shut down ``cull_idle_timeout``
    seconds after its last activity once no browser is connected to it
    (``cull_connected=False``: the dashboard on screen through a long meeting
    keeps its kernel; a closed tab, or a bare GET that never connects, does
    not), checked every ``cull_interval`` seconds. ``JUPYTER_PATH`` points at
    the :data:`TEMPLATE` template, which leaves out the CDN stylesheets of
    Voilà's own.

    Returns
    -------
    (argv, env)
        For :class:`subprocess.Popen` or :func:`os.execve`.

    Examples
    --------
    >>> argv, env = voila_command(9000)
    >>> "--Voila.ip=127.0.0.1" in argv, "--port=9000" in argv
    (True, True)
    """
    nb = Path(notebook) if notebook else _PROJECT_ROOT / "notebooks" / "07_client_presentation.ipynb"
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(nb),
        "--no-browser",
        f"--port={int(port)}",
        "--Voila.ip=127.0.0.1",
        "--theme=light",
        f"--template={TEMPLATE}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
        *extra,
    ]
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(_TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")) if p)
    # The kernel draws with Agg; a machine without a display must not try a GUI backend.
    env.setdefault("MPLBACKEND", "Agg")
    return argv, env


# -- applying a control ----------------------------------------------------------------------


def _with_control(scenario: Scenario, key: str, value) -> Scenario:
    """The scenario with one slider applied.

    Headcount scales workstations and servers with it
    (:func:`msp_analysis.decisions.what_if.with_headcount`); the Break/Fix remote rate
    keeps its ratio to the on-site rate.
    """
    if key == "users":
        from ..decisions.what_if import with_headcount

        return with_headcount(scenario, int(value))
    if key == "hourly_rate":
        bf = scenario.break_fix
        ratio = float(value) / bf.hourly_rate
        return scenario.replace(
            {"break_fix.hourly_rate": float(value), "break_fix.remote_hourly_rate": bf.remote_hourly_rate * ratio}
        )
    return scenario.replace({_PATHS[key]: value})


# -- charts -----------------------------------------------------------------------------------


class _Chart:
    """One chart tab: a figure kept between redraws and the PNG shown for it.

    The first drawing builds the chart with the library
    (:func:`msp_analysis.present.report.draw_chart`); later ones move the data of
    the same artists (:data:`_UPDATES`), which draws exactly the same picture
    at a fraction of the cost: no new axes, ticks, legend or text objects
    (and their layouts stay cached). Whatever an update cannot express (a
    payback year that appears, a curve with no losses) rebuilds the chart.
    """

    def __init__(self, name: str):
        self.name = name
        self.figure = Figure(figsize=_FIGSIZE, dpi=_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = None
        self.image = W.Image(format="png", layout=W.Layout(width="100%", height="auto"))
        self.image.add_class(f"msp-chart-{name}")
        self.key = None  # what is drawn
        self.wanted = None  # what should be drawn
        self.rebuilds = 0

    @property
    def stale(self) -> bool:
        return self.key != self.wanted

    def draw(self, build: Callable, dpi: float, update: Callable | None = None) -> None:
        fig = self.figure
        if fig.dpi != dpi:
            fig.set_dpi(dpi)
            self.ax = None
        if self.ax is None or update is None or not update(self.ax):
            fig.clf()
            left, bottom, right, top = _MARGINS[self.name]
            fig.subplots_adjust(left=left, bottom=bottom, right=right, top=top)
            self.ax = build(fig.add_subplot())
            # Minor ticks on log axes cost more to draw than the curves and cannot
            # be read from the back of a room.
            self.ax.xaxis.set_minor_locator(NullLocator())
            self.ax.yaxis.set_minor_locator(NullLocator())
            if self.name in _FEW_TICKS:
                # Five or six amounts read better from the back of a room than nine,
                # and every tick label is text to draw again on each change.
                self.ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
            self.rebuilds += 1
        self.canvas.draw()
        self.image.value = _png(self.canvas)
        self.key = self.wanted


def _png(canvas: FigureCanvasAgg) -> bytes:
    """The drawn canvas as PNG: straight from its pixels (``savefig`` would draw it all again).

    Opaque RGB, zlib level 1: a third of the default level's encoding time,
    for a PNG ~20% larger that a local websocket does not notice.
    """
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


# -- charts updated in place: the same artists as report.draw_chart builds, new data ------------
# Each returns False when the chart on the axes is not one it can update (it is then rebuilt).


def _update_distribution(ax, comparison, table, projection, bins: int) -> bool:
    from .plotting import _cost_histogram_data

    steps, lines = ax.patches, ax.lines
    if len(steps) != len(MODELS) or len(lines) != len(MODELS):
        return False
    data, edges = _cost_histogram_data(comparison, "total_cost", bins)
    if len(steps[0].get_data().edges) != len(edges):
        return False
    for step, line, m in zip(steps, lines, MODELS):
        counts, _ = np.histogram(np.clip(data[m], edges[0], edges[-1]), bins=edges, density=True)
        step.set_data(counts, edges)
        mean = data[m].mean()
        line.set_xdata([mean, mean])
    ax.relim()
    ax.autoscale_view()
    ax.set_title(textwrap.fill(_distribution_title(comparison, table), _TITLE_WIDTH))
    return True


def _update_breakdown(ax, comparison, table, projection, bins: int) -> bool:
    from ..engine.simulation import COST_COLUMNS

    bars, labels = ax.containers, ax.texts
    if len(bars) != len(COST_COLUMNS) or len(labels) != len(MODELS):
        return False
    symbol = comparison.scenario.organization.currency_symbol
    bottom = np.zeros(len(MODELS))
    for container, comp in zip(bars, COST_COLUMNS):
        values = table.loc[comp, list(MODELS)].to_numpy(dtype=float)
        for rect, value, base in zip(container, values, bottom):
            rect.set_y(base)
            rect.set_height(value)
        bottom += values
    for label, x, total in zip(labels, range(len(MODELS)), bottom):
        label.set_text(mathtext_safe(money_compact(total, symbol)))
        label.xy = (x, total)
    ax.set_ylim(0, bottom.max() * 1.15)
    ax.set_title(textwrap.fill(_breakdown_title(table, symbol), _TITLE_WIDTH))
    return True


def _update_exceedance(ax, comparison, table, projection, bins: int) -> bool:
    from .plotting import _exceedance_curves, _exceedance_title

    legend = ax.get_legend()
    if len(ax.lines) != len(MODELS) or legend is None:
        return False
    values, curves = _exceedance_curves(comparison)
    if curves is None:
        return False
    symbol = comparison.scenario.organization.currency_symbol
    labels = exceedance_labels(table, symbol)
    for line, text, m in zip(ax.lines, legend.get_texts(), MODELS):
        line.set_data(*curves[m])
        label = labels[m]
        line.set_label(label)
        text.set_text(label)
    ax.relim()
    ax.autoscale_view(scaley=False)
    ax.set_ylim(max(0.5 / len(values["break_fix"]), 1e-6), 1)
    ax.set_title(textwrap.fill(_exceedance_title(values, symbol), _TITLE_WIDTH))
    return True


def _update_projection(ax, comparison, table, projection, bins: int) -> bool:
    from .plotting import _projection_title

    payback = projection.payback_year
    lines, bands = ax.lines, ax.collections
    if len(lines) != len(MODELS) + (payback is not None) or len(bands) != len(MODELS):
        return False
    t = projection.table
    model = t["model"].to_numpy()
    columns = {c: t[c].to_numpy() for c in ("year", "cumulative_total", "sim_cumulative_p5", "sim_cumulative_p95")}
    if not np.array_equal(lines[0].get_xdata(), columns["year"][model == MODELS[0]]):
        return False
    for line, band, m in zip(lines, bands, MODELS):
        r = {c: v[model == m] for c, v in columns.items()}
        line.set_data(r["year"], r["cumulative_total"])
        band.set_data(r["year"], r["sim_cumulative_p5"], r["sim_cumulative_p95"])
    if payback is not None:
        lines[len(MODELS)].set_xdata([payback, payback])
    # The y range as built: autoscaled over lines and bands, from 0.
    ax.relim()
    for band in bands:
        ax.update_datalim(band.get_paths()[0].vertices)
    ax.set_autoscaley_on(True)
    ax.autoscale_view()
    ax.set_ylim(bottom=0)
    ax.set_title(textwrap.fill(_projection_title(projection), _TITLE_WIDTH))
    return True


_UPDATES = {
    "distribution": _update_distribution,
    "breakdown": _update_breakdown,
    "exceedance": _update_exceedance,
    "projection": _update_projection,
}


# -- the dashboard -----------------------------------------------------------------------------

_CSS = """<style>
.msp-dash { font-size: 16px; color: #222; }
.msp-dash .msp-title { font-size: 30px; font-weight: 700; line-height: 1.2; margin: 0; }
.msp-dash .msp-sub { font-size: 15px; color: #555; margin: 2px 0 0 0; }
.msp-dash .msp-label { font-size: 15px; font-weight: 600; margin: 4px 0 0 0; line-height: 1.2; }
.msp-dash .msp-note { font-size: 13px; color: #555; margin: 0; line-height: 1.2; }
.msp-dash .widget-readout { font-size: 16px; }
.msp-dash .widget-dropdown select { font-size: 16px; height: 34px; }
.msp-dash .lm-TabBar-tabLabel { font-size: 16px; }
.msp-dash .widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto !important; min-width: 190px; max-width: none; }
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
</style>"""


class Dashboard:
    """The client dashboard: controls, headline figures, four charts, assumptions, export.

    Parameters
    ----------
    scenarios : mapping of str to Scenario or callable, optional
        What the selector lists (default :func:`available_scenarios`).
    selected : str, optional
        The label to start on (default: the first).
    trials : int
        Simulated years behind the live figures.
    seed : int
        Seed of every recomputation (SPEC 7).
    years : int
        Contract years in the multi-year chart.
    report_trials : int
        Simulated years behind an exported report.
    out_dir : Path, optional
        Where the export button writes (default :func:`reports_dir`).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole dashboard (displaying the object displays it).
    inputs : dict of str to ipywidgets.Widget
        ``scenario``, ``users``, ``msp_price``, ``hourly_rate``,
        ``outage_revenue``, ``patch_latency``, ``budget`` and ``risk``.
    controls : list
        The same widgets, as :func:`msp_analysis.present.widgets.drive` expects.
    errors : list of Exception
        Every error a callback caught (its text was shown, never a traceback).
    renders : dict
        ``{"figures": n}``: recomputations of the figures (every change redraws them).
    chart_draws : int
        Charts drawn (only those whose data changed, see the module docstring).
    timings : list of float
        Seconds each recomputation (with the redraw of the visible chart) took.
    headline : msp_analysis.present.report.Headline
        The figures on screen.
    """

    def __init__(
        self,
        scenarios: Mapping[str, Scenario | Callable[[], Scenario]] | None = None,
        selected: str | None = None,
        *,
        trials: int = DASHBOARD_TRIALS,
        seed: int = DEFAULT_SEED,
        years: int = 3,
        report_trials: int = DEFAULT_TRIALS,
        out_dir: str | Path | None = None,
    ):
        self.sources = dict(scenarios) if scenarios is not None else available_scenarios()
        if not self.sources:
            raise ValueError("scenarios: got none, expected at least one scenario to show")
        self.trials, self.seed, self.years, self.report_trials = int(trials), seed, int(years), int(report_trials)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.errors: list[BaseException] = []
        self.timings: list[float] = []
        self.renders = {"figures": 0}
        self.chart_draws = 0
        self.last_export: list[Path] = []
        self._export_done = -math.inf
        self._silent = 0
        self._hold = 0
        self._dirty = False
        first = selected if selected is not None else next(iter(self.sources))
        self.base = self._scenario_of(first)
        self._label = first
        self._build_widgets()
        self._load(first, self.base)
        suite_widgets.register(self)

    # -- public --------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario on screen: the selected one with the sliders applied."""
        return self._scenario

    @property
    def controls(self) -> list[W.ValueWidget]:
        return list(self.inputs.values())

    def param_values(self) -> dict:
        """The controls that are not scenario fields: budget and risk appetite."""
        return {"budget": self.inputs["budget"].value, "risk": self.inputs["risk"].value}

    def set(self, key: str, value) -> None:
        """Set a control as a user would (its callback runs)."""
        self.inputs[key].value = value

    def select(self, label: str) -> None:
        """Choose a scenario in the selector."""
        self.inputs["scenario"].value = label

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls and recompute once, at the end."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
            if self._hold == 0 and self._dirty:
                with self._guard():
                    self._recompute()

    def flush(self) -> None:
        """Finish pending work: draw every chart that is out of date, hidden tabs included."""
        for chart in self.charts.values():
            if chart.stale:
                with self._guard():
                    self._draw(chart)

    def export(self, out_dir: str | Path | None = None) -> list[Path]:
        """Write the report of the scenario on screen (what the export button does)."""
        folder = Path(out_dir) if out_dir is not None else self._export_folder()
        return build_report(
            self.scenario,
            folder,
            trials=self.report_trials,
            seed=self.seed,
            years=self.years,
            budget=self.headline.budget,
            level=self.headline.level,
        )

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    # -- building --------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        s = self.base
        self.title = W.HTML()
        self.status = W.HTML()
        self.inputs: dict[str, W.ValueWidget] = {}
        self._labels: dict[str, W.HTML] = {}
        scenario = W.Dropdown(options=list(self.sources), value=self._label, layout=W.Layout(width="340px"))
        scenario.observe(self._on_scenario, names="value")
        scenario.add_class("msp-scenario")
        self.inputs["scenario"] = scenario
        rows: list[W.Widget] = []
        for key, path in _PATHS.items():
            # Slider from the suite's control factory (same ranges as the
            # notebooks), described by an HTML label above it: a projector
            # needs the room, and a description would be typeset as maths.
            w = suite_widgets.control(
                path,
                s,
                description="",
                continuous_update=False,
                layout=W.Layout(width="100%"),
                style={"description_width": "0px"},
            )
            self._add(key, w, rows)
            if key == "outage_revenue":
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
        self.export_button = W.Button(
            description="Export report (HTML, PowerPoint, PDF)",
            icon="",
            button_style="primary",
            layout=W.Layout(width="100%", margin="16px 0 4px 0"),
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

        self.cards = W.HTML()
        self.cards.add_class("msp-headline")
        self.charts = {name: _Chart(name) for name in CHARTS}
        self.tabs = W.Tab(children=[self.charts[n].image for n in CHARTS], titles=[_TAB_TITLES[n] for n in CHARTS])
        self.tabs.selected_index = 0
        self.tabs.observe(self._on_tab, names="selected_index")
        main = W.VBox([self.cards, self.tabs], layout=W.Layout(flex="1 1 auto", min_width="0"))
        self.assumptions = W.HTML()
        # The picker keeps its width (flex 0 0 auto): a long title wraps instead
        # of pushing the selector off a narrow screen.
        picker = W.VBox(
            [W.HTML('<p class="msp-label">Scenario</p>'), scenario],
            layout=W.Layout(flex="0 0 auto", overflow="visible"),
        )
        picker.add_class("msp-picker")
        header = W.HBox(
            [W.Box([self.title], layout=W.Layout(flex="1 1 auto")), picker],
            layout=W.Layout(align_items="flex-end", margin="0 0 6px 0", overflow="visible"),
        )
        self.widget = W.VBox(
            [W.HTML(_CSS), header, self.status, W.HBox([sidebar, main]), self.assumptions],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("msp-dash")

    def _add(self, key: str, widget: W.ValueWidget, rows: list) -> None:
        widget.observe(self._on_control, names="value")
        widget.add_class(f"msp-control-{key}")
        self.inputs[key] = widget
        self._labels[key] = W.HTML(tooltip=_TOOLTIPS.get(key))
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
        sym = base.organization.currency_symbol
        exp = expected_components(base)
        budget = default_budget({m: exp[m]["fees"] for m in MODELS})
        self._silent += 1
        try:
            for key, path in _PATHS.items():
                w, value = self.inputs[key], base.get(path)
                lo, hi, step = suite_widgets.ui_range(path, value)
                _set_range(w, lo, hi, step, value)
                unit = suite_widgets.short_unit(_unit(path), sym)
                self._labels[key].value = f'<p class="msp-label">{html.escape(_LABELS[key].format(unit=unit))}</p>'
            hi = max(budget * 3, 1.0)
            step = nice_step(hi)
            _set_range(self.inputs["budget"], 0.0, float(np.ceil(hi / step) * step), step, budget)
            self._labels[
                "budget"
            ].value = f'<p class="msp-label">{html.escape(_LABELS["budget"].format(unit=sym + " a year"))}</p>'
            self._labels["risk"].value = f'<p class="msp-label">{html.escape(_LABELS["risk"])}</p>'
        finally:
            self._silent -= 1
        self._recompute()

    def _on_scenario(self, change) -> None:
        if self._silent:
            return
        with self._guard():
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

    def _on_control(self, _change) -> None:
        if self._silent:
            return
        if self._hold:
            self._dirty = True
            return
        with self._guard():
            self._recompute()

    def _on_tab(self, change) -> None:
        index = change["new"]
        if index is None:
            return
        chart = self.charts[CHARTS[index]]
        if chart.stale:
            with self._guard():
                self._draw(chart)

    def _on_export(self, _button) -> None:
        # A double click sends two clicks before the page learns the button is
        # disabled; the second waits in the kernel's queue and wrote the whole
        # report again, into a second folder. A click that arrives right after
        # an export finished is that second click.
        if time.monotonic() - self._export_done < _EXPORT_REPEAT_S:
            return
        self.export_button.disabled = True
        self.export_status.value = '<p class="msp-ok">Writing the report...</p>'
        try:
            with self._guard(self.export_status):
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
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        root = self.out_dir if self.out_dir is not None else reports_dir()
        return root / f"{slugify(self.scenario.organization.name)}-{stamp}"

    @contextlib.contextmanager
    def _guard(self, area: W.HTML | None = None) -> Iterator[None]:
        """Show what went wrong (the library's own message), record it for tests, never raise."""
        area = self.status if area is None else area
        try:
            yield
        except Exception as err:
            self.errors.append(err)
            text = str(err) if isinstance(err, MSPAnalysisError) else f"{type(err).__name__}: {err}"
            area.value = f'<p class="msp-error">Cannot show this: {html.escape(text)}</p>'
        else:
            if area is self.status:
                area.value = ""

    # -- recomputation ------------------------------------------------------------------------------
    def _trials(self) -> int:
        cap = getattr(suite_widgets, "MAX_TRIALS", None)
        return self.trials if cap is None else max(1, min(self.trials, int(cap)))

    def _recompute(self) -> None:
        t0 = time.perf_counter()
        self._dirty = False
        s = self.base
        for key, path in _PATHS.items():
            value = self.inputs[key].value
            if value != self.base.get(path):
                s = _with_control(s, key, value)
        comps = expected_components(s)
        self._widen_budget(max(comps[m]["fees"] for m in MODELS))
        comparison = simulate(s, trials=self._trials(), seed=self.seed, progress=False)
        level = RISK_LEVELS[self.inputs["risk"].value]
        self.headline = headline(comparison, comps, budget=float(self.inputs["budget"].value), level=level)
        self._scenario, self._comparison, self._comps, self._projection = s, comparison, comps, None
        self._render_text()
        self.renders["figures"] += 1
        # What each chart shows: a chart is redrawn only when this changes.
        key = (s, comparison.n_trials)
        loss = tuple(comparison[m].trials["security_loss"].to_numpy().tobytes() for m in MODELS)
        # The loss curve's legend quotes the exact expected losses (exceedance_labels).
        exact_loss = tuple(comps[m]["security_loss"] for m in MODELS)
        wanted = {
            "distribution": key,
            "breakdown": key,
            "exceedance": (hash(loss), key[1], exact_loss),
            "projection": key,
        }
        for name, chart in self.charts.items():
            chart.wanted = wanted[name]
        visible = self.charts[CHARTS[self.tabs.selected_index or 0]]
        if visible.stale:
            self._draw(visible)
        self.timings.append(time.perf_counter() - t0)

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

    def _draw(self, chart: _Chart) -> None:
        if chart.name == "projection" and self._projection is None:
            self._projection = projection_for(
                self._scenario, self.years, trials=min(PROJECTION_TRIALS, self._trials()), seed=self.seed
            )
        table = expected_frame(self._comps)
        dpi = getattr(suite_widgets, "FIGURE_DPI", None) or _DPI
        args = (self._comparison, table, self._projection)
        with mpl.rc_context():
            apply_style(large=True)
            # Unhinted glyphs: a third less time to draw the text that
            # dominates these charts, and no visible difference at this size.
            mpl.rcParams["text.hinting"] = "no_hinting"
            # Titles at a fixed height: automatic placement measures every tick
            # label on each draw to dodge top ticks these charts do not have.
            mpl.rcParams["axes.titley"] = 1.0
            chart.draw(
                lambda ax: draw_chart(chart.name, ax, *args, bins=_BINS, title_width=_TITLE_WIDTH),
                dpi,
                update=lambda ax: _UPDATES[chart.name](ax, *args, bins=_BINS),
            )
        self.chart_draws += 1

    def _render_text(self) -> None:
        s, h = self._scenario, self.headline
        org = s.organization
        sym = org.currency_symbol
        self.title.value = (
            f'<p class="msp-title">Break/Fix or MSP? {html.escape(org.name)}</p>'
            f'<p class="msp-sub">{_count(org.users, "user")} · {_count(org.workstations, "workstation")} · '
            f"{_count(org.servers, 'server')}"
            f" · amounts in {html.escape(org.currency)} a year · ranges from {h.trials:,} simulated years</p>"
        )
        outage = cost_per_user_hour(s) * org.users
        self.outage_note.value = (
            f'<p class="msp-note">An hour of full outage costs about {money(outage, sym)} '
            f"(idle staff and lost revenue)</p>"
        )
        # The security model halves the incident rate for faster patching and
        # at most doubles it for slower: say where the curve turns.
        reference = s.security.reference_patch_latency_days
        self.patch_note.value = (
            f'<p class="msp-note">Faster than {reference:g} days: fewer costly incidents; '
            "slower: more, at most twice as many</p>"
        )

        def m(x):
            return money(x, sym)

        def pair(values, fmt):
            return (
                f'<div class="row msp-bf"><span>Break/Fix</span><span>{fmt(values["break_fix"])}</span></div>'
                f'<div class="row msp-msp"><span>MSP</span><span>{fmt(values["msp"])}</span></div>'
            )

        saves = h.savings >= 0
        availability = {mdl: self._comps[mdl]["availability"] for mdl in MODELS}
        level = round(1 / (1 - h.level))
        cards = [
            ("total", "Expected cost a year", pair(h.total, m), "incl. downtime and security"),
            (
                "savings",
                "Expected saving, MSP" if saves else "Extra cost of the MSP",
                f'<span class="{"msp-good" if saves else "msp-bf"}">{m(abs(h.savings))}</span>',
                f"90% of years: {m(h.savings_p5)} to {m(h.savings_p95)}",
            ),
            ("prob", "Chance MSP is cheaper", percent(h.prob_msp_cheaper), "in a given year"),
            ("downtime", "Downtime avoided, MSP", f"{h.downtime_hours_avoided:,.0f}", "user-hours a year"),
            ("security", "Security loss a year", pair(h.security_loss, m), "expected: incidents, fines"),
            ("budget", f"IT bill over {m(h.budget)}", pair(h.prob_over_budget, percent), "chance, fees only"),
            ("bad_year", f"A bad year (1 in {level:,})", pair(h.bad_year, m), f"total cost, P{h.level * 100:g}"),
            ("availability", "IT available to users", pair(availability, lambda p: f"{p:.2%}"), "expected"),
        ]
        body = "".join(
            f'<div class="msp-card" data-figure="{key}"><div class="k">{html.escape(k)}</div>'
            f'{v if v.startswith("<div") else f"<div class=v>{v}</div>"}<div class="s">{html.escape(sub)}</div></div>'
            for key, k, v, sub in cards
        )
        self.cards.value = f'<div class="msp-cards">{body}</div>'
        self.assumptions.value = _assumptions_html(s)


def _count(n: int, noun: str) -> str:
    """``1 user``, ``45 users``: the headcount slider goes down to one.

    Examples
    --------
    >>> _count(1, "server"), _count(1_200, "user"), _count(0, "server")
    ('1 server', '1,200 users', '0 servers')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _unit(path: str) -> str:
    from ..model.scenario import field_info

    return field_info(path).unit


def _set_range(widget, lo: float, hi: float, step: float, value) -> None:
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
        return str(path.resolve().relative_to(_PROJECT_ROOT))
    except ValueError:
        return str(path)


def _assumptions_html(scenario: Scenario) -> str:
    rows = assumption_rows(scenario)
    body = "".join(
        f"<tr{' class=yours' if r.yours else ''}><td>{html.escape(r.assumption)}</td>"
        f"<td>{html.escape(r.value)}</td>"
        f"<td>{html.escape(r.source)}</td></tr>"
        for r in rows.itertuples(index=False)
    )
    return (
        '<h3 style="font-size:20px;margin:18px 0 6px 0">Assumptions and their sources</h3>'
        '<p style="margin:0 0 6px 0">Highlighted: numbers that differ from the published or assumed default '
        "(the client's own, or moved on screen).</p>"
        '<table class="msp-table"><tr><th>Assumption</th><th>Value</th><th>Source</th></tr>' + body + "</table>"
    )


# -- measurement ---------------------------------------------------------------------------------


def measure_latency(changes: int = 30, dashboard: Dashboard | None = None, all_charts: bool = False) -> dict:
    """Time recompute + redraw after control changes, made as a user makes them.

    Cycles through the headcount, price, rate, outage-revenue and patch
    sliders, ``changes`` times in all, three steps up (then down) each time.
    By default the time is what the user waits for: figures and the chart on
    screen. ``all_charts=True`` redraws the hidden tabs too (``flush()``)
    inside the timing: every chart, the worst case.

    Returns
    -------
    dict
        ``median_ms``, ``p95_ms``, ``max_ms``, ``n``, ``times_ms`` and ``errors``.
    """
    d = dashboard if dashboard is not None else Dashboard(scenarios={"Sample organisation": sample_scenario})
    keys = tuple(_PATHS)
    times = []
    for i in range(changes):
        w = d.inputs[keys[i % len(keys)]]
        sign = 1 if (i // len(keys)) % 2 == 0 else -1
        target = min(max(w.value + sign * 3 * w.step, w.min), w.max)
        t0 = time.perf_counter()
        w.value = target
        if all_charts:
            d.flush()
        times.append((time.perf_counter() - t0) * 1000)
    arr = np.array(times)
    return {
        "median_ms": float(np.median(arr)),
        "p95_ms": float(np.quantile(arr, 0.95)),
        "max_ms": float(arr.max()),
        "n": len(times),
        "times_ms": times,
        "errors": [str(e) for e in d.errors],
    }
