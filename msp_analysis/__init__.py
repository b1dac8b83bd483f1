"""msp_analysis: Break/Fix versus managed IT services, as distributions.

Cost, downtime and security risk of buying IT support by the hour
(Break/Fix) or by subscription (MSP), simulated over many years with the same
incidents for both, with exact expected values beside the simulation.

>>> from msp_analysis import sample_scenario, simulate, expected
>>> scenario = sample_scenario()
>>> comparison = simulate(scenario, trials=2_000, seed=7)
>>> table = expected(scenario)
"""

from .budget import MonthlyFees, monthly_fees, prob_fees_exceed
from .calibration import CalibrationResult, calibrate
from .clients import list_clients, load_client, save_client_scenario
from .decision import BreakEven, NoCrossingError, break_even, sensitivity
from .defaults import assumptions, data_dir, sample_scenario, scenario_assumptions
from .errors import DataError, MSPAnalysisError, ValidationError
from .expected import expected
from .export import safe_table_export
from .invoices import compare_invoices, load_invoices
from .projection import Projection, project
from .quotes import apply_quote, load_msp_quote
from .scenario import (
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
from .scorecard import scorecard
from .simulation import COLUMNS, COST_COLUMNS, MODEL_LABELS, MODELS, Comparison, ModelResult, simulate
from .tickets import LoadReport, load_tickets
from .workbook import scenario_from_workbook, scenario_to_workbook

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
    "Organization",
    "PerPriority",
    "PerRegime",
    "PriorityClass",
    "Projection",
    "Scenario",
    "Security",
    "ValidationError",
    "apply_quote",
    "assumptions",
    "break_even",
    "build_report",
    "calibrate",
    "compare_invoices",
    "data_dir",
    "expected",
    "list_clients",
    "load_client",
    "load_invoices",
    "load_msp_quote",
    "load_tickets",
    "monthly_fees",
    "prob_fees_exceed",
    "project",
    "safe_table_export",
    "sample_scenario",
    "save_client_scenario",
    "scenario_assumptions",
    "scenario_from_workbook",
    "scenario_to_workbook",
    "scorecard",
    "sensitivity",
    "simulate",
]


def __getattr__(name):
    # The report pulls in matplotlib and python-pptx: imported on first use,
    # so `import msp_analysis` stays light.
    if name == "build_report":
        from .report import build_report

        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
