"""Errors stay honest: a bad file is a DataError, a bug inside a loader surfaces as the bug.

Each loader turns what a malformed file can provoke into a DataError naming
the file; nothing else. A KeyError or TypeError raised by the loader's own code
(simulated here by patching one of its steps) must reach the caller as itself,
not as "this file cannot be read".
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from msp_analysis import (
    DataError,
    load_invoices,
    load_msp_quote,
    load_tickets,
    sample_scenario,
    scenario_from_workbook,
    scenario_to_workbook,
)
from msp_analysis.ingest import invoices, quotes, tables, tickets, workbook, xlsx_grid
from msp_analysis.ingest.dates import parse_dates

TICKETS = b"Ticket #,Date Entered,Priority,Actual Hours\n101,2024-03-01 09:30,P1,1.5\n"
INVOICES = b"Invoice Date,Hours,Amount\n2024-01-31,20.5,3120.00\n"
QUOTE = b"Item,Unit,Price\nManaged IT,per user per month,110\n"


def _raises(exc: type[Exception]):
    def step(*args, **kwargs):
        raise exc("a bug in a loader step")

    return step


def _tickets_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    for row in (["Ticket #", "Date Entered", "Priority"], [101, "2024-03-01 09:30", "P1"]):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("exc", [KeyError, TypeError, IndexError, AttributeError])
def test_a_bug_in_load_tickets_surfaces_as_itself(monkeypatch, exc):
    monkeypatch.setattr(tickets, "_priorities", _raises(exc))
    with pytest.raises(exc, match="a bug in a loader step"):
        load_tickets(TICKETS, name="t.csv")


def test_a_bug_in_the_shared_table_reader_surfaces_as_itself(monkeypatch):
    monkeypatch.setattr(tables, "_match_columns", _raises(KeyError))
    with pytest.raises(KeyError, match="a bug in a loader step"):
        load_tickets(TICKETS, name="t.csv")


def test_a_bug_while_reading_a_workbook_surfaces_as_itself(monkeypatch):
    monkeypatch.setattr(xlsx_grid, "_unsaved_formulas", _raises(TypeError))
    with pytest.raises(TypeError, match="a bug in a loader step"):
        load_tickets(_tickets_xlsx(), name="t.xlsx")


def test_a_bug_in_load_invoices_surfaces_as_itself(monkeypatch):
    monkeypatch.setattr(invoices, "parse_money", _raises(KeyError))
    with pytest.raises(KeyError, match="a bug in a loader step"):
        load_invoices(INVOICES, name="i.csv")


def test_a_bug_in_load_msp_quote_surfaces_as_itself(monkeypatch):
    monkeypatch.setattr(quotes, "classify_line", _raises(TypeError))
    with pytest.raises(TypeError, match="a bug in a loader step"):
        load_msp_quote(QUOTE, name="q.csv")


@pytest.mark.parametrize("exc", [KeyError, TypeError])
def test_a_bug_in_scenario_from_workbook_surfaces_as_itself(monkeypatch, tmp_path, exc):
    path = scenario_to_workbook(sample_scenario(), tmp_path / "a.xlsx")
    monkeypatch.setattr(workbook, "_coerce", _raises(exc))
    with pytest.raises(exc, match="a bug in a loader step"):
        scenario_from_workbook(path)


def test_the_loaders_still_work_unpatched(tmp_path):
    assert len(load_tickets(TICKETS, name="t.csv")[0]) == 1
    assert len(load_invoices(INVOICES, name="i.csv")[0]) == 1
    assert dict(load_msp_quote(QUOTE, name="q.csv")) == {"msp.per_user_monthly": 110.0}
    path = scenario_to_workbook(sample_scenario(), tmp_path / "a.xlsx")
    assert scenario_from_workbook(path) == sample_scenario()


def _cut_sheet(content: bytes, part: str) -> bytes:
    """The zip ``content`` with the XML of sheet ``part`` cut short inside its second row."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = data[: data.index(b"<row", data.index(b"<row") + 1) + 12]
            dst.writestr(info, data)
    return out.getvalue()


def test_a_damaged_sheet_is_still_a_data_error(tmp_path):
    content = _cut_sheet(_tickets_xlsx(), "xl/worksheets/sheet1.xml")
    with pytest.raises(DataError, match=r"t\.xlsx: sheet 'Sheet' cannot be read \(ParseError"):
        load_tickets(content, name="t.xlsx")
    book = scenario_to_workbook(sample_scenario(), tmp_path / "a.xlsx").read_bytes()
    with pytest.raises(DataError, match=r"a\.xlsx: sheet 'msp' cannot be read \(ParseError"):
        scenario_from_workbook(_cut_sheet(book, "xl/worksheets/sheet5.xml"), name="a.xlsx")


@pytest.mark.parametrize("zone", ["Nowhere/Else", "", "../etc", "x" * 300])
def test_an_unknown_time_zone_is_a_data_error(zone):
    with pytest.raises(DataError, match="unknown time zone"):
        parse_dates(["2024-01-01T10:00Z"], timezone=zone)


def test_a_quote_price_that_is_no_duration_or_term_is_named():
    # found by fuzzing: these were read as NaN and passed unreported (SLA, term), or raised a TypeError (a huge term)
    with pytest.raises(DataError, match=r"row 2, column 'Price': 'x' is not a price"):
        load_msp_quote(b"Item,Unit,Price\nP1 response,hours,x\n", name="q.csv")
    with pytest.raises(DataError, match=r"row 2, column 'Price': 'soon' is not a price"):
        load_msp_quote(b"Item,Unit,Price\nTerm,months,soon\n", name="q.csv")
    with pytest.raises(DataError, match=r"gives msp\.term_months = 1e\+20"):
        load_msp_quote(b"Item,Unit,Price\nTerm,months,99999999999999999999\n", name="q.csv")
