"""Downtime: user-hours lost to IT incidents, what they cost, availability.

An incident of priority ``p`` affects ``max(1, users_affected_share * users)``
users, each losing ``degradation`` of their IT, from the moment it is
reported until it is fixed: the response wait plus the repair (the
technician's work). So one incident costs

    user-hours = (wait + repair) * users affected * degradation

and a user-hour lost costs ``loaded_hourly_cost * it_dependency`` (the share of
work that cannot go on without IT) plus the revenue lost:
``revenue_per_outage_hour / users`` (a full outage of every user loses the
whole hourly revenue). Downtime cost is therefore linear in user-hours.

Availability is the share of users' working time with IT up.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from ..errors import ValidationError
from .scenario import Scenario

__all__ = ["availability", "cost_per_user_hour", "users_affected"]


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
    return float(max(1.0, scenario.incidents[priority].users_affected_share * users))


def cost_per_user_hour(scenario: Scenario) -> float:
    """What one lost user-hour costs: wages of idle work plus revenue lost.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> round(cost_per_user_hour(sample_scenario()), 2)   # 75 x 0.7 + 1000 / 45
    74.72
    """
    o = scenario.organization
    return o.loaded_hourly_cost * o.it_dependency + o.revenue_per_outage_hour / o.users


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
) -> dict[str, float]:
    """The three downtime fields of a scenario from answers a client can give.

    - cost of an employee-hour: salary plus benefits and overhead, over the
      hours worked in a year;
    - IT dependency: the share of work that stops when IT is down (asked as is);
    - revenue lost per hour of full outage: revenue per business hour times
      the share of it that is lost rather than merely delayed.

    Examples
    --------
    >>> est = estimate_downtime_inputs(108_500, 0.3, 1880, 0.7, 7_520_000, 0.25)
    >>> {k: round(v, 2) for k, v in est.items()}
    {'organization.loaded_hourly_cost': 75.03, 'organization.it_dependency': 0.7, 'organization.revenue_per_outage_hour': 1000.0}
    """
    if business_hours_per_year <= 0:
        raise ValidationError("organization.business_hours_per_year", business_hours_per_year, "a number > 0")
    return {
        "organization.loaded_hourly_cost": annual_salary * (1 + overhead_share) / business_hours_per_year,
        "organization.it_dependency": it_share,
        "organization.revenue_per_outage_hour": annual_revenue * revenue_lost_share / business_hours_per_year,
    }
