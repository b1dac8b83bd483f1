"""Everything the dashboard takes from the report and the plotting modules, in one place.

The dashboard shows what the leave-behind report says (headline figures,
charts, assumptions) and must agree with it to the digit, so it uses the
report's own functions. Some of them are private to the report and the
plotting modules today; while those modules get a public summary API, this
is the one module to switch to it. (``Headline`` is imported for type hints only.)
"""

from __future__ import annotations

from ..plotting import (
    _cost_histogram_data,
    _exceedance_curves,
    _exceedance_title,
    _projection_title,
    apply_style,
)
from ..report import (
    CHARTS,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    Headline,
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
    "CHARTS",
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "Headline",
    "_breakdown_title",
    "_cost_histogram_data",
    "_distribution_title",
    "_exceedance_curves",
    "_exceedance_title",
    "_projection_title",
    "apply_style",
    "assumption_rows",
    "build_report",
    "default_budget",
    "draw_chart",
    "exceedance_labels",
    "expected_frame",
    "headline",
    "percent",
    "projection_for",
    "slugify",
]
