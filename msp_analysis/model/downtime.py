"""Downtime: user-hours lost to IT incidents, what they cost, availability.

An incident of priority ``p`` affects ``max(1, users_affected_share *
min(users, users_per_site))`` users, each losing ``degradation`` of their IT,
from the moment it is reported until it is fixed: the response wait plus the
repair (the technician's work).

Why ``users_per_site``: incidents arrive at a rate per user, so a firm twice
as large has twice the site-wide (P1) and team (P2) incidents. If each also
stopped a share of *all* users, the user-hours lost would grow with the
square of headcount (before this field, Break/Fix availability of the sample
scaled to 2,000 users was 69% and negative at 10,000, and the cost per user
grew without bound, leaning the answer toward the MSP for large firms). A
site-wide outage stops one site, or the users of one shared system: a firm
of up to ``users_per_site`` users (default 250, an assumption with a range
of 50 to 1,000) is one site and nothing changes; a larger one is taken to be
sites of that size, so lost user-hours grow linearly with headcount and the
cost per user levels off. Security incidents' outages stop one site the same
way (:mod:`msp_analysis.model.security`). So one incident costs

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

Availability is the share of users' working time with IT up: within
[0, 1] by construction, shown as 0 with a warning if extreme inputs add up
to more lost hours than the users work (:func:`availability`).
"""

from __future__ import annotations

import warnings
from typing import overload

import numpy as np
import numpy.typing as npt

from ..errors import ValidationError
from .distributions import batchable
from .scenario import Scenario

__all__ = [
    "availability",
    "cost_per_user_hour",
    "revenue_per_user_hour",
    "site_users",
    "site_words",
    "users_affected",
    "valuation_words",
]


def site_users(scenario: Scenario) -> float:
    """Users one site-wide (or shared-system) outage can stop: ``min(users, users_per_site)``.

    A firm no larger than ``organization.users_per_site`` is one site, so a
    site-wide outage stops everyone; a larger one is taken to be split into
    sites (or systems) of that size, so an outage stops one of them and the
    user-hours lost grow with headcount, not with its square.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()                     # 45 users, sites of up to 250
    >>> site_users(s), site_users(s.replace({"organization.users": 2000}))
    (45.0, 250.0)
    """
    o = scenario.organization
    # np.minimum, not min(): the same formula holds for arrays of headcounts (engine/batch.py).
    return batchable(np.minimum(o.users, o.users_per_site))


def users_affected(scenario: Scenario, priority: str) -> float:
    """Users affected by one incident of ``priority``: ``max(1, share * site_users)``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> users_affected(s, "p1"), users_affected(s, "p2"), users_affected(s, "p3")
    (45.0, 9.0, 1.0)
    >>> big = s.replace({"organization.users": 2000})
    >>> users_affected(big, "p1"), users_affected(big, "p2")   # one site of 250 stops, not all 2,000
    (250.0, 50.0)
    """
    return batchable(np.maximum(1.0, scenario.incidents[priority].users_affected_share * site_users(scenario)))


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


def site_words(scenario: Scenario) -> str:
    """What a site-wide outage is assumed to stop, in words for notes and reports ('' for a firm of one site).

    A firm larger than ``organization.users_per_site`` rests on that
    assumption (its downtime grows with it), so the screen should say so.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> site_words(s)
    ''
    >>> site_words(s.replace({"organization.users": 2000}))
    'a site-wide outage is taken to stop one site of 250 of the 2,000 users (an assumption: users per site)'
    """
    o = scenario.organization
    if o.users <= o.users_per_site:
        return ""
    return (
        f"a site-wide outage is taken to stop one site of {o.users_per_site:,} of the {o.users:,} users "
        "(an assumption: users per site)"
    )


@overload
def availability(scenario: Scenario, downtime_user_hours: float) -> float: ...
@overload
def availability(scenario: Scenario, downtime_user_hours: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def availability(
    scenario: Scenario, downtime_user_hours: float | npt.NDArray[np.float64]
) -> float | npt.NDArray[np.float64]:
    """Share of users' working hours with IT available, given user-hours lost: within [0, 1] by construction.

    User-hours lost are summed over incidents as if outages never overlapped.
    With the default site size they stay far below the users' working hours,
    but extreme inputs (hundreds of incidents per user a year, repairs of
    weeks) can add up to more hours than the users work: availability is then
    shown as 0 and a ``UserWarning`` says so, instead of a negative share.
    The lost hours and their cost are left as summed (overlaps are not
    modelled), which the warning also says.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()                     # 45 users x 1,880 hours = 84,600 user-hours a year
    >>> round(availability(s, 846.0), 4)
    0.99
    """
    o = scenario.organization
    worked = o.users * o.business_hours_per_year
    raw = 1.0 - np.asarray(downtime_user_hours) / worked
    over = int(np.count_nonzero(raw < 0.0))
    if over:
        where = (
            "the expected year" if raw.ndim == 0 else f"{over:,} of {raw.size:,} cases (simulated years or input sets)"
        )
        warnings.warn(
            f"availability: user-hours lost exceed the hours the users work in {where}; "
            "shown as 0%. Lost hours are summed as if outages never overlapped, so the downtime cost counts "
            "overlapping hours more than once: check incident rates, work and response times",
            UserWarning,
            stacklevel=2,
        )
    # batchable: a float for the expected year, an array for simulated years (or for arrays of inputs).
    return batchable(np.clip(raw, 0.0, 1.0))


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
