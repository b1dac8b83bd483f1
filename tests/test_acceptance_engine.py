"""Acceptance checks of the engine on extreme but valid scenarios.

Each test here pins a defect found by stress-testing ``simulate`` against
``expected`` and the validation layer with values far from the sample's.
"""

import numpy as np
import pytest

from msp_analysis import expected, simulate


def _fee_z(scenario, trials=40_000, seed=5):
    c = simulate(scenario, trials=trials, seed=seed)
    e = expected(scenario)
    out = {}
    for m in ("break_fix", "msp"):
        fees = c[m].trials["fees"]
        out[m] = (fees.mean() - e.loc["fees", m]) / (fees.std() / np.sqrt(trials))
    return out


@pytest.mark.parametrize("minimum", [0.0, 0.25])
def test_fees_agree_when_work_piles_up_near_zero(sample, minimum):
    # Work with median 0.01 h and p90 20 h is a Gamma of shape ~0.08: one
    # incident in six takes less than 1e-9 of an 8-hour increment. Those were
    # billed as no work (z about -30 on Break/Fix fees); they take one increment.
    changes = {"organization.users": 1, "break_fix.billing_increment_hours": 8.0}
    for p in ("p1", "p2", "p3", "p4"):
        changes[f"incidents.{p}.rate_per_user_year"] = 0.0
    changes.update(
        {
            "incidents.p3.rate_per_user_year": 20.0,
            "incidents.p3.work_median_hours": 0.01,
            "incidents.p3.work_p90_hours": 20.0,
            "break_fix.onsite_minimum_hours": minimum,
            "break_fix.remote_minimum_hours": minimum,
        }
    )
    z = _fee_z(sample.replace(changes))
    assert abs(z["break_fix"]) < 4.5, z


def _finite_without_warnings(scenario, trials=300):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = expected(scenario)
        c = simulate(scenario, trials=trials, seed=1)
    assert np.isfinite(e.to_numpy()).all()
    for m in ("break_fix", "msp"):
        assert np.isfinite(c[m].trials.to_numpy()).all()
    return e, c


@pytest.mark.parametrize("users", [1, 2000])
@pytest.mark.parametrize("median", [1e-200, 2.2250738585072014e-308, 1e-310, 5e-324])
def test_vanishing_work_times_are_valid_and_computable(sample, users, median):
    # Any median in (0, 1000] hours is valid; below 1e-154 the work's variance
    # underflowed (0/0 in the aggregate draw), below 1e-308 x / scale overflowed
    # and the density became inf - inf: warnings, then NaN fees.
    s = sample.replace(
        {
            "organization.users": users,
            "incidents.p3.work_median_hours": median,
            "incidents.p3.work_p90_hours": 3 * median,
        }
    )
    e, _ = _finite_without_warnings(s)
    tiny = sample.replace(
        {"organization.users": users, "incidents.p3.work_median_hours": 1e-9, "incidents.p3.work_p90_hours": 3e-9}
    )
    # work that short is billed at the minimum either way
    assert e.loc["fees", "break_fix"] == pytest.approx(expected(tiny).loc["fees", "break_fix"], rel=1e-6)


@pytest.mark.parametrize("increment", [1e-10, 1e-310, 5e-324])
def test_vanishing_billing_increment_bills_the_exact_time(sample, increment):
    # 24 hours / 1e-310 overflowed to inf in the billing lattice (OverflowError).
    s = sample.replace({"break_fix.billing_increment_hours": increment})
    e, c = _finite_without_warnings(s, trials=20_000)
    exact = expected(sample.replace({"break_fix.billing_increment_hours": 0.0}))
    assert e.loc["fees", "break_fix"] == pytest.approx(exact.loc["fees", "break_fix"], rel=1e-9)
    fees = c.break_fix.trials["fees"]
    assert abs(fees.mean() - e.loc["fees", "break_fix"]) < 4.5 * fees.std() / np.sqrt(fees.size)


def test_business_hours_below_one_hour_a_year_are_refused(sample):
    from msp_analysis import ValidationError

    # 1e-310 hours made availability overflow to -inf; under one working hour a year means nothing.
    for bad in (0.5, 1e-310, 0.0):
        with pytest.raises(ValidationError) as err:
            sample.replace({"organization.business_hours_per_year": bad})
        assert err.value.path == "organization.business_hours_per_year"
    one_hour = sample.replace({"organization.business_hours_per_year": 1.0})
    # One working hour a year: the sample loses more user-hours than its users work, so availability is
    # shown as 0 and a warning says so (it was a silent negative share before).
    with pytest.warns(UserWarning, match="availability: user-hours lost exceed"):
        e = expected(one_hour)
    assert np.isfinite(e.to_numpy()).all()
    assert (e.loc["availability"] == 0.0).all()


@pytest.mark.parametrize(
    "median,p90",
    [("security.severity_median", "security.severity_p90"), ("security.fine_median.gdpr", "security.fine_p90.gdpr")],
)
def test_lognormal_ranges_wider_than_a_million_times_are_refused(sample, median, p90):
    from msp_analysis import ValidationError
    from msp_analysis.model.scenario import LOGNORMAL_MAX_RATIO

    s = sample.replace({"organization.compliance": "gdpr"})
    # median 1e-20, p90 1e12: the mean overflowed (OverflowError from expected()).
    with pytest.raises(ValidationError) as err:
        s.replace({median: 1e-20, p90: 1e12})
    assert err.value.path == p90
    ok = s.replace({median: 1.0, p90: LOGNORMAL_MAX_RATIO})
    _finite_without_warnings(ok)


def test_names_that_json_cannot_write_are_refused(sample, tmp_path):
    from msp_analysis import Scenario, ValidationError

    # "\ud800" in a hand-written JSON file loaded fine, then to_json raised UnicodeEncodeError.
    path = tmp_path / "s.json"
    d = sample.to_dict()
    d["organization"]["name"] = "\ud800"
    import json

    path.write_text(json.dumps(d), encoding="utf-8")  # ensure_ascii: written as an escape
    with pytest.raises(ValidationError) as err:
        Scenario.from_json(path)
    assert err.value.path == "organization.name"
    assert sample.replace({"organization.name": "Café Ünïcode 株式会社"}).to_json(path) == path


def test_the_same_seed_sequence_twice_gives_the_same_numbers(sample):
    # The run spawned its streams from the caller's SeedSequence, advancing it:
    # the second call with the same object gave different numbers.
    ss = np.random.SeedSequence(11)
    a = simulate(sample, trials=500, seed=ss)
    b = simulate(sample, trials=500, seed=ss)
    assert ss.n_children_spawned == 0
    for m in ("break_fix", "msp"):
        assert a[m].trials.equals(b[m].trials)
        assert a[m].trials.equals(simulate(sample, trials=500, seed=11)[m].trials)
    # a sequence that has already spawned children keeps its place
    used = np.random.SeedSequence(11)
    used.spawn(2)
    c = simulate(sample, trials=500, seed=used)
    assert not c.msp.trials.equals(a.msp.trials)
    assert c.msp.trials.equals(simulate(sample, trials=500, seed=used).msp.trials)


def test_metrics_edge_inputs(sample):
    from msp_analysis import ValidationError
    from msp_analysis.engine import metrics

    # no values: an IndexError or numpy warnings, now an error naming the argument
    for fn in (metrics.statistics, metrics.value_at_risk, metrics.tail_value_at_risk, metrics.coefficient_of_variation):
        with pytest.raises(ValidationError) as err:
            fn([])
        assert err.value.path == "values"
    c = simulate(sample, trials=200, seed=3)
    # a level outside [0, 1]: numpy's bare "Quantiles must be in the range [0, 1]"
    for bad in (1.5, -0.1, float("nan"), "0.95", True):
        with pytest.raises(ValidationError) as err:
            c.summary(level=bad)
        assert err.value.path == "level"
    # one threshold: a pandas "all scalar values" error, now a curve of one point
    one = c.msp.loss_exceedance("total_cost", thresholds=1e5)
    assert one["probability"].iloc[0] == c.msp.prob_exceeds(1e5)
    # all-equal and all-zero columns
    flat = metrics.statistics(np.full(50, 7.0))
    assert (
        flat[["mean", "p5", "p50", "p95", "var_95", "tvar_95"]].eq(7.0).all() and flat["std"] == 0 and flat["cv"] == 0
    )
    zero = metrics.statistics(np.zeros(50))
    assert zero["tvar_95"] == 0 and np.isnan(zero["cv"])
    assert metrics.prob_exceeds(np.zeros(50), 0.0) == 0.0


def _boundary_cases():
    """Hand-made scenarios at the edges of every range (common events, moderate tails)."""
    every = ("p1", "p2", "p3", "p4")

    def per(field, value):
        return {f"incidents.{p}.{field}": value for p in every}

    return {
        "one_user_everything_on_site_after_hours": {
            "organization.users": 1,
            **per("rate_per_user_year", 20.0),
            **per("onsite_share", 1.0),
            **per("after_hours_share", 1.0),
            "break_fix.after_hours_multiplier": 10.0,
        },
        "2000_users_all_remote_whole_hours": {
            "organization.users": 2000,
            **per("onsite_share", 0.0),
            "break_fix.billing_increment_hours": 1.0,
            "break_fix.remote_minimum_hours": 0.0,
            "organization.compliance": "gdpr",
            "security.base_rate_per_user_year": 0.02,
        },
        "minimum_far_above_the_work": {
            "break_fix.onsite_minimum_hours": 24.0,
            "break_fix.remote_minimum_hours": 24.0,
            "break_fix.billing_increment_hours": 8.0,
            **per("work_median_hours", 0.05),
            **per("work_p90_hours", 0.2),
        },
        "tiny_increment_minimum_not_a_multiple": {
            "break_fix.billing_increment_hours": 1 / 60,
            "break_fix.onsite_minimum_hours": 0.7,
            "break_fix.remote_minimum_hours": 0.3,
        },
        "sla_never_met_credits_capped": {
            "msp.sla_adherence": 0.0,
            "msp.sla_credit_per_critical_miss": 1.0,
            "msp.sla_credit_cap": 0.3,
            "organization.compliance": "hipaa",
            "security.base_rate_per_user_year": 0.05,
        },
        "sla_always_met_nothing_prevented": {
            "msp.sla_adherence": 1.0,
            **{f"msp.prevented_share.{p}": 0.0 for p in every},
            **{f"msp.caught_early_share.{p}": 0.0 for p in every},
            "msp.out_of_scope_share": 1.0,
            "organization.compliance": "pci",
            "security.base_rate_per_user_year": 0.05,
        },
        "msp_prevents_everything": {
            **{f"msp.prevented_share.{p}": 1.0 for p in every},
            "msp.monthly_minimum": 1e6,
        },
        "no_incidents_at_all": {**per("rate_per_user_year", 0.0), "security.base_rate_per_user_year": 0.0},
        "whole_site_down_every_time": {
            **per("users_affected_share", 1.0),
            **per("degradation", 1.0),
            "organization.it_dependency": 1.0,
            "organization.revenue_per_outage_hour": 1e5,
        },
    }


@pytest.mark.parametrize("case", list(_boundary_cases()))
def test_boundary_scenarios_simulate_to_their_expectation(sample, case):
    from .helpers import zscores

    s = sample.replace(_boundary_cases()[case])
    c = simulate(s, trials=20_000, seed=2026)
    e = expected(s)
    for m in ("break_fix", "msp"):
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4.5).all(), (case, m, z[z.abs() >= 4.5].to_dict())


def test_from_json_needs_a_path():
    from msp_analysis import Scenario, ValidationError

    # None or a number reached pathlib's bare TypeError
    for bad in (None, 3, ["a.json"]):
        with pytest.raises(ValidationError, match="path of a scenario file"):
            Scenario.from_json(bad)


def test_cross_field_messages_name_both_fields_in_full(sample):
    from msp_analysis import ValidationError

    # "expected a value above work_median_hours = 100": which of the four classes?
    with pytest.raises(ValidationError) as err:
        sample.replace({"incidents.p1.work_median_hours": 100})
    assert err.value.path == "incidents.p1.work_p90_hours"
    assert "above incidents.p1.work_median_hours = 100" in str(err.value)
