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
Excel workbook, so a range is written once. That record, the checks it
drives and the strict builder from plain data are in
:mod:`msp_analysis.model.fields`; this module declares the sections with them
and reads and writes whole scenarios (dicts, JSON files).

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

import copy
import dataclasses
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, ValidationError
from ..files import DuplicateKeyError, bounded, no_duplicate_keys, read_limited, write_atomic
from .fields import (
    LOGNORMAL_MAX_RATIO,
    ChecksPerEntry,
    FieldInfo,
    Validated,
    as_real,
    build,
    checked,
    info_at,
    nested,
    per_entry,
    share,
    split_path,
    texts_without_controls,
    to_plain,
    walk_leaves,
)
from .schema import SCHEMA_VERSION, migrate

__all__ = [
    "CURRENCY_SYMBOLS",
    "LOGNORMAL_MAX_RATIO",
    "MAX_SCENARIO_BYTES",
    "MSP",
    "PRIORITIES",
    "REGIMES",
    "REVENUE_SCALINGS",
    "SCHEMA_VERSION",
    "BreakFix",
    "Incidents",
    "Organization",
    "PerPriority",
    "PerRegime",
    "PriorityClass",
    "Scenario",
    "Security",
]

#: A scenario file larger than this is refused unread (a scenario is about 4 KB; a 100 MB "scenario" is not
#: one). Raise it with ``Scenario.from_json(path, max_bytes=...)``.
MAX_SCENARIO_BYTES = 4 * 2**20

PRIORITIES = ("p1", "p2", "p3", "p4")
REGIMES = ("none", "hipaa", "pci", "gdpr")
#: How lost revenue follows headcount: per user (the default) or a fixed total.
REVENUE_SCALINGS = ("per_user", "total")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "C$", "AUD": "A$"}

_MAX = 1e12  # a sanity bound on money and counts: anything larger is a typo


@dataclass(frozen=True)
class PerPriority(Validated):
    """One number per priority class; the parent field's metadata gives unit and range."""

    p1: float
    p2: float
    p3: float
    p4: float

    def __post_init__(self) -> None:
        # Entries are checked against the parent field's range by the section
        # that holds this group (it knows the unit and the full path).
        for name in PRIORITIES:
            v = as_real(getattr(self, name))
            if v is not None:
                object.__setattr__(self, name, v)

    def __getitem__(self, key: str) -> float:
        return getattr(self, key)

    def as_array(self) -> np.ndarray:
        return np.array([self.p1, self.p2, self.p3, self.p4])


@dataclass(frozen=True)
class PerRegime(Validated):
    """One number per compliance regime that carries fines."""

    hipaa: float
    pci: float
    gdpr: float

    def __post_init__(self) -> None:
        # Entries are checked against the parent field's range by the section
        # that holds this group (it knows the unit and the full path).
        for name in ("hipaa", "pci", "gdpr"):
            v = as_real(getattr(self, name))
            if v is not None:
                object.__setattr__(self, name, v)

    def __getitem__(self, key: str) -> float:
        return getattr(self, key)


@dataclass(frozen=True)
class PriorityClass(Validated):
    """What one priority class of incident looks like.

    Users affected by one incident are ``max(1, users_affected_share * min(users, users_per_site))``;
    technician work per incident is Gamma with the given median and p90. The
    rate is before self-service: a share of the class (password resets through
    a reset portal) is resolved by the user and reaches neither support model;
    of the rest, ``in_house_share`` is resolved by an in-house IT person (on
    site: no wait, the work itself is the outage), the same in both models.
    """

    rate_per_user_year: float = checked(
        "incidents per user per year", "How often an incident of this class happens, per user", 0.0, 1000.0
    )
    users_affected_share: float = share("Share of the users of one site affected by one incident (at least one user)")
    degradation: float = checked(
        "share", "Share of an affected user's IT that is down while it lasts", 0.0, 1.0, low_open=True
    )
    work_median_hours: float = checked(
        "hours", "Median technician work to resolve one incident", 0.0, 1000.0, low_open=True
    )
    work_p90_hours: float = checked(
        "hours", "90th percentile of technician work per incident", 0.0, 5000.0, low_open=True
    )
    onsite_share: float = share("Share of incidents that need someone on site (Break/Fix)")
    after_hours_share: float = share("Share of incidents worked outside business hours")
    self_service_share: float = share("Share users resolve with a self-service tool, reaching neither vendor")
    in_house_share: float = share("Share of the rest an in-house IT person resolves, in either model")

    def _cross_checks(self) -> None:
        self._need_above("work_median_hours", "work_p90_hours", self.work_median_hours, self.work_p90_hours)


@dataclass(frozen=True)
class Organization(Validated):
    """The organisation being supported."""

    _prefix = "organization"

    name: str = checked("text", "Organisation name shown in titles and reports")
    users: int = checked("users", "Employees who use IT", 1, 1_000_000, integer=True)
    workstations: int = checked("devices", "Desktops and laptops under support", 0, 10_000_000, integer=True)
    servers: int = checked("servers", "Servers under support", 0, 1_000_000, integer=True)
    users_per_site: int = checked("users", "Users a site-wide outage stops (largest site)", 1, 1_000_000, integer=True)
    loaded_hourly_cost: float = checked(
        "currency per hour", "Fully loaded cost of one employee-hour", 0.0, 100_000.0, low_open=True
    )
    it_dependency: float = share("Share of work that stops when a user's IT is down")
    revenue_per_outage_hour: float = checked(
        "currency per hour",
        "Revenue lost per hour of a full, site-wide outage, as a fixed total (used when revenue_scaling is 'total')",
        0.0,
        _MAX,
    )
    revenue_per_user_hour: float = checked(
        "currency per user-hour",
        "Revenue (or margin) lost per hour one revenue-earning user cannot work; follows headcount",
        0.0,
        _MAX,
    )
    revenue_scaling: str = checked(
        "choice", "Lost revenue entered per user (follows headcount) or as a fixed total", choices=REVENUE_SCALINGS
    )
    downtime_revenue_weight: float = share(
        "How an hour of downtime is valued: 0 idle staff cost, 1 lost revenue instead, between a stated mix"
    )
    annual_revenue: float = checked(
        "currency per year", "Worldwide annual turnover (0 if not stated); raises the GDPR cap to 4% of it", 0.0, _MAX
    )
    eur_rate: float = checked(
        "currency per EUR",
        "Units of the scenario's currency per euro (not used when the currency is EUR)",
        0.0,
        1e6,
        low_open=True,
    )
    business_hours_per_year: float = checked("hours per year", "Working hours per user per year", 1.0, 8760.0)
    in_house_it_cost_per_year: float = checked(
        "currency per year", "Cost of in-house IT time (triage, first-line), the same in either model", 0.0, _MAX
    )
    project_hours_per_year: float = checked(
        "hours per year", "Project work a year (moves, upgrades), bought by the hour in either model", 0.0, 1e6
    )
    compliance: str = checked("regime", "Compliance regime that can fine a breach", choices=REGIMES)
    currency: str = checked("ISO code", "Currency of every amount", choices=tuple(CURRENCY_SYMBOLS))
    timezone: str = checked(
        "text", "The firm's IANA time zone, for dates a ticket export gives in UTC ('' if not stated)", zone=True
    )

    @property
    def currency_symbol(self) -> str:
        return CURRENCY_SYMBOLS[self.currency]


@dataclass(frozen=True)
class Incidents(Validated):
    """Incident classes from ``p1`` (site-wide outage) to ``p4`` (request)."""

    _prefix = "incidents"

    p1: PriorityClass = nested(PriorityClass, "P1: site-wide outage")
    p2: PriorityClass = nested(PriorityClass, "P2: a team or a key system down")
    p3: PriorityClass = nested(PriorityClass, "P3: one user's problem")
    p4: PriorityClass = nested(PriorityClass, "P4: request or minor issue")

    def __getitem__(self, key: str) -> PriorityClass:
        return getattr(self, key)

    def total_rate_per_user_year(self) -> float:
        return sum(self[p].rate_per_user_year for p in PRIORITIES)


@dataclass(frozen=True)
class BreakFix(ChecksPerEntry):
    """The hourly (Break/Fix) offer.

    Each incident is billed at ``rate * ceil(max(work, minimum) / increment)
    * increment`` (times the after-hours multiplier when worked out of hours,
    where the minimum is at least the after-hours minimum; times ``1 +
    same_day_surcharge`` for P1/P2 work in business hours), plus the trip fee
    when on site. The response wait (report to technician
    starting) is Gamma per priority with the given median and p90, in
    business hours.
    """

    _prefix = "break_fix"

    hourly_rate: float = checked("currency per hour", "On-site hourly rate", 0.0, 100_000.0, low_open=True)
    remote_hourly_rate: float = checked("currency per hour", "Remote hourly rate", 0.0, 100_000.0, low_open=True)
    onsite_minimum_hours: float = checked("hours", "Minimum billable time for an on-site visit", 0.0, 24.0)
    remote_minimum_hours: float = checked("hours", "Minimum billable time for remote work", 0.0, 24.0)
    billing_increment_hours: float = checked(
        "hours", "Billing increment above the minimum (0: billed exactly)", 0.0, 8.0
    )
    trip_fee: float = checked("currency per visit", "Trip charge per on-site visit", 0.0, 100_000.0)
    after_hours_multiplier: float = checked(
        "multiple of the rate", "Rate multiplier for work outside business hours", 1.0, 10.0
    )
    after_hours_minimum_hours: float = checked(
        "hours", "Minimum billable time out of hours (the larger of it and the on-site or remote minimum)", 0.0, 24.0
    )
    same_day_surcharge: float = checked(
        "share of the rate", "Same-day (urgent) surcharge on the hourly rate for P1/P2 work in business hours", 0.0, 5.0
    )
    response_median_hours: PerPriority = per_entry(
        PerPriority, "business hours", "Median wait until a technician starts", 0.0, 2000.0, low_open=True
    )
    response_p90_hours: PerPriority = per_entry(
        PerPriority, "business hours", "90th percentile of that wait", 0.0, 10000.0, low_open=True
    )
    coordination_hours_per_incident: float = checked(
        "staff hours per incident", "Internal time spent finding, briefing and chasing the technician", 0.0, 100.0
    )
    patch_latency_days: float = checked("days", "Average days from a patch's release to its installation", 0.0, 365.0)
    monitoring_coverage: float = share("Share of systems under active monitoring (usually none)")
    annual_escalator: float = checked("share per year", "Yearly change in hourly rates", -0.5, 1.0)

    def _cross_checks(self) -> None:
        for p in PRIORITIES:
            self._need_above(
                f"response_median_hours.{p}",
                f"response_p90_hours.{p}",
                self.response_median_hours[p],
                self.response_p90_hours[p],
            )


@dataclass(frozen=True)
class MSP(ChecksPerEntry):
    """The subscription (managed service provider) offer.

    Monthly fee ``max(per_user * users + per_workstation * workstations +
    per_server * servers + flat, minimum)``, quoted for ``quoted_term_months``
    and scaled by the short-term premiums when ``term_months`` is another
    term (:func:`msp_analysis.model.billing.short_term_factor`); the
    onboarding fee, and the
    client's own staff time during onboarding (at the loaded hourly cost), are
    spread over the term. Responses meet the SLA target with probability
    ``sla_adherence``; a met response takes ``target * Beta(2, 2)`` (half the
    target on average), a missed one ``target * (1 + excess)`` with the
    excess Gamma (median and p90 in multiples of the target).
    """

    _prefix = "msp"

    per_user_monthly: float = checked("currency per user per month", "Price per user", 0.0, 100_000.0)
    per_workstation_monthly: float = checked("currency per device per month", "Price per workstation", 0.0, 100_000.0)
    per_server_monthly: float = checked("currency per server per month", "Price per server", 0.0, 1_000_000.0)
    flat_monthly: float = checked("currency per month", "Flat monthly fee", 0.0, _MAX)
    monthly_minimum: float = checked("currency per month", "Minimum monthly bill", 0.0, _MAX)
    onboarding_fee: float = checked("currency", "One-off onboarding fee, spread over the term", 0.0, _MAX)
    co_managed_discount: float = share("Discount on the subscription for a co-managed contract (in-house first line)")
    exit_fee: float = checked(
        "currency", "Termination or exit fee paid when the contract ends, spread over the term", 0.0, _MAX
    )
    onboarding_staff_hours_per_user: float = checked(
        "staff hours per user",
        "The client's own staff time per user moving to the MSP, spread over the term",
        0.0,
        1000.0,
    )
    term_months: int = checked("months", "Contract term", 1, 120, integer=True)
    quoted_term_months: int = checked(
        "months", "Term the quoted prices are for (another term pays the short-term premiums)", 1, 120, integer=True
    )
    month_to_month_premium: float = checked(
        "share of the price", "Price premium of a term under 12 months over a 36-month term's price", 0.0, 5.0
    )
    one_year_premium: float = checked(
        "share of the price", "Price premium of a 12- to 35-month term over a 36-month term's price", 0.0, 5.0
    )
    annual_escalator: float = checked("share per year", "Yearly price increase", -0.5, 1.0)
    out_of_scope_share: float = share("Share of incidents outside the contract, billed by the hour")
    out_of_scope_rate: float = checked("currency per hour", "Hourly rate for out-of-scope and project work", 0.0, 1e5)
    after_hours_out_of_scope_share: float = share(
        "Share of after-hours work on noticed incidents the contract leaves out"
    )
    after_hours_rate_multiplier: float = checked(
        "multiple of the rate", "Out-of-scope rate multiple after hours", 1.0, 10.0
    )
    sla_response_hours: PerPriority = per_entry(
        PerPriority, "business hours", "SLA response target", 0.0, 2000.0, low_open=True
    )
    sla_adherence: float = share("Share of responses that meet the SLA target")
    sla_miss_excess_median: float = checked(
        "multiples of the target", "Median delay beyond the target when it is missed", 0.0, 100.0, low_open=True
    )
    sla_miss_excess_p90: float = checked(
        "multiples of the target", "90th percentile of that delay", 0.0, 1000.0, low_open=True
    )
    sla_credit_per_critical_miss: float = share("Credit per missed P1/P2 response, as a share of the monthly fee")
    sla_credit_cap: float = share("Cap on a year's credits, as a share of the annual fee")
    prevented_share: PerPriority = per_entry(
        PerPriority, "share", "Share of incidents that proactive maintenance prevents", 0.0, 1.0
    )
    caught_early_share: PerPriority = per_entry(
        PerPriority, "share", "Share of the rest that monitoring fixes before users notice", 0.0, 1.0
    )
    remote_resolution_share: float = share("Share of would-be on-site incidents the MSP resolves remotely")
    onsite_dispatch_hours: float = checked("business hours", "Extra wait when someone must come on site", 0.0, 1000.0)
    coordination_hours_per_incident: float = checked(
        "staff hours per incident", "Internal time per incident users notice", 0.0, 100.0
    )
    vendor_management_hours_per_month: float = checked(
        "staff hours per month", "Internal time managing the contract", 0.0, 1000.0
    )
    patch_latency_days: float = checked("days", "Average days from a patch's release to its installation", 0.0, 365.0)
    monitoring_coverage: float = share("Share of systems under active monitoring")
    vcio_hours_per_year: float = checked("hours per year", "Included strategic (vCIO) hours", 0.0, 10_000.0)

    def _cross_checks(self) -> None:
        self._need_above(
            "sla_miss_excess_median", "sla_miss_excess_p90", self.sla_miss_excess_median, self.sla_miss_excess_p90
        )


@dataclass(frozen=True)
class Security(ChecksPerEntry):
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

    base_rate_per_user_year: float = checked(
        "incidents per user per year",
        "Costly incidents per user per year at the reference patch latency, no monitoring",
        0.0,
        10.0,
    )
    reference_patch_latency_days: float = checked(
        "days", "Patch latency at which the base rate applies", 0.0, 365.0, low_open=True
    )
    patch_halving_days: float = checked(
        "days", "Days of faster patching that halve the rate", 0.0, 365.0, low_open=True
    )
    severity_median: float = checked("currency", "Median direct cost of a costly incident", 0.0, _MAX, low_open=True)
    severity_p90: float = checked("currency", "90th percentile of that cost", 0.0, _MAX, low_open=True)
    detection_severity_reduction: float = share("Cost reduction from fast detection at full monitoring coverage")
    exploited_vulnerability_share: float = share(
        "Share of costly incidents that enter through an exploited vulnerability (the part patching acts on)"
    )
    severity_includes_outage: str = checked(
        "choice",
        "Does the severity already include business interruption? 'yes': outage not priced again",
        choices=("yes", "no"),
    )
    outage_median_hours: float = checked(
        "business hours", "Median site-wide outage per costly incident", 0.0, 2000.0, low_open=True
    )
    outage_p90_hours: float = checked("business hours", "90th percentile of that outage", 0.0, 10000.0, low_open=True)
    fine_probability: PerRegime = per_entry(
        PerRegime, "share", "Probability that a costly incident brings a fine", 0.0, 1.0
    )
    fine_median: PerRegime = per_entry(PerRegime, "currency", "Median fine", 0.0, _MAX, low_open=True)
    fine_p90: PerRegime = per_entry(PerRegime, "currency", "90th percentile fine", 0.0, _MAX, low_open=True)
    fine_cap: PerRegime = per_entry(
        PerRegime,
        "currency",
        "Largest fine per incident (statutory cap); GDPR in EUR, the floor of max(EUR 20M, 4% of annual revenue)",
        0.0,
        _MAX,
        low_open=True,
    )

    def _cross_checks(self) -> None:
        self._lognormal_above("severity_median", "severity_p90", self.severity_median, self.severity_p90)
        self._need_above("outage_median_hours", "outage_p90_hours", self.outage_median_hours, self.outage_p90_hours)
        for r in ("hipaa", "pci", "gdpr"):
            self._lognormal_above(f"fine_median.{r}", f"fine_p90.{r}", self.fine_median[r], self.fine_p90[r])


_SECTIONS: dict[str, type[Validated]] = {
    "organization": Organization,
    "incidents": Incidents,
    "break_fix": BreakFix,
    "msp": MSP,
    "security": Security,
}


@dataclass(frozen=True)
class Scenario:
    """Every input of one comparison. See the module docstring for the sections."""

    organization: Organization
    incidents: Incidents
    break_fix: BreakFix
    msp: MSP
    security: Security

    def __post_init__(self) -> None:
        for name, cls in _SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise ValidationError(name, getattr(self, name), f"a {cls.__name__}")
        first_line = self.organization.in_house_it_cost_per_year > 0 or any(
            np.any(self.incidents[p].in_house_share > 0) for p in PRIORITIES
        )
        if np.any(self.msp.co_managed_discount > 0) and not first_line:  # arrays for a batch
            warnings.warn(
                "msp.co_managed_discount: a co-managed discount with no in-house first line (no in-house IT cost, "
                "no in-house share of incidents) lowers the MSP's price for nothing in return",
                UserWarning,
                stacklevel=2,
            )

    # -- dotted-path access -------------------------------------------------
    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``"break_fix.response_median_hours.p1"``."""
        obj: Any = self
        for part in split_path(path):
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
            parts = split_path(path)
            node = data
            for i, part in enumerate(parts):
                if not isinstance(node, dict) or part not in node:
                    raise ValidationError(path, value, "a field of the scenario (see Scenario.paths())")
                if i == len(parts) - 1:
                    if isinstance(node[part], dict) and not isinstance(value, (Mapping, Scenario)):
                        raise ValidationError(path, value, "a mapping: this path is a group of fields, not one value")
                    if dataclasses.is_dataclass(value):
                        value = to_plain(value)
                    node[part] = copy.deepcopy(dict(value)) if isinstance(value, Mapping) else value
                else:
                    node = node[part]
        return Scenario._from_plain(data)

    def paths(self) -> list[str]:
        """Every leaf field's dotted path, in declaration order."""
        return [p for p, _ in walk_leaves(self, "")]

    @staticmethod
    def field_info(path: str) -> FieldInfo:
        """Unit, range and meaning of the field at ``path``."""
        return field_info(path)

    # -- serialisation ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON-ready) with a ``schema_version`` key."""
        d: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        d.update(to_plain(self))
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build and validate a scenario; unknown or missing keys raise ``ValidationError``.

        Data written by an older schema version is migrated first
        (:func:`msp_analysis.model.schema.migrate`).
        """
        if not isinstance(data, Mapping):
            raise ValidationError("", data, "a mapping with sections " + ", ".join(_SECTIONS))
        data = migrate(data)  # files from older versions: new fields get their defaults (model/schema.py)
        data.pop("schema_version")
        return cls._from_plain(data)

    @classmethod
    def _from_plain(cls, data: Mapping[str, Any]) -> Scenario:
        for key in data:
            if key not in _SECTIONS:
                raise ValidationError(str(key), data[key], "no such section; a scenario has " + ", ".join(_SECTIONS))
        sections: dict[str, Any] = {}
        for name, section_cls in _SECTIONS.items():
            if name not in data:
                raise ValidationError(name, "<missing>", "a section: it is required")
            sections[name] = build(section_cls, data[name], name)
        return cls(**sections)

    def to_json(self, path: str | Path) -> Path:
        """Write the scenario as JSON (exact: floats round-trip), whole or not at all.

        The file is written under a temporary name in the same folder, fsynced
        and renamed over ``path``: a kill or a full disk leaves the previous
        file as it was. A file-system failure is a DataError naming the path.
        """
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        return write_atomic(Path(path), text)

    @classmethod
    def from_json(cls, path: str | Path, *, max_bytes: int = MAX_SCENARIO_BYTES, clean_text: bool = False) -> Scenario:
        """Read a scenario written by :meth:`to_json` (or by hand).

        A file over ``max_bytes`` (:data:`MAX_SCENARIO_BYTES`, 4 MiB: a
        scenario is about 4 KB), anything but a regular file, invalid JSON and
        a key given twice in one object are refused with a ValidationError
        naming the file. With ``clean_text`` (a client's file), control
        characters in texts are removed with a warning instead of refused.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise ValidationError("", path, "the path of a scenario file")
        path = Path(path)
        try:
            raw = read_limited(path, max_bytes, limit_name="max_bytes (MAX_SCENARIO_BYTES)")
        except DataError as e:  # no such file, a folder, a device, too large, ...
            what = "a readable scenario file" if os.path.lexists(path) else "an existing scenario file"
            raise ValidationError("", bounded(str(path)), f"{what} ({e})") from None
        return cls.from_json_bytes(raw, path.name, clean_text=clean_text)

    @classmethod
    def from_json_bytes(cls, data: bytes, name: str = "upload", *, clean_text: bool = False) -> Scenario:
        """A scenario from the bytes of a JSON file (an upload), checked as :meth:`from_json` checks a file.

        UTF-8 with or without a byte-order mark; a key given twice in one
        object is refused by name (JSON would keep the last one silently).

        Examples
        --------
        >>> Scenario.from_json_bytes(b'{"schema_version": 1, "a": 1, "a": 2}', "s.json")
        Traceback (most recent call last):
        ...
        msp_analysis.errors.ValidationError: scenario: got "s.json: key 'a'", expected each key once per object (given twice)
        """
        name = bounded(name, 120)
        try:
            # utf-8-sig: editors on Windows save JSON with a byte-order mark.
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("", name, "a UTF-8 JSON scenario file") from None
        try:
            obj = json.loads(text, object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError as e:
            raise ValidationError("", f"{name}: line {e.lineno} column {e.colno}", f"valid JSON ({e.msg})") from None
        except DuplicateKeyError as e:
            raise ValidationError("", f"{name}: key {e.key!r}", "each key once per object (given twice)") from None
        except (ValueError, RecursionError) as e:
            # Integers of thousands of digits, arrays nested thousands deep: not a scenario.
            raise ValidationError("", name, f"a JSON scenario file ({type(e).__name__}: {str(e)[:80]})") from None
        return cls.from_dict(texts_without_controls(obj, name) if clean_text else obj)


def field_info(path: str) -> FieldInfo:
    """Unit, allowed range and meaning of a dotted scenario path."""
    return info_at(path, Scenario, _SECTIONS, (PerPriority, PerRegime))
