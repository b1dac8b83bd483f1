"""Field metadata and validation: how a scenario field states its unit and range, once.

Every numeric field of a scenario section carries a :class:`FieldInfo` in its
dataclass metadata (unit, meaning, allowed range). The same record checks a
value (:meth:`FieldInfo.check`), words the allowed range for error messages
(:meth:`FieldInfo.allowed`) and feeds the assumptions table, the widgets and
the Excel workbook. This module holds that record, the ``field()`` helpers the
sections are declared with (:func:`checked`, :func:`share`, :func:`nested`,
:func:`per_entry`), the mixins that run the checks after ``__init__``
(:class:`Validated`, :class:`ChecksPerEntry`) and the strict builder of a
section from a plain mapping (:func:`build`). The sections themselves live in
:mod:`msp_analysis.model.scenario`.

Examples
--------
>>> from msp_analysis.model.fields import FieldInfo
>>> info = FieldInfo("share", "Share of users affected", 0.0, 1.0)
>>> info.allowed()
'a number in [0, 1] (share)'
>>> info.check("incidents.p1.users_affected_share", 1)
1.0
>>> info.check("incidents.p1.users_affected_share", 1.3)
Traceback (most recent call last):
...
msp_analysis.errors.ValidationError: incidents.p1.users_affected_share: got 1.3, expected a number in [0, 1] (share)
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import math
import numbers
import re
import warnings
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from ..errors import ValidationError
from .distributions import GAMMA_RATIO_RANGE

__all__ = [
    "CONTROL_CHARACTERS",
    "LOGNORMAL_MAX_RATIO",
    "ChecksPerEntry",
    "FieldInfo",
    "Validated",
    "as_real",
    "build",
    "checked",
    "first_failing",
    "info_at",
    "join_path",
    "nested",
    "per_entry",
    "share",
    "split_path",
    "texts_without_controls",
    "to_plain",
    "walk_leaves",
    "without_controls",
]

#: Control characters (C0 with tab and line ends, DEL, C1): refused in a scenario's text fields, removed with a
#: warning from text read out of a client's files (:func:`msp_analysis.ingest.clients.load_client`).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Largest p90 / median of a lognormal (severity, fines): the mean is then
#: exp(sigma^2 / 2) ~ 1e25 times the median; much wider ranges overflow.
LOGNORMAL_MAX_RATIO = 1e6

_SPACING = re.compile(r"[\t\n\r\x0b\x0c\x85]+")  # line ends and tabs become one space; the other controls go


def without_controls(value: str, where: str) -> str:
    r"""``value`` with its control characters removed, warning (naming ``where``) when there were any.

    For text read from a client's files, where refusing the whole file for a
    stray character would help nobody: tabs and line ends become a space.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     without_controls("Acme\x07\nLtd", "scenario.json: organization.name")
    'Acme Ltd'
    >>> str(caught[0].message)
    "scenario.json: organization.name: removed 2 control characters from 'Acme\\x07\\nLtd'"
    """
    found = CONTROL_CHARACTERS.findall(value)
    if not found:
        return value
    shown = repr(value[:80] + ("…" if len(value) > 80 else ""))
    warnings.warn(f"{where}: removed {len(found)} control characters from {shown}", UserWarning, stacklevel=2)
    return CONTROL_CHARACTERS.sub("", _SPACING.sub(" ", value))


@dataclass(frozen=True)
class FieldInfo:
    """Unit, allowed range and meaning of one scenario field."""

    unit: str
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    integer: bool = False
    choices: tuple[str, ...] | None = None
    #: a text holding an IANA time zone name, or "" for "not stated"
    zone: bool = False

    def allowed(self) -> str:
        """What is allowed, in words, for error messages and tables."""
        if self.zone:
            return "an IANA time zone name such as 'Europe/London' or 'America/New_York', or '' (not stated)"
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.unit == "text":
            return "a text"
        kind = "a whole number" if self.integer else "a number"
        lo = "" if self.low is None else _fmt(self.low)
        hi = "" if self.high is None else _fmt(self.high)
        if self.low is not None and self.high is not None:
            text = f"{kind} in {'(' if self.low_open else '['}{lo}, {hi}]"
        elif self.low is not None:
            text = f"{kind} {'>' if self.low_open else '>='} {lo}"
        else:
            text = kind
        return f"{text} ({self.unit})" if self.unit else text

    def check(self, path: str, value: Any) -> Any:
        """Return ``value`` normalised (plain ``int``/``float``/``str``) or raise."""
        if self.choices is not None or self.unit == "text":
            return self._check_text(path, value)
        v = as_real(value)
        if v is None or not self.accepts(v):
            raise ValidationError(path, value, self.allowed())
        return int(v) if self.integer else v

    def accepts(self, values: npt.ArrayLike) -> Any:
        """Whether each of ``values`` (real numbers) is finite, whole if need be, and in range.

        The test :meth:`check` applies to one value, for an array of them at
        once (a batch of input sets, :mod:`msp_analysis.engine.batch`).

        Examples
        --------
        >>> FieldInfo("share", "A share", 0.0, 1.0).accepts([0.5, 1.3, float("nan")]).tolist()
        [True, False, False]
        """
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(v)
            if self.integer:
                ok &= v == np.trunc(v)
            if self.low is not None:
                ok &= (v > self.low) if self.low_open else (v >= self.low)
            if self.high is not None:
                ok &= v <= self.high
        return ok

    def _check_text(self, path: str, value: Any) -> str:
        if self.zone and value is None:
            return ""  # not stated
        if not isinstance(value, str):
            raise ValidationError(path, value, self.allowed())
        if self.zone:
            name = value.strip()
            if name and not known_zone(name):
                raise ValidationError(path, value, self.allowed())
            return name
        if self.choices is not None:
            # Each set of choices is written in one case (regimes lower,
            # currency codes upper): either case is accepted and the choice
            # comes back spelled as declared.
            stripped = value.strip()
            for candidate in (stripped.lower(), stripped.upper()):
                if candidate in self.choices:
                    return candidate
            raise ValidationError(path, value, self.allowed())
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in a JSON file): to_json could not write it
            raise ValidationError(path, value, "a text of Unicode characters") from None
        bad = CONTROL_CHARACTERS.search(value)
        if bad is not None:  # a report's XML (PPTX, XLSX) cannot hold most of them, and a title no line end
            raise ValidationError(
                path, value, f"a text without control characters (it has {bad.group()!r} at position {bad.start()})"
            )
        return value


# Names the zone database ships that are not places: "localtime" is whatever
# the machine is set to (a file read on one machine means another hour on the
# next), "posixrules" a template, "Factory" a placeholder with the abbreviation
# "-00", and "right/..." the same zones counting leap seconds.
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def _zone_names() -> frozenset[str]:
    # Scanning the database reads every file: once per process is enough.
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def known_zone(name: str) -> bool:
    """Whether ``name`` is a place's time zone of the IANA database (as :mod:`zoneinfo` lists it).

    Only names :func:`zoneinfo.available_timezones` lists (and ``"UTC"``)
    count, and not the ones that name no place (``localtime``, ``posixrules``,
    ``Factory``, ``right/...``, ``posix/...``): ``ZoneInfo`` opens any file
    under the database's folders, so opening a name proves too little.

    Examples
    --------
    >>> known_zone("Europe/Madrid"), known_zone("Mars/Olympus_Mons"), known_zone("../etc/passwd")
    (True, False, False)
    >>> known_zone("localtime"), known_zone("right/UTC"), known_zone("Factory"), known_zone("UTC")
    (False, False, False, True)
    """
    if name in NOT_PLACES or name.startswith(("right/", "posix/")) or name not in _zone_names():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # listed but unreadable (a broken install)
        return False
    return True


def texts_without_controls(obj: Any, name: str, path: str = "") -> Any:
    """``obj`` (parsed JSON) with control characters removed from every text, each removal warned of.

    Examples
    --------
    >>> texts_without_controls({"a": ["x", 1]}, "s.json")
    {'a': ['x', 1]}
    """
    if isinstance(obj, str):
        return without_controls(obj, f"{name}: {path or 'scenario'}")
    if isinstance(obj, dict):
        return {k: texts_without_controls(v, name, f"{path}.{k}" if path else str(k)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [texts_without_controls(v, name, f"{path}[{i}]") for i, v in enumerate(obj)]
    return obj


def as_real(value: Any) -> float | None:
    """``value`` as a plain float, or None when it is not a real number.

    Booleans are not numbers here; an int too large for a float (``10**400``)
    is returned as infinity so that the range check refuses it by name; a
    negative zero becomes zero (it would print as "-0" in every table).

    Examples
    --------
    >>> as_real(3), as_real(True), as_real("3"), as_real(10**400), as_real(-0.0)
    (3.0, None, None, inf, 0.0)
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value) + 0.0
    except OverflowError:
        return -math.inf if value < 0 else math.inf


def _fmt(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    return f"{x:g}"


# -- field() helpers the sections are declared with ----------------------------
# Each returns a dataclasses.field whose metadata the mixins below and
# scenario.field_info read; none gives a default, so every field is required.


def checked(
    unit: str,
    doc: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    integer: bool = False,
    choices: tuple[str, ...] | None = None,
    zone: bool = False,
) -> Any:
    """A field checked against ``FieldInfo(unit, doc, low, high, ...)``."""
    return field(metadata={"info": FieldInfo(unit, doc, low, high, low_open, integer, choices, zone)})


def share(doc: str) -> Any:
    """A field holding a share in [0, 1]."""
    return checked("share", doc, 0.0, 1.0)


def nested(cls: type, doc: str) -> Any:
    """A field holding a group of fields (a dataclass that checks itself)."""
    return field(metadata={"nested": cls, "doc": doc})


def per_entry(
    cls: type, unit: str, doc: str, low: float | None = None, high: float | None = None, *, low_open: bool = False
) -> Any:
    """A PerPriority / PerRegime field whose every entry obeys one FieldInfo."""
    return field(metadata={"nested": cls, "doc": doc, "each": FieldInfo(unit, doc, low, high, low_open)})


#: Dotted path of the group :func:`build` is building (``"incidents.p1"``), so
#: that a nested class's messages name every field in full, the one refused and
#: the one it is compared with.
_BUILD_PREFIX: contextvars.ContextVar[str] = contextvars.ContextVar("_BUILD_PREFIX", default="")


class Validated:
    """Mixin: validate fields from their metadata in ``__post_init__``.

    ``_prefix`` is the section's own dotted path (``"break_fix"``); nested
    helper classes have none and take the path :func:`build` gives them
    (constructed directly, they name their fields alone).
    """

    # Declared for the type checker: every subclass is a dataclass.
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    _prefix = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            info = f.metadata.get("info")
            if info is not None:
                object.__setattr__(self, f.name, info.check(self._path(f.name), value))
            elif "nested" in f.metadata and not isinstance(value, f.metadata["nested"]):
                raise ValidationError(self._path(f.name), value, f"a {f.metadata['nested'].__name__}")
        self._cross_checks()

    def _path(self, name: str) -> str:
        prefix = self._prefix or _BUILD_PREFIX.get()
        return f"{prefix}.{name}" if prefix else name

    def _cross_checks(self) -> None:
        """Checks that involve more than one field."""

    def _lognormal_above(self, low_name: str, high_name: str, low: float, high: float) -> None:
        """A lognormal's p90 must exceed its median, by at most LOGNORMAL_MAX_RATIO.

        A ratio of 10**6 already puts the mean 10**25 times above the median;
        beyond 10**10 the second moment, and soon the mean, overflow.
        """
        with np.errstate(divide="ignore", invalid="ignore"):  # arrays for a batch: see _need_above
            above, ratio = np.asarray(high > low), np.asarray(high / low)
        if not above.all():
            low, high = first_failing(above, low, high)
            raise ValidationError(self._path(high_name), high, f"a value above {self._path(low_name)} = {low:g}")
        if not (ratio <= LOGNORMAL_MAX_RATIO).all():
            low, high = first_failing(ratio <= LOGNORMAL_MAX_RATIO, low, high)
            raise ValidationError(
                self._path(high_name), high, f"at most {LOGNORMAL_MAX_RATIO:.0e} times {self._path(low_name)} = {low:g}"
            )

    def _need_above(self, low_name: str, high_name: str, low: float, high: float) -> None:
        """``high`` must exceed ``low`` and form a shape a Gamma can express.

        For a batch (arrays, one entry per input set) the first input set that
        fails is named by its values.
        """
        lo, hi = GAMMA_RATIO_RANGE
        with np.errstate(divide="ignore", invalid="ignore"):
            above, ratio = np.asarray(high > low), np.asarray(high / low)
        if not above.all():
            low, high = first_failing(above, low, high)
            raise ValidationError(self._path(high_name), high, f"a value above {self._path(low_name)} = {low:g}")
        if not (ratio < hi).all():
            low, high = first_failing(ratio < hi, low, high)
            raise ValidationError(self._path(high_name), high, f"at most {hi:.3g} times {self._path(low_name)}")
        if not (ratio > lo).all():
            low, high = first_failing(ratio > lo, low, high)
            raise ValidationError(
                self._path(high_name), high, f"at least {lo:.9g} times {self._path(low_name)} = {low:g}"
            )


def first_failing(ok: npt.NDArray[np.bool_], *values: float) -> tuple[float, ...]:
    """``values`` at the first input set where ``ok`` is False (for one scenario: the values themselves).

    Examples
    --------
    >>> first_failing(np.array([True, False]), 1.0, np.array([3.0, 4.0]))
    (1.0, 4.0)
    """
    if ok.ndim == 0:
        return values
    i = int(np.argmin(ok.ravel()))
    return tuple(float(np.broadcast_to(v, ok.shape).ravel()[i]) for v in values)


class ChecksPerEntry(Validated):
    """Validate PerPriority / PerRegime entries against the parent field's range."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            each = f.metadata.get("each")
            if each is None:
                continue
            value = getattr(self, f.name)
            if not isinstance(value, f.metadata["nested"]):
                raise ValidationError(self._path(f.name), value, f"a {f.metadata['nested'].__name__}")
            for sub in dataclasses.fields(value):
                checked_value = each.check(self._path(f"{f.name}.{sub.name}"), getattr(value, sub.name))
                object.__setattr__(value, sub.name, checked_value)
        super().__post_init__()


# -- plain data <-> dataclasses --------------------------------------------------


def build(cls: type[Validated], data: Any, path: str) -> Validated:
    """Build dataclass ``cls`` from a dict, strictly: no unknown, no missing keys."""
    if not isinstance(data, Mapping):
        raise ValidationError(path, data, f"a mapping of {cls.__name__} fields")
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            raise ValidationError(
                join_path(path, str(key)), data[key], f"no such field; {path or 'scenario'} has " + ", ".join(names)
            )
    kwargs = {}
    for f in dataclasses.fields(cls):
        sub = join_path(path, f.name)
        if f.name not in data:
            raise ValidationError(sub, "<missing>", "a value: the field is required")
        value = data[f.name]
        nested_cls = f.metadata.get("nested")
        kwargs[f.name] = build(nested_cls, value, sub) if nested_cls is not None else value
    if cls._prefix:  # sections report their full path
        return cls(**kwargs)
    token = _BUILD_PREFIX.set(path)
    try:
        return cls(**kwargs)
    finally:
        _BUILD_PREFIX.reset(token)


def join_path(prefix: str, name: str) -> str:
    """``prefix.name``, or ``name`` alone at the top."""
    return f"{prefix}.{name}" if prefix else name


def split_path(path: str) -> list[str]:
    """The parts of a dotted field path; a malformed path raises ``ValidationError``."""
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise ValidationError(str(path), path, "a dotted field path such as 'msp.per_user_monthly'")
    return path.split(".")


def to_plain(obj: Any) -> dict[str, Any]:
    """A dataclass (and the dataclasses it holds) as nested plain dicts."""
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        out[f.name] = to_plain(v) if dataclasses.is_dataclass(v) else v
    return out


def walk_leaves(obj: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Every leaf field of a dataclass as (dotted path, value), in declaration order."""
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        p = join_path(prefix, f.name)
        if dataclasses.is_dataclass(v):
            yield from walk_leaves(v, p)
        else:
            yield p, v


def info_at(path: str, root: type, sections: Mapping[str, type], groups: tuple[type, ...]) -> FieldInfo:
    """The :class:`FieldInfo` of a dotted ``path`` below ``root`` (the scenario), whose ``sections`` name its classes.

    ``groups`` are the per-entry classes (per priority, per regime) whose
    entries share the holding field's info. A path that names no field, or a
    group of fields rather than one, is a ValidationError naming it.
    """
    parts = split_path(path)
    cls: Any = root
    each: FieldInfo | None = None
    for i, part in enumerate(parts):
        names = {f.name: f for f in dataclasses.fields(cls)} if cls is not None else {}
        if part not in names:
            raise ValidationError(path, part, "a field of the scenario (see Scenario.paths())")
        meta = names[part].metadata
        last = i == len(parts) - 1
        if cls is root:
            cls = sections[part]
        elif "info" in meta:
            if last:
                return meta["info"]
            cls = None
        elif "each" in meta:
            each, cls = meta["each"], meta["nested"]
        elif cls in groups:
            if last:
                assert each is not None  # set by the per_entry field that holds this group
                return each
            cls = None
        else:
            cls = meta["nested"]
    raise ValidationError(path, path, "a single field, not a group of fields")
