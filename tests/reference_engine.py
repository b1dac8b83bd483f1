"""A plain per-incident Monte Carlo of the model: the oracle for the fast engine.

Every incident of every simulated year is drawn one by one with its own
marks, work, billing, response and downtime, written straight from the
model's description (module docstrings of msp_analysis) and sharing no
simulation code with ``msp_analysis.engine.simulation``. Its cost grows with
trials x incidents; it exists so that tests can show the fast engine draws
from the same distribution.
"""

from __future__ import annotations

import numpy as np

from msp_analysis.model.billing import msp_annual_fixed_fee, msp_monthly_fee, msp_onboarding_staff_cost
from msp_analysis.model.distributions import Gamma, Lognormal

PRIORITIES = ("p1", "p2", "p3", "p4")


def _per_trial(idx, values, trials):
    return np.bincount(idx, weights=values, minlength=trials)


def reference_simulate(scenario, trials: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    org, bf, msp, sec = scenario.organization, scenario.break_fix, scenario.msp, scenario.security
    users = org.users
    # a site-wide outage (and a security incident's) stops the users of one site, not of the whole firm
    site = min(users, org.users_per_site)
    # A user-hour is valued once: idle staff cost, lost revenue (per user or a fixed total), or a stated mix.
    revenue = org.revenue_per_user_hour if org.revenue_scaling == "per_user" else org.revenue_per_outage_hour / users
    w = org.downtime_revenue_weight
    per_user_hour = (1 - w) * org.loaded_hourly_cost * org.it_dependency + w * revenue
    zeros = lambda: np.zeros(trials)  # noqa: E731
    B = {k: zeros() for k in ("fees", "incidents", "downtime_hours")}
    M = {k: zeros() for k in ("incidents", "noticed", "downtime_hours", "oos_hours", "ah_hours", "critical_misses")}
    excess = Gamma.from_median_p90(msp.sla_miss_excess_median, msp.sla_miss_excess_p90)
    in_house = zeros()  # outage of incidents an in-house person resolves: the same in both models
    for p in PRIORITIES:
        c = scenario.incidents[p]
        reach = c.rate_per_user_year * users * (1 - c.self_service_share)
        # thinning: in-house incidents are their own Poisson stream, the rest reach the vendor
        n_in = rng.poisson(reach * c.in_house_share, size=trials)
        idx_in = np.repeat(np.arange(trials), n_in)
        work_in = Gamma.from_median_p90(c.work_median_hours, c.work_p90_hours).sample(idx_in.size, rng)
        in_house += _per_trial(idx_in, work_in * max(1.0, c.users_affected_share * site) * c.degradation, trials)
        n = rng.poisson(reach * (1 - c.in_house_share), size=trials)
        idx = np.repeat(np.arange(trials), n)
        k = idx.size
        onsite = rng.random(k) < c.onsite_share
        after = rng.random(k) < c.after_hours_share
        work = Gamma.from_median_p90(c.work_median_hours, c.work_p90_hours).sample(k, rng)
        # Break/Fix: bill each incident, wait for a technician.
        minimum = np.where(onsite, bf.onsite_minimum_hours, bf.remote_minimum_hours)
        minimum = np.where(after, np.maximum(minimum, bf.after_hours_minimum_hours), minimum)
        if bf.billing_increment_hours > 0:
            x = work / bf.billing_increment_hours
            # any work at all takes the first increment (the slack only forgives float noise)
            rounded = np.maximum(np.ceil(x - 1e-9), np.ceil(np.minimum(x, 1.0))) * bf.billing_increment_hours
        else:
            rounded = work
        billed = np.maximum(rounded, minimum)
        # same-day surcharge: P1/P2 in business hours (after hours the multiplier is the urgent price)
        urgent = 1 + bf.same_day_surcharge if p in ("p1", "p2") else 1.0
        rate = np.where(onsite, bf.hourly_rate, bf.remote_hourly_rate) * np.where(
            after, bf.after_hours_multiplier, urgent
        )
        fee = billed * rate + np.where(onsite, bf.trip_fee, 0.0)
        wait_bf = Gamma.from_median_p90(bf.response_median_hours[p], bf.response_p90_hours[p]).sample(k, rng)
        affected = max(1.0, c.users_affected_share * site) * c.degradation
        B["fees"] += _per_trial(idx, fee, trials)
        B["incidents"] += np.bincount(idx, minlength=trials)
        B["downtime_hours"] += _per_trial(idx, (wait_bf + work) * affected, trials)
        # MSP: the same incidents, some prevented, some caught before users notice.
        prevented = rng.random(k) < msp.prevented_share[p]
        caught = rng.random(k) < msp.caught_early_share[p]
        oos = rng.random(k) < msp.out_of_scope_share
        occurred = ~prevented
        noticed = occurred & ~caught
        target = msp.sla_response_hours[p]
        miss = rng.random(k) < 1 - msp.sla_adherence
        wait = np.where(miss, target * (1 + excess.sample(k, rng)), target * rng.beta(2.0, 2.0, size=k))
        dispatched = onsite & (rng.random(k) >= msp.remote_resolution_share)
        wait = wait + np.where(dispatched, msp.onsite_dispatch_hours, 0.0)
        M["incidents"] += _per_trial(idx, occurred, trials)
        M["noticed"] += _per_trial(idx, noticed, trials)
        M["downtime_hours"] += _per_trial(idx, noticed * (wait + work) * affected, trials)
        M["oos_hours"] += _per_trial(idx, (occurred & oos) * work, trials)
        # in-scope work users notice, out of hours: the contract may leave a share of it out
        M["ah_hours"] += _per_trial(idx, (noticed & ~oos & after) * work, trials)
        if p in ("p1", "p2"):
            M["critical_misses"] += _per_trial(idx, noticed & miss, trials)

    out = {"break_fix": {}, "msp": {}}
    b, m = out["break_fix"], out["msp"]
    b["fees"] = B["fees"] + bf.hourly_rate * org.project_hours_per_year
    b["internal_cost"] = (
        org.loaded_hourly_cost * bf.coordination_hours_per_incident * B["incidents"] + org.in_house_it_cost_per_year
    )
    b["downtime_hours"] = B["downtime_hours"] + in_house
    b["incidents"] = B["incidents"]
    monthly = msp_monthly_fee(scenario)
    credits = np.minimum(
        msp.sla_credit_per_critical_miss * monthly * M["critical_misses"], msp.sla_credit_cap * 12 * monthly
    )
    m["fees"] = (
        msp_annual_fixed_fee(scenario)
        + msp.out_of_scope_rate * (M["oos_hours"] + org.project_hours_per_year)
        + msp.out_of_scope_rate * msp.after_hours_rate_multiplier * msp.after_hours_out_of_scope_share * M["ah_hours"]
        - credits
    )
    # The client's onboarding hours (spread over the term) and the in-house person's cost come from the
    # library's own function and are added in the fast engine's order, like the fixed fee above: a constant
    # differing in its last bit would make the KS tests see two atoms where there is one.
    fixed = msp_onboarding_staff_cost(scenario) + org.in_house_it_cost_per_year
    m["internal_cost"] = (
        org.loaded_hourly_cost
        * (msp.coordination_hours_per_incident * M["noticed"] + 12 * msp.vendor_management_hours_per_month)
        + fixed
    )
    m["downtime_hours"] = M["downtime_hours"] + in_house
    m["incidents"] = M["incidents"]

    # Security: the same attacks for both models (common random numbers); each
    # model keeps an attack with probability its rate / the higher rate.
    severity = Lognormal.from_median_p90(sec.severity_median, sec.severity_p90)
    outage = Gamma.from_median_p90(sec.outage_median_hours, sec.outage_p90_hours)
    regime = org.compliance
    rates = {}
    for model, side in (("break_fix", bf), ("msp", msp)):
        # Faster than the reference halves the rate every halving_days; slower is the
        # mirror image, levelling off at twice the base rate.
        gap = (side.patch_latency_days - sec.reference_patch_latency_days) / sec.patch_halving_days
        factor = 2.0**gap if gap <= 0 else 2.0 - 2.0 ** (-gap)
        # patching acts on the exploited-vulnerability share of incidents only
        s = sec.exploited_vulnerability_share
        rates[model] = sec.base_rate_per_user_year * users * ((1 - s) + s * factor)
    top = max(rates.values())
    n = rng.poisson(top, size=trials) if top > 0 else np.zeros(trials, dtype=int)
    idx = np.repeat(np.arange(trials), n)
    k = idx.size
    mark = rng.random(k)
    direct = severity.sample(k, rng)
    hours = outage.sample(k, rng)
    fine = np.zeros(k)
    cap = sec.fine_cap[regime] if regime != "none" else 0.0
    if regime == "gdpr":  # EUR 20M or 4% of turnover, whichever is higher, in EUR; converted at the stated rate
        eur = 1.0 if org.currency == "EUR" else org.eur_rate
        cap = max(sec.fine_cap.gdpr, 0.04 * org.annual_revenue / eur) * eur
    if regime != "none":
        drawn = np.minimum(
            Lognormal.from_median_p90(sec.fine_median[regime], sec.fine_p90[regime]).sample(k, rng),
            cap,
        )
        fine = np.where(rng.random(k) < sec.fine_probability[regime], drawn, 0.0)
    for model, side in (("break_fix", bf), ("msp", msp)):
        kept = mark < (rates[model] / top if top > 0 else 0.0)
        loss = kept * (
            direct * (1 - sec.detection_severity_reduction * side.monitoring_coverage)
            + fine
            # the outage is priced only when the severity does not already include business interruption
            + (hours * per_user_hour * site if sec.severity_includes_outage == "no" else 0.0)
        )
        d = out[model]
        d["security_incidents"] = _per_trial(idx, kept, trials)
        d["security_loss"] = _per_trial(idx, loss, trials)
        d["security_downtime_hours"] = _per_trial(idx, kept * hours * site, trials)
    for d in out.values():
        d["downtime_cost"] = per_user_hour * d["downtime_hours"]
        d["total_cost"] = d["fees"] + d["internal_cost"] + d["downtime_cost"] + d["security_loss"]
        # a share of working hours: 0 when the summed lost hours exceed them (the model warns)
        d["availability"] = np.clip(
            1 - (d["downtime_hours"] + d["security_downtime_hours"]) / (users * org.business_hours_per_year), 0, 1
        )
    return out
