"""Calibration: logs generated from known parameters calibrate back to them within their sampling error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from msp_analysis import DataError, ValidationError, calibrate, load_tickets
from msp_analysis.ingest.business_time import add_business_hours, business_hours_between, in_business_hours
from msp_analysis.ingest.estimators import fit_gamma, poisson_interval, proportion_interval
from msp_analysis.ingest.synthetic import generate_ticket_log, simulate_tickets
from msp_analysis.model.distributions import Gamma

PRIORITIES = ("p1", "p2", "p3", "p4")
USERS = 2000
MONTHS = 24


@pytest.fixture(scope="module")
def truth(sample):
    # Enough P1 tickets (~1,200) that every priority's work mean has a standard error of a few percent.
    return sample.replace({"organization.users": USERS, "incidents.p1.rate_per_user_year": 0.3})


@pytest.fixture(scope="module")
def calibrated(truth):
    """A ConnectWise-style export of the truth, written as CSV, read back and calibrated."""
    export = generate_ticket_log(truth, months=MONTHS, seed=2024)
    tickets, report = load_tickets(export.to_csv(index=False).encode(), name="log.csv")
    assert report.rows_set_aside == 0
    return tickets, calibrate(tickets, users=USERS, scenario=truth)


def _row(result, priority, quantity):
    t = result.report
    return t[(t["priority"] == priority) & (t["quantity"] == quantity)].iloc[0]


@pytest.mark.parametrize("p", PRIORITIES)
def test_rates_come_back_within_their_sampling_error(truth, calibrated, p):
    _tickets, result = calibrated
    row = _row(result, p, "rate_per_user_year")
    true_rate = truth.incidents[p].rate_per_user_year
    exposure = USERS * result.years
    z = (row["estimate"] - true_rate) * exposure / math.sqrt(true_rate * exposure)
    assert abs(z) < 3.5, (p, row["estimate"], true_rate)
    # the report's own interval is 90%: it misses the truth one time in ten, so check a 99.9% one
    lo, hi = poisson_interval(int(row["n"]), exposure, level=0.999)
    assert lo <= true_rate <= hi
    assert row["ci_low"] > lo and row["ci_high"] < hi
    assert row["source"].startswith("data")
    assert result.changes[f"incidents.{p}.rate_per_user_year"] == row["estimate"]


@pytest.mark.parametrize("p", PRIORITIES)
def test_work_hours_means_come_back_within_ten_percent(truth, calibrated, p):
    _tickets, result = calibrated
    cls = truth.incidents[p]
    true_mean = Gamma.from_median_p90(cls.work_median_hours, cls.work_p90_hours).mean()
    fitted = Gamma.from_median_p90(
        result.changes[f"incidents.{p}.work_median_hours"], result.changes[f"incidents.{p}.work_p90_hours"]
    )
    assert fitted.mean() == pytest.approx(true_mean, rel=0.10)
    # and the shape: the median and p90 themselves within 10 %
    assert result.changes[f"incidents.{p}.work_median_hours"] == pytest.approx(cls.work_median_hours, rel=0.10)
    assert result.changes[f"incidents.{p}.work_p90_hours"] == pytest.approx(cls.work_p90_hours, rel=0.10)


@pytest.mark.parametrize("p", PRIORITIES)
def test_response_times_and_shares_come_back(truth, calibrated, p):
    _tickets, result = calibrated
    bf = truth.break_fix
    assert result.changes[f"break_fix.response_median_hours.{p}"] == pytest.approx(bf.response_median_hours[p], rel=0.1)
    assert result.changes[f"break_fix.response_p90_hours.{p}"] == pytest.approx(bf.response_p90_hours[p], rel=0.1)
    for share in ("onsite_share", "after_hours_share"):
        row = _row(result, p, share)
        true = getattr(truth.incidents[p], share)
        # a 99.9 % exact interval: the report's 90 % one would miss one time in ten across these checks
        k, m = round(row["estimate"] * row["n"]), int(row["n"])
        lo, hi = proportion_interval(k, m, level=0.999)
        assert lo <= true <= hi, (p, share, row["estimate"], true)


def test_report_layout_and_fit_quality(calibrated):
    tickets, result = calibrated
    t = result.report
    assert list(t.columns) == [
        "priority", "quantity", "path", "unit", "default", "estimate", "ci_low", "ci_high",
        "empirical", "n", "value", "source", "fit", "note",
    ]  # fmt: skip
    assert len(t) == 4 * 7  # no users-affected column in this export
    fits = t[t["quantity"].str.endswith("median_hours")]
    assert fits["fit"].str.contains(r"KS D=0\.0\d\d").all()  # a Gamma fits Gamma data
    assert set(t["path"].dropna()) == set(result.changes)
    assert result.n_tickets == len(tickets)
    assert result.years == pytest.approx(2.0, abs=0.01)
    assert "period" in result.overview()["item"].tolist()
    shown = result.table()
    assert list(shown.columns) == [
        "priority", "quantity", "default", "from the data", "interval", "n", "used", "source", "fit",
    ]  # fmt: skip
    assert shown.map(lambda v: isinstance(v, str)).all().all()
    assert shown.loc[0, "priority"] == "P1" and " to " in shown.loc[0, "interval"]
    side = result.side_by_side()
    assert list(side.columns) == ["path", "unit", "default", "value", "ci_low", "ci_high", "n", "source"]


def test_apply_gives_a_valid_scenario_with_the_headcount(truth, calibrated, sample):
    _tickets, result = calibrated
    applied = result.apply(sample)
    assert applied.organization.users == USERS
    for path, value in result.changes.items():
        assert applied.get(path) == pytest.approx(value)
    assert applied.msp == sample.msp and applied.security == sample.security


def test_thin_data_keep_defaults_and_say_so(sample):
    tickets = simulate_tickets(sample, months=12, seed=5)  # 45 users, one year: ~1 P1 and ~11 P2 tickets
    result = calibrate(tickets, users=45, scenario=sample)
    p1 = result.report[result.report["priority"] == "p1"]
    assert (p1["value"] == p1["default"]).all()
    assert p1["source"].str.startswith("default kept").all()
    assert not any(k.startswith("incidents.p1") for k in result.changes)
    assert any(w.startswith("p1: only") for w in result.warnings)
    # "data" uses even thin data; "shrink" lands between data and default
    data = calibrate(tickets, users=45, scenario=sample, thin="data")
    shrink = calibrate(tickets, users=45, scenario=sample, thin="shrink")
    n = int(p1["n"].iloc[0])
    est = _row(data, "p2", "rate_per_user_year")["estimate"]
    shrunk = _row(shrink, "p2", "rate_per_user_year")["value"]
    default = sample.incidents.p2.rate_per_user_year
    assert min(est, default) <= shrunk <= max(est, default)
    assert n < 30


def test_zero_work_is_left_out_and_counted(sample):
    tickets = simulate_tickets(sample.replace({"organization.users": 400}), months=12, seed=8)
    tickets.loc[tickets.index[:25], "work_hours"] = 0.0
    result = calibrate(tickets, users=400, scenario=sample)
    assert any("no time logged" in w for w in result.warnings)
    noted = result.report["note"].str.contains("0 h logged left out")
    assert noted.any()


def test_responses_before_opening_are_censored_not_dropped():
    rng = np.random.default_rng(11)
    true = Gamma.from_median_p90(1.0, 4.0)
    x = true.sample(20_000, rng)
    observed = np.where(x < 0.05, 0.0, x)  # what a business-hours clock shows for quick answers
    fit = fit_gamma(observed, censor_below=0.05)
    assert fit.n_censored == int((x < 0.05).sum()) > 0
    assert fit.median == pytest.approx(1.0, rel=0.05)
    assert fit.p90 == pytest.approx(4.0, rel=0.05)
    naive = fit_gamma(observed)  # zeros dropped: biased upwards
    assert naive.median > fit.median


def test_response_clock_wall_and_errors(sample, calibrated):
    tickets, _ = calibrated
    wall = calibrate(tickets.head(3000), users=USERS, scenario=sample, response_clock="wall")
    business = calibrate(tickets.head(3000), users=USERS, scenario=sample)
    assert wall.response_clock == "wall"
    # elapsed hours include nights and weekends: longer than business hours
    assert (
        _row(wall, "p4", "response_median_hours")["estimate"]
        > _row(business, "p4", "response_median_hours")["estimate"]
    )
    with pytest.raises(DataError):
        calibrate(pd.DataFrame({"x": [1]}), users=10)
    with pytest.raises(ValidationError):
        calibrate(tickets, users=0)
    with pytest.raises(ValueError, match="thin"):
        calibrate(tickets, users=10, thin="maybe")


def test_period_argument_leaves_out_tickets_and_warns(sample, calibrated):
    tickets, _ = calibrated
    result = calibrate(tickets, users=USERS, scenario=sample, period=("2023-01-01", "2023-02-01"))
    assert result.years == pytest.approx(31 / 365.25)
    assert any("outside the period" in w for w in result.warnings)
    assert any("only 31 days" in w for w in result.warnings)


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


@given(
    start=st.datetimes(min_value=pd.Timestamp("2020-01-01"), max_value=pd.Timestamp("2030-01-01")),
    hours=st.floats(0, 500),
)
def test_adding_business_hours_is_undone_by_measuring_them(start, hours):
    t = np.array([start], dtype="datetime64[ns]")
    end = add_business_hours(t, [hours])
    assert business_hours_between(t, end)[0] == pytest.approx(hours, abs=1e-6)
    assert end[0] >= t[0] - np.timedelta64(1, "us")  # float rounding of the clock, nanoseconds


def test_business_hours_by_hand():
    assert business_hours_between(["2024-03-01 16:00"], ["2024-03-04 09:30"]).tolist() == [2.5]  # Fri -> Mon
    assert business_hours_between(["2024-03-02 10:00"], ["2024-03-03 18:00"]).tolist() == [0.0]  # a weekend
    assert in_business_hours(["2024-03-01 08:00", "2024-03-01 17:00", "2024-03-02 12:00"]).tolist() == [
        True,
        False,
        False,
    ]
    assert business_hours_between(["2024-03-01 09:00"], ["2024-03-01 10:00"], business_hours=(9, 17)).tolist() == [1.0]


def test_poisson_interval_matches_the_textbook_and_covers():
    lo, hi = poisson_interval(0, 1.0)
    assert lo == 0 and hi == pytest.approx(2.996, abs=1e-3)  # 90% by default: chi2(0.95, 2) / 2
    assert poisson_interval(0, 1.0, level=0.95)[1] == pytest.approx(3.689, abs=1e-3)
    rng = np.random.default_rng(0)
    lam = 4.0
    hits = sum(
        poisson_interval(int(n), 1.0)[0] <= lam <= poisson_interval(int(n), 1.0)[1] for n in rng.poisson(lam, 2000)
    )
    assert hits / 2000 >= 0.90  # exact intervals are conservative


def test_proportion_interval_edges():
    assert proportion_interval(0, 10)[0] == 0.0
    assert proportion_interval(10, 10)[1] == 1.0
    lo, hi = proportion_interval(5, 10)
    assert lo == pytest.approx(stats.beta.ppf(0.05, 5, 6)) and hi == pytest.approx(stats.beta.ppf(0.95, 6, 5))
    lo, hi = proportion_interval(5, 10, level=0.95)
    assert lo == pytest.approx(stats.beta.ppf(0.025, 5, 6)) and hi == pytest.approx(stats.beta.ppf(0.975, 6, 5))
    assert all(math.isnan(v) for v in proportion_interval(0, 0))


def test_fit_gamma_needs_two_distinct_values():
    assert fit_gamma([1.0]) is None
    assert fit_gamma([2.0, 2.0, 2.0]) is None
    assert fit_gamma([0.0, -1.0, np.nan]) is None


def test_intervals_are_90_percent_by_default_like_the_assumption_ranges(calibrated):
    from msp_analysis.decisions.input_ranges import calibration_ranges  # only this test needs the decisions layer

    tickets, result = calibrated
    assert result.level == 0.90
    assert ("intervals", "90% confidence") in set(result.overview().itertuples(index=False, name=None))
    row = _row(result, "p3", "rate_per_user_year")
    exposure = USERS * result.years
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(poisson_interval(int(row["n"]), exposure, 0.90))
    wider = calibrate(tickets, users=USERS, scenario=result.scenario, level=0.95)
    w_row = _row(wider, "p3", "rate_per_user_year")
    assert w_row["ci_low"] < row["ci_low"] and w_row["ci_high"] > row["ci_high"]
    assert calibration_ranges(result)["incidents.p3.rate_per_user_year"] == (row["ci_low"], row["ci_high"])
    with pytest.raises(ValidationError, match=r"level=0\.90"):
        calibration_ranges(wider)  # 95% intervals would be read as 90% ones
    for bad in (0.0, 1.0, 95):
        with pytest.raises(ValidationError, match=r"^level"):
            calibrate(tickets, users=USERS, scenario=result.scenario, level=bad)


def test_a_scenario_with_self_service_or_in_house_help_is_told_what_the_ticket_count_means(truth, calibrated):
    tickets, _ = calibrated
    helped = truth.replace({"incidents.p4.self_service_share": 0.3, "incidents.p3.in_house_share": 0.2})
    warnings = calibrate(tickets, users=USERS, scenario=helped).warnings
    said = [w for w in warnings if "reached the vendor" in w]
    assert [w[:3] for w in said] == ["p3:", "p4:"] and "30% self-served" in said[1]
    assert not [w for w in calibrate(tickets, users=USERS, scenario=truth).warnings if "reached the vendor" in w]
