"""Monte Carlo comparison of Break/Fix and MSP over simulated years.

One trial is one year. Both support models face the same incidents and the
same attacks in a trial (common random numbers, see :mod:`.incidents`), so
the per-year saving "Break/Fix total minus MSP total" has low variance and
``prob_msp_cheaper`` is meaningful.

How a year is drawn, and why its cost does not grow with headcount
-------------------------------------------------------------------
Each (priority, billing category, MSP class) cell is an independent Poisson
count. For a cell the engine needs the count and the sum of its work hours;
a sum of ``n`` Gamma(k, theta) draws is exactly Gamma(n k, theta), one draw
whatever ``n`` is. Response waits are Gamma per priority and summed the same
way. Two quantities are not sums of Gammas:

- Break/Fix billed hours (minimum, then rounded up to the increment). Billed
  hours are work plus a rounding-up residual ``R``, bounded by the minimum
  or the increment. For categories expecting at least ``AGGREGATE_MIN``
  incidents a year the year's residual is drawn given the year's work as
  ``Normal(n E[R] + beta (W - n E[W]), n (Var R - beta^2 Var W))`` with
  ``beta = Cov(R, W) / Var W`` -- exact mean, variance and covariance with
  the work (from the Gamma's partial moments), and a sum of ``n >= 30``
  bounded terms by the central limit theorem. Smaller categories are drawn
  incident by incident, exactly.
- MSP responses that meet the SLA (Beta on ``[0, target]``): summed by the
  central limit theorem when at least ``AGGREGATE_MIN`` are expected, one by
  one otherwise (symmetric and bounded: the normal error is of order 1/n).

``tests/reference_engine.py`` simulates every incident one by one; the
statistical tests show that both engines draw the same distributions.
Security events are few and drawn one by one (:mod:`.security`).

Randomness follows SPEC 7: ``seed`` may be ``None``, an int, a
``SeedSequence`` or a ``Generator``; every component draws from its own
stream spawned from it, so the same seed gives the same numbers bit for bit.
"""

from __future__ import annotations

import math
import numbers
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import ValidationError
from ..model.billing import (
    billed_hours,
    break_fix_project_fees,
    msp_annual_fixed_fee,
    msp_hourly_fees,
    msp_onboarding_staff_cost,
    sla_credits,
)
from ..model.downtime import availability, cost_per_user_hour
from ..model.incidents import (
    CLASSES,
    NOTICED,
    NOTICED_IN_SCOPE,
    OCCURRED,
    OUT_OF_SCOPE,
    Category,
    PriorityPlan,
    incident_plan,
)
from ..model.response import HIT_BETA, HIT_MEAN_SHARE, HIT_VAR_SHARE, break_fix_response, msp_miss_excess
from ..model.scenario import Scenario
from ..model.security import simulate_security
from . import metrics
from .columns import COLUMNS, COST_COLUMNS, MODEL_LABELS, MODELS
from .expected import expected

if TYPE_CHECKING:  # distributed is imported only by cluster runs
    from distributed import Client

__all__ = [
    "AGGREGATE_MIN",
    "CHUNK_TRIALS",
    "COLUMNS",
    "COST_COLUMNS",
    "MAX_TRIALS",
    "MODELS",
    "MODEL_LABELS",
    "Comparison",
    "ModelResult",
    "SeedLike",
    "check_trials",
    "seed_sequence",
    "simulate",
    "simulate_raw",
]

#: Expected incidents a year from which a cell is drawn in aggregate.
AGGREGATE_MIN = 30.0
#: Trials drawn at once: bounds memory for runs of a million years.
CHUNK_TRIALS = 100_000
#: Most trials one run accepts: a guard against typos (a hundred million years
#: hold about 16 GB of results; ``10**20`` would exhaust memory while seeding).
MAX_TRIALS = 100_000_000

#: What a ``seed`` argument may be (SPEC 7): see :func:`seed_sequence`.
SeedLike: TypeAlias = int | np.random.SeedSequence | np.random.Generator | None

_N_CLASSES = len(CLASSES)
# Stream layout: 16 (priority x category) cells, 4 Break/Fix response streams,
# 4 MSP response streams, 1 security stream, 1 for incidents resolved in house
# (spawned last, so the first 25 streams draw what they drew before it existed).
_N_STREAMS = 26


def seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """A ``SeedSequence`` from ``None``, an int, a ``SeedSequence`` or a ``Generator`` (SPEC 7).

    A ``Generator`` is advanced by one draw (the entropy of the new sequence),
    so two generators in the same state give the same numbers and a second
    call with the same generator gives new ones. A ``SeedSequence`` is copied,
    not advanced: passed twice, it gives the same numbers twice. Anything else raises
    ``ValidationError("seed", ...)``.

    Examples
    --------
    >>> seed_sequence(7).entropy
    7
    >>> seed_sequence(-1)
    Traceback (most recent call last):
    ...
    msp_analysis.errors.ValidationError: seed: got -1, expected None, a whole number >= 0, a numpy SeedSequence or Generator
    """
    if isinstance(seed, np.random.SeedSequence):
        # A copy in the same state: runs spawn their streams from it, and spawning
        # from the caller's object would advance it, so the same SeedSequence
        # passed twice would give different numbers.
        return np.random.SeedSequence(
            seed.entropy,
            spawn_key=seed.spawn_key,
            pool_size=seed.pool_size,
            n_children_spawned=seed.n_children_spawned,
        )
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    if not isinstance(seed, (bool, np.bool_)):
        try:
            return np.random.SeedSequence(seed)
        except (TypeError, ValueError):
            pass
    raise ValidationError("seed", seed, "None, a whole number >= 0, a numpy SeedSequence or Generator")


def check_trials(trials: float, name: str = "trials") -> int:
    """``trials`` as an int in ``[1, MAX_TRIALS]``, or ``ValidationError`` naming ``name``.

    Whole numbers written as floats (``1e4``) are accepted; 2.5, "100", True are not.

    Examples
    --------
    >>> check_trials(1e4)
    10000
    >>> check_trials(2.5)
    Traceback (most recent call last):
    ...
    msp_analysis.errors.ValidationError: trials: got 2.5, expected a whole number in [1, 100,000,000]
    """
    allowed = f"a whole number in [1, {MAX_TRIALS:,}]"
    if isinstance(trials, (bool, np.bool_)) or not isinstance(trials, numbers.Real):
        raise ValidationError(name, trials, allowed)
    try:
        whole = float(trials).is_integer()
    except OverflowError:  # an int beyond any float
        whole = False
    if not whole or not 1 <= trials <= MAX_TRIALS:
        raise ValidationError(name, trials, allowed)
    return int(trials)


def _draw_cell(
    cat: Category, plan: PriorityPlan, trials: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts and work by MSP class, and billed hours, for one (priority, category) cell.

    Returns ``counts`` and ``work`` of shape (trials, 5) and ``billed`` (trials,).
    """
    lam = plan.rate * cat.probability
    q = plan.class_probabilities
    work = plan.work
    if lam <= 0:
        z = np.zeros((trials, _N_CLASSES))
        return z, z.copy(), np.zeros(trials)
    if lam >= AGGREGATE_MIN:
        counts = rng.poisson(lam * q, size=(trials, _N_CLASSES)).astype(float)
        hours: np.ndarray = rng.gamma(work.shape * counts, work.scale)
        n = counts.sum(axis=1)
        total = hours.sum(axis=1)
        if cat.exact_billing:
            return counts, hours, total
        m = cat.moments
        var_w = work.var()  # 0 when a vanishing scale underflows: work is then no information
        beta = m.cov_residual_work / var_w if var_w > 0 else 0.0
        resid_var = max(m.var_residual - beta * m.cov_residual_work, 0.0)
        resid = (
            n * m.mean_residual
            + beta * (total - n * work.mean())
            + np.sqrt(n * resid_var) * rng.standard_normal(trials)
        )
        return counts, hours, total + resid
    # Few incidents: draw each one.
    n = rng.poisson(lam, size=trials)
    idx = np.repeat(np.arange(trials), n)
    w = work.sample(idx.size, rng)
    cls = np.searchsorted(np.cumsum(q)[:-1], rng.random(idx.size), side="right")
    key = idx * _N_CLASSES + cls
    counts = np.bincount(key, minlength=trials * _N_CLASSES).reshape(trials, _N_CLASSES).astype(float)
    hours = np.bincount(key, weights=w, minlength=trials * _N_CLASSES).reshape(trials, _N_CLASSES)
    billed = np.bincount(idx, weights=billed_hours(w, cat.minimum, cat.increment), minlength=trials)
    return counts, hours, billed


def _in_house_downtime(plans: tuple[PriorityPlan, ...], trials: int, rng: np.random.Generator) -> np.ndarray:
    """User-hours lost a year to incidents an in-house IT person resolves: Poisson counts, Gamma work sums.

    On site, so no wait: the work is the outage. The same draw goes to both
    models (common random numbers: the same person, the same incidents).
    """
    out = np.zeros(trials)
    for plan in plans:
        n = rng.poisson(plan.in_house_rate, size=trials)
        out += plan.user_hours_per_hour * rng.gamma(plan.work.shape * n, plan.work.scale)
    return out


def _sum_hits(hits: np.ndarray, expected_hits: float, rng: np.random.Generator) -> np.ndarray:
    """Sum of ``hits`` Beta(2, 2) shares per trial (see module docstring)."""
    if expected_hits >= AGGREGATE_MIN:
        return HIT_MEAN_SHARE * hits + np.sqrt(HIT_VAR_SHARE * hits) * rng.standard_normal(hits.size)
    counts = hits.astype(np.int64)
    idx = np.repeat(np.arange(hits.size), counts)
    return np.bincount(idx, weights=rng.beta(*HIT_BETA, size=idx.size), minlength=hits.size)


def _simulate_chunk(scenario: Scenario, trials: int, ss: np.random.SeedSequence) -> dict[str, dict[str, np.ndarray]]:
    streams = [np.random.default_rng(s) for s in ss.spawn(_N_STREAMS)]
    plans = incident_plan(scenario)
    org, msp = scenario.organization, scenario.msp
    z = np.zeros
    bf = {"fees": z(trials), "incidents": z(trials), "downtime_hours": z(trials)}
    # after_hours_hours: in-scope work users notice, done out of hours (the contract may leave a share out)
    columns = ("incidents", "noticed", "downtime_hours", "oos_hours", "after_hours_hours", "critical_misses")
    ms = {k: z(trials) for k in columns}
    excess = msp_miss_excess(scenario)
    for i, plan in enumerate(plans):
        p = plan.priority
        counts_p = z((trials, _N_CLASSES))
        hours_p = z((trials, _N_CLASSES))
        onsite_noticed = z(trials)
        for j, cat in enumerate(plan.categories):
            counts, hours, billed = _draw_cell(cat, plan, trials, streams[4 * i + j])
            n = counts.sum(axis=1)
            bf["fees"] += cat.hourly_price * billed + cat.trip_fee * n
            counts_p += counts
            hours_p += hours
            if cat.onsite:
                onsite_noticed += counts[:, NOTICED].sum(axis=1)
            if cat.after_hours:
                ms["after_hours_hours"] += hours[:, NOTICED_IN_SCOPE].sum(axis=1)
        n_all = counts_p.sum(axis=1)
        bf["incidents"] += n_all
        resp = break_fix_response(scenario, p)
        bf_wait = streams[16 + i].gamma(resp.shape * n_all, resp.scale)
        bf["downtime_hours"] += plan.user_hours_per_hour * (bf_wait + hours_p.sum(axis=1))

        rng = streams[20 + i]
        noticed = counts_p[:, NOTICED].sum(axis=1)
        misses = rng.binomial(noticed.astype(np.int64), 1 - msp.sla_adherence).astype(float)
        hits = noticed - misses
        target = msp.sla_response_hours[p]
        expected_noticed = plan.rate * plan.class_probabilities[NOTICED].sum()
        wait = target * (
            _sum_hits(hits, expected_noticed * msp.sla_adherence, rng)
            + misses
            + rng.gamma(excess.shape * misses, excess.scale)
        )
        dispatched = rng.binomial(onsite_noticed.astype(np.int64), 1 - msp.remote_resolution_share)
        wait += msp.onsite_dispatch_hours * dispatched
        ms["downtime_hours"] += plan.user_hours_per_hour * (wait + hours_p[:, NOTICED].sum(axis=1))
        ms["incidents"] += counts_p[:, OCCURRED].sum(axis=1)
        ms["noticed"] += noticed
        ms["oos_hours"] += hours_p[:, OUT_OF_SCOPE].sum(axis=1)
        if p in ("p1", "p2"):
            ms["critical_misses"] += misses

    in_house = _in_house_downtime(plans, trials, streams[25])  # the same outage in both models
    bf["downtime_hours"] += in_house
    ms["downtime_hours"] += in_house
    sec = simulate_security(scenario, trials, streams[24])
    per_hour = cost_per_user_hour(scenario)
    loaded = org.loaded_hourly_cost
    out = {}
    out["break_fix"] = {
        "fees": bf["fees"] + break_fix_project_fees(scenario),
        "internal_cost": loaded * scenario.break_fix.coordination_hours_per_incident * bf["incidents"]
        + org.in_house_it_cost_per_year,
        "downtime_hours": bf["downtime_hours"],
        "incidents": bf["incidents"],
    }
    out["msp"] = {
        "fees": (
            msp_annual_fixed_fee(scenario)
            + msp_hourly_fees(scenario, ms["oos_hours"], ms["after_hours_hours"])
            - sla_credits(ms["critical_misses"], scenario)
        ),
        "internal_cost": loaded
        * (msp.coordination_hours_per_incident * ms["noticed"] + 12 * msp.vendor_management_hours_per_month)
        + (msp_onboarding_staff_cost(scenario) + org.in_house_it_cost_per_year),
        "downtime_hours": ms["downtime_hours"],
        "incidents": ms["incidents"],
    }
    for model in MODELS:
        d = out[model]
        d.update(sec[model])
        d["downtime_cost"] = per_hour * d["downtime_hours"]
        d["total_cost"] = d["fees"] + d["internal_cost"] + d["downtime_cost"] + d["security_loss"]
        d["availability"] = availability(scenario, d["downtime_hours"] + d["security_downtime_hours"])
    return out


def simulate_raw(
    scenario: Scenario,
    trials: int = 10_000,
    seed: SeedLike = None,
    progress: bool | None = None,
    scheduler: str | Client | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Per-trial arrays for both models: ``{model: {column: ndarray}}``.

    The engine behind :func:`simulate`, without the pandas wrapping. Runs
    longer than ``CHUNK_TRIALS`` are drawn in chunks (bounded memory);
    ``progress=None`` shows a progress bar only for runs of more than one chunk.
    ``scheduler`` draws the chunks on a Dask cluster (see :func:`simulate`).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    trials = check_trials(trials)
    root = seed_sequence(seed)
    n_chunks = math.ceil(trials / CHUNK_TRIALS)
    # The stream layout every run shares, local or distributed: chunk k of
    # sizes[k] trials draws from the k-th child of the seed. A chunk is a pure
    # function of (scenario, size, child seed), so where it is drawn does not
    # change a single bit.
    chunk_seeds = root.spawn(n_chunks)
    sizes = [min(CHUNK_TRIALS, trials - k * CHUNK_TRIALS) for k in range(n_chunks)]
    if progress is None:
        progress = n_chunks > 1
    if scheduler is not None:
        return _simulate_on_cluster(scenario, trials, sizes, chunk_seeds, scheduler, progress)
    chunks = range(n_chunks)
    if progress:
        # Here, not at the top: tqdm.auto probes for Jupyter and ipywidgets, a
        # cost only runs long enough to show a bar should pay.
        from tqdm.auto import tqdm

        chunks = tqdm(chunks, desc=f"simulating {trials:,} years", unit="chunk", leave=False)
    if n_chunks == 1:
        return _simulate_chunk(scenario, trials, chunk_seeds[0])
    # Each chunk is written into the result as soon as it is drawn: peak memory is
    # the result plus one chunk's working arrays (a list of parts and their
    # concatenation would hold the result twice).
    out: dict[str, dict[str, np.ndarray]] | None = None
    start = 0
    for k in chunks:
        part = _simulate_chunk(scenario, sizes[k], chunk_seeds[k])
        out = _place(out, part, trials, start)
        start += sizes[k]
    assert out is not None  # several chunks: the loop ran
    return out


def _place(out: dict | None, part: dict, trials: int, start: int) -> dict:
    """Write one chunk's arrays into the result at ``start`` (allocated on the first chunk)."""
    if out is None:
        out = {m: {c: np.empty(trials) for c in part[m]} for m in MODELS}
    for m in MODELS:
        for c, values in part[m].items():
            out[m][c][start : start + values.size] = values
    return out


def _simulate_on_cluster(
    scenario: Scenario,
    trials: int,
    sizes: list[int],
    chunk_seeds: list[np.random.SeedSequence],
    scheduler: str | Client,
    progress: bool | None,
) -> dict:
    """The chunks drawn as Dask tasks, placed into the result as they come back, in any order."""
    # distributed is a heavy dependency only cluster runs need: imported here, so
    # that `import msp_analysis` and local runs never load it.
    from distributed import as_completed

    # msp_analysis.cluster imports distributed at its top, for the same reason.
    from ..cluster import connect

    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    out = None
    with connect(scheduler) as client:
        futures = client.map(
            _simulate_chunk, [scenario] * len(sizes), sizes, chunk_seeds, pure=False, key=_chunk_keys(len(sizes))
        )
        where = {f.key: start for f, start in zip(futures, starts)}
        done = as_completed(futures)
        if progress:
            from tqdm.auto import tqdm

            done = tqdm(done, total=len(futures), desc=f"simulating {trials:,} years", unit="chunk", leave=False)
        for future in done:
            out = _place(out, future.result(), trials, where[future.key])
            future.release()  # the cluster may forget the chunk once it is copied here
    assert out is not None  # at least one chunk: trials >= 1
    return out


def _chunk_keys(n: int) -> list[str]:
    """Task names the Dask dashboard shows (unique per run, so two runs never share a result)."""
    run = uuid.uuid4().hex[:12]
    return [f"simulate-chunk-{run}-{k}" for k in range(n)]


def simulate(
    scenario: Scenario,
    trials: int = 10_000,
    seed: SeedLike = None,
    progress: bool | None = None,
    scheduler: str | Client | None = None,
) -> Comparison:
    """Simulate ``trials`` years of both support models on the same incidents.

    Parameters
    ----------
    scenario : Scenario
        The organisation and the two offers.
    trials : int
        Number of simulated years.
    seed : None, int, SeedSequence or Generator
        Source of randomness (SPEC 7). The same int gives the same result.
    progress : bool, optional
        Show a progress bar (default: only for runs of several chunks).
    scheduler : {"local"}, str or distributed.Client, optional
        Draw the chunks of ``CHUNK_TRIALS`` years as tasks on a Dask cluster:
        ``"local"`` (a local cluster started for this call), a scheduler
        address (``"tcp://host:8786"``) or a ``distributed.Client`` (see
        :func:`msp_analysis.cluster.connect`). The result equals the local
        run's bit for bit: the chunks and their seeds are the same, only
        where they are drawn changes. ``None`` (default): in this process.

    Returns
    -------
    Comparison

    Raises
    ------
    ValidationError
        ``trials`` is not a whole number in ``[1, MAX_TRIALS]`` or ``seed``
        is not one of the forms above (the error names the argument).
    msp_analysis.cluster.ClusterError
        ``scheduler`` does not answer, has no workers, or its workers run
        other package versions.
    TypeError
        ``scenario`` is not a :class:`Scenario`.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, simulate
    >>> c = simulate(sample_scenario(), trials=2_000, seed=1)
    >>> list(c.break_fix.trials.columns[:6])
    ['fees', 'internal_cost', 'downtime_hours', 'downtime_cost', 'security_loss', 'total_cost']
    >>> 0.0 <= c.prob_msp_cheaper <= 1.0
    True
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    raw = simulate_raw(scenario, trials, seed, progress, scheduler)
    # copy=False: the frame takes the engine's arrays as its columns (nothing else
    # holds them), instead of copying a million-trial result into one block.
    results = {m: ModelResult(m, pd.DataFrame({c: raw[m][c] for c in COLUMNS}, copy=False)) for m in MODELS}
    return Comparison(scenario, results["break_fix"], results["msp"], seed=seed)


@dataclass(frozen=True)
class ModelResult:
    """Simulated years of one support model.

    Attributes
    ----------
    model : str
        ``"break_fix"`` or ``"msp"``.
    trials : pandas.DataFrame
        One row per simulated year; columns :data:`COLUMNS`.
    """

    model: str
    trials: pd.DataFrame = field(repr=False)

    @property
    def label(self) -> str:
        return MODEL_LABELS[self.model]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Mean, std, CV, P5, P50, P95, VaR and TVaR of every column."""
        return metrics.describe(self.trials, level=level)

    def prob_exceeds(self, budget: npt.ArrayLike, column: str = "total_cost") -> float | npt.NDArray[np.float64]:
        """Share of simulated years in which ``column`` exceeds ``budget`` (scalar or array)."""
        return metrics.prob_exceeds(self.trials[column].to_numpy(), budget)

    def loss_exceedance(self, column: str = "security_loss", thresholds: npt.ArrayLike | None = None) -> pd.DataFrame:
        """P(a year's ``column`` exceeds x) over a grid of x (log-spaced by default)."""
        return metrics.loss_exceedance(self.trials[column].to_numpy(), thresholds)


@dataclass(frozen=True)
class Comparison:
    """Both models' simulated years, paired trial by trial."""

    scenario: Scenario = field(repr=False)
    break_fix: ModelResult = field(repr=False)
    msp: ModelResult = field(repr=False)
    seed: object = None

    @property
    def n_trials(self) -> int:
        return len(self.break_fix.trials)

    def __getitem__(self, model: str) -> ModelResult:
        if model not in MODELS:
            raise KeyError(f"{model!r}: expected one of {MODELS}")
        return getattr(self, model)

    @cached_property
    def savings(self) -> pd.Series:
        """Per-year Break/Fix total minus MSP total (positive: the MSP saves money)."""
        return (self.break_fix.trials["total_cost"] - self.msp.trials["total_cost"]).rename("savings")

    @property
    def prob_msp_cheaper(self) -> float:
        """Share of simulated years in which the MSP's total cost is lower."""
        return float((self.savings > 0).mean())

    def expected(self) -> pd.DataFrame:
        """Exact expected values for this scenario (see :func:`msp_analysis.expected`)."""
        return expected(self.scenario)

    def summary(self, column: str = "total_cost", level: float = 0.95) -> pd.DataFrame:
        """Both models side by side, and the saving, for one column.

        Rows: mean, std, cv, p5, p50, p95, VaR and TVaR at ``level``;
        columns: ``break_fix``, ``msp``, ``savings`` (per-year difference).
        """
        if column not in COLUMNS:
            raise KeyError(f"{column!r}: expected one of {COLUMNS}")
        diff = self.break_fix.trials[column] - self.msp.trials[column]
        table = pd.DataFrame(
            {
                "break_fix": metrics.statistics(self.break_fix.trials[column].to_numpy(), level),
                "msp": metrics.statistics(self.msp.trials[column].to_numpy(), level),
                "savings": metrics.statistics(diff.to_numpy(), level),
            }
        )
        table.columns.name = column
        return table
