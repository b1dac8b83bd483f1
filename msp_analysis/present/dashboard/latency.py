"""How long the dashboard makes a user wait after a control change (``make bench`` and the tests use it)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...model.defaults import sample_scenario
from .app import _PATHS, Dashboard

__all__ = ["measure_latency"]


def measure_latency(changes: int = 30, dashboard: Dashboard | None = None, all_charts: bool = False) -> dict[str, Any]:
    """Time recompute + redraw after control changes, made as a user makes them.

    Cycles through the headcount, price, rate, outage-revenue and patch
    sliders, ``changes`` times in all, three steps up (then down) each time.
    By default the time is what the user waits for: figures and the chart on
    screen. ``all_charts=True`` redraws the hidden tabs too inside the timing:
    every chart, the worst case. The refinement to the report's simulated
    years runs when the controls rest (:data:`REFINE_AFTER_S`), off this path,
    and is not timed.

    Returns
    -------
    dict
        ``median_ms``, ``p95_ms``, ``max_ms``, ``n``, ``times_ms`` and ``errors``.
    """
    d = dashboard if dashboard is not None else Dashboard(scenarios={"Sample organisation": sample_scenario})
    keys = tuple(_PATHS)
    times = []
    for i in range(changes):
        w = d.inputs[keys[i % len(keys)]]
        sign = 1 if (i // len(keys)) % 2 == 0 else -1
        target = min(max(w.value + sign * 3 * w.step, w.min), w.max)
        t0 = time.perf_counter()
        w.value = target
        if all_charts:
            # Every tab redrawn from the same quick run (flush() would also refine to the report's years,
            # which happens when the controls rest, not on the slider's path).
            for chart in d.charts.values():
                if chart.stale:
                    d._draw(chart)
        times.append((time.perf_counter() - t0) * 1000)
    arr = np.array(times)
    return {
        "median_ms": float(np.median(arr)),
        "p95_ms": float(np.quantile(arr, 0.95)),
        "max_ms": float(arr.max()),
        "n": len(times),
        "times_ms": times,
        "errors": [str(e) for e in d.errors],
    }
