"""A scenario as an Excel assumptions workbook, and back.

Clients and consultants live in Excel. :func:`scenario_to_workbook` writes a
scenario as a workbook with a ``README`` sheet (instructions and the schema
version) and one sheet per section (``organization``, ``incidents``,
``break_fix``, ``msp``, ``security``) with the columns ``field`` (the dotted
path), ``value``, ``unit``, ``allowed range``, ``description`` and
``source`` (from :func:`msp_analysis.assumptions`). Value cells carry Excel
data validation where Excel can express the range, so most typos are caught
as they are typed.

:func:`scenario_from_workbook` reads it back. Every value goes through the
same checks as :meth:`Scenario.replace`; a wrong value raises
:class:`WorkbookError` -- a :class:`~msp_analysis.ValidationError` with the
same path, value and expectation, whose message also names the workbook,
sheet and row -- and lists every problem found (unknown fields, missing
fields, fields on the wrong sheet, duplicates, missing sheets), not just the
first.

Examples
--------
>>> import tempfile, pathlib
>>> from msp_analysis import sample_scenario
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = scenario_to_workbook(sample_scenario(), folder / "assumptions.xlsx")
>>> scenario_from_workbook(path) == sample_scenario()
True
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from ..errors import DataError, ValidationError
from ..files import atomic_path
from ..model.defaults import assumptions, sample_scenario
from ..model.fields import without_controls
from ..model.scenario import _SECTIONS, SCHEMA_VERSION, FieldInfo, Scenario, field_info
from ..model.schema import ADDED_IN_V2
from .columns import normalise_name
from .sources import MAX_BYTES, Source, read_source, sniff
from .xlsx_grid import _head_records, _sheet_records, _unsaved_formulas, open_workbook

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation

__all__ = ["SECTIONS", "WorkbookError", "scenario_from_workbook", "scenario_to_workbook"]

SECTIONS = tuple(_SECTIONS)
HEADER = ("field", "value", "unit", "allowed range", "description", "source")
_MAX_LISTED = 50
_FORMULA_ADVICE = "open the workbook in Excel and save it, or type the number"


class WorkbookError(ValidationError, DataError):
    """A value in an assumptions workbook is wrong; the message names workbook, sheet and row.

    ``path``, ``value`` and ``expected`` are those of the first problem (as a
    :class:`~msp_analysis.ValidationError`); ``sheet`` and ``row`` say where
    it is; ``problems`` lists every problem found as dicts. It is a
    :class:`~msp_analysis.DataError` too: a workbook is a client file, and
    ``except DataError`` around any client file must catch it.
    """

    def __init__(
        self,
        path: str,
        value: object,
        expected: str,
        *,
        source: str,
        sheet: str | None,
        row: int | None,
        problems: Sequence[dict] = (),
    ) -> None:
        self.sheet = sheet
        self.row = row
        self.source = source
        self.problems = list(problems)
        super().__init__(path, value, expected)
        # DataError.__init__ (next in the MRO) resets these; the message above was built with them
        self.source = source
        self.problems = list(problems)

    def _text(self) -> str:
        first = super()._text() + f" ({_where(self.source or '', self.sheet, self.row)})"
        lines = [first] + [f"  {p['text']}" for p in self.problems[1:_MAX_LISTED]]
        if len(self.problems) > _MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - _MAX_LISTED} more")
        if len(self.problems) > 1:
            lines.insert(0, f"{self.source}: {len(self.problems)} problems.")
        return "\n".join(lines)


def _where(source: str, sheet: str | None, row: int | None) -> str:
    parts = [source]
    if sheet is not None:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

_README = (
    "Assumptions workbook for the Break/Fix vs MSP suite",
    "",
    "How to use it:",
    "1. Change numbers in the 'value' column of the section sheets only (organization, incidents,",
    "   break_fix, msp, security). Leave the 'field' column as it is: it names the model input.",
    "2. 'unit' and 'allowed range' say what each value means and what is accepted; shares are",
    "   fractions (0.25 = 25%; a cell formatted as a percentage is fine).",
    "3. Save as .xlsx and hand it back. The suite checks every value and reports any problem",
    "   with the sheet and row, so nothing wrong goes into the model unnoticed.",
    "",
    "'source' says where each default comes from (publisher, title, year) or 'assumption'.",
)


def scenario_to_workbook(scenario: Scenario, path: str | os.PathLike[str]) -> Path:
    """Write ``scenario`` as an assumptions workbook at ``path`` (.xlsx); returns the path."""
    from openpyxl import Workbook  # openpyxl is loaded only to write a workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path.name}: an assumptions workbook must be saved as .xlsx")
    sources = assumptions().set_index("path")["source"].to_dict()
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    for r, line in enumerate(_README, start=1):
        readme.cell(row=r, column=1, value=line)
    readme["A1"].font = Font(bold=True, size=14)
    base = len(_README) + 2
    meta = [
        ("schema_version", SCHEMA_VERSION),
        ("organization", scenario.organization.name),
        ("sheets", ", ".join(SECTIONS)),
    ]
    for k, (key, value) in enumerate(meta):
        readme.cell(row=base + k, column=1, value=key).font = Font(bold=True)
        _as_text(readme.cell(row=base + k, column=2, value=_escape(value)))
    readme.column_dimensions["A"].width = 100
    readme.column_dimensions["B"].width = 40
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")  # the cells meant to be edited
    paths = scenario.paths()
    for section in SECTIONS:
        ws = wb.create_sheet(section)
        ws.append(list(HEADER))
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for p in (q for q in paths if q.split(".")[0] == section):
            info = field_info(p)
            value = scenario.get(p)
            ws.append([p, _escape(value), info.unit, info.allowed(), info.doc, sources.get(p, "")])
            row = ws.max_row
            for cell in ws[row]:
                _as_text(cell)
            if isinstance(value, float) and float(f"{value:.16g}") != value:
                # openpyxl writes numbers with 16 significant digits, and 0.30000000000000004 would come
                # back as 0.3: store the shortest exact form (as Excel itself does), still a number cell.
                cell = ws.cell(row=row, column=2)
                cell.value = repr(value)
                cell.data_type = "n"
            ws.cell(row=row, column=2).fill = fill
            dv = _validation(info)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(f"B{row}")
            if info.unit == "share":
                ws.cell(row=row, column=2).number_format = "0.00##"
        for col, width in zip("ABCDEF", (44, 16, 30, 34, 60, 48)):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2):
            row[4].alignment = Alignment(wrap_text=False)
    with atomic_path(path) as tmp:  # a kill or a full disk mid-save leaves the previous workbook readable
        wb.save(tmp)
    return path


# Characters XML 1.0 cannot hold (openpyxl refuses them) are written as Excel writes them, _xHHHH_,
# and a literal "_xHHHH_" in the text has its underscore escaped (_x005F_), so every text round-trips.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_XML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _as_text(cell: Any) -> None:
    """Keep a text cell text: openpyxl stores a string that starts with '=' as a formula.

    A client's organisation name such as ``=cmd|' /C calc'!A0`` would otherwise
    be a live formula in the workbook the consultant opens in Excel, and the
    reader would refuse it as a formula with no saved value.
    """
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"


def _escape(value: object) -> object:
    """Text as an XLSX cell can hold it (see :func:`_unescape`); anything else unchanged."""
    if not isinstance(value, str):
        return value
    value = _XML_ESCAPE.sub(r"_x005F_\1", value)
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _unescape(value: object) -> object:
    """Text with Excel's ``_xHHHH_`` escapes decoded (openpyxl leaves them as they are in the file)."""
    if not isinstance(value, str) or "_x" not in value:
        return value
    return _XML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def _validation(info: FieldInfo) -> DataValidation | None:
    """An Excel data-validation rule for a field, where Excel can say it."""
    from openpyxl.worksheet.datavalidation import DataValidation  # openpyxl is loaded only to write a workbook

    if info.choices is not None:
        return DataValidation(
            type="list",
            formula1='"' + ",".join(info.choices) + '"',
            allow_blank=False,
            showErrorMessage=True,
            error=f"Expected {info.allowed()}",
        )
    if info.unit == "text" or info.low is None:
        return None
    kind = "whole" if info.integer else "decimal"
    if info.high is None:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(info.low))
    else:
        dv = DataValidation(type=kind, operator="between", formula1=str(info.low), formula2=str(info.high))
    dv.showErrorMessage = True
    dv.error = f"Expected {info.allowed()}"
    dv.errorTitle = "Value outside the allowed range"
    return dv


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _coerce(value: object, info: FieldInfo) -> object:
    """Numbers typed as text ("1,250", "95%") become numbers; everything else is left to the checks."""
    if isinstance(value, str) and info.choices is None and info.unit != "text":
        t = value.strip().replace(",", "").replace("\u00a0", "")
        try:
            return float(t[:-1]) / 100 if t.endswith("%") else float(t)
        except ValueError:
            return value
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and info.unit == "text":
        return str(math.trunc(value)) if float(value).is_integer() else str(value)
    return value


def scenario_from_workbook(source: Any, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> Scenario:
    """Read an assumptions workbook written by :func:`scenario_to_workbook` (and edited in Excel).

    ``source`` is a path, bytes or an upload (as for :func:`.load_tickets`).

    Raises
    ------
    WorkbookError
        A value, field or sheet is wrong (a ValidationError naming sheet and row).
    DataError
        The file is not a readable XLSX workbook.

    Examples
    --------
    >>> scenario_from_workbook(b"field,value\\n", name="a.xlsx")
    Traceback (most recent call last):
    ...
    msp_analysis.errors.DataError: a.xlsx: is plain text, not an .xlsx workbook
    """
    src = read_source(source, name, max_bytes)
    if not isinstance(src, Source):
        raise DataError("scenario_from_workbook: expected an .xlsx file, not a table")
    what = sniff(src.data) if src.data.strip() else "an empty file"
    if what != "xlsx":
        raise DataError(
            f"{src.name}: is {what if what != 'text' else 'plain text'}, not an .xlsx workbook", source=src.name
        )
    return _scenario_from_sheets(_read_sheets(src), src.name)


@dataclass(frozen=True)
class _Sheet:
    """One sheet's rows as read, and the (record, column) of its formulas with no saved value."""

    title: str
    records: list[list]
    formulas: frozenset[tuple[int, int]]


def _read_sheets(src: Source) -> dict[str, _Sheet | None]:
    """Every worksheet's title, and the rows of those the reader needs (README and the sections).

    This is the only step that reads the file: openpyxl's failures on a
    damaged sheet become DataErrors here (:func:`.xlsx_grid._sheet_records`),
    and everything after works on plain lists, so a bug there surfaces as itself.
    """
    wanted = {"readme", *SECTIONS}
    wb = open_workbook(src)  # with the zip-bomb checks of every client workbook
    try:
        sheets: dict[str, _Sheet | None] = {}
        for ws in wb.worksheets:
            if ws.title.strip().lower() not in wanted:
                sheets[ws.title] = None
                continue
            if ws.title.strip().lower() in SECTIONS:
                # a section's header is its first row: without 'field' and 'value' the sheet is refused on
                # that row alone (read_section says so), and its body -- maybe 150,000 rows -- is never read
                head = _head_records(ws, src.name, 1, 1)[:1]
                norm = [normalise_name(h) for h in (head[0] if head else [])]
                if "field" not in norm or "value" not in norm:
                    sheets[ws.title] = _Sheet(ws.title, head, frozenset())
                    continue
            records = _sheet_records(ws, src.name)
            # a formula with no saved value (the workbook was written by a program) reads as empty: say what it is
            formulas = frozenset(_unsaved_formulas(src, ws, records))
            sheets[ws.title] = _Sheet(ws.title, records, formulas)
        return sheets
    finally:
        wb.close()


class _Problems(list):
    """The workbook's problems, as dicts, each with the text its line in the message has."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def add(
        self, path: str | None, value: object, expected: str, sheet: str | None = None, row: int | None = None
    ) -> None:
        text = f"{_where(self.source, sheet, row)}: {path or 'workbook'}: got {value!r}, expected {expected}"
        self.append({"path": path, "value": value, "expected": expected, "sheet": sheet, "row": row, "text": text})


def _scenario_from_sheets(sheets: dict[str, _Sheet | None], source: str) -> Scenario:
    """The scenario the sheets hold, or a WorkbookError listing every problem found."""
    fields = _Fields(_Problems(source), sample_scenario().paths())  # the paths do not depend on the values
    lowered = {t.strip().lower(): t for t in sheets}
    readme = sheets.get(lowered.get("readme", ""))
    version = _check_schema_version(readme, fields.problems) if readme is not None else SCHEMA_VERSION
    for section in SECTIONS:
        sheet = sheets.get(lowered.get(section, ""))
        if sheet is None:
            expected = "a sheet named " + repr(section) + "; sheets: " + ", ".join(map(repr, sheets))
            fields.problems.add(section, "<missing sheet>", expected)
        else:
            fields.read_section(section, sheet)
    added = ADDED_IN_V2 if version == 1 else frozenset()  # an older workbook: the migration fills these
    # a sheet without its header was refused as a whole: its fields are not also listed one by one as missing
    headless = {p["path"] for p in fields.problems if str(p["expected"]).startswith("a header row with")}
    for path in fields.all_paths:
        section = path.split(".")[0]
        if (
            path not in fields.values
            and path not in added
            and lowered.get(section) is not None
            and section not in headless
        ):
            expected = "a row for this field: it is required"
            fields.problems.add(path, "<missing>", expected, lowered[path.split(".")[0]], None)
    if fields.problems:
        _raise(fields.problems, source)
    data: dict = {"schema_version": version}
    for path, value in fields.values.items():
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    try:
        return Scenario.from_dict(data)
    except ValidationError as e:  # a check across fields (a p90 below its median)
        sheet_name, row = fields.where.get(e.path, (e.path.split(".")[0], None))
        fields.problems.add(e.path, e.value, e.expected, sheet_name, row)
        _raise(fields.problems, source)


def _check_schema_version(readme: _Sheet, problems: _Problems) -> int:
    """The workbook's schema version (1 or the current one; the current one if not stated); others are problems."""
    found = SCHEMA_VERSION
    for r, row in enumerate(readme.records, start=1):
        if row and row[0] == "schema_version":
            version = row[1] if len(row) > 1 else None
            if isinstance(version, bool) or version not in (1, SCHEMA_VERSION):
                problems.add(
                    "schema_version", version, f"1 or {SCHEMA_VERSION} (versions this release reads)", "README", r
                )
            else:
                found = int(version)
    return found


@dataclass
class _Fields:
    """The fields read so far: each value (None where wrong), the sheet and row it came from, and the problems."""

    problems: _Problems
    all_paths: list[str]
    values: dict[str, object] = field(default_factory=dict)
    where: dict[str, tuple[str, int]] = field(default_factory=dict)

    def read_section(self, section: str, sheet: _Sheet) -> None:
        """Read the rows of one section's sheet: a 'field' and a 'value' column under a header row."""
        rows = iter(sheet.records)
        header = next(rows, None) or ()
        norm = [normalise_name(h) for h in header]
        if "field" not in norm or "value" not in norm:
            self.problems.add(section, list(header), "a header row with 'field' and 'value' columns", sheet.title, 1)
            return
        jf, jv = norm.index("field"), norm.index("value")
        for r, record in enumerate(rows, start=2):
            row = tuple(record) + (None,) * max(0, max(jf, jv) + 1 - len(record))
            key, value = row[jf], row[jv]
            if key is None or (isinstance(key, str) and not key.strip()):
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    self.problems.add(None, value, "a field name in the 'field' column", sheet.title, r)
                continue
            path = self._path(section, str(key).strip(), value, sheet.title, r)
            if path is not None:
                self.where[path] = (sheet.title, r)
                self.values[path] = self._value(path, value, (r - 1, jv) in sheet.formulas, sheet.title, r)

    def _path(self, section: str, path: str, value: object, title: str, r: int) -> str | None:
        """The dotted path a 'field' cell names (a section's own fields may omit the section), or None if wrong."""
        if not path.startswith(section + ".") and f"{section}.{path}" in self.all_paths:
            path = f"{section}.{path}"
        if path not in self.all_paths:
            options = [p for p in self.all_paths if p.startswith(section + ".")]
            self.problems.add(path, value, f"a field of this sheet ({', '.join(options[:8])}, ...)", title, r)
            return None
        if path.split(".")[0] != section:
            self.problems.add(path, value, f"to be on sheet {path.split('.')[0]!r}, not {section!r}", title, r)
            return None
        if path in self.values:
            self.problems.add(path, value, f"each field once (it is also on row {self.where[path][1]})", title, r)
            return None
        return path

    def _value(self, path: str, value: object, formula: bool, title: str, r: int) -> object:
        """A field's checked value, or None (with the problem added) if the cell is a formula, empty or wrong."""
        info = field_info(path)
        if formula:
            self.problems.add(path, value, f"a value, not a formula with no saved value ({_FORMULA_ADVICE})", title, r)
            return None
        value = _unescape(value)
        if info.unit == "text" and info.choices is None and (value is None or isinstance(value, str)):
            # a blank name is a name the scenario allows: as written; control characters (which a scenario
            # refuses) are removed from a client's file with a warning, not a reason to refuse the workbook
            text = "" if value is None else without_controls(value, f"{_where(self.problems.source, title, r)}: {path}")
            if not info.zone:
                return text
            try:  # a time zone is checked here, so that a bad one is named by sheet and row
                return info.check(path, text)
            except ValidationError as e:
                self.problems.add(path, value, e.expected, title, r)
                return None
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problems.add(path, "<empty>", info.allowed(), title, r)
            return None
        try:
            return info.check(path, _coerce(value, info))
        except ValidationError as e:
            self.problems.add(path, value, e.expected, title, r)
            return None


def _raise(problems: list[dict], source: str) -> NoReturn:
    first = problems[0]
    raise WorkbookError(
        first["path"] or "",
        first["value"],
        first["expected"],
        source=source,
        sheet=first["sheet"],
        row=first["row"],
        problems=problems,
    )
