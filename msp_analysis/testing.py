"""Driving live views as a user would, to find the callbacks that fail or forget to redraw.

A widget callback runs only when someone moves a control, and an exception in
it fails no notebook run (nbval, nbconvert and papermill all pass). :func:`drive`
moves every control of every registered view
(:data:`msp_analysis.present.live.VIEWS`) to its extremes and to combinations
of them, and reports the exceptions the views caught and the settings after
which a view did not redraw. The notebook tests run it inside each notebook;
the widget and dashboard tests run it on the views they build.

What a view needs (every :class:`~msp_analysis.present.live.LiveSurface` has it):
``.controls`` (the value widgets), ``.errors`` (exceptions caught in its
callbacks) and ``.flush()`` (finish pending work). When it also has
``.renders`` (counters), ``.scenario`` and ``.param_values()``, every valid
setting that changes what it shows must increase its counters. ``.hold()``
makes a combination one change, ``.mute()`` puts controls back without
drawing, ``.problem`` (a :class:`~msp_analysis.ValidationError` or ``None``)
says a setting is invalid, and ``.limits`` receives the driver's limits
(:class:`~msp_analysis.present.live.Limits`) for the duration of the drive.

Examples
--------
>>> from msp_analysis import expected, sample_scenario
>>> from msp_analysis.present.widgets import ScenarioControls, live
>>> panel = ScenarioControls(sample_scenario(), ["organization.users", "msp.per_user_monthly"])
>>> view = live(panel, exact=lambda s: print(expected(s).loc["total_cost"].sum()))
>>> report = drive([view], combinations=1)
>>> report["errors"], report["stale"], report["settings"]
([], [], 8)
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

import ipywidgets as W
import numpy as np

from .present.live import VIEWS, Limits, fit_range

__all__ = ["drive", "extremes", "set_value"]

#: A widget and the value to give it.
_Setting = tuple[W.ValueWidget, Any]


def extremes(widget: W.Widget) -> list[Any]:
    """The values :func:`drive` sets a control to: its ends, or every option of a choice.

    Examples
    --------
    >>> extremes(W.IntSlider(value=3, min=1, max=9)), extremes(W.Dropdown(options=["a", "b"]))
    ([1, 9], ['a', 'b'])
    """
    if isinstance(widget, (W.Dropdown, W.SelectionSlider, W.ToggleButtons, W.RadioButtons, W.Select)):
        return list(widget._options_values)
    if isinstance(widget, (W.Checkbox, W.ToggleButton)):
        return [not widget.value, widget.value]
    if hasattr(widget, "min") and hasattr(widget, "max"):
        return [widget.min, widget.max]
    return []


def set_value(widget: W.ValueWidget, value: Any) -> None:
    """Set a control as a user would, widening a slider first when ``value`` is beyond its range.

    Examples
    --------
    >>> w = W.IntSlider(value=45, min=1, max=500)
    >>> set_value(w, 2_000); w.value, w.max
    (2000, 3000)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fit_range(widget, value)
    widget.value = value


class _Drive:
    """One drive over ``views``: settings applied, what each changed, and the report."""

    def __init__(self, views: list[Any], limits: Limits) -> None:
        self.views = views
        self.limits = limits
        self.report: dict[str, Any] = {
            "views": len(views),
            "settings": 0,
            "invalid": 0,
            "errors": [],
            "stale": [],
            "renders": {},
        }
        self.first_error = {id(v): len(v.errors) for v in views}
        self.renders0 = {id(v): dict(getattr(v, "renders", {}) or {}) for v in views}

    @contextlib.contextmanager
    def limited(self, figure_dpi: float) -> Iterator[None]:
        """Every view within the drive's limits, figures at ``figure_dpi``; their own limits after."""
        saved = [(v, v.limits) for v in self.views if hasattr(v, "limits")]
        for v, _ in saved:
            v.limits = Limits(self.limits.max_trials, figure_dpi)
        try:
            yield
        finally:
            for v, limits in saved:
                v.limits = limits

    @staticmethod
    def state(v: Any) -> tuple[dict[str, int], Any, Any]:
        scenario = getattr(v, "scenario", None)
        params = v.param_values() if hasattr(v, "param_values") else None
        return dict(getattr(v, "renders", {}) or {}), scenario, params

    def apply(self, view: Any, settings: list[_Setting], what: str) -> None:
        """Make ``settings`` as one change of ``view``, flush every view, note any that did not redraw."""
        before = {id(v): self.state(v) for v in self.views}
        with view.hold() if hasattr(view, "hold") else contextlib.nullcontext():
            for w, value in settings:
                set_value(w, value)
        for v in self.views:
            v.flush()
        self.report["settings"] += 1
        if getattr(view, "problem", None) is not None:
            self.report["invalid"] += 1
            return
        for v in self.views:
            r0, s0, p0 = before[id(v)]
            r1, s1, p1 = self.state(v)
            if s1 is None or (s1 == s0 and p1 == p0):
                continue
            for part in r0:
                if r1.get(part, 0) <= r0[part]:
                    self.report["stale"].append(f"{what}: the {part} part of {type(v).__name__} did not redraw")

    def restore(self, settings: list[_Setting]) -> None:
        """Back to the starting values without drawing: the next setting redraws."""
        with contextlib.ExitStack() as stack:
            for v in self.views:
                if hasattr(v, "mute"):
                    stack.enter_context(v.mute())
            for w, value in settings:
                set_value(w, value)

    def one_at_a_time(self) -> None:
        """Each control to each of its extremes, alone (each widget once, even when views share it)."""
        seen: set[int] = set()
        for view in self.views:
            for w in view.controls:
                if id(w) in seen:
                    continue
                seen.add(id(w))
                original = w.value
                for value in extremes(w):
                    self.apply(view, [(w, value)], f"{getattr(w, 'description', '?')} = {value!r}")
                self.restore([(w, original)])

    def together(self, combinations: int, rng: np.random.Generator) -> None:
        """Each view's controls all at their minimum, all at their maximum, then random mixes."""
        for view in self.views:
            widgets = list(view.controls)
            original = [w.value for w in widgets]
            options = [extremes(w) for w in widgets]
            self.apply(view, [(w, o[0]) for w, o in zip(widgets, options) if o], "all at minimum")
            self.apply(view, [(w, o[-1]) for w, o in zip(widgets, options) if o], "all at maximum")
            for k in range(combinations):
                mix = [(w, o[int(rng.integers(len(o)))]) for w, o in zip(widgets, options) if o]
                self.apply(view, mix, f"combination {k + 1}")
            self.apply(view, list(zip(widgets, original)), "restore all")

    def finish(self, started: float) -> dict[str, Any]:
        for v in self.views:
            for e in v.errors[self.first_error[id(v)] :]:
                text = "".join(traceback.format_exception(e))
                self.report["errors"].append(f"{type(v).__name__}: {type(e).__name__}: {e}\n{text[-2000:]}")
            renders = self.report["renders"]
            for part, n in (getattr(v, "renders", {}) or {}).items():
                renders[part] = renders.get(part, 0) + n - self.renders0[id(v)].get(part, 0)
        self.report["seconds"] = round(time.perf_counter() - started, 2)
        return self.report


def drive(
    views: Iterable[Any] | None = None,
    *,
    combinations: int = 3,
    seed: int = 0,
    max_trials: int = 300,
    figure_dpi: float = 30,
) -> dict[str, Any]:
    """Set every control of every view to its extremes and some combinations; report what happened.

    Each control is set to its minimum and maximum (each option of a
    dropdown), one at a time, then all to their minimum, all to their
    maximum, and ``combinations`` random mixes; after each setting every view
    is flushed. Controls are restored at the end. Meanwhile each view's
    simulations use at most ``max_trials`` trials, and its figures are built
    for every setting but drawn, at ``figure_dpi``, only for the combined
    ones, to keep a drive fast (each view's own limits are restored after).

    Parameters
    ----------
    views : iterable, optional
        The views to drive (default: every registered one, :data:`~msp_analysis.present.live.VIEWS`).
        See the module docstring for what a view needs.
    combinations : int
        Random mixes of each view's extremes.
    seed : int
        Seed of those mixes.
    max_trials : int
        Simulated years per run, at most.
    figure_dpi : float
        Resolution of the figures drawn for the combined settings.

    Returns
    -------
    dict
        ``{"views": n, "settings": n, "invalid": n, "errors": [text, ...],
        "stale": [text, ...], "renders": {"exact": n, "simulated": n, ...},
        "seconds": t}``:
        ``errors`` lists exceptions the views caught, ``stale`` settings after
        which a view did not redraw. Both must be empty.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.present.widgets import ScenarioControls, live
    >>> panel = ScenarioControls(sample_scenario(), ["organization.users"])
    >>> def fragile(s):
    ...     if s.organization.users == 500:
    ...         raise RuntimeError("breaks at the maximum")
    >>> report = drive([live(panel, exact=fragile)], combinations=0)
    >>> [e.splitlines()[0] for e in report["errors"]]
    ['LiveView: RuntimeError: breaks at the maximum', 'LiveView: RuntimeError: breaks at the maximum']
    """
    started = time.perf_counter()
    run = _Drive(list(VIEWS if views is None else views), Limits(max_trials=max_trials))
    with run.limited(figure_dpi=0):
        for v in run.views:
            v.flush()
        run.one_at_a_time()
    with run.limited(figure_dpi=figure_dpi):
        run.together(combinations, np.random.default_rng(seed))
    return run.finish(started)
