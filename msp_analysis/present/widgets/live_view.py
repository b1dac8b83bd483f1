"""Live views: outputs that follow a scenario panel, exact figures at once and simulations debounced.

:class:`LiveView` (or :func:`live`) ties a
:class:`~msp_analysis.present.widgets.ScenarioControls` panel to outputs.
Exact figures (:func:`~msp_analysis.expected`, milliseconds) are redrawn on
every change. The simulation is debounced: it runs :data:`DEBOUNCE_SECONDS`
after the last change (so, in practice, when the user lets go of a slider),
in a worker thread so the kernel keeps answering the sliders, and a progress
bar appears when a run takes longer than :data:`PROGRESS_AFTER_SECONDS`. A
run that is overtaken by a newer change is discarded. Without a running
event loop (plain Python, a test) updates run synchronously.

A view is a :class:`~msp_analysis.present.live.LiveSurface` (hold, flush,
error display, render): what its functions print, display and draw appears
in its output areas, and what they raise is shown there instead.
"""

from __future__ import annotations

import asyncio
import html
import inspect
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ipywidgets as W
import numpy as np

from ...engine.simulation import simulate
from ...errors import ValidationError
from ...model.scenario import Scenario
from ..live import LiveSurface, register
from .scenario_panel import ScenarioControls

__all__ = ["DEBOUNCE_SECONDS", "PROGRESS_AFTER_SECONDS", "LiveView", "live"]

#: Seconds of quiet after the last change before the simulation reruns.
DEBOUNCE_SECONDS = 0.3
#: A simulation still running after this many seconds shows a progress bar.
PROGRESS_AFTER_SECONDS = 1.0

#: What a simulation is for: scenario, trials, seed and the parameters ``compute`` takes.
_Key = tuple[Scenario, int, Hashable, tuple[tuple[str, Hashable], ...]]

_EXECUTOR: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msp-simulation")
    return _EXECUTOR


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _default_compute(scenario: Scenario, trials: int, seed: Any) -> Any:
    return simulate(scenario, trials=trials, seed=seed, progress=False)


def _accepted(fn: Callable[..., Any], names: Iterable[str]) -> list[str]:
    """Which of ``names`` ``fn`` accepts as keyword arguments."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # pragma: no cover
        return []
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return list(names)
    return [n for n in names if n in sig.parameters]


def _status_html(text: str, ok: bool = False) -> str:
    color = "#009E73" if ok else "#7F7F7F"
    return f'<span class="msp-status" style="color:{color};font-size:90%">{html.escape(text)}</span>'


def _hashable(value: Any) -> Hashable:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, np.random.Generator | np.random.SeedSequence):
        return id(value)
    return value


class LiveView(LiveSurface):
    """Outputs that follow a :class:`ScenarioControls` panel.

    Parameters
    ----------
    controls : ScenarioControls
        The panel whose scenario the view shows.
    exact : callable, optional
        ``exact(scenario, **params)``: prints, displays or plots the exact
        figures. Called immediately on every change.
    simulated : callable, optional
        ``simulated(result, **params)``: shows a simulation ``result``. Called
        once the debounced simulation has run.
    params : dict of {name: widget}, optional
        Extra controls that are not scenario fields (a budget, a weight);
        their values are passed to the callbacks by name. A change re-renders
        at once; it reruns the simulation only when ``compute`` takes that
        parameter.
    compute : callable, optional
        ``compute(scenario, trials, seed, **params)`` -> result; default
        :func:`msp_analysis.simulate`. Runs in a worker thread: keep it free
        of widgets and plotting.
    trials, seed :
        Passed to ``compute`` (``trials`` within the view's
        :attr:`~msp_analysis.present.live.LiveSurface.limits`).
    show_controls : bool
        Show the panel above the outputs (set ``False`` when it is shown elsewhere).
    footer : list of widgets, optional
        Extra widgets shown below the outputs (e.g. an *Apply* button).

    Attributes
    ----------
    controls : list
        Every value widget that changes this view (panel and params).
    errors : list of Exception
        Exceptions raised by callbacks (shown to the user as a message).
    renders : dict
        ``{"exact": n, "simulated": n}``: how many times each part was drawn.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, expected
    >>> panel = ScenarioControls(sample_scenario(), ["msp.per_user_monthly"])
    >>> view = LiveView(panel, exact=lambda s: print(f"{expected(s).loc['total_cost', 'msp']:,.0f}"),
    ...                 simulated=lambda c: print(f"{c.prob_msp_cheaper:.0%}"), trials=500, seed=1)
    >>> view.exact_output.outputs[0]["text"]
    '102,017\\n'
    >>> panel.widgets["msp.per_user_monthly"].value = 200
    >>> view.flush(); view.renders
    {'exact': 2, 'simulated': 2}
    >>> view.exact_output.outputs[0]["text"], view.errors
    ('142,370\\n', [])
    """

    def __init__(
        self,
        controls: ScenarioControls,
        exact: Callable[..., object] | None = None,
        simulated: Callable[..., object] | None = None,
        *,
        params: Mapping[str, W.ValueWidget] | None = None,
        compute: Callable[..., Any] | None = None,
        trials: int = 5_000,
        seed: Any = 1,
        debounce: float | None = None,
        show_controls: bool = True,
        footer: Iterable[W.Widget] = (),
        title: str | None = None,
    ) -> None:
        if not isinstance(controls, ScenarioControls):
            raise TypeError(f"controls: expected a ScenarioControls, got {type(controls).__name__}")
        super().__init__()
        self.panel = controls
        self.exact_fn = exact
        self.simulated_fn = simulated
        self.params = dict(params or {})
        self.compute_fn = compute or _default_compute
        self._compute_params = _accepted(self.compute_fn, self.params)
        self.trials = int(trials)
        self.seed = seed
        self.debounce = DEBOUNCE_SECONDS if debounce is None else float(debounce)
        self.renders = {part: 0 for part, fn in (("exact", exact), ("simulated", simulated)) if fn is not None}
        self.last_seconds: float | None = None  # duration of the last simulation
        self._seconds_per_trial: float | None = None
        self._cache: tuple[_Key, Any] | None = None  # (key, result)
        self._handle: asyncio.TimerHandle | None = None
        self._generation = 0
        self._pending = False

        self.exact_output = W.Output()
        self.simulated_output = W.Output()
        self.status = W.HTML()
        self.progress = W.FloatProgress(
            value=0.0, min=0.0, max=1.0, bar_style="info", layout=W.Layout(width="240px", visibility="hidden")
        )
        for w in self.params.values():
            w.observe(self._param_changed, "value")
        controls.on_change(self._scenario_changed)
        self.widget = self._layout(title, show_controls, footer)
        register(self)
        self.refresh()

    def _layout(self, title: str | None, show_controls: bool, footer: Iterable[W.Widget]) -> W.VBox:
        parts: list[W.Widget] = []
        if title:
            parts.append(W.HTML(f"<h3>{html.escape(title)}</h3>"))
        if show_controls:
            parts.append(self.panel.widget)
        if self.params:
            parts.append(W.VBox(list(self.params.values())))
        if self.exact_fn is not None:
            parts.append(self.exact_output)
        if self.simulated_fn is not None:
            parts += [W.HBox([self.status, self.progress]), self.simulated_output]
        parts.extend(footer)
        return W.VBox(parts)

    # -- the state tests read ----------------------------------------------------------
    @property
    def controls(self) -> list[W.ValueWidget]:
        """Every value widget that changes this view: the panel's, then the params."""
        return self.panel.controls + list(self.params.values())

    @property
    def scenario(self) -> Scenario:
        """The panel's latest valid scenario."""
        return self.panel.scenario

    @property
    def problem(self) -> ValidationError | None:
        """Why the panel's current settings are not a valid scenario, or ``None``."""
        return self.panel.problem

    def param_values(self) -> dict[str, Any]:
        """``{name: value}`` of the params."""
        return {name: w.value for name, w in self.params.items()}

    @property
    def pending(self) -> bool:
        """True while a simulation is waiting or running for the current settings."""
        return self._pending

    def flush(self) -> None:
        """Run a pending simulation now, synchronously (discarding one in flight)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._pending:
            self._generation += 1
            self._simulate_now()

    def refresh(self) -> None:
        """Redraw everything now (exact and simulated), synchronously."""
        self._render_exact()
        if self.simulated_fn is not None:
            self._pending = True
            self.flush()

    # -- reacting to changes --------------------------------------------------------------
    def _holding(self) -> Any:
        # Holding the view holds its panel: the scenario is rebuilt once, then drawn once.
        return self.panel.hold()

    def _scenario_changed(self, _scenario: Scenario) -> None:
        self.changed()

    def _param_changed(self, _change: object) -> None:
        self.changed()

    def _update(self) -> None:
        self._render_exact()
        self._request_simulation()

    def _key(self) -> _Key:
        params = tuple((n, _hashable(self.params[n].value)) for n in self._compute_params)
        return (self.scenario, self._trials(), _hashable(self.seed), params)

    def _trials(self) -> int:
        return self.capped_trials(self.trials)

    def _request_simulation(self) -> None:
        if self.simulated_fn is None:
            return
        if self._cache is not None and self._cache[0] == self._key():
            # Only a display parameter changed: redraw from the result we have.
            self._generation += 1
            self._pending = False
            self._render_simulated(self._cache[1])
            return
        self._pending = True
        # A run still in flight is for older settings: its result must not be drawn.
        self._generation += 1
        self.status.value = _status_html("Updating the simulation…")
        loop = _running_loop()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if loop is None:
            self.flush()
        else:
            self._handle = loop.call_later(self.debounce, self._start_background)

    # -- running the simulation ---------------------------------------------------------------
    def _compute(self, scenario: Scenario, trials: int, seed: Any, params: dict[str, Any]) -> Any:
        return self.compute_fn(scenario, trials, seed, **params)

    def _simulate_now(self) -> None:
        key = self._key()
        t0 = time.perf_counter()
        try:
            result = self._compute(key[0], key[1], self.seed, self._compute_kwargs())
        except Exception as e:
            self._failed(e)
            return
        self._done(key, result, time.perf_counter() - t0)

    def _compute_kwargs(self) -> dict[str, Any]:
        return {n: self.params[n].value for n in self._compute_params}

    def _start_background(self) -> None:
        self._handle = None
        if not self._pending:
            return
        loop = _running_loop()
        if loop is None:  # pragma: no cover - timers only fire inside a loop
            self._simulate_now()
            return
        self._generation += 1
        gen = self._generation
        key = self._key()
        t0 = time.perf_counter()
        future = loop.run_in_executor(_executor(), self._compute, key[0], key[1], self.seed, self._compute_kwargs())
        loop.call_later(PROGRESS_AFTER_SECONDS, self._tick, gen, t0, key[1])

        def finished(fut: Future[Any] | asyncio.Future[Any]) -> None:
            if gen != self._generation:
                return  # overtaken by a newer change or a flush
            if fut.cancelled():
                return
            exc = fut.exception()
            if exc is not None:
                self._failed(exc)
            else:
                self._done(key, fut.result(), time.perf_counter() - t0)

        future.add_done_callback(finished)

    def _tick(self, gen: int, t0: float, trials: int) -> None:
        """Show and advance the progress bar while a long run is in flight."""
        if gen != self._generation or not self._pending:
            return
        elapsed = time.perf_counter() - t0
        estimate = self._seconds_per_trial * trials if self._seconds_per_trial else None
        self.progress.layout.visibility = "visible"
        if estimate:
            self.progress.value = min(0.95, elapsed / estimate)
            left = max(estimate - elapsed, 0.0)
            text = f"Simulating {trials:,} years… {elapsed:.0f} s (about {left:.0f} s left)"
        else:
            self.progress.value = (elapsed / 10.0) % 1.0
            text = f"Simulating {trials:,} years… {elapsed:.0f} s"
        self.status.value = _status_html(text)
        loop = _running_loop()
        if loop is not None:
            loop.call_later(0.25, self._tick, gen, t0, trials)

    def _done(self, key: _Key, result: Any, seconds: float) -> None:
        self._pending = False
        self.last_seconds = seconds
        self._seconds_per_trial = seconds / max(key[1], 1)
        self._cache = (key, result)
        self.progress.layout.visibility = "hidden"
        self._render_simulated(result)

    def _failed(self, exc: BaseException) -> None:
        self._pending = False
        self.progress.layout.visibility = "hidden"
        self.status.value = _status_html("The simulation failed (see below).")
        self.show_error(self.simulated_output, exc)

    # -- drawing -------------------------------------------------------------------
    def _render_exact(self) -> None:
        if self.exact_fn is None:
            return
        self.render(self.exact_output, self.exact_fn, self.scenario, **self.param_values())
        self.renders["exact"] += 1

    def _render_simulated(self, result: Any) -> None:
        fn = self.simulated_fn
        if fn is None:
            return
        if self.render(self.simulated_output, fn, result, **self.param_values()):
            n = self._cache[0][1] if self._cache else self._trials()
            took = f" in {self.last_seconds:.2f} s" if self.last_seconds is not None else ""
            self.status.value = _status_html(f"Simulation: {n:,} years{took}, up to date.", ok=True)
        self.renders["simulated"] += 1


def live(
    controls: ScenarioControls,
    exact: Callable[..., object] | None = None,
    simulated: Callable[..., object] | None = None,
    **kwargs: Any,
) -> LiveView:
    """A :class:`LiveView` (shorthand): ``live(panel, exact=show_table, simulated=show_chart, trials=5_000)``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> panel = ScenarioControls(sample_scenario(), ["organization.users"])
    >>> view = live(panel, exact=lambda s: print(s.organization.users))
    >>> panel.widgets["organization.users"].value = 60
    >>> view.exact_output.outputs[0]["text"], view.renders
    ('60\\n', {'exact': 2})
    """
    return LiveView(controls, exact, simulated, **kwargs)
