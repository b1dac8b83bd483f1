"""msp_analysis: Break/Fix versus managed IT services, as distributions.

Cost, downtime and security risk of buying IT support by the hour
(Break/Fix) or by subscription (MSP), simulated over many years with the same
incidents for both, with exact expected values beside the simulation.

>>> from msp_analysis import sample_scenario, simulate, expected
>>> scenario = sample_scenario()
>>> comparison = simulate(scenario, trials=2_000, seed=7)
>>> table = expected(scenario)
"""

from . import _legacy
from .decisions.break_even import BreakEven, NoCrossingError, break_even
from .decisions.budget import MonthlyFees, monthly_fees, prob_fees_exceed
from .decisions.deliver import (
    OperationalBreakEven,
    fees_only,
    operational_break_even,
    saving_by_basis,
    security_vs_insurance,
)
from .decisions.invoice_check import compare_invoices
from .decisions.projection import Projection, project
from .decisions.scorecard import scorecard
from .decisions.sensitivity import sensitivity
from .decisions.uncertainty import Uncertainty, uncertainty
from .engine.columns import COLUMNS, COST_COLUMNS, MODEL_LABELS, MODELS
from .engine.expected import expected
from .engine.simulation import Comparison, ModelResult, simulate
from .errors import DataError, MSPAnalysisError, ValidationError
from .ingest.calibration import CalibrationResult, calibrate
from .ingest.clients import data_dir, list_clients, load_client, save_client_scenario
from .ingest.export import safe_table_export
from .ingest.invoices import load_invoices
from .ingest.quotes import apply_quote, load_msp_quote
from .ingest.tickets import LoadReport, load_tickets
from .ingest.workbook import scenario_from_workbook, scenario_to_workbook
from .model.defaults import assumptions, sample_scenario, scenario_assumptions
from .model.scenario import (
    MSP,
    PRIORITIES,
    REGIMES,
    BreakFix,
    Incidents,
    Organization,
    PerPriority,
    PerRegime,
    PriorityClass,
    Scenario,
    Security,
)

__version__ = "0.1.0"

__all__ = [
    "COLUMNS",
    "COST_COLUMNS",
    "MODELS",
    "MODEL_LABELS",
    "MSP",
    "PRIORITIES",
    "REGIMES",
    "BreakEven",
    "BreakFix",
    "CalibrationResult",
    "Comparison",
    "DataError",
    "Incidents",
    "LoadReport",
    "MSPAnalysisError",
    "ModelResult",
    "MonthlyFees",
    "NoCrossingError",
    "OperationalBreakEven",
    "Organization",
    "PerPriority",
    "PerRegime",
    "PriorityClass",
    "Projection",
    "Scenario",
    "Security",
    "Uncertainty",
    "ValidationError",
    "apply_quote",
    "assumptions",
    "break_even",
    "build_report",
    "calibrate",
    "compare_invoices",
    "data_dir",
    "expected",
    "fees_only",
    "list_clients",
    "load_client",
    "load_invoices",
    "load_msp_quote",
    "load_tickets",
    "monthly_fees",
    "operational_break_even",
    "prob_fees_exceed",
    "project",
    "safe_table_export",
    "sample_scenario",
    "save_client_scenario",
    "saving_by_basis",
    "scenario_assumptions",
    "scenario_from_workbook",
    "scenario_to_workbook",
    "scorecard",
    "security_vs_insurance",
    "sensitivity",
    "simulate",
    "uncertainty",
]


_legacy.install()


def __getattr__(name: str) -> object:
    if name == "build_report":
        # The report pulls in matplotlib and python-pptx: imported on first use,
        # so `import msp_analysis` stays light.
        from .present.report import build_report

        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
