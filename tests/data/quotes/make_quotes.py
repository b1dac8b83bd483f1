"""Write the corpus of MSP quotes written as plain price lists that ``tests/test_price_lists.py`` reads.

Each file is a quote as an MSP types it by hand: an item and a price (some
with a quantity or a line total), the unit said in the item or after the
price, in English, Spanish, Portuguese, French or German, with the separators
and decimal marks of that language. ``manifest.json`` records what each quote
says *as written here* (never as loaded): the msp.* values it sets, and the
rows a loader must report rather than read (totals) or refuse (lines it
cannot place).

Run from the repository root after changing it::

    python tests/data/quotes/make_quotes.py

The XLSX files' bytes differ from run to run (the zip's entry times) though
their cells do not: leave them out of a commit that does not change them.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name -> (header, rows, what the quote sets, rows that are totals, rows it cannot place)
QUOTES: dict[str, tuple[list[str], list[list[object]], dict[str, float], list[int], list[int]]] = {
    "price_list_en.csv": (
        ["Item", "Price"],
        [
            ["Managed services per user / month", "$125"],
            ["Server management", "$95 per server"],
            ["Security stack per user / month", "$15"],
            ["Onboarding (one-off)", "2,500"],
            ["Minimum monthly", "1,000"],
            ["Network monitoring (flat, per year)", "$1,200"],
            ["Total monthly", "$6,385"],
        ],
        {
            "msp.per_user_monthly": 140.0,
            "msp.per_server_monthly": 95.0,
            "msp.onboarding_fee": 2500.0,
            "msp.monthly_minimum": 1000.0,
            "msp.flat_monthly": 100.0,
        },
        [8],
        [],
    ),
    "precios_es.csv": (
        ["Concepto", "Precio"],
        [
            ["Servicios gestionados por usuario / mes", "125,00 €"],
            ["Gestión de servidores", "95 € por servidor"],
            ["Cuota de alta (pago único)", "2.500 €"],
            ["Mínimo mensual", "1.000 €"],
            ["Plazo", "36 meses"],
            ["Incremento anual (IPC)", "3 %"],
        ],
        {
            "msp.per_user_monthly": 125.0,
            "msp.per_server_monthly": 95.0,
            "msp.onboarding_fee": 2500.0,
            "msp.monthly_minimum": 1000.0,
            "msp.term_months": 36,
            "msp.annual_escalator": 0.03,
        },
        [],
        [],
    ),
    "precos_pt.csv": (
        ["Descrição", "Preço"],
        [
            ["Suporte por utilizador (mensal)", "110,50 €"],
            ["Servidor", "80 € por servidor"],
            ["Taxa de instalação (única vez)", "1.200 €"],
            ["Valor mínimo mensal", "900 €"],
        ],
        {
            "msp.per_user_monthly": 110.5,
            "msp.per_server_monthly": 80.0,
            "msp.onboarding_fee": 1200.0,
            "msp.monthly_minimum": 900.0,
        },
        [],
        [],
    ),
    "tarifs_fr.xlsx": (
        ["Désignation", "Quantité", "Prix unitaire"],
        [
            ["Infogérance par utilisateur et par mois", 45, "120,00 €"],
            ["Poste de travail", 50, "12 € par mois"],
            ["Serveur", 3, "90 €"],
            ["Frais de mise en service", 1, "3 000 €"],
            ["Durée d'engagement", None, "3 ans"],
            ["Total", None, "7 470 €"],
        ],
        {
            "msp.per_user_monthly": 120.0,
            "msp.per_workstation_monthly": 12.0,
            "msp.per_server_monthly": 90.0,
            "msp.onboarding_fee": 3000.0,
            "msp.term_months": 36,
        },
        [7],
        [],
    ),
    "angebot_de.xlsx": (
        ["Leistung", "Menge", "Betrag"],
        [
            ["IT-Betreuung pro Benutzer und Monat", 45, "5.400,00 €"],
            ["Serverwartung", 2, "190,00 € pro Server"],
            ["Einrichtungsgebühr (einmalig)", 1, "1.500,00 €"],
            ["Mindestumsatz pro Monat", 1, "2.000,00 €"],
            ["Gesamtbetrag netto", None, "9.090,00 €"],
        ],
        {
            "msp.per_user_monthly": 120.0,
            "msp.per_server_monthly": 95.0,
            "msp.onboarding_fee": 1500.0,
            "msp.monthly_minimum": 2000.0,
        },
        [6],
        [],
    ),
    "qty_rate_amount.csv": (
        ["Product/Service", "Description", "Qty", "Rate", "Amount"],
        [
            ["Managed IT - per user", "Help desk, patching, monitoring", 30, "99.00", "2,970.00"],
            ["Server management", "Per server, monthly", 2, "150.00", "300.00"],
            ["Project setup", "One-time onboarding", 1, "1,800.00", "1,800.00"],
        ],
        {"msp.per_user_monthly": 99.0, "msp.per_server_monthly": 150.0, "msp.onboarding_fee": 1800.0},
        [],
        [],
    ),
    "unplaceable_en.csv": (
        ["Item", "Price"],
        [
            ["Managed services per user / month", "$125"],
            ["Email security per mailbox", "$4"],
            ["Backup storage", "$30 per TB"],
            ["Copia de seguridad por TB", "25 €"],
            ["Consulting bundle", "$900"],
            ["Microsoft 365 licences", "$12.50 per mailbox"],
        ],
        {"msp.per_user_monthly": 125.0},
        [],
        [3, 4, 5, 6, 7],
    ),
}


def _csv(header: list[str], rows: list[list[object]], delimiter: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows(["" if v is None else v for v in r] for r in rows)
    return buf.getvalue().encode("utf-8")


def _xlsx(header: list[str], rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook  # here, not above: only the XLSX quotes need openpyxl

    wb = Workbook()
    ws = wb.active
    ws.title = "Angebot" if "Leistung" in header else "Devis"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    manifest = {}
    for name, (header, rows, sets, totals, unplaced) in QUOTES.items():
        if name.endswith(".xlsx"):
            data = _xlsx(header, rows)
        else:
            data = _csv(header, rows, ";" if name.endswith("_es.csv") else ",")
        (HERE / name).write_bytes(data)
        manifest[name] = {"sets": sets, "total_rows": totals, "unplaced_rows": unplaced}
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
