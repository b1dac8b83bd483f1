"""Issue 12's terms: Break/Fix surcharges, self-service, the client's onboarding time, short-term premiums.

Each new field is checked where it acts: the exact expectation against an
independent computation (numerical integration, or a rule's linearity), the
fast simulation against the exact expectation within standard errors and
against the per-incident reference engine, validation by name, old files,
the workbook round trip and the controls.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

from msp_analysis import (
    MODELS,
    Scenario,
    ValidationError,
    expected,
    sample_scenario,
    scenario_from_workbook,
    scenario_to_workbook,
    simulate,
)
from msp_analysis.decisions.projection import project
from msp_analysis.engine.simulation import simulate_raw
from msp_analysis.ingest.quotes import apply_quote
from msp_analysis.model.billing import msp_monthly_fee, short_term_factor, term_premium
from msp_analysis.model.distributions import Gamma
from msp_analysis.present.widgets.controls import control

from .helpers import zscores
from .reference_engine import reference_simulate

V1 = Path(__file__).parent / "data" / "schema_v1"

#: Every field this file covers, with a value other than its default.
NEW_FIELDS = {
    "break_fix.after_hours_minimum_hours": 2.0,
    "break_fix.same_day_surcharge": 0.5,
    "incidents.p3.self_service_share": 0.1,
    "incidents.p4.self_service_share": 0.4,
    "msp.onboarding_staff_hours_per_user": 2.0,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("break_fix.after_hours_minimum_hours", -0.5),
        ("break_fix.after_hours_minimum_hours", 25.0),
        ("break_fix.after_hours_minimum_hours", float("nan")),
        ("break_fix.same_day_surcharge", -0.1),
        ("break_fix.same_day_surcharge", 6.0),
        ("break_fix.same_day_surcharge", "half"),
        ("incidents.p4.self_service_share", 1.2),
        ("incidents.p3.self_service_share", -0.01),
        ("msp.onboarding_staff_hours_per_user", -1.0),
        ("msp.onboarding_staff_hours_per_user", float("inf")),
    ],
)
def test_bad_values_name_the_field(path, value):
    with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
        sample_scenario().replace({path: value})


def test_defaults_leave_the_sample_as_it_was():
    s = sample_scenario()
    zeroed = s.replace(dict.fromkeys(NEW_FIELDS, 0.0))
    assert expected(zeroed).equals(expected(s))


def test_old_files_load_with_no_surcharges():
    for name in ("sample", "northwind"):
        old = Scenario.from_json(V1 / f"{name}_scenario.json")
        assert old.break_fix.after_hours_minimum_hours == 0.0
        assert old.break_fix.same_day_surcharge == 0.0
        assert [old.incidents[p].self_service_share for p in ("p1", "p2", "p3", "p4")] == [0.0] * 4
        assert old.msp.onboarding_staff_hours_per_user == 0.0


def test_workbook_round_trip_keeps_the_new_values(tmp_path):
    s = sample_scenario().replace(NEW_FIELDS)
    book = scenario_to_workbook(s, tmp_path / "terms.xlsx")
    assert scenario_from_workbook(book) == s


@pytest.mark.parametrize("path", list(NEW_FIELDS))
def test_each_new_field_has_a_labelled_control(path):
    s = sample_scenario().replace(NEW_FIELDS)
    w = control(path, s)
    assert w.value == pytest.approx(NEW_FIELDS[path])
    assert w.min <= w.value <= w.max
    assert path.split(".")[-1] not in w.description  # a readable label, not the dotted path


def _after_hours_fees_by_integration(s):
    """Break/Fix fees of after-hours work with exact billing, integrated numerically from the Gamma density."""
    bf = s.break_fix
    total = 0.0
    for p in ("p1", "p2", "p3", "p4"):
        c = s.incidents[p]
        g = Gamma.from_median_p90(c.work_median_hours, c.work_p90_hours)
        dist = stats.gamma(g.shape, scale=g.scale)
        lam = c.rate_per_user_year * s.organization.users * c.after_hours_share
        for share, rate, minimum, trip in (
            (c.onsite_share, bf.hourly_rate, bf.onsite_minimum_hours, bf.trip_fee),
            (1 - c.onsite_share, bf.remote_hourly_rate, bf.remote_minimum_hours, 0.0),
        ):
            m = max(minimum, bf.after_hours_minimum_hours)
            below = m * dist.cdf(m)
            above = integrate.quad(lambda w, d=dist: w * d.pdf(w), m, np.inf)[0]
            total += lam * share * (rate * bf.after_hours_multiplier * (below + above) + trip)
    return total


def test_after_hours_minimum_matches_numerical_integration():
    exact_billing = {"break_fix.billing_increment_hours": 0.0}
    base = sample_scenario().replace(exact_billing)
    with_min = base.replace({"break_fix.after_hours_minimum_hours": 2.0})
    added = expected(with_min).loc["fees", "break_fix"] - expected(base).loc["fees", "break_fix"]
    by_hand = _after_hours_fees_by_integration(with_min) - _after_hours_fees_by_integration(base)
    assert added > 0
    assert added == pytest.approx(by_hand, rel=1e-7)
    # only Break/Fix bills by the hour: the MSP's figures do not move
    assert expected(with_min)["msp"].equals(expected(base)["msp"])


def test_a_minimum_below_the_daytime_ones_changes_nothing():
    s = sample_scenario()  # on-site 1 h, remote 0.5 h
    assert expected(s.replace({"break_fix.after_hours_minimum_hours": 0.5})).equals(expected(s))


def test_same_day_surcharge_is_a_share_of_urgent_daytime_fees():
    # no trip fee (the surcharge is on the rate) and every P1/P2 in business hours
    s = sample_scenario().replace(
        {"break_fix.trip_fee": 0.0} | {f"incidents.{p}.after_hours_share": 0.0 for p in ("p1", "p2")}
    )
    fees = {x: expected(s.replace({"break_fix.same_day_surcharge": x})).loc["fees", "break_fix"] for x in (0, 0.25, 1)}
    urgent_only = s.replace({f"incidents.{p}.rate_per_user_year": 0.0 for p in ("p3", "p4")})
    # a surcharge of 1 doubles what P1/P2 work is billed, and nothing else
    assert fees[1] - fees[0] == pytest.approx(expected(urgent_only).loc["fees", "break_fix"], rel=1e-12)
    assert fees[1] - fees[0] == pytest.approx(4 * (fees[0.25] - fees[0]), rel=1e-12)
    # out of hours the after-hours multiplier is the urgent price: no surcharge on top
    night = s.replace({f"incidents.{p}.after_hours_share": 1.0 for p in ("p1", "p2")})
    assert expected(night.replace({"break_fix.same_day_surcharge": 1.0})).equals(expected(night))


@pytest.mark.parametrize("changes", [NEW_FIELDS, {"break_fix.same_day_surcharge": 1.0}])
def test_simulated_means_match_the_exact_expectations(changes):
    s = sample_scenario().replace(changes)
    c = simulate(s, trials=20_000, seed=31)
    e = expected(s)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4).all(), f"{m} {changes}:\n{z}"


def test_fast_engine_draws_what_the_reference_engine_draws():
    s = sample_scenario().replace(NEW_FIELDS | {"organization.users": 12})
    fast = simulate_raw(s, 4_000, seed=8, progress=False)
    ref = reference_simulate(s, 4_000, seed=9)
    for model in MODELS:
        for col in ("fees", "total_cost"):
            assert stats.ks_2samp(fast[model][col], ref[model][col]).pvalue > 1e-3, (model, col)


def test_self_service_thins_what_reaches_both_models_alike():
    s = sample_scenario()
    served = s.replace({"incidents.p4.self_service_share": 0.4})
    fewer = s.replace({"incidents.p4.rate_per_user_year": s.incidents.p4.rate_per_user_year * 0.6})
    a, b = expected(served), expected(fewer)
    # the same as 40% fewer P4 requests reaching a vendor, in both models; security is not a ticket
    assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)
    base = expected(s)
    for model in MODELS:
        assert a.loc["incidents", model] < base.loc["incidents", model]
    assert a.loc["fees", "break_fix"] < base.loc["fees", "break_fix"]
    assert a.loc["security_loss"].equals(base.loc["security_loss"])
    # all of a class self-served: that class costs neither model anything
    only_p4 = s.replace({f"incidents.{p}.rate_per_user_year": 0.0 for p in ("p1", "p2", "p3")})
    gone = expected(only_p4.replace({"incidents.p4.self_service_share": 1.0}))
    assert gone.loc["incidents"].tolist() == [0.0, 0.0]
    assert gone.loc["downtime_hours"].tolist() == [0.0, 0.0]


def test_onboarding_staff_time_is_internal_cost_spread_over_the_term():
    s = sample_scenario()  # 45 users at 75 an hour, a 36-month term
    staffed = s.replace({"msp.onboarding_staff_hours_per_user": 2.0})
    e0, e1 = expected(s), expected(staffed)
    assert e1.loc["internal_cost", "msp"] - e0.loc["internal_cost", "msp"] == pytest.approx(2 * 45 * 75 / 3)
    assert e1["break_fix"].equals(e0["break_fix"])
    assert e1.loc["fees", "msp"] == e0.loc["fees", "msp"]  # the client's own time, not the provider's fee
    # a term of a year or less carries all of it in the year
    short = {"msp.term_months": 6}
    gained = (
        expected(staffed.replace(short)).loc["internal_cost", "msp"]
        - expected(s.replace(short)).loc["internal_cost", "msp"]
    )
    assert gained == pytest.approx(2 * 45 * 75)
    # a fixed cost: every simulated year moves by the same amount
    c0, c1 = simulate(s, trials=300, seed=4), simulate(staffed, trials=300, seed=4)
    diff = c1.msp.trials["internal_cost"] - c0.msp.trials["internal_cost"]
    assert diff.to_numpy() == pytest.approx(2 * 45 * 75 / 3)


@pytest.mark.parametrize("onboarding", ["upfront", "spread"])
def test_projection_counts_onboarding_staff_time_once(onboarding):
    s = sample_scenario().replace({"msp.onboarding_staff_hours_per_user": 2.0, "msp.term_months": 24})
    base = sample_scenario().replace({"msp.term_months": 24})
    p1 = project(s, years=4, trials=50, seed=0, onboarding=onboarding).table
    p0 = project(base, years=4, trials=50, seed=0, onboarding=onboarding).table
    msp1, msp0 = p1[p1["model"] == "msp"], p0[p0["model"] == "msp"]
    added = msp1["internal_cost"].to_numpy() - msp0["internal_cost"].to_numpy()
    assert added.sum() == pytest.approx(2 * 45 * 75)  # paid once, not every year
    expected_by_year = [2 * 45 * 75, 0, 0, 0] if onboarding == "upfront" else [2 * 45 * 75 / 2] * 2 + [0, 0]
    np.testing.assert_allclose(added, expected_by_year)
    np.testing.assert_allclose(msp1["fees"].to_numpy(), msp0["fees"].to_numpy())


PREMIUMS = {"msp.quoted_term_months": 12, "msp.month_to_month_premium": 0.2, "msp.one_year_premium": 0.1}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("msp.quoted_term_months", 0),
        ("msp.quoted_term_months", 12.5),
        ("msp.month_to_month_premium", -0.1),
        ("msp.one_year_premium", 6.0),
        ("msp.one_year_premium", float("nan")),
    ],
)
def test_bad_premium_values_name_the_field(path, value):
    with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
        sample_scenario().replace({path: value})


def test_the_quoted_term_keeps_the_quoted_prices():
    s = sample_scenario()  # quoted for 36 months, signed for 36
    assert s.msp.quoted_term_months == s.msp.term_months == 36
    free = s.replace({"msp.month_to_month_premium": 0.0, "msp.one_year_premium": 0.0})
    assert expected(s).equals(expected(free))
    # a quote for one year, signed for one year: its prices stand whatever the premiums
    one = s.replace({"msp.quoted_term_months": 12, "msp.term_months": 12})
    assert msp_monthly_fee(one) == 45 * 125 + 3 * 150


@pytest.mark.parametrize(("term", "factor"), [(1, 1.15), (11, 1.15), (12, 1.05), (35, 1.05), (36, 1.0), (60, 1.0)])
def test_a_shorter_term_than_quoted_pays_its_premium(term, factor):
    s = sample_scenario().replace({"msp.sla_credit_per_critical_miss": 0.0})  # credits follow the fee: left out
    moved = s.replace({"msp.term_months": term})
    assert msp_monthly_fee(moved) == pytest.approx(6075.0 * factor, rel=1e-12)
    no_premium = moved.replace({"msp.month_to_month_premium": 0.0, "msp.one_year_premium": 0.0})
    added = expected(moved).loc["fees", "msp"] - expected(no_premium).loc["fees", "msp"]
    assert added == pytest.approx(12 * 6075.0 * (factor - 1), abs=1e-6)
    assert expected(moved)["break_fix"].equals(expected(s)["break_fix"])


def test_a_longer_term_than_quoted_drops_the_premium():
    s = sample_scenario().replace(PREMIUMS)  # quoted for one year at +10% over three years
    assert float(short_term_factor(s.replace({"msp.term_months": 36}))) == pytest.approx(1 / 1.1)
    assert float(short_term_factor(s.replace({"msp.term_months": 1}))) == pytest.approx(1.2 / 1.1)


def test_term_premium_works_on_arrays_of_input_sets():
    terms = np.array([1, 12, 36])
    np.testing.assert_allclose(term_premium(terms, np.array([0.1, 0.2, 0.3]), 0.05), [0.1, 0.05, 0.0])


def test_premiums_simulate_as_expected():
    s = sample_scenario().replace({"msp.term_months": 1})
    c = simulate(s, trials=20_000, seed=33)
    e = expected(s)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4).all(), f"{m}:\n{z}"
    ref = reference_simulate(s.replace({"organization.users": 12}), 3_000, seed=5)
    fast = simulate_raw(s.replace({"organization.users": 12}), 3_000, seed=6, progress=False)
    assert stats.ks_2samp(fast["msp"]["fees"], ref["msp"]["fees"]).pvalue > 1e-3


def test_old_files_keep_their_own_term_as_the_quoted_one():
    for name, term in (("sample", 36), ("northwind", 24)):
        old = Scenario.from_json(V1 / f"{name}_scenario.json")
        assert old.msp.quoted_term_months == old.msp.term_months == term
        assert float(short_term_factor(old)) == 1.0  # the prices as written


def test_a_quote_states_the_term_its_prices_are_for():
    s = sample_scenario()
    one_year = apply_quote(s, {"msp.per_user_monthly": 110.0, "msp.term_months": 12})
    assert one_year.msp.quoted_term_months == 12
    assert msp_monthly_fee(one_year) == 45 * 110.0  # as quoted, no premium on top
    no_term = apply_quote(s, {"msp.per_user_monthly": 110.0})
    assert no_term.msp.quoted_term_months == s.msp.term_months


def test_premiums_round_trip_through_the_workbook_and_have_controls(tmp_path):
    s = sample_scenario().replace(PREMIUMS)
    assert scenario_from_workbook(scenario_to_workbook(s, tmp_path / "p.xlsx")) == s
    for path, value in PREMIUMS.items():
        w = control(path, s)
        assert w.value == pytest.approx(value)
        assert path.split(".")[-1] not in w.description


KINDS = {
    "organization.project_hours_per_year": 40.0,
    "msp.after_hours_out_of_scope_share": 1.0,
    "msp.after_hours_rate_multiplier": 2.0,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("organization.project_hours_per_year", -1.0),
        ("msp.after_hours_out_of_scope_share", 1.5),
        ("msp.after_hours_rate_multiplier", 0.5),
    ],
)
def test_bad_out_of_scope_values_name_the_field(path, value):
    with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
        sample_scenario().replace({path: value})


def test_project_hours_are_bought_in_both_models_at_each_ones_rate():
    s = sample_scenario()
    e0, e1 = expected(s), expected(s.replace({"organization.project_hours_per_year": 40.0}))
    assert e1.loc["fees", "break_fix"] - e0.loc["fees", "break_fix"] == pytest.approx(40 * s.break_fix.hourly_rate)
    assert e1.loc["fees", "msp"] - e0.loc["fees", "msp"] == pytest.approx(40 * s.msp.out_of_scope_rate)
    # nothing else moves: projects are planned work, not incidents
    rest = [c for c in e0.index if c not in ("fees", "total_cost")]
    assert e1.loc[rest].equals(e0.loc[rest])


def _after_hours_noticed_in_scope_hours(s):
    """Expected in-scope work users notice, out of hours, written out from the scenario's fields."""
    total = 0.0
    for p in ("p1", "p2", "p3", "p4"):
        c, m = s.incidents[p], s.msp
        work = Gamma.from_median_p90(c.work_median_hours, c.work_p90_hours).mean()
        reach = c.rate_per_user_year * s.organization.users * (1 - c.self_service_share)
        noticed = (1 - m.prevented_share[p]) * (1 - m.caught_early_share[p]) * (1 - m.out_of_scope_share)
        total += reach * noticed * c.after_hours_share * work
    return total


def test_after_hours_work_left_out_of_the_contract_is_billed_at_the_after_hours_rate():
    s = sample_scenario()
    left_out = s.replace({"msp.after_hours_out_of_scope_share": 0.5, "msp.after_hours_rate_multiplier": 2.0})
    added = expected(left_out).loc["fees", "msp"] - expected(s).loc["fees", "msp"]
    by_hand = 0.5 * 2.0 * s.msp.out_of_scope_rate * _after_hours_noticed_in_scope_hours(s)
    assert added > 0
    assert added == pytest.approx(by_hand, rel=1e-12)
    assert expected(left_out)["break_fix"].equals(expected(s)["break_fix"])


def test_out_of_scope_kinds_simulate_as_expected_and_as_the_reference_draws():
    s = sample_scenario().replace(KINDS)
    c = simulate(s, trials=20_000, seed=35)
    e = expected(s)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4).all(), f"{m}:\n{z}"
    small = s.replace({"organization.users": 12})
    fast = simulate_raw(small, 4_000, seed=7, progress=False)
    ref = reference_simulate(small, 4_000, seed=8)
    for m in MODELS:
        assert stats.ks_2samp(fast[m]["fees"], ref[m]["fees"]).pvalue > 1e-3, m


def test_out_of_scope_kinds_load_from_old_files_and_round_trip(tmp_path):
    old = Scenario.from_json(V1 / "northwind_scenario.json")
    assert old.organization.project_hours_per_year == 0.0
    assert old.msp.after_hours_out_of_scope_share == 0.0
    s = sample_scenario().replace(KINDS)
    assert scenario_from_workbook(scenario_to_workbook(s, tmp_path / "k.xlsx")) == s
    for path, value in KINDS.items():
        assert control(path, s).value == pytest.approx(value)


def test_a_month_carries_a_twelfth_of_the_project_hours():
    from msp_analysis.decisions.budget import monthly_scenario

    # why here: the budget module is needed by this test only
    s = sample_scenario().replace({"organization.project_hours_per_year": 60.0})
    assert monthly_scenario(s).organization.project_hours_per_year == pytest.approx(5.0)


IN_HOUSE = {
    "organization.in_house_it_cost_per_year": 12_000.0,
    "incidents.p3.in_house_share": 0.3,
    "incidents.p4.in_house_share": 0.6,
    "msp.co_managed_discount": 0.1,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("organization.in_house_it_cost_per_year", -1.0),
        ("incidents.p4.in_house_share", 1.1),
        ("msp.co_managed_discount", -0.2),
        ("msp.co_managed_discount", 2.0),
    ],
)
def test_bad_in_house_values_name_the_field(path, value):
    with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
        sample_scenario().replace({path: value})


def test_an_in_house_person_costs_the_same_in_both_models():
    s = sample_scenario()
    e0, e1 = expected(s), expected(s.replace({"organization.in_house_it_cost_per_year": 12_000.0}))
    for m in MODELS:
        assert e1.loc["internal_cost", m] - e0.loc["internal_cost", m] == pytest.approx(12_000.0)
    saving = e1.loc["total_cost", "break_fix"] - e1.loc["total_cost", "msp"]
    assert saving == pytest.approx(e0.loc["total_cost", "break_fix"] - e0.loc["total_cost", "msp"])


def test_incidents_resolved_in_house_reach_neither_vendor_and_stop_work_alike():
    s = sample_scenario()
    inside = s.replace({"incidents.p4.in_house_share": 0.5})
    fewer = s.replace({"incidents.p4.rate_per_user_year": s.incidents.p4.rate_per_user_year * 0.5})
    a, b = expected(inside), expected(fewer)
    # the same as half the P4 requests, for what the vendors bill and count
    np.testing.assert_allclose(
        a.loc[["fees", "incidents"]].to_numpy(), b.loc[["fees", "incidents"]].to_numpy(), rtol=1e-12
    )
    # the in-house half still stops work: its repair time, no wait, the same in both models
    c = s.incidents.p4
    work = Gamma.from_median_p90(c.work_median_hours, c.work_p90_hours).mean()
    outage = 0.5 * c.rate_per_user_year * 45 * 1.0 * c.degradation * work  # one user affected per P4
    for m in MODELS:
        assert a.loc["downtime_hours", m] - b.loc["downtime_hours", m] == pytest.approx(outage, rel=1e-12)


def test_co_managed_discount_is_taken_off_the_subscription():
    s = sample_scenario()
    assert msp_monthly_fee(s.replace({"msp.co_managed_discount": 0.1})) == pytest.approx(0.9 * 6075.0)


def test_in_house_work_simulates_as_expected_and_as_the_reference_draws():
    s = sample_scenario().replace(IN_HOUSE)
    c = simulate(s, trials=20_000, seed=37)
    e = expected(s)
    for m in MODELS:
        z = zscores(c[m].trials, e[m], s, m)
        assert (z.abs() < 4).all(), f"{m}:\n{z}"
    small = s.replace({"organization.users": 12})
    fast = simulate_raw(small, 4_000, seed=9, progress=False)
    ref = reference_simulate(small, 4_000, seed=10)
    for m in MODELS:
        for col in ("fees", "downtime_hours", "total_cost"):
            assert stats.ks_2samp(fast[m][col], ref[m][col]).pvalue > 1e-3, (m, col)


def test_in_house_fields_load_from_old_files_round_trip_and_have_controls(tmp_path):
    old = Scenario.from_json(V1 / "sample_scenario.json")
    assert old.organization.in_house_it_cost_per_year == 0.0 and old.msp.co_managed_discount == 0.0
    assert [old.incidents[p].in_house_share for p in ("p1", "p2", "p3", "p4")] == [0.0] * 4
    s = sample_scenario().replace(IN_HOUSE)
    assert scenario_from_workbook(scenario_to_workbook(s, tmp_path / "h.xlsx")) == s
    for path, value in IN_HOUSE.items():
        assert control(path, s).value == pytest.approx(value)


def test_a_co_managed_discount_without_an_in_house_first_line_is_warned_and_the_minimum_still_holds():
    s = sample_scenario()
    with pytest.warns(UserWarning, match="co_managed_discount: a co-managed discount with no in-house first line"):
        s.replace({"msp.co_managed_discount": 0.5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.replace({"msp.co_managed_discount": 0.5, "incidents.p4.in_house_share": 0.5})  # a first line: no warning
    one = s.replace({"organization.users": 1, "organization.workstations": 1, "organization.servers": 0})
    with pytest.warns(UserWarning):
        discounted = one.replace({"msp.co_managed_discount": 0.5})
    assert msp_monthly_fee(discounted) == pytest.approx(one.msp.monthly_minimum)  # never below the minimum
