"""Which inputs of a scenario are uncertain, and how each is drawn.

The inputs that vary (by default those whose basis in the assumptions table is
an assumption or a published figure with a range, and whose value is still the
table's; or any given a 90% interval), the distribution fitted to each, and
how linked inputs stay valid together. :mod:`.uncertainty` draws from these and
prices each draw.

Distributions, fitted so that the scenario's own value is the median of the
draws and the interval's ends their 5th and 95th percentiles (a split normal
on the scale below, one spread each side: the point answer and the middle of
the uncertainty analysis use the same figure):

- shares (a field in [0, 1]): logit-normal, never at 0 or 1;
- positive amounts, counts and rates: lognormal, truncated at the field's top;
- anything that may be negative (an escalator): normal, truncated to the field;
- an interval touching a field's bound (a share from 0, an amount from 0):
  uniform over the interval, since no positive-only shape can reach the bound.

Linked inputs stay valid together: a p90 with its own range is drawn on that
range (lognormal) and then kept above the median drawn with it (at least the
Gamma's smallest ratio; rarely binding, since the intervals barely overlap); a
p90 without a range keeps its ratio to a varying median. Whole-number fields
are rounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import stats

from ..errors import ValidationError
from ..model.defaults import assumptions
from ..model.distributions import GAMMA_RATIO_RANGE
from ..model.fields import FieldInfo
from ..model.scenario import LOGNORMAL_MAX_RATIO, Scenario, field_info

if TYPE_CHECKING:  # only for the annotation: decisions do not need ingest at run time
    from ..ingest.calibration import CalibrationResult

__all__ = [
    "VARYING_BASES",
    "InputRange",
    "calibration_ranges",
    "default_ranges",
    "input_groups",
    "input_ranges",
]

_Floats = npt.NDArray[np.float64]
_Z90 = float(stats.norm.ppf(0.95))  # a 90% interval is mean +- 1.645 sd on the fitted scale
# Bases whose values vary by default (issue 12's assumptions table); a client's own facts do not.
VARYING_BASES = ("assumption", "published")
# Where a p90 may lie as a multiple of its median: a Gamma's (the tighter of the two limits).
_RATIO_RANGE = (GAMMA_RATIO_RANGE[0], min(GAMMA_RATIO_RANGE[1], LOGNORMAL_MAX_RATIO))


@dataclass(frozen=True)
class InputRange:
    """One uncertain input: its 90% interval, the distribution fitted to it, where it came from.

    ``kind`` is ``"logit-normal"``, ``"lognormal"``, ``"normal"``, ``"uniform"``
    or ``"p90 ratio"`` (a p90, lognormal on its own interval, kept above its median ``median_path``).
    """

    path: str
    value: float
    low: float
    high: float
    kind: str
    source: str
    median_path: str = ""
    bounds: tuple[float, float] = (-math.inf, math.inf)
    integer: bool = False

    def _transform(self, x: float) -> float:
        """``x`` on the scale where the draw is (split-)normal: logit, log or as is."""
        a, b = self.bounds
        if self.kind == "logit-normal":
            return float(stats.logistic.ppf((x - a) / (b - a)))
        if self.kind in ("lognormal", "p90 ratio"):
            return math.log(x)
        return x

    def _scale(self) -> tuple[float, float, float, float, float]:
        """(centre, lower spread, upper spread, lower bound, upper bound) on the draw's scale.

        The centre is the scenario's own value, so the draws' median is the
        figure the point answer uses; the spreads put the interval's ends at the
        5th and 95th percentiles (a split normal: one spread each side). A value
        outside its interval (or on a bound) centres the interval instead.
        """
        a, b = self.bounds
        tlo, thi = self._transform(self.low), self._transform(self.high)
        value = self.value
        inside = self.low <= value <= self.high and a < value < b and (self.kind != "lognormal" or value > 0)
        if self.kind == "p90 ratio":
            inside = inside and value > 0
        centre = self._transform(value) if inside else (tlo + thi) / 2
        lower = (-math.inf, math.inf)
        if self.kind in ("lognormal", "p90 ratio"):
            lower = (math.log(a) if a > 0 else -math.inf, math.log(b) if b < math.inf else math.inf)
        elif self.kind == "normal":
            lower = (a, b)
        return centre, (centre - tlo) / _Z90, (thi - centre) / _Z90, lower[0], lower[1]

    def _cdf(self, z: float, centre: float, s_lo: float, s_hi: float) -> float:
        s = s_lo if z < centre else s_hi
        if s == 0:
            return 0.0 if z < centre else 1.0
        return float(stats.norm.cdf((z - centre) / s))

    def ppf(self, u: npt.ArrayLike) -> _Floats:
        """Value at the uniform ``u`` in (0, 1): median the scenario's value, 5% and 95% the interval's ends.

        Examples
        --------
        >>> r = InputRange("x", 100.0, 50.0, 400.0, "lognormal", "given", bounds=(0.0, math.inf))
        >>> [round(float(v), 6) for v in r.ppf([0.05, 0.5, 0.95])]
        [50.0, 100.0, 400.0]
        """
        q = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            # Half the draws each side of the scenario's value, spread evenly to the interval's ends.
            v = min(max(self.value, self.low), self.high)
            return np.where(q < 0.5, self.low + (v - self.low) * 2 * q, v + (self.high - v) * (2 * q - 1))
        centre, s_lo, s_hi, lo, hi = self._scale()
        # Truncate by squeezing u into the field's allowed part of the distribution.
        c_lo, c_hi = self._cdf(lo, centre, s_lo, s_hi), self._cdf(hi, centre, s_lo, s_hi)
        q = c_lo + q * (c_hi - c_lo)
        zq = stats.norm.ppf(np.clip(q, 1e-300, 1 - 1e-16))
        z = centre + np.where(q < 0.5, s_lo, s_hi) * zq
        if self.kind == "logit-normal":
            a, b = self.bounds
            return np.asarray(a + (b - a) * stats.logistic.cdf(z))
        if self.kind in ("lognormal", "p90 ratio"):
            return np.exp(z)
        return np.asarray(z, dtype=float)


def _kind(info: FieldInfo, low: float, high: float) -> str:
    a = -math.inf if info.low is None else info.low
    b = math.inf if info.high is None else info.high
    if low <= a or high >= b:
        return "uniform"
    if info.unit == "share" and b < math.inf:
        return "logit-normal"
    if a >= 0:
        return "lognormal" if low > 0 else "uniform"
    return "normal"


def _number(path: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or not math.isfinite(float(x)):
        raise ValidationError(path, x, "a finite number as each end of a 90% interval (low, high)")
    return float(x)


def _median_of(path: str, known: set[str]) -> str:
    """The median paired with a p90 path, or "" if it is not a p90."""
    if "p90" not in path:
        return ""
    median = path.replace("p90", "median")
    return median if median in known else ""


def _one_range(scenario: Scenario, path: str, interval: object, source: str) -> InputRange:
    known = set(scenario.paths())
    if path not in known:
        raise ValidationError(path, interval, "a field of the scenario (see Scenario.paths())")
    info = field_info(path)
    if info.choices is not None or info.unit == "text":
        raise ValidationError(path, interval, "a numeric field: only numbers can be uncertain")
    if not isinstance(interval, Sequence) or isinstance(interval, str) or len(interval) != 2:
        raise ValidationError(path, interval, "a 90% interval as a pair (low, high)")
    low, high = _number(path, interval[0]), _number(path, interval[1])
    if low > high:
        raise ValidationError(path, (low, high), "a 90% interval (low, high) with low <= high")
    for end in (low, high):
        # An end may sit on an open bound (a degradation "from 0"): the draws,
        # strictly inside the interval, never reach it.
        if (info.low is not None and end < info.low) or (info.high is not None and end > info.high):
            raise ValidationError(path, (low, high), f"a 90% interval within {info.allowed()}")
    value = float(scenario.get(path))
    bounds = (-math.inf if info.low is None else info.low, math.inf if info.high is None else info.high)
    median = _median_of(path, known)
    if median:
        base = float(scenario.get(median))
        if not high > base * _RATIO_RANGE[0]:
            raise ValidationError(path, (low, high), f"a 90% interval reaching above its median {median} = {base:g}")
        return InputRange(path, value, low, high, "p90 ratio", source, median, bounds, info.integer)
    return InputRange(path, value, low, high, _kind(info, low, high), source, "", bounds, info.integer)


def default_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """90% intervals of the inputs that vary by default, from the assumptions table.

    A field varies when the table gives it a range (columns ``low`` and
    ``high``) and its basis is an assumption or a published figure, and the
    scenario still holds the table's value: a value that differs is the
    client's own and stays fixed unless named in ``ranges``. With a table
    that has no ranges, nothing varies by default.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> isinstance(default_ranges(sample_scenario()), dict)
    True
    """
    table = assumptions()
    if not {"low", "high"} <= set(table.columns):
        return {}
    known = set(scenario.paths())
    out: dict[str, tuple[float, float]] = {}
    for row in table.itertuples(index=False):
        path = str(row.path)
        basis = str(getattr(row, "basis", "assumption")).strip().lower()
        if path not in known or basis not in VARYING_BASES:
            continue
        try:
            lo, hi, default = float(row.low), float(row.high), float(str(row.value))
        except (TypeError, ValueError):
            continue  # a text field (a name, a regime) has no numeric range
        if lo < hi and _same(scenario.get(path), default):
            out[path] = (lo, hi)
    return out


def calibration_ranges(calibration: CalibrationResult) -> dict[str, tuple[float, float]]:
    """90% intervals of the values a ticket history calibrated, for ``uncertainty(ranges=...)``.

    Only the values taken from the data (``calibration.changes``) with an
    interval closed at both ends. :func:`~msp_analysis.calibrate` gives 90%
    intervals by default, the level of the assumption ranges; a result
    calibrated at another ``level=`` is refused, since the uncertainty
    analysis would read its intervals as 90% ones. Values the data were too
    thin for keep the assumptions table's range.

    Raises
    ------
    ValidationError
        When ``calibration.level`` is not 0.90.

    Examples
    --------
    >>> from msp_analysis import calibrate, sample_scenario
    >>> from msp_analysis.ingest.synthetic import simulate_tickets
    >>> tickets = simulate_tickets(sample_scenario(), months=24, seed=7)
    >>> ranges = calibration_ranges(calibrate(tickets, users=45))
    >>> lo, hi = ranges["incidents.p4.rate_per_user_year"]
    >>> bool(0 < lo < hi)
    True
    """
    if not math.isclose(calibration.level, 0.90):
        raise ValidationError(
            "level", calibration.level, "a calibration at level=0.90: the uncertainty ranges are 90% intervals"
        )
    table = calibration.side_by_side().set_index("path")
    out: dict[str, tuple[float, float]] = {}
    for path in calibration.changes:
        if path not in table.index:
            continue
        lo, hi = float(table.at[path, "ci_low"]), float(table.at[path, "ci_high"])
        if math.isfinite(lo) and math.isfinite(hi) and lo < hi:
            out[path] = (lo, hi)
    return out


#: Topics of :func:`input_groups`: (name, test on the dotted path), first match wins.
_TOPICS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("projects and in-house IT", lambda p: p.endswith(("project_hours_per_year", "in_house_it_cost_per_year"))),
    # users_per_site says who an outage stops, not what an hour costs: it goes with users_affected_share.
    ("who an incident stops, and how much", lambda p: p.endswith(("users_affected_share", "degradation", "per_site"))),
    ("what an hour of downtime costs", lambda p: p.startswith("organization.")),
    # self-service decides how many incidents reach a vendor at all
    (
        "how often incidents happen",
        lambda p: (
            p.startswith("incidents.") and p.endswith(("rate_per_user_year", "self_service_share", "in_house_share"))
        ),
    ),
    ("technician work per incident", lambda p: p.startswith("incidents.") and "work_" in p),
    ("on-site and after-hours shares", lambda p: p.endswith(("onsite_share", "after_hours_share"))),
    ("security incidents and fines", lambda p: p.startswith("security.") or "patch_latency" in p or "monitoring" in p),
    (
        "staff time with each model",
        lambda p: "coordination" in p or "vendor_management" in p or "onboarding_staff" in p,
    ),
    ("Break/Fix response times", lambda p: p.startswith("break_fix.response")),
    ("Break/Fix prices and terms", lambda p: p.startswith("break_fix.")),
    (
        "MSP prices and terms",
        lambda p: (
            p.startswith("msp.")
            and any(k in p for k in ("monthly", "fee", "term", "premium", "escalator", "out_of_scope", "credit"))
        ),
    ),
    ("MSP service: SLA, prevention, remote fixes", lambda p: p.startswith("msp.")),
)


def input_groups(ranges: Iterable[InputRange]) -> dict[str, list[str]]:
    """The varying inputs by topic (what a client could find out together), for :meth:`Uncertainty.evppi_groups`.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> rs = input_ranges(sample_scenario(), inputs=["organization.loaded_hourly_cost", "msp.per_user_monthly"])
    >>> list(input_groups(rs))
    ['what an hour of downtime costs', 'MSP prices and terms']
    """
    out: dict[str, list[str]] = {}
    for r in ranges:
        name = next((n for n, test in _TOPICS if test(r.path)), "other")
        out.setdefault(name, []).append(r.path)
    return out


def _same(value: object, default: float) -> bool:
    try:
        return float(value) == default  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def input_ranges(
    scenario: Scenario,
    inputs: Iterable[str] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[InputRange, ...]:
    """The inputs that vary and their fitted distributions (see :func:`uncertainty`)."""
    given = dict(ranges or {})
    if not isinstance(ranges, (Mapping, type(None))):
        raise ValidationError("ranges", ranges, "a mapping of dotted paths to 90% intervals (low, high)")
    table = default_ranges(scenario)
    if inputs is not None:
        names = list(dict.fromkeys(inputs))
        known = set(scenario.paths())
        for path in names:
            if path not in known:
                raise ValidationError(path, "<path>", "a field of the scenario (see Scenario.paths())")
            if path not in given and path not in table:
                raise ValidationError(path, "no range", "a 90% interval: give it in ranges={path: (low, high)}")
    else:
        names = list(dict.fromkeys([*table, *given]))
    out = []
    for path in names:
        interval, source = (given[path], "given") if path in given else (table[path], "assumptions table")
        r = _one_range(scenario, path, interval, source)
        if r.low < r.high:  # a point interval is a known value, not an uncertain one
            out.append(r)
    for path in given:
        if path not in names:
            _one_range(scenario, path, given[path], "given")  # still checked, so a typo is never ignored
    return tuple(out)


def _values(scenario: Scenario, ranges: Sequence[InputRange], u: _Floats) -> dict[str, _Floats]:
    """Input values from uniforms (one column per range in ``ranges``)."""
    return _link(scenario, ranges, {r.path: r.ppf(u[:, j]) for j, r in enumerate(ranges)})


def _link(scenario: Scenario, ranges: Sequence[InputRange], free: Mapping[str, _Floats]) -> dict[str, _Floats]:
    """Free draws (a p90 as its ratio to the median) to field values, linked p90s following their medians."""
    out = dict(free)
    n = len(next(iter(free.values()))) if free else 0
    known = set(scenario.paths())
    for r in ranges:
        if r.kind == "p90 ratio":
            # Drawn on its own interval, then kept where a p90 is valid for the
            # median drawn with it (above it by the Gamma's smallest ratio).
            median = out.get(r.median_path, np.full(n, float(scenario.get(r.median_path))))
            out[r.path] = np.clip(free[r.path], median * _RATIO_RANGE[0] * (1 + 1e-9), median * _RATIO_RANGE[1])
    for r in ranges:
        p90 = r.path.replace("median", "p90") if "median" in r.path else ""
        if p90 in known and p90 not in out:
            out[p90] = out[r.path] * (float(scenario.get(p90)) / r.value)
        if r.integer:
            out[r.path] = np.rint(out[r.path])
    return out
