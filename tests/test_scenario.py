import json
import math

import numpy as np
import pytest

from msp_analysis import Scenario, ValidationError, sample_scenario
from msp_analysis.model.scenario import field_info


def test_round_trip_dict_and_json(tmp_path, sample):
    assert Scenario.from_dict(sample.to_dict()) == sample
    path = sample.to_json(tmp_path / "s.json")
    assert Scenario.from_json(path) == sample
    # floats survive JSON exactly
    odd = sample.replace({"msp.per_user_monthly": 0.1 + 0.2, "break_fix.hourly_rate": math.pi})
    assert Scenario.from_json(odd.to_json(tmp_path / "o.json")) == odd


def test_replace_and_get(sample):
    s = sample.replace({"organization.users": 500, "msp.per_user_monthly": 120})
    assert s.get("organization.users") == 500
    assert isinstance(s.get("organization.users"), int)
    assert s.get("msp.per_user_monthly") == 120.0
    assert sample.get("organization.users") == 45  # the original is untouched
    assert s.replace(msp__per_user_monthly=99).msp.per_user_monthly == 99
    assert s.get("break_fix.response_median_hours.p2") == sample.break_fix.response_median_hours.p2
    # numpy scalars, as widgets and pandas hand them over, are accepted and normalised
    t = sample.replace({"organization.users": np.int64(12), "msp.sla_adherence": np.float32(0.5)})
    assert type(t.organization.users) is int and type(t.msp.sla_adherence) is float
    json.dumps(t.to_dict())


def test_scenario_is_frozen(sample):
    with pytest.raises(AttributeError):
        sample.organization.users = 3


@pytest.mark.parametrize(
    "path", ["msp.nope", "nope", "organization.users.x", "incidents.p5.rate_per_user_year", "", "a..b"]
)
def test_unknown_paths_raise_validation_error(sample, path):
    with pytest.raises(ValidationError):
        sample.replace({path: 1})
    with pytest.raises(ValidationError):
        sample.get(path)


def _bad_values(info):
    if info.choices is not None:
        return ["not-a-choice", 3]
    if info.unit == "text":
        return [42]
    bad = ["12", None, True, float("nan"), float("inf")]
    if info.low is not None:
        bad.append(info.low if info.low_open else info.low - 1)
    if info.high is not None:
        bad.append(info.high * 2 + 1)
    if info.integer:
        bad.append((info.low or 0) + 1.5)
    return bad


def _all_paths():
    return sample_scenario().paths()


@pytest.mark.parametrize("path", _all_paths())
def test_every_invalid_value_names_its_field(sample, path):
    info = field_info(path)
    for value in _bad_values(info):
        with pytest.raises(ValidationError) as err:
            sample.replace({path: value})
        assert err.value.path == path, (value, str(err.value))
        assert path in str(err.value)
        assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    "low,high",
    [
        ("incidents.p2.work_median_hours", "incidents.p2.work_p90_hours"),
        ("break_fix.response_median_hours.p3", "break_fix.response_p90_hours.p3"),
        ("msp.sla_miss_excess_median", "msp.sla_miss_excess_p90"),
        ("security.severity_median", "security.severity_p90"),
        ("security.outage_median_hours", "security.outage_p90_hours"),
        ("security.fine_median.gdpr", "security.fine_p90.gdpr"),
    ],
)
def test_p90_below_median_names_the_p90(sample, low, high):
    with pytest.raises(ValidationError) as err:
        sample.replace({high: sample.get(low) * 0.9})
    assert err.value.path == high


def test_missing_and_unknown_keys(sample):
    d = sample.to_dict()
    del d["msp"]["per_user_monthly"]
    with pytest.raises(ValidationError, match=r"msp\.per_user_monthly"):
        Scenario.from_dict(d)
    d = sample.to_dict()
    d["incidents"]["p1"]["colour"] = "red"
    with pytest.raises(ValidationError, match=r"incidents\.p1\.colour"):
        Scenario.from_dict(d)
    d = sample.to_dict()
    d["extra_section"] = {}
    with pytest.raises(ValidationError, match="extra_section"):
        Scenario.from_dict(d)
    d = sample.to_dict()
    del d["security"]
    with pytest.raises(ValidationError, match="security"):
        Scenario.from_dict(d)
    d = sample.to_dict()
    d["schema_version"] = 99
    with pytest.raises(ValidationError, match="schema_version"):
        Scenario.from_dict(d)
    with pytest.raises(ValidationError):
        Scenario.from_dict([1, 2])


def test_group_paths_need_mappings(sample):
    with pytest.raises(ValidationError, match="group"):
        sample.replace({"incidents.p1": 3})
    s = sample.replace({"break_fix.response_median_hours": {"p1": 1, "p2": 2, "p3": 3, "p4": 4}})
    assert s.break_fix.response_median_hours.p3 == 3.0


def test_from_json_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"bad\.json"):
        Scenario.from_json(bad)
    with pytest.raises(ValidationError):
        Scenario.from_json(tmp_path / "missing.json")
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ValidationError):
        Scenario.from_json(binary)


def test_field_info_describes_units_and_ranges():
    info = field_info("msp.sla_adherence")
    assert info.unit == "share" and info.low == 0 and info.high == 1
    assert field_info("break_fix.response_p90_hours.p2").unit == "business hours"
    assert field_info("security.fine_cap.hipaa").unit == "currency"
    with pytest.raises(ValidationError):
        field_info("incidents.p1")


def test_compliance_is_normalised(sample):
    assert sample.replace({"organization.compliance": " HIPAA "}).organization.compliance == "hipaa"
    assert sample.replace({"organization.currency": "eur"}).organization.currency == "EUR"


def test_replace_needs_a_mapping(sample):
    for bad in ["organization.users=3", [("organization.users", 3)], 5]:
        with pytest.raises(ValidationError):
            sample.replace(bad)


@pytest.mark.parametrize(
    "path",
    ["organization.users", "msp.per_user_monthly", "break_fix.response_median_hours.p1", "security.fine_cap.gdpr"],
)
@pytest.mark.parametrize("value", [10**400, -(10**400)])
def test_ints_too_large_for_a_float_are_refused_by_name(sample, path, value):
    # float(10**400) raises OverflowError: it must not escape as such
    with pytest.raises(ValidationError) as err:
        sample.replace({path: value})
    assert err.value.path == path


def test_negative_zero_is_stored_as_zero(sample):
    s = sample.replace({"organization.it_dependency": -0.0, "msp.prevented_share.p1": -0.0})
    assert math.copysign(1, s.organization.it_dependency) == 1
    assert math.copysign(1, s.msp.prevented_share.p1) == 1


def test_schema_version_must_be_the_number_not_a_bool(sample):
    d = sample.to_dict()
    d["schema_version"] = True  # True == 1 in Python
    with pytest.raises(ValidationError, match="schema_version"):
        Scenario.from_dict(d)


def test_from_json_refuses_unreadable_files_with_validation_errors(tmp_path, sample):
    text = json.dumps(sample.to_dict())
    cases = {
        "garbage.json": text + " trailing",
        "list.json": "[1, 2, 3]",
        "huge_int.json": text.replace('"users": 45', '"users": ' + "9" * 5000),
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "empty.json": "",
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        with pytest.raises(ValidationError):
            Scenario.from_json(tmp_path / name)
    (tmp_path / "a_directory.json").mkdir()
    with pytest.raises(ValidationError, match="a_directory"):
        Scenario.from_json(tmp_path / "a_directory.json")


def test_from_json_reads_a_byte_order_mark(tmp_path, sample):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(sample.to_dict()).encode("utf-8"))
    assert Scenario.from_json(path) == sample
