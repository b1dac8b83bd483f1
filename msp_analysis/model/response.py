"""Response times: how long users wait before someone starts on their problem.

Break/Fix has no contract: the wait depends on a technician's availability and
is Gamma per priority, built from a median and p90 in business hours.

An MSP commits to a target per priority (the SLA) and meets it with
probability ``sla_adherence``. A met response takes ``target * Beta(2, 2)``
(symmetric on ``[0, target]``, half the target on average); a missed one takes
``target * (1 + excess)`` where the excess is Gamma with the median and p90
given in multiples of the target: misses come from a tail, not from a shift
of every response. When the MSP must come on site (the share not resolved
remotely) the dispatch adds a fixed wait.
"""

from __future__ import annotations

from .distributions import Gamma
from .scenario import PRIORITIES, Scenario

__all__ = [
    "HIT_MEAN_SHARE",
    "HIT_VAR_SHARE",
    "break_fix_response",
    "expected_msp_response",
    "msp_miss_excess",
    "sla_attainment",
]

#: Mean and variance of a met response, as a share (and squared share) of the target:
#: Beta(2, 2) has mean 1/2 and variance 1/20.
HIT_MEAN_SHARE = 0.5
HIT_VAR_SHARE = 0.05
HIT_BETA = (2.0, 2.0)


def break_fix_response(scenario: Scenario, priority: str) -> Gamma:
    """The Break/Fix wait for one priority, in business hours."""
    bf = scenario.break_fix
    return Gamma.from_median_p90(bf.response_median_hours[priority], bf.response_p90_hours[priority])


def msp_miss_excess(scenario: Scenario) -> Gamma:
    """How late a missed MSP response is, in multiples of its target."""
    m = scenario.msp
    return Gamma.from_median_p90(m.sla_miss_excess_median, m.sla_miss_excess_p90)


def expected_msp_response(scenario: Scenario, priority: str) -> float:
    """Mean MSP wait for one priority (before any on-site dispatch), in hours.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> round(expected_msp_response(sample_scenario(), "p3"), 3)   # 4 h target, 85% met
    3.278
    """
    m = scenario.msp
    target = m.sla_response_hours[priority]
    a = m.sla_adherence
    return target * (a * HIT_MEAN_SHARE + (1 - a) * (1 + msp_miss_excess(scenario).mean()))


def sla_attainment(scenario: Scenario) -> dict[str, float]:
    """Probability that a Break/Fix response would have met the MSP's target, per priority.

    A like-for-like way to show what "no SLA" means: the MSP meets its
    targets with ``sla_adherence``; Break/Fix meets them this often.
    """
    out = {}
    for p in PRIORITIES:
        out[p] = float(break_fix_response(scenario, p).cdf(scenario.msp.sla_response_hours[p]))
    return out
