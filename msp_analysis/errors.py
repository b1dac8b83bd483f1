"""The library's exceptions.

Two kinds of bad input reach the suite: impossible model parameters (a negative
rate, a probability of 1.3) and broken client files (an empty CSV, a date that
is not a date). Each has one exception type, both subclasses of ``ValueError``
so that callers who only know the standard library can still catch them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["DataError", "MSPAnalysisError", "ValidationError"]

_MAX_SHOWN = 200  # characters of an offending value a message echoes (files.MAX_MESSAGE_VALUE says the same)


class MSPAnalysisError(ValueError):
    """Base class of every error the library raises on purpose."""


class ValidationError(MSPAnalysisError):
    """A scenario parameter is missing, unknown or outside its allowed range.

    Parameters
    ----------
    path : str
        Dotted path of the field, e.g. ``"break_fix.hourly_rate"``.
    value : object
        The value that was given.
    expected : str
        What is allowed, in words (``"a number >= 0"``).

    Examples
    --------
    >>> err = ValidationError("msp.sla_adherence", 1.3, "a probability in [0, 1]")
    >>> str(err)
    'msp.sla_adherence: got 1.3, expected a probability in [0, 1]'
    """

    def __init__(self, path: str, value: object, expected: str) -> None:
        self.path = path
        self.value = value
        self.expected = expected
        super().__init__(self._text())

    def _text(self) -> str:
        where = self.path or "scenario"
        shown = repr(self.value)
        if len(shown) > _MAX_SHOWN:  # a 100 MB value must not make a 100 MB message
            shown = f"{shown[:_MAX_SHOWN]}… ({len(shown) - _MAX_SHOWN:,} more characters)"
        return f"{where}: got {shown}, expected {self.expected}"

    def with_prefix(self, prefix: str) -> ValidationError:
        """The same error with ``prefix.`` put in front of its path."""
        path = f"{prefix}.{self.path}" if self.path else prefix
        return ValidationError(path, self.value, self.expected)


class DataError(MSPAnalysisError):
    """A client data file cannot be read as asked.

    The message names the file and, for each problem (up to a limit), the row
    as numbered in the file, the column, the offending value and what was
    expected. ``problems`` holds the same as a list of dicts.
    """

    def __init__(
        self, message: str, problems: Sequence[dict[str, Any]] | None = None, source: str | None = None
    ) -> None:
        # A problem record holds a row number, a column, the offending value (any type) and text.
        self.problems: list[dict[str, Any]] = list(problems or [])
        self.source = source
        super().__init__(message)
