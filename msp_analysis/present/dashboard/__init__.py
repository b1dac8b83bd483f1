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
- a "How sure are we" tab (:mod:`~msp_analysis.present.dashboard.doubt`): the
  chance the MSP is the better choice over what is not known about the
  inputs, what is worth measuring next, and what a client's ticket history
  was worth; computed only when opened, as the report's section;
- an export button that writes the leave-behind report
  (:func:`msp_analysis.present.report.build_report`) into ``reports/<client>-<time>/``
  and says where.

One set of figures. A control change is answered at once from a quick
:data:`DASHBOARD_TRIALS`-year run; when the controls have rested
:data:`REFINE_AFTER_S` seconds the figures are refined, on the kernel's event
loop, to the report's ``DEFAULT_TRIALS`` simulated years with the same seed,
and the subtitle says so ("as in the report"). Export refines first if it
has not happened yet, so the report holds exactly the figures the screen
then shows; the command line's report of the same scenario file, and
notebook 00, use the same seed and years. The multi-year chart covers the
MSP contract's term. The assumptions say which model each row belongs to,
and "your figure" marks only the client's own numbers: those from their
files, and values moved on screen only when the consultant ticks that they
are the client's.

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

Offline and ready. :func:`voila_command` is the one place that says how Voilà is
started (``make present`` and the browser test both use it): bound to
127.0.0.1, a preheated kernel that has already run the presentation waiting
for the next page, idle kernels culled, and a template (shipped in
``msp_analysis/present/jupyter_path``) that is Voilà's "lab" template without the
FontAwesome stylesheets it would fetch from a CDN. The dashboard uses no
icons, and widget descriptions (which the page typesets as maths) carry no
text: labels are plain HTML.

By module: :mod:`~msp_analysis.present.dashboard.app` (the :class:`Dashboard`:
what a change recomputes and redraws, the export),
:mod:`~msp_analysis.present.dashboard.latency` (:func:`measure_latency`),
:mod:`~msp_analysis.present.dashboard.charts` (chart tabs updated in place),
:mod:`~msp_analysis.present.dashboard.page` (the HTML text and style sheet),
:mod:`~msp_analysis.present.dashboard.serve` (the scenarios listed, where
reports go, :func:`voila_command`). The headline, charts and assumptions come
from the report's public summary (:mod:`msp_analysis.present.report.summary`),
so screen and leave-behind are computed by the same functions.

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

from .app import DASHBOARD_TRIALS, PROJECTION_TRIALS, REFINE_AFTER_S, RISK_LEVELS, Dashboard
from .latency import measure_latency
from .serve import TEMPLATE, available_scenarios, reports_dir, voila_command

__all__ = [
    "DASHBOARD_TRIALS",
    "PROJECTION_TRIALS",
    "REFINE_AFTER_S",
    "RISK_LEVELS",
    "TEMPLATE",
    "Dashboard",
    "available_scenarios",
    "measure_latency",
    "reports_dir",
    "voila_command",
]
