"""One-way sensitivity of the expected savings: a tornado table.

Each parameter in turn moves by a relative ``swing`` with every other field
held, and the expected savings (Break/Fix total minus MSP total, from the
exact expectations) are tabulated at both ends, largest effect first.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..formatting import number
from ..model.scenario import Scenario, field_info
from .break_even import _NEGLIGIBLE, _Savings, _totals, _valid_limit
from .what_if import _numeric_info, field_label, numeric_paths

__all__ = ["sensitivity"]


def sensitivity(
    scenario: Scenario,
    parameters: Iterable[str] | None = None,
    swing: float = 0.2,
    *,
    scale_devices: bool = True,
) -> pd.DataFrame:
    """One-way sensitivity of the expected savings: a tornado table.

    Each parameter in turn is set to ``value * (1 - swing)`` and ``value *
    (1 + swing)`` with every other field held, and the expected savings
    (Break/Fix total minus MSP total) are computed at both ends.

    Parameters
    ----------
    scenario : Scenario
    parameters : iterable of str, optional
        Dotted paths. By default every numeric field whose swing changes the
        expected savings at all (names, currencies and the compliance regime
        are not numbers; escalators and vCIO hours do not enter one year's
        expected cost; a field at zero does not move under a relative swing).
    swing : float
        Relative change, strictly between 0 and 1 (0.2: plus and minus 20 %).
    scale_devices : bool
        For ``organization.users``: scale workstations and servers with it
        (default) or hold them (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per parameter, largest effect first, with columns
        ``parameter``, ``label``, ``unit``, ``base_value``, ``low_value``,
        ``high_value``, ``savings_low``, ``savings_high``, ``range`` (the
        spread of the savings over the low, base and high values: ``|high -
        low|`` when the effect is monotone) and ``clipped`` (empty, or why an
        end was moved to the nearest allowed value: a share cannot pass 1, a
        median cannot reach its p90). Whole-number fields swing to the
        nearest whole numbers. ``attrs`` holds ``base_savings``, ``swing``
        and ``currency_symbol``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> t = sensitivity(sample_scenario())
    >>> t.iloc[0]["parameter"]
    'msp.per_user_monthly'
    >>> bool(t["range"].is_monotonic_decreasing)
    True
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    if isinstance(swing, (bool, np.bool_)) or not isinstance(swing, numbers.Real) or not 0 < swing < 1:
        raise ValidationError("swing", swing, "a share strictly between 0 and 1 (0.2 for plus and minus 20%)")
    swing = float(swing)
    explicit = parameters is not None
    if explicit:
        if isinstance(parameters, str):
            parameters = [parameters]
        paths = list(parameters)
        for p in paths:
            _numeric_info(p)
    else:
        paths = numeric_paths(scenario)
    scale = bool(scale_devices)
    base_bf, base_msp = _totals(scenario)
    base = base_bf - base_msp
    tiny = _NEGLIGIBLE * max(abs(base_bf), abs(base_msp), 1.0)
    rows = []
    for path in paths:
        info = field_info(path)
        x0 = scenario.get(path)
        f = _Savings(scenario, path, scale)
        ends, notes = [], []
        for which, factor in (("low", 1 - swing), ("high", 1 + swing)):
            target = x0 * factor
            if info.integer:
                target = math.floor(target + 0.5)
            value, refusal = _valid_limit(scenario, path, x0, target, bool(info.integer), scale)
            if refusal is not None:
                notes.append(f"{which} end clipped from {number(target)} to {number(value)} ({refusal})")
            ends.append(value)
        s_lo, s_hi = f(ends[0]), f(ends[1])
        span = max(s_lo, s_hi, base) - min(s_lo, s_hi, base)
        if not explicit and span <= tiny:
            continue
        if x0 == 0:
            notes.append("the value is 0: a relative swing does not move it")
        rows.append(
            {
                "parameter": path,
                "label": field_label(path),
                "unit": info.unit,
                "base_value": x0,
                "low_value": ends[0],
                "high_value": ends[1],
                "savings_low": s_lo,
                "savings_high": s_hi,
                "range": span,
                "clipped": "; ".join(notes),
            }
        )
    columns = [
        "parameter",
        "label",
        "unit",
        "base_value",
        "low_value",
        "high_value",
        "savings_low",
        "savings_high",
        "range",
        "clipped",
    ]
    table = pd.DataFrame(rows, columns=columns)
    table = table.sort_values("range", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(
        {"base_savings": base, "swing": float(swing), "currency_symbol": scenario.organization.currency_symbol}
    )
    return table
