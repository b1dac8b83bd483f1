"""Vendors and languages: the names helpdesk exports give a ticket's columns, beyond the English defaults.

:data:`VENDOR_ALIASES` adds, per canonical ticket column, the names (already
normalised, see :func:`.columns.normalise_name`: accents dropped, camelCase
split, lower case) that these exports use:

- helpdesks: ServiceNow (``number``, ``opened_at``, ``resolved_at``, the
  incident event log's ``sys_updated_at`` and ``incident_state``), Jira
  Service Management (``Issue key``, ``Created``, ``Resolved``; in Spanish
  ``Clave de incidencia``, ``Creada``, ``Resuelta``, ``Prioridad``), GLPI
  (``Opening date``, ``Resolution date``; in Portuguese ``Data de abertura``,
  ``Data da solução``, ``Prioridade``), osTicket (``Date Created``, ``Help
  Topic``), Freshdesk/Freshservice (``Created time``, ``Resolved time``),
  Zendesk (``Created at``, ``Solved at``), ConnectWise (``Date Entered``),
  Autotask (reports' ``Complete Date``; the API's ``createDate``,
  ``completedDate``, ``firstResponseDateTime``), HaloPSA (the API's
  ``dateoccurred``, ``responsedate``, ``dateclosed``, ``timetaken``,
  ``priority_id``, as the HaloAPI PowerShell module's ticket template names
  them; a SQL report's ``Date Opened``, ``Date Responded``, ``Date Resolved``,
  ``Priority Description`` beside ``Priority Number``, and the database's own
  ``dateoccured``, ``datecleared``, ``fresponsedate``) and Syncro (the API's
  ``number``, ``created_at``, ``resolved_at``, ``priority`` such as ``"1 High"``,
  ``due_date`` a deadline never read; the ticket list's ``Created``,
  ``Resolved At``: no CSV export of Syncro's own was found to check these
  against, see ``tests/data/exports/make_exports.py``);
- languages: Spanish, Portuguese, French and German names of the same columns.

:func:`is_sla_timer` names the columns that hold an SLA *timer* -- Jira's
"Time to first response" (time remaining, counting down), GLPI's "Time to
own" (a deadline), anything "remaining", "breach" or "due" -- which are
never read as an elapsed time. :func:`autotask_api` recognises the API's
field names, whose priorities are tenant picklist ids, not P1-P4.

Examples
--------
>>> "data de abertura" in VENDOR_ALIASES["opened"], "creada" in VENDOR_ALIASES["opened"]
(True, True)
>>> is_sla_timer("time to first response"), is_sla_timer("first response time in hrs")
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .columns import aliases, is_sla_timer, normalise_name
from .durations import without_grouping

if TYPE_CHECKING:  # the collector's type only: problems.py imports nothing from here, but keep vendors a leaf
    from .problems import Problems

__all__ = [
    "EVENT_LOG_STATE",
    "EVENT_LOG_UPDATED",
    "INVOICE_ALIASES",
    "VENDOR_ALIASES",
    "VENDOR_UNITS",
    "autotask_api",
    "is_sla_timer",
]

#: Extra names per canonical ticket column, in order of preference, after the English defaults.
VENDOR_ALIASES: dict[str, tuple[str, ...]] = {
    "ticket_id": aliases(
        # vendors: Jira, ServiceNow, osTicket, Autotask API, HaloPSA, Syncro
        "issue key|key|issue id|ticketnumber|ticket number|faultid|"
        # es / pt / fr / de
        "clave de incidencia|clave|numero de ticket|numero del ticket|numero de incidencia|id del ticket|numero|"
        "numero do chamado|chamado|id do chamado|numero do ticket|protocolo|"
        "numero de ticket|numero du ticket|id du ticket|reference du ticket|"
        "ticketnummer|ticket nr|ticket nummer|vorgangsschlussel|schlussel|nummer|vorgang"
    ),
    "opened": aliases(
        # GLPI, ServiceNow system fields, HaloPSA, Syncro, Freshdesk
        "opening date|date of opening|sys created on|sys created at|date occurred|dateoccurred|dateoccured|"
        "datecreated|"
        "created date time|create date time|created datetime|"
        # es
        "creada|creado|fecha de creacion|fecha creacion|fecha de apertura|fecha apertura|abierta|abierto|"
        "fecha de alta|creado el|creada el|"
        # pt
        "data de abertura|data abertura|aberto em|aberta em|criado em|criada em|data de criacao|data criacao|"
        # fr
        "date d ouverture|date ouverture|date de creation|cree le|creee le|ouvert le|date de creation du ticket|"
        # de
        "erstellt|erstellt am|erstelldatum|eroffnet am|eroffnet|angelegt am|angelegt|erfasst am|datum"
    ),
    "first_response": aliases(
        "first response date time|first responded date time|responsedate|fresponsedate|response date time|"
        "first reply date time|"
        # es / pt / fr / de
        "primera respuesta|fecha de primera respuesta|fecha primera respuesta|"
        "primeira resposta|data da primeira resposta|data de primeira resposta|"
        "premiere reponse|date de premiere reponse|date premiere reponse|"
        "erste antwort|erste reaktion|erstreaktion|datum erste antwort"
    ),
    "resolved": aliases(
        # GLPI, Autotask (API and reports), ServiceNow, Syncro, HaloPSA
        "resolution date|solve date|solvedate|completed date time|resolved date time|resolved datetime|"
        "date cleared|datecleared|date closed|dateclosed|closedate|closing date|"
        # es
        "resuelta|resuelto|fecha de resolucion|fecha resolucion|fecha de solucion|fecha de cierre|fecha cierre|"
        "cerrada|cerrado|resuelto el|resuelta el|"
        # pt
        "data da solucao|data de solucao|data solucao|solucionado em|resolvido em|data de resolucao|"
        "data da resolucao|data de fechamento|data fechamento|fechado em|"
        # fr
        "date de resolution|resolu le|date resolution|date de cloture|clos le|ferme le|date de fermeture|"
        # de
        "gelost|gelost am|losungsdatum|geschlossen am|geschlossen|erledigt am|abgeschlossen am|behoben am"
    ),
    "priority": aliases(
        # HaloPSA reports give the level's name and its number side by side: the name says more
        "priority id|priorityid|priority label|priority description|priority name|priority number|"
        # es / pt / fr / de
        "prioridad|prioridade|priorite|prioritat|dringlichkeit|urgencia|gravedad|gravidade|gravite"
    ),
    "category": aliases(
        # osTicket, Autotask, Freshdesk
        "help topic|issue type name|sub issue type|department|"
        # es / pt / fr / de
        "categoria|tipo de incidencia|tipo|tipo de chamado|categorie|type de ticket|kategorie|typ|ticket typ"
    ),
    "work_hours": aliases(
        # ServiceNow, HaloPSA, Jira (seconds: see units), Autotask API
        "time worked|timetaken|time taken|hours worked total|"
        # es / pt / fr / de
        "tiempo empleado|tiempo dedicado|horas trabajadas|horas|tempo gasto|horas trabalhadas|tempo total|"
        "duracao total|temps passe|duree totale|temps total|aufwand|arbeitszeit|zeitaufwand|gebuchte zeit"
    ),
}

#: Units of vendor columns whose name does not say it (Jira logs time in seconds in its CSV).
VENDOR_UNITS: dict[str, dict[str, str]] = {
    "work_hours": {"tiempo empleado": "seconds", "timetaken": "hours", "time taken": "hours"},
}

#: Columns of an event (audit) log: the time of each change, and the ticket's state after it.
EVENT_LOG_UPDATED = aliases(
    "sys updated at|sys updated on|updated|updated at|last updated|last update|last modified|date modified|"
    "modified|date mod|changed|changed at|event time|timestamp|actualizada|actualizado|ultima atualizacao|"
    "data de modificacao|derniere modification|mis a jour le|geandert am|aktualisiert"
)
EVENT_LOG_STATE = aliases("incident state|state|status|ticket status|estado|situacao|etat|statut|zustand")

# Field names only Autotask's REST API gives (its CSV reports use spaced names): its priorities are picklist ids.
_AUTOTASK_API = frozenset({"createDate", "completedDate", "ticketNumber", "queueID", "firstResponseDateTime"})


def autotask_api(header: Sequence[str]) -> bool:
    """Whether a header is Autotask's REST API (``createDate``, ``ticketNumber``, ``queueID`` ...).

    Examples
    --------
    >>> autotask_api(["id", "ticketNumber", "createDate", "priority"]), autotask_api(["Created", "Priority"])
    (True, False)
    """
    return len(_AUTOTASK_API.intersection(h.strip() for h in header)) >= 2


#: Extra names per canonical invoice column: QuickBooks ("Num", "Memo/Description"), Xero ("InvoiceNumber",
#: "InvoiceDate", "LineAmount") and Spanish, Portuguese, French and German invoice lists.
INVOICE_ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_id": aliases(
        "num|invoice number id|numero de factura|factura|numero da fatura|numero da nota|fatura|nota fiscal|"
        "numero de facture|facture|rechnungsnummer|rechnung nr|rechnung"
    ),
    "date": aliases(
        "fecha|fecha de factura|fecha factura|data|data da fatura|data de emissao|date de facture|date facture|"
        "rechnungsdatum|datum|belegdatum"
    ),
    "hours": aliases("horas|horas facturadas|horas faturadas|heures|heures facturees|stunden|abgerechnete stunden"),
    "amount": aliases(
        "importe|importe total|monto|valor|valor total|montant|montant ttc|montant ht|betrag|gesamtbetrag|summe|gesamt"
    ),
    "description": aliases(
        "memo description|descripcion|concepto|descricao|libelle|designation|beschreibung|leistung|text"
    ),
}


def vendor_units(
    header: Sequence[str],
    labels: dict[str, str],
    units: dict[str, str],
    values: Mapping[str, Sequence[object]] | None = None,
    problems: Problems | None = None,
) -> list[str]:
    """Units a vendor's export implies but its column names do not say; sets them in ``units``, returns notes.

    Jira writes "Time Spent" (and its sum, "Σ Time Spent") in whole seconds
    (5400 for 1 h 30 min). The column's ``values`` decide whether it is
    Jira's: a value with decimals ("1.5"), or only values under a minute
    (1, 2, 8: hours typed in by hand?), cannot be Jira's seconds, and each
    such row is added to ``problems`` with the fix (a column name that says
    its unit) rather than read 3,600 times too small.

    Examples
    --------
    >>> units = {"work_hours": "hours"}
    >>> vendor_units(["Issue key", "Time Spent"], {"work_hours": "Time Spent"}, units), units
    (["'Time Spent' read in seconds, as Jira writes it"], {'work_hours': 'seconds'})
    """
    norm = {normalise_name(h) for h in header}
    notes = []
    label = labels.get("work_hours")
    if "issue key" in norm and label is not None and normalise_name(label) in ("time spent", "sum time spent"):
        units["work_hours"] = "seconds"
        notes.append(f"{label!r} read in seconds, as Jira writes it")
        if values is not None and problems is not None and "work_hours" in values:
            _check_jira_seconds(label, list(values["work_hours"]), problems)
    return notes


def _check_jira_seconds(label: str, raw: list[object], problems: Problems) -> None:
    """A Jira "Time Spent" column that cannot be whole seconds (decimals, or only seconds-long work): its rows with time."""
    texts = pd.Series([str(v).strip() if isinstance(v, str) else v for v in raw], dtype=object)
    nums = pd.to_numeric(without_grouping(texts), errors="coerce")  # "1,800.5" has decimals too
    v = nums.to_numpy(dtype=float)
    bare = np.isfinite(v)  # text such as "1h 30m" says its own unit: parse_durations reads it
    expected = (
        "whole seconds, as Jira exports them (5400 for 1 h 30 min); for a column in hours or minutes, "
        f"rename it with its unit, such as '{label} (h)' or '{label} (min)'"
    )
    decimal = bare & (v != np.round(v))
    if decimal.any():
        first = raw[int(np.flatnonzero(decimal)[0])]
        why = f"cannot be Jira's seconds (the column has decimals, such as {str(first).strip()!r})"
    elif bare.any() and 0 < v[bare].max() < 60:
        why = "cannot be Jira's seconds (every value in the column is under a minute)"
    else:
        return
    # the column as a whole is in another unit: every row with time in it is wrong read as seconds, not just some
    problems.add_mask(bare & (v != 0), label, raw, why, expected)
