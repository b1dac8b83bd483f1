"""Downtime: user-hours lost to IT incidents, what they cost, availability.

An incident of priority ``p`` affects ``max(1, users_affected_share * users)``
users, each losing ``degradation`` of their IT, from the moment it is
reported until it is fixed: the response wait plus the repair (the
technician's work). So one incident costs

    user-hours = (wait + repair) * users affected * degradation

and a user-hour lost is valued **once** (issue 12: wages and billable revenue
overlap, so adding them counts the same lost hour twice):

    cost per user-hour = (1 - w) * loaded_hourly_cost * it_dependency + w * revenue per user-hour

with ``w = downtime_revenue_weight``: 0 (the default) values the hour at the
idle staff cost, 1 at the revenue (or margin) a revenue-earning user loses
instead, anything between a stated mix. Revenue per user-hour is
``revenue_per_user_hour`` (it follows headcount: a smaller firm loses less
revenue an hour, not more per person) or, with ``revenue_scaling = "total"``,
``revenue_per_outage_hour / users`` (a fixed total shared by whoever is
there). Downtime cost is therefore linear in user-hours.

Availability is the share of users' working time with IT up.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from ..errors import ValidationError
from .distributions import batchable
from .scenario import Scenario

__all__ = ["availability", "cost_per_user_hour", "revenue_per_user_hour", "users_affected", "valuation_words"]


def users_affected(scenario: Scenario, priority: str) -> float:
    """Users affected by one incident of ``priority`` (at least one).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> users_affected(s, "p1"), users_affected(s, "p2"), users_affected(s, "p3")
    (45.0, 9.0, 1.0)
    """
    users = scenario.organization.users
    return batchable(np.maximum(1.0, scenario.incidents[priority].users_affected_share * users))


def revenue_per_user_hour(scenario: Scenario) -> float:
    """Revenue (or margin) one user's lost hour forgoes: per user, or a fixed total shared by the users.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> revenue_per_user_hour(s), revenue_per_user_hour(s.replace({"organization.users": 5}))  # per user: no growth
    (22.0, 22.0)
    >>> round(revenue_per_user_hour(s.replace({"organization.revenue_scaling": "total"})), 2)  # 1000 / 45
    22.22
    """
    o = scenario.organization
    return o.revenue_per_user_hour if o.revenue_scaling == "per_user" else o.revenue_per_outage_hour / o.users


def cost_per_user_hour(scenario: Scenario) -> float:
    """What one lost user-hour costs, valued once: idle staff cost, lost revenue, or a stated mix.

    The weight ``organization.downtime_revenue_weight`` is applied with plain
    arithmetic, never a branch on its value, so the same formula holds for an
    array of weights.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> cost_per_user_hour(s)   # 75 x 0.7: idle staff cost, the default
    52.5
    >>> cost_per_user_hour(s.replace({"organization.downtime_revenue_weight": 1.0}))   # lost revenue instead
    22.0
    >>> cost_per_user_hour(s.replace({"organization.downtime_revenue_weight": 0.5}))   # a stated mix, not a sum
    37.25
    """
    o = scenario.organization
    w = o.downtime_revenue_weight
    return (1.0 - w) * o.loaded_hourly_cost * o.it_dependency + w * revenue_per_user_hour(scenario)


def valuation_words(scenario: Scenario) -> str:
    """How the scenario values an hour of downtime, in words for notes and reports.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> valuation_words(s)
    'valued at idle staff cost'
    >>> valuation_words(s.replace({"organization.downtime_revenue_weight": 0.3}))
    'valued as a mix: 70% idle staff cost, 30% lost revenue'
    """
    w = scenario.organization.downtime_revenue_weight
    if w == 0.0:
        return "valued at idle staff cost"
    if w == 1.0:
        return "valued at lost revenue"
    return f"valued as a mix: {1 - w:.0%} idle staff cost, {w:.0%} lost revenue"


@overload
def availability(scenario: Scenario, downtime_user_hours: float) -> float: ...
@overload
def availability(scenario: Scenario, downtime_user_hours: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def availability(
    scenario: Scenario, downtime_user_hours: float | npt.NDArray[np.float64]
) -> float | npt.NDArray[np.float64]:
    """Share of users' working hours with IT available, given user-hours lost."""
    o = scenario.organization
    return 1.0 - downtime_user_hours / (o.users * o.business_hours_per_year)


def estimate_downtime_inputs(
    annual_salary: float,
    overhead_share: float,
    business_hours_per_year: float,
    it_share: float,
    annual_revenue: float,
    revenue_lost_share: float,
    users: int | None = None,
) -> dict[str, float]:
    """The downtime fields of a scenario from answers a client can give.

    - cost of an employee-hour: salary plus benefits and overhead, over the
      hours worked in a year;
    - IT dependency: the share of work that stops when IT is down (asked as is);
    - revenue lost per hour of full outage: revenue per business hour times
      the share of it that is lost rather than merely delayed; given
      ``users``, also per user-hour (``organization.revenue_per_user_hour``),
      the figure that follows headcount.

    Examples
    --------
    >>> est = estimate_downtime_inputs(108_500, 0.3, 1880, 0.7, 7_520_000, 0.25)
    >>> {k: round(v, 2) for k, v in est.items()}
    {'organization.loaded_hourly_cost': 75.03, 'organization.it_dependency': 0.7, 'organization.revenue_per_outage_hour': 1000.0}
    >>> round(estimate_downtime_inputs(108_500, 0.3, 1880, 0.7, 7_520_000, 0.25, users=40)["organization.revenue_per_user_hour"], 2)
    25.0
    """
    if business_hours_per_year <= 0:
        raise ValidationError("organization.business_hours_per_year", business_hours_per_year, "a number > 0")
    out = {
        "organization.loaded_hourly_cost": annual_salary * (1 + overhead_share) / business_hours_per_year,
        "organization.it_dependency": it_share,
        "organization.revenue_per_outage_hour": annual_revenue * revenue_lost_share / business_hours_per_year,
    }
    if users is not None:
        if users < 1:
            raise ValidationError("organization.users", users, "a whole number >= 1")
        out["organization.revenue_per_user_hour"] = out["organization.revenue_per_outage_hour"] / users
    return out
