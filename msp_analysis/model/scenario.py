"""Scenario: every input of the comparison, validated, with dotted-path access.

A scenario has five sections, each a frozen dataclass:

- ``organization``: who is being supported (headcount, devices, what an hour
  of their time costs, how much of their work needs IT, compliance regime);
- ``incidents``: what goes wrong, by priority class ``p1`` (site-wide outage)
  to ``p4`` (request): rate, users affected, technician work, on-site and
  after-hours shares;
- ``break_fix``: the hourly offer (rates, minimums, increments, trip fee,
  after-hours multiplier, response times);
- ``msp``: the subscription offer (per-user / per-device / flat fees, SLA,
  proactive effects, patching and monitoring);
- ``security``: costly security incidents (rate, effect of patching, severity,
  outage, regulatory fines by regime).

Every numeric field declares its unit and allowed range in its metadata; the
same metadata drives validation, the assumptions table, the widgets and the
Excel workbook, so a range is written once.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> s = sample_scenario()
>>> s.get("msp.per_user_monthly")
125.0
>>> bigger = s.replace({"organization.users": 500, "msp.per_user_monthly": 120})
>>> bigger.organization.users, bigger.msp.per_user_monthly
(500, 120.0)
>>> s.replace({"msp.sla_adherence": 1.3})
Traceback (most recent call last):
...
msp_analysis.errors.ValidationError: msp.sla_adherence: got 1.3, expected a number in [0, 1] (share)
"""

from __future__ import annotations

import contextvars
import copy
import dataclasses
import json
import math
import numbers
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ValidationError
from .distributions import GAMMA_RATIO_RANGE

__all__ = [
    "CURRENCY_SYMBOLS",
    "LOGNORMAL_MAX_RATIO",
    "MSP",
    "PRIORITIES",
    "REGIMES",
    "SCHEMA_VERSION",
    "BreakFix",
    "FieldInfo",
    "Incidents",
    "Organization",
    "PerPriority",
    "PerRegime",
    "PriorityClass",
    "Scenario",
    "Security",
]

SCHEMA_VERSION = 1
PRIORITIES = ("p1", "p2", "p3", "p4")
REGIMES = ("none", "hipaa", "pci", "gdpr")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "C$", "AUD": "A$"}

_MAX = 1e12  # a sanity bound on money and counts: anything larger is a typo
#: Largest p90 / median of a lognormal (severity, fines): the mean is then
#: exp(sigma^2 / 2) ~ 1e25 times the median; much wider ranges overflow.
LOGNORMAL_MAX_RATIO = 1e6


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

    def allowed(self) -> str:
        """What is allowed, in words, for error messages and tables."""
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
            if not isinstance(value, str):
                raise ValidationError(path, value, self.allowed())
            if self.choices is not None:
                v = value.strip().lower() if self.choices == REGIMES else value.strip().upper()
                if v not in self.choices:
                    raise ValidationError(path, value, self.allowed())
                return v
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate ("\ud800" in a JSON file): to_json could not write it
                raise ValidationError(path, value, "a text of Unicode characters") from None
            return value
        v = _as_float(value)
        if v is None or not math.isfinite(v):
            raise ValidationError(path, value, self.allowed())
        if self.integer:
            if v != int(v):
                raise ValidationError(path, value, self.allowed())
        too_low = self.low is not None and (v <= self.low if self.low_open else v < self.low)
        too_high = self.high is not None and v > self.high
        if too_low or too_high:
            raise ValidationError(path, value, self.allowed())
        return int(v) if self.integer else v


def _as_float(value: Any) -> float | None:
    """``value`` as a plain float, or None when it is not a real number.

    Booleans are not numbers here; an int too large for a float (``10**400``)
    is returned as infinity so that the range check refuses it by name; a
    negative zero becomes zero (it would print as "-0" in every table).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value) + 0.0
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _fmt(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    return f"{x:g}"


def _f(unit: str, doc: str, low=None, high=None, *, low_open=False, integer=False, choices=None):
    return field(metadata={"info": FieldInfo(unit, doc, low, high, low_open, integer, choices)})


def _share(doc: str):
    return _f("share", doc, 0.0, 1.0)


def _nested(cls, doc: str):
    return field(metadata={"nested": cls, "doc": doc})


#: Dotted path of the group :func:`_build` is building (``"incidents.p1"``), so
#: that a nested class's messages name every field in full, the one refused and
#: the one it is compared with.
_BUILD_PREFIX: contextvars.ContextVar[str] = contextvars.ContextVar("_BUILD_PREFIX", default="")


class _Validated:
    """Mixin: validate fields from their metadata in ``__post_init__``.

    ``_prefix`` is the section's own dotted path (``"break_fix"``); nested
    helper classes have none and take the path :func:`_build` gives them
    (constructed directly, they name their fields alone).
    """

    _prefix = ""

    def __post_init__(self):
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

    def _need_above(self, low_name: str, high_name: str, low, high) -> None:
        """``high`` must exceed ``low`` and form a shape a Gamma can express."""
        if not high > low:
            raise ValidationError(self._path(high_name), high, f"a value above {self._path(low_name)} = {low:g}")
        lo, hi = GAMMA_RATIO_RANGE
        if not high / low < hi:
            raise ValidationError(self._path(high_name), high, f"at most {hi:.3g} times {self._path(low_name)}")
        if not high / low > lo:
            raise ValidationError(
                self._path(high_name), high, f"at least {lo:.9g} times {self._path(low_name)} = {low:g}"
            )


@dataclass(frozen=True)
class PerPriority(_Validated):
    """One number per priority class; the parent field's metadata gives unit and range."""

    p1: float
    p2: float
    p3: float
    p4: float

    def __post_init__(self):
        # Entries are checked against the parent field's range by the section
        # that holds this group (it knows the unit and the full path).
        for name in PRIORITIES:
            v = _as_float(getattr(self, name))
            if v is not None:
                object.__setattr__(self, name, v)

    def __getitem__(self, key: str) -> float:
        return getattr(self, key)

    def as_array(self) -> np.ndarray:
        return np.array([self.p1, self.p2, self.p3, self.p4])


@dataclass(frozen=True)
class PerRegime(_Validated):
    """One number per compliance regime that carries fines."""

    hipaa: float
    pci: float
    gdpr: float

    def __post_init__(self):
        # Entries are checked against the parent field's range by the section
        # that holds this group (it knows the unit and the full path).
        for name in ("hipaa", "pci", "gdpr"):
            v = _as_float(getattr(self, name))
            if v is not None:
                object.__setattr__(self, name, v)

    def __getitem__(self, key: str) -> float:
        return getattr(self, key)


def _per(cls, unit: str, doc: str, low=None, high=None, *, low_open=False):
    """A PerPriority / PerRegime field whose every entry obeys one FieldInfo."""
    return field(metadata={"nested": cls, "doc": doc, "each": FieldInfo(unit, doc, low, high, low_open)})


class _ChecksPerEntry(_Validated):
    """Validate PerPriority / PerRegime entries against the parent field's range."""

    def __post_init__(self):
        for f in dataclasses.fields(self):
            each = f.metadata.get("each")
            if each is None:
                continue
            value = getattr(self, f.name)
            if not isinstance(value, f.metadata["nested"]):
                raise ValidationError(self._path(f.name), value, f"a {f.metadata['nested'].__name__}")
            for sub in dataclasses.fields(value):
                checked = each.check(self._path(f"{f.name}.{sub.name}"), getattr(value, sub.name))
                object.__setattr__(value, sub.name, checked)
        super().__post_init__()


@dataclass(frozen=True)
class PriorityClass(_Validated):
    """What one priority class of incident looks like.

    Users affected by one incident are ``max(1, users_affected_share * users)``;
    technician work per incident is Gamma with the given median and p90.
    """

    rate_per_user_year: float = _f(
        "incidents per user per year", "How often an incident of this class happens, per user", 0.0, 1000.0
    )
    users_affected_share: float = _share("Share of all users affected by one incident (at least one user)")
    degradation: float = _f(
        "share", "Share of an affected user's IT that is down while it lasts", 0.0, 1.0, low_open=True
    )
    work_median_hours: float = _f("hours", "Median technician work to resolve one incident", 0.0, 1000.0, low_open=True)
    work_p90_hours: float = _f("hours", "90th percentile of technician work per incident", 0.0, 5000.0, low_open=True)
    onsite_share: float = _share("Share of incidents that need someone on site (Break/Fix)")
    after_hours_share: float = _share("Share of incidents worked outside business hours")

    def _cross_checks(self):
        self._need_above("work_median_hours", "work_p90_hours", self.work_median_hours, self.work_p90_hours)


@dataclass(frozen=True)
class Organization(_Validated):
    """The organisation being supported."""

    _prefix = "organization"

    name: str = _f("text", "Organisation name shown in titles and reports")
    users: int = _f("users", "Employees who use IT", 1, 1_000_000, integer=True)
    workstations: int = _f("devices", "Desktops and laptops under support", 0, 10_000_000, integer=True)
    servers: int = _f("servers", "Servers under support", 0, 1_000_000, integer=True)
    loaded_hourly_cost: float = _f(
        "currency per hour", "Fully loaded cost of one employee-hour", 0.0, 100_000.0, low_open=True
    )
    it_dependency: float = _share("Share of work that stops when a user's IT is down")
    revenue_per_outage_hour: float = _f(
        "currency per hour", "Revenue lost per hour of a full, site-wide outage (0 if none)", 0.0, _MAX
    )
    business_hours_per_year: float = _f("hours per year", "Working hours per user per year", 1.0, 8760.0)
    compliance: str = _f("regime", "Compliance regime that can fine a breach", choices=REGIMES)
    currency: str = _f("ISO code", "Currency of every amount", choices=tuple(CURRENCY_SYMBOLS))

    @property
    def currency_symbol(self) -> str:
        return CURRENCY_SYMBOLS[self.currency]


@dataclass(frozen=True)
class Incidents(_Validated):
    """Incident classes from ``p1`` (site-wide outage) to ``p4`` (request)."""

    _prefix = "incidents"

    p1: PriorityClass = _nested(PriorityClass, "P1: site-wide outage")
    p2: PriorityClass = _nested(PriorityClass, "P2: a team or a key system down")
    p3: PriorityClass = _nested(PriorityClass, "P3: one user's problem")
    p4: PriorityClass = _nested(PriorityClass, "P4: request or minor issue")

    def __getitem__(self, key: str) -> PriorityClass:
        return getattr(self, key)

    def total_rate_per_user_year(self) -> float:
        return sum(self[p].rate_per_user_year for p in PRIORITIES)


@dataclass(frozen=True)
class BreakFix(_ChecksPerEntry):
    """The hourly (Break/Fix) offer.

    Each incident is billed at ``rate * ceil(max(work, minimum) / increment)
    * increment`` (times the after-hours multiplier when worked out of hours),
    plus the trip fee when on site. The response wait (report to technician
    starting) is Gamma per priority with the given median and p90, in
    business hours.
    """

    _prefix = "break_fix"

    hourly_rate: float = _f("currency per hour", "On-site hourly rate", 0.0, 100_000.0, low_open=True)
    remote_hourly_rate: float = _f("currency per hour", "Remote hourly rate", 0.0, 100_000.0, low_open=True)
    onsite_minimum_hours: float = _f("hours", "Minimum billable time for an on-site visit", 0.0, 24.0)
    remote_minimum_hours: float = _f("hours", "Minimum billable time for remote work", 0.0, 24.0)
    billing_increment_hours: float = _f("hours", "Billing increment above the minimum (0: billed exactly)", 0.0, 8.0)
    trip_fee: float = _f("currency per visit", "Trip charge per on-site visit", 0.0, 100_000.0)
    after_hours_multiplier: float = _f(
        "multiple of the rate", "Rate multiplier for work outside business hours", 1.0, 10.0
    )
    response_median_hours: PerPriority = _per(
        PerPriority, "business hours", "Median wait until a technician starts", 0.0, 2000.0, low_open=True
    )
    response_p90_hours: PerPriority = _per(
        PerPriority, "business hours", "90th percentile of that wait", 0.0, 10000.0, low_open=True
    )
    coordination_hours_per_incident: float = _f(
        "staff hours per incident", "Internal time spent finding, briefing and chasing the technician", 0.0, 100.0
    )
    patch_latency_days: float = _f("days", "Average days from a patch's release to its installation", 0.0, 365.0)
    monitoring_coverage: float = _share("Share of systems under active monitoring (usually none)")
    annual_escalator: float = _f("share per year", "Yearly change in hourly rates", -0.5, 1.0)

    def _cross_checks(self):
        for p in PRIORITIES:
            self._need_above(
                f"response_median_hours.{p}",
                f"response_p90_hours.{p}",
                self.response_median_hours[p],
                self.response_p90_hours[p],
            )


@dataclass(frozen=True)
class MSP(_ChecksPerEntry):
    """The subscription (managed service provider) offer.

    Monthly fee ``max(per_user * users + per_workstation * workstations +
    per_server * servers + flat, minimum)``; the onboarding fee is spread over
    the term. Responses meet the SLA target with probability
    ``sla_adherence``; a met response takes ``target * Beta(2, 2)`` (half the
    target on average), a missed one ``target * (1 + excess)`` with the
    excess Gamma (median and p90 in multiples of the target).
    """

    _prefix = "msp"

    per_user_monthly: float = _f("currency per user per month", "Price per user", 0.0, 100_000.0)
    per_workstation_monthly: float = _f("currency per device per month", "Price per workstation", 0.0, 100_000.0)
    per_server_monthly: float = _f("currency per server per month", "Price per server", 0.0, 1_000_000.0)
    flat_monthly: float = _f("currency per month", "Flat monthly fee", 0.0, _MAX)
    monthly_minimum: float = _f("currency per month", "Minimum monthly bill", 0.0, _MAX)
    onboarding_fee: float = _f("currency", "One-off onboarding fee, spread over the term", 0.0, _MAX)
    term_months: int = _f("months", "Contract term", 1, 120, integer=True)
    annual_escalator: float = _f("share per year", "Yearly price increase", -0.5, 1.0)
    out_of_scope_share: float = _share("Share of incidents outside the contract, billed by the hour")
    out_of_scope_rate: float = _f("currency per hour", "Hourly rate for out-of-scope work", 0.0, 100_000.0)
    sla_response_hours: PerPriority = _per(
        PerPriority, "business hours", "SLA response target", 0.0, 2000.0, low_open=True
    )
    sla_adherence: float = _share("Share of responses that meet the SLA target")
    sla_miss_excess_median: float = _f(
        "multiples of the target", "Median delay beyond the target when it is missed", 0.0, 100.0, low_open=True
    )
    sla_miss_excess_p90: float = _f(
        "multiples of the target", "90th percentile of that delay", 0.0, 1000.0, low_open=True
    )
    sla_credit_per_critical_miss: float = _share("Credit per missed P1/P2 response, as a share of the monthly fee")
    sla_credit_cap: float = _share("Cap on a year's credits, as a share of the annual fee")
    prevented_share: PerPriority = _per(
        PerPriority, "share", "Share of incidents that proactive maintenance prevents", 0.0, 1.0
    )
    caught_early_share: PerPriority = _per(
        PerPriority, "share", "Share of the rest that monitoring fixes before users notice", 0.0, 1.0
    )
    remote_resolution_share: float = _share("Share of would-be on-site incidents the MSP resolves remotely")
    onsite_dispatch_hours: float = _f("business hours", "Extra wait when someone must come on site", 0.0, 1000.0)
    coordination_hours_per_incident: float = _f(
        "staff hours per incident", "Internal time per incident users notice", 0.0, 100.0
    )
    vendor_management_hours_per_month: float = _f(
        "staff hours per month", "Internal time managing the contract", 0.0, 1000.0
    )
    patch_latency_days: float = _f("days", "Average days from a patch's release to its installation", 0.0, 365.0)
    monitoring_coverage: float = _share("Share of systems under active monitoring")
    vcio_hours_per_year: float = _f("hours per year", "Included strategic (vCIO) hours", 0.0, 10_000.0)

    def _cross_checks(self):
        self._need_above(
            "sla_miss_excess_median", "sla_miss_excess_p90", self.sla_miss_excess_median, self.sla_miss_excess_p90
        )


@dataclass(frozen=True)
class Security(_ChecksPerEntry):
    """Costly security incidents (not every phishing attempt: those that cost money).

    Rate per year ``base_rate_per_user_year * users * 2 ** (-(reference -
    patch_latency) / patch_halving_days)`` for patch latencies below the
    reference; above it the mirror image, levelling off at twice the base
    rate (``security.patch_rate_factor``). Severity is lognormal (median,
    p90), reduced by ``detection_severity_reduction * monitoring_coverage``.
    Each incident stops the whole site for a Gamma number of hours and, under
    a compliance regime, brings a fine with the regime's probability
    (lognormal, capped per incident).
    """

    _prefix = "security"

    base_rate_per_user_year: float = _f(
        "incidents per user per year",
        "Costly incidents per user per year at the reference patch latency, no monitoring",
        0.0,
        10.0,
    )
    reference_patch_latency_days: float = _f(
        "days", "Patch latency at which the base rate applies", 0.0, 365.0, low_open=True
    )
    patch_halving_days: float = _f("days", "Days of faster patching that halve the rate", 0.0, 365.0, low_open=True)
    severity_median: float = _f("currency", "Median direct cost of a costly incident", 0.0, _MAX, low_open=True)
    severity_p90: float = _f("currency", "90th percentile of that cost", 0.0, _MAX, low_open=True)
    detection_severity_reduction: float = _share("Cost reduction from fast detection at full monitoring coverage")
    outage_median_hours: float = _f(
        "business hours", "Median site-wide outage per costly incident", 0.0, 2000.0, low_open=True
    )
    outage_p90_hours: float = _f("business hours", "90th percentile of that outage", 0.0, 10000.0, low_open=True)
    fine_probability: PerRegime = _per(PerRegime, "share", "Probability that a costly incident brings a fine", 0.0, 1.0)
    fine_median: PerRegime = _per(PerRegime, "currency", "Median fine", 0.0, _MAX, low_open=True)
    fine_p90: PerRegime = _per(PerRegime, "currency", "90th percentile fine", 0.0, _MAX, low_open=True)
    fine_cap: PerRegime = _per(
        PerRegime, "currency", "Largest fine per incident (statutory cap)", 0.0, _MAX, low_open=True
    )

    def _cross_checks(self):
        self._lognormal_above("severity_median", "severity_p90", self.severity_median, self.severity_p90)
        self._need_above("outage_median_hours", "outage_p90_hours", self.outage_median_hours, self.outage_p90_hours)
        for r in ("hipaa", "pci", "gdpr"):
            self._lognormal_above(f"fine_median.{r}", f"fine_p90.{r}", self.fine_median[r], self.fine_p90[r])

    def _lognormal_above(self, low_name: str, high_name: str, low: float, high: float) -> None:
        """A lognormal's p90 must exceed its median, by at most LOGNORMAL_MAX_RATIO.

        A ratio of 10**6 already puts the mean 10**25 times above the median;
        beyond 10**10 the second moment, and soon the mean, overflow.
        """
        if not high > low:
            raise ValidationError(self._path(high_name), high, f"a value above {self._path(low_name)} = {low:g}")
        if not high / low <= LOGNORMAL_MAX_RATIO:
            raise ValidationError(
                self._path(high_name), high, f"at most {LOGNORMAL_MAX_RATIO:.0e} times {self._path(low_name)} = {low:g}"
            )


_SECTIONS = {
    "organization": Organization,
    "incidents": Incidents,
    "break_fix": BreakFix,
    "msp": MSP,
    "security": Security,
}


def _build(cls, data: Any, path: str):
    """Build dataclass ``cls`` from a dict, strictly: no unknown, no missing keys."""
    if not isinstance(data, Mapping):
        raise ValidationError(path, data, f"a mapping of {cls.__name__} fields")
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            raise ValidationError(
                _join(path, str(key)), data[key], f"no such field; {path or 'scenario'} has " + ", ".join(names)
            )
    kwargs = {}
    for f in dataclasses.fields(cls):
        sub = _join(path, f.name)
        if f.name not in data:
            raise ValidationError(sub, "<missing>", "a value: the field is required")
        value = data[f.name]
        nested = f.metadata.get("nested")
        kwargs[f.name] = _build(nested, value, sub) if nested is not None else value
    if cls._prefix:  # sections report their full path
        return cls(**kwargs)
    token = _BUILD_PREFIX.set(path)
    try:
        return cls(**kwargs)
    finally:
        _BUILD_PREFIX.reset(token)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


@dataclass(frozen=True)
class Scenario:
    """Every input of one comparison. See the module docstring for the sections."""

    organization: Organization
    incidents: Incidents
    break_fix: BreakFix
    msp: MSP
    security: Security

    def __post_init__(self):
        for name, cls in _SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise ValidationError(name, getattr(self, name), f"a {cls.__name__}")

    # -- dotted-path access -------------------------------------------------
    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``"break_fix.response_median_hours.p1"``."""
        obj: Any = self
        for part in _split(path):
            if not dataclasses.is_dataclass(obj) or part not in {f.name for f in dataclasses.fields(obj)}:
                raise ValidationError(path, part, "a field of the scenario (see Scenario.paths())")
            obj = getattr(obj, part)
        return obj

    def replace(self, changes: Mapping[str, Any] | None = None, **kwargs: Any) -> Scenario:
        """A new, validated scenario with the given dotted-path fields changed.

        Keyword arguments name whole sections (``organization=...``) or use
        ``__`` for dots (``msp__per_user_monthly=120``).
        """
        if changes is not None and not isinstance(changes, Mapping):
            raise ValidationError("", changes, "a mapping of dotted field paths to values")
        updates = dict(changes or {})
        updates.update({k.replace("__", "."): v for k, v in kwargs.items()})
        data = self.to_dict()
        data.pop("schema_version")
        for path, value in updates.items():
            parts = _split(path)
            node = data
            for i, part in enumerate(parts):
                if not isinstance(node, dict) or part not in node:
                    raise ValidationError(path, value, "a field of the scenario (see Scenario.paths())")
                if i == len(parts) - 1:
                    if isinstance(node[part], dict) and not isinstance(value, (Mapping, Scenario)):
                        raise ValidationError(path, value, "a mapping: this path is a group of fields, not one value")
                    if dataclasses.is_dataclass(value):
                        value = _asdict(value)
                    node[part] = copy.deepcopy(dict(value)) if isinstance(value, Mapping) else value
                else:
                    node = node[part]
        return Scenario._from_plain(data)

    def paths(self) -> list[str]:
        """Every leaf field's dotted path, in declaration order."""
        return [p for p, _ in _walk(self, "")]

    @staticmethod
    def field_info(path: str) -> FieldInfo:
        """Unit, range and meaning of the field at ``path``."""
        return field_info(path)

    # -- serialisation ------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain nested dict (JSON-ready) with a ``schema_version`` key."""
        d = {"schema_version": SCHEMA_VERSION}
        d.update(_asdict(self))
        return d

    @classmethod
    def from_dict(cls, data: Mapping) -> Scenario:
        """Build and validate a scenario; unknown or missing keys raise ``ValidationError``."""
        if not isinstance(data, Mapping):
            raise ValidationError("", data, "a mapping with sections " + ", ".join(_SECTIONS))
        data = dict(data)
        version = data.pop("schema_version", "<missing>")
        if isinstance(version, bool) or version != SCHEMA_VERSION:
            raise ValidationError("schema_version", version, f"{SCHEMA_VERSION} (this version of msp_analysis)")
        return cls._from_plain(data)

    @classmethod
    def _from_plain(cls, data: Mapping) -> Scenario:
        for key in data:
            if key not in _SECTIONS:
                raise ValidationError(str(key), data[key], "no such section; a scenario has " + ", ".join(_SECTIONS))
        sections = {}
        for name, section_cls in _SECTIONS.items():
            if name not in data:
                raise ValidationError(name, "<missing>", "a section: it is required")
            sections[name] = _build(section_cls, data[name], name)
        return cls(**sections)

    def to_json(self, path: str | Path) -> Path:
        """Write the scenario as JSON (exact: floats round-trip)."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, path: str | Path) -> Scenario:
        """Read a scenario written by :meth:`to_json` (or by hand)."""
        if not isinstance(path, (str, os.PathLike)):
            raise ValidationError("", path, "the path of a scenario file")
        path = Path(path)
        try:
            # utf-8-sig: editors on Windows save JSON with a byte-order mark.
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ValidationError("", str(path), "an existing scenario file") from None
        except UnicodeDecodeError:
            raise ValidationError("", str(path), "a UTF-8 JSON scenario file") from None
        except OSError as e:  # a directory, no permission, ...
            raise ValidationError("", str(path), f"a readable scenario file ({e.strerror or e})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValidationError(
                "", f"{path.name}: line {e.lineno} column {e.colno}", f"valid JSON ({e.msg})"
            ) from None
        except (ValueError, RecursionError) as e:
            # Integers of thousands of digits, arrays nested thousands deep: not a scenario.
            raise ValidationError("", path.name, f"a JSON scenario file ({type(e).__name__}: {str(e)[:80]})") from None
        return cls.from_dict(data)


def _split(path: str) -> list[str]:
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise ValidationError(str(path), path, "a dotted field path such as 'msp.per_user_monthly'")
    return path.split(".")


def _asdict(obj) -> dict:
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        out[f.name] = _asdict(v) if dataclasses.is_dataclass(v) else v
    return out


def _walk(obj, prefix: str) -> Iterator[tuple[str, Any]]:
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        p = _join(prefix, f.name)
        if dataclasses.is_dataclass(v):
            yield from _walk(v, p)
        else:
            yield p, v


def field_info(path: str) -> FieldInfo:
    """Unit, allowed range and meaning of a dotted scenario path."""
    parts = _split(path)
    cls: Any = Scenario
    each: FieldInfo | None = None
    for i, part in enumerate(parts):
        names = {f.name: f for f in dataclasses.fields(cls)} if cls is not None else {}
        if part not in names:
            raise ValidationError(path, part, "a field of the scenario (see Scenario.paths())")
        meta = names[part].metadata
        last = i == len(parts) - 1
        if cls is Scenario:
            cls = _SECTIONS[part]
        elif "info" in meta:
            if last:
                return meta["info"]
            cls = None
        elif "each" in meta:
            each, cls = meta["each"], meta["nested"]
        elif cls in (PerPriority, PerRegime):
            if last:
                return each
            cls = None
        else:
            cls = meta["nested"]
    raise ValidationError(path, path, "a single field, not a group of fields")
