"""The weighted scorecard: derived scores, judgments, weights, validation."""

from pathlib import Path

import numpy as np
import pytest

from msp_analysis import Scenario, ValidationError, expected, simulate
from msp_analysis.decisions.scorecard import DIMENSIONS, JUDGED, default_judgments, scorecard


@pytest.fixture(scope="module")
def comparison():
    from msp_analysis import sample_scenario

    return simulate(sample_scenario(), trials=3_000, seed=21)


def test_table_layout_and_bases(comparison):
    t = scorecard(comparison)
    assert list(t.index) == [*DIMENSIONS, "total"]
    assert list(t.columns) == [
        "label",
        "basis",
        "weight",
        "weight_share",
        "break_fix",
        "msp",
        "metric_break_fix",
        "metric_msp",
        "rule",
    ]
    derived = {"cost", "predictability", "downtime", "security_and_compliance"}
    for dim in DIMENSIONS:
        if dim in derived:
            assert t.loc[dim, "basis"] == "derived"
            assert 0 <= t.loc[dim, "break_fix"] <= 10 and 0 <= t.loc[dim, "msp"] <= 10
        else:  # judgments start neutral: no score, out of the total
            assert t.loc[dim, "basis"] == "not yet judged"
            assert np.isnan(t.loc[dim, "break_fix"]) and np.isnan(t.loc[dim, "msp"])
            assert t.loc[dim, "weight_share"] == 0.0
    assert t.attrs["not_yet_judged"] == list(JUDGED)
    assert "not yet judged" in t.loc["total", "rule"] and "relationship" in t.loc["total", "rule"]
    assert t.loc["total", "basis"] == "weighted"
    assert t.loc[list(DIMENSIONS), "weight_share"].sum() == pytest.approx(1.0)


def test_money_is_scored_once_by_default(comparison):
    t = scorecard(comparison)
    # downtime and security are inside cost: weight 0 unless the client opts in
    assert t.loc["downtime", "weight"] == 0 and t.loc["security_and_compliance", "weight"] == 0
    counted = [d for d in DIMENSIONS if t.loc[d, "weight_share"] > 0]
    assert counted == ["cost", "predictability"]
    opted = scorecard(comparison, weights={"downtime": 1})
    assert opted.loc["downtime", "weight_share"] == pytest.approx(1 / 3)
    assert "weighed apart" in opted.loc["downtime", "rule"]


def test_derived_scores_follow_the_stated_rule(comparison):
    t = scorecard(comparison)
    e = comparison.expected()
    bf, msp = e.loc["total_cost", "break_fix"], e.loc["total_cost", "msp"]
    assert t.loc["cost", "metric_break_fix"] == pytest.approx(bf)
    better, worse = sorted((bf, msp))
    scores = sorted((t.loc["cost", "break_fix"], t.loc["cost", "msp"]))
    # the gap against the larger total cost, not a ratio of the two
    assert scores == pytest.approx([10 * (1 - (worse - better) / worse), 10.0])
    spread = {
        m: np.subtract(*np.quantile(comparison[m].trials["total_cost"], [0.95, 0.05])) for m in ("break_fix", "msp")
    }
    assert t.loc["predictability", "metric_msp"] == pytest.approx(spread["msp"])
    lo, hi = sorted(spread.values())
    assert min(t.loc["predictability", ["break_fix", "msp"]]) == pytest.approx(max(0, 10 * (1 - (hi - lo) / worse)))
    down = e.loc["downtime_hours"] + e.loc["security_downtime_hours"]
    assert t.loc["downtime", "metric_break_fix"] == pytest.approx(down["break_fix"])
    lo, hi = sorted(down)
    assert min(t.loc["downtime", ["break_fix", "msp"]]) == pytest.approx(10 * lo / hi)


def test_a_small_money_gap_is_a_small_score_gap():
    # issue 12: a ratio rule turned a $639 difference into 3.7 vs 10
    from msp_analysis.decisions.scorecard import _scores

    scores = _scores({"break_fix": 1_000.0, "msp": 1_639.0}, reference=100_000.0)
    assert scores["break_fix"] == 10.0 and scores["msp"] == pytest.approx(9.9361)


def test_weights_change_the_total(comparison):
    judged = {d: {"break_fix": 5.0, "msp": 6.0} for d in JUDGED}
    plain = scorecard(comparison, weights=dict.fromkeys(DIMENSIONS, 1.0), judgments=judged)
    manual = {m: (plain.loc[list(DIMENSIONS), m]).mean() for m in ("break_fix", "msp")}
    assert plain.loc["total", "break_fix"] == pytest.approx(manual["break_fix"])
    heavy = scorecard(comparison, weights=dict.fromkeys(DIMENSIONS, 1.0) | {"cost": 5}, judgments=judged)
    w = np.array([5, 1, 1, 1, 1, 1, 1], dtype=float)
    for m in ("break_fix", "msp"):
        expected_total = float(w @ heavy.loc[list(DIMENSIONS), m].to_numpy()) / w.sum()
        assert heavy.loc["total", m] == pytest.approx(expected_total)
    assert heavy.loc["total", "break_fix"] != pytest.approx(plain.loc["total", "break_fix"])
    only_cost = scorecard(comparison, weights=dict.fromkeys(DIMENSIONS, 0) | {"cost": 1})
    assert only_cost.loc["total", "msp"] == pytest.approx(only_cost.loc["cost", "msp"])


def test_judgments_replace_defaults_and_derived_scores(comparison):
    t = scorecard(
        comparison, judgments={"relationship": {"break_fix": 4, "msp": 9.5}, "cost": {"break_fix": 10, "msp": 2}}
    )
    assert (t.loc["relationship", "break_fix"], t.loc["relationship", "msp"]) == (4.0, 9.5)
    assert t.loc["relationship", "basis"] == "judgment"
    assert t.attrs["not_yet_judged"] == ["scalability", "alignment"]
    assert t.loc["cost", "basis"] == "judgment"
    assert (t.loc["cost", "break_fix"], t.loc["cost", "msp"]) == (10.0, 2.0)
    assert "given" in t.loc["cost", "rule"]


def test_the_seed_judgments_are_a_suggestion_not_a_default(sample, comparison):
    assert default_judgments(sample.replace({"msp.vcio_hours_per_year": 0.0}))["relationship"]["msp"] == 6.0
    assert default_judgments(sample.replace({"msp.vcio_hours_per_year": 16.0}))["alignment"]["msp"] == 7.0
    capped = default_judgments(sample.replace({"msp.vcio_hours_per_year": 500.0}))
    assert capped["relationship"]["msp"] == 9.0 and capped["alignment"]["msp"] == 8.0
    applied = scorecard(comparison, judgments=default_judgments(sample))
    assert applied.attrs["not_yet_judged"] == []


def _small_firm(sample):
    return sample.replace(
        {
            "organization.users": 5,
            "organization.workstations": 5,
            "organization.servers": 0,
            "organization.it_dependency": 0.3,
            "incidents.p1.rate_per_user_year": 0.01,
            "incidents.p2.rate_per_user_year": 0.1,
            "incidents.p3.rate_per_user_year": 1.0,
            "incidents.p4.rate_per_user_year": 1.5,
        }
    )


def test_break_fix_favoured_firm_has_break_fix_ahead_on_cost_and_on_the_default_scorecard(sample):
    small = _small_firm(sample)
    e = expected(small)
    assert e.loc["total_cost", "break_fix"] < e.loc["total_cost", "msp"]
    t = scorecard(simulate(small, trials=3_000, seed=5))
    assert t.loc["cost", "break_fix"] > t.loc["cost", "msp"]
    assert t.loc["total", "break_fix"] > t.loc["total", "msp"]


def test_msp_favoured_firm_has_the_msp_ahead_on_cost_and_on_the_default_scorecard():
    northwind = Scenario.from_json(
        Path(__file__).parents[1] / "data" / "clients" / "northwind_dental" / "scenario.json"
    )
    e = expected(northwind)
    assert e.loc["total_cost", "msp"] < e.loc["total_cost", "break_fix"]
    t = scorecard(simulate(northwind, trials=3_000, seed=5))
    assert t.loc["cost", "msp"] > t.loc["cost", "break_fix"]
    assert t.loc["total", "msp"] > t.loc["total", "break_fix"]


@pytest.mark.parametrize(
    "kwargs,path",
    [
        ({"weights": {"price": 1}}, "weights.price"),
        ({"weights": {"cost": -1}}, "weights.cost"),
        ({"weights": {"cost": float("nan")}}, "weights.cost"),
        ({"weights": {"cost": "high"}}, "weights.cost"),
        ({"weights": dict.fromkeys(DIMENSIONS, 0)}, "weights"),
        ({"weights": [1, 2]}, "weights"),
        ({"judgments": {"vibes": {"msp": 5}}}, "judgments.vibes"),
        ({"judgments": {"relationship": {"msp": 11, "break_fix": 5}}}, "judgments.relationship.msp"),
        ({"judgments": {"relationship": {"msp": -0.5, "break_fix": 5}}}, "judgments.relationship.msp"),
        ({"judgments": {"cost": {"in_house": 5}}}, "judgments.cost.in_house"),
        ({"judgments": {"relationship": {"msp": 8}}}, "judgments.relationship"),  # one model alone
        ({"weights": dict.fromkeys(DIMENSIONS, 0) | {"relationship": 1}}, "weights"),  # only unjudged weighed
        ({"judgments": {"relationship": 5}}, "judgments.relationship"),
        ({"weights": {"cost": 1e308, "downtime": 1e308}}, "weights"),  # the sum overflows: NaN shares
    ],
)
def test_bad_weights_and_judgments_name_the_key(comparison, kwargs, path):
    with pytest.raises(ValidationError) as err:
        scorecard(comparison, **kwargs)
    assert err.value.path == path


def test_needs_a_comparison(sample):
    with pytest.raises(TypeError):
        scorecard(sample)
