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

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import DataError
from ..model.scenario import PRIORITIES
from .columns import normalise_name

__all__ = ["PRIORITY_WORDS", "parse_priority"]

#: Words that name a priority in common helpdesks, mapped to the scenario's classes.
PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(["critical", "urgent", "emergency", "highest", "blocker", "very high", "sev a", "immediate"], "p1"),
    **dict.fromkeys(["high", "major", "important", "elevated"], "p2"),
    **dict.fromkeys(["medium", "normal", "moderate", "standard", "average", "routine"], "p3"),
    **dict.fromkeys(
        ["low", "lowest", "minor", "trivial", "request", "service request", "planning", "scheduled", "very low"], "p4"
    ),
}

_PRIORITY_NUMBER = re.compile(r"^(?:p|pri|prio|priority|sev|severity|s|level|l|tier)?\s*([1-4])(?:\s|$)")


def _priority_key(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return normalise_name(v)


def parse_priority(value: object, priority_map: Mapping[Any, str | None] | None = None) -> str | None:
    """``p1``-``p4`` for a priority as exports write it, ``None`` if unknown.

    A ``priority_map`` entry wins over the built-in rules; the built-in rules
    read a number 1-4 with an optional prefix (``P1``, ``Priority 1 -
    Emergency Response``, ``Sev 2``), then words (:data:`PRIORITY_WORDS`),
    then the first word (``High - business critical`` is high).

    Examples
    --------
    >>> [parse_priority(v) for v in ["P1", 2, "Priority 3 - Normal Response", "Urgent", "low", "Do Not Respond"]]
    ['p1', 'p2', 'p3', 'p1', 'p4', None]
    """
    key = _priority_key(value)
    if priority_map:
        norm_map = {_priority_key(k): v for k, v in priority_map.items()}
        if key in norm_map:
            return norm_map[key]
    if key in PRIORITY_WORDS:
        return PRIORITY_WORDS[key]
    m = _PRIORITY_NUMBER.match(key)
    if m:
        return f"p{m.group(1)}"
    first = key.split(" ")[0] if key else ""
    if first in PRIORITY_WORDS:
        return PRIORITY_WORDS[first]
    return None


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
