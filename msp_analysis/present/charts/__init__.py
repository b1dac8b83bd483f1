"""Charts of the comparison, in the suite's one consistent look, one module per subject.

- :mod:`.style`: the model and component colours, :func:`apply_style`, money on an axis;
- :mod:`.cost`: what a year costs (total's distribution, breakdown, saving, any column, a budget);
- :mod:`.decisions`: tornado, break-even, multi-year projection, monthly fees, scorecard, quotes;
- :mod:`.operations`: what an incident is billed, how long users wait, what becomes of incidents;
- :mod:`.security`: loss exceedance, the incident rate against patching, fines by regime;
- :mod:`.uncertainty`: how sure we are: expected saving across input draws, EVPPI, acceptability.

Every chart function takes ``ax=`` (a new figure is made when it is ``None``)
and returns the axes, so notebooks, the dashboard and the report compose them
freely. Titles state the finding, not the chart type; amounts on axes, labels
and titles are compact (``$2.35M``), in the scenario's currency. Every public
name is re-exported here (and from :mod:`msp_analysis.present.plotting`, the
name the notebooks import).
"""

from __future__ import annotations

from .cost import (
    cost_histogram_data,
    plot_budget_exceedance,
    plot_column_distribution,
    plot_cost_breakdown,
    plot_savings_distribution,
    plot_total_cost_distribution,
)
from .decisions import (
    plot_break_even,
    plot_fees_vs_headcount,
    plot_monthly_fee_bands,
    plot_projection,
    plot_scorecard,
    plot_tornado,
    projection_title,
)
from .operations import plot_billing_rule, plot_incident_outcomes, plot_response_times
from .security import (
    exceedance_curves,
    exceedance_label,
    exceedance_title,
    plot_fines_by_regime,
    plot_loss_exceedance,
    plot_security_rate,
)
from .style import COLORS, COMPONENT_COLORS, COMPONENT_LABELS, apply_style, money_formatter
from .uncertainty import plot_acceptability, plot_evppi, plot_expected_savings_draws

__all__ = [
    "COLORS",
    "COMPONENT_COLORS",
    "COMPONENT_LABELS",
    "apply_style",
    "cost_histogram_data",
    "exceedance_curves",
    "exceedance_label",
    "exceedance_title",
    "money_formatter",
    "plot_acceptability",
    "plot_billing_rule",
    "plot_break_even",
    "plot_budget_exceedance",
    "plot_column_distribution",
    "plot_cost_breakdown",
    "plot_evppi",
    "plot_expected_savings_draws",
    "plot_fees_vs_headcount",
    "plot_fines_by_regime",
    "plot_incident_outcomes",
    "plot_loss_exceedance",
    "plot_monthly_fee_bands",
    "plot_projection",
    "plot_response_times",
    "plot_savings_distribution",
    "plot_scorecard",
    "plot_security_rate",
    "plot_tornado",
    "plot_total_cost_distribution",
    "projection_title",
]
