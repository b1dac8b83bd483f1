"""Which of the MSP's promised effects carry the expected saving, and on what each rests.

The expected saving (Break/Fix minus MSP expected total) is split into parts
that add up to it exactly:

- one part per **MSP effect** (:data:`MSP_EFFECTS`): incidents prevented,
  faults caught early, faster response, faster patching, monitoring, less
  staff time per incident. An effect is switched *off* by setting its fields
  to their "no effect" value: the MSP prevents and catches nothing, responds
  as fast as Break/Fix on average, patches as late, monitors as little and
  takes as much staff time per incident as Break/Fix;
- with every effect off, what is left: the saving of each cost component
  (fees, staff time, downtime, security losses) in that scenario. These are
  mostly what the invoices say (the MSP's subscription against Break/Fix's
  hourly bills) and the MSP's own overheads (vendor management).

The effects interact (a prevented incident needs no fast response), so parts
taken one at a time would not add up. By default they are switched on one
after the other in the order of an incident's life, :data:`MSP_EFFECTS`
(prevent it; else catch it before users notice; else answer it faster; then
the security effects; then the staff time), each credited with what
switching it on adds: the parts then add up to the saving exactly, and an
effect that changes nothing gets zero. ``method="shapley"`` instead gives
each effect its Shapley value (the average over every order): order-free,
also exact, ten times the cost.

Each part is labelled with the weakest *basis* of the fields it rests on
(:func:`field_bases`): published < client data < assumption in strength, so
a part that needs one assumption to hold is an assumption.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> t = saving_split(sample_scenario())
>>> round(t.loc["prevented", "saving"]), t.loc["prevented", "basis"]
(14889, 'assumption')
>>> round(float(t["saving"].sum()), 6) == round(float(t.attrs["total"]), 6)
True
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ..engine.expected import expected_components
from ..model.defaults import assumptions
from ..model.fields import walk_leaves
from ..model.response import break_fix_response, expected_msp_response
from ..model.scenario import PRIORITIES, Scenario

__all__ = ["BASES", "COMPONENT_LABELS", "MSP_EFFECTS", "Effect", "drives", "field_bases", "saving_split"]

#: Weakest first: a part is only as well-founded as its weakest input.
BASES = ("assumption", "client data", "published")
#: The cost components of a year, as a reader names them.
COMPONENT_LABELS = {
    "fees": "Fees",
    "internal_cost": "Staff time managing support",
    "downtime_cost": "Downtime",
    "security_loss": "Security losses",
}
#: The largest legal SLA target (business hours), see ``msp.sla_response_hours``.
_MAX_TARGET = 2000.0


@dataclass(frozen=True)
class Effect:
    """One effect the MSP is assumed to have, and how to switch it off.

    Attributes
    ----------
    key, label : str
        Short name and what a client reads.
    off : callable
        ``off(scenario)`` -> the field values (``{path: value}``) under which
        the MSP has no such effect.
    rests_on : tuple of str
        Fields (or groups: ``"msp.prevented_share"``, or sections ending in
        ``"."``) that set the effect's size: the basis of its part is the
        weakest among them.
    """

    key: str
    label: str
    off: Callable[[Scenario], dict[str, Any]]
    rests_on: tuple[str, ...]


def _same_response(s: Scenario) -> dict[str, Any]:
    """SLA targets scaled so the MSP's mean wait is Break/Fix's, and no extra wait for an on-site visit."""
    out: dict[str, Any] = {"msp.onsite_dispatch_hours": 0.0}
    for p in PRIORITIES:
        target = s.msp.sla_response_hours[p]
        # the mean wait is proportional to the target (response.expected_msp_response)
        scaled = target * break_fix_response(s, p).mean() / expected_msp_response(s, p)
        out[f"msp.sla_response_hours.{p}"] = min(scaled, _MAX_TARGET)
    return out


#: The MSP's effects, in the order a client reads them.
MSP_EFFECTS = (
    Effect(
        "prevented",
        "Incidents the MSP prevents",
        lambda s: {f"msp.prevented_share.{p}": 0.0 for p in PRIORITIES},
        ("msp.prevented_share",),
    ),
    Effect(
        "caught_early",
        "Faults its monitoring fixes before users notice",
        lambda s: {f"msp.caught_early_share.{p}": 0.0 for p in PRIORITIES},
        ("msp.caught_early_share",),
    ),
    Effect(
        "response",
        "Faster response (SLA) than Break/Fix",
        _same_response,
        (
            "msp.sla_response_hours",
            "msp.sla_adherence",
            "msp.sla_miss_excess_median",
            "msp.sla_miss_excess_p90",
            "msp.onsite_dispatch_hours",
            "msp.remote_resolution_share",
            "break_fix.response_median_hours",
            "break_fix.response_p90_hours",
        ),
    ),
    Effect(
        "patching",
        "Faster patching",
        lambda s: {"msp.patch_latency_days": s.break_fix.patch_latency_days},
        (
            "msp.patch_latency_days",
            "break_fix.patch_latency_days",
            "security.patch_halving_days",
            "security.exploited_vulnerability_share",
        ),
    ),
    Effect(
        "monitoring",
        "Security monitoring",
        lambda s: {"msp.monitoring_coverage": s.break_fix.monitoring_coverage},
        ("msp.monitoring_coverage", "break_fix.monitoring_coverage", "security.detection_severity_reduction"),
    ),
    Effect(
        "staff_time",
        "Less staff time per incident",
        lambda s: {"msp.coordination_hours_per_incident": s.break_fix.coordination_hours_per_incident},
        ("msp.coordination_hours_per_incident", "break_fix.coordination_hours_per_incident"),
    ),
)

#: What each component left with every effect off rests on. Sections end in "." so fields
#: added to them later (new fees, surcharges, terms) are counted without a list to update.
_REST_DRIVERS = {
    "fees": ("break_fix.", "msp.", "incidents.", "organization.users", "organization.workstations"),
    "internal_cost": (
        "break_fix.coordination_hours_per_incident",
        "msp.vendor_management_hours_per_month",
        "organization.loaded_hourly_cost",
        "incidents.",
    ),
    "downtime_cost": ("break_fix.response_", "incidents.", "organization."),
    "security_loss": ("security.", "break_fix.patch_latency_days", "break_fix.monitoring_coverage", "organization."),
}


def drives(driver: str, path: str) -> bool:
    """``driver`` names ``path`` itself, its group (``msp.prevented_share``) or a prefix ending in "." or "_".

    Examples
    --------
    >>> drives("msp.prevented_share", "msp.prevented_share.p1"), drives("incidents.", "incidents.p1.degradation")
    (True, True)
    >>> drives("msp.sla_adherence", "msp.sla_adherence_extra")
    False
    """
    if driver.endswith((".", "_")):
        return path.startswith(driver)
    return path == driver or path.startswith(driver + ".")


@functools.cache
def _default_bases() -> tuple[dict[str, str], dict[str, str]]:
    """``({path: default value}, {path: basis})`` from the package's table, read once (it ships with the package)."""
    table = assumptions()
    return dict(zip(table["path"], table["value"], strict=True)), dict(zip(table["path"], table["basis"], strict=True))


def _differs(value: object, default: str) -> bool:
    """Different text and a different number (the rule of :func:`msp_analysis.scenario_assumptions`)."""
    if str(value) == default:
        return False
    try:
        return float(str(value)) != float(default)
    except ValueError:
        return True


def field_bases(scenario: Scenario, yours: Collection[str] | None = None) -> dict[str, str]:
    """The basis of each of the scenario's values: ``"published"``, ``"client data"`` or ``"assumption"``.

    A value in ``yours`` is client data. Without ``yours``, every value that
    differs from the package default is taken for the client's (a scenario
    file is the client's: the rule of the report's assumption table). Any
    other value has its default's basis in ``assumptions.csv``; a field with
    no row there is an assumption.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> b = field_bases(s)
    >>> b["break_fix.hourly_rate"], b["msp.prevented_share.p1"]
    ('published', 'assumption')
    >>> field_bases(s.replace({"msp.prevented_share.p1": 0.1}))["msp.prevented_share.p1"]
    'client data'
    >>> field_bases(s.replace({"msp.prevented_share.p1": 0.1}), yours=())["msp.prevented_share.p1"]
    'assumption'
    """
    defaults, bases = _default_bases()
    values = dict(walk_leaves(scenario, ""))  # one walk: Scenario.get per path costs a walk each
    if yours is None:
        own = {p for p, v in values.items() if _differs(v, defaults.get(p, ""))}
    else:
        own = set(yours)
    return {p: "client data" if p in own else (bases.get(p) or "assumption") for p in values}


@functools.cache
def _driven(drivers: tuple[str, ...], paths: tuple[str, ...]) -> tuple[str, ...]:
    """The fields ``drivers`` name among ``paths`` (cached: the dashboard asks on every change)."""
    return tuple(p for p in paths if any(drives(d, p) for d in drivers))


def _weakest(bases: Mapping[str, str], drivers: tuple[str, ...]) -> tuple[str, list[str]]:
    """The weakest basis among the fields ``drivers`` name, and those fields."""
    paths = _driven(drivers, tuple(bases))
    found = {bases[p] for p in paths}
    basis = next((b for b in BASES if b in found), "assumption")
    return basis, [p for p in paths if bases[p] == basis]


def _saving(comps: Mapping[str, Mapping[str, float]], column: str = "total_cost") -> float:
    return float(comps["break_fix"][column] - comps["msp"][column])


def _values(scenario: Scenario, offs: Mapping[str, dict[str, Any]], sets: list[frozenset[str]]) -> dict:
    """Expected components with the effects of each set on and every other effect off."""
    out = {}
    for on in sets:
        off = {p: v for k, changes in offs.items() if k not in on for p, v in changes.items()}
        out[on] = expected_components(scenario.replace(off)) if off else expected_components(scenario)
    return out


def _parts(active: list[str], total: Callable[[frozenset[str]], float], method: str) -> dict[str, float]:
    """Each active effect's part: switched on in turn (``"sequential"``) or its Shapley value."""
    if method == "sequential":
        on: frozenset[str] = frozenset()
        parts = {}
        for k in active:
            parts[k] = total(on | {k}) - total(on)
            on = on | {k}
        return parts
    n = len(active)
    parts = dict.fromkeys(active, 0.0)
    for k in active:
        others = [a for a in active if a != k]
        for r in range(n):
            weight = math.factorial(r) * math.factorial(n - r - 1) / math.factorial(n)
            for s in itertools.combinations(others, r):
                parts[k] += weight * (total(frozenset((*s, k))) - total(frozenset(s)))
    return parts


def saving_split(
    scenario: Scenario, yours: Collection[str] | None = None, method: Literal["sequential", "shapley"] = "sequential"
) -> pd.DataFrame:
    """The expected saving split into the MSP's effects and what is left without them, each with its basis.

    See the module docstring for the rule.

    Parameters
    ----------
    scenario : Scenario
    yours : collection of str, optional
        The fields that are the client's own numbers (see :func:`field_bases`).
    method : {"sequential", "shapley"}
        How interacting effects share the saving: switched on one after the
        other in the order of :data:`MSP_EFFECTS` (7 evaluations of the exact
        expectations), or each effect's Shapley value (the average over every
        order, 64 evaluations: order-free, ten times the cost).

    Returns
    -------
    pandas.DataFrame
        Indexed by effect key (:data:`MSP_EFFECTS`), then ``rest:fees``,
        ``rest:internal_cost``, ``rest:downtime_cost``, ``rest:security_loss``;
        columns ``label``, ``saving`` (Break/Fix minus MSP, a year; negative:
        it makes the MSP costlier), ``basis``, ``fields`` (the fields of that
        basis behind it) and ``kind`` (``"effect"`` or ``"rest"``). The parts
        add up to ``attrs["total"]``, the expected saving.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = sample_scenario()
    >>> seq, shap = saving_split(s), saving_split(s, method="shapley")
    >>> round(seq.loc["prevented", "saving"]), round(shap.loc["prevented", "saving"])
    (14889, 11193)
    >>> bool(abs(seq["saving"].sum() - shap["saving"].sum()) < 1e-6)
    True
    """
    return _split_frame(*split_rows(scenario, yours, method))


def _split_frame(rows: Mapping[str, Mapping[str, Any]], total: float) -> pd.DataFrame:
    """The parts as :func:`saving_split` returns them."""
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "part"
    out.attrs["total"] = total
    return out


def split_rows(
    scenario: Scenario, yours: Collection[str] | None = None, method: str = "sequential"
) -> tuple[dict[str, dict[str, Any]], float]:
    """:func:`saving_split` as plain ``({part: row}, total)``: what the dashboard redraws from, without pandas."""
    if method not in ("sequential", "shapley"):
        raise ValueError(f"method: got {method!r}, expected 'sequential' or 'shapley'")
    bases = field_bases(scenario, yours)
    offs = {e.key: e.off(scenario) for e in MSP_EFFECTS}
    # An effect whose "off" values are today's changes nothing: its part is zero whatever the rule.
    active = [e.key for e in MSP_EFFECTS if any(scenario.get(p) != v for p, v in offs[e.key].items())]
    if method == "sequential":
        sets = [frozenset(active[:k]) for k in range(len(active) + 1)]
    else:
        sets = [frozenset(c) for r in range(len(active) + 1) for c in itertools.combinations(active, r)]
    comps = _values(scenario, {k: offs[k] for k in active}, sets)
    parts = _parts(active, lambda on: _saving(comps[on]), method)
    rest = comps[frozenset()]
    rows: dict[str, dict[str, Any]] = {}
    for e in MSP_EFFECTS:
        basis, fields = _weakest(bases, e.rests_on)
        rows[e.key] = {"label": e.label, "saving": parts.get(e.key, 0.0), "basis": basis, "fields": fields}
        rows[e.key]["kind"] = "effect"
    # With every effect off, the effects' own fields sit at their no-effect values: they drive none of what is left.
    at_rest = {p: b for p, b in bases.items() if not any(p in offs[k] for k in active)}
    for column, label in COMPONENT_LABELS.items():
        basis, fields = _weakest(at_rest, _REST_DRIVERS[column])
        label = f"{label}, with none of these effects"
        rows[f"rest:{column}"] = {"label": label, "saving": _saving(rest, column), "basis": basis, "fields": fields}
        rows[f"rest:{column}"]["kind"] = "rest"
    return rows, _saving(comps[frozenset(active)])
