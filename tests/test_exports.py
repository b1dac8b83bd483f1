"""Real exports as they come (issue 13): each vendor's and language's shape loads to the right tickets, or is
refused with a message that names the fix.

The corpus under ``tests/data/exports/`` is written by ``make_exports.py`` beside it; its ``manifest.json``
holds, for each file, the ticket count, the split by class and the open tickets *as generated*, and the
options the file needs (none for those that load out of the box).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from msp_analysis import DataError, load_tickets
from msp_analysis.ingest.blanks import blank_markers
from msp_analysis.ingest.columns import normalise_name
from msp_analysis.ingest.dates import parse_dates
from msp_analysis.ingest.priorities import parse_priority

EXPORTS = Path(__file__).parent / "data" / "exports"
MANIFEST = json.loads((EXPORTS / "manifest.json").read_text(encoding="utf-8"))


def _needs(entry: dict) -> dict:
    needs = dict(entry["needs"])
    if "priority_map" in needs:  # JSON keys are text; the file's values are numbers written as text
        needs["priority_map"] = dict(needs["priority_map"].items())
    return needs


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_export_loads_to_the_right_tickets_and_priorities(name):
    entry = MANIFEST[name]
    tickets, report = load_tickets(EXPORTS / name, **_needs(entry))
    assert len(tickets) == entry["tickets"]
    assert report.rows_set_aside == 0
    assert {k: int(v) for k, v in tickets["priority"].value_counts(sort=False).items()} == entry["split"]
    if entry["open"] is not None:  # open tickets are kept (they are incidents), with no resolution
        assert int(tickets["resolved"].isna().sum()) == entry["open"]
    assert tickets["opened"].notna().all()


def test_the_corpus_covers_every_vendor_and_language_the_issue_names():
    shapes = " ".join(e["shape"] for e in MANIFEST.values())
    for vendor in ("ServiceNow", "Jira", "GLPI", "osTicket", "Freshdesk", "Zendesk", "ConnectWise", "Autotask",
                   "HaloPSA", "Syncro"):  # fmt: skip
        assert vendor in shapes
    assert {e["language"] for e in MANIFEST.values()} >= {"en", "es", "pt", "fr", "de"}
    assert any(name.endswith(".xlsx") for name in MANIFEST)


def test_exports_that_need_an_option_are_refused_without_it_naming_that_option():
    for name, entry in MANIFEST.items():
        if "priority_map" not in entry["needs"]:
            continue
        with pytest.raises(DataError) as err:
            load_tickets(EXPORTS / name)
        assert "priority_map=" in str(err.value)


def test_autotask_api_priorities_are_picklist_ids_refused_with_a_ready_map():
    with pytest.raises(DataError) as err:
        load_tickets(EXPORTS / "autotask_api.csv")
    assert str(err.value) == (
        "autotask_api.csv: column 'priority' holds Autotask API priority ids (1, 2, 3, 4), which each Autotask "
        "tenant defines in its own picklist; they are not P1-P4 (by default 1 is High, 2 Medium, 3 Low, "
        "4 Critical). Check your tenant's list and pass priority_map={1: 'p2', 2: 'p3', 3: 'p4', 4: 'p1'}."
    )


def test_bare_numbers_outside_one_to_four_are_refused_with_a_ready_map():
    data = b"Ticket,Created,Priority\n1,2026-01-05 09:00,0\n2,2026-01-05 10:00,3\n3,2026-01-06 09:00,1\n"
    with pytest.raises(DataError) as err:
        load_tickets(data, name="zero.csv")
    assert str(err.value) == (
        "zero.csv: column 'Priority' holds bare numbers (0, 1, 3) that are not all 1-4, so they cannot be read as "
        "P1-P4 without knowing what your helpdesk means by them. If the lowest number is the most urgent, pass "
        "priority_map={0: 'p1', 1: 'p2', 3: 'p3'} (edit it to your helpdesk's levels)."
    )
    tickets, _ = load_tickets(data, name="zero.csv", priority_map={0: "p1", 1: "p2", 3: "p3"})
    assert tickets["priority"].tolist() == ["p1", "p3", "p2"]


def test_bare_numbers_one_to_four_are_read_as_p1_to_p4_with_a_warning():
    _tickets, report = load_tickets(EXPORTS / "halopsa.csv")
    assert report.warnings == (
        "'priority_id' holds bare numbers 1-4, read as P1-P4 with 1 the most urgent; if your helpdesk numbers its "
        "levels otherwise, pass priority_map={1: 'p1', 2: 'p2', ...}",
    )


def test_excel_zero_dates_are_blanks_grouped_in_one_warning_with_cause_rows_and_fix():
    tickets, report = load_tickets(EXPORTS / "zendesk.csv")
    assert report.warnings == (
        "6 rows: 'Solved at' is '1900-01-01 00:00:00' -- Excel's blank date? Treated as blank (such tickets "
        "count as open: in the rates, not in resolution times) (rows 10, 19, 23, ...). If it means something "
        "else, fix the file or pass column_map={'Solved at': None} to ignore the column.",
    )
    assert len(tickets) == 30  # the open tickets are still tickets


def test_a_column_mapped_to_none_is_ignored():
    tickets, report = load_tickets(EXPORTS / "zendesk.csv", column_map={"Solved at": None})
    assert tickets["resolved"].isna().all()
    assert "resolved" not in report.columns
    assert "ignored by column_map: 'Solved at'" in report.notes
    assert report.warnings == ()


def test_question_marks_and_na_are_blanks_in_optional_columns():
    cleared, found = blank_markers(["?", "-", "N/A", "n/a", "null", "None", "(blank)", "1.5"], dates=False)
    assert cleared == [""] * 7 + ["1.5"]
    assert sum(found.values()) == 7
    cleared, found = blank_markers(["1899-12-30", "1900-01-00", "1900-01-01 00:00", "2026-01-01"], dates=True)
    assert cleared == ["", "", "", "2026-01-01"]


def test_sla_timers_are_never_read_as_response_times():
    _tickets, report = load_tickets(EXPORTS / "jira_en.csv")
    assert "first_response" not in report.columns
    assert (
        "'Time to first response' is an SLA timer (time remaining or a deadline), not an elapsed time: not used"
        in report.notes
    )
    with pytest.raises(DataError) as err:
        load_tickets(EXPORTS / "jira_en.csv", column_map={"Time to first response": "first_response"})
    assert "is an SLA timer (time remaining or a deadline), not an elapsed time" in str(err.value)


def test_a_missing_required_column_gets_close_matches_and_a_ready_column_map():
    data = "Número;Fecha de creacón;Prio\n1;15/03/2026 10:00;Alta\n".encode()
    with pytest.raises(DataError) as err:
        load_tickets(data, name="typo.csv")
    text = str(err.value)
    assert "  'Fecha de creacón' looks like 'opened'." in text
    assert "  'Prio' looks like 'priority'." not in text  # "prio" is an alias already: it was found
    assert text.endswith("Name the columns explicitly with column_map={'Fecha de creacón': 'opened'}.")
    tickets, _ = load_tickets(data, name="typo.csv", column_map={"Fecha de creacón": "opened"})
    assert tickets["opened"].tolist() == [pd.Timestamp("2026-03-15 10:00")]


def test_unknown_priorities_get_a_hint_with_the_sensible_class():
    data = b"Ticket,Created,Priority\n1,2026-01-05 09:00,Hihg\n2,2026-01-05 10:00,Mediun\n"
    with pytest.raises(DataError) as err:
        load_tickets(data, name="p.csv")
    assert (
        "Unknown priority values: 'Hihg' (1 row), 'Mediun' (1 row). Map them with priority_map={'Hihg': 'p2', "
        "'Mediun': 'p3'} (a guess from the nearest known word: check each; map a value to None to leave such "
        "tickets out)."
    ) in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Média", "p3"), ("Alta", "p2"), ("Baixa", "p4"), ("Muito baixa", "p4"), ("Urgente", "p1"), ("Crítica", "p1"),
        ("Baja", "p4"), ("Haute", "p2"), ("Niedrig", "p4"), ("1 - Critical", "p1"), ("P2", "p2"), ("Sev 3", "p3"),
        ("Urgent", "p1"), ("High", "p2"), ("Normal", "p3"), ("Low", "p4"), ("5 - Planning", "p4"),
        ("Priority 2 - Quick Response", "p2"), ("0 Urgent", "p1"), ("1 High", "p2"), ("Más alta", "p1"),
    ],
)  # fmt: skip
def test_priority_vocabularies_in_five_languages_and_vendor_forms(value, expected):
    assert parse_priority(value) == expected


def test_column_names_match_across_case_separators_accents_and_camel_case():
    assert normalise_name("firstResponseDateTime") == "first response date time"
    assert normalise_name("FIRST_RESPONSE-date time") == "first response date time"
    assert normalise_name("Data da Solução") == normalise_name("data da solucao")
    assert normalise_name("Priorität") == "prioritat"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18/jul/26 9:10 AM", "2026-07-18 09:10"),
        ("25/Feb/26 10:17 PM", "2026-02-25 22:17"),
        ("18/ene/26 9:10 p. m.", "2026-01-18 21:10"),
        ("5 de março de 2026 14:30", "2026-03-05 14:30"),
        ("5 févr. 2026 14:30", "2026-02-05 14:30"),
        ("5. März 2026 14:30", "2026-03-05 14:30"),
        ("2026-03-05T14:30:00+01:00", "2026-03-05 13:30"),
    ],
)
def test_dates_with_month_names_and_zones(text, expected):
    result = parse_dates([text])
    assert not result.bad.any()
    assert result.values[0] == pd.Timestamp(expected)


def test_date_format_reads_what_the_built_in_formats_do_not():
    assert parse_dates(["2026|03|05 14h30"]).bad.all()
    got = parse_dates(["2026|03|05 14h30"], date_format="%Y|%m|%d %Hh%M")
    assert got.values[0] == pd.Timestamp("2026-03-05 14:30")
    with pytest.raises(DataError, match="is not a date format"):
        parse_dates(["x"], date_format="%Q")


def test_day_first_is_decided_from_the_data():
    # GLPI in Portuguese writes dd-mm-yyyy: the days above 12 decide the order for the whole column
    _tickets, report = load_tickets(EXPORTS / "glpi_pt.csv")
    assert "Data de abertura: numeric dates read as day/month/year" in report.notes


def test_zoned_timestamps_are_converted_to_the_firms_zone_and_warned_about_without_one():
    needs = _needs(MANIFEST["autotask_api.csv"])
    local, report = load_tickets(EXPORTS / "autotask_api.csv", **needs)
    assert not any("carry a time zone" in w for w in report.warnings)
    needs.pop("timezone")
    utc, report = load_tickets(EXPORTS / "autotask_api.csv", **needs)
    warned = [w for w in report.warnings if "carry a time zone" in w]
    assert len(warned) == 1 and "after-hours share" in warned[0] and "timezone=" in warned[0]
    shift = (utc["opened"] - local["opened"]).dt.total_seconds() / 3600
    assert set(shift.round().astype(int)) <= {7, 8}  # Pacific: UTC-8 in winter, UTC-7 in summer
    assert np.isin(shift.round().astype(int), [8]).any()


# ---------------------------------------------------------------------------
# Event logs
# ---------------------------------------------------------------------------


def test_an_event_log_collapses_to_one_row_per_ticket_at_its_final_state():
    entry = MANIFEST["servicenow_eventlog.csv"]
    tickets, report = load_tickets(EXPORTS / "servicenow_eventlog.csv")
    assert report.rows_read == entry["rows"] and report.tickets == entry["tickets"] == len(tickets)
    assert tickets["ticket_id"].is_unique
    assert report.counts == entry["split"]  # the priority after triage, not the first row's "3 - Moderate"
    assert (
        f"event log: {entry['rows']} rows collapsed to {entry['tickets']} tickets (2 to 5 rows per ticket, median 3), "
        "each at its final state (last priority and category, first opening, earliest first response, "
        "last resolution)"
    ) in report.notes
    assert "event log: the order of each ticket's changes is that of 'sys_updated_at'" in report.notes
    assert any("running total" in n for n in report.notes)


def test_a_reopened_ticket_stays_one_ticket_with_its_last_resolution():
    tickets, _ = load_tickets(EXPORTS / "servicenow_eventlog.csv")
    raw = pd.read_csv(EXPORTS / "servicenow_eventlog.csv", dtype=str)
    reopened = raw[raw["incident_state"] == "Resolved"].groupby("number").size()
    reopened = reopened[reopened > 1].index
    assert len(reopened) > 0
    for number in reopened:
        last = pd.to_datetime(raw.loc[raw["number"] == number, "resolved_at"].replace("?", None), dayfirst=True).max()
        assert tickets.loc[tickets["ticket_id"] == number, "resolved"].item() == last


def test_the_first_row_option_keeps_priorities_before_triage():
    tickets, report = load_tickets(EXPORTS / "servicenow_eventlog.csv", event_log="first")
    assert len(tickets) == MANIFEST["servicenow_eventlog.csv"]["tickets"]
    assert report.counts == {"p1": 0, "p2": 0, "p3": len(tickets), "p4": 0}
    assert any("first row as logged" in n for n in report.notes)


def test_an_event_log_read_as_plain_rows_names_the_repeated_ids():
    with pytest.raises(DataError, match="is a duplicate ticket id"):
        load_tickets(EXPORTS / "servicenow_eventlog.csv", event_log="off")


def test_work_logged_as_increments_is_summed_and_the_note_says_so():
    data = (
        b"Ticket,Status,Updated,Created,Priority,Hours\n"
        b"A,Open,2026-01-05 09:00,2026-01-05 09:00,P3,1.0\n"
        b"A,Open,2026-01-05 11:00,2026-01-05 09:00,P2,0.5\n"
        b"B,Open,2026-01-06 09:00,2026-01-06 09:00,P4,2.0\n"
    )
    tickets, report = load_tickets(data, name="log.csv")
    assert tickets["work_hours"].tolist() == [1.5, 2.0]
    assert tickets["priority"].tolist() == ["p2", "p4"]
    assert "event log: work read as increments (some ticket's values fall): summed per ticket" in report.notes


def test_a_bad_row_of_a_logged_ticket_does_not_lose_the_ticket_when_lenient():
    data = (
        b"Ticket,Status,Updated,Created,Priority\n"
        b"A,New,2026-01-05 09:00,2026-01-05 09:00,P3\n"
        b"A,Active,2026-01-05 10:00,2026-01-05 09:00,Whatever\n"
        b"A,Active,2026-01-05 11:00,2026-01-05 09:00,P1\n"
    )
    tickets, report = load_tickets(data, name="log.csv", lenient=True)
    assert tickets["priority"].tolist() == ["p1"] and report.rows_set_aside == 1 and report.tickets == 1


# ---------------------------------------------------------------------------
# Grouped messages
# ---------------------------------------------------------------------------


def test_identical_problems_are_grouped_with_exact_count_first_rows_cause_and_fix():
    rows = [f"{i},2026-01-05 09:00,P2" for i in range(1, 4)] * 3  # the same three ids three times, no state column
    data = ("Ticket,Created,Priority\n" + "\n".join(rows) + "\n").encode()
    with pytest.raises(DataError) as err:
        load_tickets(data, name="twice.csv")
    assert str(err.value) == (
        "twice.csv: 6 problems in 6 of 9 data rows.\n"
        "  6 rows, column 'Ticket': is a duplicate ticket id (rows 5 '1', 6 '2', 7 '3', ...); expected each ticket id "
        "once\n"
        "    Likely cause: an event or audit log (a row per change of a ticket), or two exports pasted together. Fix: "
        "pass event_log='final' to collapse the rows to one per ticket (or 'first'), or remove the repeated rows.\n"
        "Fix the file, or pass lenient=True to set such rows aside (they are listed in the report)."
    )
    assert len(err.value.problems) == 6
    tickets, report = load_tickets(data, name="twice.csv", event_log="final")
    assert len(tickets) == 3 and report.tickets == 3


def test_a_grouped_count_is_exact_beyond_the_problems_kept():
    rows = "\n".join(f"{i},someday,P2" for i in range(12_000))
    with pytest.raises(DataError) as err:
        load_tickets(f"Ticket,Created,Priority\n{rows}\n".encode(), name="big.csv")
    assert "\n  12,000 rows, column 'Created': is not a date (rows 2 'someday', 3 'someday', 4 'someday', ...)" in str(
        err.value
    )


# ---------------------------------------------------------------------------
# Calibration from real exports
# ---------------------------------------------------------------------------


def _report_row(result, priority, quantity):
    t = result.report
    return t[(t["priority"] == priority) & (t["quantity"] == quantity)].iloc[0]


def test_open_tickets_count_in_the_rates():
    from msp_analysis import calibrate

    tickets, _ = load_tickets(EXPORTS / "zendesk.csv")
    result = calibrate(tickets, users=20, period=("2026-01-01", "2026-07-01"), thin="data")
    split = MANIFEST["zendesk.csv"]["split"]
    for p, n in split.items():
        assert _report_row(result, p, "rate_per_user_year")["n"] == n  # open ones included


def test_a_quantile_shown_is_never_outside_its_own_interval_and_the_data_median_is_beside_it():
    from msp_analysis import calibrate

    rng = np.random.default_rng(7)
    n = 400
    # work hours from two clusters: no Gamma fits them, and the fitted median would fall between
    work = np.where(rng.random(n) < 0.5, rng.normal(0.5, 0.05, n), rng.normal(6.0, 0.3, n)).clip(0.1)
    opened = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    tickets = pd.DataFrame({"opened": opened, "priority": pd.Categorical(["p3"] * n, categories=["p1", "p2", "p3", "p4"]),
                            "work_hours": work})  # fmt: skip
    result = calibrate(tickets, users=50, thin="data")
    for quantity in ("work_median_hours", "work_p90_hours"):
        row = _report_row(result, "p3", quantity)
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"], row.to_dict()
        assert np.isfinite(row["empirical"])
        assert "the data's own quantile is used" in row["fit"]


def test_rates_from_a_short_window_are_shrunk_toward_the_defaults_by_the_stated_rule():
    from msp_analysis import calibrate, sample_scenario
    from msp_analysis.ingest.calibration_fits import PRIOR_DAYS

    users, days = 45, 3
    rng = np.random.default_rng(3)
    n = 60
    opened = pd.Timestamp("2026-03-02") + pd.to_timedelta(rng.integers(0, days * 24, n), unit="h")
    tickets = pd.DataFrame(
        {"opened": opened, "priority": pd.Categorical(["p3"] * n, categories=["p1", "p2", "p3", "p4"])}
    )
    result = calibrate(tickets, users=users, period=("2026-03-02", "2026-03-05"))
    row = _report_row(result, "p3", "rate_per_user_year")
    default = sample_scenario().incidents["p3"].rate_per_user_year
    exposure, prior = users * days / 365.25, users * PRIOR_DAYS / 365.25
    assert row["value"] == pytest.approx((n + default * prior) / (exposure + prior))
    assert "Gamma-Poisson, default worth 30 days; data weight 0.09" in row["source"]
    assert row["estimate"] > 100  # what the 3 days alone say, shown beside the value used


def test_dates_no_value_can_order_are_refused_asking_for_dayfirst():
    data = b"Ticket,Created,Priority\n1,03/04/2026 10:00,P2\n2,05/06/2026 11:00,P3\n"
    with pytest.raises(DataError) as err:
        load_tickets(data, name="ambiguous.csv")
    assert str(err.value) == (
        "ambiguous.csv: column 'Created' has dates such as '03/04/2026 10:00' that read both as day/month and as "
        "month/day, and no value decides (none has a day above 12). Pass dayfirst=True if they are day/month "
        "(03/04 is 3 April), dayfirst=False if they are month/day (03/04 is March 4)."
    )
    tickets, _ = load_tickets(data, name="ambiguous.csv", dayfirst=True)
    assert tickets["opened"].tolist() == [pd.Timestamp("2026-04-03 10:00"), pd.Timestamp("2026-06-05 11:00")]


# ---------------------------------------------------------------------------
# Invoices: QuickBooks, Xero and other languages
# ---------------------------------------------------------------------------


def test_invoice_lists_from_quickbooks_xero_and_in_german_load():
    from msp_analysis import load_invoices

    quickbooks = (
        b"Date,Transaction Type,Num,Name,Memo/Description,Amount,Open Balance\n"
        b'01/31/2026,Invoice,1001,Acme,IT support January,"1,250.00",0.00\n'
        b"02/28/2026,Invoice,1002,Acme,IT support February,980.50,980.50\n"
    )
    invoices, report = load_invoices(quickbooks, name="quickbooks.csv")
    assert report.columns == {
        "invoice_id": "Num",
        "date": "Date",
        "amount": "Amount",
        "description": "Memo/Description",
    }
    assert invoices["amount"].tolist() == [1250.0, 980.5]
    # Xero repeats the invoice's Total on every line: the line amounts are what sum to the total
    xero = (
        b"ContactName,InvoiceNumber,InvoiceDate,Total,Description,Quantity,UnitAmount,LineAmount\n"
        b"Acme,INV-1,2026-01-31,300.00,Remote support,2,100.00,200.00\n"
        b"Acme,INV-1,2026-01-31,300.00,Site visit,1,100.00,100.00\n"
    )
    invoices, report = load_invoices(xero, name="xero.csv")
    assert report.columns["amount"] == "LineAmount" and invoices["amount"].sum() == 300.0
    german = b"Rechnungsnummer;Rechnungsdatum;Stunden;Betrag;Beschreibung\nR-1;31.01.2026;-;1.234,50;Wartung\n"
    invoices, report = load_invoices(german, name="rechnungen.csv")
    assert invoices["amount"].tolist() == [1234.5] and np.isnan(invoices["hours"][0])
    assert any("'Stunden' is '-'" in w for w in report.warnings)


#: Xero's sales-invoice CSV columns, in Xero's order: as listed by Milient's "Xero" export documentation
#: (docs.milientsoftware.com, file-export-accounting-system/xero), which follows Xero's invoice import template.
XERO_COLUMNS = (
    "ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,POCity,PORegion,"
    "POPostalCode,POCountry,SAAddressLine1,SAAddressLine2,SAAddressLine3,SAAddressLine4,SACity,SARegion,SAPostalCode,"
    "SACountry,InvoiceNumber,Reference,InvoiceDate,DueDate,PlannedDate,Total,TaxTotal,InvoiceAmountPaid,"
    "InvoiceAmountDue,InventoryItemCode,Description,Quantity,UnitAmount,Discount,LineAmount,AccountCode,TaxType,"
    "TaxAmount,TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency,Type,Sent,Status"
).split(",")


@pytest.mark.parametrize("star", ["", "*"])  # Xero's template marks required columns with "*"
def test_xero_invoice_export_with_all_its_columns_loads(star):
    from msp_analysis import load_invoices

    lines = [
        ("Remote support", "2.00", "100.00", "200.00", "40.00"),
        ("Site visit", "1.00", "100.00", "100.00", "20.00"),
    ]
    rows = []
    for description, qty, unit, amount, tax in lines:
        cells = dict.fromkeys(XERO_COLUMNS, "")
        cells.update(
            ContactName="Acme", InvoiceNumber="INV-0001", Reference="January", InvoiceDate="31/01/2026",
            DueDate="14/02/2026", Total="360.00", TaxTotal="60.00", Description=description, Quantity=qty,
            UnitAmount=unit, LineAmount=amount, TaxAmount=tax, Currency="GBP", Type="Sales invoice", Status="Paid",
        )  # fmt: skip
        rows.append(",".join(cells[c] for c in XERO_COLUMNS))
    header = [
        f"{star}{c}" if c in ("ContactName", "InvoiceNumber", "InvoiceDate", "Quantity") else c for c in XERO_COLUMNS
    ]
    invoices, report = load_invoices(("\n".join([",".join(header), *rows]) + "\n").encode(), name="xero.csv")
    assert report.columns["amount"] == "LineAmount" and report.columns["invoice_id"] == f"{star}InvoiceNumber"
    assert invoices["amount"].tolist() == [200.0, 100.0]  # before tax, line by line: not the invoice's Total twice
    assert invoices["date"].tolist() == [pd.Timestamp("2026-01-31")] * 2
    assert not any("InvoiceAmountDue" in n for n in report.notes)  # money owed, not an SLA timer


def test_quickbooks_online_invoice_list_with_no_column_loads():
    from msp_analysis import load_invoices

    # QuickBooks Online's reports head the number "No." where QuickBooks Desktop wrote "Num" (not verified
    # against a real export here: the column names are those of the Invoice List report as shown on screen)
    qbo = (
        b"Date,Transaction type,No.,Customer,Memo/Description,Due date,Amount,Open balance\n"
        b'01/31/2026,Invoice,1001,Acme,IT support January,03/02/2026,"1,250.00",0.00\n'
    )
    invoices, report = load_invoices(qbo, name="qbo.csv")
    assert report.columns["invoice_id"] == "No." and invoices["amount"].tolist() == [1250.0]


def test_halopsa_and_syncro_shapes_read_the_right_columns_and_never_a_target_or_timer():
    """HaloPSA's API and SQL-report names, Syncro's API names (see make_exports.py for where each comes from)."""
    _t, api = load_tickets(EXPORTS / "halopsa.csv")
    assert api.columns["resolved"] == "dateclosed" and api.columns["work_hours"] == "timetaken"
    assert {"respondbydate", "fixbydate", "slatimeleft"} <= set(api.unused_columns)
    _t, rep = load_tickets(EXPORTS / "halopsa_report.csv")
    assert rep.columns["priority"] == "Priority Description"  # the level's name, not its bare number
    assert rep.columns["opened"] == "Date Opened" and rep.columns["first_response"] == "Date Responded"
    assert {"Target Response Date", "Target Resolution Date"} <= set(rep.unused_columns)
    tickets, syncro = load_tickets(EXPORTS / "syncro_api.csv", timezone="America/New_York")
    assert syncro.columns["opened"] == "created_at" and syncro.columns["resolved"] == "resolved_at"
    assert "due_date" in syncro.unused_columns and not syncro.warnings
    # "1 High" is Syncro's second level (numbered from 0), not P1
    raw = pd.read_csv(EXPORTS / "syncro_api.csv")["priority"]
    assert (tickets["priority"][raw.eq("1 High").to_numpy()] == "p2").all()


def test_jira_time_spent_is_read_in_seconds():
    tickets, report = load_tickets(EXPORTS / "jira_en.csv")
    seconds = pd.read_csv(EXPORTS / "jira_en.csv")["Time Spent"].to_numpy()
    np.testing.assert_allclose(tickets["work_hours"].to_numpy(), seconds / 3600)
    assert "'Time Spent' read in seconds, as Jira writes it" in report.notes


@pytest.mark.parametrize(
    "values, rows",
    [
        (["1.5", "2", "0.25", "1", "3", "0"], [2, 3, 4, 5, 6]),  # decimals: hours, not seconds; the zero is zero
        (["1", "2", "8", "0"], [2, 3, 4]),  # every value under a minute: typed-in hours?
    ],
)
def test_jira_time_spent_that_cannot_be_seconds_is_refused_with_the_fix(values, rows):
    """Review 2026-12: "1.5" in Jira's Time Spent was read as 1.5 seconds with only a note."""
    head = "Issue key,Created,Priority,Time Spent\n"
    csv = head + "".join(f"K-{i},2026-01-0{i + 1} 09:00,High,{v}\n" for i, v in enumerate(values))
    with pytest.raises(DataError) as err:
        load_tickets(csv.encode(), name="jira.csv")
    assert [p["row"] for p in err.value.problems] == rows
    assert all("cannot be Jira's seconds" in p["problem"] for p in err.value.problems)
    assert "'Time Spent (h)'" in str(err.value)
    # the fix the message gives: a column name that says its unit
    renamed = csv.replace("Time Spent\n", "Time Spent (h)\n", 1).encode()
    tickets, report = load_tickets(renamed, name="jira.csv")
    assert tickets["work_hours"].tolist() == [float(v) for v in values]
    assert not any("seconds" in n for n in report.notes)
    # whole seconds, as Jira writes them, still read as seconds
    seconds = head + "K-1,2026-01-01 09:00,High,5400\nK-2,2026-01-02 09:00,High,60\n"
    tickets, _ = load_tickets(seconds.encode(), name="jira.csv")
    assert tickets["work_hours"].tolist() == [1.5, 60 / 3600]


def test_jira_seconds_re_saved_as_floats_or_with_thousands_commas_are_read():
    """Acceptance 2026-12: "3,600" (a re-saved export's thousands separator) was refused as no duration."""
    head = "Issue key,Created,Priority,Time Spent\n"
    rows = ["5400.0", '"3,600"', '"1,800"', "60"]
    csv = head + "".join(f"K-{i},2026-01-0{i + 1} 09:00,High,{v}\n" for i, v in enumerate(rows))
    tickets, _ = load_tickets(csv.encode(), name="jira.csv")
    assert tickets["work_hours"].tolist() == [1.5, 1.0, 0.5, 60 / 3600]
    # a decimal stays refused, with or without a thousands comma
    for bad in ("1800.5", '"1,800.5"'):
        with pytest.raises(DataError, match=r"cannot be Jira's seconds.*Time Spent \(h\)"):
            load_tickets((csv + f"K-9,2026-01-09 09:00,High,{bad}\n").encode(), name="jira.csv")


@pytest.mark.parametrize("kwargs, path", [({"lenient": "no"}, "lenient"), ({"dayfirst": "yes"}, "dayfirst")])
def test_a_switch_given_as_text_is_refused_by_name(kwargs, path):
    """Review, 2026-12-08: lenient='no' was truthy and set rows aside."""
    from msp_analysis import ValidationError, load_tickets

    csv = b"ticket_id,opened,priority\n1,2024-01-02 09:00,P3\n"
    with pytest.raises(ValidationError) as err:
        load_tickets(csv, name="t.csv", **kwargs)
    assert err.value.path == path
