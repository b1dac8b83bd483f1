"""organization.timezone (issue 13): the scenario carries the firm's zone, and a client's tickets are read in it."""

import json
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest

from msp_analysis import (
    DataError,
    Scenario,
    ValidationError,
    assumptions,
    load_client,
    load_tickets,
    sample_scenario,
    scenario_from_workbook,
    scenario_to_workbook,
)
from msp_analysis.ingest.calibration import _response_hours
from msp_analysis.model.scenario import field_info

EXPORTS = Path(__file__).parent / "data" / "exports"
V1 = Path(__file__).parent / "data" / "schema_v1"
ZONED = EXPORTS / "autotask_api.csv"  # dates written in UTC ("...Z"), the firm in Los Angeles
PRIORITY_MAP = {"1": "p2", "2": "p3", "3": "p4", "4": "p1"}


def test_not_stated_by_default_and_checked_against_the_zone_database():
    s = sample_scenario()
    assert s.organization.timezone == ""
    assert s.replace({"organization.timezone": " Europe/Madrid "}).organization.timezone == "Europe/Madrid"
    assert s.replace({"organization.timezone": None}).organization.timezone == ""
    for bad in ("Mars/Olympus_Mons", "America", "../etc/passwd", "europe/madrid", 2, True):
        with pytest.raises(ValidationError, match=r"^organization\.timezone: .*IANA time zone"):
            s.replace({"organization.timezone": bad})


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/Berlin"])
def test_a_zone_file_that_names_no_place_is_refused(name):
    # zoneinfo opens each of these (on most machines), but "localtime" is the
    # machine's own setting and the others are templates or leap-second copies.
    with pytest.raises(ValidationError, match=r"^organization\.timezone: .*IANA time zone"):
        sample_scenario().replace({"organization.timezone": name})
    with pytest.raises(DataError, match="unknown time zone"):
        load_tickets(ZONED, timezone=name)
    assert sample_scenario().replace({"organization.timezone": "UTC"}).organization.timezone == "UTC"


def test_version_1_files_load_without_a_zone():
    assert Scenario.from_json(V1 / "sample_scenario.json").organization.timezone == ""
    assert scenario_from_workbook(V1 / "sample_assumptions.xlsx").organization.timezone == ""


def test_assumptions_row_is_client_data_without_a_range():
    row = assumptions().set_index("path").loc["organization.timezone"]
    assert row["basis"] == "client data" and row["source"] == "client data"
    assert row["value"] == "" and row["low"] != row["low"] and row["high"] != row["high"]  # NaN: no range
    assert field_info("organization.timezone").unit == "text"


def test_json_and_workbook_round_trip_and_a_bad_zone_is_named_by_sheet_and_row(tmp_path):
    s = sample_scenario().replace({"organization.timezone": "Australia/Perth"})
    assert Scenario.from_json(s.to_json(tmp_path / "s.json")).organization.timezone == "Australia/Perth"
    book = scenario_to_workbook(s, tmp_path / "a.xlsx")
    assert scenario_from_workbook(book) == s
    wb = openpyxl.load_workbook(book)
    ws = wb["organization"]
    row = next(r for r in ws.iter_rows() if r[0].value == "organization.timezone")
    row[1].value = "Mars/Base"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ValidationError, match=rf"Mars/Base.*sheet 'organization', row {row[1].row}"):
        scenario_from_workbook(tmp_path / "bad.xlsx")


def _client(root: Path, zone: str) -> None:
    folder = root / "clients" / "acme"
    folder.mkdir(parents=True)
    data = sample_scenario().replace({"organization.timezone": zone}).to_dict()
    (folder / "scenario.json").write_text(json.dumps(data), encoding="utf-8")
    shutil.copy(ZONED, folder / "tickets.csv")


def test_a_clients_tickets_are_read_in_the_zone_its_scenario_states(tmp_path, monkeypatch):
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    _client(tmp_path, "America/Los_Angeles")
    client = load_client("acme")
    assert client.timezone == "America/Los_Angeles"
    tickets, report = client.load_tickets(priority_map=PRIORITY_MAP)
    direct, _ = load_tickets(ZONED, priority_map=PRIORITY_MAP, timezone="America/Los_Angeles")
    assert tickets["opened"].equals(direct["opened"])
    assert not any("carry a time zone" in w for w in report.warnings)
    # timezone= given wins over the scenario's
    utc, _ = client.load_tickets(priority_map=PRIORITY_MAP, timezone="UTC")
    shift = (utc["opened"] - tickets["opened"]).dt.total_seconds() / 3600
    assert set(shift.round().astype(int)) <= {7, 8} and (shift.round() == 8).any()


def test_without_a_zone_anywhere_the_warning_says_where_to_state_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    _client(tmp_path, "")
    client = load_client("acme")
    assert client.timezone is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _tickets, report = client.load_tickets(priority_map=PRIORITY_MAP)
    warned = [w for w in report.warnings if "carry a time zone" in w]
    assert len(warned) == 1 and "timezone=" in warned[0] and "organization.timezone" in warned[0]


def test_a_client_without_a_ticket_export_is_told_so(tmp_path, monkeypatch):
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    _client(tmp_path, "Europe/Madrid")
    (tmp_path / "clients" / "acme" / "tickets.csv").unlink()
    with pytest.raises(DataError, match=r"no tickets\.csv or tickets\.xlsx"):
        load_client("acme").load_tickets()


def test_order_is_checked_on_absolute_time_across_both_dst_changes(tmp_path, monkeypatch):
    # Berlin's autumn change: 00:30Z -> 01:10Z is 02:30 CEST -> 02:10 CET, resolved 40 minutes after opened,
    # not before it; its spring change: 00:30Z -> 02:30Z is 01:30 CET -> 04:30 CEST, two hours, not three.
    rows = [
        "Ticket,Opened,First Response,Resolved,Priority,Hours",
        "3,2026-10-25T00:30:00Z,2026-10-25T00:50:00Z,2026-10-25T01:10:00Z,P3,0.5",
        "4,2026-03-29T00:30:00Z,2026-03-29T02:30:00Z,2026-03-29T02:30:00Z,P3,0.5",
    ]
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    _client(tmp_path, "Europe/Berlin")
    (tmp_path / "clients" / "acme" / "tickets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    tickets, _report = load_client("acme").load_tickets()
    # the local hour (for business and after hours) is Berlin's wall clock
    assert [f"{t:%H:%M}" for t in tickets["opened"]] == ["02:30", "01:30"]
    assert [f"{t:%H:%M}" for t in tickets["resolved"]] == ["02:10", "04:30"]


def test_elapsed_response_is_measured_on_absolute_time_across_both_dst_changes(tmp_path, monkeypatch):
    # opened -> first response: 00:30Z -> 02:30Z on Berlin's spring day is 2 h (01:30 -> 04:30 on the wall
    # clock); 00:30Z -> 01:10Z on its autumn day is 40 minutes (02:30 CEST -> 02:10 CET)
    rows = [
        "Ticket,Opened,First Response,Priority",
        "1,2026-03-29T00:30:00Z,2026-03-29T02:30:00Z,P3",
        "2,2026-10-25T00:30:00Z,2026-10-25T01:10:00Z,P3",
        "3,2026-06-01T08:00:00Z,2026-06-01T09:30:00Z,P3",
    ]
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    _client(tmp_path, "Europe/Berlin")
    (tmp_path / "clients" / "acme" / "tickets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    tickets, _report = load_client("acme").load_tickets()
    assert tickets["response_hours"].tolist() == pytest.approx([2.0, 40 / 60, 1.5])
    # calibration's elapsed clock takes those hours, not the wall clock's 3 h and -20 min
    has = {c: tickets[c].notna().any() for c in tickets.columns}
    hours, note = _response_hours(tickets, tickets["opened"], has, "elapsed", (9.0, 17.0), [])
    assert hours.tolist() == pytest.approx([2.0, 40 / 60, 1.5]) and note.startswith("elapsed hours")
