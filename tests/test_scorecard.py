"""The weighted scorecard: derived scores, judgments, weights, validation."""

import numpy as np
import pytest

from msp_analysis import ValidationError, simulate
from msp_analysis.decisions.scorecard import DIMENSIONS, default_judgments, scorecard


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
        assert t.loc[dim, "basis"] == ("derived" if dim in derived else "judgment")
        assert 0 <= t.loc[dim, "break_fix"] <= 10 and 0 <= t.loc[dim, "msp"] <= 10
    assert t.loc["total", "basis"] == "weighted"
    assert t.loc[list(DIMENSIONS), "weight_share"].sum() == pytest.approx(1.0)


def test_derived_scores_follow_the_ratio_rule(comparison):
    t = scorecard(comparison)
    e = comparison.expected()
    bf, msp = e.loc["total_cost", "break_fix"], e.loc["total_cost", "msp"]
    assert t.loc["cost", "metric_break_fix"] == pytest.approx(bf)
    better, worse = sorted((bf, msp))
    scores = sorted((t.loc["cost", "break_fix"], t.loc["cost", "msp"]))
    assert scores == pytest.approx([10 * better / worse, 10.0])
    spread = {
        m: np.subtract(*np.quantile(comparison[m].trials["total_cost"], [0.95, 0.05])) for m in ("break_fix", "msp")
    }
    assert t.loc["predictability", "metric_msp"] == pytest.approx(spread["msp"])
    lo, hi = sorted(spread.values())
    assert min(t.loc["predictability", ["break_fix", "msp"]]) == pytest.approx(10 * lo / hi)
    down = e.loc["downtime_hours"] + e.loc["security_downtime_hours"]
    assert t.loc["downtime", "metric_break_fix"] == pytest.approx(down["break_fix"])


def test_weights_change_the_total(comparison):
    plain = scorecard(comparison)
    manual = {m: (plain.loc[list(DIMENSIONS), m]).mean() for m in ("break_fix", "msp")}
    assert plain.loc["total", "break_fix"] == pytest.approx(manual["break_fix"])
    heavy = scorecard(comparison, weights={"cost": 5})
    w = np.array([5, 1, 1, 1, 1, 1, 1], dtype=float)
    for m in ("break_fix", "msp"):
        expected_total = float(w @ heavy.loc[list(DIMENSIONS), m].to_numpy()) / w.sum()
        assert heavy.loc["total", m] == pytest.approx(expected_total)
    assert heavy.loc["total", "break_fix"] != pytest.approx(plain.loc["total", "break_fix"])
    only_cost = scorecard(comparison, weights=dict.fromkeys(DIMENSIONS, 0) | {"cost": 1})
    assert only_cost.loc["total", "msp"] == pytest.approx(only_cost.loc["cost", "msp"])


def test_judgments_replace_defaults_and_derived_scores(comparison):
    t = scorecard(comparison, judgments={"relationship": {"msp": 9.5}, "cost": {"break_fix": 10, "msp": 2}})
    assert t.loc["relationship", "msp"] == 9.5
    assert t.loc["relationship", "break_fix"] == 3.0  # the default stays for the model not named
    assert t.loc["cost", "basis"] == "judgment"
    assert (t.loc["cost", "break_fix"], t.loc["cost", "msp"]) == (10.0, 2.0)
    assert "given" in t.loc["cost", "rule"]


def test_default_judgments_use_vcio_hours(sample):
    assert default_judgments(sample.replace({"msp.vcio_hours_per_year": 0.0}))["relationship"]["msp"] == 6.0
    assert default_judgments(sample.replace({"msp.vcio_hours_per_year": 16.0}))["alignment"]["msp"] == 7.0
    capped = default_judgments(sample.replace({"msp.vcio_hours_per_year": 500.0}))
    assert capped["relationship"]["msp"] == 9.0 and capped["alignment"]["msp"] == 8.0


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
        ({"judgments": {"relationship": {"msp": 11}}}, "judgments.relationship.msp"),
        ({"judgments": {"relationship": {"msp": -0.5}}}, "judgments.relationship.msp"),
        ({"judgments": {"relationship": {"in_house": 5}}}, "judgments.relationship.in_house"),
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
