"""Break-even and one-way sensitivity on the exact expectations."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_analysis import ValidationError, expected
from msp_analysis.decisions.break_even import BreakEven, NoCrossingError, break_even, savings_curve
from msp_analysis.decisions.sensitivity import sensitivity
from msp_analysis.decisions.what_if import numeric_paths, with_headcount, with_value
from msp_analysis.model.scenario import field_info

from .helpers import scenarios


def savings_of(scenario):
    """Expected Break/Fix total minus MSP total, through the public expected()."""
    e = expected(scenario)
    return float(e.loc["total_cost", "break_fix"] - e.loc["total_cost", "msp"])


def set_slow(scenario, path, value, scale_devices=True):
    """The reference way of setting a value: Scenario.replace (and the documented device scaling)."""
    if path == "organization.users" and scale_devices:
        org = scenario.organization
        ratio = value / org.users

        def scaled(n):
            return 0 if n == 0 else max(1, math.floor(n * ratio + 0.5))

        return scenario.replace(
            {
                "organization.users": value,
                "organization.workstations": scaled(org.workstations),
                "organization.servers": scaled(org.servers),
            }
        )
    return scenario.replace({path: value})


# -- setting values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,value",
    [
        ("msp.per_user_monthly", 99.5),
        ("organization.users", 60),
        ("incidents.p2.work_median_hours", 1.1),
        ("msp.sla_response_hours.p1", 1.0),
        ("security.fine_cap.hipaa", 1e6),
        ("break_fix.after_hours_multiplier", 2.0),
    ],
)
def test_with_value_equals_replace(sample, path, value):
    fast = with_value(sample, path, value, scale_devices=False)
    assert fast.to_dict() == sample.replace({path: value}).to_dict()


def test_with_value_errors_name_the_full_path(sample):
    with pytest.raises(ValidationError) as err:
        with_value(sample, "incidents.p1.rate_per_user_year", -1.0)
    assert err.value.path == "incidents.p1.rate_per_user_year"
    with pytest.raises(ValidationError) as err:
        with_value(sample, "msp.no_such_field", 1.0)
    assert err.value.path == "msp.no_such_field"


def test_with_headcount_scales_devices_in_proportion(sample):
    s = with_headcount(sample, 90)
    assert (s.organization.workstations, s.organization.servers) == (100, 6)
    small = with_headcount(sample, 5)
    assert small.organization.servers == 1  # an organisation with servers keeps one
    assert small.organization.workstations == round(50 * 5 / 45)
    fixed = with_headcount(sample, 90, scale_devices=False)
    assert (fixed.organization.workstations, fixed.organization.servers) == (50, 3)
    no_servers = with_headcount(sample.replace({"organization.servers": 0}), 90)
    assert no_servers.organization.servers == 0


# -- break-even -------------------------------------------------------------------------------


def test_break_even_price_per_user(sample):
    be = break_even(sample, "msp.per_user_monthly")
    assert isinstance(be, BreakEven)
    assert not be.integer
    assert be.msp_cheaper == "below"  # a cheaper MSP is the better deal
    assert be.value > sample.msp.per_user_monthly  # the MSP saves money today
    at = sample.replace({"msp.per_user_monthly": be.value})
    e = expected(at)
    assert e.loc["total_cost", "break_fix"] == pytest.approx(e.loc["total_cost", "msp"], rel=1e-9)
    assert be.relative_gap < 1e-9
    # either side of the break-even the sign is as reported
    assert savings_of(sample.replace({"msp.per_user_monthly": be.value * 0.99})) > 0
    assert savings_of(sample.replace({"msp.per_user_monthly": be.value * 1.01})) < 0
    text = str(be)
    assert "msp.per_user_monthly" in text and "cheaper below" in text and "138.92" in text


def test_break_even_with_explicit_range_not_containing_today(sample):
    default = break_even(sample, "msp.per_user_monthly")
    narrow = break_even(sample, "msp.per_user_monthly", low=130, high=300)
    assert narrow.value == pytest.approx(default.value, rel=1e-10)
    assert narrow.search_range == (130.0, 300.0)


def test_break_even_headcount_is_an_honest_whole_number(sample):
    be = break_even(sample, "organization.users")
    assert be.integer and isinstance(be.value, int)
    assert be.scale_devices is True
    below = savings_of(set_slow(sample, "organization.users", be.value - 1))
    at = savings_of(set_slow(sample, "organization.users", be.value))
    assert np.sign(below) != np.sign(at)  # the crossing lies between value - 1 and value
    assert be.value - 1 <= be.continuous_value <= be.value
    assert be.savings == pytest.approx(at, rel=1e-9)
    assert be.msp_cheaper == ("above" if at > 0 else "below")
    assert "between" in str(be) and "scaled with users" in str(be)


def test_break_even_headcount_with_devices_held(sample):
    be = break_even(sample, "organization.users", scale_devices=False)
    assert be.scale_devices is False
    below = savings_of(sample.replace({"organization.users": be.value - 1}))
    at = savings_of(sample.replace({"organization.users": be.value}))
    assert np.sign(below) != np.sign(at)


@pytest.mark.parametrize(
    "path", ["break_fix.remote_hourly_rate", "organization.loaded_hourly_cost", "msp.flat_monthly", "msp.term_months"]
)
def test_break_even_other_parameters(sample, path):
    s = sample.replace({"msp.onboarding_fee": 40_000.0}) if path == "msp.term_months" else sample
    be = break_even(s, path)
    lo, hi = be.search_range
    assert lo <= be.value <= hi
    if field_info(path).integer:
        assert np.sign(savings_of(s.replace({path: be.value - 1}))) != np.sign(savings_of(s.replace({path: be.value})))
    else:
        assert be.relative_gap < 1e-3


def test_no_crossing_raises_a_clear_error(sample):
    with pytest.raises(NoCrossingError) as err:
        break_even(sample, "msp.per_user_monthly", low=0, high=100)
    e = err.value
    assert isinstance(e, ValidationError) and e.path == "msp.per_user_monthly"
    assert (e.low, e.high) == (0.0, 100.0)
    assert e.savings_low == pytest.approx(savings_of(sample.replace({"msp.per_user_monthly": 0.0})), rel=1e-9)
    assert e.savings_high == pytest.approx(savings_of(sample.replace({"msp.per_user_monthly": 100.0})), rel=1e-9)
    text = str(e)
    assert "no break-even between 0 and 100" in text
    assert "positive at both ends" in text and "the MSP is cheaper" in text
    assert f"+${e.savings_low:,.0f}" in text and f"+${e.savings_high:,.0f}" in text


def test_no_crossing_on_a_parameter_that_does_not_matter(sample):
    with pytest.raises(NoCrossingError, match="do not depend on this parameter"):
        break_even(sample, "msp.vcio_hours_per_year")


def test_no_crossing_negative_both_ends(sample):
    dear = sample.replace({"msp.per_user_monthly": 400.0})
    with pytest.raises(NoCrossingError, match="negative at both ends") as err:
        break_even(dear, "break_fix.hourly_rate", low=50, high=300)
    assert err.value.savings_low < 0 and err.value.savings_high < 0


@pytest.mark.parametrize(
    "kwargs,path",
    [
        ({"parameter": "msp.no_such_price"}, "msp.no_such_price"),
        ({"parameter": "organization.name"}, "organization.name"),
        ({"parameter": "msp.sla_response_hours"}, "msp.sla_response_hours"),
        ({"parameter": "msp.per_user_monthly", "low": -5, "high": 100}, "msp.per_user_monthly"),
        ({"parameter": "msp.per_user_monthly", "low": 200, "high": 100}, "high"),
        ({"parameter": "msp.per_user_monthly", "low": "cheap", "high": 100}, "low"),
    ],
)
def test_break_even_bad_requests(sample, kwargs, path):
    with pytest.raises(ValidationError) as err:
        break_even(sample, **kwargs)
    assert err.value.path == path
    assert not isinstance(err.value, NoCrossingError)


CONTINUOUS = [
    "msp.per_user_monthly",
    "break_fix.hourly_rate",
    "break_fix.remote_hourly_rate",
    "organization.loaded_hourly_cost",
    "msp.flat_monthly",
    "incidents.p3.rate_per_user_year",
]


@settings(max_examples=60)
@given(scenario=scenarios(min_users=1, max_users=1500), path=st.sampled_from([*CONTINUOUS, "organization.users"]))
def test_break_even_property_on_random_scenarios(scenario, path):
    """At the value returned the totals agree within 0.1 % (whole numbers: the sign flips);
    when an error is raised, the savings really keep one sign at both ends of the range searched."""
    try:
        be = break_even(scenario, path)
    except NoCrossingError as e:
        at_low = savings_of(set_slow(scenario, path, e.low))
        at_high = savings_of(set_slow(scenario, path, e.high))
        assert np.sign(at_low) == np.sign(at_high) != 0
        assert e.savings_low == pytest.approx(at_low, rel=1e-9, abs=1e-6)
        assert e.savings_high == pytest.approx(at_high, rel=1e-9, abs=1e-6)
        return
    lo, hi = be.search_range
    assert lo <= be.value <= hi
    if be.integer:
        at = savings_of(set_slow(scenario, path, be.value))
        before = savings_of(set_slow(scenario, path, be.value - 1))
        assert at == 0 or np.sign(at) != np.sign(before)
    else:
        e = expected(set_slow(scenario, path, be.value))
        bf, msp = e.loc["total_cost", "break_fix"], e.loc["total_cost", "msp"]
        assert abs(bf - msp) <= 1e-3 * max(bf, msp)


# -- savings curve and sensitivity ---------------------------------------------------------------


def test_savings_curve_matches_expected(sample):
    curve = savings_curve(sample, "organization.users", [10, 45.4, 80])
    assert curve["value"].tolist() == [10, 45, 80]
    row = curve.iloc[1]
    e = expected(sample)
    assert row["break_fix"] == pytest.approx(e.loc["total_cost", "break_fix"], rel=1e-12)
    assert row["savings"] == pytest.approx(savings_of(sample), rel=1e-12)


def test_sensitivity_table(sample):
    t = sensitivity(sample)
    assert list(t.columns) == [
        "parameter",
        "label",
        "unit",
        "base_value",
        "low_value",
        "high_value",
        "savings_low",
        "savings_high",
        "range",
        "clipped",
    ]
    assert t["range"].is_monotonic_decreasing
    assert t.attrs["base_savings"] == pytest.approx(savings_of(sample), rel=1e-12)
    assert t.attrs["swing"] == 0.2
    params = set(t["parameter"])
    # text and choices are not numbers; escalators, vCIO hours and business hours do not move one year's savings
    for absent in (
        "organization.name",
        "organization.compliance",
        "msp.annual_escalator",
        "msp.vcio_hours_per_year",
        "organization.business_hours_per_year",
        "msp.flat_monthly",  # zero today: a relative swing does not move it
    ):
        assert absent not in params
    assert params <= set(numeric_paths(sample))
    top = t.iloc[0]
    assert top["parameter"] == "msp.per_user_monthly"
    assert (top["low_value"], top["high_value"]) == pytest.approx((100.0, 150.0))
    assert top["savings_low"] == pytest.approx(savings_of(sample.replace({"msp.per_user_monthly": 100.0})), rel=1e-9)
    assert top["savings_high"] == pytest.approx(savings_of(sample.replace({"msp.per_user_monthly": 150.0})), rel=1e-9)
    assert top["range"] == pytest.approx(abs(top["savings_high"] - top["savings_low"]), rel=1e-12)


def test_sensitivity_clips_to_the_allowed_range(sample):
    t = sensitivity(sample, ["msp.sla_adherence", "incidents.p1.users_affected_share"]).set_index("parameter")
    row = t.loc["msp.sla_adherence"]
    assert row["high_value"] == 1.0 and row["low_value"] == pytest.approx(0.68)  # 0.85 - 20%
    assert "high end clipped" in row["clipped"] and "[0, 1]" in row["clipped"]
    assert t.loc["incidents.p1.users_affected_share", "high_value"] == 1.0


def test_sensitivity_clips_a_median_below_its_p90(sample):
    s = sample.replace({"incidents.p3.work_median_hours": 1.8})  # p90 is 2.0: +20 % would pass it
    row = sensitivity(s, ["incidents.p3.work_median_hours"]).iloc[0]
    assert row["high_value"] < 2.0 and "clipped" in row["clipped"]
    s.replace({"incidents.p3.work_median_hours": row["high_value"]})  # valid


def test_sensitivity_whole_numbers_and_explicit_zero_effect(sample):
    t = sensitivity(sample, ["organization.servers", "msp.vcio_hours_per_year", "msp.flat_monthly"])
    t = t.set_index("parameter")
    assert (t.loc["organization.servers", "low_value"], t.loc["organization.servers", "high_value"]) == (2, 4)
    assert t.loc["msp.vcio_hours_per_year", "range"] == 0
    assert "value is 0" in t.loc["msp.flat_monthly", "clipped"]


def test_sensitivity_headcount_scales_devices(sample):
    scaled = sensitivity(sample, ["organization.users"]).iloc[0]
    held = sensitivity(sample, ["organization.users"], scale_devices=False).iloc[0]
    assert scaled["low_value"] == 36 and scaled["high_value"] == 54
    assert scaled["savings_high"] == pytest.approx(savings_of(with_headcount(sample, 54)), rel=1e-9)
    assert held["savings_high"] == pytest.approx(savings_of(sample.replace({"organization.users": 54})), rel=1e-9)


@pytest.mark.parametrize("swing", [0, 1, -0.1, 1.5, "a lot", True])
def test_sensitivity_rejects_bad_swing(sample, swing):
    with pytest.raises(ValidationError) as err:
        sensitivity(sample, swing=swing)
    assert err.value.path == "swing"


def test_sensitivity_takes_numpy_swings(sample):
    plain = sensitivity(sample, ["msp.per_user_monthly"], swing=0.2)
    for swing in (np.float32(0.2), np.float64(0.2)):
        t = sensitivity(sample, ["msp.per_user_monthly"], swing=swing)
        assert t.attrs["swing"] == pytest.approx(0.2)
        assert type(t.attrs["swing"]) is float
        assert t.loc[0, "low_value"] == pytest.approx(plain.loc[0, "low_value"], rel=1e-6)


def test_sensitivity_rejects_non_numeric_parameters(sample):
    with pytest.raises(ValidationError) as err:
        sensitivity(sample, ["organization.currency"])
    assert err.value.path == "organization.currency"


def test_two_crossings_give_the_nearer_and_name_the_other(sample, monkeypatch):
    """A savings curve that dips below zero between 100 and 150 (synthetic, to exercise the search)."""
    import msp_analysis.decisions.break_even as decision

    def totals(scenario):
        x = scenario.msp.per_user_monthly
        return (x - 100.0) * (x - 150.0) + 1e5, 1e5

    monkeypatch.setattr(decision, "_totals", totals)
    inside = break_even(sample.replace({"msp.per_user_monthly": 120.0}), "msp.per_user_monthly", low=0, high=1000)
    assert inside.value == pytest.approx(100.0) and inside.msp_cheaper == "below"
    assert "again at 150" in inside.note
    # no sign change at the ends nor at today's value: the grid scan still finds them
    outside = break_even(sample.replace({"msp.per_user_monthly": 300.0}), "msp.per_user_monthly", low=0, high=1000)
    assert outside.value == pytest.approx(150.0) and outside.msp_cheaper == "above"
