"""Multi-year projection: year one against expected(), growth, escalators, onboarding, discounting."""

import math

import numpy as np
import pandas as pd
import pytest

from msp_analysis import COST_COLUMNS, MODELS, ValidationError, expected
from msp_analysis.decisions.projection import BREAK_FIX_PRICES, MSP_PRICES, Projection, project, year_scenario

from .helpers import zscores

SAME_AS_EXPECTED = ["internal_cost", "downtime_cost", "security_loss"]


def year(p: Projection, t: int) -> pd.DataFrame:
    return p.table[p.table["year"] == t].set_index("model")


def test_year_one_reproduces_expected_with_onboarding_upfront(sample):
    p = project(sample, years=3, trials=200, seed=1)
    e = expected(sample)
    y1 = year(p, 1)
    for c in COST_COLUMNS:
        assert y1.loc["break_fix", c] == pytest.approx(e.loc[c, "break_fix"], rel=1e-12)
    assert y1.loc["break_fix", "total_cost"] == pytest.approx(e.loc["total_cost", "break_fix"], rel=1e-12)
    for c in SAME_AS_EXPECTED:
        assert y1.loc["msp", c] == pytest.approx(e.loc[c, "msp"], rel=1e-12)
    fee, term = sample.msp.onboarding_fee, sample.msp.term_months
    adjustment = fee * (1 - 12 / term)  # whole fee now instead of 12/term of it
    assert y1.loc["msp", "fees"] == pytest.approx(e.loc["fees", "msp"] + adjustment, rel=1e-12)
    assert y1.loc["msp", "total_cost"] == pytest.approx(e.loc["total_cost", "msp"] + adjustment, rel=1e-12)
    assert y1.loc["msp", "onboarding"] == fee
    assert (p.table.loc[p.table["year"] > 1, "onboarding"] == 0).all()


def test_year_one_reproduces_expected_exactly_with_onboarding_spread(sample):
    p = project(sample, years=2, trials=200, seed=1, onboarding="spread")
    e = expected(sample)
    y1 = year(p, 1)
    for m in MODELS:
        for c in (*COST_COLUMNS, "total_cost"):
            assert y1.loc[m, c] == pytest.approx(e.loc[c, m], rel=1e-12), (m, c)


def test_onboarding_is_paid_once(sample):
    fee = sample.msp.onboarding_fee
    spread = project(sample, years=4, trials=50, seed=0, onboarding="spread")
    paid = spread.table.loc[spread.table["model"] == "msp", "onboarding"].to_numpy()
    np.testing.assert_allclose(paid, [fee / 3, fee / 3, fee / 3, 0.0])  # 36-month term
    short = sample.replace({"msp.term_months": 6})
    p = project(short, years=2, trials=50, seed=0, onboarding="spread")
    np.testing.assert_allclose(p.table.loc[p.table["model"] == "msp", "onboarding"], [fee, 0.0])
    # a term of a year or less carries the whole fee, once, in expected() too
    e = expected(short)
    y1 = year(p, 1)
    assert y1.loc["msp", "fees"] == pytest.approx(e.loc["fees", "msp"], rel=1e-12)


def test_headcount_and_device_growth(sample):
    p = project(sample, years=4, user_growth=0.1, device_growth=0.2, trials=50, seed=0)
    bf = p.table[p.table["model"] == "break_fix"]
    assert bf["users"].tolist() == [max(1, math.floor(45 * 1.1**t + 0.5)) for t in range(4)]
    assert bf["workstations"].tolist() == [math.floor(50 * 1.2**t + 0.5) for t in range(4)]
    assert bf["servers"].tolist() == [math.floor(3 * 1.2**t + 0.5) for t in range(4)]
    # year 3 is the scenario with those counts and prices escalated twice
    grown = sample.replace(
        {
            "organization.users": 54,
            "organization.workstations": 72,
            "organization.servers": 4,
            "msp.onboarding_fee": 0.0,
            **{f"break_fix.{k}": getattr(sample.break_fix, k) * 1.03**2 for k in BREAK_FIX_PRICES},
            **{f"msp.{k}": getattr(sample.msp, k) * 1.03**2 for k in MSP_PRICES},
        }
    )
    e = expected(grown)
    y3 = year(p, 3)
    for m in MODELS:
        assert y3.loc[m, "total_cost"] == pytest.approx(e.loc["total_cost", m], rel=1e-12)


def test_device_growth_defaults_to_user_growth(sample):
    s = year_scenario(sample, 3, user_growth=0.5)
    assert (s.organization.users, s.organization.workstations, s.organization.servers) == (101, 113, 7)
    shrink = year_scenario(sample, 10, user_growth=-0.5)
    assert shrink.organization.users == 1 and shrink.organization.servers == 1


def test_escalators_compound_yearly_and_touch_prices_only(sample):
    p = project(sample, years=3, break_fix_escalator=0.1, msp_escalator=0.2, trials=50, seed=0)
    y1, y2, y3 = year(p, 1), year(p, 2), year(p, 3)
    fee = sample.msp.onboarding_fee
    # Break/Fix fees are linear in its prices; MSP fees (subscription, out-of-scope rate, credits) in its own
    assert y2.loc["break_fix", "fees"] == pytest.approx(1.1 * y1.loc["break_fix", "fees"], rel=1e-12)
    assert y3.loc["break_fix", "fees"] == pytest.approx(1.1**2 * y1.loc["break_fix", "fees"], rel=1e-12)
    assert y2.loc["msp", "fees"] == pytest.approx(1.2 * (y1.loc["msp", "fees"] - fee), rel=1e-12)
    assert y3.loc["msp", "fees"] == pytest.approx(1.2**2 * (y1.loc["msp", "fees"] - fee), rel=1e-12)
    for c in SAME_AS_EXPECTED:
        for m in MODELS:
            assert y3.loc[m, c] == pytest.approx(y1.loc[m, c], rel=1e-12)


def test_escalators_default_to_the_scenario(sample):
    s = sample.replace({"break_fix.annual_escalator": 0.05, "msp.annual_escalator": 0.07})
    s2 = year_scenario(s, 2)
    assert s2.break_fix.hourly_rate == pytest.approx(150 * 1.05)
    assert s2.break_fix.trip_fee == pytest.approx(50 * 1.05)
    assert s2.msp.per_user_monthly == pytest.approx(125 * 1.07)
    assert s2.msp.out_of_scope_rate == pytest.approx(150 * 1.07)
    assert s2.organization.loaded_hourly_cost == s.organization.loaded_hourly_cost  # wages are not prices


def test_msp_prices_held_until_renewal(sample):
    s = sample.replace({"msp.term_months": 24, "msp.annual_escalator": 0.1})
    prices = [year_scenario(s, t, msp_price_change="at_renewal").msp.per_user_monthly for t in (1, 2, 3, 4, 5)]
    assert prices == pytest.approx([125, 125, 125 * 1.1**2, 125 * 1.1**2, 125 * 1.1**4])


def test_cumulative_discounting_npv_and_payback(sample):
    s = sample.replace({"msp.onboarding_fee": 20_000.0})  # a costly start: the MSP pays back later
    p = project(s, years=4, discount_rate=0.08, trials=100, seed=0)
    for m in MODELS:
        r = p.table[p.table["model"] == m]
        np.testing.assert_allclose(r["cumulative_total"], np.cumsum(r["total_cost"]), rtol=1e-12)
        running = r["total_cost"] - r["onboarding"]
        pv = running / 1.08 ** r["year"] + r["onboarding"]  # onboarding paid at signing
        np.testing.assert_allclose(r["present_value"], pv, rtol=1e-12)
        assert p.npv[m] == pytest.approx(pv.sum(), rel=1e-12)
    assert p.npv["savings"] == pytest.approx(p.npv["break_fix"] - p.npv["msp"], rel=1e-12)
    cum = p.summary()["cumulative_savings"]
    assert cum.iloc[0] < 0  # year one: the onboarding fee outweighs the savings
    assert p.payback_year == int(cum[cum > 0].index[0])
    assert p.payback_year > 1
    assert p.discounted_payback_year >= p.payback_year
    assert "from year" in str(p)


def test_no_payback_when_the_msp_never_catches_up(sample):
    p = project(sample.replace({"msp.per_user_monthly": 400.0}), years=3, trials=100, seed=0)
    assert p.payback_year is None
    assert "in no year" in str(p)


def test_simulated_paths_shapes_and_determinism(sample):
    a = project(sample, years=3, trials=300, seed=42)
    b = project(sample, years=3, trials=300, seed=42)
    c = project(sample, years=3, trials=300, seed=43)
    for m in MODELS:
        assert a.simulated[m].shape == (300, 3)
        np.testing.assert_array_equal(a.simulated[m], b.simulated[m])
        assert not np.array_equal(a.simulated[m], c.simulated[m])
        np.testing.assert_allclose(a.cumulative(m)[:, -1], a.simulated[m].sum(axis=1))
    # years draw from independent streams
    assert not np.array_equal(a.simulated["break_fix"][:, 0], a.simulated["break_fix"][:, 1])
    t = a.table
    assert (t["sim_p5"] <= t["sim_p50"]).all() and (t["sim_p50"] <= t["sim_p95"]).all()
    assert (t["sim_cumulative_p5"] <= t["sim_cumulative_p95"]).all()


def test_simulated_years_agree_with_expected_years(sample):
    p = project(sample, years=2, user_growth=0.2, trials=20_000, seed=5)
    for t in (1, 2):
        y = year(p, t)
        frame = pd.DataFrame({m: p.simulated[m][:, t - 1] for m in MODELS})
        z = zscores(frame, y["total_cost"])
        assert (z.abs() < 4).all(), z


@pytest.mark.parametrize(
    "kwargs,path",
    [
        ({"years": 0}, "years"),
        ({"years": 2.5}, "years"),
        ({"user_growth": -1.0}, "user_growth"),
        ({"device_growth": "fast"}, "device_growth"),
        ({"msp_escalator": float("nan")}, "msp_escalator"),
        ({"discount_rate": -1.5}, "discount_rate"),
        ({"onboarding": "never"}, "onboarding"),
        ({"msp_price_change": "monthly"}, "msp_price_change"),
        ({"trials": 0}, "trials"),
        ({"trials": -5}, "trials"),
        ({"trials": 1.5}, "trials"),
        ({"trials": "10"}, "trials"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments_raise_validation_errors(sample, kwargs, path):
    with pytest.raises(ValidationError) as err:
        project(sample, **{"trials": 10, **kwargs})
    assert err.value.path == path


def test_escalated_prices_beyond_the_allowed_range_name_the_field(sample):
    with pytest.raises(ValidationError) as err:
        project(sample, years=30, break_fix_escalator=1.0, trials=10)
    assert err.value.path.startswith("break_fix.")
