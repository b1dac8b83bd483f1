"""How sure are we? Uncertain inputs, the value of information, Sobol indices, acceptability.

The Monte Carlo of :func:`~msp_analysis.simulate` answers "how much can a
*year* vary" with every input known. Here the inputs themselves are uncertain:
each one with a 90% interval is drawn from a distribution that fits its kind,
and for every draw the *expected* annual totals of both models are computed
exactly (:func:`~msp_analysis.engine.batch.expected_totals`, no inner
simulation). The share of draws in which the MSP's expected total is lower is
how sure we are that the MSP is the better *choice*; the expected value of
(partial) perfect information prices what is worth measuring before signing.

How each input is drawn, and which vary by default: :mod:`.input_ranges`.

Draws are a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`, seeded
through :class:`numpy.random.SeedSequence`, SPEC 7): the same seed gives the
same numbers; ``seed=None`` fresh ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..engine.batch import expected_totals
from ..errors import ValidationError
from ..model.scenario import Scenario, field_info
from .input_ranges import (
    InputRange,
    _Floats,
    _link,
    _number,
    _values,
    calibration_ranges,
    default_ranges,
    input_groups,
    input_ranges,
)
from .value_of_information import SobolIndices, evpi, evppi, sobol_indices

__all__ = [
    "InputRange",
    "Uncertainty",
    "calibration_ranges",
    "default_ranges",
    "input_groups",
    "input_ranges",
    "regression_draws",
    "threshold",
    "uncertainty",
]


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
        ``high``, ``source``, ``capped`` (the regression's estimate exceeded
        the EVPI and was cut to it: never more than the EVPI is shown).
        """
        self._enough_draws(knots)
        s = self.savings.to_numpy()
        streams = np.random.SeedSequence(seed).spawn(len(self.ranges))
        total = self.evpi
        rows = []
        for r, ss in zip(self.ranges, streams):
            est = evppi(self.draws[r.path].to_numpy(), s, knots=knots, n_se=n_se, rng=np.random.default_rng(ss))
            share = est.value / total if total > 0 else 0.0
            rows.append((r.path, est.value, est.standard_error, share, r.low, r.high, r.source, est.capped))
        cols = ["path", "evppi", "se", "share_of_evpi", "low", "high", "source", "capped"]
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
        unfavourable at once; a group can. The regression is a spline per
        input added up, then a spline on that sum (a single index: a saving
        that is a product of the inputs is not extrapolated below anything
        observed); interactions beyond that are not credited.
        ``groups`` maps a name to paths among the varying inputs; by default
        :func:`input_groups`. Columns ``group``, ``inputs``, ``evppi``, ``se``,
        ``share_of_evpi``, ``capped`` (as in :meth:`evppi`).
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
            share = est.value / total if total > 0 else 0.0
            rows.append((name, len(paths), est.value, est.standard_error, share, est.capped))
        table = pd.DataFrame(rows, columns=["group", "inputs", "evppi", "se", "share_of_evpi", "capped"])
        return table.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)

    def _enough_draws(self, knots: int, inputs: int = 1) -> None:
        need = regression_draws(knots, inputs)
        if len(self.draws) < need:
            raise ValidationError(
                "n",
                len(self.draws),
                f"at least {need:,} draws for a regression on {inputs} input(s) with {knots} knots",
            )

    def sobol(
        self, n_base: int = 1024, *, seed: int | None = 0, n_boot: int = 200, scheduler: Any = None
    ) -> pd.DataFrame:
        """First-order and total Sobol indices of the expected saving, with 95% intervals.

        Runs its own Saltelli design (``n_base * (d + 2)`` evaluations of the
        exact expectations) over the same input distributions. Columns
        ``path``, ``first``, ``first_conf``, ``total``, ``total_conf``, sorted
        by ``total``. ``scheduler`` prices the design on a Dask cluster
        (as :func:`uncertainty` does): the same indices, bit for bit.
        """
        if scheduler is None:
            res = self._sobol(n_base, seed, n_boot, None)
        else:
            # msp_analysis.cluster imports distributed at its top: only cluster runs load it.
            from ..cluster import connect

            with connect(scheduler) as client:  # one cluster for every block of the design
                res = self._sobol(n_base, seed, n_boot, client)
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

    def _sobol(self, n_base: int, seed: int | None, n_boot: int, scheduler: Any) -> SobolIndices:
        if not self.ranges:
            raise ValidationError("inputs", (), "at least one varying input for Sobol indices")
        if isinstance(n_base, bool) or not isinstance(n_base, (int, np.integer)) or n_base < 2 or n_base & (n_base - 1):
            # A Sobol sequence is balanced only at powers of two (scipy warns otherwise).
            raise ValidationError("n_base", n_base, "a power of two, at least 2 (e.g. 1024)")

        def saving(values: _Floats) -> _Floats:
            u_free = {r.path: values[:, j] for j, r in enumerate(self.ranges)}
            changes = _link(self.scenario, self.ranges, u_free)
            return _saving(expected_totals(self.scenario, changes, scheduler=scheduler))

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


def regression_draws(knots: int, inputs: int = 1) -> int:
    """The fewest draws for an EVPPI regression on ``inputs`` inputs with ``knots`` knots each.

    Four draws per spline coefficient (``knots + 4`` per input), as
    :func:`~msp_analysis.decisions.value_of_information.evppi` demands.

    Examples
    --------
    >>> regression_draws(6, 23)   # the largest default topic, security, with the topics' 6 knots
    920
    """
    return 4 * (knots + 4) * inputs


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
    scheduler: Any = None,
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
    scheduler : None, "local", str or distributed.Client
        Where the draws are priced: here (None), or on a Dask cluster in
        chunks (:func:`~msp_analysis.engine.batch.expected_totals`). The draws
        themselves are made here from ``seed``, so the result is the same,
        bit for bit, wherever they are priced.

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
    totals = (
        expected_totals(scenario, values, scheduler=scheduler) if values else np.tile(_point(scenario), (int(n), 1))
    )
    draws = pd.DataFrame(values, index=pd.RangeIndex(int(n), name="draw"))
    frame = pd.DataFrame(totals, columns=["break_fix", "msp"], index=draws.index)
    # With seed=None the fresh entropy is kept, so the same draws can be made again.
    return Uncertainty(scenario, rs, draws, frame, seed if seed is not None else int(seq.entropy))  # type: ignore[arg-type]


def _point(scenario: Scenario) -> _Floats:
    return expected_totals(scenario, {"organization.users": [scenario.organization.users]})[0]
