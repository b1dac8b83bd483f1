"""The Monte Carlo engine: exact means, determinism, common random numbers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from msp_analysis import COLUMNS, MODELS, ValidationError, expected, simulate
from msp_analysis.engine.simulation import CHUNK_TRIALS, simulate_raw

from .helpers import scenarios, zscores


def test_result_shape_and_total(sample):
    c = simulate(sample, trials=3_000, seed=11)
    for m in MODELS:
        t = c[m].trials
        assert list(t.columns) == list(COLUMNS)
        assert len(t) == 3_000
        parts = t["fees"] + t["internal_cost"] + t["downtime_cost"] + t["security_loss"]
        np.testing.assert_allclose(t["total_cost"], parts, rtol=1e-12)
        assert (t[["internal_cost", "downtime_hours", "downtime_cost", "security_loss", "incidents"]] >= 0).all().all()
    s = c.summary()
    assert list(s.columns) == ["break_fix", "msp", "savings"]
    assert {"mean", "std", "p5", "p50", "p95", "var_95", "tvar_95"} <= set(s.index)
    assert s.loc["tvar_95", "break_fix"] >= s.loc["var_95", "break_fix"] >= s.loc["p50", "break_fix"]
    assert c.savings.equals(c.break_fix.trials["total_cost"] - c.msp.trials["total_cost"]) or np.allclose(
        c.savings, c.break_fix.trials["total_cost"] - c.msp.trials["total_cost"]
    )
    assert c.prob_msp_cheaper == pytest.approx((c.savings > 0).mean())
    assert c.break_fix.summary().loc["total_cost", "mean"] == pytest.approx(s.loc["mean", "break_fix"])


def test_sample_means_match_exact_expectations(sample):
    c = simulate(sample, trials=40_000, seed=2024)
    e = expected(sample)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], sample, m)
        assert (z.abs() < 4).all(), f"{m}:\n{z}"


@pytest.mark.slow
@settings(max_examples=40)
@given(scenario=scenarios(min_users=1, max_users=2000))
def test_random_scenarios_means_match_exact_expectations(scenario):
    c = simulate(scenario, trials=20_000, seed=7)
    e = expected(scenario)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], scenario, m)
        assert (z.abs() < 4).all(), f"{m}:\n{z}\n{scenario.to_dict()}"


@pytest.mark.parametrize(
    "changes",
    [
        # issue 12's fields: each valuation of downtime, outage priced apart or not, all or no incidents exploitable
        {"organization.downtime_revenue_weight": 1.0, "organization.revenue_per_user_hour": 150.0},
        {"organization.downtime_revenue_weight": 0.5, "organization.revenue_scaling": "total"},
        {"security.severity_includes_outage": "no", "security.base_rate_per_user_year": 0.01},
        {"security.exploited_vulnerability_share": 1.0, "security.base_rate_per_user_year": 0.01},
        {"security.exploited_vulnerability_share": 0.0, "security.base_rate_per_user_year": 0.01},
        {
            "organization.compliance": "gdpr",
            "organization.annual_revenue": 2e9,
            "security.fine_median.gdpr": 5e6,
            "security.fine_p90.gdpr": 2e8,
            "security.base_rate_per_user_year": 0.01,
        },
    ],
)
def test_new_fields_means_match_exact_expectations(sample, changes):
    s = sample.replace(changes)
    c = simulate(s, trials=20_000, seed=12)
    e = expected(s)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4).all(), f"{m} {changes}:\n{z}"


@pytest.mark.parametrize("regime", ["none", "hipaa", "pci", "gdpr"])
@pytest.mark.parametrize("users", [1, 45, 2000])
def test_every_regime_and_size(sample, regime, users):
    s = sample.replace(
        {"organization.compliance": regime, "organization.users": users, "security.base_rate_per_user_year": 0.01}
    )
    c = simulate(s, trials=20_000, seed=users)
    e = expected(s)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4).all(), f"{m}:\n{z}"
    if regime != "none":
        assert (
            e.loc["security_loss", "break_fix"]
            > expected(s.replace({"organization.compliance": "none"})).loc["security_loss", "break_fix"]
        )


def test_same_seed_same_numbers_bit_for_bit(sample):
    a = simulate(sample, trials=2_000, seed=5)
    b = simulate(sample, trials=2_000, seed=5)
    for m in MODELS:
        pd.testing.assert_frame_equal(a[m].trials, b[m].trials, check_exact=True)
    c = simulate(sample, trials=2_000, seed=6)
    assert not np.array_equal(a.break_fix.trials["total_cost"], c.break_fix.trials["total_cost"])


def test_seed_forms_follow_spec7(sample):
    a = simulate(sample, trials=500, seed=np.random.SeedSequence(9))
    b = simulate(sample, trials=500, seed=9)
    pd.testing.assert_frame_equal(a.msp.trials, b.msp.trials)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    pd.testing.assert_frame_equal(simulate(sample, 500, seed=g1).msp.trials, simulate(sample, 500, seed=g2).msp.trials)
    # a generator is advanced, so the next call differs
    assert not simulate(sample, 500, seed=g1).msp.trials.equals(
        simulate(sample, 500, seed=np.random.default_rng(3)).msp.trials
    )
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - checking the legacy global state is untouched
    simulate(sample, 500)
    assert np.array_equal(state, np.random.get_state()[1]), "global numpy state touched"  # noqa: NPY002


def test_chunked_runs_are_deterministic_and_bounded(sample, monkeypatch):
    import msp_analysis.engine.simulation as sim

    monkeypatch.setattr(sim, "CHUNK_TRIALS", 1_000)
    a = simulate_raw(sample, 3_500, seed=1, progress=False)
    b = simulate_raw(sample, 3_500, seed=1, progress=False)
    assert a["msp"]["total_cost"].shape == (3_500,)
    np.testing.assert_array_equal(a["msp"]["total_cost"], b["msp"]["total_cost"])
    assert CHUNK_TRIALS >= 10_000


def test_common_random_numbers_reduce_variance_of_savings(sample):
    paired = simulate(sample, trials=20_000, seed=1)
    other = simulate(sample, trials=20_000, seed=2)
    independent = paired.break_fix.trials["total_cost"] - other.msp.trials["total_cost"]
    assert paired.savings.var() < 0.8 * independent.var()
    # the incident counts are literally shared: MSP sees a subset of Break/Fix's incidents
    assert (paired.msp.trials["incidents"] <= paired.break_fix.trials["incidents"]).all()
    assert (paired.msp.trials["security_incidents"] <= paired.break_fix.trials["security_incidents"]).all()


def test_no_incidents_no_cost(sample):
    changes = {f"incidents.{p}.rate_per_user_year": 0.0 for p in ("p1", "p2", "p3", "p4")}
    changes["security.base_rate_per_user_year"] = 0.0
    s = sample.replace(changes)
    c = simulate(s, trials=200, seed=1)
    bf = c.break_fix.trials
    assert (bf["total_cost"] == 0).all()
    assert (c.msp.trials["fees"] == expected(s).loc["fees", "msp"]).all()


def test_bad_trials_argument(sample):
    with pytest.raises(ValueError):
        simulate(sample, trials=0)
    with pytest.raises(TypeError):
        simulate({"not": "a scenario"})


def test_budget_and_exceedance_helpers(sample):
    c = simulate(sample, trials=4_000, seed=3)
    t = c.break_fix.trials["total_cost"]
    budget = float(t.median())
    assert c.break_fix.prob_exceeds(budget) == pytest.approx((t > budget).mean())
    probs = c.msp.prob_exceeds([0.0, 1e12])
    assert probs[0] == 1.0 and probs[1] == 0.0
    curve = c.break_fix.loss_exceedance("security_loss")
    assert curve["probability"].is_monotonic_decreasing


@pytest.mark.parametrize("trials", [0, -1, 2.5, "100", None, True, float("nan"), float("inf"), 10**20])
def test_bad_trials_raise_validation_error_naming_trials(sample, trials):
    with pytest.raises(ValidationError) as err:
        simulate(sample, trials=trials, seed=1)
    assert err.value.path == "trials"


def test_whole_trials_given_as_floats_are_accepted(sample):
    assert simulate(sample, trials=1e3, seed=1).n_trials == 1_000


@pytest.mark.parametrize("seed", [-1, [-1], 1.5, "x", True, float("nan")])
def test_bad_seeds_raise_validation_error_naming_seed(sample, seed):
    with pytest.raises(ValidationError) as err:
        simulate(sample, trials=10, seed=seed)
    assert err.value.path == "seed"


def test_engine_and_expectations_need_a_scenario(sample):
    with pytest.raises(TypeError):
        simulate_raw(sample.to_dict(), 10, 1)
    with pytest.raises(TypeError):
        expected(sample.to_dict())
