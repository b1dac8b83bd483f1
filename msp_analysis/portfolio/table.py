"""The portfolio table: one row per organisation, read and checked row by row.

A portfolio is a CSV or XLSX table (read with the suite's file reader:
encoding, separator and title rows found, size capped, see
:mod:`msp_analysis.ingest.tables`) with

- ``id`` (required): the organisation's identifier, taken as **text**:
  ``007`` and ``7`` are two organisations (their random streams differ, see
  :mod:`.work`);
- ``name`` (optional): the organisation's name (``organization.name``);
- ``client`` (optional): a client folder under the clients folder
  (:func:`msp_analysis.ingest.clients.clients_dir`) whose ``scenario.json``
  is the row's base instead of the portfolio's, and whose ticket export,
  when there is one, calibrates it (:func:`msp_analysis.calibrate`);
- any number of columns named by dotted scenario paths
  (``organization.users``, ``msp.per_user_monthly``, ...): the row's values
  override the base scenario; a blank cell keeps the base value.

Or the clients folder itself: one organisation per client folder holding a
``scenario.json``, its folder name as id.

Problems are found **per row** and the other rows still run: a blank or
repeated id, a value a field does not allow, a column that is not a scenario
path (for the rows that fill it in), a client folder that is not there.
Each bad row gives one :class:`RowError` (a :class:`~msp_analysis.DataError`)
naming the file, the row as numbered in the file, and every column at fault.

Examples
--------
>>> csv = (b"id,name,organization.users,msp.per_user_monthly\\n"
...        b"007,Acme,30,110\\n7,Beta,abc,120\\n008,Gamma,12,\\n008,Delta,5,100\\n,Echo,5,100\\n")
>>> p = read_portfolio(csv, name="prospects.csv")
>>> [(r.id, r.name, dict(r.changes)) for r in p.rows]
[('007', 'Acme', {'organization.name': 'Acme', 'organization.users': 30, 'msp.per_user_monthly': 110.0})]
>>> for e in p.errors:
...     print(e)
prospects.csv: row 3 (id '7'), column 'organization.users': 'abc' is not allowed; expected a whole number in [1, 1,000,000] (users)
prospects.csv: row 4 (id '008'), column 'id': '008' is also the id on row 5; expected an id used by one row only
prospects.csv: row 5 (id '008'), column 'id': '008' is also the id on row 4; expected an id used by one row only
prospects.csv: row 6, column 'id': the id is blank; expected an id: every organisation needs one

``007`` and ``7`` are two organisations:

>>> p = read_portfolio(b"id,organization.users\\n007,30\\n7,12\\n")
>>> [(r.id, r.key, r.scenario().organization.users) for r in p.rows]
[('007', '007-629f4cf933', 30), ('7', '7-7902699be4', 12)]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ValidationError
from ..files import contained, read_limited
from ..ingest.calibration import calibrate
from ..ingest.cells import parse_texts, shown
from ..ingest.clients import check_name, clients_dir
from ..ingest.columns import ColumnSpec, aliases
from ..ingest.sources import MAX_BYTES
from ..ingest.tables import read_table
from ..ingest.tickets import load_tickets
from ..model.defaults import sample_scenario
from ..model.fields import FieldInfo
from ..model.scenario import Scenario, field_info

__all__ = ["Portfolio", "PortfolioRow", "RowError", "file_key", "read_portfolio"]

_SPECS = (
    ColumnSpec("id", "text", True, aliases("id|organisation id|organization id|org id"), "an identifier"),
    ColumnSpec("name", "text", False, aliases("name"), "a name"),
    ColumnSpec("client", "text", False, aliases("client|client folder"), "a client folder name"),
)
_INTEGER = re.compile(r"[+-]?\d+")
_TICKET_FILES = ("tickets.csv", "tickets.xlsx")


class RowError(DataError):
    """A :class:`~msp_analysis.DataError` about one row of a portfolio (or one client folder).

    Attributes
    ----------
    row : int or None
        The row as numbered in the file (None for a client folder).
    id : str or None
        The row's id, when it has one.
    problems : list of dict
        ``row``, ``column``, ``value``, ``problem``, ``expected`` for each
        column at fault (``column`` None for the row as a whole).
    """

    def __init__(self, source: str, row: int | None, id: str | None, problems: list[dict]):
        self.row, self.id = row, id
        where = f"row {row}" if row is not None else "client folder"
        if id is not None:
            where += f" (id {id!r})"
        lines = [_problem_text(p) for p in problems]
        if len(lines) == 1:
            message = f"{source}: {where}, {lines[0]}"
        else:
            message = f"{source}: {where}: {len(lines)} problems\n" + "\n".join(f"  {line}" for line in lines)
        super().__init__(message, problems=problems, source=source)


def _problem_text(p: dict) -> str:
    column = f"column {p['column']!r}: " if p["column"] is not None else ""
    value = "" if p["value"] is None else f"{p['value']!r} "
    return f"{column}{value}{p['problem']}; expected {p['expected']}"


def file_key(org_id: str) -> str:
    """A file-name-safe, unique key for an organisation id (a readable part and a hash of the exact text).

    Examples
    --------
    >>> file_key("007"), file_key("7")
    ('007-629f4cf933', '7-7902699be4')
    >>> file_key("../../etc/passwd")
    'etc-passwd-3754d6cb3a'
    """
    readable = re.sub(r"[^A-Za-z0-9]+", "-", org_id).strip("-")[:40].strip("-") or "org"
    return f"{readable}-{hashlib.sha256(org_id.encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class PortfolioRow:
    """One organisation of a portfolio: its id, its base scenario and what the row changes in it.

    Attributes
    ----------
    id : str
        The organisation's id, as text.
    row : int or None
        The row as numbered in the file (None for a client folder).
    base : Scenario
        The portfolio's base scenario, or the client folder's.
    changes : dict
        Dotted path -> value set by the row (validated one by one).
    client : str or None
        The client folder the base came from.
    tickets : bytes or None
        The client's ticket export, which calibrates the base before the changes.
    tickets_name : str or None
        Its file name (CSV or XLSX is told by it).
    """

    id: str
    row: int | None
    base: Scenario = field(repr=False)
    changes: Mapping[str, Any] = field(default_factory=dict)
    client: str | None = None
    tickets: bytes | None = field(default=None, repr=False)
    tickets_name: str | None = None

    @property
    def key(self) -> str:
        """File-name key of this organisation's results (:func:`file_key`)."""
        return file_key(self.id)

    @property
    def name(self) -> str:
        """The organisation's name: the row's, else its base's."""
        return str(self.changes.get("organization.name", self.base.organization.name))

    def scenario(self) -> Scenario:
        """The organisation's scenario: the base, calibrated on the client's tickets if any, then the row's changes.

        Raises
        ------
        DataError
            The ticket export cannot be read.
        ValidationError
            A change the calibrated scenario refuses.
        """
        s = self.base
        if self.tickets is not None:
            zone = s.organization.timezone or None  # the firm's zone, when its scenario states one
            tickets, _ = load_tickets(self.tickets, name=self.tickets_name, timezone=zone)
            s = calibrate(tickets, users=s.organization.users, scenario=s).apply(s)
        return s.replace(dict(self.changes)) if self.changes else s

    def fingerprint(self) -> str:
        """SHA-256 of everything the row's results depend on (id, base, changes, tickets).

        A finished result whose fingerprint still matches is not computed
        again when a run resumes; an edited row is.
        """
        payload = {
            "id": self.id,
            "base": self.base.to_dict(),
            "changes": {k: self.changes[k] for k in sorted(self.changes)},
            "tickets": hashlib.sha256(self.tickets).hexdigest() if self.tickets is not None else None,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=repr).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Portfolio:
    """A portfolio read and checked: the rows that can run and one error per row that cannot.

    Attributes
    ----------
    source : str
        The file (or folder) name, as messages show it.
    rows : tuple of PortfolioRow
        The good rows, in file order.
    errors : tuple of RowError
        One per bad row, in file order.
    columns : tuple of str
        The dotted scenario paths the table sets.
    """

    source: str
    rows: tuple[PortfolioRow, ...]
    errors: tuple[RowError, ...] = ()
    columns: tuple[str, ...] = ()

    def error_table(self) -> pd.DataFrame:
        """Every problem of every bad row: ``row``, ``id``, ``column``, ``value``, ``problem``, ``expected``."""
        records = [
            {"row": e.row, "id": e.id, **{k: p[k] for k in ("column", "value", "problem", "expected")}}
            for e in self.errors
            for p in e.problems
        ]
        frame = pd.DataFrame(records, columns=["row", "id", "column", "value", "problem", "expected"])
        frame["row"] = frame["row"].astype("Int64")
        frame["value"] = frame["value"].map(lambda v: None if v is None else str(v)).astype(object)
        return frame


def read_portfolio(
    source: Any,
    *,
    base: Scenario | None = None,
    clients: str | os.PathLike | None = None,
    name: str | None = None,
    sheet: str | int | None = None,
) -> Portfolio:
    """Read a portfolio table (CSV, XLSX, bytes, a DataFrame) or a clients folder, row by row.

    Parameters
    ----------
    source : path, bytes, file-like or DataFrame
        The table (see the module docstring), or the path of a clients folder.
    base : Scenario, optional
        What every row without a client folder starts from (default: the
        sample organisation, :func:`msp_analysis.sample_scenario`).
    clients : path, optional
        The clients folder the ``client`` column names folders in (default:
        :func:`msp_analysis.ingest.clients.clients_dir`).
    name : str, optional
        The file's name in messages (for bytes).
    sheet : str or int, optional
        The sheet of a workbook (default: the first with an ``id`` column).

    Returns
    -------
    Portfolio

    Raises
    ------
    DataError
        The file as a whole cannot be read (not a table, no ``id`` column,
        two columns for the same scenario path). Bad *rows* do not raise:
        they are in ``Portfolio.errors``.
    """
    base = sample_scenario() if base is None else base
    if not isinstance(base, Scenario):
        raise TypeError(f"base: expected a Scenario, got {type(base).__name__}")
    if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        return _from_clients_folder(Path(source), base)
    table, problems = read_table(source, _SPECS, name=name, sheet=sheet, max_bytes=MAX_BYTES)
    where = table.grid.name
    n = len(table.data)
    by_pos: dict[int, list[dict]] = {}

    def add(pos: int, column: str | None, value: Any, problem: str, expected: str) -> None:
        by_pos.setdefault(pos, []).append(
            {"row": int(table.numbers[pos]), "column": column, "value": value, "problem": problem, "expected": expected}
        )

    # What the reader itself found (ragged records, bytes that are not UTF-8): per row too.
    for positions, column, values, problem, expected in problems.checks:
        for k, pos in enumerate(positions.tolist()):
            add(pos, column, shown(values[k]), problem[k] if isinstance(problem, list) else problem, expected)

    ids = _ids(table, add)
    paths = _path_columns(table, where)
    reserved = set(table.mapping.columns.values())
    clients_root = Path(clients) if clients is not None else clients_dir()
    client_cells = table.text("client").tolist() if "client" in table.mapping.columns else [None] * n
    name_cells = table.text("name").tolist() if "name" in table.mapping.columns else [None] * n
    bases = _ClientBases(clients_root, base)
    rows = []
    for pos in range(n):
        row_base = base
        client = client_cells[pos] if isinstance(client_cells[pos], str) else None
        if client is not None:
            row_base, problem = bases.get(client)
            if problem is not None:
                add(pos, table.mapping.labels["client"], client, *problem)
        changes = {}
        if isinstance(name_cells[pos], str):
            try:
                changes["organization.name"] = _NAME_INFO.check("organization.name", name_cells[pos])
            except ValidationError as e:
                add(pos, table.mapping.labels["name"], shown(name_cells[pos]), "is not allowed", e.expected)
        for j, (label, path, info) in paths.items():
            if j in reserved:
                continue
            raw = table.data.iat[pos, j]
            if _blank(raw):
                continue
            if info is None:
                add(pos, label, shown(raw), "is in a column that is not a scenario path", _PATH_HINT)
                continue
            value = _cell_value(raw, info)
            try:
                changes[path] = info.check(path, value)
            except ValidationError as e:
                add(pos, label, shown(raw), "is not allowed", e.expected)
        if pos not in by_pos and ids[pos] is not None:
            _check_together(row_base, changes, pos, paths, add)
        if pos in by_pos:
            continue
        rows.append(
            PortfolioRow(str(ids[pos]), int(table.numbers[pos]), row_base, changes, client, *bases.tickets(client))
        )
    errors = tuple(RowError(where, int(table.numbers[pos]), ids[pos], by_pos[pos]) for pos in sorted(by_pos))
    columns = tuple(path for _, path, info in paths.values() if info is not None)
    return Portfolio(where, tuple(rows), errors, columns)


_NAME_INFO = field_info("organization.name")
_PATH_HINT = "a column named by a dotted scenario path such as 'msp.per_user_monthly' (see Scenario.paths())"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and np.isnan(v))


def _ids(table: Any, add: Callable[..., None]) -> list[str | None]:
    """Each row's id as text (None when blank); blank and repeated ids reported on their rows."""
    label = table.mapping.labels["id"]
    ids = [v if isinstance(v, str) else None for v in parse_texts(table.values["id"]).tolist()]
    for pos, v in enumerate(ids):
        if v is None:
            add(pos, label, None, "the id is blank", "an id: every organisation needs one")
    counts = Counter(v for v in ids if v is not None)
    rows_of: dict[str, list[int]] = {}
    for pos, v in enumerate(ids):
        if v is not None and counts[v] > 1:
            rows_of.setdefault(v, []).append(int(table.numbers[pos]))
    for pos, v in enumerate(ids):
        if v is not None and counts[v] > 1:
            others = ", ".join(str(r) for r in rows_of[v] if r != table.numbers[pos])
            add(pos, label, v, f"is also the id on row {others}", "an id used by one row only")
    return ids


def _path_columns(table: Any, where: str) -> dict[int, tuple[str, str, FieldInfo | None]]:
    """Column position -> (label, dotted path, its FieldInfo or None when it names no field)."""
    out: dict[int, tuple[str, str, FieldInfo | None]] = {}
    seen: dict[str, str] = {}
    if "name" in table.mapping.columns:
        seen["organization.name"] = table.mapping.labels["name"]
    for j, label in enumerate(table.header):
        if j in table.mapping.columns.values():
            continue
        path = str(label).strip().lower()
        try:
            info = field_info(path)
        except ValidationError:
            info = None
        if info is not None:
            if path in seen:
                raise DataError(
                    f"{where}: columns {seen[path]!r} and {label!r} both set {path}; keep one", source=where
                )
            seen[path] = label
        out[j] = (label, path, info)
    return out


def _cell_value(raw: Any, info: FieldInfo) -> Any:
    """A cell as the field takes it: text for text fields, a number when the text is one, else as is."""
    if info.choices is not None or info.unit == "text":
        return raw.strip() if isinstance(raw, str) else parse_texts([raw])[0]
    if not isinstance(raw, str):
        return raw  # an XLSX number (or a date, which the field's check refuses by name)
    text = raw.strip()
    try:
        return int(text) if _INTEGER.fullmatch(text) else float(text)
    except ValueError:
        return text  # the field's check says what it expected


def _check_together(base: Scenario, changes: dict, pos: int, paths: Any, add: Callable[..., None]) -> None:
    """Checks across fields (a median below its p90): the row's changes applied to its base."""
    try:
        base.replace(changes)
    except ValidationError as e:
        labels = {path: label for label, path, info in paths.values() if info is not None}
        if e.path in changes and e.path in labels:
            add(pos, labels[e.path], shown(changes[e.path]), "is not allowed", e.expected)
        else:  # a field the row does not set, refused next to one it does: the error names both
            add(pos, None, None, str(e), "values that fit together")


class _ClientBases:
    """Client folders read once each: their scenario and ticket export."""

    def __init__(self, root: Path, default: Scenario):
        self.root, self.default = root, default
        self.cache: dict[str, tuple[Scenario, tuple[str, str] | None, bytes | None, str | None]] = {}

    def _load(self, name: str) -> Any:
        try:
            folder = self.root / check_name(name)
        except DataError as e:
            return self.default, (str(e).split(": ", 1)[-1], "a client folder name"), None, None
        scen = folder / "scenario.json"
        if not scen.is_file():
            what = "has no scenario.json" if folder.is_dir() else f"is not a folder in {self.root.name}/"
            return self.default, (what, "a client folder holding a scenario.json"), None, None
        try:
            contained(self.root, scen)  # a scenario.json that is a link leading out of the clients folder: refused
            # a client's file: control characters in its texts are removed with a warning, not refused
            scenario = Scenario.from_json(scen, clean_text=True)
        except DataError as e:
            return self.default, (str(e), "a scenario.json inside the clients folder"), None, None
        except ValidationError as e:
            return self.default, (f"has an invalid scenario.json ({e})", "a valid scenario.json"), None, None
        for ticket_name in _TICKET_FILES:
            path = folder / ticket_name
            if path.is_file():
                try:
                    contained(self.root, path)
                    # at most MAX_BYTES read, whatever stat says (a link to a device reports 0 bytes)
                    data = read_limited(path, MAX_BYTES)
                except DataError as e:
                    return (
                        scenario,
                        (str(e), "a ticket export inside the clients folder, within the size limit"),
                        None,
                        None,
                    )
                return scenario, None, data, ticket_name
        return scenario, None, None, None

    def get(self, name: str) -> Any:
        if name not in self.cache:
            self.cache[name] = self._load(name)
        scenario, problem, _, _ = self.cache[name]
        return scenario, problem

    def tickets(self, name: str | None) -> tuple[bytes | None, str | None]:
        if name is None:
            return None, None
        _, _, data, ticket_name = self.cache[name]
        return data, ticket_name


def _from_clients_folder(root: Path, base: Scenario) -> Portfolio:
    """One organisation per client folder with a scenario.json; its folder name is its id."""
    bases = _ClientBases(root, base)
    rows, errors = [], []
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "scenario.json").is_file())
    for folder in folders:
        scenario, problem = bases.get(folder)
        if problem is not None:
            p = {"row": None, "column": "scenario.json", "value": None, "problem": problem[0], "expected": problem[1]}
            errors.append(RowError(root.name, None, folder, [p]))
            continue
        rows.append(PortfolioRow(folder, None, scenario, {}, folder, *bases.tickets(folder)))
    if not folders:
        raise DataError(f"{root.name}: no client folder with a scenario.json in {root}", source=root.name)
    return Portfolio(root.name, tuple(rows), tuple(errors), ())
