"""The security model's response to patch latency, both sides of the reference."""

import numpy as np
import pytest

from msp_analysis import expected, sample_scenario, simulate
from msp_analysis.model.security import incident_rate, patch_rate_factor
from tests.helpers import zscores


@pytest.fixture(scope="module")
def sample():
    return sample_scenario()


def test_factor_is_one_at_the_reference_halves_and_mirrors_one_halving_away():
    ref, half = 30.0, 23.0
    assert patch_rate_factor(ref, ref, half) == 1.0
    assert patch_rate_factor(ref - half, ref, half) == pytest.approx(0.5)
    assert patch_rate_factor(ref + half, ref, half) == pytest.approx(1.5)


def test_factor_rises_with_latency_without_a_kink_and_never_doubles():
    ref, half = 30.0, 23.0
    days = np.linspace(0.0, 365.0, 3651)
    f = patch_rate_factor(days, ref, half)
    assert np.all(np.diff(f) > 0)  # strictly slower -> strictly riskier, on both sides
    assert f.max() < 2.0 and f.min() > 0.0
    # Same slope either side of the reference: ln 2 / halving days.
    h = 1e-6
    left = (patch_rate_factor(ref, ref, half) - patch_rate_factor(ref - h, ref, half)) / h
    right = (patch_rate_factor(ref + h, ref, half) - patch_rate_factor(ref, ref, half)) / h
    assert left == pytest.approx(np.log(2) / half, rel=1e-4)
    assert right == pytest.approx(np.log(2) / half, rel=1e-4)


def test_factor_is_vectorised_and_matches_scalars():
    days = [0.0, 7.0, 29.9, 30.0, 30.1, 60.0, 365.0]
    vec = patch_rate_factor(np.array(days), 30.0, 23.0)
    assert isinstance(patch_rate_factor(7.0, 30.0, 23.0), float)
    assert vec.tolist() == [patch_rate_factor(d, 30.0, 23.0) for d in days]


def test_slower_patching_without_an_msp_raises_only_break_fix_security_loss(sample):
    # The dashboard's patch-latency slider starts at the reference (30 days):
    # moving it either way must move the Break/Fix figures, never the MSP's.
    base = expected(sample)
    slower = expected(sample.replace({"break_fix.patch_latency_days": 60.0}))
    faster = expected(sample.replace({"break_fix.patch_latency_days": 15.0}))
    assert slower.loc["security_loss", "break_fix"] > base.loc["security_loss", "break_fix"]
    assert faster.loc["security_loss", "break_fix"] < base.loc["security_loss", "break_fix"]
    for other in (slower, faster):
        assert other.loc["security_loss", "msp"] == base.loc["security_loss", "msp"]
    ratio = slower.loc["security_incidents", "break_fix"] / base.loc["security_incidents", "break_fix"]
    # patching acts on the exploited-vulnerability share only (20%, Verizon DBIR 2025)
    assert ratio == pytest.approx(0.8 + 0.2 * (2.0 - 2.0 ** (-30.0 / 23.0)))
    assert incident_rate(sample, 365.0) < 2 * incident_rate(sample, 30.0)


def test_simulation_agrees_with_expected_when_patching_is_slower_than_the_reference(sample):
    s = sample.replace({"break_fix.patch_latency_days": 120.0, "organization.users": 400})
    c = simulate(s, trials=20_000, seed=11)
    e = expected(s)
    for model in ("break_fix", "msp"):
        z = zscores(c[model].trials, e[model], scenario=s, model=model)
        assert np.all(np.abs(z) < 4), z
