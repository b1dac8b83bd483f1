"""Every chart of the suite in one namespace: the name notebooks and scripts import.

The charts live in :mod:`msp_analysis.present.charts`, one module per
subject (``style``, ``cost``, ``decisions``, ``operations``, ``security``);
this module re-exports each public name so that
``from msp_analysis.present.plotting import plot_projection`` keeps working.
"""

from __future__ import annotations

from .charts import *  # noqa: F403  (re-exporting is this module's purpose)
from .charts import __all__ as __all__

# The old private names, used by the dashboard until it switches to the public
# ones (charts.cost.cost_histogram_data, charts.security.exceedance_curves /
# exceedance_title / exceedance_label, charts.decisions.projection_title).
from .charts.cost import cost_histogram_data as _cost_histogram_data  # noqa: F401
from .charts.decisions import projection_title as _projection_title  # noqa: F401
from .charts.security import exceedance_curves as _exceedance_curves  # noqa: F401
from .charts.security import exceedance_label as _exceedance_label  # noqa: F401
from .charts.security import exceedance_title as _exceedance_title  # noqa: F401
