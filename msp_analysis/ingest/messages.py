"""Messages: a loader's many identical problems said once, with the count, the first rows, a likely cause and the fix.

A file with 2,067 unreadable dates in one column has one problem, not 2,067:
:func:`group_lines` folds the problems of a column that share their wording
(row numbers and values aside) into one line when there are at least
:data:`GROUP_AT` of them -- the exact count, the first few rows with their
values, what was expected -- followed by the likely cause and the option
that fixes it (:data:`CAUSES`). Problems too few to group are listed one per
line as before.

Examples
--------
>>> problems = [
...     {"row": r, "column": "Created", "value": f"x{r}", "problem": "is not a date", "expected": "a date"}
...     for r in range(2, 9)
... ]
>>> print("\\n".join(group_lines(problems, [(7, ("Created", "is not a date", "a date"))], lambda p: "", 50)))
  7 rows, column 'Created': is not a date (rows 2 'x2', 3 'x3', 4 'x4', ...); expected a date
    Likely cause: dates in a format not recognised. Fix: pass date_format= (such as '%d/%m/%Y %H:%M'), or dayfirst=.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .cells import _quoted

__all__ = ["CAUSES", "GROUP_AT", "group_key", "group_lines"]

#: Problems of one column worded alike are grouped from this many on.
GROUP_AT = 5

#: How many rows a grouped line lists.
_EXAMPLES = 3

#: Likely cause and fix, by the start of a problem's wording.
CAUSES: dict[str, str] = {
    "is not a date": "dates in a format not recognised. Fix: pass date_format= (such as '%d/%m/%Y %H:%M'), or dayfirst=.",
    "is a duplicate ticket id": (
        "an event or audit log (a row per change of a ticket), or two exports pasted together. Fix: pass "
        "event_log='final' to collapse the rows to one per ticket (or 'first'), or remove the repeated rows."
    ),
    "is empty": "rows that are not tickets (totals, notes), or a field the helpdesk leaves empty. Fix: remove them, "
    "or pass lenient=True to set them aside.",
    "is before the opened date": (
        "columns written in different time zones, or in a different order of day and month. Fix: check timezone= "
        "and dayfirst=."
    ),
    "is not a duration": "a unit the column name does not give. Fix: rename the column with its unit ('Time (mins)').",
    "is not a known priority": "the helpdesk's own priority names. Fix: pass the priority_map proposed below.",
    "is an implausible date": "a placeholder date or a typo. Fix: correct the dates, or pass lenient=True.",
    "cannot be Jira's seconds": (
        "a Jira 'Time Spent' column edited, or exported by another tool, in hours or minutes. Fix: rename the "
        "column with its unit ('Time Spent (h)'), so that it is not read as Jira's seconds."
    ),
    "is not a price line this suite knows": (
        "a quote priced per something the scenario has no price for (per mailbox, per TB) or a line in words not "
        "recognised. Fix: write the unit after the price ('95 per server') or in a unit column, name the field "
        "(msp.flat_monthly), or take the line out of the quote and add its cost to the scenario by hand."
    ),
}


def group_key(column: str | None, problem: str, expected: str) -> tuple[str | None, str, str]:
    """The wording of a problem with its row numbers, dates and quoted values taken out, with column and expected."""
    wording = re.sub(r"\s*\(.*\)$", "", problem)  # "(first on row 12)"
    wording = re.sub(r"\s\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?", "", wording)  # "before the opened date 2024-03-01"
    return column, wording.strip(), expected


def group_lines(
    flat: Sequence[dict],
    counts: Sequence[tuple[int, tuple[str | None, str, str]]],
    line: Callable[[dict], str],
    limit: int,
) -> list[str]:
    """The message's lines: a line (and its cause) per group of :data:`GROUP_AT` or more, then the rest one by one.

    ``flat`` is the problems in row order (as many as kept), ``counts`` the
    exact count of each :func:`group_key` (every problem, kept or not),
    ``line`` how one problem is written, ``limit`` the lines of single
    problems shown.
    """
    big = {key: n for n, key in counts if n >= GROUP_AT}
    examples: dict[tuple, list[dict]] = {}
    singles: list[dict] = []
    for p in flat:
        key = group_key(p["column"], p["problem"], p["expected"])
        if key not in big:
            singles.append(p)
        elif len(examples.setdefault(key, [])) < _EXAMPLES:
            examples[key].append(p)
    lines = []
    for key, ps in examples.items():
        column, wording, expected = key
        where = f"column {column!r}" if column is not None else "the whole row"
        shown = ", ".join(f"{p['row']}" + ("" if p["value"] is None else f" {_quoted(p['value'])}") for p in ps)
        more = ", ..." if big[key] > len(ps) else ""
        lines.append(f"  {big[key]:,} rows, {where}: {wording} (rows {shown}{more}); expected {expected}")
        cause = next((c for start, c in CAUSES.items() if wording.startswith(start)), None)
        if cause:
            lines.append(f"    Likely cause: {cause}")
    lines += [line(p) for p in singles[:limit]]
    return lines
