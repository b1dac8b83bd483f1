"""One scenario changed in one place: a field set, or the headcount with its devices.

The decision tools set thousands of values; these rebuild only the section
that changes, and :func:`with_headcount` scales workstations and servers with
the users (``round(devices * new_users / users)``, an organisation that has
servers keeps at least one) so per-device fees grow as they would.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, TypeVar

from ..errors import ValidationError
from ..formatting import field_label
from ..model.fields import FieldInfo
from ..model.scenario import Scenario, field_info

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")

__all__ = ["field_label", "numeric_paths", "with_headcount", "with_value"]


def with_headcount(scenario: Scenario, users: int | float, scale_devices: bool = True) -> Scenario:
    """The scenario with ``users`` users, devices scaled in proportion (or held).

    Workstations and servers become ``round(n * users / current users)``
    (half rounds up); an organisation with servers keeps at least one.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = with_headcount(sample_scenario(), 90)     # 45 users, 50 workstations, 3 servers
    >>> s.organization.users, s.organization.workstations, s.organization.servers
    (90, 100, 6)
    >>> with_headcount(sample_scenario(), 5).organization.servers   # 0.33 servers: keeps one
    1
    """
    org = scenario.organization
    if not scale_devices:
        return with_value(scenario, "organization.users", users, scale_devices=False)
    checked = field_info("organization.users").check("organization.users", users)
    ratio = checked / org.users
    devices = {
        "users": checked,
        "workstations": _scaled_count(org.workstations, ratio),
        "servers": _scaled_count(org.servers, ratio),
    }
    try:
        return dataclasses.replace(scenario, organization=dataclasses.replace(org, **devices))
    except ValidationError:
        return scenario.replace({f"organization.{k}": v for k, v in devices.items()})


def _scaled_count(count: int, ratio: float) -> int:
    if count == 0:
        return 0
    return max(1, math.floor(count * ratio + 0.5))


def with_value(scenario: Scenario, path: str, value: float, scale_devices: bool = True) -> Scenario:
    """The scenario with one dotted-path field set (validated), quickly.

    Same result as ``scenario.replace({path: value})`` but rebuilds only the
    section that changes (the decision tools set thousands of values). For
    ``organization.users`` with ``scale_devices=True`` the devices follow
    (:func:`with_headcount`).
    """
    if path == "organization.users" and scale_devices:
        return with_headcount(scenario, value)
    parts = path.split(".") if isinstance(path, str) else []
    try:
        return _replace_along(scenario, parts, value)
    except (ValidationError, TypeError, AttributeError):
        # The slow path names the full dotted path in its error.
        return scenario.replace({path: value})


def _replace_along(obj: _D, parts: list[str], value: float) -> _D:
    if not parts or not dataclasses.is_dataclass(obj):
        raise AttributeError("not a field path")
    name = parts[0]
    if name not in {f.name for f in dataclasses.fields(obj)}:
        raise AttributeError(name)
    if len(parts) == 1:
        if dataclasses.is_dataclass(getattr(obj, name)):
            raise AttributeError("a group, not a field")
        return dataclasses.replace(obj, **{name: value})
    return dataclasses.replace(obj, **{name: _replace_along(getattr(obj, name), parts[1:], value)})


def numeric_paths(scenario: Scenario) -> list[str]:
    """Every numeric leaf path of the scenario (no names, currencies or regimes)."""
    out = []
    for path in scenario.paths():
        info = field_info(path)
        if info.choices is None and info.unit != "text":
            out.append(path)
    return out


def _numeric_info(path: str) -> FieldInfo:
    info = field_info(path)  # raises ValidationError for unknown paths and groups
    if info.choices is not None or info.unit == "text":
        raise ValidationError(path, path, "a numeric field (not a name, a currency or a regime)")
    return info
