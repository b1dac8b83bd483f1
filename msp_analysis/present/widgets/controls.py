"""Controls for a scenario's fields and for other values, styled alike everywhere.

Every notebook and the presentation dashboard build their sliders here, so a
slider looks and behaves the same everywhere:

- :func:`control` makes one ipywidgets control for a dotted scenario path from
  the field's own metadata (:func:`msp_analysis.model.scenario.field_info`): the
  unit in the label, the field's description as a tooltip, a slider range and
  step that make sense to explore (the validation bounds are far too wide for
  a slider: see :data:`UI_RANGES`), currency and percentages formatted.
- :func:`parameter` makes a slider, styled the same, for a value that is not a
  scenario field (a budget, a weight).

Examples
--------
>>> from msp_analysis import sample_scenario
>>> s = sample_scenario()
>>> w = control("msp.per_user_monthly", s)
>>> w.description, w.min, w.max, w.value
('MSP price per user ($/user/month)', 0.0, 350.0, 125.0)
"""

from __future__ import annotations

import fnmatch
from typing import Any

import ipywidgets as W

from ...formatting import REGIME_LABELS, _nice_up, nice_number
from ...formatting import control_label as label
from ...model.fields import FieldInfo
from ...model.scenario import CURRENCY_SYMBOLS, REGIMES, Scenario, field_info

__all__ = ["UI_RANGES", "control", "label", "parameter", "ui_range"]

#: Slider range and step ``(min, max, step)`` for the paths people explore.
#: Patterns use ``*`` for a priority or regime; the first match wins. Other
#: paths get a range derived from their current value (see :func:`ui_range`).
UI_RANGES: dict[str, tuple[float, float, float]] = {
    "organization.users": (1, 500, 1),
    "organization.workstations": (0, 600, 1),
    "organization.servers": (0, 50, 1),
    "organization.users_per_site": (1, 1_000, 1),
    "organization.loaded_hourly_cost": (10, 300, 5),
    "organization.revenue_per_outage_hour": (0, 20_000, 100),
    "organization.revenue_per_user_hour": (0, 500, 1),
    "organization.annual_revenue": (0, 100_000_000, 100_000),
    "organization.eur_rate": (0.5, 2, 0.01),
    "organization.business_hours_per_year": (1_000, 2_600, 20),
    "organization.project_hours_per_year": (0, 500, 5),
    "organization.in_house_it_cost_per_year": (0, 100_000, 1_000),
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
    "break_fix.after_hours_minimum_hours": (0, 4, 0.25),
    "break_fix.same_day_surcharge": (0, 1, 0.05),
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
    "msp.exit_fee": (0, 25_000, 250),
    "msp.co_managed_discount": (0, 0.5, 0.01),
    "msp.onboarding_staff_hours_per_user": (0, 8, 0.25),
    "msp.term_months": (1, 60, 1),
    "msp.quoted_term_months": (1, 60, 1),
    "msp.month_to_month_premium": (0, 0.5, 0.01),
    "msp.one_year_premium": (0, 0.3, 0.01),
    "msp.out_of_scope_share": (0, 0.5, 0.01),
    "msp.out_of_scope_rate": (0, 300, 5),
    "msp.after_hours_rate_multiplier": (1, 3, 0.1),
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


def control(path: str, scenario: Scenario, **overrides: Any) -> W.ValueWidget:
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
    common: dict[str, Any] = {
        "description": label(path, symbol),
        "tooltip": _tooltip(path, info),
        "style": dict(_STYLE),
        "layout": W.Layout(width=_WIDTH),
    }
    if info.choices is not None:
        if info.choices == REGIMES:
            options = [(REGIME_LABELS[c], c) for c in info.choices]
        else:
            # currency codes show their symbol; other choices (per_user / total, yes / no) as words
            options = [
                (f"{c} ({CURRENCY_SYMBOLS[c]})" if c in CURRENCY_SYMBOLS else c.replace("_", " "), c)
                for c in info.choices
            ]
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
    common: dict[str, Any] = {
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
