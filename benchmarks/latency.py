"""Interactive latency of the presentation dashboard: recompute + redraw after a control change.

Uses the dashboard's own probe, ``msp_analysis.present.dashboard.measure_latency``,
which moves the dashboard's sliders as a user does and times until the
figures and charts are rendered (PNG bytes ready for the page). Two numbers:

- *all charts*: recompute and redraw every chart (``all_charts=True``), the
  worst case and what the issue's goal is stated for;
- *chart on screen*: what the user waits for; the dashboard redraws hidden
  tabs only when they are opened.

Where the dashboard module is not there (or its probe fails), the same work is
measured directly and labelled as such: exact expectations, a
``DASHBOARD_TRIALS``-year simulation and four library charts (total-cost
distribution, cost breakdown, loss exceedance and, when
``msp_analysis.decisions.projection`` exists, the multi-year cumulative cost) drawn with
the plotting defaults into an in-memory PNG with Agg.
"""

from __future__ import annotations

import io
import time
import traceback

import numpy as np

#: Trials used when the dashboard does not say (its documented default).
FALLBACK_TRIALS = 2_000

# The controls a client asks about, as in the dashboard: (path, step).
_CHANGES = (
    ("organization.users", 5),
    ("msp.per_user_monthly", 5.0),
    ("break_fix.hourly_rate", 10.0),
    ("organization.revenue_per_outage_hour", 100.0),
    ("break_fix.patch_latency_days", 3.0),
)


def _stats(times_ms) -> dict:
    a = np.asarray(times_ms, dtype=float)
    return {"median_ms": float(np.median(a)), "p95_ms": float(np.quantile(a, 0.95)), "n": int(a.size)}


def measure(changes: int = 30, warmup: int = 5) -> dict:
    """Latency numbers and how they were obtained (``source``)."""
    try:
        from msp_analysis.present import dashboard
    except Exception:  # a dashboard being built may fail to import in any way
        return _equivalent(changes, warmup, reason="msp_analysis.present.dashboard is not importable")
    probe = getattr(dashboard, "measure_latency", None)
    if probe is None:
        return _equivalent(changes, warmup, reason="msp_analysis.present.dashboard has no measure_latency()")
    try:
        probe(changes=warmup)  # fonts, caches and first-call costs out of the timing
        every = probe(changes=changes, all_charts=True)
        visible = probe(changes=changes)
    except Exception:
        reason = (
            "msp_analysis.present.dashboard.measure_latency() failed: " + traceback.format_exc(limit=2).splitlines()[-1]
        )
        return _equivalent(changes, warmup, reason=reason)
    trials = getattr(dashboard, "DASHBOARD_TRIALS", FALLBACK_TRIALS)
    return {
        "source": "dashboard",
        "trials": trials,
        "all_charts": _stats(every["times_ms"]),
        "visible_chart": _stats(visible["times_ms"]),
        "engine": engine_only(changes, trials, getattr(dashboard, "PROJECTION_TRIALS", 500)),
        "charts": chart_breakdown(trials, getattr(dashboard, "PROJECTION_TRIALS", 500)),
        "errors": list(every.get("errors", [])) + list(visible.get("errors", [])),
    }


def _changed(base, i: int):
    """The ``i``-th control change, as the dashboard's probe makes them (three steps up, then down)."""
    path, delta = _CHANGES[i % len(_CHANGES)]
    sign = 1 if (i // len(_CHANGES)) % 2 == 0 else -1
    return base.replace({path: base.get(path) + sign * 3 * delta})


def engine_only(changes: int, trials: int, projection_trials: int) -> dict:
    """The numbers behind a change without any drawing: exact figures, the simulation, the projection."""
    from msp_analysis import sample_scenario, simulate
    from msp_analysis.engine.expected import expected_components

    try:
        from msp_analysis.decisions.projection import project
    except ImportError:
        project = None
    base = sample_scenario()

    def step(i: int) -> None:
        s = _changed(base, i)
        expected_components(s)
        simulate(s, trials=trials, seed=2024, progress=False)
        if project is not None:
            project(s, years=3, trials=min(projection_trials, trials), seed=2024)

    step(0)
    times = []
    for i in range(changes):
        t0 = time.perf_counter()
        step(i)
        times.append((time.perf_counter() - t0) * 1000)
    return _stats(times)


def _equivalent(changes: int, warmup: int, reason: str) -> dict:
    """The dashboard's work done directly with the library (when the dashboard is not available)."""
    from matplotlib.figure import Figure

    from msp_analysis import expected, sample_scenario, simulate
    from msp_analysis.present import charts as P

    try:
        from msp_analysis.decisions.projection import project
    except ImportError:
        project = None
    trials = FALLBACK_TRIALS
    base = sample_scenario()
    P.apply_style(large=True)

    def step(i: int) -> None:
        s = _changed(base, i)
        table = expected(s)
        c = simulate(s, trials=trials, seed=2024, progress=False)
        charts = [
            lambda ax: P.plot_total_cost_distribution(c, ax=ax),
            lambda ax: P.plot_cost_breakdown(table, ax=ax, symbol=s.organization.currency_symbol),
            lambda ax: P.plot_loss_exceedance(c, ax=ax),
        ]
        if project is not None and hasattr(P, "plot_projection"):
            proj = project(s, years=3, trials=min(500, trials), seed=2024)
            charts.append(lambda ax: P.plot_projection(proj, ax=ax))
        for draw in charts:
            fig = Figure(figsize=(8, 4.5), layout="constrained")
            draw(fig.add_subplot())
            fig.savefig(io.BytesIO(), format="png")

    for i in range(warmup):
        step(i)
    times = []
    for i in range(changes):
        t0 = time.perf_counter()
        step(i)
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "source": "equivalent",
        "reason": reason,
        "trials": trials,
        "charts": 4 if project is not None else 3,
        "all_charts": _stats(times),
        "visible_chart": None,
        "engine": engine_only(changes, trials, 500),
        "errors": [],
    }


def chart_breakdown(trials: int, projection_trials: int, repeats: int = 5) -> dict | None:
    """Per chart: building it (the plotting calls) and rendering it (Agg + PNG), as the dashboard does.

    Uses the report's public ``draw_chart`` at the dashboard's figure size;
    returns None when those are not there.
    """
    try:
        import matplotlib as mpl
        from matplotlib.figure import Figure
        from matplotlib.ticker import NullLocator

        from msp_analysis import sample_scenario, simulate
        from msp_analysis.engine.expected import expected_components
        from msp_analysis.present.charts.style import apply_style
        from msp_analysis.present.dashboard import charts as dashboard
        from msp_analysis.present.report.summary import CHARTS, draw_chart, expected_frame, projection_for
    except ImportError:
        return None
    figsize = getattr(dashboard, "_FIGSIZE", (11.0, 5.0))
    dpi = getattr(dashboard, "_DPI", 80)
    s = sample_scenario()
    c = simulate(s, trials=trials, seed=2024, progress=False)
    table = expected_frame(expected_components(s))
    proj = projection_for(s, 3, trials=min(projection_trials, trials), seed=2024)
    out = {}
    with mpl.rc_context():
        apply_style(large=True)
        for name in CHARTS:
            fig = Figure(figsize=figsize, dpi=dpi)
            build, render = [], []
            for _ in range(repeats + 1):  # the first is a warm-up
                t0 = time.perf_counter()
                fig.clf()
                ax = draw_chart(name, fig.add_subplot(), c, table, proj, bins=30)
                ax.xaxis.set_minor_locator(NullLocator())
                ax.yaxis.set_minor_locator(NullLocator())
                t1 = time.perf_counter()
                fig.savefig(io.BytesIO(), format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
                t2 = time.perf_counter()
                build.append((t1 - t0) * 1000)
                render.append((t2 - t1) * 1000)
            out[name] = {"build_ms": float(np.median(build[1:])), "render_ms": float(np.median(render[1:]))}
    return out
