"""Monthly fees and the chance of exceeding a budget."""

import numpy as np
import pandas as pd
import pytest

from msp_analysis import MODELS, ValidationError, expected, simulate
from msp_analysis.decisions.budget import MonthlyFees, monthly_fees, monthly_scenario, prob_fees_exceed
from msp_analysis.decisions.projection import year_scenario
from msp_analysis.model.billing import msp_monthly_fee


def test_monthly_scenario_divides_rates_only(sample):
    m = monthly_scenario(sample)
    for p in ("p1", "p2", "p3", "p4"):
        assert m.incidents[p].rate_per_user_year == pytest.approx(sample.incidents[p].rate_per_user_year / 12)
    assert m.security.base_rate_per_user_year == 0
    assert m.msp == sample.msp and m.break_fix == sample.break_fix and m.organization == sample.organization


def test_shapes_and_determinism(sample):
    a = monthly_fees(sample, months=18, trials=300, seed=3)
    b = monthly_fees(sample, months=18, trials=300, seed=3)
    assert isinstance(a, MonthlyFees) and (a.trials, a.months) == (300, 18)
    for m in MODELS:
        assert a.fees[m].shape == (300, 18)
        np.testing.assert_array_equal(a.fees[m], b.fees[m])
    assert not np.array_equal(a.fees["break_fix"][:, 0], a.fees["break_fix"][:, 1])  # months are their own draws


def test_onboarding_lands_in_month_one_only(sample):
    with_fee = monthly_fees(sample, months=6, trials=200, seed=9)
    without = monthly_fees(sample, months=6, trials=200, seed=9, onboarding=False)
    np.testing.assert_array_equal(with_fee.fees["break_fix"], without.fees["break_fix"])
    diff = with_fee.fees["msp"] - without.fees["msp"]
    np.testing.assert_allclose(diff[:, 0], sample.msp.onboarding_fee)
    np.testing.assert_allclose(diff[:, 1:], 0.0)


def test_msp_month_is_the_subscription_when_nothing_varies(sample):
    fixed = sample.replace({"msp.out_of_scope_share": 0.0, "msp.sla_credit_per_critical_miss": 0.0})
    m = monthly_fees(fixed, months=3, trials=200, seed=1, onboarding=False)
    np.testing.assert_allclose(m.fees["msp"], msp_monthly_fee(fixed), rtol=1e-12)


def test_monthly_means_add_up_to_the_annual_expectation(sample):
    m = monthly_fees(sample, months=12, trials=5_000, seed=11, onboarding=False)
    e = expected(sample)
    spread = sample.msp.onboarding_fee * 12 / sample.msp.term_months  # expected() spreads it; left out here
    targets = {"break_fix": e.loc["fees", "break_fix"], "msp": e.loc["fees", "msp"] - spread}
    for model, target in targets.items():
        annual = m.fees[model].sum(axis=1)
        se = annual.std(ddof=1) / np.sqrt(annual.size)
        assert abs(annual.mean() - target) < 4 * se + 1e-9 * target, model


def test_break_fix_bills_swing_more_than_the_msp(sample):
    m = monthly_fees(sample, months=12, trials=2_000, seed=2, onboarding=False)
    b = m.bands().set_index(["model", "month"])
    width = (b["p95"] - b["p5"]).groupby(level="model").mean()
    assert width["break_fix"] > 3 * width["msp"]
    assert (b["p5"] <= b["p50"]).all() and (b["p50"] <= b["p95"]).all()
    assert set(b.index.get_level_values("month")) == set(range(1, 13))
    s = m.summary()
    assert s.loc["cv", "Break/Fix"] > s.loc["cv", "MSP"]


def test_bands_named_after_levels(sample):
    m = monthly_fees(sample, months=2, trials=100, seed=0)
    assert list(m.bands(0.1, 0.9).columns) == ["month", "model", "mean", "p10", "p50", "p90"]
    with pytest.raises(ValidationError):
        m.bands(0.6, 0.9)


def test_growth_steps_once_a_year(sample):
    s = sample.replace({"msp.out_of_scope_share": 0.0, "msp.sla_credit_per_critical_miss": 0.0})
    m = monthly_fees(s, months=24, trials=50, seed=0, onboarding=False, user_growth=0.5, msp_escalator=0.0)
    np.testing.assert_allclose(m.fees["msp"][:, :12], msp_monthly_fee(s))
    np.testing.assert_allclose(
        m.fees["msp"][:, 12:], msp_monthly_fee(year_scenario(s, 2, user_growth=0.5, msp_escalator=0))
    )
    assert len(m.scenarios) == 2 and m.scenarios[1].organization.users == 68


def test_prob_month_exceeds(sample):
    m = monthly_fees(sample, months=4, trials=500, seed=6)
    p = m.prob_exceeds(5_000)
    assert list(p.columns) == list(MODELS) and list(p.index) == [1, 2, 3, 4]
    np.testing.assert_allclose(p["break_fix"], (m.fees["break_fix"] > 5_000).mean(axis=0))
    assert (p["msp"] == 1.0).all()  # the subscription alone is above it
    with pytest.raises(ValidationError):
        m.prob_exceeds(-1)


def test_prob_fees_exceed_from_a_comparison(sample):
    c = simulate(sample, trials=3_000, seed=8)
    p = prob_fees_exceed(c, 45_000)
    assert isinstance(p, pd.Series) and list(p.index) == list(MODELS)
    for m in MODELS:
        assert p[m] == pytest.approx((c[m].trials["fees"] > 45_000).mean())
    many = prob_fees_exceed(c, [30_000, 45_000, 60_000, 90_000])
    assert list(many.index) == [30_000, 45_000, 60_000, 90_000]
    assert (many.diff().dropna() <= 0).all().all()  # a bigger budget is exceeded less often
    assert many.loc[90_000, "msp"] == 0.0 and many.loc[30_000, "msp"] == 1.0


def test_prob_fees_exceed_from_a_scenario_is_reproducible(sample):
    a = prob_fees_exceed(sample, 45_000, trials=1_000, seed=1)
    b = prob_fees_exceed(sample, 45_000, trials=1_000, seed=1)
    pd.testing.assert_series_equal(a, b)


@pytest.mark.parametrize("budget", [-1, float("nan"), "a lot", "100", [], [[1, 2]], True])
def test_bad_budgets(sample, budget):
    c = simulate(sample, trials=100, seed=0)
    with pytest.raises(ValidationError) as err:
        prob_fees_exceed(c, budget)
    assert err.value.path == "budget"


def test_bad_arguments(sample):
    with pytest.raises(TypeError):
        prob_fees_exceed("not a comparison", 1000)
    for kwargs in ({"months": 0}, {"months": 1.5}, {"trials": 0}):
        with pytest.raises(ValidationError):
            monthly_fees(sample, **kwargs)
    for bad in (0, 2.5):
        with pytest.raises(ValidationError) as err:
            prob_fees_exceed(sample, 1000, trials=bad)
        assert err.value.path == "trials"
    with pytest.raises(ValidationError) as err:
        monthly_fees(sample, trials=10, seed=-1)
    assert err.value.path == "seed"
