"""Old import paths (``msp_analysis.widgets``, ``msp_analysis.plotting``, ...) kept working.

Until the package was split into subpackages every module sat at the top
level, and notebooks or scripts written then import them by those names. A
finder on :data:`sys.meta_path` answers each old name with the module that
now holds its code (the very same module object, so a patch made through the
old name reaches the real one) and warns once, with a
:class:`DeprecationWarning`, naming the new path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

#: Old module name (under ``msp_analysis.``) → the module that holds its code
#: now, or a tuple of the modules it was split into (their names are then
#: looked up in that order).
MOVED: dict[str, str | tuple[str, ...]] = {
    "billing": "model.billing",
    "budget": "decisions.budget",
    "calibration": ("ingest.calibration", "ingest.calibration_fits", "ingest.business_time", "ingest.estimators"),
    "clients": "ingest.clients",
    "dashboard": (
        "present.dashboard",
        "present.dashboard.app",
        "present.dashboard.charts",
        "present.dashboard.page",
        "present.dashboard.serve",
    ),
    "decision": ("decisions.break_even", "decisions.sensitivity", "decisions.what_if"),
    "defaults": "model.defaults",
    "distributions": "model.distributions",
    "downtime": "model.downtime",
    "expected": "engine.expected",
    "export": "ingest.export",
    "incidents": "model.incidents",
    "invoices": ("ingest.invoices", "decisions.invoice_check"),
    "metrics": "engine.metrics",
    "parsing": ("ingest.cells", "ingest.columns", "ingest.dates", "ingest.durations", "ingest.money"),
    "plotting": (
        "present.plotting",
        "present.charts.style",
        "present.charts.cost",
        "present.charts.decisions",
        "present.charts.operations",
        "present.charts.security",
        "formatting",
    ),
    "projection": "decisions.projection",
    "quotes": "ingest.quotes",
    "readers": (
        "ingest.tables",
        "ingest.sources",
        "ingest.grid",
        "ingest.csv_grid",
        "ingest.xlsx_grid",
        "ingest.columns",
        "ingest.problems",
        "ingest.dates",
        "ingest.cells",
    ),
    "report": (
        "present.report",
        "present.report.summary",
        "present.report.content",
        "present.report.build",
        "present.report.html",
        "present.report.pdf",
        "present.plotting",
        "formatting",
    ),
    "response": "model.response",
    "scenario": ("model.scenario", "model.fields"),
    "scorecard": "decisions.scorecard",
    "security": "model.security",
    "simulation": ("engine.simulation", "engine.columns"),
    "synthetic": "ingest.synthetic",
    "tickets": ("ingest.tickets", "ingest.priorities", "ingest.xlsx_grid", "ingest.sources"),
    "widgets": (
        "present.widgets",
        "present.widgets.controls",
        "present.widgets.scenario_panel",
        "present.widgets.live_view",
        "present.widgets.forms",
        "present.live",
        "formatting",
    ),
    "workbook": "ingest.workbook",
}

_PACKAGE = __name__.rpartition(".")[0]


class _Alias(importlib.abc.Loader):
    def __init__(self, targets: tuple[str, ...]) -> None:
        self.targets = targets

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        modules = [importlib.import_module(t) for t in self.targets]
        if len(modules) == 1:
            # The real module, not a copy: the import system sets only the
            # attributes it lacks, so its own __name__ and __spec__ stay, and
            # a patch through the old name reaches the code that reads it.
            return modules[0]
        # A module split in several: a facade that looks each name up in turn.
        facade = ModuleType(spec.name, f"Moved: see {', '.join(self.targets)}.")

        def __getattr__(name: str) -> object:
            for module in modules:
                if hasattr(module, name):
                    return getattr(module, name)
            raise AttributeError(f"module {spec.name!r} has no attribute {name!r}")

        facade.__getattr__ = __getattr__  # type: ignore[method-assign]
        return facade

    def exec_module(self, module: ModuleType) -> None:
        pass


class _LegacyFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, leaf = fullname.rpartition(".")
        if package != _PACKAGE or leaf not in MOVED:
            return None
        moved = MOVED[leaf]
        targets = tuple(f"{_PACKAGE}.{m}" for m in ((moved,) if isinstance(moved, str) else moved))
        warnings.warn(
            f"{fullname} moved to {' and '.join(targets)}; import it from there (or the public names from {_PACKAGE})",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.machinery.ModuleSpec(fullname, _Alias(targets))


class _Package(ModuleType):
    """The package's module type: an old module path never hides a public function.

    Importing a submodule sets it as an attribute of its package, so
    ``import msp_analysis.expected`` (the old home of :func:`expected`) would
    replace the public function ``msp_analysis.expected`` with a module, and
    every later ``msp_analysis.expected(scenario)`` would fail. The same holds
    for ``scorecard``.
    """

    def __setattr__(self, name: str, value: object) -> None:
        current = self.__dict__.get(name)
        if isinstance(value, ModuleType) and callable(current) and not isinstance(current, ModuleType):
            return
        super().__setattr__(name, value)


def install() -> None:
    """Put the finder on :data:`sys.meta_path` (once), and guard the package's public functions."""
    if not any(isinstance(f, _LegacyFinder) for f in sys.meta_path):
        sys.meta_path.append(_LegacyFinder())
    sys.modules[_PACKAGE].__class__ = _Package
