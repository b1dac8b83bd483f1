"""Security risk: costly incidents as a compound Poisson with a heavy tail.

Frequency. Costly incidents (not every phishing e-mail: those that cost money)
arrive as a Poisson process with rate ``base_rate_per_user_year * users``
at the reference patch latency. Faster patching halves the rate every
``patch_halving_days`` days saved (Marsh McLennan 2023: patching within 7 days
halves incident probability); slower patching than the reference is not
penalised further, a deliberately conservative choice.

Severity. Direct cost per incident is lognormal (median, p90), scaled down by
``detection_severity_reduction * monitoring_coverage`` (IBM 2025: faster
containment costs about 23 % less). Each incident also stops the whole site
for a Gamma number of hours, priced like any other downtime, and under a
compliance regime brings a fine with the regime's probability (lognormal,
capped per incident at the statutory maximum).

Both support models see the same underlying attacks in a trial (common
random numbers): events are drawn at the higher of the two rates and each
model keeps an event when its thinning mark falls under its own rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distributions import Gamma, Lognormal
from .downtime import cost_per_user_hour

__all__ = [
    "SecurityProfile",
    "expected_security",
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
    users: int

    def expected_loss_per_incident(self) -> float:
        fine = self.fine_probability * self.fine.limited_mean(self.fine_cap) if self.fine is not None else 0.0
        return self.severity.mean() * self.severity_multiplier + fine + self.outage.mean() * self.outage_cost_per_hour


def incident_rate(scenario, patch_latency_days: float, monitoring_coverage: float = 0.0) -> float:
    """Costly incidents per year for the organisation at a patch latency.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> round(incident_rate(s, 30.0), 4), round(incident_rate(s, 7.0), 4)  # 7-day patching halves it
    (0.135, 0.0675)
    """
    sec = scenario.security
    saved = max(sec.reference_patch_latency_days - patch_latency_days, 0.0)
    return sec.base_rate_per_user_year * scenario.organization.users * 2.0 ** (-saved / sec.patch_halving_days)


def security_profile(scenario, model: str) -> SecurityProfile:
    """The security side of ``model`` (``"break_fix"`` or ``"msp"``)."""
    side = getattr(scenario, model)
    sec, org = scenario.security, scenario.organization
    regime = org.compliance
    fine = None
    q, cap = 0.0, np.inf
    if regime != "none":
        q = sec.fine_probability[regime]
        fine = Lognormal.from_median_p90(sec.fine_median[regime], sec.fine_p90[regime])
        cap = sec.fine_cap[regime]
    return SecurityProfile(
        rate=incident_rate(scenario, side.patch_latency_days, side.monitoring_coverage),
        severity=Lognormal.from_median_p90(sec.severity_median, sec.severity_p90),
        severity_multiplier=1.0 - sec.detection_severity_reduction * side.monitoring_coverage,
        outage=Gamma.from_median_p90(sec.outage_median_hours, sec.outage_p90_hours),
        fine_probability=q,
        fine=fine,
        fine_cap=float(cap),
        outage_cost_per_hour=cost_per_user_hour(scenario) * org.users,
        users=org.users,
    )


def expected_security(scenario, model: str) -> dict[str, float]:
    """Exact expected security figures for one model (compound Poisson: ``E[S] = lambda E[X]``)."""
    prof = security_profile(scenario, model)
    return {
        "security_incidents": prof.rate,
        "security_loss": prof.rate * prof.expected_loss_per_incident(),
        "security_downtime_hours": prof.rate * prof.outage.mean() * prof.users,
    }


def simulate_security(scenario, trials: int, rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
    """Per-trial security incidents, losses and outage user-hours for both models.

    Draws each costly event once and lets both models keep or drop it by
    their own rate (common random numbers); severities, fines and outages of
    a kept event are the same event's, scaled by each model's detection.
    """
    profiles = {m: security_profile(scenario, m) for m in ("break_fix", "msp")}
    top = max(p.rate for p in profiles.values())
    out = {
        m: {k: np.zeros(trials) for k in ("security_incidents", "security_loss", "security_downtime_hours")}
        for m in profiles
    }
    if top <= 0:
        return out
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
        out[model]["security_incidents"] = np.bincount(trial, weights=keep, minlength=trials)
        out[model]["security_loss"] = np.bincount(trial, weights=loss, minlength=trials)
        out[model]["security_downtime_hours"] = np.bincount(trial, weights=keep * outage * prof.users, minlength=trials)
    return out
