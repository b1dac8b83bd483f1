"""Priorities: where a priority as a helpdesk writes it ('P1', 'Sev 2', 'Urgent', 'Priority 3 - Normal') is understood.

:func:`parse_priority` maps a value to the scenario's classes ``p1``-``p4``:
a ``priority_map`` entry first, then a number 1-4 with an optional prefix,
then the words of :data:`PRIORITY_WORDS`, then the first word.

Examples
--------
>>> [parse_priority(v) for v in ["P1", "Sev 2", "Normal", "High - business critical"]]
['p1', 'p2', 'p3', 'p2']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import DataError
from ..model.scenario import PRIORITIES
from .columns import normalise_name

__all__ = [
    "AUTOTASK_DEFAULT_PRIORITIES",
    "PRIORITY_WORDS",
    "check_bare_numbers",
    "guess_priority",
    "parse_priority",
    "propose_number_map",
]


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split("|") if w.strip()]


#: Words that name a priority in common helpdesks and in Spanish, Portuguese, French and German (accents
#: dropped, as :func:`.columns.normalise_name` leaves them), mapped to the scenario's classes. GLPI's six
#: levels and ServiceNow's five fold into four: "very high"/"major" stay apart from "high" only in GLPI, so
#: "major" (Jira's middle level) is p2; "very low" and "planning" are p4.
PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        _words(
            "critical|urgent|emergency|highest|blocker|very high|sev a|immediate|"
            "critica|critico|urgente|muy alta|muy alto|inmediata|mas alta|altisima|"  # es
            "muito alta|muito alto|altissima|imediata|"  # pt
            "critique|tres haute|tres elevee|bloquant|bloquante|immediate|"  # fr
            "kritisch|dringend|sehr hoch|notfall|sofort|hochste|blocker"  # de
        ),
        "p1",
    ),
    **dict.fromkeys(
        _words(
            "high|major|important|elevated|alta|alto|importante|elevada|haute|elevee|majeur|majeure|"
            "hoch|wichtig|erhoht|schwer"
        ),
        "p2",
    ),
    **dict.fromkeys(
        _words(
            "medium|normal|moderate|standard|average|routine|media|medio|moderada|moderado|"
            "moyenne|moyen|normale|moderee|mittel|moderat"
        ),
        "p3",
    ),
    **dict.fromkeys(
        _words(
            "low|lowest|minor|trivial|request|service request|planning|scheduled|very low|"
            "baja|bajo|muy baja|muy bajo|menor|mas baja|planificada|"  # es
            "baixa|baixo|muito baixa|muito baixo|minima|planejada|"  # pt
            "basse|faible|tres basse|mineure|mineur|planifiee|"  # fr
            "niedrig|gering|sehr niedrig|niedrigste|unkritisch|geplant"  # de
        ),
        "p4",
    ),
}

_PRIORITY_NUMBER = re.compile(
    r"^(?:p|pri|prio|priority|sev|severity|s|level|l|tier|prioridad|prioridade|priorite)?\s*([1-4])(?:\s|$)"
)
_LEADING_NUMBER = re.compile(r"^(?:p|pri|prio|priority|sev|severity|s|level|l|tier)?\s*\d+\s+(.+)$")


def _priority_key(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return normalise_name(v)


def parse_priority(value: object, priority_map: Mapping[Any, str | None] | None = None) -> str | None:
    """``p1``-``p4`` for a priority as exports write it, ``None`` if unknown.

    A ``priority_map`` entry wins over the built-in rules; the built-in rules
    read words (:data:`PRIORITY_WORDS`, in English, Spanish, Portuguese,
    French and German), a word after a number (``3 - Moderate``, Syncro's
    ``1 High``: the word decides, since vendors number their levels from 0 or
    from 1), a number 1-4 with an optional prefix (``P1``, ``Sev 2``,
    ``Priority 1 - Emergency Response``), then the first word (``High -
    business critical`` is high).

    Examples
    --------
    >>> [parse_priority(v) for v in ["P1", 2, "Priority 3 - Normal Response", "Urgent", "low", "Do Not Respond"]]
    ['p1', 'p2', 'p3', 'p1', 'p4', None]
    >>> [parse_priority(v) for v in ["Média", "Muito baixa", "Crítica", "Haute", "Niedrig", "3 - Moderate", "1 High"]]
    ['p3', 'p4', 'p1', 'p2', 'p4', 'p3', 'p2']
    """
    key = _priority_key(value)
    if priority_map:
        norm_map = {_priority_key(k): v for k, v in priority_map.items()}
        if key in norm_map:
            return norm_map[key]
    if key in PRIORITY_WORDS:
        return PRIORITY_WORDS[key]
    after = _LEADING_NUMBER.match(key)
    if after:
        rest = after.group(1)
        if rest in PRIORITY_WORDS:
            return PRIORITY_WORDS[rest]
        if rest.split(" ")[0] in PRIORITY_WORDS and not _PRIORITY_NUMBER.match(key):
            return PRIORITY_WORDS[rest.split(" ")[0]]
    m = _PRIORITY_NUMBER.match(key)
    if m:
        return f"p{m.group(1)}"
    first = key.split(" ")[0] if key else ""
    if first in PRIORITY_WORDS:
        return PRIORITY_WORDS[first]
    return None


def guess_priority(value: object) -> str:
    """The class a hint proposes for an unknown priority: the nearest known word's, else the middle one (p3).

    Examples
    --------
    >>> [guess_priority(v) for v in ["Hihg", "Lowe", "Whatever"]]
    ['p2', 'p4', 'p3']
    """
    key = _priority_key(value)
    close = difflib.get_close_matches(key, list(PRIORITY_WORDS), n=1, cutoff=0.75)
    if close:
        return PRIORITY_WORDS[close[0]]
    first = difflib.get_close_matches(key.split(" ")[0] if key else "", list(PRIORITY_WORDS), n=1, cutoff=0.75)
    return PRIORITY_WORDS[first[0]] if first else "p3"


_EXCLUDE = "__exclude__"


def _normalise_priority_map(priority_map: Mapping[Any, object] | None) -> dict[Any, str | None] | None:
    if not priority_map:
        return None
    out: dict[Any, str | None] = {}
    for k, v in priority_map.items():
        if v is None or (isinstance(v, str) and v.strip().lower() in ("", "ignore", "exclude", "skip", "none")):
            out[k] = _EXCLUDE
            continue
        p = parse_priority(v) if not (isinstance(v, str) and v.strip().lower() in PRIORITIES) else v.strip().lower()
        if p is None or str(v).strip().lower() not in (*PRIORITIES, "1", "2", "3", "4"):
            if not (isinstance(v, (int, np.integer)) and 1 <= int(v) <= 4):
                raise DataError(
                    f"priority_map: {k!r} maps to {v!r}; expected one of 'p1', 'p2', 'p3', 'p4' "
                    "(or None to leave such tickets out)"
                )
        out[k] = p
    return out


# ---------------------------------------------------------------------------
# A column of bare numbers
# ---------------------------------------------------------------------------


def _bare_numbers(values: Sequence[Any]) -> list[int] | None:
    """The distinct whole numbers of a column that holds nothing else (blanks aside), else None."""
    found: set[int] = set()
    for v in set(v for v in values if not isinstance(v, (list, dict))):
        if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, (bool, np.bool_)):
            return None
        if isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer()):
            found.add(int(v))
        elif isinstance(v, str) and v.strip().isdigit():
            found.add(int(v.strip()))
        else:
            return None
    return sorted(found) or None


def propose_number_map(numbers: Sequence[int]) -> dict[int, str]:
    """A ``priority_map`` for numbered levels: lowest number most urgent, the fourth level and after p4.

    Examples
    --------
    >>> propose_number_map([0, 1, 2, 3]), propose_number_map([1, 2, 3, 4, 5])
    ({0: 'p1', 1: 'p2', 2: 'p3', 3: 'p4'}, {1: 'p1', 2: 'p2', 3: 'p3', 4: 'p4', 5: 'p4'})
    """
    return {k: f"p{min(i + 1, 4)}" for i, k in enumerate(numbers)}


#: Autotask's default ticket-priority picklist (tenants may change it): 1 High, 2 Medium, 3 Low, 4 Critical.
AUTOTASK_DEFAULT_PRIORITIES = {1: "p2", 2: "p3", 3: "p4", 4: "p1"}


def check_bare_numbers(
    values: Sequence[Any], *, where: str, column: str, autotask: bool, priority_map: Mapping[Any, object] | None
) -> str | None:
    """A column of bare numbers: a warning when read as P1-P4, or a DataError with a ready ``priority_map``.

    Bare numbers are P1-P4 only when every one lies in 1-4 and the export is
    not one whose numbers are ids (Autotask's API gives tenant picklist ids:
    its ``2`` is Medium by default, not P2). A ``priority_map`` that names
    every number settles it. Returns the warning, or None when the column is
    not bare numbers.

    Examples
    --------
    >>> check_bare_numbers(["1", "3", "2"], where="t.csv", column="Priority", autotask=False, priority_map=None)[:53]
    "'Priority' holds bare numbers 1-3, read as P1-P4 with"
    """
    numbers = _bare_numbers(values)
    if numbers is None:
        return None
    if priority_map and {_priority_key(n) for n in numbers} <= {_priority_key(k) for k in priority_map}:
        return None
    if autotask:
        proposed = {n: AUTOTASK_DEFAULT_PRIORITIES.get(n, "p3") for n in numbers}
        raise DataError(
            f"{where}: column {column!r} holds Autotask API priority ids ({', '.join(map(str, numbers))}), which "
            "each Autotask tenant defines in its own picklist; they are not P1-P4 (by default 1 is High, 2 Medium, "
            f"3 Low, 4 Critical). Check your tenant's list and pass priority_map={proposed!r}.",
            source=where,
        )
    if numbers[0] >= 1 and numbers[-1] <= 4:
        return (
            f"{column!r} holds bare numbers {numbers[0]}-{numbers[-1]}, read as P1-P4 with 1 the most urgent; "
            f"if your helpdesk numbers its levels otherwise, pass priority_map={{1: 'p1', 2: 'p2', ...}}"
        )
    proposed = propose_number_map(numbers)
    raise DataError(
        f"{where}: column {column!r} holds bare numbers ({', '.join(map(str, numbers))}) that are not all 1-4, so "
        "they cannot be read as P1-P4 without knowing what your helpdesk means by them. If the lowest number is "
        f"the most urgent, pass priority_map={proposed!r} (edit it to your helpdesk's levels).",
        source=where,
    )
