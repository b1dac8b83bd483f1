"""Quotes written as plain price lists (issue 13): five languages, the unit after the price, quantities, totals."""

import json
from pathlib import Path

import numpy as np
import pytest

from msp_analysis import DataError, apply_quote, load_msp_quote, sample_scenario
from msp_analysis.ingest.columns import normalise_name
from msp_analysis.ingest.price_lists import english, is_total, split_price
from msp_analysis.ingest.quotes import classify_line

QUOTES = Path(__file__).parent / "data" / "quotes"
MANIFEST = json.loads((QUOTES / "manifest.json").read_text(encoding="utf-8"))
READABLE = sorted(name for name, entry in MANIFEST.items() if not entry["unplaced_rows"])


@pytest.mark.parametrize("name", READABLE)
def test_each_price_list_sets_what_it_says(name):
    entry = MANIFEST[name]
    quote = load_msp_quote(QUOTES / name)
    assert dict(quote) == pytest.approx(entry["sets"])
    if "msp.term_months" in entry["sets"]:
        assert isinstance(quote["msp.term_months"], int)
    # nothing silently dropped: every row either sets a field or is a total, and each total is warned about
    lines = quote.lines.set_index("row")
    totals = set(entry["total_rows"])
    for row, path in lines["path"].items():
        assert isinstance(path, str) or row in totals, (name, row)
    for row in totals:
        assert sum(w.startswith(f"row {row}: ") and "is a total" in w for w in quote.report.warnings) == 1
    assert len(quote.report.warnings) == len(totals)
    apply_quote(sample_scenario(), quote)  # every value within the scenario's ranges


def test_lines_a_quote_cannot_place_are_refused_together_with_their_rows():
    entry = MANIFEST["unplaceable_en.csv"]
    with pytest.raises(DataError) as err:
        load_msp_quote(QUOTES / "unplaceable_en.csv")
    rows = sorted(p["row"] for p in err.value.problems)
    assert rows == entry["unplaced_rows"]
    text = str(err.value)
    assert f"{len(rows)} rows, column 'Item': is not a price line this suite knows" in text  # grouped
    assert "Likely cause: a quote priced per something the scenario has no price for" in text


def test_a_line_total_is_divided_by_its_quantity_and_needs_one():
    quote = load_msp_quote(QUOTES / "angebot_de.xlsx")
    row = quote.lines.set_index("row").loc[2]
    assert row["value"] == pytest.approx(120.0) and "divided by the quantity, 45" in row["note"]
    csv = b"Item,Qty,Amount\nManaged services per user,45,5625\nServer care,,285\nSetup,,500\n"
    with pytest.raises(DataError) as err:
        load_msp_quote(csv, name="q.csv")
    assert [(p["row"], p["column"]) for p in err.value.problems] == [(3, "Qty")]  # the setup fee needs none
    with pytest.raises(DataError, match="'lots' is not a quantity"):
        load_msp_quote(b"Item,Qty,Amount\nManaged services per user,lots,5625\n", name="q.csv")


def test_quantities_beside_a_unit_price_are_reported_not_used():
    quote = load_msp_quote(QUOTES / "qty_rate_amount.csv")
    assert quote.report.columns["price"] == "Rate" and quote.report.columns["item"] == "Product/Service"
    assert any("quantities quoted are not used" in n for n in quote.report.notes)


@pytest.mark.parametrize(
    "item, path",
    [
        ("Helpdesk pro Benutzer und Monat", "msp.per_user_monthly"),
        ("Mensalidade por utilizador", "msp.per_user_monthly"),
        ("Infogérance par utilisateur", "msp.per_user_monthly"),
        ("Servicios gestionados por usuario", "msp.per_user_monthly"),
        ("Pro plan per user", "msp.per_user_monthly"),  # "pro" alone is no "per"
        ("Forfait mensuel", "msp.flat_monthly"),
        ("Stundensatz außerhalb des Vertrags", "msp.out_of_scope_rate"),
        ("Reajuste anual (IPC)", "msp.annual_escalator"),
        ("Vertragslaufzeit", "msp.term_months"),
        ("Mindestumsatz pro Monat", "msp.monthly_minimum"),
        ("Taxa de instalação (única vez)", "msp.onboarding_fee"),
        ("Staff augmentation per hour", "msp.out_of_scope_rate"),  # English: no "increase"
        ("Augmentation annuelle des tarifs", "msp.annual_escalator"),
        ("Backup pro TB pro Monat", None),  # per TB: no such price, not a flat fee
        ("Sauvegarde par To par mois", None),
    ],
)
def test_price_words_in_five_languages(item, path):
    assert classify_line(item) == path


def test_the_unit_after_a_price_and_totals():
    assert split_price("$95 per server") == ("$95", "per server")
    assert split_price("(120.00) per user") == ("(120.00)", "per user")
    assert split_price("EUR 1.000,00 / Monat") == ("EUR 1.000,00", "/ Monat")
    assert split_price("1,250.00") == ("1,250.00", "")
    assert split_price("free") == ("free", "")
    assert english(normalise_name("3 ans")) == "3 year"
    assert [is_total(t) for t in ("Grand total", "Summe pro Monat", "Total incl. VAT", "Totally managed")] == [
        True,
        True,
        True,
        False,
    ]
    quote = load_msp_quote(b"Item,Price\nHelp desk,$80 per user per month\nBackup,$600 per year flat\n", name="q.csv")
    assert dict(quote) == {"msp.per_user_monthly": 80.0, "msp.flat_monthly": 50.0}
    assert np.array_equal(quote.lines["unit"].to_numpy(), ["per user per month", "per year flat"])
    short = b'Item,Price\nMonitoring (flat),"$1,200/yr"\nHelp desk per user,$125/mo\nSuporte por usuario,R$ 99\n'
    assert dict(load_msp_quote(short, name="q.csv")) == {"msp.flat_monthly": 100.0, "msp.per_user_monthly": 224.0}
