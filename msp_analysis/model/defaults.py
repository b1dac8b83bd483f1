"""The bundled sample organisation and the sources behind every default.

Both ship inside the package (``msp_analysis/model/data/``, read with
:mod:`importlib.resources`, so they work from an installed wheel):
``sample_scenario.json`` is a fictional 45-person professional-services firm;
``assumptions.csv`` gives every field's value, unit and source (publisher,
title, year) or the word "assumption" with a note.
"""

from __future__ import annotations

import io
import json
from importlib import resources

import pandas as pd

from .scenario import Scenario, field_info

__all__ = ["ASSUMPTIONS_FILE", "SAMPLE_FILE", "assumptions", "resource_text", "sample_scenario", "scenario_assumptions"]

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
    ``year``, ``note`` as stored, and ``source``: "publisher, title, year",
    or "assumption" where no published figure stands behind the value (the
    note then says what the assumption rests on).

    Examples
    --------
    >>> t = assumptions()
    >>> t.set_index("path").loc["break_fix.hourly_rate", "source"]
    'iknowtech.com, rate schedule, 2023'
    """
    table = pd.read_csv(io.StringIO(resource_text(ASSUMPTIONS_FILE)), dtype=str, keep_default_na=False)
    published = table["publisher"] != "assumption"
    table["source"] = "assumption"
    table.loc[published, "source"] = (table["publisher"] + ", " + table["title"] + ", " + table["year"])[published]
    return table


def scenario_assumptions(scenario: Scenario) -> pd.DataFrame:
    """A scenario's values beside the default, allowed range and source of each field.

    Fields that differ from the sample default are flagged, so a report shows
    which numbers are the client's and which are published or assumed.
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
