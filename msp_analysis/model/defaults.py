"""The bundled sample organisation and the sources behind every default.

Both ship inside the package (``msp_analysis/model/data/``, read with
:mod:`importlib.resources`, so they work from an installed wheel):
``sample_scenario.json`` is a fictional 45-person professional-services firm;
``assumptions.csv`` gives every field's value, unit and source (publisher,
title, year) or the word "assumption" with a note.

Rules of ``assumptions.csv`` (checked by ``tests/test_assumptions_table.py``):

- every row has a ``basis``: ``published`` (a source measured this number),
  ``assumption`` (nothing published measured it; the note says what it rests
  on) or ``client data`` (the client's own records);
- every numeric row has ``low`` and ``high``, a 90% interval with
  ``low <= value <= high`` (equal where the value is a fact, such as a
  statutory cap or the sample firm's headcount);
- non-numeric rows (names, regimes, currency codes) have a basis and a blank
  range;
- every ``published`` row names its publisher, title and year, what the
  source ``measured`` (in which unit) and for which ``population`` (which
  firms, which years). A source is cited only for a number it measured;
  where it merely anchors a guess the row is an assumption and the note
  names the anchor.
"""

from __future__ import annotations

import io
import json
from importlib import resources

import pandas as pd

from .scenario import Scenario, field_info

__all__ = [
    "ASSUMPTIONS_FILE",
    "BASES",
    "SAMPLE_FILE",
    "assumptions",
    "resource_text",
    "sample_scenario",
    "scenario_assumptions",
]

#: The values ``basis`` may take in ``assumptions.csv``.
BASES = ("published", "assumption", "client data")

#: The package's own data files (inside ``msp_analysis/model/data/``).
SAMPLE_FILE = "sample_scenario.json"
ASSUMPTIONS_FILE = "assumptions.csv"


def resource_text(name: str) -> str:
    """The text of one of the package's data files (``sample_scenario.json``, ``assumptions.csv``)."""
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def sample_scenario() -> Scenario:
    """The sample organisation: a fictional ~45-person professional-services firm.

    Read from the package's ``sample_scenario.json``; sources in :func:`assumptions`.

    Examples
    --------
    >>> s = sample_scenario()
    >>> s.organization.users
    45
    """
    return Scenario.from_dict(json.loads(resource_text(SAMPLE_FILE)))


def assumptions() -> pd.DataFrame:
    """Every default's value, unit, source and note (the package's ``assumptions.csv``).

    Columns: ``path``, ``value``, ``unit``, ``publisher``, ``title``,
    ``year``, ``note``, ``basis``, ``measured``, ``population`` as stored
    (text), ``low`` and ``high`` as numbers (the 90% interval; NaN for the
    non-numeric rows), and ``source``: "publisher, title, year", or
    "assumption" where no published figure stands behind the value (the
    note then says what the assumption rests on), or "client data" for what
    only the client can state (its time zone).

    Examples
    --------
    >>> t = assumptions().set_index("path")
    >>> t.loc["break_fix.hourly_rate", "source"]
    'iknowtech.com, rate schedule, 2023'
    >>> row = t.loc["break_fix.hourly_rate"]
    >>> float(row["low"]), float(row["high"]), row["basis"]
    (125.0, 300.0, 'published')
    >>> t.loc["msp.patch_latency_days", "basis"]
    'assumption'
    """
    table = pd.read_csv(io.StringIO(resource_text(ASSUMPTIONS_FILE)), dtype=str, keep_default_na=False)
    for bound in ("low", "high"):
        table[bound] = pd.to_numeric(table[bound].mask(table[bound] == ""))  # blank: no range (a non-numeric row)
    published = table["publisher"] != "assumption"
    table["source"] = "assumption"
    table.loc[published, "source"] = (table["publisher"] + ", " + table["title"] + ", " + table["year"])[published]
    table.loc[table["basis"] == "client data", "source"] = "client data"  # a setting of the client's, no publication
    return table


def scenario_assumptions(scenario: Scenario) -> pd.DataFrame:
    """A scenario's values beside the default, allowed range and source of each field.

    Fields that differ from the sample default are flagged, so a report shows
    which numbers are the client's and which are published or assumed. The
    default's 90% range (``low``, ``high``) and ``basis`` come with it; a
    changed value keeps the default's basis here (the caller knows whether the
    change is the client's data).
    """
    table = assumptions().set_index("path")
    rows = []
    for path in scenario.paths():
        info = field_info(path)
        value = scenario.get(path)
        default = table.loc[path, "value"] if path in table.index else ""
        rows.append(
            {
                "path": path,
                "value": value,
                "unit": info.unit,
                "allowed": info.allowed(),
                "default": default,
                "changed": str(value) != default and not _same_number(value, default),
                "low": table.loc[path, "low"] if path in table.index else float("nan"),
                "high": table.loc[path, "high"] if path in table.index else float("nan"),
                "basis": table.loc[path, "basis"] if path in table.index else "",
                "source": table.loc[path, "source"] if path in table.index else "",
                "note": table.loc[path, "note"] if path in table.index else "",
            }
        )
    return pd.DataFrame(rows)


def _same_number(value: float | str, default: str) -> bool:
    try:
        return float(value) == float(default)
    except (TypeError, ValueError):
        return False
