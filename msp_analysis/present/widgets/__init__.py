"""Controls for exploring a scenario, and live views that answer as they move.

Every notebook builds its controls and views here (the dashboard its sliders),
so a slider looks and behaves the same everywhere. By module:

- :mod:`~msp_analysis.present.widgets.controls`: :func:`control` (one control
  for a scenario field, from its metadata), :func:`parameter` (a slider for
  any other value), :func:`ui_range` and :data:`UI_RANGES` (slider ranges);
- :mod:`~msp_analysis.present.widgets.scenario_panel`: :class:`ScenarioControls`,
  a panel that yields a validated scenario on every change, with reset, save
  and load;
- :mod:`~msp_analysis.present.widgets.live_view`: :class:`LiveView` and
  :func:`live`, outputs that follow a panel (exact figures at once, the
  simulation debounced in a worker thread);
- :mod:`~msp_analysis.present.widgets.forms`: :func:`downtime_cost_form` and
  :class:`CalibrationPanel` (upload a ticket export, calibrate, explore).

Panels, views and the dashboard share one protocol,
:class:`msp_analysis.present.live.LiveSurface` (hold, flush, error display,
render), and :func:`msp_analysis.testing.drive` drives them all.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> from msp_analysis.present.widgets import ScenarioControls, control
>>> s = sample_scenario()
>>> w = control("msp.per_user_monthly", s)
>>> w.description, w.min, w.max, w.value
('MSP price per user ($/user/month)', 0.0, 350.0, 125.0)
>>> panel = ScenarioControls(s, ["msp.per_user_monthly", "organization.users"])
>>> panel.widgets["organization.users"].value = 60
>>> panel.scenario.organization.users
60
"""

from __future__ import annotations

from ...formatting import short_unit
from ...model.downtime import estimate_downtime_inputs
from ...testing import drive
from ..live import MAX_TRIALS, VIEWS, register
from .controls import UI_RANGES, control, label, parameter, ui_range
from .forms import CALIBRATION_CONTROLS, CalibrationPanel, downtime_cost_form
from .live_view import DEBOUNCE_SECONDS, PROGRESS_AFTER_SECONDS, LiveView, live
from .scenario_panel import MAX_UPLOAD_BYTES, ScenarioControls

__all__ = [
    "CALIBRATION_CONTROLS",
    "DEBOUNCE_SECONDS",
    "MAX_TRIALS",
    "MAX_UPLOAD_BYTES",
    "PROGRESS_AFTER_SECONDS",
    "UI_RANGES",
    "VIEWS",
    "CalibrationPanel",
    "LiveView",
    "ScenarioControls",
    "control",
    "downtime_cost_form",
    "drive",
    "estimate_downtime_inputs",
    "label",
    "live",
    "parameter",
    "register",
    "short_unit",
    "ui_range",
]
