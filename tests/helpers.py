"""Scenario strategies and statistical helpers shared by the tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from msp_analysis import REGIMES, sample_scenario


def _gamma_pair(draw, lo, hi):
    median = draw(st.floats(lo, hi))
    ratio = draw(st.floats(1.3, 6.0))
    return median, median * ratio


@st.composite
def scenarios(draw, min_users: int = 1, max_users: int = 2000):
    """Random valid scenarios around the sample: every section and billing rule varies."""
    base = sample_scenario()
    users = draw(st.integers(min_users, max_users))
    changes = {
        "organization.users": users,
        "organization.workstations": draw(st.integers(0, 2 * users)),
        "organization.servers": draw(st.integers(0, max(1, users // 10))),
        "organization.users_per_site": draw(st.integers(1, 1000)),
        "organization.loaded_hourly_cost": draw(st.floats(20, 200)),
        "organization.it_dependency": draw(st.floats(0, 1)),
        "organization.revenue_per_outage_hour": draw(st.sampled_from([0.0, 500.0, 5000.0])),
        "organization.revenue_per_user_hour": draw(st.sampled_from([0.0, 20.0, 150.0])),
        "organization.revenue_scaling": draw(st.sampled_from(["per_user", "total"])),
        "organization.downtime_revenue_weight": draw(st.floats(0, 1)),
        "organization.compliance": draw(st.sampled_from(REGIMES)),
        "break_fix.hourly_rate": draw(st.floats(80, 300)),
        "break_fix.remote_hourly_rate": draw(st.floats(60, 250)),
        "break_fix.onsite_minimum_hours": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
        "break_fix.remote_minimum_hours": draw(st.sampled_from([0.0, 0.25, 0.5])),
        "break_fix.billing_increment_hours": draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0])),
        "break_fix.trip_fee": draw(st.floats(0, 150)),
        "break_fix.after_hours_multiplier": draw(st.floats(1, 3)),
        "break_fix.patch_latency_days": draw(st.floats(0, 90)),
        "msp.per_user_monthly": draw(st.floats(0, 250)),
        "msp.per_workstation_monthly": draw(st.floats(0, 100)),
        "msp.monthly_minimum": draw(st.floats(0, 5000)),
        "msp.sla_adherence": draw(st.floats(0.5, 1.0)),
        "msp.sla_credit_per_critical_miss": draw(st.floats(0, 0.2)),
        "msp.sla_credit_cap": draw(st.floats(0, 0.3)),
        "msp.out_of_scope_share": draw(st.floats(0, 0.3)),
        "msp.remote_resolution_share": draw(st.floats(0, 1)),
        "msp.patch_latency_days": draw(st.floats(0, 30)),
        "msp.monitoring_coverage": draw(st.floats(0, 1)),
        "security.base_rate_per_user_year": draw(st.floats(0, 0.02)),
        "security.exploited_vulnerability_share": draw(st.floats(0, 1)),
        "security.severity_includes_outage": draw(st.sampled_from(["yes", "no"])),
        # issue 12's terms: Break/Fix surcharges, the MSP's term and its premium, out-of-scope work by kind,
        # onboarding staff time, in-house IT
        "break_fix.after_hours_minimum_hours": draw(st.sampled_from([0.0, 1.0, 2.0])),
        "break_fix.same_day_surcharge": draw(st.floats(0, 1)),
        "msp.term_months": draw(st.integers(1, 60)),
        "msp.month_to_month_premium": draw(st.floats(0, 0.3)),
        "msp.one_year_premium": draw(st.floats(0, 0.15)),
        "msp.after_hours_out_of_scope_share": draw(st.floats(0, 1)),
        "msp.onboarding_staff_hours_per_user": draw(st.floats(0, 4)),
        "msp.co_managed_discount": draw(st.floats(0, 0.3)),
        "organization.project_hours_per_year": draw(st.floats(0, 200)),
        "organization.in_house_it_cost_per_year": draw(st.floats(0, 30_000)),
    }
    for p in ("p1", "p2", "p3", "p4"):
        med, p90 = _gamma_pair(draw, 0.2, 4.0)
        changes[f"incidents.{p}.rate_per_user_year"] = draw(st.floats(0, 5))
        changes[f"incidents.{p}.work_median_hours"] = med
        changes[f"incidents.{p}.work_p90_hours"] = p90
        changes[f"incidents.{p}.self_service_share"] = draw(st.floats(0, 0.5))
        changes[f"incidents.{p}.in_house_share"] = draw(st.floats(0, 0.5))
        changes[f"incidents.{p}.onsite_share"] = draw(st.floats(0, 1))
        changes[f"incidents.{p}.after_hours_share"] = draw(st.floats(0, 0.5))
        changes[f"incidents.{p}.users_affected_share"] = draw(st.floats(0, 1))
        med, p90 = _gamma_pair(draw, 0.5, 24.0)
        changes[f"break_fix.response_median_hours.{p}"] = med
        changes[f"break_fix.response_p90_hours.{p}"] = p90
        changes[f"msp.prevented_share.{p}"] = draw(st.floats(0, 0.6))
        changes[f"msp.caught_early_share.{p}"] = draw(st.floats(0, 0.6))
    return base.replace(changes)


def security_variances(scenario, model):
    """Exact per-year variances of the security columns (compound Poisson: Var = lambda E[L^2]).

    Heavy-tailed losses with few events make the sample standard deviation a
    poor standard error (the rare large losses are missing from most samples),
    so the mean tests use these exact variances for the security part.
    """
    from msp_analysis.model.security import security_profile

    prof = security_profile(scenario, model)
    lam = prof.rate
    a = prof.severity_multiplier
    b = prof.outage_cost_per_hour
    ex, ex2 = prof.severity.mean(), prof.severity.var() + prof.severity.mean() ** 2
    ed, ed2 = prof.outage.mean(), prof.outage.var() + prof.outage.mean() ** 2
    if prof.fine is not None:
        cap, q = prof.fine_cap, prof.fine_probability
        ef = q * prof.fine.limited_mean(cap)
        ef2 = q * (float(prof.fine.partial_moment(2, 0, cap)) + cap**2 * float(prof.fine.sf(cap)))
    else:
        ef = ef2 = 0.0
    el2 = a * a * ex2 + ef2 + b * b * ed2 + 2 * a * ex * ef + 2 * a * b * ex * ed + 2 * b * ef * ed
    return {
        "security_incidents": lam,
        "security_loss": lam * el2,
        "security_downtime_hours": lam * ed2 * prof.users**2,
    }


def zscores(trials_frame, expected_series, scenario=None, model=None):
    """(simulated mean - exact mean) / standard error, per column.

    A column constant in every trial (zero standard error, e.g. MSP fees with
    nothing out of scope) scores 0 when it equals the exact value and
    infinity when it does not.
    """
    n = len(trials_frame)
    var = trials_frame.var(ddof=1)
    if scenario is not None:
        exact = security_variances(scenario, model)
        rest = (trials_frame["total_cost"] - trials_frame["security_loss"]).var(ddof=1)
        var = var.copy()
        for col, v in exact.items():
            var[col] = max(var[col], v)
        var["total_cost"] = max(var["total_cost"], rest + exact["security_loss"])
    se = np.sqrt(var / n).to_numpy()
    diff = (trials_frame.mean() - expected_series).to_numpy()
    # (a rare event may simply not occur in any trial: allow a relative 1e-6)
    exact = np.abs(diff) <= 1e-6 * (1 + np.abs(expected_series.to_numpy()))
    with np.errstate(divide="ignore", invalid="ignore"):
        constant = se <= 1e-12 * (1 + np.abs(expected_series.to_numpy()))
        z = np.where(~constant, diff / se, np.where(exact, 0.0, np.inf))
    z = pd.Series(z, index=trials_frame.columns)
    if "availability" in z.index and (trials_frame["availability"] <= 0).any():
        # Availability is capped at 0 when lost hours exceed hours worked (and warned of): past the cap the
        # mean of the capped years is not the capped mean, so the two are not expected to agree.
        z["availability"] = 0.0
    return z
