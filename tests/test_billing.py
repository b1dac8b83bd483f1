import numpy as np
import pytest

from msp_analysis.billing import billed_hours, billing_moments, expected_sla_credits, msp_monthly_fee, sla_credits
from msp_analysis.distributions import Gamma


def test_billed_hours_rules():
    np.testing.assert_allclose(billed_hours([0.1, 0.99, 1.01, 1.25, 1.26], 1.0, 0.25), [1, 1, 1.25, 1.25, 1.5])
    np.testing.assert_allclose(billed_hours([0.1, 0.5], 0.0, 0.0), [0.1, 0.5])
    # minimum not a multiple of the increment: the minimum is charged as it is, then increments
    np.testing.assert_allclose(billed_hours([0.2, 1.05, 1.25], 1.0, 0.3), [1.0, 1.2, 1.5])
    # 0.3 / 0.1 is 2.9999999999999996 in floating point: still three increments
    np.testing.assert_allclose(billed_hours([0.3], 0.0, 0.1), [0.3])


@pytest.mark.parametrize("minimum,increment", [(0, 0), (1, 0), (0, 0.25), (1, 0.25), (0.5, 0.1), (1, 0.3), (2, 1)])
def test_billing_moments_match_monte_carlo(minimum, increment):
    w = Gamma.from_median_p90(0.75, 2.5)
    x = w.sample(2_000_000, np.random.default_rng(1))
    b = billed_hours(x, minimum, increment)
    r = b - x
    m = billing_moments(w, minimum, increment)
    se = b.std() / np.sqrt(b.size)
    assert abs(m.mean_billed - b.mean()) < 5 * se
    assert m.mean_residual == pytest.approx(r.mean(), abs=5 * r.std() / np.sqrt(r.size) + 1e-12)
    assert m.var_residual == pytest.approx(r.var(), rel=0.01, abs=1e-9)
    assert m.cov_residual_work == pytest.approx(np.cov(r, x)[0, 1], rel=0.02, abs=1e-4)


def test_sla_credits_expectation(sample):
    s = sample.replace({"msp.sla_credit_per_critical_miss": 0.05, "msp.sla_credit_cap": 0.1})
    rng = np.random.default_rng(2)
    for mu in [0.0, 0.3, 2.0, 25.0, 400.0]:
        misses = rng.poisson(mu, 400_000)
        sim = sla_credits(misses, s)
        assert expected_sla_credits(mu, s) == pytest.approx(sim.mean(), abs=5 * sim.std() / np.sqrt(sim.size) + 1e-9)
    # a tiny credit with a big cap never binds: no huge arrays, just c * mu
    t = sample.replace({"msp.sla_credit_per_critical_miss": 1e-12, "msp.sla_credit_cap": 1.0})
    assert expected_sla_credits(3.0, t) == pytest.approx(3.0 * 1e-12 * msp_monthly_fee(t))


def test_monthly_fee_minimum(sample):
    s = sample.replace({"organization.users": 2, "msp.per_server_monthly": 0.0})
    assert msp_monthly_fee(s) == s.msp.monthly_minimum
