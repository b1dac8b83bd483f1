"""One protocol for everything on screen that follows its controls.

A notebook's live view (:class:`msp_analysis.present.widgets.LiveView`), the
scenario panel that feeds it
(:class:`msp_analysis.present.widgets.ScenarioControls`) and the client
dashboard (:class:`msp_analysis.present.dashboard.Dashboard`) all do the same
four things, and do them here, in :class:`LiveSurface`:

- **hold**: ``with surface.hold():`` batches changes to several controls into
  one update at the end (:meth:`~LiveSurface.mute` changes them without any);
- **flush**: :meth:`~LiveSurface.flush` finishes pending work now (a debounced
  simulation, a chart on a hidden tab);
- **error display**: :meth:`~LiveSurface.show_error` records an exception in
  ``.errors`` and shows it in place. The library's own errors
  (:class:`~msp_analysis.errors.MSPAnalysisError`: an impossible scenario, a
  file that cannot be read) read as one sentence; anything else is a bug and
  also gets where it happened, folded under the sentence;
- **render**: :meth:`~LiveSurface.render` runs a function and shows what it
  prints, displays and draws in an :class:`ipywidgets.Output`.

Output capture. :func:`capture` records a call's output only while that call
runs, with the standard mechanisms: :func:`contextlib.redirect_stdout` (and
stderr) for text and IPython's :class:`~IPython.utils.capture.capture_output`
for rich display, interleaved in the order the call made them; figures the
call leaves open become PNGs. The outputs are then assigned to the ``Output``
widget in one go rather than written from inside ``with output:``: that works
the same in JupyterLab and Voilà, from a comm message or a timer, never
flickers, and lets a test read ``output.outputs`` without a browser.

Limits. A surface's :attr:`~LiveSurface.limits` (:class:`Limits`) cap its
simulated years and the resolution of its figures. The test driver
(:func:`msp_analysis.testing.drive`) sets them on each surface it drives and
puts them back; :data:`MAX_TRIALS` is a process-wide cap for a slow machine.

Every surface that tests should drive registers in :data:`VIEWS` (weakly).

Examples
--------
>>> from msp_analysis.errors import ValidationError
>>> class Counter(LiveSurface):
...     def __init__(self):
...         super().__init__()
...         self.renders = {"text": 0}
...     @property
...     def controls(self):
...         return []
...     def _update(self):
...         self.renders["text"] += 1
>>> c = Counter()
>>> with c.hold():
...     c.changed(); c.changed()
>>> c.renders
{'text': 1}
>>> out = W.Output()
>>> c.render(out, print, "hello")
True
>>> out.outputs
({'output_type': 'stream', 'name': 'stdout', 'text': 'hello\\n'},)
>>> area = W.HTML()
>>> c.show_error(area, ValidationError("msp.sla_adherence", 1.3, "a probability in [0, 1]"))
>>> "msp.sla_adherence: got 1.3" in area.value, len(c.errors)
(True, 1)
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import traceback
import warnings
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import display
from IPython.utils.capture import CapturedIO, capture_output
from matplotlib.figure import Figure

from ..errors import MSPAnalysisError, ValidationError
from ..formatting import _nice_up

__all__ = [
    "MAX_TRIALS",
    "VIEWS",
    "Limits",
    "LiveSurface",
    "bug_details",
    "capture",
    "describe_error",
    "error_html",
    "fit_range",
    "note_html",
    "register",
]

#: When set, caps the simulated years of every surface in this process (a slow machine).
MAX_TRIALS: int | None = None

#: A notebook output, as nbformat writes it and ``ipywidgets.Output.outputs`` holds it.
NotebookOutput = dict[str, Any]


@dataclass(frozen=True)
class Limits:
    """How much work a surface does per change.

    Attributes
    ----------
    max_trials : int or None
        At most this many simulated years (``None``: the surface's own number,
        capped by :data:`MAX_TRIALS` when that is set).
    figure_dpi : float or None
        Figures are drawn at this resolution; ``0`` builds them (so plotting
        code runs) without drawing; ``None`` draws them as they ask.

    Examples
    --------
    >>> Limits(max_trials=300).trials(5_000), Limits().trials(5_000)
    (300, 5000)
    """

    max_trials: int | None = None
    figure_dpi: float | None = None

    def trials(self, wanted: int) -> int:
        """``wanted`` simulated years, capped by :attr:`max_trials`, else by :data:`MAX_TRIALS`."""
        cap = self.max_trials if self.max_trials is not None else MAX_TRIALS
        return wanted if cap is None else max(1, min(int(wanted), int(cap)))


# -- error display -----------------------------------------------------------------
def describe_error(exc: BaseException) -> tuple[str, str]:
    """A title and a one-line message for an exception: its text, not its traceback.

    Examples
    --------
    >>> describe_error(ValidationError("msp.term_months", 0, "a whole number >= 1"))
    ('Impossible combination:', 'msp.term_months: got 0, expected a whole number >= 1')
    >>> describe_error(ZeroDivisionError("division by zero"))
    ('This view failed:', 'ZeroDivisionError: division by zero')
    """
    if isinstance(exc, ValidationError):
        return "Impossible combination:", str(exc)
    if isinstance(exc, ValueError):
        return "Cannot compute this:", str(exc)
    return "This view failed:", f"{type(exc).__name__}: {exc}"


def error_html(title: str, message: str, exc: BaseException | None = None) -> str:
    """The box a surface shows for an error; a bug (``exc`` not the library's own) also says where it happened.

    Examples
    --------
    >>> print(error_html("Impossible combination:", "msp.term_months: got 0"))  # doctest: +ELLIPSIS
    <div class="msp-error" ...><b>Impossible combination:</b> msp.term_months: got 0</div>
    """
    return (
        '<div class="msp-error" style="border-left:4px solid #D55E00;background:#fff4ec;'
        'padding:6px 10px;margin:4px 0;color:#222;white-space:normal">'
        f"<b>{html.escape(title)}</b> {html.escape(message)}{bug_details(exc)}</div>"
    )


def bug_details(exc: BaseException | None) -> str:
    """Where a bug happened (the innermost frames), folded: empty for the library's own errors.

    The library raises :class:`~msp_analysis.errors.MSPAnalysisError` on
    purpose, and its message is all a user needs. Anything else is a bug in
    the library or in a notebook's function, and whoever reports it needs the
    file and line.

    Examples
    --------
    >>> try:
    ...     {}["opened"]
    ... except KeyError as bug:
    ...     details = bug_details(bug)
    >>> "Where it failed" in details, "KeyError: &#x27;opened&#x27;" in details
    (True, True)
    >>> bug_details(ValidationError("msp.term_months", 0, "a whole number >= 1"))
    ''
    """
    if exc is None or isinstance(exc, MSPAnalysisError) or exc.__traceback__ is None:
        return ""
    frames = "".join(traceback.format_tb(exc.__traceback__, limit=-8))
    return (
        '<details style="margin-top:4px"><summary>Where it failed (for a bug report)</summary>'
        f'<pre style="font-size:85%;white-space:pre-wrap">{html.escape(frames)}'
        f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</pre></details>"
    )


def note_html(message: str, ok: bool = True) -> str:
    """A short line saying what just happened (saved, loaded, applied), green, or orange when ``ok`` is false.

    Examples
    --------
    >>> note_html("Saved acme/scenario.json")
    '<span style="color:#009E73">Saved acme/scenario.json</span>'
    """
    color = "#009E73" if ok else "#D55E00"
    return f'<span style="color:{color}">{html.escape(message)}</span>'


def _error_output(html_text: str, plain: str) -> NotebookOutput:
    return {"output_type": "display_data", "data": {"text/html": html_text, "text/plain": plain}, "metadata": {}}


# -- recording one call's output ---------------------------------------------------------
class _Ordered:
    """A call's outputs in the order it made them: text between the things it displayed.

    IPython's :class:`~IPython.utils.capture.capture_output` keeps rich
    displays in a list of their own; text goes through :meth:`stream`, which
    first takes the displays made since the last text, so a table displayed
    between two prints stays between them.
    """

    def __init__(self) -> None:
        self.outputs: list[NotebookOutput] = []
        self.displayed: CapturedIO | None = None
        self._taken = 0

    def take_displays(self) -> None:
        if self.displayed is None:
            return
        shown = self.displayed.outputs
        if len(shown) < self._taken:  # the call cleared its output
            self.outputs.clear()
            self._taken = 0
        for rich in shown[self._taken :]:
            data = dict(rich.data)
            self.outputs.append({"output_type": "display_data", "data": data, "metadata": dict(rich.metadata or {})})
        self._taken = len(shown)

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        self.take_displays()
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})


class _Writer(io.TextIOBase):
    """A text stream that hands what is written to :meth:`_Ordered.stream`."""

    def __init__(self, record: _Ordered, name: str) -> None:
        self._record, self._name = record, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._record.stream(self._name, text)
        return len(text)


def _figure_output(fig: Figure, dpi: float | None = None) -> NotebookOutput:
    """A figure as a PNG display output; ``dpi=0`` runs no drawing (an empty PNG), see :class:`Limits`."""
    buf = io.BytesIO()
    if dpi is None:
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    elif dpi > 0:  # a test's limit: draw (tick formatters run at draw time), cheaply
        fig.set_layout_engine("none")
        fig.savefig(buf, format="png", dpi=dpi)
    w, h = fig.get_size_inches() * fig.dpi
    return {
        "output_type": "display_data",
        "data": {
            "image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
            "text/plain": f"<Figure size {w:g}x{h:g} with {len(fig.axes)} Axes>",
        },
        "metadata": {},
    }


def capture(call: Callable[[], object], *, figure_dpi: float | None = None) -> list[NotebookOutput]:
    """Run ``call()`` and return what it printed, displayed and left drawn, as notebook outputs.

    Text and rich displays are recorded only while the call runs (see the
    module docstring); figures it opened and left open become PNGs (at
    ``figure_dpi``, see :class:`Limits`) and are closed. An exception from
    the call propagates, after the capture has been undone.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def show():
    ...     print("two lines")
    ...     plt.plot([1, 2])
    >>> [o["output_type"] for o in capture(show)]
    ['stream', 'display_data']
    >>> plt.get_fignums()
    []
    """
    before = set(plt.get_fignums())
    record = _Ordered()
    try:
        with (
            capture_output(stdout=False, stderr=False) as displayed,
            contextlib.redirect_stdout(_Writer(record, "stdout")),
            contextlib.redirect_stderr(_Writer(record, "stderr")),
            warnings.catch_warnings(),
        ):
            record.displayed = displayed
            # plt.show() under Agg (tests, a script) says it cannot show: the figure is taken below.
            warnings.filterwarnings("ignore", message=".*non-interactive.*", category=UserWarning)
            call()
            record.take_displays()
        for num in plt.get_fignums():
            if num not in before:
                record.outputs.append(_figure_output(plt.figure(num), figure_dpi))
    finally:
        for num in plt.get_fignums():
            if num not in before:
                plt.close(num)
    return record.outputs


# -- controls ------------------------------------------------------------------------------
def fit_range(widget: W.Widget, value: object) -> None:
    """Widen a slider's range so it can show ``value`` (a loaded scenario, a test, may go beyond it).

    Examples
    --------
    >>> w = W.FloatSlider(value=10, min=0, max=20, step=5)
    >>> fit_range(w, 45.0); w.max
    70.0
    """
    if isinstance(widget, (W.FloatSlider, W.IntSlider)) and isinstance(value, (int, float)):
        step = widget.step or 1
        if value > widget.max:
            widget.max = type(widget.max)(_nice_up(1.5 * value, step))
        if value < widget.min:
            widget.min = type(widget.min)(value)


# -- the protocol -----------------------------------------------------------------------------
class LiveSurface:
    """Base of everything on screen that follows its controls (see the module docstring).

    A subclass provides :attr:`controls` and :meth:`_update` (bring the screen
    up to date after a change), calls :meth:`changed` whenever one of its
    controls moves, and may override :meth:`flush` (finish pending work) and
    :meth:`_holding` (what else to hold while this surface holds, e.g. its
    panel). See the module docstring for an example.

    Attributes
    ----------
    errors : list of Exception
        Every exception a callback caught (and showed).
    renders : dict of str to int
        How many times each part was drawn (tests check they follow the controls).
    limits : Limits
        Caps on the work done per change.
    widget : ipywidgets.Widget
        What displaying the surface shows (set by the subclass).
    """

    widget: W.Widget

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.renders: dict[str, int] = {}
        self.limits = Limits()
        self._held = 0
        self._dirty = False

    # -- what a subclass provides -----------------------------------------------------------
    @property
    def controls(self) -> list[W.ValueWidget]:
        """The value widgets that change this surface."""
        raise NotImplementedError

    def _update(self) -> None:
        """Bring the screen up to date with the controls."""
        raise NotImplementedError

    def _holding(self) -> contextlib.AbstractContextManager[object]:
        """What :meth:`hold` and :meth:`mute` also hold (nothing by default)."""
        return contextlib.nullcontext()

    def flush(self) -> None:
        """Finish pending work now (nothing is ever pending here)."""

    # -- changes ------------------------------------------------------------------------------
    def changed(self) -> None:
        """A control moved: update now, or once when the outermost :meth:`hold` ends."""
        if self._held:
            self._dirty = True
        else:
            self._update()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls and update once, at the end."""
        self._held += 1
        try:
            with self._holding():
                yield
        finally:
            self._held -= 1
            if self._held == 0 and self._dirty:
                self._dirty = False
                self._update()

    @contextlib.contextmanager
    def mute(self) -> Iterator[None]:
        """Change controls without updating: the next change updates from the settings then."""
        dirty = self._dirty
        self._held += 1
        try:
            with self._holding():
                yield
        finally:
            self._held -= 1
            self._dirty = dirty

    def capped_trials(self, wanted: int) -> int:
        """``wanted`` simulated years within this surface's :attr:`limits`."""
        return self.limits.trials(wanted)

    # -- showing results and errors -----------------------------------------------------
    def error_html(self, exc: BaseException) -> str:
        """How this surface shows ``exc`` (a subclass may restyle it)."""
        return error_html(*describe_error(exc), exc)

    def show_error(self, area: W.Output | W.HTML, exc: BaseException) -> None:
        """Record ``exc`` in :attr:`errors` and show it in ``area`` instead of what was there."""
        self.errors.append(exc)
        text = self.error_html(exc)
        if isinstance(area, W.Output):
            title, message = describe_error(exc)
            area.outputs = (_error_output(text, f"{title} {message}"),)
        else:
            area.value = text

    @contextlib.contextmanager
    def guard(self, area: W.Output | W.HTML, *, clear: bool = False) -> Iterator[None]:
        """Show an exception raised inside in ``area`` (see :meth:`show_error`) instead of raising it.

        ``clear`` empties ``area`` when nothing went wrong (a status line).
        """
        try:
            yield
        except Exception as exc:
            self.show_error(area, exc)
        else:
            if clear:
                if isinstance(area, W.Output):
                    area.outputs = ()
                else:
                    area.value = ""

    def render(self, output: W.Output, fn: Callable[..., object], *args: object, **kwargs: object) -> bool:
        """Show what ``fn(*args, **kwargs)`` prints, displays and draws in ``output``; False if it failed.

        A failure is shown in ``output`` instead (:meth:`show_error`).
        """
        try:
            outputs = capture(functools.partial(fn, *args, **kwargs), figure_dpi=self.limits.figure_dpi)
        except Exception as exc:
            self.show_error(output, exc)
            return False
        output.outputs = tuple(outputs)
        return True

    def _ipython_display_(self) -> None:
        display(self.widget)


# -- the registry of surfaces tests drive --------------------------------------------------
class _Registry:
    """Weak, ordered registry of live views (tests drive every one)."""

    def __init__(self) -> None:
        self._refs: list[weakref.ref[Any]] = []

    def add(self, view: object) -> None:
        self._refs = [r for r in self._refs if r() is not None]
        self._refs.append(weakref.ref(view))

    def __iter__(self) -> Iterator[Any]:
        return iter([v for r in self._refs if (v := r()) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        self._refs.clear()


#: Every view created in this process that tests should drive, oldest first (weak references).
VIEWS = _Registry()


def register(view: object) -> None:
    """Add a view to :data:`VIEWS` so the tests drive it.

    It must have ``.controls``, ``.errors`` and ``.flush()`` (see
    :func:`msp_analysis.testing.drive`); a :class:`LiveSurface` has them.

    Examples
    --------
    >>> register(object())
    Traceback (most recent call last):
    ...
    TypeError: object cannot be driven: it has no .controls
    """
    for attr in ("controls", "errors", "flush"):
        if not hasattr(view, attr):
            raise TypeError(f"{type(view).__name__} cannot be driven: it has no .{attr}")
    VIEWS.add(view)
