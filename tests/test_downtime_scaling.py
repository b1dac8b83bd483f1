"""Lost user-hours grow with headcount, not its square: a site-wide outage stops one site.

Before ``organization.users_per_site``, P1/P2 incidents arrived at a rate per
user and each stopped a share of *all* users, so user-hours lost grew as
users squared: availability went negative near 10,000 users and the cost per
user grew without bound, leaning the answer toward the MSP for large firms.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_analysis import calibrate, expected, sample_scenario
from msp_analysis.decisions.input_ranges import input_groups, input_ranges
from msp_analysis.decisions.what_if import with_headcount
from msp_analysis.engine.simulation import simulate_raw
from msp_analysis.errors import ValidationError
from msp_analysis.ingest.synthetic import simulate_tickets
from msp_analysis.ingest.workbook import scenario_from_workbook, scenario_to_workbook
from msp_analysis.model.downtime import availability, site_users, users_affected
from msp_analysis.model.scenario import Scenario
from msp_analysis.model.schema import migrate
from msp_analysis.model.security import expected_security

SAMPLE = sample_scenario()


def _per_user_total(users: int, users_per_site: int = 250) -> tuple[float, float]:
    s = with_headcount(SAMPLE.replace({"organization.users_per_site": users_per_site}), users)
    e = expected(s)
    return float(e.at["total_cost", "break_fix"]) / users, float(e.at["total_cost", "msp"]) / users


def test_firms_no_larger_than_a_site_are_unchanged():
    for users in (1, 5, 45, 120, 250):
        s = with_headcount(SAMPLE, users)
        for p in ("p1", "p2", "p3", "p4"):
            old = max(1.0, s.incidents[p].users_affected_share * users)  # the model before sites
            assert users_affected(s, p) == old


def test_an_outage_stops_one_site_of_a_larger_firm():
    s = SAMPLE.replace({"organization.users": 2000, "organization.users_per_site": 400})
    assert site_users(s) == 400.0
    assert users_affected(s, "p1") == 400.0  # share 1 of one site
    assert users_affected(s, "p2") == pytest.approx(0.2 * 400)
    assert users_affected(s, "p3") == 1.0  # one user's problem stays one user
    assert isinstance(users_affected(s, "p1"), float)


def test_security_outage_stops_one_site():
    small = expected_security(SAMPLE, "break_fix")
    big = SAMPLE.replace({"organization.users": 4500})  # 100x the users, 100x the attacks
    hours = expected_security(big, "break_fix")["security_downtime_hours"]
    # attacks grow 100x, each stops 250 users instead of 45
    assert hours == pytest.approx(small["security_downtime_hours"] * 100 * 250 / 45)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "many", None])
def test_users_per_site_is_validated_by_name(bad):
    with pytest.raises(ValidationError, match=r"organization\.users_per_site"):
        SAMPLE.replace({"organization.users_per_site": bad})


def test_version_1_files_get_the_default_site_size():
    data = json.loads((Path(__file__).parent / "data/schema_v1/sample_scenario.json").read_text())
    assert "users_per_site" not in data["organization"]
    s = Scenario.from_dict(data)
    assert s.organization.users_per_site == 250
    assert migrate(data)["organization"]["users_per_site"] == 250


def test_workbook_round_trip_keeps_users_per_site(tmp_path):
    s = SAMPLE.replace({"organization.users_per_site": 80})
    back = scenario_from_workbook(scenario_to_workbook(s, tmp_path / "a.xlsx"))
    assert back.organization.users_per_site == 80
    assert back == s


def test_break_even_on_headcount_and_shipped_examples_are_unchanged():
    # The sample (45 users) and Northwind (120) are smaller than the default site: same figures as before.
    e = expected(SAMPLE)
    assert e.at["total_cost", "break_fix"] == pytest.approx(109_505.53, abs=0.01)
    assert e.at["total_cost", "msp"] == pytest.approx(102_017.21, abs=0.01)


def test_simulation_agrees_with_expectation_for_a_large_firm():
    s = with_headcount(SAMPLE, 3000)
    sim = simulate_raw(s, 4000, seed=11, progress=False)
    e = expected(s)
    for model in ("break_fix", "msp"):
        hours = sim[model]["downtime_hours"]
        se = hours.std(ddof=1) / np.sqrt(hours.size)
        assert abs(hours.mean() - e.at["downtime_hours", model]) < 4 * se
        assert 0.9 < e.at["availability", model] < 1.0


@settings(max_examples=60, deadline=None)
@given(users=st.integers(1, 100_000), users_per_site=st.integers(1, 1000))
def test_availability_is_a_share_and_cost_per_user_levels_off(users, users_per_site):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no availability warning for the sample's inputs at any size
        bf, msp = _per_user_total(users, users_per_site)
        s = with_headcount(SAMPLE.replace({"organization.users_per_site": users_per_site}), users)
        e = expected(s)
    assert ((e.loc["availability"] >= 0) & (e.loc["availability"] <= 1)).all()
    # Past one site Break/Fix is flat per user (device counts round); the MSP's fixed monthly parts
    # (minimum, flat fees) spread over more users, so its cost per user only falls towards the plateau.
    plateau = _per_user_total(100_000, users_per_site)
    if users >= users_per_site:
        assert bf == pytest.approx(plateau[0], rel=0.02)
        assert plateau[1] * 0.98 <= msp <= _per_user_total(users_per_site, users_per_site)[1] * 1.02
    # Below one site it only grows towards that plateau: never above it (no users-squared growth).
    assert bf <= plateau[0] * 1.02


def test_availability_is_capped_at_zero_with_a_warning():
    p3 = {"rate_per_user_year": 1000.0, "work_median_hours": 20.0, "work_p90_hours": 40.0}
    extreme = SAMPLE.replace({f"incidents.p3.{k}": v for k, v in p3.items()})  # ~8,000 hours a user a year
    with pytest.warns(UserWarning, match="availability: user-hours lost exceed"):
        e = expected(extreme)
    assert e.at["availability", "break_fix"] == 0.0
    assert e.at["downtime_hours", "break_fix"] > extreme.organization.users * 1880  # hours are not clipped
    with pytest.warns(UserWarning, match=r"of 200 cases"):
        sim = simulate_raw(extreme, 200, seed=3, progress=False)
    assert (sim["break_fix"]["availability"] == 0.0).all()


def test_availability_of_arrays_stays_an_array():
    a = availability(SAMPLE, np.array([0.0, 846.0]))
    assert isinstance(a, np.ndarray)
    np.testing.assert_allclose(a, [1.0, 0.99])


def test_calibration_reads_users_affected_against_one_site():
    s = SAMPLE.replace({"organization.users": 1000})  # four sites of 250
    tickets = simulate_tickets(s, months=12, seed=1).copy()
    tickets["users_affected"] = np.where(tickets["priority"] == "p2", 50, 1)
    share = calibrate(tickets, users=1000, scenario=s).changes["incidents.p2.users_affected_share"]
    assert share == pytest.approx(50 / 250)  # not 50 / 1000: the model multiplies it by one site's users
    assert users_affected(s.replace({"incidents.p2.users_affected_share": share}), "p2") == pytest.approx(50)


def test_users_per_site_is_grouped_with_who_an_incident_stops():
    rs = input_ranges(
        SAMPLE,
        inputs=["organization.users_per_site", "organization.loaded_hourly_cost"],
        ranges={"organization.users_per_site": (50, 1_000)},  # a set-up fact: varies only when named with a range
    )
    groups = input_groups(rs)
    assert groups["who an incident stops, and how much"] == ["organization.users_per_site"]
    assert groups["what an hour of downtime costs"] == ["organization.loaded_hourly_cost"]


def test_a_large_version_1_firm_keeps_its_users_affected_up_to_one_site():
    data = json.loads((Path(__file__).parent / "data/schema_v1/sample_scenario.json").read_text())
    data["organization"].update(users=1000, workstations=1100)
    old = {p: max(1.0, data["incidents"][p]["users_affected_share"] * 1000) for p in ("p1", "p2", "p3", "p4")}
    s = Scenario.from_dict(data)
    assert s.organization.users_per_site == 250
    assert users_affected(s, "p1") == 250.0  # was all 1,000: the flaw this field fixes
    for p in ("p2", "p3", "p4"):  # below one site: what the version-1 file said
        assert users_affected(s, p) == pytest.approx(old[p])


def test_the_dashboard_says_when_the_answer_rests_on_the_site_size():
    from msp_analysis.present.dashboard.page import notes_html  # the dashboard's modules load widgets: only here

    assert "site" not in notes_html(SAMPLE)[0]  # one site: nothing assumed
    outage = notes_html(SAMPLE.replace({"organization.users": 2000}))[0]
    assert "one site of 250 of the 2,000 users (an assumption: users per site)" in outage


def test_calibration_warns_when_outages_stopped_more_than_a_site():
    s = SAMPLE.replace({"organization.users": 1000})
    tickets = simulate_tickets(s, months=12, seed=1).copy()
    tickets["users_affected"] = np.where(tickets["priority"] == "p2", 400, 1)  # more than a 250-user site
    result = calibrate(tickets, users=1000, scenario=s)
    assert result.changes["incidents.p2.users_affected_share"] == 1.0
    assert any("P2 tickets affected 400 users on average" in w and "users_per_site" in w for w in result.warnings)


def test_the_report_says_when_the_answer_rests_on_the_site_size():
    from msp_analysis import sample_scenario
    from msp_analysis.present.report.summary import method_notes

    big = "\n".join(method_notes(sample_scenario().replace({"organization.users": 2_000}), 1_000, 1, 3))
    assert "one site of 250 of the 2,000 users (an assumption: users per site)" in big
    assert "users per site" not in "\n".join(method_notes(sample_scenario(), 1_000, 1, 3))


def test_users_per_site_is_a_fact_of_the_firm_and_not_drawn_by_default():
    from msp_analysis.decisions.input_ranges import default_ranges

    assert "organization.users_per_site" not in default_ranges(SAMPLE.replace({"organization.users": 2_000}))
