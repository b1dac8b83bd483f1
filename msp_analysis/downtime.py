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

__all__ = ["availability", "cost_per_user_hour", "users_affected"]


def users_affected(scenario, priority: str) -> float:
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


def cost_per_user_hour(scenario) -> float:
    """What one lost user-hour costs: wages of idle work plus revenue lost.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> round(cost_per_user_hour(sample_scenario()), 2)   # 75 x 0.7 + 1000 / 45
    74.72
    """
    o = scenario.organization
    return o.loaded_hourly_cost * o.it_dependency + o.revenue_per_outage_hour / o.users


def availability(scenario, downtime_user_hours):
    """Share of users' working hours with IT available, given user-hours lost."""
    o = scenario.organization
    return 1.0 - downtime_user_hours / (o.users * o.business_hours_per_year)
