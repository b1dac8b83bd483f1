"""Columns: the names exports give a loader's columns, and which column of a file is which.

A loader describes each column it reads with a :class:`ColumnSpec` (its
canonical name, kind, whether it is required, and the aliases exports use);
:func:`_match_columns` maps a file's header onto them, names inferred from a
unit in the header ("Time spent (mins)") included. Names are compared after
:func:`normalise_name`.

Examples
--------
>>> spec = ColumnSpec("work_hours", "duration", False, aliases("time spent|hours"), "a duration")
>>> mapping, problems = _match_columns(["Ticket", "Time Spent (mins)"], [spec], None)
>>> mapping.columns, mapping.units, problems
({'work_hours': 1}, {'work_hours': 'minutes'}, [])
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ColumnMapping",
    "ColumnSpec",
    "aliases",
    "is_sla_timer",
    "normalise_name",
    "strip_unit",
    "suggest_column_map",
]


# ---------------------------------------------------------------------------
# Column names and the units they imply
# ---------------------------------------------------------------------------

_UNIT_TOKENS = {
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "s": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "d": "days",
    "day": "days",
    "days": "days",
}


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@functools.lru_cache(maxsize=4096)  # a column of a million priorities has a handful of distinct values
def _normalise_text(text: str) -> str:
    # camelCase API dumps ("firstResponseDateTime") split into words before the case is lost
    text = _CAMEL.sub(" ", text)
    # accents go (Data da solução, Priorität, Créé le): exports in one language spell them inconsistently
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "ss"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("#", " number ").replace("%", " percent ").replace("°", " number ").lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def normalise_name(name: Any) -> str:
    """A column name reduced for matching: words split, accents dropped, lower case, ``#`` -> number.

    camelCase is split into words, accents are dropped, punctuation and
    separators become one space.

    Examples
    --------
    >>> normalise_name("Ticket #"), normalise_name(" Date/Time  Opened "), normalise_name("Time Spent (mins)")
    ('ticket number', 'date time opened', 'time spent mins')
    >>> normalise_name("firstResponseDateTime"), normalise_name("Data da solução"), normalise_name("opened_at")
    ('first response date time', 'data da solucao', 'opened at')
    """
    return _normalise_text("" if name is None else str(name))


def strip_unit(norm: str) -> tuple[str, str | None]:
    """``"time spent mins"`` -> (``"time spent"``, ``"minutes"``); filler "in" goes too."""
    tokens = norm.split()
    unit = None
    kept = []
    for tok in tokens:
        if tok in _UNIT_TOKENS and unit is None and len(tokens) > 1:
            unit = _UNIT_TOKENS[tok]
        elif tok != "in":
            kept.append(tok)
    return " ".join(kept), unit


# Words that make a column an SLA timer: a target, a deadline or time remaining, never an elapsed time.
_SLA_WORDS = frozenset(
    "remaining breach breached due sla target deadline countdown restante restant verbleibend vencimiento "
    "prazo echeance frist".split()
)
# Words of an amount of money ("Invoice amount due", "Balance due"): a "due" there is owed, not a deadline.
_MONEY_WORDS = frozenset("amount balance paid tax owed".split())
# Whole names of SLA timers: Jira Service Management's counters and GLPI's deadlines.
_SLA_NAMES = frozenset(
    {"time to first response", "time to resolution", "time to own", "time to resolve", "time to close"}
)


def is_sla_timer(name: str) -> bool:
    """Whether a column (its normalised name) holds an SLA timer or deadline, not an elapsed time.

    Examples
    --------
    >>> [is_sla_timer(n) for n in ["first response time remaining", "sla due date", "response time"]]
    [True, True, False]
    >>> is_sla_timer("InvoiceAmountDue")  # money still owed (Xero), no timer
    False
    """
    norm = normalise_name(name)
    words = set(norm.split())
    if words & _MONEY_WORDS:
        return False
    return norm in _SLA_NAMES or bool(_SLA_WORDS.intersection(words))


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------------------
# Column specifications and the mapping of a header onto them
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its kind, whether it is required, the names exports give it.

    ``aliases`` are normalised names (see :func:`.normalise_name`) in order of
    preference: when an export has two candidates ("Resolved Time" and
    "Closed Time") the earlier alias wins and the other is reported unused.
    ``units`` gives the unit implied by an alias for duration columns.
    """

    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...]
    expected: str
    units: Mapping[str, str] = field(default_factory=dict)
    doc: str = ""
    examples: tuple[str, ...] = ()  # names as exports spell them, for messages


def aliases(text: str) -> tuple[str, ...]:
    """``"created|created at|date entered"`` -> the aliases as a tuple (the names, in order of preference)."""
    return tuple(a.strip() for a in text.split("|") if a.strip())


@dataclass
class ColumnMapping:
    columns: dict[str, int]  # canonical -> column position
    labels: dict[str, str]  # canonical -> header label as in the file
    units: dict[str, str]  # canonical -> unit for duration columns
    unused: list[str]
    notes: list[str]


def _match_columns(
    header: Sequence[str], specs: Sequence[ColumnSpec], column_map: Mapping[str, str | None] | None
) -> tuple[ColumnMapping, list[str]]:
    """Map canonical columns to header positions; return the mapping and the ambiguity notes.

    ``column_map`` entries mapped to None name columns to ignore: they are
    never matched. Columns that hold an SLA timer (:func:`.vendors.is_sla_timer`)
    are never matched to a date or duration, and are refused there by name.
    """
    norm = [normalise_name(h) for h in header]
    spec_by_name = {s.name: s for s in specs}
    chosen: dict[str, int] = {}
    units: dict[str, str] = {}
    notes: list[str] = []
    problems: list[str] = []
    ignored = {normalise_name(k) for k, v in (column_map or {}).items() if v is None}
    timers = {j for j, n in enumerate(norm) if n and is_sla_timer(n)}
    if column_map:
        for file_col, canon in column_map.items():
            if canon is None:
                continue
            if canon not in spec_by_name:
                problems.append(
                    f"column_map maps {file_col!r} to {canon!r}, which is not a column this table has; expected one of "
                    + ", ".join(spec_by_name)
                )
                continue
            hits = [j for j, h in enumerate(header) if h == str(file_col)] or [
                j for j, n in enumerate(norm) if n == normalise_name(file_col)
            ]
            if not hits:
                problems.append(f"column_map names column {file_col!r}, which the file does not have")
                continue
            spec = spec_by_name[canon]
            if hits[0] in timers and spec.kind in _TIMED_KINDS:
                problems.append(
                    f"column_map maps {file_col!r} to {canon!r}, but {file_col!r} is an SLA timer (time remaining "
                    "or a deadline), not an elapsed time; map the column that records when it happened"
                )
                continue
            chosen[canon] = hits[0]
            _stripped, unit = strip_unit(norm[hits[0]])
            if spec.kind in ("duration", "date_or_duration"):
                units[canon] = spec.units.get(norm[hits[0]]) or unit or "hours"
    taken = set(chosen.values()) | {j for j, n in enumerate(norm) if n in ignored}
    for spec in specs:
        if spec.name in chosen:
            continue
        # 1) the full normalised name, in alias order; 2) the name without its unit ("Time spent (mins)")
        best = None
        for rank, alias in enumerate(spec.aliases):
            for j, n in enumerate(norm):
                if j in taken or (j in timers and spec.kind in _TIMED_KINDS):
                    continue
                if n == alias:
                    cand = (rank, 0, j, spec.units.get(alias))
                else:
                    base, unit = strip_unit(n)
                    if base != alias or spec.kind not in ("duration", "date_or_duration") or unit is None:
                        continue
                    cand = (rank, 1, j, unit)
                if best is None or cand[:3] < best[:3]:
                    best = cand
        if best is not None:
            chosen[spec.name] = best[2]
            taken.add(best[2])
            if spec.kind in ("duration", "date_or_duration"):
                units[spec.name] = best[3] or "hours"
    # Exact duplicates of a used header make the choice ambiguous: say so.
    for canon, j in chosen.items():
        twins = [k for k, h in enumerate(header) if k != j and norm[k] == norm[j] and norm[j]]
        if twins:
            problems.append(
                f"column {header[j]!r} appears more than once (columns "
                + ", ".join(_col_letter(k) for k in [j, *twins])
                + f"); rename one, or name the one to use with column_map={{'...': '{canon}'}}"
            )
    unused = [h for j, h in enumerate(header) if j not in chosen.values()]
    for spec in specs:
        others = [header[j] for j, n in enumerate(norm) if n in spec.aliases and j not in chosen.values()]
        if others and spec.name in chosen:
            notes.append(
                f"{spec.name}: used column {header[chosen[spec.name]]!r}; also present, not used: "
                + ", ".join(repr(o) for o in others)
            )
    for j in sorted(timers - set(chosen.values())):
        notes.append(f"{header[j]!r} is an SLA timer (time remaining or a deadline), not an elapsed time: not used")
    if ignored:
        notes.append("ignored by column_map: " + ", ".join(repr(k) for k, v in (column_map or {}).items() if v is None))
    labels = {c: header[j] for c, j in chosen.items()}
    return ColumnMapping(chosen, labels, units, unused, notes), problems


_TIMED_KINDS = ("date", "duration", "date_or_duration")


def _likeness(name: str, alias: str) -> float:
    """How alike two normalised names are, in either word order ("opend date" is like "date opened")."""
    direct = difflib.SequenceMatcher(None, name, alias).ratio()
    words = difflib.SequenceMatcher(None, " ".join(sorted(name.split())), " ".join(sorted(alias.split()))).ratio()
    return max(direct, words)


def suggest_column_map(
    header: Sequence[str], missing: Sequence[ColumnSpec], taken: Sequence[str] = ()
) -> dict[str, str]:
    """For each missing column, the header name closest to one of its aliases (difflib), if any is close.

    Examples
    --------
    >>> spec = ColumnSpec("opened", "date", True, aliases("opened|date opened|created"), "a date")
    >>> suggest_column_map(["Ticket", "Opend date", "Notes"], [spec])
    {'Opend date': 'opened'}
    """
    out: dict[str, str] = {}
    used = {normalise_name(t) for t in taken}
    for spec in missing:
        best: tuple[float, str] | None = None
        for h in header:
            n = normalise_name(h)
            if not n or n in used or h in out or h.startswith("(column "):
                continue
            score = max(_likeness(n, a) for a in spec.aliases)
            if score >= 0.75 and (best is None or score > best[0]):
                best = (score, h)
        if best is not None:
            out[best[1]] = spec.name
    return out


def _required_missing(mapping: ColumnMapping, specs: Sequence[ColumnSpec]) -> list[ColumnSpec]:
    return [s for s in specs if s.required and s.name not in mapping.columns]
