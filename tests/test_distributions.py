import numpy as np
import pytest
from scipy import integrate

from msp_analysis.model.distributions import PERT, Gamma, Lognormal


@pytest.mark.parametrize("median,p90", [(1.0, 1.2), (0.75, 2.0), (2.5, 8.0), (1.0, 40.0)])
def test_gamma_from_median_p90_hits_both_quantiles(median, p90):
    g = Gamma.from_median_p90(median, p90)
    assert g.ppf(0.5) == pytest.approx(median, rel=1e-9)
    assert g.ppf(0.9) == pytest.approx(p90, rel=1e-9)


def test_gamma_rejects_impossible_quantiles():
    with pytest.raises(ValueError):
        Gamma.from_median_p90(2.0, 1.0)


@pytest.mark.parametrize(
    "dist", [Gamma.from_median_p90(0.75, 2.0), Gamma(0.6, 3.0), Lognormal.from_median_p90(1.0, 5.0)]
)
@pytest.mark.parametrize("j", [0, 1, 2])
@pytest.mark.parametrize("a,b", [(0.0, 1.0), (0.3, 2.5), (1.0, np.inf), (0.0, np.inf)])
def test_partial_moments_match_numerical_integration(dist, j, a, b):
    if isinstance(dist, Gamma):
        from scipy import stats

        pdf = stats.gamma(dist.shape, scale=dist.scale).pdf
    else:
        from scipy import stats

        pdf = stats.lognorm(dist.sigma, scale=np.exp(dist.mu)).pdf
    num, _ = integrate.quad(lambda x: x**j * pdf(x), a, b, limit=200)
    assert float(dist.partial_moment(j, a, b)) == pytest.approx(num, rel=1e-7, abs=1e-12)


def test_gamma_sum_of_counts_is_exact_in_mean_and_variance():
    g = Gamma.from_median_p90(1.0, 3.0)
    rng = np.random.default_rng(3)
    counts = np.full(200_000, 7)
    s = g.sample_sum(counts, rng)
    assert s.mean() == pytest.approx(7 * g.mean(), rel=0.01)
    assert s.var() == pytest.approx(7 * g.var(), rel=0.02)


def test_lognormal_parameterisations():
    d = Lognormal.from_median_p90(16_000, 150_000)
    assert d.ppf(0.5) == pytest.approx(16_000)
    assert d.ppf(0.9) == pytest.approx(150_000)
    r = Lognormal.from_range(5_000, 100_000)
    assert r.ppf(0.05) == pytest.approx(5_000)
    assert r.ppf(0.95) == pytest.approx(100_000)
    # the mean of a wide lognormal sits far above its median
    assert d.mean() > 4 * d.median()


def test_lognormal_limited_mean():
    d = Lognormal.from_median_p90(10.0, 60.0)
    x = d.sample(2_000_000, np.random.default_rng(0))
    assert d.limited_mean(50.0) == pytest.approx(np.minimum(x, 50.0).mean(), rel=0.005)
    assert d.limited_mean(np.inf) == d.mean()


def test_pert_textbook_mean_and_samples():
    p = PERT(1.0, 2.0, 6.0)
    assert p.mean() == pytest.approx(2.5)
    x = p.sample(400_000, np.random.default_rng(1))
    assert x.min() >= 1.0 and x.max() <= 6.0
    assert x.mean() == pytest.approx(2.5, rel=0.005)
    assert p.var() == pytest.approx(x.var(), rel=0.02)
    with pytest.raises(ValueError):
        PERT(3.0, 2.0, 1.0)
