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

Where things are:

- :mod:`.summary`: what the report says and the dashboard shows (headline
  figures, the four charts and their findings, assumptions with sources,
  method notes);
- :mod:`.content`: all of it computed once for one report;
- :mod:`.html`, :mod:`.pptx`, :mod:`.pdf`: one writer per format;
- :mod:`.build`: :func:`build_report`, which runs them.

The headline figures and the four charts are the dashboard's
(:mod:`msp_analysis.present.dashboard`), computed by the same functions, so
what the client saw in the meeting is what they take away.

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

# The formatting helpers this module's callers have imported from it (the
# dashboard takes percent and slugify from here); their home is msp_analysis.formatting.
from ...formatting import format_value, percent, slugify
from .build import FORMATS, WRITERS, build_report
from .content import ReportContent, chart_figures, collect
from .summary import (
    CHART_ALT,
    CHART_HEADINGS,
    CHARTS,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    KEY_ASSUMPTIONS,
    Headline,
    Seed,
    assumption_rows,
    bad_year_words,
    breakdown_title,
    changed_paths,
    chart_png,
    chart_title,
    default_budget,
    distribution_title,
    draw_chart,
    exceedance_labels,
    expected_frame,
    headline,
    method_notes,
    projection_for,
)

__all__ = [
    "CHARTS",
    "CHART_ALT",
    "CHART_HEADINGS",
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "FORMATS",
    "KEY_ASSUMPTIONS",
    "WRITERS",
    "Headline",
    "ReportContent",
    "Seed",
    "assumption_rows",
    "bad_year_words",
    "breakdown_title",
    "build_report",
    "changed_paths",
    "chart_figures",
    "chart_png",
    "chart_title",
    "collect",
    "default_budget",
    "distribution_title",
    "draw_chart",
    "exceedance_labels",
    "expected_frame",
    "format_value",
    "headline",
    "method_notes",
    "percent",
    "projection_for",
    "slugify",
]
