"""Controls for exploring a scenario, and live views that answer as they move.

Every notebook and the presentation dashboard build their controls here, so
a slider looks and behaves the same everywhere:

- :func:`control` makes one ipywidgets control for a dotted scenario path from
  the field's own metadata (:func:`msp_analysis.model.scenario.field_info`): the
  unit in the label, the field's description as a tooltip, a slider range and
  step that make sense to explore (the validation bounds are far too wide for
  a slider: see :data:`UI_RANGES`), currency and percentages formatted.
- :class:`ScenarioControls` is a panel of such controls that yields a
  validated :class:`~msp_analysis.Scenario` on every change (``.scenario``),
  with *Reset to defaults*, *Save scenario* / *Load scenario* (JSON, from a
  path or an upload) and an error line that shows the library's
  :class:`~msp_analysis.ValidationError` text for an impossible combination
  (a p90 below its median, say) instead of a traceback.
- :class:`LiveView` (or :func:`live`) ties a panel to outputs. Exact figures
  (:func:`~msp_analysis.expected`, milliseconds) are redrawn on every change.
  The simulation is debounced: it runs :data:`DEBOUNCE_SECONDS` after the last
  change (so, in practice, when the user lets go of a slider), in a worker
  thread so the kernel keeps answering the sliders, and a progress bar appears
  when a run takes longer than :data:`PROGRESS_AFTER_SECONDS`. A run that is
  overtaken by a newer change is discarded. Without a running event loop
  (plain Python, a test) updates run synchronously.

How output reaches the page. A callback's output is recorded (prints,
``display``, figures left open) and assigned to the ``outputs`` of an
:class:`ipywidgets.Output` in one go, rather than written from inside ``with
output:``: that works the same in JupyterLab and Voila, from a comm message
or a timer, and never flickers.

Tests drive every view through a small contract: each view registers itself in
:data:`VIEWS`, exposes ``.controls`` (the value widgets), ``.errors``
(exceptions caught in its callbacks), ``.renders`` (counters) and ``.flush()``
(run a pending simulation now); :func:`drive` uses it to set every control to
its extremes and checks that the outputs follow.

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

import asyncio
import base64
import contextlib
import fnmatch
import html
import io
import json
import sys
import time
import traceback
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from ..errors import ValidationError
from ..formatting import REGIME_LABELS, _nice_up, money, nice_number, short_unit, slugify
from ..formatting import control_label as label
from ..ingest.clients import data_dir
from ..model.downtime import estimate_downtime_inputs
from ..model.fields import FieldInfo
from ..model.scenario import CURRENCY_SYMBOLS, REGIMES, Scenario, field_info

__all__ = [
    "DEBOUNCE_SECONDS",
    "MAX_TRIALS",
    "PROGRESS_AFTER_SECONDS",
    "UI_RANGES",
    "VIEWS",
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

#: Seconds of quiet after the last change before the simulation reruns.
DEBOUNCE_SECONDS = 0.3
#: A simulation still running after this many seconds shows a progress bar.
PROGRESS_AFTER_SECONDS = 1.0
#: When set, caps every view's simulation trials (tests lower it to drive views quickly).
MAX_TRIALS: int | None = None
#: When set, figures from callbacks are drawn at this resolution, or not at all when 0
#: (:func:`drive` draws them small, and only for combined settings, to stay fast).
FIGURE_DPI: float | None = None
#: Largest scenario file accepted from an upload, in bytes (a scenario is ~5 KB).
MAX_UPLOAD_BYTES = 1_000_000

#: Slider range and step ``(min, max, step)`` for the paths people explore.
#: Patterns use ``*`` for a priority or regime; the first match wins. Other
#: paths get a range derived from their current value (see :func:`ui_range`).
UI_RANGES: dict[str, tuple[float, float, float]] = {
    "organization.users": (1, 500, 1),
    "organization.workstations": (0, 600, 1),
    "organization.servers": (0, 50, 1),
    "organization.loaded_hourly_cost": (10, 300, 5),
    "organization.revenue_per_outage_hour": (0, 20_000, 100),
    "organization.business_hours_per_year": (1_000, 2_600, 20),
    "incidents.p1.rate_per_user_year": (0, 0.2, 0.005),
    "incidents.p2.rate_per_user_year": (0, 1.5, 0.01),
    "incidents.p3.rate_per_user_year": (0, 10, 0.1),
    "incidents.p4.rate_per_user_year": (0, 12, 0.1),
    "incidents.*.work_median_hours": (0.25, 12, 0.25),
    "incidents.*.work_p90_hours": (0.5, 40, 0.25),
    "break_fix.hourly_rate": (50, 400, 5),
    "break_fix.remote_hourly_rate": (50, 400, 5),
    "break_fix.onsite_minimum_hours": (0, 4, 0.25),
    "break_fix.remote_minimum_hours": (0, 2, 0.25),
    "break_fix.billing_increment_hours": (0, 1, 0.05),
    "break_fix.trip_fee": (0, 250, 5),
    "break_fix.after_hours_multiplier": (1, 3, 0.1),
    "break_fix.response_median_hours.*": (0.25, 40, 0.25),
    "break_fix.response_p90_hours.*": (0.5, 120, 0.5),
    "break_fix.coordination_hours_per_incident": (0, 3, 0.1),
    "*.patch_latency_days": (0, 120, 1),
    "*.annual_escalator": (-0.05, 0.15, 0.005),
    "msp.per_user_monthly": (0, 350, 5),
    "msp.per_workstation_monthly": (0, 250, 5),
    "msp.per_server_monthly": (0, 600, 10),
    "msp.flat_monthly": (0, 10_000, 100),
    "msp.monthly_minimum": (0, 10_000, 50),
    "msp.onboarding_fee": (0, 25_000, 250),
    "msp.term_months": (1, 60, 1),
    "msp.out_of_scope_share": (0, 0.5, 0.01),
    "msp.out_of_scope_rate": (0, 300, 5),
    "msp.sla_response_hours.*": (0.25, 48, 0.25),
    "msp.sla_adherence": (0.5, 1, 0.01),
    "msp.sla_miss_excess_median": (0.1, 5, 0.1),
    "msp.sla_miss_excess_p90": (0.5, 20, 0.5),
    "msp.sla_credit_per_critical_miss": (0, 0.25, 0.01),
    "msp.sla_credit_cap": (0, 0.5, 0.01),
    "msp.onsite_dispatch_hours": (0, 24, 0.5),
    "msp.coordination_hours_per_incident": (0, 1, 0.05),
    "msp.vendor_management_hours_per_month": (0, 20, 0.5),
    "msp.vcio_hours_per_year": (0, 100, 2),
    "security.base_rate_per_user_year": (0, 0.02, 0.0005),
    "security.reference_patch_latency_days": (1, 120, 1),
    "security.patch_halving_days": (1, 90, 1),
    "security.severity_median": (1_000, 200_000, 1_000),
    "security.severity_p90": (5_000, 2_000_000, 5_000),
    "security.detection_severity_reduction": (0, 0.6, 0.01),
    "security.outage_median_hours": (0.5, 80, 0.5),
    "security.outage_p90_hours": (1, 240, 1),
    "security.fine_median.*": (1_000, 500_000, 1_000),
    "security.fine_p90.*": (5_000, 5_000_000, 5_000),
}

_STYLE = {"description_width": "300px"}
_WIDTH = "640px"


# -- labels, units, ranges -----------------------------------------------------
def _is_share(info: FieldInfo) -> bool:
    return info.unit.startswith("share")


def _is_money(info: FieldInfo) -> bool:
    return info.unit.startswith("currency")


def ui_range(path: str, value: float) -> tuple[float, float, float]:
    """``(min, max, step)`` of the slider for ``path`` showing ``value``.

    From :data:`UI_RANGES` when the path is listed, else 0 to 1 for shares and
    0 to about three times the value for everything else; always inside the
    field's allowed range and always wide enough to show ``value``.

    Examples
    --------
    >>> ui_range("msp.per_user_monthly", 125.0)
    (0.0, 350.0, 5.0)
    >>> ui_range("msp.per_user_monthly", 900.0)      # a value beyond the usual range widens it
    (0.0, 1350.0, 5.0)
    >>> ui_range("security.fine_cap.hipaa", 2_134_831.0)
    (100000.0, 6500000.0, 100000.0)
    >>> ui_range("incidents.p1.degradation", 1.0)  # open at zero: starts one step above
    (0.01, 1.0, 0.01)
    """
    info = field_info(path)
    spec = next((r for pat, r in UI_RANGES.items() if fnmatch.fnmatchcase(path, pat)), None)
    if spec is not None:
        lo, hi, step = (float(v) for v in spec)
    elif _is_share(info) and info.low == 0 and info.high == 1:
        lo, hi, step = 0.0, 1.0, 0.01
    else:
        lo = float(info.low) if info.low is not None else min(0.0, -3 * abs(value))
        top = 3 * abs(value) if value else 1.0
        step = nice_number((top - lo) / 100)
        if info.integer:
            step = max(1.0, round(step))
        hi = _nice_up(top, step)
    if info.integer:
        step = max(1.0, float(round(step)))
    if info.low is not None:
        lo = max(lo, float(info.low))
        if info.low_open and lo <= info.low:
            lo = float(info.low) + step
    if value > hi:
        hi = _nice_up(1.5 * value, step)
    if value < lo:
        lo = float(value)
    if info.high is not None:
        hi = min(hi, float(info.high))
    return float(lo), float(hi), float(step)


def _decimals(step: float) -> int:
    for d in range(8):
        if abs(round(step, d) - step) < 1e-12:
            return d
    return 8  # pragma: no cover


def _readout_format(info: FieldInfo, step: float) -> str:
    if _is_share(info):
        return f".{max(0, _decimals(step * 100))}%"
    d = _decimals(step)
    return f",.{d}f"


def _tooltip(path: str, info: FieldInfo) -> str:
    return f"{info.doc}. Allowed: {info.allowed()}. Field: {path}"


def control(path: str, scenario: Scenario, **overrides) -> W.ValueWidget:
    """An ipywidgets control for the scenario field at ``path``.

    A ``Dropdown`` for fields with choices, a ``Text`` for text, an
    ``IntSlider`` or ``FloatSlider`` for numbers (range from :func:`ui_range`,
    readout in percent for shares and with thousands separators for money),
    or a ``BoundedFloatText`` / ``BoundedIntText`` with ``kind="text"``
    (bounded by the field's allowed range: for amounts typed rather than
    explored). The description is :func:`label`; the tooltip the field's
    meaning and allowed range. ``overrides`` set any widget attribute
    (``min``, ``max``, ``step``, ``description``, ``continuous_update`` ...).

    Sliders update continuously (exact figures follow the hand; the views
    debounce what is slow); typed numbers update on Enter or leaving the box.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> w = control("msp.sla_adherence", s)
    >>> type(w).__name__, w.readout_format, w.min, w.max, w.step
    ('FloatSlider', '.0%', 0.5, 1.0, 0.01)
    >>> control("organization.compliance", s).options[:2]
    (('None', 'none'), ('HIPAA (US health data)', 'hipaa'))
    >>> control("organization.revenue_per_outage_hour", s, kind="text").max
    1000000000000.0
    """
    info = field_info(path)
    value = scenario.get(path)
    symbol = scenario.organization.currency_symbol
    kind = overrides.pop("kind", "slider")
    common = {
        "description": label(path, symbol),
        "tooltip": _tooltip(path, info),
        "style": dict(_STYLE),
        "layout": W.Layout(width=_WIDTH),
    }
    if info.choices is not None:
        if info.choices == REGIMES:
            options = [(REGIME_LABELS[c], c) for c in info.choices]
        else:
            options = [(f"{c} ({CURRENCY_SYMBOLS.get(c, '')})", c) for c in info.choices]
        widget = W.Dropdown(options=options, value=value, **common)
    elif info.unit == "text":
        widget = W.Text(value=value, continuous_update=False, **common)
    else:
        lo, hi, step = ui_range(path, value)
        if kind == "text":
            cls = W.BoundedIntText if info.integer else W.BoundedFloatText
            low = info.low if info.low is not None else -1e15
            if info.low_open:
                low = low + step
            high = info.high if info.high is not None else 1e15
            widget = cls(value=value, min=low, max=high, step=step, continuous_update=False, **common)
        elif info.integer:
            widget = W.IntSlider(
                value=int(value), min=int(lo), max=int(hi), step=int(step), continuous_update=True, **common
            )
        else:
            widget = W.FloatSlider(
                value=float(value),
                min=lo,
                max=hi,
                step=step,
                readout_format=_readout_format(info, step),
                continuous_update=True,
                **common,
            )
    for key, val in overrides.items():
        setattr(widget, key, val)
    return widget


def parameter(
    description: str,
    value: float,
    min: float,
    max: float,
    step: float,
    *,
    fmt: str | None = None,
    tooltip: str | None = None,
) -> W.ValueWidget:
    """A slider for a value that is not a scenario field (a budget, a weight, a growth rate).

    Styled like :func:`control`; an ``IntSlider`` when ``value``, ``min``,
    ``max`` and ``step`` are all whole numbers given as ``int``. ``fmt`` is
    the readout's d3 format (``".0%"``, ``",.0f"``). Pass it to a view with
    ``params={"name": widget}``.

    Examples
    --------
    >>> budget = parameter("Annual fees budget ($)", 50_000, 10_000, 150_000, 1_000, fmt=",.0f")
    >>> type(budget).__name__, budget.readout_format, budget.max
    ('FloatSlider', ',.0f', 150000.0)
    >>> type(parameter("Years", 5, 1, 10, 1)).__name__
    'IntSlider'
    """
    common = {
        "description": description,
        "tooltip": tooltip or description,
        "style": dict(_STYLE),
        "layout": W.Layout(width=_WIDTH),
        "continuous_update": True,
    }
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (value, min, max, step)) and fmt is None:
        return W.IntSlider(value=value, min=min, max=max, step=step, **common)
    fmt = fmt or f",.{_decimals(float(step))}f"
    return W.FloatSlider(value=value, min=min, max=max, step=step, readout_format=fmt, **common)


def _fit_range(widget, value) -> None:
    """Widen a slider's range so it can show ``value`` (a loaded scenario may go beyond it)."""
    if isinstance(widget, (W.FloatSlider, W.IntSlider)):
        step = widget.step or 1
        if value > widget.max:
            widget.max = type(widget.max)(_nice_up(1.5 * value, step))
        if value < widget.min:
            widget.min = type(widget.min)(value)


def _error_html(title: str, message: str) -> str:
    return (
        '<div class="msp-error" style="border-left:4px solid #D55E00;background:#fff4ec;'
        'padding:6px 10px;margin:4px 0;color:#222;white-space:normal">'
        f"<b>{html.escape(title)}</b> {html.escape(message)}</div>"
    )


def _note_html(message: str, ok: bool = True) -> str:
    color = "#009E73" if ok else "#D55E00"
    return f'<span style="color:{color}">{html.escape(message)}</span>'


def _describe_error(exc: BaseException) -> tuple[str, str]:
    """A title and a one-line message for an exception: its text, not its traceback."""
    if isinstance(exc, ValidationError):
        return "Impossible combination:", str(exc)
    if isinstance(exc, ValueError):
        return "Cannot compute this:", str(exc)
    return "This view failed:", f"{type(exc).__name__}: {exc}"


# -- the panel of controls ------------------------------------------------------
class ScenarioControls:
    """A panel of controls that yields a validated scenario on every change.

    Parameters
    ----------
    scenario : Scenario
        The starting point, and what *Reset to defaults* returns to. Fields
        without a control keep this scenario's values.
    paths : list of str, or dict of {group title: list of str}
        The dotted paths to control, optionally in titled groups.
    folder : path, optional
        Where *Save* and *Load* resolve relative file names (default:
        ``data/clients``); absolute names are used as given.
    storage : bool
        Show the save / load row.
    kinds : dict, optional
        ``{path: "text"}`` for fields better typed than slid.
    columns : int
        Lay the groups out side by side in this many columns.

    Attributes
    ----------
    scenario : Scenario
        The latest valid scenario.
    problem : ValidationError or None
        Why the current settings are not a valid scenario (also shown in the
        panel), or ``None``.
    widgets : dict
        ``{path: widget}``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> panel = ScenarioControls(sample_scenario(), ["msp.sla_miss_excess_median", "msp.sla_miss_excess_p90"])
    >>> panel.widgets["msp.sla_miss_excess_p90"].value = 0.5     # below the median of 1.0
    >>> print(panel.problem)
    msp.sla_miss_excess_p90: got 0.5, expected a value above msp.sla_miss_excess_median = 1
    >>> panel.scenario.msp.sla_miss_excess_p90                  # still the last valid scenario
    4.0
    >>> panel.reset(); panel.problem is None
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        paths: Iterable[str] | Mapping[str, Iterable[str]] = (),
        *,
        folder: str | Path | None = None,
        storage: bool = True,
        kinds: Mapping[str, str] | None = None,
        columns: int = 1,
    ):
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
        groups = dict(paths) if isinstance(paths, Mapping) else {"": list(paths)}
        self.defaults = scenario
        self._base = scenario
        self._scenario = scenario
        self.problem: ValidationError | None = None
        self.errors: list[BaseException] = []
        self.folder = Path(folder) if folder is not None else data_dir() / "clients"
        self._listeners: list[Callable[[Scenario], None]] = []
        self._batch = 0
        self.widgets: dict[str, W.ValueWidget] = {}
        kinds = dict(kinds or {})
        boxes = []
        for title, group in groups.items():
            items = [W.HTML(f"<b>{html.escape(title)}</b>")] if title else []
            for path in group:
                if path in self.widgets:
                    raise ValueError(f"{path}: listed twice")
                w = control(path, scenario, kind=kinds.get(path, "slider"))
                w.observe(self._changed, "value")
                self.widgets[path] = w
                items.append(w)
            boxes.append(W.VBox(items))
        if columns > 1 and len(boxes) > 1:
            rows = [W.HBox(boxes[i : i + columns]) for i in range(0, len(boxes), columns)]
            body = W.VBox(rows)
        else:
            body = W.VBox(boxes)
        self.error = W.HTML()
        self.message = W.HTML()
        # Text-only buttons: Voila's icon font comes from a CDN (missing offline).
        auto = W.Layout(width="auto")
        self.reset_button = W.Button(
            description="Reset to defaults", icon="", tooltip="Back to the starting scenario", layout=auto
        )
        self.reset_button.on_click(lambda _b: self._guard(self.reset))
        self.save_name = W.Text(
            value=f"{slugify(scenario.organization.name)}/scenario.json",
            description="File",
            tooltip=f"Relative names are saved under {self.folder.name}/",
            layout=W.Layout(width="340px"),
            style={"description_width": "40px"},
        )
        self.save_button = W.Button(description="Save scenario", icon="", layout=auto)
        self.save_button.on_click(lambda _b: self._guard(self.save))
        self.load_button = W.Button(
            description="Load scenario", icon="", tooltip="Load the file named on the left", layout=auto
        )
        self.load_button.on_click(lambda _b: self._guard(lambda: self.load(self.save_name.value)))
        self.upload = W.FileUpload(
            accept=".json", multiple=False, description="Upload scenario", icon="", layout=W.Layout(width="auto")
        )
        self.upload.observe(self._uploaded, "value")
        row = [self.reset_button]
        if storage:
            row += [self.save_name, self.save_button, self.load_button, self.upload]
        buttons = W.HBox(row, layout=W.Layout(flex_flow="row wrap"))
        for w in row:
            w.layout.flex = "0 0 auto"  # keep each button's full text: wrap the row instead of shrinking
        self.widget = W.VBox([body, buttons, self.error, self.message])

    # -- state ------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The latest valid scenario."""
        return self._scenario

    @property
    def controls(self) -> list[W.ValueWidget]:
        """The value widgets, in order."""
        return list(self.widgets.values())

    def values(self) -> dict[str, Any]:
        """``{path: widget value}`` for every control."""
        return {p: w.value for p, w in self.widgets.items()}

    def on_change(self, callback: Callable[[Scenario], None]) -> None:
        """Call ``callback(scenario)`` after every change that yields a new valid scenario."""
        self._listeners.append(callback)

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls and rebuild the scenario once, at the end."""
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
            if self._batch == 0:
                self._rebuild()

    def _changed(self, _change=None) -> None:
        if self._batch == 0:
            self._rebuild()

    def _rebuild(self) -> None:
        try:
            new = self._base.replace(self.values())
        except ValidationError as e:
            self.problem = e
            self.error.value = _error_html(
                "Impossible combination:", f"{e}. The results below are for the last valid settings."
            )
            return
        self.problem = None
        self.error.value = ""
        if new != self._scenario:
            self._scenario = new
            for callback in list(self._listeners):
                try:
                    callback(new)
                except Exception as e:  # a listener's failure must not break the panel
                    self.errors.append(e)
                    self.message.value = _error_html(*_describe_error(e))

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a button's action; show what went wrong instead of raising into the kernel log."""
        try:
            action()
        except Exception as e:
            self.message.value = _error_html(*_describe_error(e))

    # -- changing several values ---------------------------------------------------
    def set_values(self, changes: Mapping[str, Any]) -> Scenario:
        """Set fields, controlled or not, as one change; returns the new scenario.

        Values of uncontrolled fields go into the base scenario; controlled
        ones into their widgets (widening a slider when needed). Invalid
        values raise :class:`ValidationError` and change nothing.
        """
        changes = dict(changes)
        base = self._base.replace({p: v for p, v in changes.items() if p not in self.widgets})
        # Validate the whole result before touching any widget.
        base.replace({**self.values(), **{p: v for p, v in changes.items() if p in self.widgets}})
        with self.hold():
            self._base = base
            for path, value in changes.items():
                if path in self.widgets:
                    w = self.widgets[path]
                    _fit_range(w, value)
                    w.value = value
        return self._scenario

    def reset(self) -> None:
        """Every control back to the starting scenario's value."""
        with self.hold():
            self._base = self.defaults
            for path, w in self.widgets.items():
                w.value = self.defaults.get(path)
        self.message.value = _note_html("Reset to the starting scenario.")

    # -- save and load -----------------------------------------------------------------
    def _resolve(self, name: str | Path) -> Path:
        name = str(name).strip()
        if not name:
            raise ValidationError("file", name, "a file name such as acme/scenario.json")
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if path.suffix.lower() != ".json":
            path = path.with_name(path.name + ".json")
        return path

    def _shown(self, path: Path) -> str:
        """A path as the user should read it: relative to the folder's parent when inside it."""
        try:
            return str(path.relative_to(self.folder.parent))
        except ValueError:
            return str(path)

    def save(self, name: str | Path | None = None) -> Path:
        """Write the current scenario as JSON; returns the path written.

        ``name`` defaults to the file name typed in the panel; relative names
        go under :attr:`folder`, and ``.json`` is added when missing.
        """
        if self.problem is not None:
            raise self.problem
        path = self._resolve(self.save_name.value if name is None else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._scenario.to_json(path)
        self.message.value = _note_html(f"Saved {self._shown(path)}")
        return path

    def load(self, source: str | Path | bytes | Mapping) -> Scenario:
        """Load a scenario (a file name, JSON bytes, or a dict) and show it in the controls.

        The loaded scenario becomes the base for the fields without a control.
        Errors raise :class:`ValidationError` (and show in the panel when
        triggered from a button).
        """
        if isinstance(source, Mapping):
            loaded, where = Scenario.from_dict(source), "the given mapping"
        elif isinstance(source, (bytes, bytearray, memoryview)):
            loaded, where = _scenario_from_bytes(bytes(source), "upload"), "the upload"
        else:
            path = self._resolve(source)
            loaded, where = Scenario.from_json(path), self._shown(path)
        with self.hold():
            self._base = loaded
            symbol = loaded.organization.currency_symbol
            for path, w in self.widgets.items():
                value = loaded.get(path)
                _fit_range(w, value)
                w.value = value
                w.description = label(path, symbol)
        self.message.value = _note_html(f"Loaded {where}")
        return self._scenario

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        try:
            if f["size"] > MAX_UPLOAD_BYTES:
                raise ValidationError(
                    "upload", f["name"], f"a scenario file under {MAX_UPLOAD_BYTES // 1000:,} KB (this is a JSON file)"
                )
            self.load(bytes(f["content"]))
            self.message.value = _note_html(f"Loaded {f['name']}")
        except Exception as e:
            self.message.value = _error_html(*_describe_error(e))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _scenario_from_bytes(data: bytes, name: str) -> Scenario:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("", name, "a UTF-8 JSON scenario file") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValidationError("", f"{name}: line {e.lineno} column {e.colno}", f"valid JSON ({e.msg})") from None
    return Scenario.from_dict(obj)


# -- recording a callback's output -------------------------------------------------
class _Stream(io.TextIOBase):
    def __init__(self, recorder: _Recorder, name: str):
        self._recorder, self._name = recorder, name

    def write(self, text: str) -> int:
        self._recorder.stream(self._name, text)
        return len(text)


class _Recorder:
    """Collects what a function prints and displays, in order, as notebook outputs."""

    def __init__(self):
        self.outputs: list[dict] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def display(self, data: dict, metadata: dict | None = None) -> None:
        self.outputs.append({"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})})

    def __enter__(self):
        self._saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(self, "stdout"), _Stream(self, "stderr")
        self._shell = _shell()
        if self._shell is not None:
            self._pub = self._shell.display_pub
            self._shell.display_pub = _publisher(self)
        return self

    def __exit__(self, *exc):
        sys.stdout, sys.stderr = self._saved
        if self._shell is not None:
            self._shell.display_pub = self._pub
        return False


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()


def _publisher(recorder: _Recorder):
    from IPython.core.displaypub import DisplayPublisher

    class _Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            recorder.display(data, metadata)

        def clear_output(self, wait=False):
            recorder.outputs.clear()

    return _Publisher()


def _figure_output(fig) -> dict:
    buf = io.BytesIO()
    if FIGURE_DPI is None:
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    elif FIGURE_DPI > 0:  # driven by a test: draw (tick formatters run at draw time), cheaply
        fig.set_layout_engine("none")
        fig.savefig(buf, format="png", dpi=FIGURE_DPI)
    w, h = fig.get_size_inches() * fig.dpi
    text = f"<Figure size {w:g}x{h:g} with {len(fig.axes)} Axes>"
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": text},
        "metadata": {},
    }


def _capture(fn: Callable, *args, **kwargs) -> list[dict]:
    """Run ``fn`` and return its output as notebook outputs; figures it leaves open become PNGs."""
    before = set(plt.get_fignums())
    rec = _Recorder()
    try:
        with rec, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-interactive.*", category=UserWarning)
            fn(*args, **kwargs)
        for num in plt.get_fignums():
            if num not in before:
                rec.outputs.append(_figure_output(plt.figure(num)))
    finally:
        for num in plt.get_fignums():
            if num not in before:
                plt.close(num)
    return rec.outputs


def _error_output(exc: BaseException) -> dict:
    title, message = _describe_error(exc)
    return {
        "output_type": "display_data",
        "data": {"text/html": _error_html(title, message), "text/plain": f"{title} {message}"},
        "metadata": {},
    }


# -- live views --------------------------------------------------------------------
class _Registry:
    """Weak, ordered registry of live views (tests drive every one)."""

    def __init__(self):
        self._refs: list[weakref.ref] = []

    def add(self, view) -> None:
        self._refs = [r for r in self._refs if r() is not None]
        self._refs.append(weakref.ref(view))

    def __iter__(self):
        return iter([v for r in self._refs if (v := r()) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        self._refs.clear()


#: Every LiveView created in this process, oldest first (weak references).
VIEWS = _Registry()


def register(view) -> None:
    """Add a view built elsewhere (a dashboard) to :data:`VIEWS` so the tests drive it.

    It must have ``.controls``, ``.errors`` and ``.flush()`` (see :func:`drive`).
    """
    for attr in ("controls", "errors", "flush"):
        if not hasattr(view, attr):
            raise TypeError(f"{type(view).__name__} cannot be driven: it has no .{attr}")
    VIEWS.add(view)


_EXECUTOR: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msp-simulation")
    return _EXECUTOR


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _default_compute(scenario: Scenario, trials: int, seed) -> Any:
    from ..engine.simulation import simulate

    return simulate(scenario, trials=trials, seed=seed, progress=False)


def _accepted(fn: Callable, names: Iterable[str]) -> list[str]:
    """Which of ``names`` ``fn`` accepts as keyword arguments."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # pragma: no cover
        return []
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return list(names)
    return [n for n in names if n in sig.parameters]


class LiveView:
    """Outputs that follow a :class:`ScenarioControls` panel.

    Parameters
    ----------
    controls : ScenarioControls
        The panel whose scenario the view shows.
    exact : callable, optional
        ``exact(scenario, **params)``: prints, displays or plots the exact
        figures. Called immediately on every change.
    simulated : callable, optional
        ``simulated(result, **params)``: shows a simulation ``result``. Called
        once the debounced simulation has run.
    params : dict of {name: widget}, optional
        Extra controls that are not scenario fields (a budget, a weight);
        their values are passed to the callbacks by name. A change re-renders
        at once; it reruns the simulation only when ``compute`` takes that
        parameter.
    compute : callable, optional
        ``compute(scenario, trials, seed, **params)`` -> result; default
        :func:`msp_analysis.simulate`. Runs in a worker thread: keep it free
        of widgets and plotting.
    trials, seed :
        Passed to ``compute`` (``trials`` capped by :data:`MAX_TRIALS` when set).
    show_controls : bool
        Show the panel above the outputs (set ``False`` when it is shown elsewhere).
    footer : list of widgets, optional
        Extra widgets shown below the outputs (e.g. an *Apply* button).

    Attributes
    ----------
    controls : list
        Every value widget that changes this view (panel and params).
    errors : list of Exception
        Exceptions raised by callbacks (shown to the user as a message).
    renders : dict
        ``{"exact": n, "simulated": n}``: how many times each part was drawn.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, expected
    >>> panel = ScenarioControls(sample_scenario(), ["msp.per_user_monthly"])
    >>> view = LiveView(panel, exact=lambda s: print(f"{expected(s).loc['total_cost', 'msp']:,.0f}"),
    ...                 simulated=lambda c: print(f"{c.prob_msp_cheaper:.0%}"), trials=500, seed=1)
    >>> view.exact_output.outputs[0]["text"]
    '108,324\\n'
    >>> panel.widgets["msp.per_user_monthly"].value = 200
    >>> view.flush(); view.renders
    {'exact': 2, 'simulated': 2}
    >>> view.exact_output.outputs[0]["text"], view.errors
    ('148,775\\n', [])
    """

    def __init__(
        self,
        controls: ScenarioControls,
        exact: Callable | None = None,
        simulated: Callable | None = None,
        *,
        params: Mapping[str, W.ValueWidget] | None = None,
        compute: Callable | None = None,
        trials: int = 5_000,
        seed=1,
        debounce: float | None = None,
        show_controls: bool = True,
        footer: Iterable[W.Widget] = (),
        title: str | None = None,
    ):
        if not isinstance(controls, ScenarioControls):
            raise TypeError(f"controls: expected a ScenarioControls, got {type(controls).__name__}")
        self.panel = controls
        self.exact_fn = exact
        self.simulated_fn = simulated
        self.params = dict(params or {})
        self.compute_fn = compute or _default_compute
        self._compute_params = _accepted(self.compute_fn, self.params)
        self.trials = int(trials)
        self.seed = seed
        self.debounce = DEBOUNCE_SECONDS if debounce is None else float(debounce)
        self.errors: list[BaseException] = []
        self.renders = {part: 0 for part, fn in (("exact", exact), ("simulated", simulated)) if fn is not None}
        self.last_seconds: float | None = None  # duration of the last simulation
        self._seconds_per_trial: float | None = None
        self._cache: tuple[Any, Any] | None = None  # (key, result)
        self._handle: asyncio.TimerHandle | None = None
        self._generation = 0
        self._pending = False
        self._hold = 0

        self.exact_output = W.Output()
        self.simulated_output = W.Output()
        self.status = W.HTML()
        self.progress = W.FloatProgress(
            value=0.0, min=0.0, max=1.0, bar_style="info", layout=W.Layout(width="240px", visibility="hidden")
        )
        for w in self.params.values():
            w.observe(self._param_changed, "value")
        controls.on_change(self._scenario_changed)
        parts: list[W.Widget] = []
        if title:
            parts.append(W.HTML(f"<h3>{html.escape(title)}</h3>"))
        if show_controls:
            parts.append(controls.widget)
        if self.params:
            parts.append(W.VBox(list(self.params.values())))
        if exact is not None:
            parts.append(self.exact_output)
        if simulated is not None:
            parts += [W.HBox([self.status, self.progress]), self.simulated_output]
        parts.extend(footer)
        self.widget = W.VBox(parts)
        VIEWS.add(self)
        self.refresh()

    # -- contract used by tests -------------------------------------------------------
    @property
    def controls(self) -> list[W.ValueWidget]:
        return self.panel.controls + list(self.params.values())

    @property
    def scenario(self) -> Scenario:
        return self.panel.scenario

    @property
    def problem(self) -> ValidationError | None:
        """Why the panel's current settings are not a valid scenario, or ``None``."""
        return self.panel.problem

    def param_values(self) -> dict[str, Any]:
        return {name: w.value for name, w in self.params.items()}

    @property
    def pending(self) -> bool:
        """True while a simulation is waiting or running for the current settings."""
        return self._pending

    def flush(self) -> None:
        """Run a pending simulation now, synchronously (discarding one in flight)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._pending:
            self._generation += 1
            self._simulate_now()

    def refresh(self) -> None:
        """Redraw everything now (exact and simulated), synchronously."""
        self._render_exact()
        if self.simulated_fn is not None:
            self._pending = True
            self.flush()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls (panel or params) and update once, at the end."""
        self._hold += 1
        try:
            with self.panel.hold():
                yield
        finally:
            self._hold -= 1
        if self._hold == 0:
            self._changed()

    @contextlib.contextmanager
    def mute(self) -> Iterator[None]:
        """Change controls without redrawing (the next change redraws from the settings then)."""
        self._hold += 1
        try:
            with self.panel.hold():
                yield
        finally:
            self._hold -= 1

    # -- reacting to changes --------------------------------------------------------------
    def _scenario_changed(self, _scenario) -> None:
        if self._hold == 0:
            self._changed()

    def _param_changed(self, _change) -> None:
        if self._hold == 0:
            self._changed()

    def _changed(self) -> None:
        self._render_exact()
        self._request_simulation()

    def _key(self):
        params = tuple((n, _hashable(self.params[n].value)) for n in self._compute_params)
        return (self.scenario, self._trials(), _hashable(self.seed), params)

    def _trials(self) -> int:
        return self.trials if MAX_TRIALS is None else max(1, min(self.trials, int(MAX_TRIALS)))

    def _request_simulation(self) -> None:
        if self.simulated_fn is None:
            return
        if self._cache is not None and self._cache[0] == self._key():
            # Only a display parameter changed: redraw from the result we have.
            self._generation += 1
            self._pending = False
            self._render_simulated(self._cache[1])
            return
        self._pending = True
        # A run still in flight is for older settings: its result must not be drawn.
        self._generation += 1
        self.status.value = _status_html("Updating the simulation…")
        loop = _running_loop()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if loop is None:
            self.flush()
        else:
            self._handle = loop.call_later(self.debounce, self._start_background)

    # -- running the simulation ---------------------------------------------------------------
    def _compute(self, scenario, trials, seed, params):
        return self.compute_fn(scenario, trials, seed, **params)

    def _simulate_now(self) -> None:
        key = self._key()
        t0 = time.perf_counter()
        try:
            result = self._compute(key[0], key[1], self.seed, self._compute_kwargs())
        except Exception as e:
            self._failed(e)
            return
        self._done(key, result, time.perf_counter() - t0)

    def _compute_kwargs(self) -> dict[str, Any]:
        return {n: self.params[n].value for n in self._compute_params}

    def _start_background(self) -> None:
        self._handle = None
        if not self._pending:
            return
        loop = _running_loop()
        if loop is None:  # pragma: no cover - timers only fire inside a loop
            self._simulate_now()
            return
        self._generation += 1
        gen = self._generation
        key = self._key()
        t0 = time.perf_counter()
        future = loop.run_in_executor(_executor(), self._compute, key[0], key[1], self.seed, self._compute_kwargs())
        loop.call_later(PROGRESS_AFTER_SECONDS, self._tick, gen, t0, key[1])

        def finished(fut):
            if gen != self._generation:
                return  # overtaken by a newer change or a flush
            if fut.cancelled():
                return
            exc = fut.exception()
            if exc is not None:
                self._failed(exc)
            else:
                self._done(key, fut.result(), time.perf_counter() - t0)

        future.add_done_callback(finished)

    def _tick(self, gen: int, t0: float, trials: int) -> None:
        """Show and advance the progress bar while a long run is in flight."""
        if gen != self._generation or not self._pending:
            return
        elapsed = time.perf_counter() - t0
        estimate = self._seconds_per_trial * trials if self._seconds_per_trial else None
        self.progress.layout.visibility = "visible"
        if estimate:
            self.progress.value = min(0.95, elapsed / estimate)
            left = max(estimate - elapsed, 0.0)
            text = f"Simulating {trials:,} years… {elapsed:.0f} s (about {left:.0f} s left)"
        else:
            self.progress.value = (elapsed / 10.0) % 1.0
            text = f"Simulating {trials:,} years… {elapsed:.0f} s"
        self.status.value = _status_html(text)
        loop = _running_loop()
        if loop is not None:
            loop.call_later(0.25, self._tick, gen, t0, trials)

    def _done(self, key, result, seconds: float) -> None:
        self._pending = False
        self.last_seconds = seconds
        self._seconds_per_trial = seconds / max(key[1], 1)
        self._cache = (key, result)
        self.progress.layout.visibility = "hidden"
        self._render_simulated(result)

    def _failed(self, exc: BaseException) -> None:
        self._pending = False
        self.progress.layout.visibility = "hidden"
        self.errors.append(exc)
        self.status.value = _status_html("The simulation failed (see below).")
        self.simulated_output.outputs = (_error_output(exc),)

    # -- drawing -------------------------------------------------------------------
    def _render(self, output: W.Output, fn: Callable, *args) -> bool:
        try:
            outputs = _capture(fn, *args, **self.param_values())
        except Exception as e:
            self.errors.append(e)
            output.outputs = (_error_output(e),)
            return False
        output.outputs = tuple(outputs)
        return True

    def _render_exact(self) -> None:
        if self.exact_fn is None:
            return
        self._render(self.exact_output, self.exact_fn, self.scenario)
        self.renders["exact"] += 1

    def _render_simulated(self, result) -> None:
        if self._render(self.simulated_output, self.simulated_fn, result):
            n = self._cache[0][1] if self._cache else self._trials()
            took = f" in {self.last_seconds:.2f} s" if self.last_seconds is not None else ""
            self.status.value = _status_html(f"Simulation: {n:,} years{took}, up to date.", ok=True)
        self.renders["simulated"] += 1

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _status_html(text: str, ok: bool = False) -> str:
    color = "#009E73" if ok else "#7F7F7F"
    return f'<span class="msp-status" style="color:{color};font-size:90%">{html.escape(text)}</span>'


def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, np.random.Generator | np.random.SeedSequence):
        return id(value)
    return value


def live(controls: ScenarioControls, exact: Callable | None = None, simulated: Callable | None = None, **kwargs):
    """A :class:`LiveView` (shorthand): ``live(panel, exact=show_table, simulated=show_chart, trials=5_000)``."""
    return LiveView(controls, exact, simulated, **kwargs)


# -- a guided estimate of downtime cost ------------------------------------------------
def downtime_cost_form(controls: ScenarioControls) -> LiveView:
    """A small form that estimates what an hour of downtime costs, and feeds the panel.

    Asks for an average salary, overheads, how much work stops without IT,
    annual revenue and how much of it an outage loses; shows the resulting
    cost of an hour of full outage; *Use these figures* writes
    ``organization.loaded_hourly_cost``, ``organization.it_dependency`` and
    ``organization.revenue_per_outage_hour`` into ``controls``. Starts from
    values that reproduce the panel's current scenario.
    """
    from ..model.downtime import cost_per_user_hour

    s = controls.scenario
    org = s.organization
    sym = org.currency_symbol
    hours = org.business_hours_per_year
    overhead = 0.3
    lost = 0.25
    salary = round(org.loaded_hourly_cost * hours / (1 + overhead), -2)
    revenue = round(org.revenue_per_outage_hour * hours / lost, -3)
    style = {"description_width": "400px"}
    layout = W.Layout(width="720px")
    params = {
        "annual_salary": W.BoundedFloatText(
            value=salary, min=1_000, max=10_000_000, step=1000, description=f"Average annual salary ({sym})",
            style=style, layout=layout, continuous_update=False,
        ),
        "overhead_share": W.FloatSlider(
            value=overhead, min=0, max=1, step=0.05, readout_format=".0%",
            description="Benefits, taxes and overhead on top of salary (%)", style=style, layout=layout,
        ),
        "it_share": W.FloatSlider(
            value=org.it_dependency, min=0, max=1, step=0.05, readout_format=".0%",
            description="Share of work that stops when IT is down (%)", style=style, layout=layout,
        ),
        "annual_revenue": W.BoundedFloatText(
            value=revenue, min=0, max=1e12, step=10_000, description=f"Annual revenue ({sym})",
            style=style, layout=layout, continuous_update=False,
        ),
        "revenue_lost_share": W.FloatSlider(
            value=lost, min=0, max=1, step=0.05, readout_format=".0%",
            description="Revenue lost, not just delayed, in a full outage (%)", style=style, layout=layout,
        ),
    }  # fmt: skip
    apply_button = W.Button(description="Use these figures", icon="", button_style="primary")
    applied = W.HTML()

    def estimate(**p):
        return estimate_downtime_inputs(
            p["annual_salary"],
            p["overhead_share"],
            controls.scenario.organization.business_hours_per_year,
            p["it_share"],
            p["annual_revenue"],
            p["revenue_lost_share"],
        )

    def show(scenario, **p):
        est = estimate(**p)
        users = scenario.organization.users
        try:
            trial = scenario.replace(est)
        except ValidationError as e:  # e.g. a salary of zero: say so, as for any impossible input
            print(f"These answers are not a valid scenario: {e}")
            return
        staff = users * est["organization.loaded_hourly_cost"] * est["organization.it_dependency"]
        total = cost_per_user_hour(trial) * users
        print(
            f"An employee-hour costs {money(est['organization.loaded_hourly_cost'], sym, 2)}; "
            f"{est['organization.it_dependency']:.0%} of work stops without IT.\n"
            f"An hour of full outage costs about {money(total, sym)}: "
            f"{money(staff, sym)} of idle staff ({users} users) + "
            f"{money(est['organization.revenue_per_outage_hour'], sym)} of lost revenue."
        )

    view = LiveView(controls, exact=show, params=params, show_controls=False, footer=[W.HBox([apply_button, applied])])

    def apply(_button=None):
        try:
            controls.set_values(estimate(**view.param_values()))
            applied.value = _note_html("Applied to the scenario above.")
        except Exception as e:
            view.errors.append(e)
            applied.value = _error_html(*_describe_error(e))

    apply_button.on_click(apply)
    view.apply = apply
    return view


# -- driving views programmatically (tests) -------------------------------------------------
def _extremes(widget) -> list:
    if isinstance(widget, (W.Dropdown, W.SelectionSlider, W.ToggleButtons, W.RadioButtons, W.Select)):
        return list(widget._options_values)
    if isinstance(widget, (W.Checkbox, W.ToggleButton)):
        return [not widget.value, widget.value]
    if hasattr(widget, "min") and hasattr(widget, "max"):
        return [widget.min, widget.max]
    return []


def drive(views: Iterable[Any] | None = None, *, combinations: int = 3, seed: int = 0, max_trials: int = 300):
    """Set every control of every view to its extremes and some combinations; report what happened.

    Each control is set to its minimum and maximum (each option of a
    dropdown), one at a time, then all to their minimum, all to their
    maximum, and ``combinations`` random mixes; after each setting every view
    is flushed. Controls are restored at the end. Meanwhile simulations use at
    most ``max_trials`` trials, and figures are built for every setting but
    drawn (small) only for the combined ones, to keep a drive fast.

    A view needs ``.controls``, ``.errors`` and ``.flush()``; when it also has
    ``.renders`` (counters), ``.scenario`` and ``.param_values()`` (as
    :class:`LiveView` has), every valid setting that changes what it shows
    must increase its counters, else the setting is reported as stale. A view
    with ``.hold()`` gets combinations as one change; its ``.problem`` (a
    :class:`ValidationError` or ``None``) says when a setting is invalid.

    Returns
    -------
    dict
        ``{"views": n, "settings": n, "invalid": n, "errors": [text, ...],
        "stale": [text, ...], "renders": {"exact": n, "simulated": n, ...},
        "seconds": t}``:
        ``errors`` lists exceptions the views caught, ``stale`` settings after
        which a view did not redraw. Both must be empty.
    """
    global MAX_TRIALS, FIGURE_DPI
    views = list(VIEWS if views is None else views)
    started = time.perf_counter()
    report = {"views": len(views), "settings": 0, "invalid": 0, "errors": [], "stale": [], "renders": {}}
    rng = np.random.default_rng(seed)
    saved = MAX_TRIALS, FIGURE_DPI
    MAX_TRIALS, FIGURE_DPI = max_trials, 0
    first = {id(v): len(v.errors) for v in views}
    renders0 = {id(v): dict(getattr(v, "renders", {}) or {}) for v in views}

    def state(v):
        scen = getattr(v, "scenario", None)
        params = v.param_values() if hasattr(v, "param_values") else None
        return dict(getattr(v, "renders", {}) or {}), scen, params

    def apply(view, settings, what):
        before = {id(v): state(v) for v in views}
        with view.hold() if hasattr(view, "hold") else contextlib.nullcontext():
            for w, value in settings:
                _fit_value(w, value)
        for v in views:
            v.flush()
        report["settings"] += 1
        if getattr(view, "problem", None) is not None:
            report["invalid"] += 1
            return
        for v in views:
            r0, s0, p0 = before[id(v)]
            r1, s1, p1 = state(v)
            if s1 is None or (s1 == s0 and p1 == p0):
                continue
            for part in r0:
                if r1.get(part, 0) <= r0[part]:
                    report["stale"].append(f"{what}: the {part} part of {type(v).__name__} did not redraw")

    def restore(pairs):
        # Back to the starting values without drawing: the next setting redraws.
        with contextlib.ExitStack() as stack:
            for v in views:
                if hasattr(v, "mute"):
                    stack.enter_context(v.mute())
            for w, value in pairs:
                _fit_value(w, value)

    try:
        for v in views:
            v.flush()
        # One control at a time (each widget once, even when views share it) ...
        seen: set[int] = set()
        for view in views:
            for w in view.controls:
                if id(w) in seen:
                    continue
                seen.add(id(w))
                original = w.value
                for value in _extremes(w):
                    apply(view, [(w, value)], f"{getattr(w, 'description', '?')} = {value!r}")
                restore([(w, original)])
        # ... then each view's controls together, drawing the figures too.
        FIGURE_DPI = 30
        for view in views:
            widgets = list(view.controls)
            original = [w.value for w in widgets]
            options = [_extremes(w) for w in widgets]
            apply(view, [(w, o[0]) for w, o in zip(widgets, options) if o], "all at minimum")
            apply(view, [(w, o[-1]) for w, o in zip(widgets, options) if o], "all at maximum")
            for k in range(combinations):
                mix = [(w, o[int(rng.integers(len(o)))]) for w, o in zip(widgets, options) if o]
                apply(view, mix, f"combination {k + 1}")
            apply(view, list(zip(widgets, original)), "restore all")
    finally:
        MAX_TRIALS, FIGURE_DPI = saved
    for v in views:
        for e in v.errors[first[id(v)] :]:
            text = "".join(traceback.format_exception(e))
            report["errors"].append(f"{type(v).__name__}: {type(e).__name__}: {e}\n{text[-2000:]}")
        for part, n in (getattr(v, "renders", {}) or {}).items():
            report["renders"][part] = report["renders"].get(part, 0) + n - renders0[id(v)].get(part, 0)
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report


def _fit_value(widget, value) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _fit_range(widget, value)
    widget.value = value
