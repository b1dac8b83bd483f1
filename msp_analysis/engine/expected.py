"""Exact expected values of every simulated column, without simulation.

Counts are Poisson, so every sum over incidents has expectation ``rate *
E[per-incident amount]`` (Wald). The non-linear pieces have closed forms:
Break/Fix billing from the Gamma's partial moments over the billing lattice
(:func:`.billing.billing_moments`), capped SLA credits from the Poisson
distribution of critical misses, capped fines from the lognormal's limited
mean. Break-even and sensitivity analysis run on these, so they answer in
milliseconds; the Monte Carlo means agree with them within standard errors
(tested).
"""

from __future__ import annotations

import pandas as pd

from ..model.billing import (
    break_fix_project_fees,
    expected_sla_credits,
    msp_annual_fixed_fee,
    msp_hourly_fees,
    msp_onboarding_staff_cost,
)
from ..model.distributions import batchable
from ..model.downtime import availability, cost_per_user_hour
from ..model.incidents import NOTICED, NOTICED_IN_SCOPE, OCCURRED, OUT_OF_SCOPE, incident_plan
from ..model.response import break_fix_response, expected_msp_response
from ..model.scenario import Scenario
from ..model.security import expected_security
from .columns import COLUMNS, MODELS

__all__ = ["expected", "expected_components"]


def expected_components(scenario: Scenario) -> dict[str, dict[str, float]]:
    """``{model: {column: expected value}}`` -- the plain-dict form of :func:`expected`."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    plans = incident_plan(scenario)
    org, bf, msp = scenario.organization, scenario.break_fix, scenario.msp
    out = {m: dict.fromkeys(COLUMNS, 0.0) for m in MODELS}
    b, m = out["break_fix"], out["msp"]
    critical_misses = 0.0
    oos_hours = 0.0
    after_hours_hours = 0.0  # in-scope work users notice, done out of hours
    noticed_total = 0.0
    for plan in plans:
        p = plan.priority
        ew = plan.work.mean()
        for cat in plan.categories:
            lam = plan.rate * cat.probability
            b["fees"] += lam * (cat.hourly_price * cat.moments.mean_billed + cat.trip_fee)
        b["incidents"] += plan.rate
        # resolved in house: the same outage in both models (on site, no wait: the work is the outage)
        in_house = plan.in_house_rate * plan.user_hours_per_hour * ew
        b["downtime_hours"] += in_house
        m["downtime_hours"] += in_house
        b["downtime_hours"] += plan.rate * plan.user_hours_per_hour * (break_fix_response(scenario, p).mean() + ew)

        q = plan.class_probabilities
        noticed = plan.rate * q[NOTICED].sum(axis=0)
        noticed_total += noticed
        m["incidents"] += plan.rate * q[OCCURRED].sum(axis=0)
        oos_hours += plan.rate * q[OUT_OF_SCOPE].sum(axis=0) * ew
        after_share = sum(cat.probability for cat in plan.categories if cat.after_hours)
        after_hours_hours += plan.rate * q[NOTICED_IN_SCOPE].sum(axis=0) * after_share * ew
        dispatch = plan.onsite_share * (1 - msp.remote_resolution_share) * msp.onsite_dispatch_hours
        m["downtime_hours"] += noticed * plan.user_hours_per_hour * (expected_msp_response(scenario, p) + ew + dispatch)
        if p in ("p1", "p2"):
            critical_misses += noticed * (1 - msp.sla_adherence)

    b["internal_cost"] = org.loaded_hourly_cost * bf.coordination_hours_per_incident * b["incidents"]
    b["internal_cost"] += org.in_house_it_cost_per_year  # the in-house person costs the same in either model
    b["fees"] += break_fix_project_fees(scenario)
    m["fees"] = (
        msp_annual_fixed_fee(scenario)
        + batchable(msp_hourly_fees(scenario, oos_hours, after_hours_hours))  # a 0-d array for one input set
        - expected_sla_credits(critical_misses, scenario)
    )
    m["internal_cost"] = org.loaded_hourly_cost * (
        msp.coordination_hours_per_incident * noticed_total + 12 * msp.vendor_management_hours_per_month
    ) + (msp_onboarding_staff_cost(scenario) + org.in_house_it_cost_per_year)
    per_hour = cost_per_user_hour(scenario)
    for model in MODELS:
        d = out[model]
        d.update(expected_security(scenario, model))
        d["downtime_cost"] = per_hour * d["downtime_hours"]
        d["total_cost"] = d["fees"] + d["internal_cost"] + d["downtime_cost"] + d["security_loss"]
        d["availability"] = batchable(availability(scenario, d["downtime_hours"] + d["security_downtime_hours"]))
    return out


def expected(scenario: Scenario) -> pd.DataFrame:
    """Exact expected annual figures of both models.

    Returns
    -------
    pandas.DataFrame
        Indexed by the simulated columns (``fees``, ``internal_cost``,
        ``downtime_hours``, ``downtime_cost``, ``security_loss``,
        ``total_cost``, ...), with columns ``break_fix`` and ``msp``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, expected
    >>> e = expected(sample_scenario())
    >>> list(e.columns)
    ['break_fix', 'msp']
    >>> parts = e.loc[["fees", "internal_cost", "downtime_cost", "security_loss"]].sum()
    >>> bool((abs(parts - e.loc["total_cost"]) < 1e-6).all())
    True
    """
    comps = expected_components(scenario)
    frame = pd.DataFrame({mdl: pd.Series(comps[mdl]) for mdl in MODELS}).loc[list(COLUMNS)]
    frame.index.name = "column"
    return frame
