"""Assumptions workbooks and scenario files: round trips, and every wrong value named with sheet and row."""

from __future__ import annotations

import json

import openpyxl
import pytest

from msp_analysis import DataError, Scenario, ValidationError, scenario_from_workbook, scenario_to_workbook
from msp_analysis.ingest.workbook import HEADER, SECTIONS, WorkbookError
from msp_analysis.model.scenario import SCHEMA_VERSION


@pytest.fixture
def book(tmp_path, sample):
    return scenario_to_workbook(sample, tmp_path / "assumptions.xlsx")


def _edit(path, sheet, cell, value):
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def _row_of(path, sheet, field):
    ws = openpyxl.load_workbook(path)[sheet]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == field)


def test_round_trip_and_layout(book, sample):
    assert scenario_from_workbook(book) == sample
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["README", *SECTIONS]
    ws = wb["msp"]
    assert tuple(c.value for c in ws[1]) == HEADER
    row = _row_of(book, "msp", "msp.sla_adherence")
    assert ws.cell(row, 2).value == 0.85
    assert ws.cell(row, 3).value == "share"
    assert ws.cell(row, 4).value == "a number in [0, 1] (share)"
    bf = wb["break_fix"]
    assert bf.cell(_row_of(book, "break_fix", "break_fix.hourly_rate"), 6).value == "iknowtech.com, rate schedule, 2023"
    readme = [r for r in wb["README"].iter_rows(values_only=True) if r[0] == "schema_version"]
    assert readme == [("schema_version", SCHEMA_VERSION)]
    assert ws.data_validations.dataValidation  # Excel itself refuses most typos


def test_edited_values_are_read(book, sample):
    _edit(book, "msp", f"B{_row_of(book, 'msp', 'msp.per_user_monthly')}", "1,150")  # typed as text
    _edit(book, "msp", f"B{_row_of(book, 'msp', 'msp.sla_adherence')}", "90%")
    _edit(book, "organization", f"B{_row_of(book, 'organization', 'organization.users')}", 60.0)
    s = scenario_from_workbook(book.read_bytes(), name="upload.xlsx")
    assert s.msp.per_user_monthly == 1150 and s.msp.sla_adherence == pytest.approx(0.9)
    assert s.organization.users == 60 and isinstance(s.organization.users, int)


def test_a_wrong_value_names_sheet_and_row(book):
    row = _row_of(book, "msp", "msp.sla_adherence")
    _edit(book, "msp", f"B{row}", 1.3)
    with pytest.raises(WorkbookError) as err:
        scenario_from_workbook(book)
    e = err.value
    assert isinstance(e, ValidationError) and isinstance(e, ValueError)
    assert e.path == "msp.sla_adherence" and e.value == 1.3 and e.sheet == "msp" and e.row == row
    assert (
        str(e)
        == f"msp.sla_adherence: got 1.3, expected a number in [0, 1] (share) (assumptions.xlsx, sheet 'msp', row {row})"
    )


def test_cross_field_errors_name_the_row_too(book):
    row = _row_of(book, "incidents", "incidents.p2.work_p90_hours")
    _edit(book, "incidents", f"B{row}", 1.0)  # below the median of 1.5
    with pytest.raises(WorkbookError) as err:
        scenario_from_workbook(book)
    assert err.value.path == "incidents.p2.work_p90_hours"
    assert f"sheet 'incidents', row {row}" in str(err.value)


def test_every_problem_is_listed(book):
    wb = openpyxl.load_workbook(book)
    org = wb["organization"]
    org["A3"] = "organization.headcount"  # unknown field (users is then missing)
    org["B4"] = "lots"  # workstations
    org.append(["msp.flat_monthly", 0])  # on the wrong sheet
    org.append(["organization.servers", 4])  # twice
    org.append([None, 12])  # a value with no field
    del wb["security"]
    wb.save(book)
    with pytest.raises(WorkbookError) as err:
        scenario_from_workbook(book)
    msg = str(err.value)
    assert "organization.headcount: got 45, expected a field of this sheet" in msg
    assert "sheet 'organization', row 4: organization.workstations: got 'lots'" in msg
    assert "msp.flat_monthly: got 0, expected to be on sheet 'msp', not 'organization'" in msg
    assert "organization.servers: got 4, expected each field once" in msg
    assert "expected a field name in the 'field' column" in msg
    assert "security: got '<missing sheet>'" in msg
    assert "organization.users: got '<missing>'" in msg
    assert msg.startswith("assumptions.xlsx: 7 problems.")
    assert len(err.value.problems) == 7


def test_schema_version_and_non_workbooks(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    for row in wb["README"].iter_rows():
        if row[0].value == "schema_version":
            row[1].value = 99
    wb.save(book)
    with pytest.raises(WorkbookError, match="schema_version: got 99"):
        scenario_from_workbook(book)
    text = tmp_path / "a.xlsx"
    text.write_text("field,value\n")
    with pytest.raises(DataError, match="plain text"):
        scenario_from_workbook(text)
    with pytest.raises(DataError, match="no such file"):
        scenario_from_workbook(tmp_path / "missing.xlsx")
    with pytest.raises(ValueError, match=r"\.xlsx"):
        scenario_to_workbook(Scenario.from_dict(json.loads(json.dumps(_plain()))), tmp_path / "a.csv")


def _plain():
    from msp_analysis import sample_scenario

    return sample_scenario().to_dict()


# -- scenario JSON files carry their schema version and refuse unknown or missing keys ---------------


def test_json_carries_the_schema_version(tmp_path, sample):
    path = sample.to_json(tmp_path / "s.json")
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert Scenario.from_json(path) == sample


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.pop("schema_version"), "schema_version"),
        (lambda d: d.update(schema_version=3), "schema_version"),
        (lambda d: d["msp"].update(per_unicorn_monthly=5), "msp.per_unicorn_monthly"),
        (lambda d: d["incidents"]["p2"].pop("onsite_share"), "incidents.p2.onsite_share"),
        (lambda d: d.pop("security"), "security"),
        (lambda d: d.update(extras={}), "extras"),
        (lambda d: d["break_fix"]["response_median_hours"].pop("p3"), "break_fix.response_median_hours.p3"),
    ],
)
def test_unknown_or_missing_keys_name_their_path(tmp_path, mutate, path):
    data = _plain()
    mutate(data)
    file = tmp_path / "s.json"
    file.write_text(json.dumps(data))
    with pytest.raises(ValidationError) as err:
        Scenario.from_json(file)
    assert err.value.path == path


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "=1+1", '=HYPERLINK("http://x")'])
def test_text_that_looks_like_a_formula_is_written_as_text_and_round_trips(tmp_path, name):
    from openpyxl import load_workbook

    from msp_analysis import sample_scenario
    from msp_analysis.ingest.workbook import scenario_from_workbook, scenario_to_workbook

    path = scenario_to_workbook(sample_scenario().replace({"organization.name": name}), tmp_path / "s.xlsx")
    wb = load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == name]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)  # the organisation sheet and the README
    assert scenario_from_workbook(path).organization.name == name
