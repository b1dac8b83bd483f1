"""Break-even: the value of one parameter at which both models cost the same.

Both questions are about the expected *savings* of the MSP,

    savings = E[Break/Fix total cost] - E[MSP total cost]

(positive: the MSP is cheaper), computed with
:func:`msp_analysis.engine.expected.expected_components`, so they answer in
milliseconds, without simulation.

- :func:`break_even` finds the value of one dotted-path parameter at which
  the savings are zero (the two expected totals are equal), with a bracketing
  root finder (:func:`scipy.optimize.brentq`). When there is no crossing in
  the range searched it raises :class:`NoCrossingError`, which says so and
  gives the savings at both ends.
- :func:`savings_curve` tabulates both expected totals over values of one
  parameter. One-way sensitivity is in :mod:`.sensitivity`.

Headcount. When ``organization.users`` changes, the scenario's workstations
and servers do not follow by themselves. Both functions scale them with the
users by default (``scale_devices=True``): ``round(devices * new_users /
users)``, and an organisation that has servers keeps at least one; per-device
fees, and any cost driven by devices, then grow with the organisation as
they would in reality. ``scale_devices=False`` holds the devices fixed.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> from msp_analysis.decisions.break_even import break_even
>>> be = break_even(sample_scenario(), "msp.per_user_monthly")
>>> be.msp_cheaper, round(be.value, 2), be.relative_gap < 1e-3
('below', 138.92, True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from ..engine.expected import expected_components
from ..errors import ValidationError
from ..formatting import money, number, signed_money, value_with_unit
from ..model.fields import FieldInfo
from ..model.scenario import Scenario, field_info
from .what_if import _numeric_info, numeric_paths, with_headcount, with_value

__all__ = [
    "BreakEven",
    "NoCrossingError",
    "break_even",
    "numeric_paths",
    "savings_curve",
    "with_headcount",
    "with_value",
]

# Relative size (of the larger expected total) below which a change of the
# savings counts as no change: floating-point noise, not an effect.
_NEGLIGIBLE = 1e-9
# Grid points scanned when the ends of the range show no sign change, to find
# a pair of crossings inside it before giving up.
_SCAN_POINTS = 33
# Default upper end of a search: the field's limit, or this many times the
# current value if that is lower.
_DEFAULT_REACH = 100.0


class NoCrossingError(ValidationError):
    """No break-even: the expected savings keep one sign over the whole range searched.

    Attributes
    ----------
    path : str
        The parameter's dotted path.
    low, high : float
        The range searched.
    savings_low, savings_high : float
        Expected Break/Fix total minus expected MSP total at ``low`` and at
        ``high`` (positive: the MSP is cheaper).

    Examples
    --------
    >>> err = NoCrossingError("msp.per_user_monthly", 0.0, 100.0, 30_000.0, 12_000.0)
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    msp.per_user_monthly: no break-even between 0 and 100: expected Break/Fix minus MSP total cost is
    +$30,000 at 0 and +$12,000 at 100, positive at both ends (the MSP is cheaper across the whole range searched)
    """

    def __init__(
        self,
        path: str,
        low: float,
        high: float,
        savings_low: float,
        savings_high: float,
        symbol: str = "$",
        detail: str = "",
    ):
        self.low, self.high = low, high
        self.savings_low, self.savings_high = savings_low, savings_high
        self.symbol, self.detail = symbol, detail
        super().__init__(path, (low, high), "a range in which the expected totals cross")

    def _text(self) -> str:
        lo, hi = number(self.low), number(self.high)
        sl, sh = self.savings_low, self.savings_high
        if sl > 0 and sh > 0:
            sign, who = "positive at both ends", "the MSP is cheaper"
        elif sl < 0 and sh < 0:
            sign, who = "negative at both ends", "Break/Fix is cheaper"
        else:
            sign, who = "no change of sign", "the totals never cross"
        text = (
            f"{self.path}: no break-even between {lo} and {hi}: expected Break/Fix minus MSP total cost is "
            f"{signed_money(sl, self.symbol)} at {lo} and {signed_money(sh, self.symbol)} at {hi}, "
            f"{sign} ({who} across the whole range searched)"
        )
        return text + (f"; {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class BreakEven:
    """Where the expected totals of the two models cross, for one parameter.

    Attributes
    ----------
    parameter : str
        Dotted path of the parameter.
    value : float or int
        The break-even value. For a continuous parameter the two expected
        totals agree there (``relative_gap`` is tiny). For a whole-number
        parameter it is the smallest whole number past the crossing: the
        savings at ``value`` and at ``value - 1`` have opposite signs (or the
        savings at ``value`` are exactly zero).
    continuous_value : float
        The root as a real number: equal to ``value`` for a continuous
        parameter; for a whole-number one, the linear interpolation of the
        savings between ``value - 1`` and ``value``.
    current_value : float
        The parameter's value in the scenario.
    msp_cheaper : str
        ``"below"`` or ``"above"``: on which side of the break-even the MSP is
        cheaper (near the crossing).
    break_fix_total, msp_total : float
        Expected annual totals at ``value``.
    integer : bool
        Whether the parameter takes whole numbers only.
    search_range : tuple of float
        The range searched.
    unit : str
        The parameter's unit.
    scale_devices : bool or None
        For ``organization.users``: whether workstations and servers were
        scaled with the users; ``None`` for other parameters.
    symbol : str
        Currency symbol for printing.
    note : str
        Anything else worth knowing (e.g. a second crossing in the range).
    """

    parameter: str
    value: float
    continuous_value: float
    current_value: float
    msp_cheaper: str
    break_fix_total: float
    msp_total: float
    integer: bool
    search_range: tuple[float, float]
    unit: str = ""
    scale_devices: bool | None = None
    symbol: str = "$"
    note: str = ""

    @property
    def savings(self) -> float:
        """Expected Break/Fix total minus expected MSP total at ``value``."""
        return self.break_fix_total - self.msp_total

    @property
    def relative_gap(self) -> float:
        """``|Break/Fix - MSP| / max(Break/Fix, MSP)`` at ``value``."""
        top = max(abs(self.break_fix_total), abs(self.msp_total))
        return abs(self.savings) / top if top > 0 else 0.0

    def __str__(self) -> str:
        def show(x: float) -> str:
            return value_with_unit(x, self.unit, self.symbol)

        if self.integer:
            where = (
                f"between {number(self.value - 1)} and {show(self.value)} "
                f"(interpolated {self.continuous_value:,.2f}); "
                f"the MSP is cheaper {'from' if self.msp_cheaper == 'above' else 'below'} {number(self.value)}"
                f"{' up' if self.msp_cheaper == 'above' else ''}"
            )
        else:
            where = f"at {show(self.value)}; the MSP is cheaper {self.msp_cheaper} it"
        text = (
            f"{self.parameter}: break-even {where} (now {show(self.current_value)}). "
            f"Expected totals at {number(self.value)}: Break/Fix {money(self.break_fix_total, self.symbol)}, "
            f"MSP {money(self.msp_total, self.symbol)} (gap {self.relative_gap:.2%})."
        )
        if self.scale_devices is not None:
            text += " Workstations and servers " + ("scaled with users." if self.scale_devices else "held fixed.")
        if self.note:
            text += " " + self.note
        return text


# -- the savings ------------------------------------------------------------------


def _totals(scenario: Scenario) -> tuple[float, float]:
    comps = expected_components(scenario)
    return float(comps["break_fix"]["total_cost"]), float(comps["msp"]["total_cost"])


class _Savings:
    """Expected savings as a function of one parameter, with a small memo."""

    def __init__(self, scenario: Scenario, path: str, scale_devices: bool) -> None:
        self.scenario, self.path, self.scale_devices = scenario, path, scale_devices
        self.memo: dict[float, tuple[float, float]] = {}

    def totals(self, x: float) -> tuple[float, float]:
        key = float(x)
        if key not in self.memo:
            self.memo[key] = _totals(with_value(self.scenario, self.path, x, self.scale_devices))
        return self.memo[key]

    def __call__(self, x: float) -> float:
        bf, msp = self.totals(x)
        return bf - msp


def _is_valid(scenario: Scenario, path: str, x: float, scale_devices: bool) -> bool:
    try:
        with_value(scenario, path, x, scale_devices)
    except ValidationError:
        return False
    return True


def _valid_limit(
    scenario: Scenario, path: str, x0: float, target: float, integer: bool, scale_devices: bool
) -> tuple[float, ValidationError | None]:
    """The valid value closest to ``target`` on the segment from ``x0`` (valid) to it.

    Field ranges are not the whole story (a median must stay below its p90),
    so the limit is found by bisection on validity when ``target`` is refused.
    Returns the value and, when it differs from ``target``, the error that
    refused ``target``.
    """
    if integer:
        target = int(target)
    try:
        with_value(scenario, path, target, scale_devices)
        return target, None
    except ValidationError as e:
        refusal = e
    # Beyond the field's own limits: the limit itself, when it is allowed, is the answer.
    info = field_info(path)
    edge = None
    if info.high is not None and target > info.high:
        edge = info.high
    elif info.low is not None and target < info.low and not info.low_open:
        edge = info.low
    if edge is not None:
        edge = int(edge) if integer else float(edge)
        if _is_valid(scenario, path, edge, scale_devices):
            return edge, refusal
    good, bad = x0, target
    if integer:
        while abs(bad - good) > 1:
            mid = (good + bad) // 2
            good, bad = (mid, bad) if _is_valid(scenario, path, mid, scale_devices) else (good, mid)
        return good, refusal
    tol = 1e-10 * max(abs(x0), abs(target), 1e-12)
    for _ in range(200):
        if abs(bad - good) <= tol:
            break
        mid = 0.5 * (good + bad)
        good, bad = (mid, bad) if _is_valid(scenario, path, mid, scale_devices) else (good, mid)
    return good, refusal


def _sign(x: float) -> int:
    return int(x > 0) - int(x < 0)


def break_even(
    scenario: Scenario,
    parameter: str,
    low: float | None = None,
    high: float | None = None,
    *,
    scale_devices: bool = True,
) -> BreakEven:
    """The value of ``parameter`` at which both models cost the same (expected).

    Parameters
    ----------
    scenario : Scenario
    parameter : str
        Dotted path of a numeric field, e.g. ``"msp.per_user_monthly"``,
        ``"organization.users"``, ``"break_fix.hourly_rate"``,
        ``"organization.loaded_hourly_cost"``.
    low, high : float, optional
        The range to search. By default the field's allowed range (from
        :func:`msp_analysis.model.scenario.field_info`) with two limits: at most
        100 times the current value, and, for a field that must stay above
        its lower limit (a rate or a median above 0), from a thousandth of
        the way between that limit and the current value. The range is then
        narrowed to where the scenario stays valid with every other field
        held (a median must stay below its p90, for instance). Give ``low``
        or ``high`` to search elsewhere; a value the field does not allow
        raises :class:`~msp_analysis.ValidationError`.
    scale_devices : bool
        For ``organization.users`` only: scale workstations and servers with
        the users (default) or hold them fixed. See the module docstring.

    Returns
    -------
    BreakEven
        The break-even value, which side the MSP is cheaper on, the totals
        there. Printing it gives a sentence.

    Raises
    ------
    NoCrossingError
        The savings keep one sign over the range searched (the message gives
        them at both ends and says which model is cheaper throughout).
    ValidationError
        Unknown or non-numeric parameter, or a ``low``/``high`` the field
        does not allow.

    Notes
    -----
    The search first compares the signs of the savings at both ends of the
    range and at the current value; a crossing on each side of the current
    value gives two candidates and the nearer one is returned (the other is
    named in ``note``). With no sign change there, a grid of 33 points is
    scanned before giving up, so a pair of crossings inside the range is
    still found.

    Continuous parameters are solved with :func:`scipy.optimize.brentq` to
    machine precision: the expected totals agree at ``value`` (the savings
    are continuous in every continuous field). Whole-number parameters
    (``organization.users``, ``workstations``, ``servers``,
    ``msp.term_months``) are bisected over whole numbers: the crossing lies
    between ``value - 1`` and ``value``, where the savings change sign; at
    ``value`` itself the totals agree only as closely as one step of the
    parameter allows, and ``continuous_value`` interpolates between the two.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> be = break_even(s, "organization.users")
    >>> be.integer, be.value, be.msp_cheaper
    (True, 31, 'above')
    >>> break_even(s, "msp.per_user_monthly", low=0, high=100)
    Traceback (most recent call last):
    ...
    msp_analysis.decisions.break_even.NoCrossingError: msp.per_user_monthly: no break-even between 0 and 100: ...
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    info = _numeric_info(parameter)
    integer = bool(info.integer)
    x0 = scenario.get(parameter)
    scaled = bool(scale_devices) if parameter == "organization.users" else None
    scale = bool(scale_devices)
    f = _Savings(scenario, parameter, scale)
    symbol = scenario.organization.currency_symbol

    a, b = _search_range(scenario, parameter, info, x0, low, high, integer, scale)
    fa, fb = f(a), f(b)
    inside = a < x0 < b
    f0 = f(x0) if inside else None

    # Exact zeros first (a flat stretch at zero would otherwise confuse the sign logic).
    for x, fx in ((x0, f0), (a, fa), (b, fb)):
        if fx is not None and fx == 0.0 and (a <= x <= b):
            return _result(f, parameter, x, x, x0, integer, (a, b), info.unit, scaled, symbol, _side(f, x, a, b))

    brackets = []
    if f0 is not None:  # x0 inside (a, b)
        if _sign(fa) != _sign(f0):
            brackets.append((a, x0))
        if _sign(f0) != _sign(fb):
            brackets.append((x0, b))
    elif _sign(fa) != _sign(fb):
        brackets.append((a, b))
    if not brackets:
        brackets = _scan(f, a, b, x0, integer)
    if not brackets:
        detail = ""
        if abs(fa - fb) <= _NEGLIGIBLE * max(abs(v) for v in f.totals(a) + f.totals(b)):
            detail = "the expected savings do not depend on this parameter"
        raise NoCrossingError(parameter, a, b, fa, fb, symbol, detail)

    roots = [_root(f, lo, hi, integer) for lo, hi in brackets]
    order = sorted(range(len(roots)), key=lambda i: abs(roots[i][1] - x0))
    value, cont, side = roots[order[0]]
    note = ""
    if len(roots) > 1:
        other = roots[order[1]]
        note = (
            f"The savings cross zero again at {number(other[1] if not integer else other[0])}: "
            "the MSP is cheaper only between the two crossings or only outside them."
        )
    return _result(f, parameter, value, cont, x0, integer, (a, b), info.unit, scaled, symbol, side, note)


def _search_range(
    scenario: Scenario,
    path: str,
    info: FieldInfo,
    x0: float,
    low: float | None,
    high: float | None,
    integer: bool,
    scale_devices: bool,
) -> tuple[float, float]:
    """The range searched: given bounds (validated) or the field's valid range."""
    if low is not None or high is not None:
        lo = _given_bound("low", info.low if low is None else low, path, info)
        hi = _given_bound("high", info.high if high is None else high, path, info)
        if integer:
            lo, hi = math.ceil(lo), math.floor(hi)
        if not lo < hi:
            raise ValidationError("high", high, f"a value above low = {number(lo)}")
        if low is None:
            lo, _ = _valid_limit(scenario, path, min(x0, hi), lo, integer, scale_devices)
        if high is None:
            hi, _ = _valid_limit(scenario, path, max(x0, lo), hi, integer, scale_devices)
        # Explicit bounds must themselves be allowed: let the field say why not.
        with_value(scenario, path, int(lo) if integer else lo, scale_devices)
        with_value(scenario, path, int(hi) if integer else hi, scale_devices)
        return (int(lo), int(hi)) if integer else (lo, hi)
    # Every numeric field declares both limits (model.scenario).
    assert info.low is not None and info.high is not None
    lo_target = info.low
    if info.low_open and not integer:
        # The limit itself is not allowed (a rate or a median of 0): start a
        # thousandth of the way from it to the current value.
        lo_target = info.low + (x0 - info.low) * 1e-3
    hi_target = info.high
    if x0 > 0:
        # A break-even beyond a hundred times today's value is not a decision
        # anyone faces, and far tails can be slow to integrate: search further
        # only when asked (``high=``).
        hi_target = min(hi_target, _DEFAULT_REACH * x0)
        if integer:
            hi_target = math.floor(hi_target)
    lo, _ = _valid_limit(scenario, path, x0, lo_target, integer, scale_devices)
    hi, _ = _valid_limit(scenario, path, x0, hi_target, integer, scale_devices)
    return lo, hi


def _given_bound(name: str, v: object, path: str, info: FieldInfo) -> float:
    """A ``low`` or ``high`` given to :func:`break_even` (or the field's limit for the other) as a finite float."""
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValidationError(name, v, f"a number within the range of {path}: {info.allowed()}")
    if not math.isfinite(float(v)):
        raise ValidationError(name, v, "a finite number")
    return float(v)


def _scan(f: _Savings, a: float, b: float, x0: float, integer: bool) -> list[tuple[float, float]]:
    """Brackets of sign changes on a grid over ``[a, b]``, nearest to ``x0`` first."""
    if a > 0 and b / a > 50:
        grid = np.geomspace(a, b, _SCAN_POINTS)
    else:
        grid = np.linspace(a, b, _SCAN_POINTS)
    if integer:
        grid = np.unique(np.round(grid).astype(int))
    points = sorted({*grid.tolist(), a, b} | ({x0} if a < x0 < b else set()))
    values = [f(x) for x in points]
    pairs = [
        (points[i], points[i + 1])
        for i in range(len(points) - 1)
        if _sign(values[i]) != _sign(values[i + 1]) and (values[i] != 0 or values[i + 1] != 0)
    ]
    return sorted(pairs, key=lambda p: min(abs(p[0] - x0), abs(p[1] - x0)))[:2]


def _root(f: _Savings, lo: float, hi: float, integer: bool) -> tuple[float, float, str]:
    """``(value, continuous value, side where the MSP is cheaper)`` in a sign-change bracket."""
    flo, fhi = f(lo), f(hi)
    side = "above" if fhi > 0 or (fhi == 0 and flo < 0) else "below"
    if flo == 0:
        return lo, float(lo), side
    if fhi == 0:
        return hi, float(hi), side
    if integer:
        lo, hi = int(lo), int(hi)
        s_lo = _sign(flo)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            fm = f(mid)
            if fm == 0:
                return mid, float(mid), side
            lo, hi = (mid, hi) if _sign(fm) == s_lo else (lo, mid)
        flo, fhi = f(lo), f(hi)
        cont = lo + flo / (flo - fhi)
        return hi, float(cont), side
    root = optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-14, maxiter=500)
    return float(root), float(root), side


def _side(f: _Savings, x: float, a: float, b: float) -> str:
    """Which side of ``x`` the MSP is cheaper on, looking at the range's ends."""
    right = f(b) if b > x else None
    left = f(a) if a < x else None
    if right is not None and right != 0:
        return "above" if right > 0 else "below"
    if left is not None and left != 0:
        return "below" if left > 0 else "above"
    return "above"


def _result(
    f: _Savings,
    parameter: str,
    value: float,
    cont: float,
    x0: float,
    integer: bool,
    rng: tuple[float, float],
    unit: str,
    scaled: bool | None,
    symbol: str,
    side: str,
    note: str = "",
) -> BreakEven:
    if integer:
        value = int(value)
    bf, msp = f.totals(value)
    return BreakEven(
        parameter=parameter,
        value=value,
        continuous_value=float(cont),
        current_value=x0,
        msp_cheaper=side,
        break_fix_total=bf,
        msp_total=msp,
        integer=integer,
        search_range=(rng[0], rng[1]),
        unit=unit,
        scale_devices=scaled,
        symbol=symbol,
        note=note,
    )


def savings_curve(
    scenario: Scenario, parameter: str, values: Iterable[float], *, scale_devices: bool = True
) -> pd.DataFrame:
    """Expected totals of both models and the savings over values of one parameter.

    Returns a DataFrame with columns ``value``, ``break_fix``, ``msp`` and
    ``savings`` (Break/Fix minus MSP). Whole-number parameters are rounded.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> curve = savings_curve(sample_scenario(), "msp.per_user_monthly", [100, 150, 200])
    >>> bool((curve["savings"].diff().dropna() < 0).all())   # a dearer MSP saves less
    True
    """
    info = _numeric_info(parameter)
    f = _Savings(scenario, parameter, bool(scale_devices))
    xs = [math.floor(float(v) + 0.5) if info.integer else float(v) for v in values]
    totals = [f.totals(x) for x in xs]
    return pd.DataFrame(
        {
            "value": xs,
            "break_fix": [t[0] for t in totals],
            "msp": [t[1] for t in totals],
            "savings": [t[0] - t[1] for t in totals],
        }
    )
