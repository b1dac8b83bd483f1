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
from .decision import BreakEven, NoCrossingError, break_even, sensitivity
from .defaults import assumptions, data_dir, sample_scenario, scenario_assumptions
from .errors import DataError, MSPAnalysisError, ValidationError
from .expected import expected
from .projection import Projection, project
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
    "Comparison",
    "DataError",
    "Incidents",
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
    "assumptions",
    "break_even",
    "data_dir",
    "expected",
    "monthly_fees",
    "prob_fees_exceed",
    "project",
    "sample_scenario",
    "scenario_assumptions",
    "scorecard",
    "sensitivity",
    "simulate",
]
