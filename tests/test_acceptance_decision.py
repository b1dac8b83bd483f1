"""Acceptance checks of the decision tools on scenarios their authors did not pick.

Break-even on every numeric field of organisations near their break-even
(so that most fields cross somewhere), a projection recomputed by hand with
growth, escalators, both onboarding rules and renewals, and the errors a
caller gets when a growth rate or a horizon is pushed past what the scenario
allows.
"""

import math

import numpy as np
import pytest

from msp_analysis import ValidationError, expected, sample_scenario, simulate
from msp_analysis.decisions.break_even import NoCrossingError, break_even
from msp_analysis.decisions.budget import monthly_fees
from msp_analysis.decisions.projection import BREAK_FIX_PRICES, MSP_PRICES, project, year_scenario
from msp_analysis.decisions.scorecard import scorecard
from msp_analysis.decisions.what_if import numeric_paths, with_value
from msp_analysis.model.scenario import field_info


def _unseen(seed: int):
    """An organisation of 1-2,000 users with random offers, priced close to its break-even."""
    rng = np.random.default_rng(seed)
    while True:
        users = int(rng.integers(1, 2001))
        s = sample_scenario().replace(
            {
                "organization.users": users,
                "organization.workstations": int(users * rng.uniform(0.5, 2)),
                "organization.servers": int(rng.integers(0, max(2, users // 10))),
                "organization.compliance": str(rng.choice(["none", "hipaa", "pci", "gdpr"])),
                "organization.loaded_hourly_cost": float(rng.uniform(20, 200)),
                "msp.per_server_monthly": float(rng.uniform(0, 400)),
                "msp.monthly_minimum": float(rng.uniform(0, 3000)),
                "msp.onboarding_fee": float(rng.uniform(0, 20000)),
                "msp.term_months": int(rng.integers(1, 121)),
                "break_fix.hourly_rate": float(rng.uniform(50, 300)),
                "break_fix.remote_hourly_rate": float(rng.uniform(40, 250)),
                "break_fix.trip_fee": float(rng.uniform(0, 200)),
            }
        )
        try:
            price = break_even(s, "msp.per_user_monthly").value
        except NoCrossingError:
            continue
        return s.replace({"msp.per_user_monthly": price * rng.uniform(0.85, 1.15)})


def _savings(scenario, path, value, scale_devices=True):
    e = expected(with_value(scenario, path, value, scale_devices))
    return float(e.loc["total_cost", "break_fix"]), float(e.loc["total_cost", "msp"])


@pytest.mark.parametrize("seed", [3, 17])
def test_break_even_on_every_field_of_an_unseen_organisation(seed):
    s = _unseen(seed)
    crossings = 0
    for path in numeric_paths(s):
        try:
            be = break_even(s, path)
        except NoCrossingError as e:
            # No crossing claimed: the savings have one sign at both ends searched.
            lo = _savings(s, path, e.low)
            hi = _savings(s, path, e.high)
            assert np.sign(lo[0] - lo[1]) * np.sign(hi[0] - hi[1]) >= 0, path
            continue
        crossings += 1
        lo, hi = be.search_range
        assert lo <= be.value <= hi, path
        bf, msp = _savings(s, path, be.value)
        if be.integer:
            assert isinstance(be.value, int), path
            if bf != msp and be.value - 1 >= field_info(path).low:
                before = _savings(s, path, be.value - 1)
                assert np.sign(before[0] - before[1]) != np.sign(bf - msp), path
        else:
            assert abs(bf - msp) <= 1e-9 * max(bf, msp), path
    assert crossings >= 10  # priced near break-even: many fields cross


def test_projection_recomputed_by_hand_with_growth_escalators_and_renewals():
    s = sample_scenario().replace({"msp.term_months": 24, "organization.servers": 2})
    kw = dict(user_growth=-0.15, device_growth=0.2, break_fix_escalator=0.04, msp_escalator=0.07)
    p = project(
        s, years=5, discount_rate=0.06, trials=100, seed=1, onboarding="spread", msp_price_change="at_renewal", **kw
    )
    fee, term = s.msp.onboarding_fee, s.msp.term_months
    npv = {"break_fix": 0.0, "msp": 0.0}
    for t in range(1, 6):
        org = s.organization
        by_hand = {
            "organization.users": max(1, math.floor(org.users * 0.85 ** (t - 1) + 0.5)),
            "organization.workstations": math.floor(org.workstations * 1.2 ** (t - 1) + 0.5),
            "organization.servers": max(1, math.floor(org.servers * 1.2 ** (t - 1) + 0.5)),
        }
        by_hand.update({f"break_fix.{k}": getattr(s.break_fix, k) * 1.04 ** (t - 1) for k in BREAK_FIX_PRICES})
        renewal_years = (12 * (t - 1) // term) * term / 12  # prices move at months 24, 48
        by_hand.update({f"msp.{k}": getattr(s.msp, k) * 1.07**renewal_years for k in MSP_PRICES})
        e = expected(s.replace(by_hand))
        paid = fee * min(12, max(0, term - 12 * (t - 1))) / term
        want = {
            "break_fix": e.loc["total_cost", "break_fix"],
            "msp": e.loc["total_cost", "msp"] - fee * 12 / max(term, 12) + paid,
        }
        row = p.table[p.table["year"] == t].set_index("model")
        for m in want:
            assert row.loc[m, "total_cost"] == pytest.approx(want[m], rel=1e-10), (t, m)
            npv[m] += want[m] * 1.06**-t
    for m in npv:
        assert p.npv[m] == pytest.approx(npv[m], rel=1e-10)


def test_one_year_zero_growth_projection_is_expected_with_the_fee_up_front(sample):
    p = project(sample, years=1, user_growth=0, break_fix_escalator=0, msp_escalator=0, trials=50, seed=0)
    e = expected(sample)
    row = p.table.set_index("model")
    assert row.loc["break_fix", "total_cost"] == pytest.approx(e.loc["total_cost", "break_fix"], rel=1e-12)
    spread = sample.msp.onboarding_fee * 12 / sample.msp.term_months
    want = e.loc["total_cost", "msp"] - spread + sample.msp.onboarding_fee
    assert row.loc["msp", "total_cost"] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "path", "cause"),
    [
        (dict(years=50, break_fix_escalator=0.5), "break_fix.hourly_rate", "break_fix_escalator=0.5"),
        (dict(years=50, user_growth=0.3), "organization.users", "user_growth=0.3"),
        # (1 + 1e10) ** 49 overflows a float: still the field's error, not OverflowError
        (dict(years=50, msp_escalator=1e10), "msp.per_user_monthly", "msp_escalator=10000000000.0"),
    ],
)
def test_growth_past_a_fields_limit_names_the_year_and_the_rate(sample, kwargs, path, cause):
    with pytest.raises(ValidationError) as info:
        project(sample, trials=10, seed=0, **kwargs)
    assert info.value.path == path
    assert "reached in year" in str(info.value) and cause in str(info.value)


def test_year_scenario_overflow_and_bad_years_are_validation_errors(sample):
    with pytest.raises(ValidationError, match=r"organization\.users: got inf.*user_growth=10000000000\.0"):
        year_scenario(sample, 50, user_growth=1e10)
    # a zero price stays zero (0 * inf is NaN) and the first field refused is a real one
    with pytest.raises(ValidationError, match=r"organization\.workstations: got inf"):
        year_scenario(sample, 50, device_growth=1e10)
    for bad in (0, -3, 2.5, "2", True):
        with pytest.raises(ValidationError, match="year: got"):
            year_scenario(sample, bad)


def test_discount_rate_next_to_minus_one_is_refused_not_nan(sample):
    with pytest.raises(ValidationError, match="discount_rate"):
        project(sample, years=50, discount_rate=-0.99999999, trials=10, seed=0)
    p = project(sample, years=50, discount_rate=-0.5, trials=10, seed=0)
    assert all(math.isfinite(v) for v in p.npv.values())


def test_monthly_summary_can_describe_an_ordinary_month(sample):
    m = monthly_fees(sample, months=12, trials=400, seed=3)
    ordinary = m.summary(exclude_onboarding_month=True)
    assert ordinary.loc["max", "MSP"] < sample.msp.onboarding_fee + 6075  # no month carries the fee
    rest = m.fees["msp"][:, 1:]
    assert ordinary.loc["p95", "MSP"] == pytest.approx(np.quantile(rest, 0.95))
    assert m.summary().loc["max", "MSP"] >= 6075 * 0.9 + sample.msp.onboarding_fee
    # nothing to leave out: the same as all months
    plain = monthly_fees(sample, months=12, trials=100, seed=3, onboarding=False)
    assert plain.summary(exclude_onboarding_month=True).equals(plain.summary())


@pytest.mark.parametrize("weight", [math.inf, math.nan])
def test_scorecard_non_finite_weight_is_refused_as_not_finite(sample, weight):
    c = simulate(sample, trials=200, seed=1)
    with pytest.raises(ValidationError, match=r"weights\.cost: .*a finite weight"):
        scorecard(c, weights={"cost": weight})
