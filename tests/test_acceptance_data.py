"""Acceptance checks of the data layer: malformed files an acceptance test might hand over, and round trips."""

from __future__ import annotations

import re

import pytest

from msp_analysis import DataError, load_invoices, load_msp_quote, load_tickets

LOADERS = [load_tickets, load_invoices, load_msp_quote]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_a_line_of_millions_of_separators_is_refused_naming_the_row(loader):
    # 2 MB of commas used to be laid out as 2 million columns: a minute or more before any message.
    data = b"Ticket #,Date Entered,Priority\n" + b"," * 2_000_000 + b"\n"
    with pytest.raises(DataError, match=r"huge\.csv: row 2 has 2,000,001 fields, more than the 16,384 columns"):
        loader(data, name="huge.csv")


# ---------------------------------------------------------------------------
# Assumptions workbooks
# ---------------------------------------------------------------------------


def test_a_workbook_round_trips_floats_to_the_last_digit(tmp_path, sample):
    from msp_analysis import scenario_from_workbook, scenario_to_workbook

    # openpyxl writes 16 significant digits: 0.30000000000000004 came back as 0.3, 210.93387187462793 as ...279
    s = sample.replace(
        {"msp.sla_adherence": 0.1 + 0.2 + 0.6, "msp.per_user_monthly": 210.93387187462793, "break_fix.trip_fee": 1e-300}
    )
    assert scenario_from_workbook(scenario_to_workbook(s, tmp_path / "a.xlsx")) == s


@pytest.mark.parametrize("name", ["", "   ", "_x0041_ literal", "a_x005F_b", "Ünïcödé & co"])
def test_a_workbook_round_trips_any_organization_name(tmp_path, sample, name):
    from msp_analysis import scenario_from_workbook, scenario_to_workbook

    # an empty name came back as a '<empty>' error
    s = sample.replace({"organization.name": name})
    assert scenario_from_workbook(scenario_to_workbook(s, tmp_path / "a.xlsx")).organization.name == name


@pytest.mark.parametrize(
    ("name", "clean"), [("Tab\there", "Tab here"), ("Bell\x07 & co", "Bell & co"), ("FF\x0cfeed", "FF feed")]
)
def test_control_characters_are_refused_in_a_scenario_and_removed_from_a_clients_workbook(
    tmp_path, sample, name, clean
):
    import openpyxl

    from msp_analysis import ValidationError, scenario_from_workbook, scenario_to_workbook

    # a control character made openpyxl raise IllegalCharacterError, and the report writers fail (issue 17)
    with pytest.raises(ValidationError, match=r"organization\.name: .* without control characters"):
        sample.replace({"organization.name": name})
    path = scenario_to_workbook(sample, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["organization"].iter_rows(min_row=2) if r[0].value == "organization.name")
    row[1].value = name.replace("\x07", "_x0007_").replace("\x0c", "_x000C_")  # as Excel stores them
    wb.save(path)
    with pytest.warns(UserWarning, match=r"organization\.name: removed 1 control characters"):
        assert scenario_from_workbook(path).organization.name == clean


def test_a_wrong_workbook_value_is_a_data_error_naming_sheet_and_row(tmp_path, sample):
    import openpyxl

    from msp_analysis import ValidationError, scenario_from_workbook, scenario_to_workbook

    path = scenario_to_workbook(sample, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["organization"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "organization.users")
    ws.cell(row, 2).value = "sixty"
    wb.save(path)
    # a workbook is a client file: `except DataError` around every client file must catch its errors too
    with pytest.raises(DataError, match=rf"organization\.users: got 'sixty', .*sheet 'organization', row {row}") as err:
        scenario_from_workbook(path)
    assert isinstance(err.value, ValidationError)
    assert err.value.source == "a.xlsx" and err.value.problems[0]["row"] == row


def test_an_assumptions_workbook_gets_the_zip_bomb_checks(tmp_path, sample):
    import zipfile

    from msp_analysis import scenario_from_workbook, scenario_to_workbook

    path = scenario_to_workbook(sample, tmp_path / "a.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * 40 * 2**20)  # 40 MB from ~40 KB
    with pytest.raises(DataError, match=r"a\.xlsx: its part 'xl/media/padding\.bin' would inflate"):
        scenario_from_workbook(path)


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


def test_a_multiindex_is_neutralised_in_every_level(tmp_path):
    import pandas as pd

    from msp_analysis import safe_table_export

    # a grouped table (df.groupby([a, b]).sum()) used to write its index levels raw: =x,@y in the CSV
    frame = pd.DataFrame(
        {"hours": [1.5, -2.0]}, index=pd.MultiIndex.from_tuples([("=x", "@y"), ("ok", "-1")], names=["+a", "b"])
    )
    text = safe_table_export(frame, tmp_path / "t.csv", index=True).read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["'+a,b,hours", "'=x,'@y,1.5", "ok,-1,-2.0"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_control_character_does_not_hide_a_formula(tmp_path, suffix):
    import openpyxl
    import pandas as pd

    from msp_analysis import safe_table_export

    # XLSX cannot hold \x00: it was dropped after the check, leaving a bare '=1+1' in the cell
    frame = pd.DataFrame({"summary": ["\x00=1+1", "\x01\x02@SUM(A1)", "\x03-5"]})
    path = safe_table_export(frame, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        cells = pd.read_csv(path, encoding="utf-8-sig")["summary"].tolist()
    else:
        cells = [r[0] for r in openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert [re.sub("[\x00-\x03]", "", c) for c in cells] == ["'=1+1", "'@SUM(A1)", "-5"]


# ---------------------------------------------------------------------------
# MSP quotes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, message",
    [
        ("Managed IT,per user per month,1e9", r"row 3, column 'Price': '1e9' gives msp\.per_user_monthly = 1e\+09; "),
        ("Annual increase,escalator per year,300%", r"row 3, column 'Price': '300%' gives msp\.annual_escalator = 3 "),
        ("Contract term,term (months),12.5", r"row 3, column 'Price': '12\.5' gives msp\.term_months = 12\.5; "),
        ("msp.prevented_share.p9,,0.1", r"row 3, .*names 'msp\.prevented_share\.p9', which is not a field of the msp"),
        ("msp.prevented_share,,0.1", r"row 3, .*names 'msp\.prevented_share', which is not a field of the msp"),
    ],
)
def test_a_quote_value_the_scenario_refuses_is_a_data_error_at_load(line, message):
    # these loaded without complaint and failed only at apply_quote, as a ValidationError
    data = f"Item,Unit,Price\nServers,per server per month,150\n{line}\n".encode()
    with pytest.raises(DataError, match=rf"q\.csv: 1 problem in 1 of 2 data rows\.\n  {message}"):
        load_msp_quote(data, name="q.csv")


# ---------------------------------------------------------------------------
# Workbooks written by a program: formulas without saved values
# ---------------------------------------------------------------------------


def test_a_formula_with_no_saved_value_is_named_not_read_as_empty():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ticket #", "Date Entered", "Priority", "Actual Hours"])
    ws.append([1, "2024-05-02 08:00", '="P1"', "=1+1"])  # openpyxl saves formulas without results
    ws.append([2, "=TODAY()", "P2", 1.5])
    buffer = io.BytesIO()
    wb.save(buffer)
    # the cells read as empty: '="P1"' vanished, the row 3 date was 'is empty', a sheet of formulas had 'no data rows'
    with pytest.raises(DataError) as err:
        load_tickets(buffer.getvalue(), name="t.xlsx")
    message = str(err.value)
    for cell, value in (("Priority", '="P1"'), ("Actual Hours", "=1+1")):
        assert f"row 2, column '{cell}': '{value}' is a formula with no saved value" in message
    assert "row 3, column 'Date Entered': '=TODAY()' is a formula with no saved value" in message
    assert "open the workbook in Excel and save it, or paste the values" in message


def test_an_assumptions_workbook_names_a_formula_with_no_saved_value(tmp_path, sample):
    import openpyxl

    from msp_analysis import scenario_from_workbook, scenario_to_workbook

    path = scenario_to_workbook(sample, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["msp"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "msp.per_user_monthly")
    ws.cell(row, 2).value = "=100+25"  # saved by openpyxl: no result stored; it said "got '<empty>'"
    wb.save(path)
    with pytest.raises(DataError) as err:
        scenario_from_workbook(path)
    assert str(err.value) == (
        "msp.per_user_monthly: got '=100+25', expected a value, not a formula with no saved value (open the workbook "
        f"in Excel and save it, or type the number) (a.xlsx, sheet 'msp', row {row})"
    )


# ---------------------------------------------------------------------------
# Binary files without NUL bytes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, what",
    [
        (bytes(range(1, 256)) * 20, r"is a binary file \(\d+ of its first 5,100 bytes are control characters\)"),
        (bytes(range(128, 256)) * 40, r"is a binary file, or text in an unknown encoding \(only 0% of its first"),
        (b"ID3\x04" + bytes(range(128, 256)) * 4, r"is an MP3 audio file"),
    ],
    ids=["control-characters", "high-bytes", "mp3"],
)
@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_a_binary_file_without_nul_bytes_is_named_binary(loader, content, what):
    # it read as a CSV whose header was garbage: "cannot find the required column(s) ... Columns found: '\x81R...'"
    with pytest.raises(DataError, match=rf"^x\.csv: {what}.*, not CSV text; export it as CSV or XLSX$"):
        loader(content, name="x.csv")


def test_legacy_encoded_text_is_still_read_as_text():
    latin = "Ticket #,Date Entered,Priority,Summary\n1,2024-01-01,P1,Café crème\n".encode("latin-1")
    with pytest.raises(DataError, match=r"row 2, column 'Summary': .* contains bytes that are not UTF-8"):
        load_tickets(latin, name="t.csv")
    tickets, _ = load_tickets(latin, name="t.csv", encoding="latin-1")
    assert tickets["category"].isna().all() and len(tickets) == 1


# ---------------------------------------------------------------------------
# Lines of nothing but whitespace
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("tail", [" \n", "\t\n", " , , \n", "\x1a", "\n  \n\t\n"], ids=repr)
def test_a_whitespace_line_at_the_end_is_a_blank_row_not_a_ragged_record(tail):
    # the last line an editor (or a DOS tool's end-of-file mark) leaves failed the whole load:
    # "row 4: has 1 fields where the header has 3 ... column 'Date Entered': is empty"
    data = "Ticket #,Date Entered,Priority\n1,2024-05-02 08:00,P1\n2,2024-05-03 08:00,P2\n" + tail
    tickets, report = load_tickets(data.encode(), name="t.csv")
    assert len(tickets) == 2 and report.blank_rows >= 1


def test_a_header_over_whitespace_lines_has_no_data_rows():
    with pytest.raises(DataError, match=r"^t\.csv: has a header \(row 1\) but no data rows$"):
        load_tickets(b"Ticket #,Date Entered,Priority\n   ,   ,   \n\t\n \n", name="t.csv")
    # a whitespace cell in a row with data is still named
    with pytest.raises(DataError, match=r"row 2, column 'Ticket #': is empty; expected a ticket number"):
        load_tickets(b"Ticket #,Date Entered,Priority\n  ,2024-05-02 08:00,P1\n", name="t.csv")
