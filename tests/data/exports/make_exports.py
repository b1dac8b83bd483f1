"""Write the corpus of small synthetic helpdesk exports that ``tests/test_exports.py`` reads.

Each file is in the shape of one vendor's export or one language (column
names, date formats, priority words, blank markers as those exports write
them), built from the same kind of canonical tickets: an id, when it was
opened, a response, a resolution (none for open tickets), a class p1-p4, a
category and work hours. ``manifest.json`` records, for every file, the
ticket count and the split by class *as generated* (never as loaded), the
options it needs, and whether it loads out of the box.

Run from the repository root after changing it::

    python tests/data/exports/make_exports.py

The content is deterministic (one seed, fixed dates), so the committed files
only change when this script does; the XLSX's bytes differ from run to run
(the zip's entry times) though its cells do not, so leave it out of a commit
that does not change it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CLASSES = ("p1", "p2", "p3", "p4")


@dataclass(frozen=True)
class Ticket:
    number: int
    opened: dt.datetime
    response: dt.datetime
    resolved: dt.datetime | None
    cls: str
    category: str
    hours: float


def tickets(n: int, seed: int, open_share: float = 0.15) -> list[Ticket]:
    """``n`` canonical tickets from 2026-01-05 on, classes in a 1:2:4:3 mix, some still open."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2026, 1, 5, 8, 0)
    out = []
    for i in range(n):
        opened = start + dt.timedelta(days=int(rng.integers(0, 150)), minutes=int(rng.integers(0, 10 * 60)))
        response = opened + dt.timedelta(minutes=int(rng.integers(5, 240)))
        is_open = rng.random() < open_share
        resolved = None if is_open else response + dt.timedelta(minutes=int(rng.integers(30, 3000)))
        cls = CLASSES[int(rng.choice(4, p=[0.1, 0.2, 0.4, 0.3]))]
        category = ["Hardware", "Software", "Network", "Access"][int(rng.integers(0, 4))]
        out.append(Ticket(1000 + i, opened, response, resolved, cls, category, round(float(rng.uniform(0.25, 6)), 2)))
    return out


def split(ts: list[Ticket]) -> dict[str, int]:
    return {c: sum(t.cls == c for t in ts) for c in CLASSES}


def write_csv(name: str, header: list[str], rows: list[list[object]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_text(buf.getvalue(), encoding="utf-8")


MANIFEST: dict[str, dict] = {}


def record(name: str, ts: list[Ticket], shape: str, language: str, needs: dict | None = None, **extra: object) -> None:
    MANIFEST[name] = {
        "shape": shape,
        "language": language,
        "tickets": len(ts),
        "split": split(ts),
        # tickets with no resolution, where the export has a resolution column at all
        "open": sum(t.resolved is None for t in ts) if "osticket" not in name else None,
        "needs": needs or {},
        **extra,
    }


def fmt(pattern: str, months: list[str] | None = None, ampm: tuple[str, str] = ("AM", "PM")) -> Callable:
    """A date formatter: strftime ``pattern`` with ``%b`` in the given month names and ``%p`` as given."""

    def f(d: dt.datetime | None, blank: str = "") -> str:
        if d is None:
            return blank
        text = pattern
        if months is not None:
            text = text.replace("%b", months[d.month - 1])
        text = text.replace("%p", ampm[d.hour >= 12])
        text = text.replace("%-I", str((d.hour % 12) or 12)).replace("%-d", str(d.day)).replace("%-m", str(d.month))
        return d.strftime(text)

    return f


ES_MONTHS = "ene feb mar abr may jun jul ago sep oct nov dic".split()


def main() -> None:
    word = {
        "servicenow": {"p1": "1 - Critical", "p2": "2 - High", "p3": "3 - Moderate", "p4": "4 - Low"},
        "jira": {"p1": "Highest", "p2": "High", "p3": "Medium", "p4": "Low"},
        "jira_es": {"p1": "Más alta", "p2": "Alta", "p3": "Media", "p4": "Baja"},
        "glpi": {"p1": "Very high", "p2": "High", "p3": "Medium", "p4": "Very low"},
        "glpi_pt": {"p1": "Muito alta", "p2": "Alta", "p3": "Média", "p4": "Muito baixa"},
        "zendesk": {"p1": "Urgent", "p2": "High", "p3": "Normal", "p4": "Low"},
        "fresh": {"p1": "Urgent", "p2": "High", "p3": "Medium", "p4": "Low"},
        "cw": {
            "p1": "Priority 1 - Emergency Response",
            "p2": "Priority 2 - Quick Response",
            "p3": "Priority 3 - Normal Response",
            "p4": "Priority 4 - Schedule Maintenance",
        },
        "osticket": {"p1": "Emergency", "p2": "High", "p3": "Normal", "p4": "Low"},
        "syncro": {"p1": "0 Urgent", "p2": "1 High", "p3": "2 Normal", "p4": "3 Low"},
        "fr": {"p1": "Critique", "p2": "Haute", "p3": "Moyenne", "p4": "Basse"},
        "de": {"p1": "Kritisch", "p2": "Hoch", "p3": "Mittel", "p4": "Niedrig"},
        "autotask_api": {
            "p1": 4,
            "p2": 1,
            "p3": 2,
            "p4": 3,
        },  # the default picklist: 1 High, 2 Medium, 3 Low, 4 Critical
    }

    # ServiceNow incident list: day-first numeric dates, '?' for an empty field
    ts = tickets(40, 1)
    sn = fmt("%-d/%-m/%Y %H:%M")
    write_csv(
        "servicenow.csv",
        ["number", "incident_state", "opened_at", "resolved_at", "priority", "category", "time_worked"],
        [
            [f"INC{t.number:07d}", "Active" if t.resolved is None else "Resolved", sn(t.opened), sn(t.resolved, "?"),
             word["servicenow"][t.cls], t.category, f"{t.hours}"]
            for t in ts
        ],
    )  # fmt: skip
    record("servicenow.csv", ts, "ServiceNow incident list", "en")

    # Jira Service Management, English: dd/MMM/yy h:mm a, and the SLA timer "Time to first response"
    ts = tickets(30, 2)
    jira = fmt("%d/%b/%y %-I:%M %p")
    write_csv(
        "jira_en.csv",
        ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Created", "Resolved",
         "Time to first response", "Time Spent"],
        [
            [f"Problem {t.number}", f"ITSM-{t.number}", str(t.number), t.category, "Open" if t.resolved is None
             else "Done", word["jira"][t.cls], jira(t.opened), jira(t.resolved), "-1h 20m" if t.number % 2 else "3h",
             str(round(t.hours * 3600))]
            for t in ts
        ],
    )  # fmt: skip
    record("jira_en.csv", ts, "Jira Service Management", "en")

    # Jira Service Management, Spanish: lower-case Spanish month abbreviations, "a. m."/"p. m."
    ts = tickets(30, 3)
    jira_es = fmt("%d/%b/%y %-I:%M %p", ES_MONTHS, ("a. m.", "p. m."))
    write_csv(
        "jira_es.csv",
        ["Resumen", "Clave de incidencia", "Tipo de Incidencia", "Estado", "Prioridad", "Creada", "Resuelta"],
        [
            [f"Problema {t.number}", f"MS-{t.number}", t.category, "Abierta" if t.resolved is None else "Listo",
             word["jira_es"][t.cls], jira_es(t.opened), jira_es(t.resolved)]
            for t in ts
        ],
    )  # fmt: skip
    record("jira_es.csv", ts, "Jira Service Management", "es")

    # GLPI, English: "Opening date", six priority levels (two used here), "Time to resolve" is a deadline
    ts = tickets(30, 4)
    glpi = fmt("%Y-%m-%d %H:%M")
    write_csv(
        "glpi_en.csv",
        ["ID", "Title", "Status", "Opening date", "Priority", "Category", "Resolution date", "Time to resolve"],
        [
            [str(t.number), f"Ticket {t.number}", "Processing" if t.resolved is None else "Solved", glpi(t.opened),
             word["glpi"][t.cls], t.category, glpi(t.resolved), glpi(t.opened + dt.timedelta(days=2))]
            for t in ts
        ],
    )  # fmt: skip
    record("glpi_en.csv", ts, "GLPI", "en")

    # GLPI, Portuguese (Brazil): semicolons, dd-mm-yyyy, accented names and priorities
    ts = tickets(30, 5)
    glpi_pt = fmt("%d-%m-%Y %H:%M")
    write_csv(
        "glpi_pt.csv",
        ["ID", "Título", "Status", "Data de abertura", "Prioridade", "Categoria", "Data da solução"],
        [
            [str(t.number), f"Chamado {t.number}", "Em atendimento" if t.resolved is None else "Solucionado",
             glpi_pt(t.opened), word["glpi_pt"][t.cls], t.category, glpi_pt(t.resolved)]
            for t in ts
        ],
        delimiter=";",
    )  # fmt: skip
    record("glpi_pt.csv", ts, "GLPI", "pt")

    # Zendesk CSV: Excel's zero date in "Solved at" for every unsolved ticket
    ts = tickets(30, 6, open_share=0.3)
    zd = fmt("%Y-%m-%d %H:%M:%S")
    write_csv(
        "zendesk.csv",
        ["Id", "Requester", "Status", "Priority", "Created at", "Solved at", "First reply time in minutes"],
        [
            [str(t.number), "someone", "open" if t.resolved is None else "solved", word["zendesk"][t.cls],
             zd(t.opened), zd(t.resolved, "1900-01-01 00:00:00"), str(int((t.response - t.opened).seconds // 60))]
            for t in ts
        ],
    )  # fmt: skip
    record("zendesk.csv", ts, "Zendesk", "en")

    # Zendesk XLSX: the same, with native dates (the zero date as a datetime cell)
    from openpyxl import Workbook  # here, not above: only this one file needs openpyxl

    ts = tickets(25, 7, open_share=0.3)
    wb = Workbook()
    ws = wb.active
    ws.title = "Tickets"
    ws.append(["Id", "Status", "Priority", "Created at", "Solved at", "First reply time in minutes"])
    for t in ts:
        ws.append([t.number, "open" if t.resolved is None else "solved", word["zendesk"][t.cls], t.opened,
                   t.resolved or dt.datetime(1900, 1, 1), int((t.response - t.opened).seconds // 60)])  # fmt: skip
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 6, 1)  # the same document properties each run
    buf = io.BytesIO()
    wb.save(buf)
    (HERE / "zendesk.xlsx").write_bytes(buf.getvalue())
    record("zendesk.xlsx", ts, "Zendesk", "en")

    # Freshdesk: "Created time", "Resolved time", time tracked as hh:mm
    ts = tickets(30, 8)
    fd = fmt("%Y-%m-%d %H:%M:%S")
    write_csv(
        "freshdesk.csv",
        ["Ticket ID", "Subject", "Status", "Priority", "Source", "Type", "Created time", "Due by Time",
         "Resolved time", "Initial response time", "Time tracked"],
        [
            [str(t.number), "x", "Open" if t.resolved is None else "Resolved", word["fresh"][t.cls], "Email",
             t.category, fd(t.opened), fd(t.opened + dt.timedelta(days=1)), fd(t.resolved), fd(t.response),
             "{}:{:02d}".format(*divmod(round(t.hours * 60), 60))]
            for t in ts
        ],
    )  # fmt: skip
    record("freshdesk.csv", ts, "Freshdesk / Freshservice", "en")

    # Autotask REST API dump: camelCase, UTC with Z, priorities as picklist ids
    ts = tickets(30, 9)
    iso_z = fmt("%Y-%m-%dT%H:%M:%S.000Z")
    at_rows = [
        [str(t.number), f"T20260105.{t.number:04d}", iso_z(t.opened), iso_z(t.resolved), iso_z(t.response),
         str(word["autotask_api"][t.cls]), "29683"]
        for t in ts
    ]  # fmt: skip
    write_csv(
        "autotask_api.csv",
        ["id", "ticketNumber", "createDate", "completedDate", "firstResponseDateTime", "priority", "queueID"],
        at_rows,
    )
    record(
        "autotask_api.csv",
        ts,
        "Autotask (REST API)",
        "en",
        needs={"priority_map": {"1": "p2", "2": "p3", "3": "p4", "4": "p1"}, "timezone": "America/Los_Angeles"},
    )

    # Autotask report CSV: spaced names, words for priorities
    ts = tickets(30, 10)
    at = fmt("%m/%d/%Y %I:%M %p")
    write_csv(
        "autotask_report.csv",
        ["Ticket Number", "Title", "Created", "Complete Date", "Priority", "Queue", "Total Hours Worked"],
        [[f"T2026.{t.number}", "x", at(t.opened), at(t.resolved), {"p1": "Critical", "p2": "High", "p3": "Medium",
          "p4": "Low"}[t.cls], "Level I", f"{t.hours}"] for t in ts],
    )  # fmt: skip
    record("autotask_report.csv", ts, "Autotask (report)", "en")

    # ConnectWise Manage: "Ticket #", "Date Entered", "Priority 1 - Emergency Response"
    ts = tickets(30, 11)
    write_csv(
        "connectwise.csv",
        ["Ticket #", "Board", "Date Entered", "Priority", "Date Responded", "Date Resolved", "Actual Hours"],
        [[str(t.number), "Service", at(t.opened), word["cw"][t.cls], at(t.response), at(t.resolved), f"{t.hours}"]
         for t in ts],
    )  # fmt: skip
    record("connectwise.csv", ts, "ConnectWise Manage", "en")

    # osTicket: "Date Created", "Help Topic", "Last Updated" (one row per ticket: not an event log)
    ts = tickets(30, 12)
    write_csv(
        "osticket.csv",
        ["Ticket Number", "Date Created", "Subject", "Priority", "Department", "Help Topic", "Current Status",
         "Last Updated"],
        [[str(t.number), glpi(t.opened), "x", word["osticket"][t.cls], "Support", t.category,
          "Open" if t.resolved is None else "Closed", glpi(t.resolved or t.response)] for t in ts],
    )  # fmt: skip
    record("osticket.csv", ts, "osTicket", "en")

    # HaloPSA API (GET /api/Tickets): the field names of the ticket object as the HaloAPI PowerShell module's
    # template gives them (powershellgallery.com/packages/HaloAPI, Data/Templates/Ticket.json): "dateoccurred",
    # "responsedate", "dateclosed", "timetaken" (hours), "priority_id" (1-4, read as P1-P4 with a warning), and
    # the SLA targets and timer ("respondbydate", "fixbydate", "slatimeleft") that must never be read as times
    ts = tickets(30, 13)
    iso = fmt("%Y-%m-%dT%H:%M:%S")
    write_csv(
        "halopsa.csv",
        ["id", "summary", "dateoccurred", "status_id", "priority_id", "respondbydate", "responsedate", "fixbydate",
         "dateclosed", "timetaken", "slatimeleft"],
        [[str(t.number), "x", iso(t.opened), "1" if t.resolved is None else "9", t.cls[1],
          iso(t.opened + dt.timedelta(hours=4)), iso(t.response), iso(t.opened + dt.timedelta(days=2)),
          iso(t.resolved), f"{t.hours}", "0" if t.resolved else "3.5"] for t in ts],
    )  # fmt: skip
    record("halopsa.csv", ts, "HaloPSA (API)", "en", warns="bare numbers")

    # HaloPSA report: the column names of a ticket report written in Halo's SQL report designer (a query
    # published in public code: dateoccured AS [Date Opened], fresponsedate AS [Date Responded], datecleared
    # AS [Date Resolved], pdesc AS [Priority Description], seriousness AS [Priority Number], ...). The
    # priority descriptions are each tenant's own: "Critical" ... "Low" here is an assumption.
    ts = tickets(30, 40)
    halo = {"p1": "Critical", "p2": "High", "p3": "Medium", "p4": "Low"}
    write_csv(
        "halopsa_report.csv",
        ["Ticket ID", "Ticket Type", "Status", "Summary", "Priority Description", "Category",
         "Target Response Date", "Target Resolution Date", "Date Opened", "Date Responded", "Date Resolved",
         "Response Time (hours)", "Resolution Time (hours)", "Client", "Agent", "Priority Number"],
        [[str(t.number), "Incident", "Open" if t.resolved is None else "Closed", "x", halo[t.cls], t.category,
          iso(t.opened + dt.timedelta(hours=4)), iso(t.opened + dt.timedelta(days=2)), iso(t.opened),
          iso(t.response), iso(t.resolved), f"{(t.response - t.opened).total_seconds() / 3600:.2f}",
          "" if t.resolved is None else f"{(t.resolved - t.opened).total_seconds() / 3600:.2f}", "Acme", "Tech",
          t.cls[1]] for t in ts],
    )  # fmt: skip
    record("halopsa_report.csv", ts, "HaloPSA (SQL report)", "en")

    # Syncro: no CSV ticket export of Syncro's was found to copy; this file keeps the names seen in Syncro's
    # ticket list ("Created", "Resolved At") and Syncro's priority values, "0 Urgent" to "3 Low" (numbered from
    # 0: "1 High" is High, not P1), which public scripts that create Syncro tickets use
    ts = tickets(30, 14)
    write_csv(
        "syncro.csv",
        ["Number", "Subject", "Created", "Resolved At", "Priority", "Status"],
        [[str(t.number), "x", at(t.opened), at(t.resolved), word["syncro"][t.cls], "New"] for t in ts],
    )
    record("syncro.csv", ts, "Syncro", "en")

    # Syncro API (GET /api/v1/tickets): the ticket object's field names as public API clients type them (id,
    # number, subject, created_at, customer_id, customer_business_then_name, due_date, resolved_at, problem_type,
    # status, priority, updated_at); "due_date" is a deadline, never a resolution time
    ts = tickets(30, 41)
    utc = fmt("%Y-%m-%dT%H:%M:%S.000-05:00")
    write_csv(
        "syncro_api.csv",
        ["id", "number", "subject", "created_at", "customer_id", "customer_business_then_name", "due_date",
         "resolved_at", "problem_type", "status", "priority", "updated_at"],
        [[str(20000 + k), str(t.number), "x", utc(t.opened), "77", "Acme", utc(t.opened + dt.timedelta(days=3)),
          utc(t.resolved), t.category, "New" if t.resolved is None else "Resolved", word["syncro"][t.cls],
          utc(t.resolved or t.response)] for k, t in enumerate(ts)],
    )  # fmt: skip
    record("syncro_api.csv", ts, "Syncro (API)", "en", needs={"timezone": "America/New_York"})

    # French: day-first dates, accented names
    ts = tickets(30, 15)
    fr = fmt("%d/%m/%Y %H:%M")
    write_csv(
        "francais.csv",
        ["Numéro", "Date de création", "Priorité", "Catégorie", "Date de résolution"],
        [[str(t.number), fr(t.opened), word["fr"][t.cls], t.category, fr(t.resolved)] for t in ts],
        delimiter=";",
    )
    record("francais.csv", ts, "generic", "fr")

    # German: dd.mm.yyyy, semicolons
    ts = tickets(30, 16)
    de = fmt("%d.%m.%Y %H:%M")
    write_csv(
        "deutsch.csv",
        ["Ticketnummer", "Erstellt am", "Priorität", "Kategorie", "Gelöst am", "Aufwand"],
        [[str(t.number), de(t.opened), word["de"][t.cls], t.category, de(t.resolved), f"{t.hours}"] for t in ts],
        delimiter=";",
    )
    record("deutsch.csv", ts, "generic", "de")

    # Spanish dates written with month names in full ("5 de marzo de 2026 14:30")
    ts = tickets(20, 17)
    full_es = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
    es = fmt("%-d de %b de %Y %H:%M", full_es)
    write_csv(
        "espanol.csv",
        ["Número", "Fecha de creación", "Prioridad", "Fecha de cierre"],
        [[str(t.number), es(t.opened), word["jira_es"][t.cls], es(t.resolved)] for t in ts],
    )
    record("espanol.csv", ts, "generic", "es")

    # ServiceNow incident event log: a row per change, triage changes the priority, '?' until resolved,
    # every fifth ticket reopened and resolved again, rows not in time order within the file
    ts = tickets(40, 18)
    rows = []
    for t in ts:
        steps = [("New", t.opened, "3 - Moderate", None), ("Active", t.response, word["servicenow"][t.cls], None)]
        if t.resolved is not None:
            steps.append(("Resolved", t.resolved, word["servicenow"][t.cls], t.resolved))
            if t.number % 5 == 0:
                again = t.resolved + dt.timedelta(hours=3)
                steps += [("Active", t.resolved + dt.timedelta(hours=1), word["servicenow"][t.cls], None),
                          ("Resolved", again, word["servicenow"][t.cls], again)]  # fmt: skip
        for k, (state, when, prio, resolved) in enumerate(steps):
            rows.append([f"INC{t.number:07d}", state, sn(when), sn(t.opened), sn(resolved, "?"), prio, t.category,
                         k, f"{0.25 * k:.2f}"])  # fmt: skip
    rows.reverse()  # newest first, as a log sorted by update time descending is exported
    write_csv(
        "servicenow_eventlog.csv",
        ["number", "incident_state", "sys_updated_at", "opened_at", "resolved_at", "priority", "category",
         "sys_mod_count", "time_worked"],
        rows,
    )  # fmt: skip
    record("servicenow_eventlog.csv", ts, "ServiceNow incident event log", "en", rows=len(rows))

    (HERE / "manifest.json").write_text(json.dumps(MANIFEST, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
