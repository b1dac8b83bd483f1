"""Scenario files across schema versions: what each version added, and the migration.

A scenario file (JSON or an assumptions workbook) carries the
``schema_version`` it was written with. Files from an older version still
load: :func:`migrate` turns their plain data into the current version's,
filling each field added since with its stated default. It works on plain
dicts, before validation, so a bad value in an old file is still reported by
name when the scenario is built.

Version 2 (issue 12, "a neutral, defensible model") added:

- ``organization.revenue_per_user_hour``, ``organization.revenue_scaling`` and
  ``organization.downtime_revenue_weight``: an hour of downtime is valued once
  (idle staff cost, or lost revenue instead, or a stated mix), revenue per
  user so it follows headcount. A version-1 file stated revenue per hour of
  full outage as a total: the migration keeps that total in
  ``revenue_per_outage_hour`` and sets the per-user figure to total / users,
  scaling per user (switch ``revenue_scaling`` to ``"total"`` to keep it
  fixed). The weight defaults to 0 (idle staff cost): version 1 added revenue
  on top of wages, which counted overlapping losses twice.
- ``organization.annual_revenue`` and ``organization.eur_rate``: the GDPR cap
  is EUR 20 million or 4% of worldwide turnover, whichever is higher, in EUR;
  the rate converts it into the scenario's currency. Version 1's
  ``security.fine_cap.gdpr`` (20,000,000, meant as the statutory EUR figure)
  is kept as the EUR floor.
- ``security.exploited_vulnerability_share``: the share of costly incidents
  patching acts on (Verizon DBIR 2025: exploitation of vulnerabilities was the
  way in for about 20% of breaches).
- ``msp.exit_fee``: a termination fee, spread over the term like the
  onboarding fee (0: none, what version-1 files implied).
- ``break_fix.after_hours_minimum_hours`` and ``break_fix.same_day_surcharge``:
  Break/Fix's own surcharges, a minimum billed for out-of-hours work and a
  share added to the rate for P1/P2 work in business hours (0: none, what
  version-1 files implied).
- ``incidents.<priority>.self_service_share``: incidents users resolve
  themselves (a password-reset portal), reaching neither model (0: none).
- ``msp.onboarding_staff_hours_per_user``: the client's own staff time while
  moving to the MSP, at the loaded hourly cost, spread over the term like the
  onboarding fee (0: none counted, what version-1 files implied).
- ``msp.quoted_term_months``, ``msp.month_to_month_premium`` and
  ``msp.one_year_premium``: prices are quoted for one term, and another term
  pays a premium (assumptions: 15% month to month, 5% for one to three
  years, over a three-year term's price). The quoted term of a version-1 file
  is its own ``term_months``, so its prices stay as written.
- ``organization.project_hours_per_year``, ``msp.after_hours_out_of_scope_share``
  and ``msp.after_hours_rate_multiplier``: out-of-scope work by kind. Project
  hours are bought in either model (Break/Fix at its on-site rate, the MSP
  at its out-of-scope rate); after-hours work the contract leaves out is
  billed at the out-of-scope rate times the multiple. Version-1 files: no
  projects, after hours covered (what they implied).
- ``organization.in_house_it_cost_per_year``, ``incidents.<priority>.in_house_share``
  and ``msp.co_managed_discount``: an in-house IT person (co-managed), the
  same cost in either model, who resolves a share of incidents before they
  reach a vendor, and the MSP's discount for a co-managed contract (0: none).
- ``security.severity_includes_outage``: whether the per-incident severity
  already holds business interruption (claims data does), so the outage is
  not priced a second time.
- ``organization.users_per_site``: the users one site-wide (or shared-system)
  outage can stop. Version 1 stopped every user, so lost user-hours grew with
  the square of headcount; the default 250 keeps every firm of up to 250
  users (every version-1 example) as it was. Version 2's
  ``users_affected_share`` is a share of one site's users, version 1's of all
  users: for a larger firm the migration rescales each share by users / 250
  (at most 1), so the users an incident stops at the file's headcount stay
  what the file said, up to one whole site.
- ``organization.timezone`` (issue 13): the firm's IANA time zone, for dates
  a ticket export gives in UTC; ``""`` (not stated, what version-1 files
  implied) leaves such dates in UTC with a warning.

Examples
--------
>>> old = {"schema_version": 1, "organization": {"users": 40, "revenue_per_outage_hour": 1000.0,
...        "currency": "USD"}, "security": {}}
>>> new = migrate(old)
>>> new["schema_version"], new["organization"]["revenue_per_user_hour"], new["organization"]["revenue_scaling"]
(2, 25.0, 'per_user')
>>> new["security"]["exploited_vulnerability_share"], new["organization"]["users_per_site"]
(0.2, 250)
>>> big = {"schema_version": 1, "organization": {"users": 1000},
...        "incidents": {"p1": {"users_affected_share": 1.0}, "p2": {"users_affected_share": 0.1}}}
>>> [c["users_affected_share"] for c in migrate(big)["incidents"].values()]   # 100 of 1,000 = 0.4 of a site
[1.0, 0.4]
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError

__all__ = ["ADDED_IN_V2", "EUR_RATES", "SCHEMA_VERSION", "migrate"]

#: The version this release writes.
SCHEMA_VERSION = 2

#: Units of each currency per euro, used only to fill ``organization.eur_rate``
#: in files written before the field existed. Approximate rates of 2025 (an
#: assumption: state the day's rate in the scenario).
EUR_RATES = {"EUR": 1.0, "USD": 1.1, "GBP": 0.85, "CAD": 1.5, "AUD": 1.65}

#: Defaults of the fields version 2 added (those not derived from other fields).
_V2_DEFAULTS: dict[str, dict[str, Any]] = {
    "organization": {
        "downtime_revenue_weight": 0.0,
        "annual_revenue": 0.0,
        "users_per_site": 250,
        "timezone": "",
        "project_hours_per_year": 0.0,
        "in_house_it_cost_per_year": 0.0,
    },
    "break_fix": {"after_hours_minimum_hours": 0.0, "same_day_surcharge": 0.0},
    "msp": {
        "exit_fee": 0.0,
        "co_managed_discount": 0.0,
        "onboarding_staff_hours_per_user": 0.0,
        "month_to_month_premium": 0.15,
        "one_year_premium": 0.05,
        "after_hours_out_of_scope_share": 0.0,
        "after_hours_rate_multiplier": 1.5,
    },
    "security": {"exploited_vulnerability_share": 0.2, "severity_includes_outage": "yes"},
}


#: Dotted paths of every field version 2 added (a version-1 workbook has no row for them).
ADDED_IN_V2 = frozenset(
    {
        "organization.revenue_per_user_hour",
        "organization.revenue_scaling",
        "organization.eur_rate",
        "msp.quoted_term_months",
    }
    | {f"incidents.{p}.{k}" for p in ("p1", "p2", "p3", "p4") for k in ("self_service_share", "in_house_share")}
    | {f"{section}.{key}" for section, keys in _V2_DEFAULTS.items() for key in keys}
)


def migrate(data: Mapping[str, Any]) -> dict[str, Any]:
    """Plain scenario data of any known schema version, as the current version's.

    Parameters
    ----------
    data : mapping
        A scenario as read from a file, with its ``schema_version``.

    Returns
    -------
    dict
        A deep copy at :data:`SCHEMA_VERSION`; fields the file already has are
        kept as they are (their checks run when the scenario is built).

    Raises
    ------
    ValidationError
        ``schema_version`` is missing or not a version this release knows.
    """
    out = copy.deepcopy(dict(data))
    version = out.get("schema_version", "<missing>")
    if isinstance(version, bool) or version not in (1, SCHEMA_VERSION):
        raise ValidationError("schema_version", version, f"1 or {SCHEMA_VERSION} (versions this release reads)")
    if version == 1:
        _v1_to_v2(out)
    out["schema_version"] = SCHEMA_VERSION
    return out


def _v1_to_v2(data: dict[str, Any]) -> None:
    """Fill the fields version 2 added (module docstring); sections that are not mappings are left to validation."""
    org, sec, msp = data.get("organization"), data.get("security"), data.get("msp")
    if isinstance(org, dict):
        total, users = _number(org.get("revenue_per_outage_hour")), _number(org.get("users"))
        per_user = total / users if total is not None and users is not None and users >= 1 else 0.0
        org.setdefault("revenue_per_user_hour", per_user)
        org.setdefault("revenue_scaling", "per_user")
        for key, value in _V2_DEFAULTS["organization"].items():
            org.setdefault(key, value)
        currency = org.get("currency")
        rate = EUR_RATES.get(currency.strip().upper(), 1.0) if isinstance(currency, str) else 1.0
        org.setdefault("eur_rate", rate)
        _shares_of_one_site(org, data.get("incidents"))
    for name, section in (("security", sec), ("msp", msp), ("break_fix", data.get("break_fix"))):
        if isinstance(section, dict):
            for key, value in _V2_DEFAULTS[name].items():
                section.setdefault(key, value)
    if isinstance(msp, dict) and "term_months" in msp:  # a version-1 quote's prices were for its own term
        msp.setdefault("quoted_term_months", msp["term_months"])
    incidents = data.get("incidents")
    for cls in incidents.values() if isinstance(incidents, dict) else ():
        if isinstance(cls, dict):
            cls.setdefault("self_service_share", 0.0)
            cls.setdefault("in_house_share", 0.0)


def _shares_of_one_site(org: dict[str, Any], incidents: Any) -> None:
    """Version 1's shares of all users as shares of one site's users (module docstring), for firms above a site."""
    users, site = _number(org.get("users")), _number(org.get("users_per_site"))
    if users is None or site is None or not users > site > 0 or not isinstance(incidents, dict):
        return
    for cls in incidents.values():
        share = _number(cls.get("users_affected_share")) if isinstance(cls, dict) else None
        if share is not None and share >= 0:  # a bad share is left for its field's check to report
            cls["users_affected_share"] = min(1.0, share * users / site)


def _number(value: Any) -> float | None:
    """A finite plain number, else None (bad values are reported later, by the field's own check)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None
