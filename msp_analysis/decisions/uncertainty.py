"""How sure are we? Uncertain inputs, the value of information, Sobol indices, acceptability.

The Monte Carlo of :func:`~msp_analysis.simulate` answers "how much can a
*year* vary" with every input known. Here the inputs themselves are uncertain:
each one with a 90% interval is drawn from a distribution that fits its kind,
and for every draw the *expected* annual totals of both models are computed
exactly (:func:`~msp_analysis.engine.batch.expected_totals`, no inner
simulation). The share of draws in which the MSP's expected total is lower is
how sure we are that the MSP is the better *choice*; the expected value of
(partial) perfect information prices what is worth measuring before signing.

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

Draws are a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`, seeded
through :class:`numpy.random.SeedSequence`, SPEC 7): the same seed gives the
same numbers; ``seed=None`` fresh ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from ..engine.batch import expected_totals
from ..errors import ValidationError
from ..model.defaults import assumptions
from ..model.distributions import GAMMA_RATIO_RANGE
from ..model.fields import FieldInfo
from ..model.scenario import LOGNORMAL_MAX_RATIO, Scenario, field_info
from .value_of_information import SobolIndices, evpi, evppi, sobol_indices

if TYPE_CHECKING:  # only for the annotation: decisions do not need ingest at run time
    from ..ingest.calibration import CalibrationResult

__all__ = [
    "InputRange",
    "Uncertainty",
    "calibration_ranges",
    "default_ranges",
    "input_groups",
    "input_ranges",
    "threshold",
    "uncertainty",
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
    interval closed at both ends; run :func:`~msp_analysis.calibrate` with
    ``level=0.9`` so its confidence intervals are the 90% intervals this
    module reads. Values the data were too thin for keep the assumptions
    table's range.

    Examples
    --------
    >>> from msp_analysis import calibrate, sample_scenario
    >>> from msp_analysis.ingest.synthetic import simulate_tickets
    >>> tickets = simulate_tickets(sample_scenario(), months=24, seed=7)
    >>> ranges = calibration_ranges(calibrate(tickets, users=45, level=0.9))
    >>> lo, hi = ranges["incidents.p4.rate_per_user_year"]
    >>> bool(0 < lo < hi)
    True
    """
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
    ("what an hour of downtime costs", lambda p: p.startswith("organization.")),
    ("how often incidents happen", lambda p: p.endswith("rate_per_user_year") and p.startswith("incidents.")),
    ("who an incident stops, and how much", lambda p: p.endswith(("users_affected_share", "degradation"))),
    ("technician work per incident", lambda p: p.startswith("incidents.") and "work_" in p),
    ("on-site and after-hours shares", lambda p: p.endswith(("onsite_share", "after_hours_share"))),
    ("security incidents and fines", lambda p: p.startswith("security.") or "patch_latency" in p or "monitoring" in p),
    ("staff time with each model", lambda p: "coordination" in p or "vendor_management" in p),
    ("Break/Fix response times", lambda p: p.startswith("break_fix.response")),
    ("Break/Fix prices and terms", lambda p: p.startswith("break_fix.")),
    (
        "MSP prices and terms",
        lambda p: (
            p.startswith("msp.")
            and any(k in p for k in ("monthly", "fee", "term", "escalator", "out_of_scope", "credit"))
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


def _saving(totals: _Floats) -> _Floats:
    return np.asarray(totals[:, 0] - totals[:, 1])


@dataclass(frozen=True)
class Uncertainty:
    """Expected totals of both models over draws of the uncertain inputs.

    Attributes
    ----------
    scenario : Scenario
        The point scenario (every fixed input's value).
    ranges : tuple of InputRange
        The inputs that vary, with their intervals and distributions.
    draws : pandas.DataFrame
        One row per draw, one column per varying input (and linked p90s).
    totals : pandas.DataFrame
        Columns ``break_fix`` and ``msp``: each draw's expected annual total.
    seed : int
        The seed the draws came from (the fresh entropy when none was given:
        passing it back reproduces the draws).
    """

    scenario: Scenario = field(repr=False)
    ranges: tuple[InputRange, ...]
    draws: pd.DataFrame = field(repr=False)
    totals: pd.DataFrame = field(repr=False)
    seed: int | None = None

    @property
    def savings(self) -> pd.Series:
        """Expected saving per draw: Break/Fix total minus MSP total (positive: the MSP is better)."""
        return (self.totals["break_fix"] - self.totals["msp"]).rename("savings")

    @property
    def prob_msp_better(self) -> float:
        """Share of input draws in which the MSP's *expected* total is lower.

        Not ``Comparison.prob_msp_cheaper``, the share of simulated *years*.
        """
        return float((self.savings > 0).mean())

    @property
    def evpi(self) -> float:
        """Expected value of perfect information, in the scenario's currency a year."""
        return evpi(self.savings.to_numpy())

    def summary(self) -> pd.DataFrame:
        """Mean, spread and percentiles of the expected saving, P(MSP better) and EVPI, as (item, value)."""
        s = self.savings
        items = [
            ("draws", float(len(s))),
            ("inputs varied", float(len(self.ranges))),
            ("mean expected saving", float(s.mean())),
            ("std of expected saving", float(s.std(ddof=1)) if len(s) > 1 else math.nan),
            *[(f"P{q} expected saving", float(s.quantile(q / 100))) for q in (5, 50, 95)],
            ("P(MSP is the better choice)", self.prob_msp_better),
            ("EVPI", self.evpi),
        ]
        return pd.DataFrame(items, columns=["item", "value"]).set_index("item")

    def evppi(self, *, knots: int = 8, n_se: int = 200, seed: int | None = 0) -> pd.DataFrame:
        """EVPPI of each varying input, largest first, with its standard error.

        Regression-based (Strong, Oakley & Brennan 2014) on the same draws;
        see :func:`~msp_analysis.decisions.value_of_information.evppi`.
        Columns ``path``, ``evppi``, ``se``, ``share_of_evpi``, ``low``,
        ``high``, ``source``.
        """
        self._enough_draws(knots)
        s = self.savings.to_numpy()
        streams = np.random.SeedSequence(seed).spawn(len(self.ranges))
        total = self.evpi
        rows = []
        for r, ss in zip(self.ranges, streams):
            est = evppi(self.draws[r.path].to_numpy(), s, knots=knots, n_se=n_se, rng=np.random.default_rng(ss))
            share = est.value / total if total > 0 else 0.0
            rows.append((r.path, est.value, est.standard_error, share, r.low, r.high, r.source))
        cols = ["path", "evppi", "se", "share_of_evpi", "low", "high", "source"]
        table = pd.DataFrame(rows, columns=cols)
        return table.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)

    def evppi_groups(
        self,
        groups: Mapping[str, Iterable[str]] | None = None,
        *,
        knots: int = 6,
        n_se: int = 200,
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """EVPPI of groups of inputs learnt together (say, everything about downtime), largest first.

        Knowing one input rarely changes the choice when several must be
        unfavourable at once; a group can. The regression is additive (one
        spline per input), so interactions inside a group are not credited.
        ``groups`` maps a name to paths among the varying inputs; by default
        :func:`input_groups`. Columns ``group``, ``inputs``, ``evppi``, ``se``,
        ``share_of_evpi``.
        """
        s = self.savings.to_numpy()
        chosen = input_groups(self.ranges) if groups is None else {k: list(v) for k, v in groups.items()}
        self._enough_draws(knots, max((len(v) for v in chosen.values()), default=1))
        varying = {r.path for r in self.ranges}
        streams = np.random.SeedSequence(seed).spawn(len(chosen))
        total = self.evpi
        rows = []
        for (name, paths), ss in zip(chosen.items(), streams):
            for path in paths:
                if path not in varying:
                    raise ValidationError(path, name, "a varying input (see Uncertainty.ranges)")
            x = self.draws[list(paths)].to_numpy()
            est = evppi(x, s, knots=knots, n_se=n_se, rng=np.random.default_rng(ss))
            rows.append((name, len(paths), est.value, est.standard_error, est.value / total if total > 0 else 0.0))
        table = pd.DataFrame(rows, columns=["group", "inputs", "evppi", "se", "share_of_evpi"])
        return table.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)

    def _enough_draws(self, knots: int, inputs: int = 1) -> None:
        need = 4 * (knots + 4) * inputs
        if len(self.draws) < need:
            raise ValidationError(
                "n",
                len(self.draws),
                f"at least {need:,} draws for a regression on {inputs} input(s) with {knots} knots",
            )

    def sobol(self, n_base: int = 1024, *, seed: int | None = 0, n_boot: int = 200) -> pd.DataFrame:
        """First-order and total Sobol indices of the expected saving, with 95% intervals.

        Runs its own Saltelli design (``n_base * (d + 2)`` evaluations of the
        exact expectations) over the same input distributions. Columns
        ``path``, ``first``, ``first_conf``, ``total``, ``total_conf``, sorted
        by ``total``.
        """
        res = self._sobol(n_base, seed, n_boot)
        table = pd.DataFrame(
            {
                "path": [r.path for r in self.ranges],
                "first": res.first,
                "first_conf": res.first_conf,
                "total": res.total,
                "total_conf": res.total_conf,
            }
        )
        table.attrs["evaluations"] = res.evaluations
        return table.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)

    def _sobol(self, n_base: int, seed: int | None, n_boot: int) -> SobolIndices:
        if not self.ranges:
            raise ValidationError("inputs", (), "at least one varying input for Sobol indices")
        if isinstance(n_base, bool) or not isinstance(n_base, (int, np.integer)) or n_base < 2 or n_base & (n_base - 1):
            # A Sobol sequence is balanced only at powers of two (scipy warns otherwise).
            raise ValidationError("n_base", n_base, "a power of two, at least 2 (e.g. 1024)")

        def saving(values: _Floats) -> _Floats:
            u_free = {r.path: values[:, j] for j, r in enumerate(self.ranges)}
            changes = _link(self.scenario, self.ranges, u_free)
            return _saving(expected_totals(self.scenario, changes))

        ppfs = [lambda q, r=r: r.ppf(q) for r in self.ranges]
        return sobol_indices(saving, ppfs, n_base, n_boot=n_boot, rng=np.random.default_rng(seed))

    def acceptability(self, path: str, values: Iterable[float]) -> pd.DataFrame:
        """P(MSP is the better choice) as one input (e.g. the MSP's price per user) moves.

        For each value, every draw is re-priced with ``path`` set to it (if the
        input was varying, it is held at the value instead). Columns ``value``
        and ``prob_msp_better``; :func:`threshold` reads off the value at which
        the client is 80% or 90% sure.
        """
        if path not in self.scenario.paths():
            raise ValidationError(path, "<path>", "a field of the scenario (see Scenario.paths())")
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ValidationError(path, values, "a sequence of numbers to try")
        vals = [_number(path, v) for v in values]
        if not vals:
            raise ValidationError(path, values, "at least one value to try")
        for v in vals:
            field_info(path).check(path, v)
        k = len(vals)
        # Each draw repeated once per value, consecutively: the draw's other
        # inputs stay put while the value moves, so the model's caches hold.
        changes = {c: np.repeat(self.draws[c].to_numpy(), k) for c in self.draws.columns if c != path}
        changes[path] = np.tile(np.asarray(vals, dtype=float), len(self.draws))
        better = (_saving(expected_totals(self.scenario, changes)) > 0).reshape(len(self.draws), k)
        curve = pd.DataFrame({"value": vals, "prob_msp_better": better.mean(axis=0)})
        curve.attrs.update(path=path, currency_symbol=self.scenario.organization.currency_symbol)
        return curve


def threshold(curve: pd.DataFrame, level: float = 0.9) -> float:
    """The value at which P(MSP is the better choice) first falls to ``level`` (linear interpolation).

    ``nan`` when the curve never crosses ``level``.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"value": [100, 120, 140], "prob_msp_better": [1.0, 0.8, 0.4]})
    >>> threshold(curve, 0.9)
    110.0
    """
    v, p = curve["value"].to_numpy(float), curve["prob_msp_better"].to_numpy(float)
    for i in range(len(v) - 1):
        if (p[i] - level) * (p[i + 1] - level) <= 0 and p[i] != p[i + 1]:
            return float(v[i] + (level - p[i]) * (v[i + 1] - v[i]) / (p[i + 1] - p[i]))
    return math.nan


def uncertainty(
    scenario: Scenario,
    n: int = 10_000,
    seed: int | None = None,
    inputs: Iterable[str] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> Uncertainty:
    """How sure are we that the MSP is the better choice, given what we do not know about the inputs?

    Parameters
    ----------
    scenario : Scenario
        Every input's point value.
    n : int
        Draws of the inputs.
    seed : int or None
        Seed of the draws (SPEC 7); ``None`` draws fresh entropy.
    inputs : iterable of str, optional
        Only these paths vary (each needs a range); by default every input
        with a range in ``ranges`` or from :func:`default_ranges`.
    ranges : mapping of str to (low, high), optional
        90% intervals, overriding the assumptions table's.

    Returns
    -------
    Uncertainty

    Raises
    ------
    ValidationError
        An unknown path, a non-numeric field, ``low > high``, or an interval
        outside the field's allowed range; the message names the path.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> u = uncertainty(sample_scenario(), n=200, seed=1,
    ...                 ranges={"organization.loaded_hourly_cost": (50, 110)})
    >>> 0.0 <= u.prob_msp_better <= 1.0 and u.evpi >= 0.0
    True
    >>> uncertainty(sample_scenario(), n=10, ranges={"msp.sla_adherence": (0.9, 0.8)})
    Traceback (most recent call last):
    ...
    msp_analysis.errors.ValidationError: msp.sla_adherence: got (0.9, 0.8), expected a 90% interval (low, high) with low <= high
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValidationError("n", n, "a whole number of draws, at least 2")
    rs = input_ranges(scenario, inputs, ranges)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValidationError("seed", seed, "None or a whole number >= 0")
    seq = np.random.SeedSequence(seed)
    d = max(len(rs), 1)
    u = stats.qmc.LatinHypercube(d, seed=np.random.default_rng(seq)).random(int(n))[:, : len(rs)]
    values = _values(scenario, rs, u)
    totals = expected_totals(scenario, values) if values else np.tile(_point(scenario), (int(n), 1))
    draws = pd.DataFrame(values, index=pd.RangeIndex(int(n), name="draw"))
    frame = pd.DataFrame(totals, columns=["break_fix", "msp"], index=draws.index)
    # With seed=None the fresh entropy is kept, so the same draws can be made again.
    return Uncertainty(scenario, rs, draws, frame, seed if seed is not None else int(seq.entropy))  # type: ignore[arg-type]


def _point(scenario: Scenario) -> _Floats:
    return expected_totals(scenario, {"organization.users": [scenario.organization.users]})[0]
