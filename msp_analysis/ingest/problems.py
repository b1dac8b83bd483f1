"""Problems: every problem a loader finds, collected per check and reported at once, or rows set aside.

Each check of a loader adds the offending cells of a whole column to a
:class:`Problems` collector. :func:`finish`, the last step of every loader,
raises one :class:`~msp_analysis.DataError` listing them all (file, row as
the file numbers it, column, value, what was expected) or, when lenient,
sets those rows aside with their reasons in a :class:`LoadReport`.
:func:`guard` wraps a loader so that a malformed file's expected failures
(a decoding, CSV, zip or parse error) become a DataError too, while a bug
surfaces as itself.
"""

from __future__ import annotations

import csv
import functools
import inspect
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import DataError
from .cells import Cell, _quoted, shown
from .grid import Grid, _where
from .messages import GROUP_AT, group_key, group_lines

if TYPE_CHECKING:  # for annotations only: tables.py imports this module, not the other way round
    from .tables import Table

#: One check's problems: data-row positions, the file's column (None: the whole row), the values shown,
#: the problem (one text, or one per position) and what was expected.
_Check: TypeAlias = tuple[np.ndarray, str | None, list[Cell], str | list[str], str]

__all__ = ["MAX_PROBLEMS_SHOWN", "LoadReport", "Problems", "finish", "guard"]

#: How many problems a DataError message lists (all are in ``error.problems``).
MAX_PROBLEMS_SHOWN = 50

_KEEP_PROBLEMS = 10_000  # problems kept in error.problems / the report (the count is always exact)


class Problems:
    """Every problem found, by data-row position; turned into a DataError or a set-aside table.

    Checks add whole columns at a time (:meth:`add_mask`), so a file of a
    million rows costs a few numpy operations per check, not a Python loop.
    ``hints`` are extra lines for the message (such as how to map an unknown
    priority). Rows the caller's own settings leave out (:meth:`leave_out`)
    are not problems -- they never raise -- but are set aside, with their
    reason, like the rest.
    """

    def __init__(self, grid: Grid, header: list[str], numbers: np.ndarray) -> None:
        self.grid = grid
        self.header = header
        self.numbers = numbers  # file row number of each data row
        self.checks: list[_Check] = []
        self.left_out: list[_Check] = []
        self.hints: list[str] = []
        self.encoding = False

    def add(
        self,
        positions: npt.ArrayLike,
        column: str | None,
        values: Sequence[Cell],
        problem: str | list[str],
        expected: str,
        encoding: bool = False,
    ) -> None:
        """Add a problem at each data-row position; ``problem`` is one text, or one per position."""
        pos = np.asarray(positions, dtype=int)
        if pos.size == 0:
            return
        self.checks.append((pos, column, list(values), problem, expected))
        self.encoding = self.encoding or encoding

    def add_mask(
        self, mask: npt.ArrayLike, column: str | None, values: Cell, problem: str | Sequence[str], expected: str
    ) -> None:
        """Add a problem for every True in ``mask``; ``values``/``problem`` are full-length or scalar."""
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if pos.size == 0:
            return
        vals = [values[p] for p in pos] if isinstance(values, (list, np.ndarray, pd.Series)) else [values] * pos.size
        texts = [problem[p] for p in pos] if isinstance(problem, (list, np.ndarray, pd.Series)) else str(problem)
        self.add(pos, column, vals, texts, expected)

    def leave_out(self, mask: npt.ArrayLike, column: str | None, values: Cell, reason: str, expected: str) -> None:
        """Set the rows in ``mask`` aside with ``reason``, without counting them as problems."""
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if pos.size:
            vals = (
                [values[p] for p in pos] if isinstance(values, (list, np.ndarray, pd.Series)) else [values] * pos.size
            )
            self.left_out.append((pos, column, vals, reason, expected))

    def __len__(self) -> int:
        return sum(c[0].size for c in self.checks)

    def bad_positions(self) -> np.ndarray:
        if not self.checks:
            return np.empty(0, dtype=int)
        return np.unique(np.concatenate([c[0] for c in self.checks]))

    def _flat(self, limit: int | None = None) -> list[dict]:
        """Problems as dicts ordered by row (then by the order of the checks)."""
        if not self.checks:
            return []
        pos = np.concatenate([c[0] for c in self.checks])
        which = np.concatenate([np.full(c[0].size, k) for k, c in enumerate(self.checks)])
        idx = np.concatenate([np.arange(c[0].size) for c in self.checks])
        order = np.lexsort((which, pos))
        if limit is not None:
            order = order[:limit]
        out = []
        for o in order:
            _positions, column, values, problem, expected = self.checks[which[o]]
            i = idx[o]
            text = problem[i] if isinstance(problem, list) else problem
            out.append(
                {
                    "row": int(self.numbers[pos[o]]),
                    "column": column,
                    "value": shown(values[i]),
                    "problem": text,
                    "expected": expected,
                    "_pos": int(pos[o]),
                }
            )
        return out

    def line(self, p: dict) -> str:
        where = f"row {p['row']}" + (f", column {p['column']!r}" if p["column"] is not None else "")
        value = "" if p["value"] is None else f"{_quoted(p['value'])} "
        return f"  {where}: {value}{p['problem']}; expected {p['expected']}"

    def error(self, n_rows: int, lenient_hint: bool = True, head: str | None = None) -> DataError:
        total = len(self)
        rows = self.bad_positions().size
        flat = self._flat(_KEEP_PROBLEMS)
        head = head or f"{total:,} problem{'s' if total != 1 else ''} in {rows:,} of {n_rows:,} data rows."
        head = f"{_where(self.grid)}: {head}"
        counts = self._group_counts()
        grouped = sum(n for n, _key in counts if n >= GROUP_AT)
        lines = [head, *group_lines(flat, counts, self.line, MAX_PROBLEMS_SHOWN)]
        more = total - grouped - min(MAX_PROBLEMS_SHOWN, len(flat) - min(grouped, len(flat)))
        if more > 0:
            lines.append(f"  ... and {more:,} more (all in error.problems).")
        lines.extend(self.hints)
        if self.encoding:
            lines.append(
                "The file is not UTF-8 text. Save it from Excel as 'CSV UTF-8', or pass encoding='cp1252' "
                "(Windows) or encoding='latin-1' if you know it is in that encoding."
            )
        elif lenient_hint:
            lines.append("Fix the file, or pass lenient=True to set such rows aside (they are listed in the report).")
        for p in flat:
            p.pop("_pos")
        return DataError("\n".join(lines), problems=flat, source=self.grid.name)

    def _group_counts(self) -> list[tuple[int, tuple[str | None, str, str]]]:
        """The exact number of problems of each wording (:func:`.messages.group_key`), over every check."""
        counts: dict[tuple[str | None, str, str], int] = {}
        for positions, column, _values, problem, expected in self.checks:
            texts = [problem] * 1 if isinstance(problem, str) else problem
            weight = positions.size if isinstance(problem, str) else 1
            for text in texts:
                key = group_key(column, text, expected)
                counts[key] = counts.get(key, 0) + weight
        return [(n, key) for key, n in counts.items()]

    def set_aside(self, table: Table, positions: np.ndarray) -> pd.DataFrame:
        """The set-aside rows: file row, every reason, and the row's values as read."""
        reasons: dict[int, list[str]] = {}
        for p in self._flat():
            col = f"{p['column']}: " if p["column"] is not None else ""
            val = "" if p["value"] is None else f"{_quoted(p['value'])} "
            reasons.setdefault(p["_pos"], []).append(f"{col}{val}{p['problem']} (expected {p['expected']})")
        positions = np.asarray(positions, dtype=int)
        cells = table.data.to_numpy(dtype=object)[positions] if positions.size else np.empty((0, len(table.header)))
        columns = {
            "row": table.numbers[positions].astype(int).tolist(),
            "reason": ["; ".join(reasons.get(int(pos), [])) for pos in positions],
        }
        for j, h in enumerate(table.header):  # a name given twice keeps its last column, as a dict would
            column = cells[:, j].tolist()
            plain = self.grid.kind == "CSV" and not self.grid.bad_cells  # str throughout: nothing to show otherwise
            columns[h] = column if plain else [shown(v) for v in column]
        return pd.DataFrame(columns, columns=["row", "reason", *table.header])


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    """What a loader (:func:`.load_tickets`, :func:`.load_invoices`, :func:`.load_msp_quote`) read, kept and set aside.

    Attributes
    ----------
    source : str
        The file's name as shown in messages.
    format : str
        ``"CSV"`` or ``"XLSX"`` with the encoding and separator or the sheet.
    rows_read, rows_kept, rows_set_aside : int
        Data rows read (blank rows not counted), kept, and set aside; ``rows_kept
        + rows_set_aside == rows_read``.
    blank_rows : int
        Empty rows skipped.
    columns : dict
        Canonical column -> the file's column it was read from.
    unused_columns : list
        The file's columns that were not used.
    period : tuple
        First and last date in the kept rows (``None`` if none).
    set_aside : pandas.DataFrame
        One row per set-aside row: ``row`` (as numbered in the file),
        ``reason`` (every problem found in it), then the row as read.
    notes, warnings : tuple of str
        How values were interpreted, and what deserves a look.
    counts : dict
        Kept rows per priority (tickets) or other breakdowns; tickets per
        priority once an event log is collapsed.
    tickets : int or None
        The tickets an event log's kept rows were collapsed to (None when each
        row is a ticket).
    """

    source: str
    format: str
    rows_read: int
    rows_kept: int
    rows_set_aside: int
    blank_rows: int
    columns: dict
    unused_columns: list
    period: tuple
    set_aside: pd.DataFrame = field(repr=False)
    notes: tuple = ()
    warnings: tuple = ()
    counts: dict = field(default_factory=dict)
    header_row: int = 1
    tickets: int | None = None  # tickets an event log's rows were collapsed to (None: one row, one ticket)

    def summary(self) -> pd.DataFrame:
        """The report as a two-column table (item, value), for a notebook."""
        start, end = self.period
        items = [
            ("file", self.source),
            ("format", self.format),
            ("header row", self.header_row),
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
            ("rows set aside", f"{self.rows_set_aside:,}"),
            *([("tickets (event log collapsed)", f"{self.tickets:,}")] if self.tickets is not None else []),
            ("blank rows skipped", f"{self.blank_rows:,}"),
            (
                "period",
                "" if start is None else f"{start:%Y-%m-%d} to {end:%Y-%m-%d} ({_days(start, end):,} days)",
            ),
        ]
        items += [(f"column {k}", v) for k, v in self.columns.items()]
        if self.unused_columns:
            items.append(("columns not used", ", ".join(self.unused_columns)))
        counted = "rows" if self.tickets is None else "tickets"
        items += [(f"{counted} {k}", f"{v:,}") for k, v in self.counts.items()]
        items += [("note", n) for n in self.notes]
        items += [("warning", w) for w in self.warnings]
        return pd.DataFrame(items, columns=["item", "value"])

    def __str__(self) -> str:
        return "\n".join(f"{i}: {v}" for i, v in self.summary().itertuples(index=False))


def _days(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return int((pd.Timestamp(end).normalize() - pd.Timestamp(start).normalize()).days) + 1


def _format_text(grid: Grid) -> str:
    if grid.kind == "CSV":
        sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(grid.delimiter or "", repr(grid.delimiter))
        return f"CSV ({grid.encoding}, {sep}-separated)"
    if grid.kind == "XLSX":
        return f"XLSX (sheet {grid.sheet!r} of " + ", ".join(repr(s) for s in grid.sheets) + ")"
    return grid.kind


def finish(
    table: Table,
    problems: Problems,
    frame: pd.DataFrame,
    *,
    lenient: bool,
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
    period_column: str | None = None,
    count_by: str | None = None,
    lenient_hint: bool = True,
) -> tuple[pd.DataFrame, LoadReport]:
    """The last step of every loader: raise every problem at once, or set rows aside and report.

    Parameters
    ----------
    table, problems :
        From :func:`read_table`, with the loader's checks added.
    frame : pandas.DataFrame
        The loader's typed table, one row per data row of ``table``.
    lenient : bool
        False: any problem raises one DataError listing them all. True: rows
        with problems are set aside, each with every reason, in the report.
        Either way, rows left out by :meth:`Problems.leave_out` are set aside,
        and a file with no row left raises.
    notes, warnings : sequences of str
        The loader's own, reported after those of the column matching.
    period_column : str, optional
        The date column whose range over the kept rows is the report's period.
    count_by : str, optional
        A column whose kept rows are counted per value in ``report.counts``
        (every category of a categorical column, even those with none).
    lenient_hint : bool
        Whether the message suggests ``lenient=True`` (not for loaders without it).
    """
    n = len(table.data)
    if len(problems) and not lenient:
        raise problems.error(n, lenient_hint=lenient_hint)
    bad = problems.bad_positions()
    problems.checks += problems.left_out  # from here on, rows left out are listed beside those with problems
    problems.left_out = []
    aside = problems.bad_positions()
    keep = np.ones(n, dtype=bool)
    keep[aside] = False
    if not keep.any():
        raise problems.error(
            n, lenient_hint=False, head=f"every one of the {n:,} data rows has a problem; nothing left to analyse."
        )
    frame = frame[keep].reset_index(drop=True)
    warnings = list(warnings)
    if bad.size:
        warnings.append(f"{bad.size:,} rows set aside because of problems (see report.set_aside)")
    dates = frame[period_column] if period_column is not None else pd.Series([], dtype="datetime64[ns]")
    report = LoadReport(
        source=table.grid.name,
        format=_format_text(table.grid),
        rows_read=n,
        rows_kept=int(keep.sum()),
        rows_set_aside=int(aside.size),
        blank_rows=table.blank_rows,
        columns=dict(table.mapping.labels),
        unused_columns=list(table.mapping.unused),
        period=(dates.min(), dates.max()) if dates.notna().any() else (None, None),
        set_aside=problems.set_aside(table, aside),
        notes=(*table.mapping.notes, *notes),
        warnings=tuple(warnings),
        counts={} if count_by is None else {k: int(v) for k, v in frame[count_by].value_counts(sort=False).items()},
        header_row=int(table.header_number),
    )
    return frame, report


#: What a malformed file can still provoke past a loader's own checks, inside pandas or the standard
#: library: text that does not decode, a record the csv module refuses, a damaged zip, a number or a
#: date beyond what pandas can hold. Anything else a loader raises -- a KeyError, TypeError, IndexError,
#: AttributeError -- is a bug of the loader's, and surfaces as itself.
FILE_FAILURES: tuple[type[Exception], ...] = (
    UnicodeError,
    csv.Error,
    zipfile.BadZipFile,
    OverflowError,
    pd.errors.OutOfBoundsDatetime,
    pd.errors.OutOfBoundsTimedelta,
    pd.errors.ParserError,
)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def guard(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator for loaders: the failures a malformed file can provoke (:data:`FILE_FAILURES`) become a DataError.

    Every known problem is already turned into a precise DataError; this is
    the last line, so that no decoding or pandas traceback reaches a user for
    bad input. A bug surfaces as itself (a KeyError stays a KeyError), and a
    call the loader's signature does not accept (a misspelt keyword) raises
    its TypeError, not a DataError about the file.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        bound = signature.bind(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except DataError:
            raise
        except FILE_FAILURES as e:
            name = str(kwargs.get("name") or _guess_name(bound.arguments.get("source")))
            raise DataError(f"{name}: cannot be read ({type(e).__name__}: {e})", source=name) from e

    return wrapper


def _guess_name(source: object) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    if isinstance(source, Mapping) and "name" in source:
        return str(source["name"])
    return str(getattr(source, "name", "upload"))
