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

import numbers
import re
from pathlib import Path

import numpy as np

from ..errors import DataError, ValidationError
from ..model.scenario import _SECTIONS, SCHEMA_VERSION, Scenario, field_info
from .columns import normalise_name
from .sources import MAX_BYTES, read_source, sniff
from .xlsx_grid import _unsaved_formulas, open_workbook

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

    def __init__(self, path, value, expected, *, source: str, sheet: str | None, row: int | None, problems=()):
        self.sheet = sheet
        self.row = row
        self.source = source
        self.problems = list(problems)
        super().__init__(path, value, expected)
        # DataError.__init__ (next in the MRO) resets these; the message above was built with them
        self.source = source
        self.problems = list(problems)

    def _text(self) -> str:
        first = super()._text() + f" ({_where(self.source, self.sheet, self.row)})"
        lines = [first] + [f"  {p['text']}" for p in self.problems[1:_MAX_LISTED]]
        if len(self.problems) > _MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - _MAX_LISTED} more")
        if len(self.problems) > 1:
            lines.insert(0, f"{self.source}: {len(self.problems)} problems.")
        return "\n".join(lines)


def _where(source, sheet, row) -> str:
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


def scenario_to_workbook(scenario: Scenario, path) -> Path:
    """Write ``scenario`` as an assumptions workbook at ``path`` (.xlsx); returns the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..model.defaults import assumptions

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
        readme.cell(row=base + k, column=2, value=_escape(value))
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
            if isinstance(value, float) and float(f"{value:.16g}") != value:
                # openpyxl writes numbers with 16 significant digits, and 0.30000000000000004 would come
                # back as 0.3: store the shortest exact form (as Excel itself does), still a number cell.
                cell = ws.cell(row=row, column=2)
                cell.value = repr(value)
                cell.data_type = "n"
            ws.cell(row=row, column=2).fill = fill
            dv = _validation(info, DataValidation)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(f"B{row}")
            if info.unit == "share":
                ws.cell(row=row, column=2).number_format = "0.00##"
        for col, width in zip("ABCDEF", (44, 16, 30, 34, 60, 48)):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2):
            row[4].alignment = Alignment(wrap_text=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# Characters XML 1.0 cannot hold (openpyxl refuses them) are written as Excel writes them, _xHHHH_,
# and a literal "_xHHHH_" in the text has its underscore escaped (_x005F_), so every text round-trips.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_XML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escape(value):
    """Text as an XLSX cell can hold it (see :func:`_unescape`); anything else unchanged."""
    if not isinstance(value, str):
        return value
    value = _XML_ESCAPE.sub(r"_x005F_\1", value)
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _unescape(value):
    """Text with Excel's ``_xHHHH_`` escapes decoded (openpyxl leaves them as they are in the file)."""
    if not isinstance(value, str) or "_x" not in value:
        return value
    return _XML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def _validation(info, DataValidation):
    """An Excel data-validation rule for a field, where Excel can say it."""
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


def _coerce(value, info):
    """Numbers typed as text ("1,250", "95%") become numbers; everything else is left to the checks."""
    if isinstance(value, str) and info.choices is None and info.unit != "text":
        t = value.strip().replace(",", "").replace("\u00a0", "")
        try:
            return float(t[:-1]) / 100 if t.endswith("%") else float(t)
        except ValueError:
            return value
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and info.unit == "text":
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def scenario_from_workbook(source, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> Scenario:
    """Read an assumptions workbook written by :func:`scenario_to_workbook` (and edited in Excel).

    ``source`` is a path, bytes or an upload (as for :func:`.load_tickets`).

    Raises
    ------
    WorkbookError
        A value, field or sheet is wrong (a ValidationError naming sheet and row).
    DataError
        The file is not a readable XLSX workbook.
    """
    src = read_source(source, name, max_bytes)
    if not hasattr(src, "data"):
        raise DataError("scenario_from_workbook: expected an .xlsx file, not a table")
    what = sniff(src.data) if src.data.strip() else "an empty file"
    if what != "xlsx":
        raise DataError(
            f"{src.name}: is {what if what != 'text' else 'plain text'}, not an .xlsx workbook", source=src.name
        )
    wb = open_workbook(src)  # with the zip-bomb checks of every client workbook
    try:
        return _read(wb, src.name, src)
    except (WorkbookError, DataError):
        raise
    except Exception as e:  # a damaged sheet: still the user's file, not our bug
        raise DataError(f"{src.name}: cannot be read ({type(e).__name__}: {e})", source=src.name) from None
    finally:
        wb.close()


def _read(wb, source: str, src=None) -> Scenario:
    problems: list[dict] = []

    def problem(path, value, expected, sheet=None, row=None):
        text = f"{_where(source, sheet, row)}: {path or 'workbook'}: got {value!r}, expected {expected}"
        problems.append({"path": path, "value": value, "expected": expected, "sheet": sheet, "row": row, "text": text})

    sheets = {ws.title: ws for ws in wb.worksheets}
    lowered = {t.strip().lower(): t for t in sheets}
    version = SCHEMA_VERSION
    if "readme" in lowered:
        for r, row in enumerate(sheets[lowered["readme"]].iter_rows(values_only=True), start=1):
            if row and row[0] == "schema_version":
                version = row[1] if len(row) > 1 else None
                if version != SCHEMA_VERSION:
                    problem("schema_version", version, f"{SCHEMA_VERSION} (this version of msp_analysis)", "README", r)
    from ..model.defaults import sample_scenario

    all_paths = sample_scenario().paths()  # the paths do not depend on the values
    known = set(all_paths)
    values: dict[str, object] = {}
    where: dict[str, tuple[str, int]] = {}
    for section in SECTIONS:
        title = lowered.get(section)
        if title is None:
            problem(
                section,
                "<missing sheet>",
                "a sheet named " + repr(section) + "; sheets: " + ", ".join(map(repr, sheets)),
            )
            continue
        records = [list(row) for row in sheets[title].iter_rows(values_only=True)]
        # a formula with no saved value (the workbook was written by a program) reads as empty: say what it is
        formulas = set(_unsaved_formulas(src, sheets[title], records)) if src is not None else set()
        rows = iter(records)
        header = next(rows, None) or ()
        norm = [normalise_name(h) for h in header]
        if "field" not in norm or "value" not in norm:
            problem(section, list(header), "a header row with 'field' and 'value' columns", title, 1)
            continue
        jf, jv = norm.index("field"), norm.index("value")
        for r, row in enumerate(rows, start=2):
            row = tuple(row) + (None,) * max(0, max(jf, jv) + 1 - len(row))
            key, value = row[jf], row[jv]
            if key is None or (isinstance(key, str) and not key.strip()):
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    problem(None, value, "a field name in the 'field' column", title, r)
                continue
            path = str(key).strip()
            if not path.startswith(section + ".") and f"{section}.{path}" in known:
                path = f"{section}.{path}"
            if path not in known:
                options = [p for p in all_paths if p.startswith(section + ".")]
                problem(path, value, f"a field of this sheet ({', '.join(options[:8])}, ...)", title, r)
                continue
            if path.split(".")[0] != section:
                problem(path, value, f"to be on sheet {path.split('.')[0]!r}, not {section!r}", title, r)
                continue
            if path in values:
                first = where[path]
                problem(path, value, f"each field once (it is also on row {first[1]})", title, r)
                continue
            info = field_info(path)
            if (r - 1, jv) in formulas:
                problem(path, value, f"a value, not a formula with no saved value ({_FORMULA_ADVICE})", title, r)
                where[path] = (title, r)
                values[path] = None
                continue
            value = _unescape(value)
            if info.unit == "text" and info.choices is None and (value is None or isinstance(value, str)):
                value = "" if value is None else value  # a blank name is a name the scenario allows: as written
            elif value is None or (isinstance(value, str) and not value.strip()):
                problem(path, "<empty>", info.allowed(), title, r)
                where[path] = (title, r)
                values[path] = None
                continue
            try:
                values[path] = info.check(path, _coerce(value, info))
            except ValidationError as e:
                problem(path, value, e.expected, title, r)
                values[path] = None
            where[path] = (title, r)
    for path in all_paths:
        if path not in values and lowered.get(path.split(".")[0]) is not None:
            problem(path, "<missing>", "a row for this field: it is required", lowered[path.split(".")[0]], None)
    if problems:
        _raise(problems, source)
    data: dict = {"schema_version": SCHEMA_VERSION}
    for path, value in values.items():
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    try:
        return Scenario.from_dict(data)
    except ValidationError as e:  # a check across fields (a p90 below its median)
        sheet, row = where.get(e.path, (e.path.split(".")[0], None))
        problem(e.path, e.value, e.expected, sheet, row)
        _raise(problems, source)
        raise  # pragma: no cover


def _raise(problems: list[dict], source: str):
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
