"""The dashboard's four charts: drawn once with the report's functions, then updated in place.

Each chart tab keeps its figure between redraws (:class:`Chart`). The first
drawing builds the chart with the library
(:func:`msp_analysis.present.report.draw_chart`); later ones move the data of
the same artists (:data:`_UPDATES`), which draws exactly the same picture at a
fraction of the cost. The PNG is encoded straight from the canvas's pixels.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Hashable

import ipywidgets as W
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import FillBetweenPolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch
from matplotlib.text import Annotation
from matplotlib.ticker import MaxNLocator, NullLocator
from PIL import Image

from ...decisions.projection import Projection
from ...engine.simulation import COST_COLUMNS, MODELS, Comparison
from ...formatting import mathtext_safe, money_compact
from ..charts.cost import cost_histogram_data, histogram_density, tail_note
from ..charts.decisions import projection_title
from ..charts.security import exceedance_curves, exceedance_title
from ..charts.style import apply_style
from ..report.summary import breakdown_title, distribution_title, draw_chart, exceedance_labels

__all__ = ["TAB_TITLES", "Chart", "draw"]

#: The tab of each chart.
TAB_TITLES = {
    "distribution": "A year's cost",
    "breakdown": "Where the money goes",
    "exceedance": "Security risk",
    "projection": "Over the years",
}
# Chart size on screen: the tab panel is ~880 px wide in a 1280x720 window.
_FIGSIZE = (11.0, 4.4)
_DPI = 80
_TITLE_WIDTH = 72
#: Charts narrower than the figure (a legend beside them) wrap their titles sooner.
_TITLE_WIDTHS = {"projection": 48}
_BINS = 30
#: Charts whose amount axis gets at most five intervals.
_FEW_TICKS = ("breakdown", "projection")
# Fixed margins per chart (left, bottom, right, top, as figure fractions):
# constrained layout would find them itself but costs as much as the drawing.
_MARGINS = {
    "distribution": (0.05, 0.15, 0.98, 0.84),
    "breakdown": (0.09, 0.1, 0.78, 0.84),
    "exceedance": (0.1, 0.15, 0.98, 0.84),
    "projection": (0.1, 0.12, 0.6, 0.84),  # the legend to the right of the axes
}


class Chart:
    """One chart tab: a figure kept between redraws and the PNG shown for it.

    The first drawing builds the chart with the library
    (:func:`msp_analysis.present.report.draw_chart`); later ones move the data of
    the same artists (:data:`_UPDATES`), which draws exactly the same picture
    at a fraction of the cost: no new axes, ticks, legend or text objects
    (and their layouts stay cached). Whatever an update cannot express (a
    payback year that appears, a curve with no losses) rebuilds the chart.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.figure = Figure(figsize=_FIGSIZE, dpi=_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax: Axes | None = None
        self.image = W.Image(format="png", layout=W.Layout(width="100%", height="auto"))
        self.image.add_class(f"msp-chart-{name}")
        self.key: Hashable = None  # what is drawn
        self.wanted: Hashable = None  # what should be drawn
        self.rebuilds = 0

    @property
    def stale(self) -> bool:
        """True when what is drawn is not what should be."""
        return self.key != self.wanted

    def draw(self, build: Callable[[Axes], Axes], dpi: float, update: Callable[[Axes], bool] | None = None) -> None:
        """Update the chart in place with ``update`` when it can, else rebuild it with ``build``; show the PNG."""
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
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


# -- charts updated in place: the same artists as report.draw_chart builds, new data ------------
# Each returns False when the chart on the axes is not one it can update (it is then rebuilt).


def _update_distribution(
    ax: Axes, comparison: Comparison, table: pd.DataFrame, projection: Projection | None, bins: int
) -> bool:
    steps = [p for p in ax.patches if isinstance(p, StepPatch)]
    lines = ax.lines
    if len(steps) != len(ax.patches) or len(steps) != len(MODELS) or len(lines) != len(MODELS):
        return False
    data, edges = cost_histogram_data(comparison, "total_cost", bins)
    if len(steps[0].get_data()[1]) != len(edges):  # (values, edges, baseline)
        return False
    for step, line, m in zip(steps, lines, MODELS):
        step.set_data(histogram_density(data[m], edges), edges)
        mean = data[m].mean()
        line.set_xdata([mean, mean])
    ax.relim()
    ax.autoscale_view()
    ax.set_xlabel(tail_note(data, edges, comparison.scenario.organization.currency_symbol))
    ax.set_title(textwrap.fill(distribution_title(comparison, table), _TITLE_WIDTH))
    return True


def _update_breakdown(
    ax: Axes, comparison: Comparison, table: pd.DataFrame, projection: Projection | None, bins: int
) -> bool:
    bars = ax.containers
    labels = [t for t in ax.texts if isinstance(t, Annotation)]
    if len(bars) != len(COST_COLUMNS) or len(labels) != len(ax.texts) or len(labels) != len(MODELS):
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
    ax.set_title(textwrap.fill(breakdown_title(table, symbol), _TITLE_WIDTH))
    return True


def _update_exceedance(
    ax: Axes, comparison: Comparison, table: pd.DataFrame, projection: Projection | None, bins: int
) -> bool:
    legend = ax.get_legend()
    if len(ax.lines) != len(MODELS) or legend is None:
        return False
    values, curves = exceedance_curves(comparison)
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
    ax.set_title(textwrap.fill(exceedance_title(values, symbol), _TITLE_WIDTH))
    return True


def _update_projection(
    ax: Axes, comparison: Comparison, table: pd.DataFrame, projection: Projection | None, bins: int
) -> bool:
    if projection is None:
        return False
    payback = projection.payback_year
    lines = ax.lines
    bands = [c for c in ax.collections if isinstance(c, FillBetweenPolyCollection)]
    if (
        len(lines) != len(MODELS) + (payback is not None)
        or len(bands) != len(ax.collections)
        or len(bands) != len(MODELS)
    ):
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
    ax.set_title(textwrap.fill(projection_title(projection), _TITLE_WIDTHS["projection"]))
    return True


_UPDATES = {
    "distribution": _update_distribution,
    "breakdown": _update_breakdown,
    "exceedance": _update_exceedance,
    "projection": _update_projection,
}


def draw(chart: Chart, comparison: Comparison, table: pd.DataFrame, projection: Projection | None, dpi: float) -> None:
    """Draw ``chart`` for these results, in the report's style at projector size."""
    args = (comparison, table, projection)
    with mpl.rc_context():
        apply_style(large=True)
        # Unhinted glyphs: a third less time to draw the text that
        # dominates these charts, and no visible difference at this size.
        mpl.rcParams["text.hinting"] = "no_hinting"
        # Titles at a fixed height: automatic placement measures every tick
        # label on each draw to dodge top ticks these charts do not have.
        mpl.rcParams["axes.titley"] = 1.0
        chart.draw(
            lambda ax: draw_chart(
                chart.name, ax, *args, bins=_BINS, title_width=_TITLE_WIDTHS.get(chart.name, _TITLE_WIDTH)
            ),
            dpi,
            update=lambda ax: _UPDATES[chart.name](ax, *args, bins=_BINS),
        )
