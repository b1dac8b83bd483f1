import numpy as np
import pytest

from msp_analysis.model.billing import billed_hours, billing_moments, expected_sla_credits, msp_monthly_fee, sla_credits
from msp_analysis.model.distributions import Gamma


def test_billed_hours_rules():
    np.testing.assert_allclose(billed_hours([0.1, 0.99, 1.01, 1.25, 1.26], 1.0, 0.25), [1, 1, 1.25, 1.25, 1.5])
    np.testing.assert_allclose(billed_hours([0.1, 0.5], 0.0, 0.0), [0.1, 0.5])
    # minimum not a multiple of the increment: the minimum is charged as it is, then increments
    np.testing.assert_allclose(billed_hours([0.2, 1.05, 1.25], 1.0, 0.3), [1.0, 1.2, 1.5])
    # 0.3 / 0.1 is 2.9999999999999996 in floating point: still three increments
    np.testing.assert_allclose(billed_hours([0.3], 0.0, 0.1), [0.3])


def test_any_work_takes_the_first_increment():
    # The floating-point slack once billed work below 1e-9 increments as nothing
    # (then the minimum): with a work time piling up near zero (Gamma shape < 1)
    # that was 16% of incidents, and simulated fees fell far below expected().
    np.testing.assert_allclose(billed_hours([1e-12, 5e-9, 0.0], 0.25, 8.0), [8.0, 8.0, 0.25])
    np.testing.assert_allclose(billed_hours([1e-12, 8.0 + 1e-12], 0.0, 8.0), [8.0, 8.0])


@pytest.mark.parametrize("minimum,increment", [(0.25, 8.0), (0.0, 1.0), (24.0, 8.0)])
def test_billing_moments_match_monte_carlo_when_work_piles_up_near_zero(minimum, increment):
    w = Gamma.from_median_p90(0.01, 20.0)  # shape about 0.08
    x = w.sample(1_000_000, np.random.default_rng(3))
    b = billed_hours(x, minimum, increment)
    m = billing_moments(w, minimum, increment)
    assert abs(m.mean_billed - b.mean()) < 5 * b.std() / np.sqrt(b.size)


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


def _full_lattice(work: Gamma, minimum: float, d: float):
    """E[B], E[B W], E[B^2] summed cell by cell to the Gamma's 1e-15 tail (slow, plain)."""
    m0 = np.floor(minimum / d + 1e-9) * d
    edges = m0 + d * np.arange(int(np.ceil((work.ppf(1 - 1e-15) - m0) / d)) + 1)
    p, pw = np.diff(work.cdf(edges)), np.diff(work.partial_moment(1, 0, edges))
    low_p, low_w = float(work.cdf(m0)), float(work.partial_moment(1, 0, m0))
    eb = minimum * low_p + edges[1:] @ p
    ebw = minimum * low_w + edges[1:] @ pw
    eb2 = minimum**2 * low_p + edges[1:] ** 2 @ p
    return eb, ebw, eb2


@pytest.mark.parametrize(
    "work,minimum,increment",
    [
        (Gamma(0.3, 300.0), 0.5, 0.1),  # a long work tail billed in six-minute steps: ~90,000 cells
        (Gamma(0.05, 2e4), 0.0, 0.25),  # the heaviest tail the scenario allows
        (Gamma(2.4, 2.36), 1.0, 0.25),  # the sample's P1 work
        (Gamma(5e4, 2e-5), 0.0, 0.01),  # almost a fixed duration
    ],
)
def test_billing_moments_match_the_full_lattice(work, minimum, increment):
    # The expectation sums a few hundred cells and closes the tail with its
    # Euler-Maclaurin terms; summing every cell must give the same answer.
    eb, ebw, eb2 = _full_lattice(work, minimum, increment)
    m = billing_moments(work, minimum, increment)
    assert m.mean_billed == pytest.approx(eb, rel=1e-11)
    ew, ew2 = work.mean(), work.var() + work.mean() ** 2
    assert m.cov_residual_work == pytest.approx(ebw - eb * ew - work.var(), abs=1e-9 * ew2)
    assert m.var_residual + m.mean_residual**2 == pytest.approx(eb2 - 2 * ebw + ew2, abs=1e-9 * ew2)


def test_tail_formula_alone_is_exact_for_smooth_work(monkeypatch):
    # Forced to start the tail formula at the first cell, in the middle of the
    # work's distribution: uniform rounding alone would be off by d^2/12 f(t)
    # (4e-6 of the mean here); with the boundary terms the mean stays exact.
    import msp_analysis.model.billing as billing

    work = Gamma(50.0, 0.05)  # mean 2.5 h, sd 0.35 h
    eb, _, _ = _full_lattice(work, 2.5, 0.01)
    monkeypatch.setattr(billing, "_FIRST_CELLS", 1)
    monkeypatch.setattr(billing, "_MAX_CELLS", 1)
    billing._moments.cache_clear()
    try:
        forced = billing_moments(work, 2.5, 0.01)
    finally:
        billing._moments.cache_clear()
    assert forced.mean_billed == pytest.approx(eb, rel=1e-9)
    assert abs(forced.mean_billed - eb) < 0.01 * 0.01**2 / 12 * float(work.pdf(2.51))


def test_sla_credit_expectation_is_constant_time(sample):
    import tracemalloc

    from scipy import stats

    # Summing k p(k) up to the cap held two arrays of cap/credit entries: 580 MB
    # and 8 s for ten million misses a year. Now mu P(M <= K - 1), exactly.
    def summed(mu, x):
        ks = np.arange(int(x) + 1)
        return float(ks @ stats.poisson.pmf(ks, mu)) + x * float(stats.poisson.sf(int(x), mu))

    for mu, per_miss, cap in [(3.0, 0.05, 0.1), (30.0, 0.5, 1.0), (400.0, 0.02, 1.0)]:
        s = sample.replace({"msp.sla_credit_per_critical_miss": per_miss, "msp.sla_credit_cap": cap})
        c = per_miss * msp_monthly_fee(s)
        assert expected_sla_credits(mu, s) == pytest.approx(c * summed(mu, cap * 12 / per_miss), rel=1e-12)
    mu = 1e7
    s = sample.replace({"msp.sla_credit_per_critical_miss": 12 / mu, "msp.sla_credit_cap": 1.0})
    tracemalloc.start()
    try:
        value = expected_sla_credits(mu, s)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    # the cap sits at the mean: E[min(M, mu)] = mu - sqrt(mu / (2 pi)) for a near-normal M
    c = 12 / mu * msp_monthly_fee(s)
    assert value / c == pytest.approx(mu - np.sqrt(mu / (2 * np.pi)), rel=1e-6)
