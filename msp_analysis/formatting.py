"""How numbers and fields read: money, values with units, labels, slugs, slider steps.

One module for the suite's formatting, used by the library's sentences, the
notebooks, the dashboard and the report, with one rule for money: **compact
amounts** (``$2.35M``, :func:`money_compact`, :func:`axis_money`) on chart
axes, chart labels and a field's value; **full amounts** (``$2,345,678``,
:func:`money`) in sentences, tables and headline figures; always in the
scenario's currency symbol. Below a million both read the same.
"""

from __future__ import annotations

import math
import re

from .errors import ValidationError
from .model.scenario import PRIORITIES, REGIMES, field_info

__all__ = [
    "REGIME_LABELS",
    "assumption_label",
    "axis_money",
    "control_label",
    "field_label",
    "format_value",
    "mathtext_safe",
    "money",
    "money_compact",
    "nice_number",
    "nice_step",
    "number",
    "percent",
    "short_unit",
    "signed_money",
    "slugify",
    "value_label",
    "value_with_unit",
]


# -- numbers and money ---------------------------------------------------------------


def number(x: float) -> str:
    """A plain number: whole numbers with thousands separators, else two decimals or four digits.

    Examples
    --------
    >>> number(12000), number(180.4812), number(0.07)
    ('12,000', '180.48', '0.07')
    """
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.4g}"


def value_with_unit(x: float, unit: str, symbol: str = "$") -> str:
    """A number with its unit, in full: ``$180.48 per user per month``, ``5 users``.

    Examples
    --------
    >>> value_with_unit(180.4812, "currency per user per month"), value_with_unit(5, "users")
    ('$180.48 per user per month', '5 users')
    """
    if unit.startswith("currency"):
        rest = unit[len("currency") :].strip()
        return f"{'-' if x < 0 else ''}{symbol}{number(abs(x))}" + (f" {rest}" if rest else "")
    return f"{number(x)} {unit}".strip()


def _amount(x: float, symbol: str) -> str:
    a = abs(x)
    return f"{symbol}{a:.3g}" if a >= 1e12 else f"{symbol}{a:,.0f}"


def money(x: float, symbol: str = "$", digits: int = 0) -> str:
    """An amount in full, for sentences, tables and headline figures: ``$2,345,678``.

    Examples
    --------
    >>> money(1234.5), money(-56), money(2_345_678), money(0.5, digits=2)
    ('$1,234', '-$56', '$2,345,678', '$0.50')
    """
    sign = "-" if x < 0 else ""
    return f"{sign}{symbol}{abs(x):,.{digits}f}"


def money_compact(x: float, symbol: str = "$", digits: int = 0) -> str:
    """An amount as a chart label or a field's value shows it: ``$2.35M`` from a million up.

    Below a million it reads as :func:`money` does, so the two agree on
    every amount a sentence and a chart both quote in full.

    Examples
    --------
    >>> money_compact(1234.5), money_compact(-56), money_compact(2_345_678), money_compact(0.5, digits=2)
    ('$1,234', '-$56', '$2.35M', '$0.50')
    """
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}{symbol}{x / 1e6:,.2f}M"
    return f"{sign}{symbol}{x:,.{digits}f}"


def signed_money(x: float, symbol: str = "$") -> str:
    """An amount with its sign always shown: ``+$1,234``, ``-$56``.

    Examples
    --------
    >>> signed_money(1234.4), signed_money(-56)
    ('+$1,234', '-$56')
    """
    return f"{'-' if x < 0 else '+'}{_amount(x, symbol)}"


def axis_money(x: float, symbol: str = "$") -> str:
    """A tick label on a money axis: ``$250k``, ``$1.5M``, ``-$40``.

    Examples
    --------
    >>> axis_money(250_000), axis_money(1_500_000), axis_money(-40)
    ('$250k', '$1.5M', '-$40')
    """
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e6:
        return f"{sign}{symbol}{a / 1e6:g}M"
    if a >= 1e3:
        return f"{sign}{symbol}{a / 1e3:g}k"
    return f"{sign}{symbol}{a:g}"


def percent(p: float) -> str:
    """A probability in words a client reads at a glance: ``87%``, ``<1%``, ``>99%``.

    Examples
    --------
    >>> percent(0.873), percent(0.0), percent(0.004), percent(0.9996), percent(1.0)
    ('87%', '0%', '<1%', '>99%', '100%')
    """
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    if p < 0.005:
        return "<1%"
    if p > 0.995:
        return ">99%"
    return f"{p:.0%}"


def value_label(x: float, unit: str, symbol: str = "$") -> str:
    """A parameter value with its unit as a chart label shows it (compact money).

    Examples
    --------
    >>> value_label(180.4812, "currency per user per month"), value_label(2_500_000, "currency")
    ('$180.48 per user per month', '$2.50M')
    >>> value_label(5, "users"), value_label(0.07, "share")
    ('5 users', '0.07 share')
    """
    x = float(x)
    if unit.startswith("currency"):
        rest = unit[len("currency") :].strip()
        amount = money_compact(x, symbol, digits=2 if abs(x) < 1000 and not x.is_integer() else 0)
        return f"{amount} {rest}".strip()
    number = f"{int(x):,}" if x.is_integer() else (f"{x:,.2f}" if abs(x) >= 1 else f"{x:.3g}")
    return f"{number} {unit}".strip()


# -- fields: labels and values -----------------------------------------------------

# Short labels; "{P}" is the priority (P1 ... P4), "{R}" the regime (HIPAA ...).
_LABELS = {
    "organization.name": "Organisation",
    "organization.users": "Users",
    "organization.workstations": "Workstations",
    "organization.servers": "Servers",
    "organization.users_per_site": "Users one site-wide outage stops",
    "organization.loaded_hourly_cost": "Loaded cost of an employee-hour",
    "organization.it_dependency": "Work that stops when IT is down",
    "organization.revenue_per_outage_hour": "Revenue lost per hour of full outage",
    "organization.revenue_per_user_hour": "Revenue lost per user-hour",
    "organization.revenue_scaling": "Revenue entered as",
    "organization.downtime_revenue_weight": "Downtime valued at lost revenue",
    "organization.annual_revenue": "Annual revenue",
    "organization.eur_rate": "Rate per euro",
    "organization.business_hours_per_year": "Working hours per user",
    "organization.compliance": "Compliance regime",
    "organization.currency": "Currency",
    "incidents.*.rate_per_user_year": "{P} incidents",
    "incidents.*.users_affected_share": "{P} users affected",
    "incidents.*.degradation": "{P} IT lost while it lasts",
    "incidents.*.work_median_hours": "{P} repair work, median",
    "incidents.*.work_p90_hours": "{P} repair work, p90",
    "incidents.*.onsite_share": "{P} needing a visit",
    "incidents.*.after_hours_share": "{P} after hours",
    "incidents.*.self_service_share": "{P} self-served",
    "incidents.*.in_house_share": "{P} resolved in house",
    "break_fix.hourly_rate": "Break/Fix on-site rate",
    "break_fix.remote_hourly_rate": "Break/Fix remote rate",
    "break_fix.onsite_minimum_hours": "On-site minimum billed",
    "break_fix.remote_minimum_hours": "Remote minimum billed",
    "break_fix.billing_increment_hours": "Billing increment",
    "break_fix.trip_fee": "Trip fee",
    "break_fix.after_hours_multiplier": "After-hours multiplier",
    "break_fix.after_hours_minimum_hours": "After-hours minimum billed",
    "break_fix.same_day_surcharge": "Same-day surcharge (P1/P2)",
    "break_fix.response_median_hours.*": "{P} Break/Fix wait, median",
    "break_fix.response_p90_hours.*": "{P} Break/Fix wait, p90",
    "break_fix.coordination_hours_per_incident": "Staff time per call (Break/Fix)",
    "break_fix.patch_latency_days": "Break/Fix patch latency",
    "break_fix.monitoring_coverage": "Break/Fix monitoring coverage",
    "break_fix.annual_escalator": "Break/Fix yearly rate rise",
    "organization.project_hours_per_year": "Project hours a year",
    "organization.in_house_it_cost_per_year": "In-house IT time, cost a year",
    "msp.co_managed_discount": "Co-managed discount",
    "msp.per_user_monthly": "MSP price per user",
    "msp.per_workstation_monthly": "MSP price per workstation",
    "msp.per_server_monthly": "MSP price per server",
    "msp.flat_monthly": "MSP flat monthly fee",
    "msp.monthly_minimum": "MSP monthly minimum",
    "msp.onboarding_fee": "MSP onboarding fee",
    "msp.exit_fee": "MSP exit fee",
    "msp.onboarding_staff_hours_per_user": "Staff time moving to the MSP",
    "msp.term_months": "MSP contract term",
    "msp.quoted_term_months": "Term the MSP quote is for",
    "msp.month_to_month_premium": "Month-to-month premium",
    "msp.one_year_premium": "One-to-three-year premium",
    "msp.annual_escalator": "MSP yearly price rise",
    "msp.out_of_scope_share": "Incidents outside the contract",
    "msp.out_of_scope_rate": "Out-of-scope hourly rate",
    "msp.after_hours_out_of_scope_share": "After-hours work outside the contract",
    "msp.after_hours_rate_multiplier": "MSP after-hours rate multiple",
    "msp.sla_response_hours.*": "{P} SLA response target",
    "msp.sla_adherence": "SLA targets met",
    "msp.sla_miss_excess_median": "Lateness of a missed SLA, median",
    "msp.sla_miss_excess_p90": "Lateness of a missed SLA, p90",
    "msp.sla_credit_per_critical_miss": "Credit per missed P1/P2 SLA",
    "msp.sla_credit_cap": "Cap on a year's SLA credits",
    "msp.prevented_share.*": "{P} prevented by maintenance",
    "msp.caught_early_share.*": "{P} caught before users notice",
    "msp.remote_resolution_share": "Visits the MSP avoids remotely",
    "msp.onsite_dispatch_hours": "MSP extra wait for a visit",
    "msp.coordination_hours_per_incident": "Staff time per call (MSP)",
    "msp.vendor_management_hours_per_month": "Staff time managing the MSP",
    "msp.patch_latency_days": "MSP patch latency",
    "msp.monitoring_coverage": "MSP monitoring coverage",
    "msp.vcio_hours_per_year": "Strategic (vCIO) hours included",
    "security.base_rate_per_user_year": "Costly security incidents",
    "security.reference_patch_latency_days": "Reference patch latency",
    "security.patch_halving_days": "Faster patching that halves the rate",
    "security.severity_median": "Cost of a security incident, median",
    "security.severity_p90": "Cost of a security incident, p90",
    "security.detection_severity_reduction": "Cost cut by full monitoring",
    "security.exploited_vulnerability_share": "Incidents via exploited flaws",
    "security.severity_includes_outage": "Severity includes outage",
    "security.outage_median_hours": "Outage per security incident, median",
    "security.outage_p90_hours": "Outage per security incident, p90",
    "security.fine_probability.*": "{R} chance of a fine",
    "security.fine_median.*": "{R} fine, median",
    "security.fine_p90.*": "{R} fine, p90",
    "security.fine_cap.*": "{R} largest fine",
}

REGIME_LABELS = {
    "none": "None",
    "hipaa": "HIPAA (US health data)",
    "pci": "PCI DSS (card payments)",
    "gdpr": "GDPR (EU personal data)",
}

_UNITS = {
    "share": "%",
    "share per year": "%/year",
    "multiple of the rate": "×",
    "multiples of the target": "× target",
    "text": "",
    "regime": "",
    "ISO code": "",
}


def _generic(path: str) -> tuple[str, str | None]:
    """``path`` with its priority or regime part replaced by ``*``, and that part."""
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part in PRIORITIES or part in REGIMES:
            return ".".join([*parts[:i], "*", *parts[i + 1 :]]), part
    return path, None


def short_unit(unit: str, symbol: str = "$") -> str:
    """A field's unit as a label shows it.

    Examples
    --------
    >>> short_unit("currency per user per month"), short_unit("share"), short_unit("business hours")
    ('$/user/month', '%', 'business h')
    >>> short_unit("currency per hour", "€"), short_unit("incidents per user per year")
    ('€/h', 'incidents/user/year')
    """
    if unit in _UNITS:
        return _UNITS[unit]
    text = unit.replace("currency", symbol).replace(" per ", "/")
    return re.sub(r"\bhours?\b", "h", text)


def control_label(path: str, symbol: str = "$") -> str:
    """The label of a path's control: a short name and the unit.

    Examples
    --------
    >>> control_label("break_fix.response_median_hours.p1")
    'P1 Break/Fix wait, median (business h)'
    >>> control_label("security.fine_median.gdpr", "€")
    'GDPR fine, median (€)'
    """
    info = field_info(path)
    generic, part = _generic(path)
    name = _LABELS.get(path) or _LABELS.get(generic)
    if name is None:
        name = info.doc.split(",")[0]
    if part is not None:
        name = name.replace("{P}", part.upper()).replace("{R}", part.upper())
    unit = short_unit(info.unit, symbol)
    return f"{name} ({unit})" if unit else name


def nice_number(x: float) -> float:
    """The 1-2-2.5-5 number nearest above ``x`` (for steps)."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= x * (1 - 1e-9):
            return float(m * 10**exp)
    return float(10 ** (exp + 1))  # pragma: no cover


def _nice_up(x: float, step: float) -> float:
    return math.ceil(x / step - 1e-9) * step


def assumption_label(path: str) -> str:
    """A readable name for a field: its doc, with the priority or regime it applies to."""
    info = field_info(path)
    last = path.rsplit(".", 1)[-1]
    parent = path.split(".")[-2] if path.count(".") >= 2 else ""
    label = info.doc
    if last in PRIORITIES:
        label += f" ({last.upper()})"
    elif last in ("hipaa", "pci", "gdpr"):
        label += f" ({last.upper()})"
    elif parent in PRIORITIES:
        label = f"{parent.upper()}: {label}"
    return label


def format_value(path: str, value: float | str, symbol: str = "$") -> str:
    """A field's value with its unit, as a client reads it.

    Examples
    --------
    >>> format_value("msp.per_user_monthly", 125.0)
    '$125 per user per month'
    >>> format_value("organization.it_dependency", 0.7), format_value("msp.term_months", 36)
    ('70%', '36 months')
    >>> format_value("break_fix.annual_escalator", 0.03)
    '3% per year'
    >>> format_value("break_fix.onsite_minimum_hours", 1.0), format_value("organization.servers", 1)
    ('1 hour', '1 server')
    >>> format_value("organization.compliance", "hipaa")
    'HIPAA (US health data)'
    """
    info = field_info(path)
    if info.choices == REGIMES and value in REGIME_LABELS:
        # "HIPAA (US health data)", never the file's "hipaa".
        return REGIME_LABELS[str(value)]
    if info.choices is not None or info.unit == "text":
        return str(value)
    v = float(value)
    unit = info.unit
    if unit.startswith("currency"):
        digits = 0 if v >= 100 or v == int(v) else 2
        rest = unit[len("currency") :].strip()
        return f"{money_compact(v, symbol, digits)} {rest}".strip()
    if unit.startswith("share"):
        pct = v * 100
        text = f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 else f"{pct:.1f}%"
        rest = unit[len("share") :].strip()
        return f"{text} {rest}".strip()
    number = f"{int(v):,}" if v == int(v) else f"{v:,.4g}"
    if v == 1:
        # "1 hour", not "1 hours": the first plural word of the unit agrees.
        words = unit.split()
        for i, word in enumerate(words):
            if word in _PLURALS:
                words[i] = word[:-1]
                break
        unit = " ".join(words)
    return f"{number} {unit}".strip()


_PLURALS = frozenset({"days", "devices", "hours", "incidents", "months", "multiples", "servers", "users"})


def field_label(path: str) -> str:
    """A short human label for a decision table: the field's doc, with its priority or regime.

    Examples
    --------
    >>> field_label("incidents.p1.work_p90_hours")
    'P1: 90th percentile of technician work per incident'
    """
    info = field_info(path)
    parts = path.split(".")
    last = parts[-1]
    doc = info.doc
    # "90th percentile of that ..." refers to its sibling median: name it.
    p90_field = next((p for p in parts if p.endswith("_p90") or "_p90_" in p), None)
    if doc.startswith("90th percentile of that") and p90_field is not None:
        sibling = ".".join(p.replace("p90", "median") if p == p90_field else p for p in parts)
        try:
            median_doc = field_info(sibling).doc
        except ValidationError:
            median_doc = ""
        if median_doc.startswith("Median "):
            doc = "P90 " + median_doc[len("Median ") :]
    suffix = ""
    if last in PRIORITIES or last in REGIMES:
        suffix = last.upper()
    elif len(parts) == 3 and parts[0] == "incidents":
        suffix = parts[1].upper()
    return f"{suffix}: {doc}" if suffix else doc


# -- text: slugs, slider steps, chart text -------------------------------------------


def slugify(text: str, default: str = "client") -> str:
    """A file-name-safe version of a name.

    Examples
    --------
    >>> slugify("Harbourview Partners (sample)")
    'harbourview-partners-sample'
    >>> slugify("  ")
    'client'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or default


def nice_step(x: float) -> float:
    """A round step about 1/100 of ``x``: 1, 2, 5 times a power of ten."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x / 100))
    for m in (1, 2, 5, 10):
        if m * 10**exp >= x / 100:
            return float(m * 10**exp)
    return float(10 ** (exp + 1))  # pragma: no cover


def mathtext_safe(text: str) -> str:
    """Text shown literally: a ``$`` would otherwise start matplotlib mathtext (two of them eat the words between)."""
    return text.replace("$", r"\$")
