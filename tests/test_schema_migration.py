"""Files written at schema version 1 (before issue 12) still load; the fields added since are filled and checked."""

import json
from pathlib import Path

import pytest

from msp_analysis import Scenario, ValidationError, break_even, expected, sample_scenario, scenario_from_workbook
from msp_analysis.model.downtime import cost_per_user_hour
from msp_analysis.model.schema import ADDED_IN_V2, SCHEMA_VERSION, migrate

V1 = Path(__file__).parent / "data" / "schema_v1"


@pytest.mark.parametrize("name", ["sample", "northwind"])
def test_version_1_json_and_workbook_load_alike(name):
    from_json = Scenario.from_json(V1 / f"{name}_scenario.json")
    from_book = scenario_from_workbook(V1 / f"{name}_assumptions.xlsx")
    assert from_json == from_book
    old = json.loads((V1 / f"{name}_scenario.json").read_text(encoding="utf-8"))
    assert old["schema_version"] == 1
    org = from_json.organization
    # the stated total is kept; per user it is the same amount today, and it now follows headcount
    assert org.revenue_per_outage_hour == old["organization"]["revenue_per_outage_hour"]
    assert org.revenue_per_user_hour == pytest.approx(org.revenue_per_outage_hour / org.users)
    assert org.revenue_scaling == "per_user"
    assert org.downtime_revenue_weight == 0.0  # valued once: idle staff cost
    assert from_json.security.exploited_vulnerability_share == 0.2
    assert from_json.security.severity_includes_outage == "yes"
    assert all(from_json.incidents[p].self_service_share == 0.0 for p in ("p1", "p2", "p3", "p4"))
    # every other field as written
    for section, fields in old.items():
        if section == "schema_version":
            continue
        for key, value in fields.items():
            got = to_plain(getattr(getattr(from_json, section), key))
            if isinstance(value, dict):  # a priority class: fields added since (self-service) are checked above
                got = {k: got[k] for k in value}
            assert got == value, f"{section}.{key}"


def to_plain(value):
    from msp_analysis.model.fields import to_plain as plain

    # why here: only the nested groups (per priority, per regime) need turning back into dicts
    return plain(value) if hasattr(value, "__dataclass_fields__") else value


def test_saving_writes_the_current_version(tmp_path):
    s = Scenario.from_json(V1 / "sample_scenario.json")
    path = s.to_json(tmp_path / "s.json")
    assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION == 2
    assert Scenario.from_json(path) == s


def test_unknown_versions_are_refused_by_name():
    data = sample_scenario().to_dict()
    for bad in (0, 3, "2", True, None):
        data["schema_version"] = bad
        with pytest.raises(ValidationError, match="schema_version"):
            Scenario.from_dict(data)


def test_migration_leaves_bad_values_to_the_field_checks():
    data = json.loads((V1 / "sample_scenario.json").read_text(encoding="utf-8"))
    data["organization"]["users"] = "many"
    assert migrate(data)["organization"]["revenue_per_user_hour"] == 0.0
    with pytest.raises(ValidationError, match=r"organization\.users"):
        Scenario.from_dict(data)


def test_added_paths_are_real_fields():
    assert ADDED_IN_V2 <= set(sample_scenario().paths())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("organization.revenue_per_user_hour", -1.0),
        ("organization.revenue_per_user_hour", float("nan")),
        ("organization.revenue_scaling", "per_desk"),
        ("organization.downtime_revenue_weight", 1.5),
        ("organization.downtime_revenue_weight", -0.1),
        ("organization.annual_revenue", -5.0),
        ("organization.eur_rate", 0.0),
        ("security.exploited_vulnerability_share", 1.2),
        ("security.severity_includes_outage", "maybe"),
    ],
)
def test_bad_values_of_new_fields_name_the_field(path, value):
    with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
        sample_scenario().replace({path: value})


def test_gdpr_cap_is_in_euro_and_rises_with_turnover():
    from msp_analysis.model.security import fine_cap

    s = sample_scenario()
    assert fine_cap(s, "gdpr") == pytest.approx(20e6 * s.organization.eur_rate)
    euro = s.replace({"organization.currency": "EUR"})  # the stated USD rate is then ignored
    assert fine_cap(euro, "gdpr") == pytest.approx(20e6)
    assert fine_cap(euro.replace({"organization.annual_revenue": 1e9}), "gdpr") == pytest.approx(40e6)
    assert fine_cap(euro.replace({"organization.annual_revenue": 1e8}), "gdpr") == pytest.approx(20e6)


# -- price lost work once --------------------------------------------------------------


def test_a_user_hour_does_not_grow_as_headcount_falls_when_revenue_is_per_user():
    s = sample_scenario().replace({"organization.downtime_revenue_weight": 1.0})
    prices = [cost_per_user_hour(s.replace({"organization.users": n})) for n in (500, 45, 5, 1)]
    assert prices == [prices[0]] * 4
    fixed = s.replace({"organization.revenue_scaling": "total"})  # the old behaviour, when asked for
    assert cost_per_user_hour(fixed.replace({"organization.users": 5})) == pytest.approx(1000.0 / 5)


def test_staff_cost_and_revenue_are_never_added():
    s = sample_scenario()
    staff = s.organization.loaded_hourly_cost * s.organization.it_dependency
    revenue = s.organization.revenue_per_user_hour
    for w in (0.0, 0.25, 0.5, 1.0):
        price = cost_per_user_hour(s.replace({"organization.downtime_revenue_weight": w}))
        assert min(staff, revenue) <= price <= max(staff, revenue)
        assert price == pytest.approx((1 - w) * staff + w * revenue)


def test_downtime_cost_follows_the_valuation():
    s = sample_scenario()
    base = expected(s)
    revenue = expected(s.replace({"organization.downtime_revenue_weight": 1.0}))
    ratio = s.organization.revenue_per_user_hour / (s.organization.loaded_hourly_cost * s.organization.it_dependency)
    for model in ("break_fix", "msp"):
        assert revenue.loc["downtime_cost", model] == pytest.approx(base.loc["downtime_cost", model] * ratio)


def test_break_even_headcount_with_revenue_per_user_is_not_driven_by_a_fixed_total():
    # issue 12: a fixed $1,000/h kept while the firm shrinks made "MSP cheaper from 5 users"
    s = sample_scenario().replace({"organization.downtime_revenue_weight": 1.0})
    fixed = s.replace({"organization.revenue_scaling": "total"})
    per_user_small = expected(s.replace({"organization.users": 5})).loc["downtime_cost", "break_fix"]
    fixed_small = expected(fixed.replace({"organization.users": 5})).loc["downtime_cost", "break_fix"]
    assert per_user_small < fixed_small / 5
    assert break_even(s, "organization.users").value > 5


def test_exit_fee_is_spread_over_the_term_in_expectation_and_simulation(sample):
    from msp_analysis import simulate

    with_fee = sample.replace({"msp.exit_fee": 9_000.0})
    e0, e1 = expected(sample), expected(with_fee)
    assert e1.loc["fees", "msp"] - e0.loc["fees", "msp"] == pytest.approx(9_000.0 * 12 / 36)
    assert e1.loc["fees", "break_fix"] == e0.loc["fees", "break_fix"]
    # a fixed cost: the simulated years move by exactly the same amount
    c0, c1 = simulate(sample, trials=500, seed=4), simulate(with_fee, trials=500, seed=4)
    diff = c1.msp.trials["fees"] - c0.msp.trials["fees"]
    assert diff.to_numpy() == pytest.approx(3_000.0)
    with pytest.raises(ValidationError, match=r"msp\.exit_fee"):
        sample.replace({"msp.exit_fee": -1.0})
