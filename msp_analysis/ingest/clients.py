"""Client folders: where a client's scenario and data live.

Each client has a folder ``clients/<name>/`` under the user's data folder
(:func:`data_dir`: ``MSP_ANALYSIS_DATA`` if set, else the nearest ``data/``
that holds a ``clients/`` folder, from the current directory upwards, else
``./data``) holding any of:

- ``scenario.json`` -- the client's scenario (:meth:`Scenario.to_json`);
- ``tickets.csv`` or ``tickets.xlsx`` -- the helpdesk export;
- ``invoices.csv`` or ``invoices.xlsx`` -- last year's Break/Fix invoices;
- ``quote.csv`` or ``quote.xlsx`` -- an MSP's quote;
- ``README.md`` -- where the data came from.

The notebooks and the presentation list clients with :func:`list_clients`
and open one with :func:`load_client`. Names are checked: letters, digits,
spaces, ``-``, ``_`` and ``.``, no path separators and no ``..``, so a name
typed into a widget can never reach outside the clients folder.

Examples
--------
>>> "sample" in list_clients()
True
>>> client = load_client("sample")
>>> client.scenario.organization.users, client.tickets.name
(45, 'tickets.csv')
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from ..files import contained, fs_error
from ..model.scenario import Scenario
from .tickets import LoadReport, load_tickets

__all__ = [
    "DATA_ENV",
    "Client",
    "client_dir",
    "clients_dir",
    "data_dir",
    "list_clients",
    "load_client",
    "save_client_scenario",
]

#: Environment variable naming the user's data folder (client folders, exports).
DATA_ENV = "MSP_ANALYSIS_DATA"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]{0,63}")


def data_dir() -> Path:
    """The user's data folder: where client folders are listed, read and saved.

    The one answer every function that reads or writes client folders uses:

    1. ``MSP_ANALYSIS_DATA``, when set;
    2. else the nearest folder named ``data`` that holds a ``clients/``
       folder, looking in the current directory and then each parent in
       turn (a repository checkout: from its root or from ``notebooks/``);
    3. else ``data/`` under the current directory (created when a client is
       first saved).

    The package's own files (the sample organisation, the table of sources)
    are not here: they ship inside the package.

    Examples
    --------
    >>> (data_dir() / "clients" / "sample").is_dir()   # run from the repository
    True
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "data" / "clients").is_dir():
            return folder / "data"
    return here / "data"


def clients_dir() -> Path:
    """``clients/`` under :func:`data_dir`."""
    return data_dir() / "clients"


def check_name(name: str) -> str:
    """The client name, stripped, if it is a safe folder name; else a DataError saying why.

    Examples
    --------
    >>> check_name(" Acme Ltd ")
    'Acme Ltd'
    >>> check_name("../etc")
    Traceback (most recent call last):
    ...
    msp_analysis.errors.DataError: client name '../etc': expected letters, digits, spaces, '-', '_' or '.' (at most 64, starting with a letter or digit, no '..')
    """
    if not isinstance(name, str):
        raise DataError(f"client name {name!r}: expected a text")
    clean = name.strip()
    if not _NAME.fullmatch(clean) or ".." in clean or clean.endswith("."):
        raise DataError(
            f"client name {name!r}: expected letters, digits, spaces, '-', '_' or '.' "
            "(at most 64, starting with a letter or digit, no '..')"
        )
    return clean


def client_dir(name: str) -> Path:
    """The folder of client ``name`` (which need not exist yet), inside the clients folder.

    The clients folder itself may be a symbolic link; a client folder that is
    a link leading anywhere else is refused (a DataError naming it).
    """
    root = clients_dir().resolve()
    folder = contained(root, check_name(name))
    if folder.parent != root:  # a checked name cannot escape, but a symlink to a sibling's subfolder could
        raise DataError(f"client name {name!r}: resolves to {folder}, outside the clients folder {root}")
    return folder


def _inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it is a regular file whose real place is inside the clients folder; None if absent.

    A ``scenario.json`` or ``tickets.csv`` that is a symbolic link leading out
    of the clients folder is refused by name: a client's folder (perhaps
    unpacked from an e-mailed archive) must not make the library read
    elsewhere.
    """
    path = folder / name
    if not os.path.lexists(path):
        return None
    contained(clients_dir(), path)
    return path if path.is_file() else None


def list_clients() -> list[str]:
    """Names of the client folders that hold a ``scenario.json``, sorted."""
    root = clients_dir()
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and (p / "scenario.json").is_file() and _NAME.fullmatch(p.name)
    )


@dataclass(frozen=True)
class Client:
    """A client folder: its scenario and the paths of its data files (None where absent)."""

    name: str
    folder: Path
    scenario: Scenario | None
    tickets: Path | None
    invoices: Path | None
    quote: Path | None
    readme: Path | None

    def describe(self) -> str:
        """A line per file, for a notebook."""
        items = [("scenario", self.folder / "scenario.json" if self.scenario else None)]
        items += [
            ("tickets", self.tickets),
            ("invoices", self.invoices),
            ("quote", self.quote),
            ("README", self.readme),
        ]
        return "\n".join(f"{k}: {p.name if p else '(none)'}" for k, p in items)

    @property
    def timezone(self) -> str | None:
        """The firm's zone as its scenario states it (``organization.timezone``), or None when not stated."""
        return (self.scenario.organization.timezone or None) if self.scenario is not None else None

    def load_tickets(self, **options: Any) -> tuple[pd.DataFrame, LoadReport]:
        """The client's ticket export read with :func:`.load_tickets`, in the firm's zone.

        ``options`` are :func:`.load_tickets`' own; without ``timezone=``
        the scenario's ``organization.timezone`` is used when it states one,
        so dates an export gives in UTC are read in the firm's local time.

        Raises
        ------
        DataError
            If the folder has no ``tickets.csv`` or ``tickets.xlsx``, or the export cannot be read.

        Examples
        --------
        >>> client = load_client("sample")
        >>> tickets, report = client.load_tickets()
        >>> len(tickets) == report.rows_kept
        True
        """
        if self.tickets is None:
            raise DataError(f"{self.folder}: no tickets.csv or tickets.xlsx in the client's folder")
        if options.get("timezone") is None:
            options["timezone"] = self.timezone
        return load_tickets(self.tickets, **options)


def _first(folder: Path, stem: str) -> Path | None:
    for suffix in (".csv", ".xlsx"):
        p = _inside(folder, f"{stem}{suffix}")
        if p is not None:
            return p
    return None


def load_client(name: str) -> Client:
    """Open client ``name``: its scenario (validated) and the paths of its files.

    Raises
    ------
    DataError
        If there is no such client (the message lists those there are).
    ValidationError
        If its ``scenario.json`` is invalid.
    """
    folder = client_dir(name)
    if not folder.is_dir():
        known = list_clients()
        # The full path and how it was chosen: from outside the repository the
        # data folder is ./data unless MSP_ANALYSIS_DATA says otherwise.
        raise DataError(
            f"no client {name!r} in {clients_dir()}; clients: "
            + (", ".join(map(repr, known)) or "none")
            + " (the data folder is MSP_ANALYSIS_DATA when set, else the nearest data/ with a clients/ folder"
            " from the current directory up, else ./data)"
        )
    scen = _inside(folder, "scenario.json")
    return Client(
        name=folder.name,
        folder=folder,
        # a client's file: control characters in its texts are removed with a warning, not refused
        scenario=Scenario.from_json(scen, clean_text=True) if scen is not None else None,
        tickets=_first(folder, "tickets"),
        invoices=_first(folder, "invoices"),
        quote=_first(folder, "quote"),
        readme=_inside(folder, "README.md"),
    )


def save_client_scenario(name: str, scenario: Scenario) -> Path:
    """Write ``scenario`` as ``data/clients/<name>/scenario.json`` (creating the folder); returns the path."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    folder = client_dir(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a file named like the client, no permission, a full disk: the library's error
        raise fs_error(folder, e, "created") from None
    target = folder / "scenario.json"
    if os.path.lexists(target):
        contained(clients_dir(), target)  # a scenario.json that is a link leading out is not followed
    return scenario.to_json(target)
