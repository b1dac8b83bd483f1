"""Table exports neutralise spreadsheet formula injection and keep numbers numbers."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from msp_analysis import safe_table_export
from msp_analysis.ingest.export import neutralise

DANGEROUS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=cmd|' /C calc'!A0", "\r=1", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_text_is_prefixed(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "-5", "+3.25", "-1e3", "", "a=b", 5, -3.5, None])
def test_harmless_values_are_left_alone(value):
    assert neutralise(value) == value


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "summary": DANGEROUS,
            "saving": [-120.5, 3.0, -1.0, 0.0, 2.0, 5.0, -7.25],
            "when": pd.date_range("2024-01-01", periods=7, freq="D", tz="UTC"),
            "=evil header": ["x\x01y"] * 7,
        }
    )


def test_csv_export(tmp_path, table):
    path = safe_table_export(table, tmp_path / "t.csv")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["summary"].tolist() == ["'" + t for t in DANGEROUS]
    assert back["saving"].tolist() == table["saving"].tolist()  # negative numbers stay numbers
    assert "'=evil header" in back.columns


def test_xlsx_export_has_no_formulas(tmp_path, table):
    path = safe_table_export(table.set_index("summary"), tmp_path / "t.xlsx", index=True)
    ws = openpyxl.load_workbook(path).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "summary" and values[0][3] == "'=evil header"
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[0].value.startswith("'")
        assert row[1].data_type == "n"
        assert row[3].value == "xy"  # characters XML cannot hold are dropped
    assert [r[1] for r in values[1:]] == table["saving"].tolist()
    assert values[1][2] == pd.Timestamp("2024-01-01").to_pydatetime()


def test_only_csv_and_xlsx(tmp_path, table):
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        safe_table_export(table, tmp_path / "t.json")
