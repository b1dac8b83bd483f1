"""What a result holds: the two models and the columns of a simulated or expected year.

Shared by the simulation and the exact expectations (neither imports the
other), the decision tools and the presentation.
"""

from __future__ import annotations

__all__ = ["COLUMNS", "COST_COLUMNS", "MODELS", "MODEL_LABELS"]

#: The four parts of a year's total cost, in the order they are summed.
COST_COLUMNS = ("fees", "internal_cost", "downtime_cost", "security_loss")
#: Every column of a result's ``trials`` table.
COLUMNS = (
    "fees",
    "internal_cost",
    "downtime_hours",
    "downtime_cost",
    "security_loss",
    "total_cost",
    "incidents",
    "security_incidents",
    "security_downtime_hours",
    "availability",
)
MODELS = ("break_fix", "msp")
MODEL_LABELS = {"break_fix": "Break/Fix", "msp": "MSP"}
