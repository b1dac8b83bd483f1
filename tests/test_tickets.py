"""Reading ticket exports: every malformed file raises DataError naming where; good files of every vendor load."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_analysis import DataError, load_tickets
from msp_analysis.ingest.dates import parse_dates
from msp_analysis.ingest.durations import parse_durations
from msp_analysis.ingest.priorities import parse_priority

HEADER = "Ticket #,Date Entered,Priority,Actual Hours,Date Resolved,Service Location,Users Affected,Summary"
GOOD = "101,2024-03-01 09:30,P1,1.5,2024-03-01 12:00,On-Site,3,Server down"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def xlsx(rows, title="Tickets", extra_sheets=(), start_row=1) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=start_row):
        for c, v in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=v)
    for name in extra_sheets:
        wb.create_sheet(name)["A1"] = "nothing here"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zipped(names) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Malformed files: each raises DataError whose message names the file and says where and what
# ---------------------------------------------------------------------------

MALFORMED = [
    # id, file name, content, load_tickets kwargs, fragments the message must contain
    ("empty", "t.csv", b"", {}, ["t.csv", "empty"]),
    ("whitespace only", "t.csv", b"  \n\n \n", {}, ["t.csv", "empty"]),
    ("header only", "t.csv", csv(), {}, ["t.csv", "header", "no data rows"]),
    ("header and blank lines", "t.csv", csv("", ",,,,,,,"), {}, ["no data rows"]),
    (
        "missing required columns",
        "t.csv",
        b"Ticket #,Summary\n1,Printer\n",
        {},
        ["t.csv", "'opened'", "'priority'", "Columns found: 'Ticket #', 'Summary'", "Date Entered", "column_map"],
    ),
    (
        "unparseable dates",
        "t.csv",
        csv(GOOD, "102,2024-02-30 10:00,P2,1,,Remote,1,x", "103,yesterday,P3,1,,Remote,1,x"),
        {},
        [
            "t.csv",
            "row 3, column 'Date Entered': '2024-02-30 10:00' is not a date",
            "row 4",
            "'yesterday'",
            "expected a date",
        ],
    ),
    (
        "resolved before opened",
        "t.csv",
        csv("101,2024-03-01 09:30,P1,1.5,2024-02-28 12:00,On-Site,3,x"),
        {},
        ["row 2, column 'Date Resolved': '2024-02-28 12:00'", "before the opened date 2024-03-01 09:30"],
    ),
    (
        "negative duration",
        "t.csv",
        csv("101,2024-03-01 09:30,P1,-1.5,,On-Site,3,x"),
        {},
        ["row 2", "'Actual Hours'", "'-1.5'", "negative"],
    ),
    (
        "absurd duration",
        "t.csv",
        csv("101,2024-03-01 09:30,P1,5000,,On-Site,3,x"),
        {},
        ["row 2", "'5000'", "implausible", "1,000 hours"],
    ),
    (
        "unreadable duration",
        "t.csv",
        csv("101,2024-03-01 09:30,P1,a while,,On-Site,3,x"),
        {},
        ["'a while'", "not a duration"],
    ),
    (
        "duplicate ticket ids",
        "t.csv",
        csv(GOOD, GOOD.replace("P1", "P2")),
        {},
        ["row 3, column 'Ticket #': '101' is a duplicate ticket id (first on row 2)"],
    ),
    (
        "unknown priorities",
        "t.csv",
        csv(
            GOOD.replace("101", "1"),
            GOOD.replace("101", "2").replace("P1", "Do Not Respond"),
            GOOD.replace("101", "3").replace("P1", "P7"),
        ),
        {},
        ["row 3, column 'Priority': 'Do Not Respond' is not a known priority", "row 4", "'P7'", "priority_map="],
    ),
    (
        "empty priority",
        "t.csv",
        csv("101,2024-03-01 09:30,,1,,On-Site,3,x"),
        {},
        ["row 2, column 'Priority'", "is empty"],
    ),
    ("empty opened date", "t.csv", csv("101,,P1,1,,On-Site,3,x"), {}, ["row 2, column 'Date Entered'", "is empty"]),
    ("implausible year", "t.csv", csv("101,1899-03-01 09:30,P1,1,,On-Site,3,x"), {}, ["row 2", "implausible date"]),
    (
        "bad yes/no",
        "t.csv",
        csv("101,2024-03-01 09:30,P1,1,,maybe,3,x"),
        {},
        ["row 2, column 'Service Location': 'maybe'", "yes/no"],
    ),
    (
        "bad users affected",
        "t.csv",
        csv("101,2024-03-01 09:30,P1,1,,Remote,-2,x"),
        {},
        ["row 2, column 'Users Affected': '-2'", "whole number"],
    ),
    (
        "ragged rows",
        "t.csv",
        csv(GOOD, "102,2024-03-01 10:00,P2", "103,2024-03-01 11:00,P3,1,,Remote,1,x,extra"),
        {},
        ["row 3: has 3 fields where the header has 8", "row 4: has 9 fields"],
    ),
    (
        "unclosed quote",
        "t.csv",
        csv(GOOD, '102,"2024-03-01 10:00,P2,1,,Remote,1,x', GOOD.replace("101", "103")),
        {},
        ["row 3", "never closed"],
    ),
    (
        "non-UTF-8 text",
        "t.csv",
        csv(GOOD.replace("Server down", "Caf\xe9 printer")).replace(b"Caf\xc3\xa9", b"Caf\xe9"),
        {},
        ["t.csv", "row 2, column 'Summary'", "not UTF-8", "encoding='cp1252'"],
    ),
    ("unknown encoding name", "t.csv", csv(GOOD), {"encoding": "klingon-8"}, ["unknown encoding 'klingon-8'"]),
    (
        "wrong explicit encoding",
        "t.csv",
        "x,y\n\u20ac,1\n".encode("utf-8"),
        {"encoding": "ascii"},
        ["cannot be read as ascii", "line 2"],
    ),
    ("PNG renamed .csv", "t.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), {}, ["t.csv", "a PNG image", "not CSV text"]),
    ("PDF renamed .csv", "t.csv", b"%PDF-1.7\n%\xe2\xe3\n", {}, ["a PDF document"]),
    ("NUL bytes", "t.csv", b"Ticket,Date\x00\x00\x01\x02garbage", {}, ["NUL bytes"]),
    (
        "xlsx renamed .csv",
        "t.csv",
        xlsx([["Ticket #", "Date Entered", "Priority"], [1, "2024-01-01", "P1"]]),
        {},
        ["Excel workbook (XLSX)", "rename it to .xlsx"],
    ),
    ("docx renamed .csv", "t.csv", zipped(["word/document.xml"]), {}, ["a Word document"]),
    ("zip renamed .csv", "t.csv", zipped(["a.txt"]), {}, ["a zip archive"]),
    ("old xls", "t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), {}, [".xls files are not read", "97-2003"]),
    (
        "HTML saved as .xls",
        "t.xls",
        b"<html><table><tr><td>1</td></tr></table></html>",
        {},
        [".xls files are not read", "HTML"],
    ),
    ("pickle renamed .csv", "t.csv", b"\x80\x04\x95\x10\x00\x00", {}, ["pickle (never loaded)"]),
    ("text named .xlsx", "t.xlsx", csv(GOOD), {}, ["t.xlsx", "plain text", "rename it to .csv"]),
    ("damaged xlsx", "t.xlsx", b"PK\x03\x04" + bytes(40), {}, ["t.xlsx", "damaged"]),
    ("unsupported type", "t.json", b'{"a": 1}', {}, ["'.json' are not read"]),
    (
        "wrong sheet",
        "t.xlsx",
        xlsx([["Ticket #", "Date Entered", "Priority"], [1, "2024-01-01", "P1"]], extra_sheets=["Notes"]),
        {"sheet": "Sheet9"},
        ["t.xlsx: has no sheet 'Sheet9'", "'Tickets'", "'Notes'"],
    ),
    ("sheet number out of range", "t.xlsx", xlsx([["a"]]), {"sheet": 3}, ["no sheet number 3"]),
    (
        "xlsx with no usable sheet",
        "t.xlsx",
        xlsx([["Name", "Value"], ["x", 1]], extra_sheets=["Other"]),
        {},
        ["'opened'", "No sheet has them", "'Tickets'", "'Other'"],
    ),
    (
        "xlsx bad cells numbered as in the sheet",
        "t.xlsx",
        xlsx(
            [
                ["Ticket report"],
                [],
                ["Ticket #", "Date Entered", "Priority"],
                [1, dt.datetime(2024, 1, 1), "P1"],
                [2, "#N/A", "P2"],
            ]
        ),
        {},
        ["t.xlsx, sheet 'Tickets'", "row 5, column 'Date Entered': '#N/A' is not a date"],
    ),
    ("sheet given for a CSV", "t.csv", csv(GOOD), {"sheet": "x"}, ["has no sheets"]),
    (
        "semicolons read as commas",
        "t.csv",
        b"Ticket;Date Entered;Priority\n1;2024-01-01;P1\n",
        {"delimiter": ","},
        ["different separator"],
    ),
    (
        "column_map names a missing column",
        "t.csv",
        csv(GOOD),
        {"column_map": {"Opened On": "opened"}},
        ["'Opened On'", "does not have"],
    ),
    (
        "column_map to an unknown column",
        "t.csv",
        csv(GOOD),
        {"column_map": {"Summary": "subject"}},
        ["'subject'", "not a column"],
    ),
    (
        "duplicate header",
        "t.csv",
        b"Date Entered,Priority,Priority\n2024-01-01,P1,P2\n",
        {},
        ["'Priority' appears more than once"],
    ),
    ("bad priority_map", "t.csv", csv(GOOD), {"priority_map": {"P1": "urgentish"}}, ["priority_map", "'urgentish'"]),
    (
        "unknown time zone",
        "t.csv",
        csv(GOOD.replace("09:30", "09:30Z")),
        {"timezone": "Mars/Olympus"},
        ["unknown time zone"],
    ),
]


@pytest.mark.parametrize(
    ("case", "filename", "content", "kwargs", "fragments"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_files_raise_data_error_saying_where(tmp_path, case, filename, content, kwargs, fragments):
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        load_tickets(path, **kwargs)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in:\n{message}"
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("case", "filename", "content", "kwargs", "fragments"), MALFORMED[:12], ids=[m[0] for m in MALFORMED[:12]]
)
def test_the_same_errors_from_bytes_with_a_name(case, filename, content, kwargs, fragments):
    with pytest.raises(DataError) as err:
        load_tickets(content, name=filename, **kwargs)
    assert fragments[0] in str(err.value) or all(f in str(err.value) for f in fragments[1:])


def test_every_problem_is_listed_with_row_column_value(tmp_path):
    rows = [GOOD] + [f"{200 + i},not a date,P9,-1,,Remote,1,x" for i in range(40)]
    with pytest.raises(DataError) as err:
        load_tickets(csv(*rows), name="many.csv")
    e = err.value
    assert len(e.problems) == 120  # 40 rows x (date, priority, negative hours)
    assert e.source == "many.csv"
    assert {p["row"] for p in e.problems} == set(range(3, 43))
    first = e.problems[0]
    assert first == {
        "row": 3,
        "column": "Date Entered",
        "value": "not a date",
        "problem": "is not a date",
        "expected": "a date (and time) such as 2024-03-01 14:30",
    }
    assert "120 problems in 40 of 41 data rows" in str(e)
    # identical problems are said once per column, with the exact count and the first rows (every one in e.problems)
    assert (
        "\n  40 rows, column 'Date Entered': is not a date (rows 3 'not a date', 4 'not a date', 5 'not a date', ...)"
        in str(e)
    )
    assert "more (all in error.problems)" not in str(e)
    assert str(e).count("\n  row ") == 0 and str(e).count(" rows, column ") == 3  # three lines say all 120


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_tickets(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        load_tickets(tmp_path)
    with pytest.raises(DataError, match="cannot read a int"):
        load_tickets(42)
    with pytest.raises(DataError, match="larger than"):
        load_tickets(csv(GOOD), name="big.csv", max_bytes=10)
    with pytest.raises(DataError, match="exactly one uploaded file"):
        load_tickets((), name="upload")


# ---------------------------------------------------------------------------
# Anything at all: DataError or a result, never another exception
# ---------------------------------------------------------------------------


@settings(max_examples=150)
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", "", ".txt"]))
def test_garbage_bytes_raise_only_data_error(content, suffix):
    try:
        load_tickets(content, name=f"garbage{suffix}")
    except DataError:
        pass


_CSV_ALPHABET = st.sampled_from(
    [*list('ab1:-/ ,;"\n\r\t'), "P1", "2024-01-02", "12:30", "Priority", "Date Entered", "é"]
)


@settings(max_examples=150)
@given(body=st.lists(_CSV_ALPHABET, max_size=60).map("".join), lenient=st.booleans())
def test_garbage_text_under_a_good_header_raises_only_data_error(body, lenient):
    content = ("Ticket #,Date Entered,Priority,Actual Hours\n" + body).encode("utf-8")
    try:
        tickets, report = load_tickets(content, name="t.csv", lenient=lenient)
    except DataError:
        return
    assert report.rows_kept + report.rows_set_aside == report.rows_read
    assert len(tickets) == report.rows_kept


def test_garbage_xlsx_cells_raise_only_data_error():
    rows = [["Ticket #", "Date Entered", "Priority", "Actual Hours"]]
    odd = [None, True, 3.5, -1, dt.time(1, 30), dt.timedelta(hours=2), dt.date(2024, 1, 1), "#REF!", 45292.5, 1e300]
    for i, v in enumerate(odd):
        rows.append([i, v, v, v])
    with pytest.raises(DataError):
        load_tickets(xlsx(rows), name="odd.xlsx")
    rows.append([99, dt.datetime(2024, 1, 1), "P1", 1.0])
    tickets, report = load_tickets(xlsx(rows), name="odd.xlsx", lenient=True)
    assert report.rows_read == len(odd) + 1
    assert report.rows_kept + report.rows_set_aside == len(odd) + 1
    assert "99" in tickets["ticket_id"].tolist()


# ---------------------------------------------------------------------------
# Exports as vendors write them
# ---------------------------------------------------------------------------

VENDORS = {
    "ConnectWise": (
        "Ticket #,Company,Summary,Board,Type,Priority,Service Location,Date Entered,Date Responded,Date Resolved,Actual Hours\n"
        "5001,Acme,Down,Help Desk,Incident,Priority 1 - Emergency Response,On-Site,03/14/2024 09:05 AM,"
        "03/14/2024 09:40 AM,03/14/2024 01:10 PM,3.25\n",
        {"ticket_id": "Ticket #", "opened": "Date Entered", "first_response": "Date Responded", "resolved": "Date Resolved",
         "priority": "Priority", "category": "Type", "work_hours": "Actual Hours", "onsite": "Service Location"},
    ),
    "Autotask": (
        "Ticket Number,Title,Created,First Response Date Time,Complete Date,Priority,Issue Type,Total Hours Worked\n"
        "T20240314.0001,Down,2024-03-14 09:05,2024-03-14 09:40,2024-03-14 13:10,Critical,Hardware,3.25\n",
        {"ticket_id": "Ticket Number", "opened": "Created", "first_response": "First Response Date Time",
         "resolved": "Complete Date", "priority": "Priority", "category": "Issue Type", "work_hours": "Total Hours Worked"},
    ),
    "Zendesk": (
        "Id,Subject,Created at,Solved at,Priority,Type,First reply time in minutes,Agent work time in minutes\n"
        "77,Down,2024-03-14T09:05:00Z,2024-03-14T13:10:00Z,urgent,incident,35,195\n",
        {"ticket_id": "Id", "opened": "Created at", "first_response": "First reply time in minutes",
         "resolved": "Solved at", "priority": "Priority", "category": "Type", "work_hours": "Agent work time in minutes"},
    ),
    "Freshservice": (
        "Ticket Id,Subject,Created Time,Resolved Time,Closed Time,Priority,Urgency,Category,Time Tracked,First Response Time (in Hrs)\n"
        "INC-12,Down,2024-03-14 09:05:00,2024-03-14 13:10:00,2024-03-15 09:00:00,Urgent,High,Hardware,03:15,0.58\n",
        {"ticket_id": "Ticket Id", "opened": "Created Time", "resolved": "Resolved Time", "priority": "Priority",
         "category": "Category", "work_hours": "Time Tracked", "first_response": "First Response Time (in Hrs)"},
    ),
    "home-made spreadsheet": (
        "Ref;Date reported;Date fixed;Severity;Time spent (mins);On site?;Users affected\n"
        "1;14/03/2024 09:05;14/03/2024 13:10;High;195;yes;4\n",
        {"ticket_id": "Ref", "opened": "Date reported", "resolved": "Date fixed", "priority": "Severity",
         "work_hours": "Time spent (mins)", "onsite": "On site?", "users_affected": "Users affected"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_vendor_exports_are_recognised(vendor):
    text, columns = VENDORS[vendor]
    tickets, report = load_tickets(text.encode(), name=f"{vendor}.csv")
    for canon, col in columns.items():
        assert report.columns[canon] == col, (vendor, canon)
    row = tickets.iloc[0]
    assert row["opened"] == pd.Timestamp("2024-03-14 09:05")
    assert row["work_hours"] == pytest.approx(3.25)
    assert row["priority"] in ("p1", "p2")
    if "resolved" in columns:
        assert row["resolved"] == pd.Timestamp("2024-03-14 13:10")


def test_duration_columns_of_first_response_are_read_as_durations():
    tickets, _report = load_tickets(VENDORS["Zendesk"][0].encode(), name="z.csv")
    assert tickets.loc[0, "response_hours"] == pytest.approx(35 / 60)
    assert pd.isna(tickets.loc[0, "first_response"])
    text = "Id,Created at,Priority,First reply time in minutes within business hours\n1,2024-03-14 09:05,low,90\n"
    tickets, _ = load_tickets(text.encode(), name="z.csv")
    assert tickets.loc[0, "response_business_hours"] == pytest.approx(1.5)


def test_typed_output_columns():
    tickets, report = load_tickets(csv(GOOD, "102,2024-03-02 10:00,low,0:45,,Remote,,y"), name="t.csv")
    assert str(tickets["opened"].dtype) == "datetime64[ns]"
    assert isinstance(tickets["priority"].dtype, pd.CategoricalDtype)
    assert list(tickets["priority"].cat.categories) == ["p1", "p2", "p3", "p4"]
    assert str(tickets["onsite"].dtype) == "boolean"
    assert str(tickets["users_affected"].dtype) == "Int64"
    assert str(tickets["ticket_id"].dtype) == "string"
    assert tickets["row"].tolist() == [2, 3]
    assert tickets["work_hours"].tolist() == [1.5, 0.75]
    assert tickets["onsite"].tolist() == [True, False]
    assert report.period == (pd.Timestamp("2024-03-01 09:30"), pd.Timestamp("2024-03-02 10:00"))
    assert report.counts == {"p1": 1, "p2": 0, "p3": 0, "p4": 1}
    assert "Summary" in report.unused_columns


def test_lenient_sets_rows_aside_with_reasons_and_drops_nothing_silently():
    rows = [
        GOOD,
        "102,13/13/2024,P2,1,,Remote,1,x",
        "103,2024-03-02 10:00,P3,-1,,Remote,1,x",
        "",
        GOOD.replace("101", "104"),
    ]
    tickets, report = load_tickets(csv(*rows), name="t.csv", lenient=True)
    assert report.rows_read == 4 and report.blank_rows == 1
    assert report.rows_kept == 2 and report.rows_set_aside == 2
    aside = report.set_aside
    assert aside["row"].tolist() == [3, 4]
    assert "Date Entered: '13/13/2024' is not a date" in aside.loc[0, "reason"]
    assert "negative" in aside.loc[1, "reason"]
    assert aside.loc[0, "Ticket #"] == "102"  # the row as read, to fix it
    assert tickets["ticket_id"].tolist() == ["101", "104"]
    assert any("set aside" in w for w in report.warnings)
    summary = report.summary()
    assert list(summary.columns) == ["item", "value"]
    assert "rows set aside" in summary["item"].tolist()


def test_lenient_with_nothing_left_raises():
    with pytest.raises(DataError, match="every one of the 1 data rows"):
        load_tickets(csv("101,never,P1,1,,Remote,1,x"), name="t.csv", lenient=True)


def test_priority_map_overrides_and_excludes():
    rows = [
        GOOD,
        GOOD.replace("101", "102").replace("P1", "Do Not Respond"),
        GOOD.replace("101", "103").replace("P1", "Emergency"),
    ]
    tickets, report = load_tickets(csv(*rows), name="t.csv", priority_map={"Do Not Respond": None, "emergency": "p2"})
    assert tickets["priority"].tolist() == ["p1", "p2"]
    assert report.rows_set_aside == 1
    assert "left out by priority_map" in report.set_aside.loc[0, "reason"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P1", "p1"), ("p2", "p2"), (3, "p3"), (4.0, "p4"), ("1", "p1"), ("Priority 1 - Emergency Response", "p1"),
        ("Priority 4 - Schedule Maintenance", "p4"), ("Critical", "p1"), ("URGENT", "p1"), ("High", "p2"),
        ("Medium", "p3"), ("normal", "p3"), ("Low", "p4"), ("Sev 2", "p2"), ("1 - Critical", "p1"),
        ("High - business critical", "p2"), ("Service Request", "p4"), ("P5", None), ("Do Not Respond", None), ("", None),
    ],
)  # fmt: skip
def test_priorities(value, expected):
    assert parse_priority(value) == expected


@pytest.mark.parametrize(
    ("value", "unit", "hours"),
    [
        ("1.5", "hours", 1.5), ("90", "minutes", 1.5), ("1:30", "hours", 1.5), ("01:30:00", "hours", 1.5),
        ("1h 30m", "hours", 1.5), ("1h30", "hours", 1.5), ("90 min", "hours", 1.5), ("1,5", "hours", 1.5),
        ("2 hours", "hours", 2.0), ("5400", "seconds", 1.5), ("1d 2h", "hours", 26.0), (1.5, "hours", 1.5),
        (dt.timedelta(minutes=90), "hours", 1.5), (dt.time(1, 30), "minutes", 1.5), ("-2", "hours", -2.0),
    ],
)  # fmt: skip
def test_durations(value, unit, hours):
    got, bad = parse_durations([value], unit)
    assert not bad[0]
    assert got[0] == pytest.approx(hours)


@pytest.mark.parametrize("value", ["soon", "1.5.5", "h", "1:75", True, "1 fortnight"])
def test_bad_durations(value):
    got, bad = parse_durations([value])
    assert bad[0] and np.isnan(got[0])


def test_dates_with_and_without_zones():
    values = ["2024-03-01T09:30:00Z", "2024-03-01 09:30:00+01:00", "2024-03-01 09:30 UTC"]
    res = parse_dates(values)
    assert res.values.tolist() == [
        pd.Timestamp("2024-03-01 09:30"),
        pd.Timestamp("2024-03-01 08:30"),
        pd.Timestamp("2024-03-01 09:30"),
    ]
    local = parse_dates(values, timezone="America/New_York")
    assert local.values.tolist()[0] == pd.Timestamp("2024-03-01 04:30")
    mixed = parse_dates(["2024-03-01T09:30:00Z", "2024-03-02 10:00"])
    assert any("some dates carry a time zone" in w for w in mixed.warnings)


def test_day_and_month_order_is_decided_by_the_data():
    us = parse_dates(["03/14/2024 09:00", "03/01/2024 10:00"])
    assert us.values.tolist() == [pd.Timestamp("2024-03-14 09:00"), pd.Timestamp("2024-03-01 10:00")]
    eu = parse_dates(["14/03/2024 09:00", "01/03/2024 10:00"])
    assert eu.values.tolist() == [pd.Timestamp("2024-03-14 09:00"), pd.Timestamp("2024-03-01 10:00")]
    ambiguous = parse_dates(["03/04/2024", "05/06/2024"])
    assert ambiguous.values.tolist()[0] == pd.Timestamp("2024-03-04")
    assert any("day/month or month/day" in w for w in ambiguous.warnings)
    told = parse_dates(["03/04/2024", "05/06/2024"], dayfirst=True)
    assert told.values.tolist()[0] == pd.Timestamp("2024-04-03") and not told.warnings
    german = parse_dates(["03.04.2024 10:00"])
    assert german.values.tolist() == [pd.Timestamp("2024-04-03 10:00")]
    named = parse_dates(["Mar 14, 2024 9:05 AM", "14 March 2024", "20240314"])
    assert [t.date() for t in named.values] == [dt.date(2024, 3, 14)] * 3


def test_fast_fixed_width_dates_agree_with_pandas():
    rng = np.random.default_rng(3)
    times = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.random(500) * 6e7, unit="s")).dt.floor("min")
    text = [*times.dt.strftime("%m/%d/%Y %I:%M %p").tolist(), "2/3/2024 1:05 PM", "02/30/2024 01:00 PM"]
    got = parse_dates(text)
    expected = pd.to_datetime(pd.Series(text), format="%m/%d/%Y %I:%M %p", errors="coerce")
    pd.testing.assert_series_equal(got.values, expected.astype("datetime64[ns]"), check_names=False)
    assert got.bad.tolist()[-1]


def test_xlsx_native_values_title_rows_and_sheet_choice():
    rows = [
        ["Ticket export, March"],
        [],
        ["Ticket #", "Date Entered", "Priority", "Actual Hours", "Date Resolved"],
        [1, dt.datetime(2024, 3, 1, 9, 30), 1, dt.timedelta(hours=1, minutes=30), 45352.5],
        [2.0, dt.date(2024, 3, 2), "High", dt.time(0, 45), None],
    ]
    content = xlsx(rows, title="Export")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    wb.move_sheet(wb.create_sheet("Cover"), offset=-1)  # the tickets are not on the first sheet
    buf = io.BytesIO()
    wb.save(buf)
    tickets, report = load_tickets(buf.getvalue(), name="t.xlsx")
    assert report.header_row == 3
    assert "sheet 'Export'" in report.format
    assert tickets["row"].tolist() == [4, 5]
    assert tickets["ticket_id"].tolist() == ["1", "2"]
    assert tickets["opened"].tolist() == [pd.Timestamp("2024-03-01 09:30"), pd.Timestamp("2024-03-02")]
    assert tickets["work_hours"].tolist() == [1.5, 0.75]
    assert tickets["resolved"].iloc[0] == pd.Timestamp("2024-03-01 12:00")  # an Excel serial number
    assert tickets["priority"].tolist() == ["p1", "p2"]
    # the same bytes without a name: the content says it is a workbook
    again, _ = load_tickets(buf.getvalue())
    assert len(again) == 2


def test_uploads_file_objects_and_frames():
    content = csv(GOOD)
    upload = {"name": "up.csv", "type": "text/csv", "size": len(content), "content": memoryview(content)}
    assert load_tickets(upload)[1].source == "up.csv"
    assert load_tickets((upload,))[1].source == "up.csv"
    assert len(load_tickets(io.BytesIO(content), name="b.csv")[0]) == 1
    assert len(load_tickets(io.StringIO(content.decode()), name="s.csv")[0]) == 1
    frame = pd.DataFrame({"Created": ["2024-03-01 09:30"], "Priority": ["P2"]})
    tickets, report = load_tickets(frame, name="frame")
    assert tickets["priority"].tolist() == ["p2"] and report.format == "DataFrame"


def test_encodings_separators_and_excel_quirks():
    text = HEADER + "\n" + GOOD.replace("Server down", "Café printer") + "\n"
    tickets, report = load_tickets(text.encode("utf-16"), name="u16.csv")
    assert report.format.startswith("CSV (UTF-16")
    tickets, report = load_tickets(b"\xef\xbb\xbf" + text.encode(), name="bom.csv")
    assert report.columns["ticket_id"] == "Ticket #"
    tickets, report = load_tickets(text.encode("cp1252"), name="win.csv", encoding="cp1252")
    assert len(tickets) == 1
    semi = text.replace(",", ";").encode()
    assert load_tickets(semi, name="semi.csv")[1].format.endswith("semicolon-separated)")
    assert len(load_tickets(b"sep=;\n" + semi, name="sep.csv")[0]) == 1
    trailing = (HEADER + ",,\n" + GOOD + ",,\n").encode()
    assert len(load_tickets(trailing, name="trail.csv")[0]) == 1
    crlf = text.replace("\n", "\r\n").encode()
    assert len(load_tickets(crlf, name="crlf.csv")[0]) == 1
    quoted = (HEADER + '\n101,2024-03-01 09:30,P1,1.5,,On-Site,3,"line one\nline two, with a comma"\n'
              "102,2024-03-01 10:30,P2,1,,Remote,1,x\n").encode()  # fmt: skip
    tickets, _ = load_tickets(quoted, name="q.csv")
    assert tickets["row"].tolist() == [2, 3]  # rows count records, as a spreadsheet shows them


def test_explicit_column_map_and_units():
    text = "Case,When,Importance,Effort\n1,2024-03-01 09:00,2,45\n"
    with pytest.raises(DataError, match="cannot find the required"):
        load_tickets(text.encode(), name="c.csv")
    tickets, report = load_tickets(
        text.encode(), name="c.csv", column_map={"When": "opened", "Importance": "priority", "effort": "work_hours"}
    )
    assert tickets.loc[0, "priority"] == "p2" and tickets.loc[0, "work_hours"] == 45  # hours unless told
    assert report.columns["opened"] == "When"


def test_sample_client_export_loads_cleanly(sample):
    from msp_analysis.ingest.clients import load_client

    tickets, report = load_tickets(load_client("sample").tickets)
    assert report.rows_set_aside == 0 and not report.warnings
    assert report.rows_read == len(tickets) > 400
    assert set(tickets["priority"]) <= {"p1", "p2", "p3", "p4"}
    assert tickets["first_response"].notna().all()


# ---------------------------------------------------------------------------
# Found in acceptance testing: each case failed (or misled) before its fix
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text_not_binary(codec):
    text = HEADER + "\n" + GOOD.replace("Server down", "Serveur arrêté") + "\n"
    tickets, report = load_tickets(text.encode(codec), name="u16.csv")
    assert report.format.startswith(f"CSV ({codec.upper()} (no BOM)")
    assert tickets["ticket_id"].tolist() == ["101"]


def test_column_names_in_another_encoding_show_the_bytes_and_the_fix():
    content = "Numéro,Créé le,Priorité\n1,2024-05-02 08:00,Haute\n".encode("latin-1")
    with pytest.raises(DataError) as err:
        load_tickets(content, name="fr.csv")
    message = str(err.value)
    assert "'Num\\\\xe9ro'" in message and "\udce9" not in message  # the byte shown as in a cell's value
    assert "encoding='cp1252'" in message


@pytest.mark.parametrize(
    ("title", "sep"),
    [("Tickets; exported 2024-06-01", ","), ("Export, March, all boards", ";"), ("Report | all sites", "\t")],
)
def test_a_title_line_does_not_decide_the_separator(title, sep):
    body = HEADER + "\n" + GOOD + "\n" + GOOD.replace("101", "102") + "\n"
    content = (title + "\n" + body.replace(",", sep)).encode()
    tickets, report = load_tickets(content, name="t.csv")
    assert report.header_row == 2 and tickets["row"].tolist() == [3, 4]


def test_ticket_ids_differing_only_in_case_or_spacing_are_duplicates():
    rows = [GOOD.replace("101", "INC-101"), GOOD.replace("101", "inc-101"), GOOD.replace("101", " INC-101 ")]
    with pytest.raises(DataError) as err:
        load_tickets(csv(*rows), name="t.csv")
    message = str(err.value)
    assert "row 3, column 'Ticket #': 'inc-101' is a duplicate ticket id (first on row 2 as 'INC-101')" in message
    assert "row 4, column 'Ticket #': 'INC-101' is a duplicate ticket id (first on row 2)" in message


def test_a_column_mixing_day_month_and_month_day_names_the_odd_rows():
    rows = [
        "101,31/12/2024 10:00,P1,1,,Remote,1,x",
        "102,12/31/2024 10:00,P1,1,,Remote,1,x",
        "103,25/11/2024 10:00,P1,1,,Remote,1,x",
        "104,05/06/2024 10:00,P1,1,,Remote,1,x",
    ]
    with pytest.raises(DataError) as err:
        load_tickets(csv(*rows), name="t.csv")
    e = err.value
    assert [p["row"] for p in e.problems] == [3]
    assert "row 3, column 'Date Entered': '12/31/2024 10:00' is month/day/year" in str(e)
    assert "day/month/year" in e.problems[0]["expected"]
    # told the order, the values written the other way are named too
    with pytest.raises(
        DataError, match="row 3, column 'Date Entered': '31/12/2024 10:00' is day/month/year, but dayfirst=False"
    ):
        load_tickets(csv(*rows[1:2], *rows[:1]), name="t.csv", dayfirst=False)
    assert parse_dates(["31/12/2024", "12/31/2024"], dayfirst=True).bad.tolist() == [False, True]


def _sheet_xlsx(sheet_xml: bytes) -> bytes:
    """A workbook whose first sheet's XML is ``sheet_xml`` (hand-made, as an attacker or a broken tool would)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx([["Ticket #", "Date Entered", "Priority"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info.filename)
            z.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>%s</sheetData></worksheet>'


def _row(r: int, cells) -> bytes:
    return (f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in cells)
            + "</row>").encode()  # fmt: skip


_HEAD_ROW = _row(1, [("A", "Ticket #"), ("B", "Date Entered"), ("C", "Priority")])
_DATA_ROW = _row(2, [("A", "1"), ("B", "2024-05-02 08:00"), ("C", "P1")])


def test_a_sheet_is_as_wide_as_its_cells_not_as_its_declared_dimension():
    from msp_analysis.ingest.tables import read_table
    from msp_analysis.ingest.tickets import TICKET_COLUMNS

    content = _sheet_xlsx(_SHEET % (b'<dimension ref="A1:XFD1048576"/>', _HEAD_ROW + _DATA_ROW))
    table, _ = read_table(content, TICKET_COLUMNS, name="t.xlsx")
    assert table.grid.frame.shape == (2, 3)  # openpyxl would pad each row to 16,384 cells


def test_a_stray_far_cell_does_not_make_billions_of_cells(monkeypatch):
    import msp_analysis.ingest.grid as grid

    monkeypatch.setattr(grid, "MAX_PADDED_CELLS", 10_000)
    rows = b"".join(_row(r, [("A", str(r)), ("B", "2024-05-02 08:00"), ("C", "P1")]) for r in range(3, 40))
    content = _sheet_xlsx(_SHEET % (b"", _HEAD_ROW + _row(2, [("A", "1"), ("XFD", "far away")]) + rows))
    with pytest.raises(DataError, match=r"sheet 'Tickets': cell XFD2 holds 'far away', so the table would be 39 rows"):
        load_tickets(content, name="t.xlsx")
    lines = ["Ticket #,Date Entered,Priority", *(f"{i},2024-05-02 08:00,P1" for i in range(30))]
    lines[5] += "," * 20_000
    with pytest.raises(DataError, match=r"t\.csv: row 6 has 20,003 fields, so the table would be 31 rows"):
        load_tickets("\n".join(lines).encode(), name="t.csv")


def test_a_sheet_past_excel_row_limit_is_refused(monkeypatch):
    import msp_analysis.ingest.xlsx_grid as xlsx_grid

    monkeypatch.setattr(xlsx_grid, "MAX_SHEET_ROWS", 1_000)
    content = _sheet_xlsx(_SHEET % (b"", _HEAD_ROW + _DATA_ROW + _row(5_000, [("A", "x")])))
    with pytest.raises(DataError, match="more than 1,000 rows, more than Excel allows"):
        load_tickets(content, name="t.xlsx")


def test_a_zip_bomb_sheet_is_refused_before_it_is_read():
    content = _sheet_xlsx(_SHEET % (b"", _HEAD_ROW + _DATA_ROW + b"<row/>" * 3_000_000))
    assert len(content) < 100_000
    with pytest.raises(DataError, match=r"'xl/worksheets/sheet1.xml' would inflate .* times"):
        load_tickets(content, name="t.xlsx")


def test_a_misspelt_keyword_is_the_callers_type_error_not_a_data_error():
    with pytest.raises(TypeError, match="nmae"):
        load_tickets(csv(GOOD), nmae="t.csv")


def test_when_nothing_is_left_the_problems_are_plain_records():
    with pytest.raises(DataError) as err:
        load_tickets(csv("101,never,P1,1,,Remote,1,x"), name="t.csv", lenient=True)
    assert [set(p) for p in err.value.problems] == [{"row", "column", "value", "problem", "expected"}]


def test_native_xlsx_values_are_shown_as_written_not_as_python_reprs():
    rows = [
        ["Ticket #", "Date Entered", "Priority", "Actual Hours", "Date Resolved"],
        [1, dt.datetime(2024, 5, 2, 8, 0), "P1", dt.time(1, 30), dt.datetime(2024, 5, 1, 10, 0)],
    ]
    with pytest.raises(DataError) as err:
        load_tickets(xlsx(rows), name="t.xlsx")
    message = str(err.value)
    assert "row 2, column 'Date Resolved': 2024-05-01 10:00 is before the opened date 2024-05-02 08:00" in message
    assert "datetime.datetime" not in message
