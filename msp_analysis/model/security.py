"""Security risk: costly incidents as a compound Poisson with a heavy tail.

Frequency. Costly incidents (not every phishing e-mail: those that cost money)
arrive as a Poisson process with rate ``base_rate_per_user_year * users``
at the reference patch latency. Patching acts only on the share
``exploited_vulnerability_share`` of them that enter through an exploited
vulnerability (Verizon DBIR 2025: about 20% of breaches); on that share,
faster patching halves the rate every ``patch_halving_days`` days saved (an
assumption anchored on Marsh McLennan 2023, whose claims data associate
patching within 7 days, a control about a quarter of firms meet, with about
half the incident odds). Slower patching than the reference raises that share's
rate by the mirror image of the curve, which levels off at twice its base
(an assumption: the published figure only covers patching faster, and an
unbounded exponential would make a 90-day patch cycle absurdly dangerous);
see :func:`patch_rate_factor`. The whole rate is therefore
``base * users * ((1 - s) + s * factor)``.

Severity. Direct cost per incident is lognormal (median, p90), scaled down by
``detection_severity_reduction * monitoring_coverage`` (an assumption anchored
on IBM 2025, where enterprise breaches contained faster cost about 23% less).
Each incident also stops one site (``min(users, users_per_site)`` users:
:func:`~msp_analysis.model.downtime.site_users`; an assumption, as for a
site-wide P1 outage) for a Gamma number of hours: counted
as downtime hours, and priced like any other downtime only when
``severity_includes_outage`` is ``"no"`` (claims-based severities already hold
business interruption; pricing it again would count it twice). Under a
compliance regime an incident brings a fine with the regime's probability
(lognormal, capped per incident at the statutory maximum; for GDPR the larger
of the EUR floor and 4% of annual revenue, converted at
``organization.eur_rate``: :func:`fine_cap`).

Both support models see the same underlying attacks in a trial (common
random numbers): attacks arrive at the higher of the two rates and each model
suffers an attack when its thinning mark falls under its own rate.

How attacks are drawn. An organisation expecting fewer than
``AGGREGATE_MIN_ATTACKS`` a year (the usual case) has each attack drawn one by
one with its marks. A large one (a 10,000-user firm expects about 30 a year,
a million-user one thousands) is drawn by group, the same distribution with
less work per attack and bounded memory: thinning splits the attacks into two
independent Poisson groups, *shared* ones (the lower rate), suffered by both
models, and *extra* ones (the difference), suffered only by the model with
the higher rate. Per trial and group the year needs only the count and three
sums, all linear in the attacks:

- outage hours: a sum of ``n`` Gamma(k, theta) is Gamma(n k, theta), one draw
  whatever ``n`` is;
- fines: the number fined is Binomial(n, q), and only those draw an amount;
- direct severity: lognormal, whose sums have no closed form, drawn one by
  one in batches of at most ``EVENT_BATCH`` attacks.

A model's loss is its own severity multiplier times its groups' severity
sum, plus their fines and priced outage: the same attacks, exactly, for both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from .distributions import Gamma, Lognormal, batchable
from .downtime import cost_per_user_hour, site_users
from .scenario import Scenario

_Floats = npt.NDArray[np.float64]

__all__ = [
    "AGGREGATE_MIN_ATTACKS",
    "EVENT_BATCH",
    "SecurityProfile",
    "expected_security",
    "fine_cap",
    "incident_rate",
    "security_profile",
    "simulate_security",
]


@dataclass(frozen=True)
class SecurityProfile:
    """What one support model implies for security, derived from a scenario."""

    rate: float
    severity: Lognormal
    severity_multiplier: float
    outage: Gamma
    fine_probability: float
    fine: Lognormal | None
    fine_cap: float
    outage_cost_per_hour: float
    users: float  # users one incident's outage stops: one site's (downtime.site_users), not the whole firm's

    def expected_loss_per_incident(self) -> float:
        fine = self.fine_probability * self.fine.limited_mean(self.fine_cap) if self.fine is not None else 0.0
        return self.severity.mean() * self.severity_multiplier + fine + self.outage.mean() * self.outage_cost_per_hour


@overload
def patch_rate_factor(patch_latency_days: float, reference_days: float, halving_days: float) -> float: ...
@overload
def patch_rate_factor(patch_latency_days: _Floats, reference_days: float, halving_days: float) -> _Floats: ...
def patch_rate_factor(
    patch_latency_days: float | _Floats, reference_days: float, halving_days: float
) -> float | _Floats:
    """How much a patch latency multiplies the base rate of costly incidents.

    Faster than the reference, every ``halving_days`` saved halves the rate
    (``2 ** -(saved / halving_days)``, towards zero). Slower, the mirror image:
    ``2 - 2 ** -(late / halving_days)``, which rises as steeply as the fast side
    falls at the reference (the curve has no kink there) and levels off at 2,
    twice the base rate. The published figure (Marsh McLennan 2023) is only
    about faster patching; the ceiling of 2 is this suite's assumption, chosen
    so that a slider moved past the reference still answers, but no latency
    can more than double the risk.

    Parameters
    ----------
    patch_latency_days : float or array_like
        Days from a patch's release to its installation.
    reference_days : float
        The latency at which the base rate applies (factor 1).
    halving_days : float
        Days of faster patching that halve the rate.

    Returns
    -------
    float or numpy.ndarray
        The factor, in (0, 2).

    Examples
    --------
    >>> [round(float(patch_rate_factor(d, 30.0, 23.0)), 3) for d in (7, 30, 53, 365)]
    [0.5, 1.0, 1.5, 2.0]
    """
    gap = (np.asarray(patch_latency_days, dtype=float) - reference_days) / halving_days
    # exp2 of a non-positive number only: no overflow for any latency.
    factor = np.where(gap <= 0.0, np.exp2(np.minimum(gap, 0.0)), 2.0 - np.exp2(-np.maximum(gap, 0.0)))
    return factor if factor.ndim else float(factor)


@overload
def incident_rate(scenario: Scenario, patch_latency_days: float) -> float: ...
@overload
def incident_rate(scenario: Scenario, patch_latency_days: _Floats) -> _Floats: ...
def incident_rate(scenario: Scenario, patch_latency_days: float | _Floats) -> float | _Floats:
    """Costly incidents per year for the organisation at a patch latency (a float, or an array for an array).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> round(incident_rate(s, 30.0), 4), round(incident_rate(s, 7.0), 4)  # 7-day patching halves the exploited 20%
    (0.045, 0.0405)
    >>> round(incident_rate(s, 53.0), 4), round(incident_rate(s, 365.0), 4)  # slower: that share at most doubles
    (0.0495, 0.054)
    """
    sec = scenario.security
    factor = patch_rate_factor(patch_latency_days, sec.reference_patch_latency_days, sec.patch_halving_days)
    exploited = sec.exploited_vulnerability_share
    return sec.base_rate_per_user_year * scenario.organization.users * ((1.0 - exploited) + exploited * factor)


def fine_cap(scenario: Scenario, regime: str) -> float:
    """The largest fine per incident under ``regime``, in the scenario's currency.

    GDPR (Art. 83(5)): EUR 20 million or 4% of worldwide annual turnover,
    whichever is higher, in EUR; ``security.fine_cap.gdpr`` holds the EUR
    floor and ``organization.annual_revenue`` the turnover (0: not stated, the
    floor applies), converted at ``organization.eur_rate``. Other regimes' caps
    are stated in the scenario's currency.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()                      # USD, 1.1 USD per EUR
    >>> fine_cap(s, "gdpr")                        # EUR 20M floor in USD
    22000000.0
    >>> round(fine_cap(s.replace({"organization.annual_revenue": 1.1e9}), "gdpr"))   # 4% of EUR 1bn
    44000000
    """
    sec, org = scenario.security, scenario.organization
    if regime != "gdpr":
        return batchable(sec.fine_cap[regime])
    rate = 1.0 if org.currency == "EUR" else org.eur_rate  # a stale rate left in a euro scenario is ignored
    return batchable(np.maximum(sec.fine_cap.gdpr, 0.04 * org.annual_revenue / rate) * rate)


def security_profile(scenario: Scenario, model: str) -> SecurityProfile:
    """The security side of ``model`` (``"break_fix"`` or ``"msp"``)."""
    side = getattr(scenario, model)
    sec, org = scenario.security, scenario.organization
    regime = org.compliance
    stopped = site_users(scenario)
    fine = None
    q, cap = 0.0, math.inf
    if regime != "none":
        q = sec.fine_probability[regime]
        fine = Lognormal.from_median_p90(sec.fine_median[regime], sec.fine_p90[regime])
        cap = fine_cap(scenario, regime)
    return SecurityProfile(
        rate=incident_rate(scenario, side.patch_latency_days),
        severity=Lognormal.from_median_p90(sec.severity_median, sec.severity_p90),
        severity_multiplier=1.0 - sec.detection_severity_reduction * side.monitoring_coverage,
        outage=Gamma.from_median_p90(sec.outage_median_hours, sec.outage_p90_hours),
        fine_probability=q,
        fine=fine,
        fine_cap=cap,
        # claims-based severities already hold business interruption: the outage is then counted in hours only
        outage_cost_per_hour=cost_per_user_hour(scenario) * stopped * (sec.severity_includes_outage == "no"),
        users=stopped,
    )


def expected_security(scenario: Scenario, model: str) -> dict[str, float]:
    """Exact expected security figures for one model (compound Poisson: ``E[S] = lambda E[X]``)."""
    prof = security_profile(scenario, model)
    return {
        "security_incidents": prof.rate,
        "security_loss": prof.rate * prof.expected_loss_per_incident(),
        "security_downtime_hours": prof.rate * prof.outage.mean() * prof.users,
    }


#: Expected attacks a year from which they are drawn by group, not one by one.
AGGREGATE_MIN_ATTACKS = 30.0
#: Attacks whose severities are drawn at once on the grouped path: bounds memory
#: for very large organisations (a million users suffer thousands a year).
EVENT_BATCH = 1_000_000


def _sum_of_draws(
    counts: npt.NDArray[np.int64], draw: Callable[[int, np.random.Generator], _Floats], rng: np.random.Generator
) -> _Floats:
    """Per-trial sums of ``counts[i]`` independent draws of ``draw(size, rng)``.

    Trials are taken in consecutive batches of at most :data:`EVENT_BATCH`
    events (a single trial with more events is its own batch).
    """
    total = np.zeros(counts.size)
    ends = np.cumsum(counts)
    start = 0
    while start < counts.size:
        before = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, before + EVENT_BATCH, side="right")), start + 1)
        batch = counts[start:stop]
        if ends[stop - 1] > before:
            trial = np.repeat(np.arange(batch.size), batch)
            total[start:stop] = np.bincount(trial, weights=draw(trial.size, rng), minlength=batch.size)
        start = stop
    return total


def _group_sums(prof: SecurityProfile, rate: float, trials: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Count, direct severity, fines and outage hours per trial of a Poisson group of attacks."""
    if rate <= 0:
        z = np.zeros(trials)
        return {"count": z, "severity": z, "fines": z, "outage": z}
    counts = rng.poisson(rate, size=trials)
    severity = _sum_of_draws(counts, prof.severity.sample, rng)
    outage = rng.gamma(prof.outage.shape * counts, prof.outage.scale)
    fine = prof.fine
    if fine is not None and prof.fine_probability > 0:
        fined = rng.binomial(counts, prof.fine_probability)
        cap = prof.fine_cap
        fines = _sum_of_draws(fined, lambda n, g: np.minimum(fine.sample(n, g), cap), rng)
    else:
        fines = np.zeros(trials)
    return {"count": counts.astype(float), "severity": severity, "fines": fines, "outage": outage}


def _per_attack(
    profiles: dict[str, SecurityProfile], top: float, trials: int, rng: np.random.Generator
) -> dict[str, dict[str, np.ndarray]]:
    """Each attack drawn one by one with its marks (few attacks a year)."""
    out = {}
    counts = rng.poisson(top, size=trials)
    n = int(counts.sum())
    trial = np.repeat(np.arange(trials), counts)
    mark = rng.random(n)
    severity = profiles["break_fix"].severity.sample(n, rng)
    outage = profiles["break_fix"].outage.sample(n, rng)
    fine_mark = rng.random(n)
    any_profile = profiles["break_fix"]
    if any_profile.fine is not None:
        fines = np.minimum(any_profile.fine.sample(n, rng), any_profile.fine_cap)
        fines = np.where(fine_mark < any_profile.fine_probability, fines, 0.0)
    else:
        fines = np.zeros(n)
    for model, prof in profiles.items():
        keep = (mark < prof.rate / top).astype(float)
        loss = keep * (severity * prof.severity_multiplier + fines + outage * prof.outage_cost_per_hour)
        out[model] = {
            "security_incidents": np.bincount(trial, weights=keep, minlength=trials),
            "security_loss": np.bincount(trial, weights=loss, minlength=trials),
            "security_downtime_hours": np.bincount(trial, weights=keep * outage * prof.users, minlength=trials),
        }
    return out


def _by_group(
    profiles: dict[str, SecurityProfile], top: float, trials: int, rng: np.random.Generator
) -> dict[str, dict[str, np.ndarray]]:
    """Shared and extra attacks drawn as groups (many attacks a year; see the module docstring)."""
    low = min(p.rate for p in profiles.values())
    any_profile = profiles["break_fix"]  # severity, outage and fines do not depend on the model
    shared = _group_sums(any_profile, low, trials, rng)
    extra = _group_sums(any_profile, top - low, trials, rng)
    out = {}
    for model, prof in profiles.items():
        groups = (shared, extra) if prof.rate == top else (shared,)
        # np.asarray: sum() starts from the int 0, which the type checker cannot rule out as the result.
        g = {k: np.asarray(sum(grp[k] for grp in groups)) for k in shared}
        out[model] = {
            "security_incidents": g["count"],
            "security_loss": prof.severity_multiplier * g["severity"]
            + g["fines"]
            + prof.outage_cost_per_hour * g["outage"],
            "security_downtime_hours": prof.users * g["outage"],
        }
    return out


def simulate_security(scenario: Scenario, trials: int, rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
    """Per-trial security incidents, losses and outage user-hours for both models.

    Both models face the same attacks (common random numbers); severities,
    fines and outages of an attack are the same for every model that suffers
    it, severity scaled by each model's detection. Few attacks are drawn one by
    one, many by group (module docstring): the same distribution either way.
    """
    profiles = {m: security_profile(scenario, m) for m in ("break_fix", "msp")}
    top = max(p.rate for p in profiles.values())
    if top <= 0:
        return {
            m: {k: np.zeros(trials) for k in ("security_incidents", "security_loss", "security_downtime_hours")}
            for m in profiles
        }
    if top < AGGREGATE_MIN_ATTACKS:
        return _per_attack(profiles, top, trials, rng)
    return _by_group(profiles, top, trials, rng)
