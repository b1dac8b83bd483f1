"""Every chart of the suite in one namespace: the name notebooks and scripts import.

The charts live in :mod:`msp_analysis.present.charts`, one module per
subject (``style``, ``cost``, ``decisions``, ``operations``, ``security``);
this module re-exports each public name so that
``from msp_analysis.present.plotting import plot_projection`` keeps working.
"""

from __future__ import annotations

from .charts import *  # noqa: F403  (re-exporting is this module's purpose)
from .charts import __all__ as __all__
