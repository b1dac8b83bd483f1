"""A panel of controls that yields a validated scenario on every change, and saves and loads it.

:class:`ScenarioControls` is what every notebook's live view and form listens
to: a validated :class:`~msp_analysis.Scenario` on every change
(``.scenario``), *Reset to defaults*, *Save scenario* / *Load scenario*
(JSON, from a path or an upload) and an error line that shows the library's
:class:`~msp_analysis.ValidationError` text for an impossible combination
(a p90 below its median, say) instead of a traceback. It is a
:class:`~msp_analysis.present.live.LiveSurface`: ``with panel.hold():``
changes several controls and rebuilds the scenario once.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> panel = ScenarioControls(sample_scenario(), ["msp.per_user_monthly", "organization.users"])
>>> panel.widgets["organization.users"].value = 60
>>> panel.scenario.organization.users
60
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as W

from ...errors import DataError, ValidationError
from ...files import contained
from ...formatting import slugify
from ...ingest.clients import data_dir
from ...model.scenario import Scenario
from ..live import LiveSurface, error_html, fit_range, note_html
from .controls import control, label

__all__ = ["MAX_UPLOAD_BYTES", "ScenarioControls"]

#: Largest scenario file accepted from an upload, in bytes (a scenario is ~5 KB).
MAX_UPLOAD_BYTES = 1_000_000


class ScenarioControls(LiveSurface):
    """A panel of controls that yields a validated scenario on every change.

    Parameters
    ----------
    scenario : Scenario
        The starting point, and what *Reset to defaults* returns to. Fields
        without a control keep this scenario's values.
    paths : list of str, or dict of {group title: list of str}
        The dotted paths to control, optionally in titled groups.
    folder : path, optional
        Where *Save* and *Load* resolve relative file names (default:
        ``data/clients``); absolute names are used as given.
    storage : bool
        Show the save / load row.
    kinds : dict, optional
        ``{path: "text"}`` for fields better typed than slid.
    columns : int
        Lay the groups out side by side in this many columns.

    Attributes
    ----------
    scenario : Scenario
        The latest valid scenario.
    problem : ValidationError or None
        Why the current settings are not a valid scenario (also shown in the
        panel), or ``None``.
    widgets : dict
        ``{path: widget}``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> panel = ScenarioControls(sample_scenario(), ["msp.sla_miss_excess_median", "msp.sla_miss_excess_p90"])
    >>> panel.widgets["msp.sla_miss_excess_p90"].value = 0.5     # below the median of 1.0
    >>> print(panel.problem)
    msp.sla_miss_excess_p90: got 0.5, expected a value above msp.sla_miss_excess_median = 1
    >>> panel.scenario.msp.sla_miss_excess_p90                  # still the last valid scenario
    4.0
    >>> panel.reset(); panel.problem is None
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        paths: Iterable[str] | Mapping[str, Iterable[str]] = (),
        *,
        folder: str | Path | None = None,
        storage: bool = True,
        kinds: Mapping[str, str] | None = None,
        columns: int = 1,
    ) -> None:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
        super().__init__()
        groups = dict(paths) if isinstance(paths, Mapping) else {"": list(paths)}
        self.defaults = scenario
        self._base = scenario
        self._scenario = scenario
        self.problem: ValidationError | None = None
        self.folder = Path(folder) if folder is not None else data_dir() / "clients"
        self._listeners: list[Callable[[Scenario], None]] = []
        self.widgets: dict[str, W.ValueWidget] = {}
        body = self._build_controls(groups, dict(kinds or {}), columns)
        self.error = W.HTML()
        self.message = W.HTML()
        buttons = self._build_buttons(storage)
        self.widget = W.VBox([body, buttons, self.error, self.message])

    def _build_controls(self, groups: dict[str, Iterable[str]], kinds: dict[str, str], columns: int) -> W.VBox:
        boxes = []
        for title, group in groups.items():
            items: list[W.Widget] = [W.HTML(f"<b>{html.escape(title)}</b>")] if title else []
            for path in group:
                if path in self.widgets:
                    raise ValueError(f"{path}: listed twice")
                w = control(path, self.defaults, kind=kinds.get(path, "slider"))
                w.observe(self._moved, "value")
                self.widgets[path] = w
                items.append(w)
            boxes.append(W.VBox(items))
        if columns > 1 and len(boxes) > 1:
            return W.VBox([W.HBox(boxes[i : i + columns]) for i in range(0, len(boxes), columns)])
        return W.VBox(boxes)

    def _build_buttons(self, storage: bool) -> W.HBox:
        # Text-only buttons: Voila's icon font comes from a CDN (missing offline).
        auto = W.Layout(width="auto")
        self.reset_button = W.Button(
            description="Reset to defaults", icon="", tooltip="Back to the starting scenario", layout=auto
        )
        self.reset_button.on_click(lambda _b: self._action(self.reset))
        self.save_name = W.Text(
            value=f"{slugify(self.defaults.organization.name)}/scenario.json",
            description="File",
            tooltip=f"Relative names are saved under {self.folder.name}/",
            layout=W.Layout(width="340px"),
            style={"description_width": "40px"},
        )
        self.save_button = W.Button(description="Save scenario", icon="", layout=auto)
        self.save_button.on_click(lambda _b: self._action(self.save))
        self.load_button = W.Button(
            description="Load scenario", icon="", tooltip="Load the file named on the left", layout=auto
        )
        self.load_button.on_click(lambda _b: self._action(lambda: self.load(self.save_name.value)))
        self.upload = W.FileUpload(
            accept=".json", multiple=False, description="Upload scenario", icon="", layout=W.Layout(width="auto")
        )
        self.upload.observe(self._uploaded, "value")
        row: list[W.Widget] = [self.reset_button]
        if storage:
            row += [self.save_name, self.save_button, self.load_button, self.upload]
        for w in row:
            w.layout.flex = "0 0 auto"  # keep each button's full text: wrap the row instead of shrinking
        return W.HBox(row, layout=W.Layout(flex_flow="row wrap"))

    # -- state ------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The latest valid scenario."""
        return self._scenario

    @property
    def controls(self) -> list[W.ValueWidget]:
        """The value widgets, in order."""
        return list(self.widgets.values())

    def values(self) -> dict[str, Any]:
        """``{path: widget value}`` for every control."""
        return {p: w.value for p, w in self.widgets.items()}

    def on_change(self, callback: Callable[[Scenario], None]) -> None:
        """Call ``callback(scenario)`` after every change that yields a new valid scenario."""
        self._listeners.append(callback)

    def _moved(self, _change: object = None) -> None:
        self.changed()

    def _update(self) -> None:
        """Rebuild the scenario from the controls; tell the listeners when it is valid and new."""
        try:
            new = self._base.replace(self.values())
        except ValidationError as e:
            self.problem = e
            self.error.value = error_html(
                "Impossible combination:", f"{e}. The results below are for the last valid settings."
            )
            return
        self.problem = None
        self.error.value = ""
        if new != self._scenario:
            self._scenario = new
            for callback in list(self._listeners):
                with self.guard(self.message):  # a listener's failure must not break the panel
                    callback(new)

    def _action(self, action: Callable[[], object]) -> None:
        """Run a button's action; show what went wrong instead of raising into the kernel log."""
        with self.guard(self.message):
            action()

    # -- changing several values ---------------------------------------------------
    def set_values(self, changes: Mapping[str, Any]) -> Scenario:
        """Set fields, controlled or not, as one change; returns the new scenario.

        Values of uncontrolled fields go into the base scenario; controlled
        ones into their widgets (widening a slider when needed). Invalid
        values raise :class:`ValidationError` and change nothing.
        """
        changes = dict(changes)
        base = self._base.replace({p: v for p, v in changes.items() if p not in self.widgets})
        # Validate the whole result before touching any widget.
        base.replace({**self.values(), **{p: v for p, v in changes.items() if p in self.widgets}})
        with self.hold():
            self._base = base
            self.changed()
            for path, value in changes.items():
                if path in self.widgets:
                    w = self.widgets[path]
                    fit_range(w, value)
                    w.value = value
        return self._scenario

    def reset(self) -> None:
        """Every control back to the starting scenario's value."""
        with self.hold():
            self._base = self.defaults
            self.changed()
            for path, w in self.widgets.items():
                w.value = self.defaults.get(path)
        self.message.value = note_html("Reset to the starting scenario.")

    # -- save and load -----------------------------------------------------------------
    def _resolve(self, name: str | Path) -> Path:
        name = str(name).strip()
        if not name:
            raise ValidationError("file", name, "a file name such as acme/scenario.json")
        path = Path(name).expanduser()
        if path.suffix.lower() != ".json":
            path = path.with_name(path.name + ".json")
        try:
            # inside the folder only: no "..", no absolute path elsewhere, no symbolic link leading out
            return contained(self.folder, path)
        except DataError as e:
            raise ValidationError("file", name, f"a file inside {self.folder} ({e})") from None

    def _shown(self, path: Path) -> str:
        """A path as the user should read it: relative to the folder's parent when inside it."""
        try:
            return str(path.relative_to(self.folder.resolve().parent))
        except ValueError:
            return str(path)

    def save(self, name: str | Path | None = None) -> Path:
        """Write the current scenario as JSON; returns the path written.

        ``name`` defaults to the file name typed in the panel; relative names
        go under :attr:`folder`, and ``.json`` is added when missing.
        """
        if self.problem is not None:
            raise self.problem
        path = self._resolve(self.save_name.value if name is None else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._scenario.to_json(path)
        self.message.value = note_html(f"Saved {self._shown(path)}")
        return path

    def load(self, source: str | Path | bytes | Mapping[str, Any] | Scenario) -> Scenario:
        """Load a scenario (a file name, JSON bytes, a dict or a Scenario) and show it in the controls.

        The loaded scenario becomes the base for the fields without a control.
        Errors raise :class:`ValidationError` (and show in the panel when
        triggered from a button).
        """
        if isinstance(source, Scenario):
            loaded, where = source, f"the scenario of {source.organization.name}"
        elif isinstance(source, Mapping):
            loaded, where = Scenario.from_dict(source), "the given mapping"
        elif isinstance(source, (bytes, bytearray, memoryview)):
            loaded, where = _scenario_from_bytes(bytes(source), "upload"), "the upload"
        else:
            file = self._resolve(source)
            loaded, where = Scenario.from_json(file), self._shown(file)
        with self.hold():
            self._base = loaded
            self.changed()
            symbol = loaded.organization.currency_symbol
            for path, w in self.widgets.items():
                value = loaded.get(path)
                fit_range(w, value)
                w.value = value
                w.description = label(path, symbol)
        self.message.value = note_html(f"Loaded {where}")
        return self._scenario

    def _uploaded(self, change: Mapping[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        with self.guard(self.message):
            if max(f["size"], len(f["content"])) > MAX_UPLOAD_BYTES:  # the bytes themselves, not the size claimed
                raise ValidationError(
                    "upload", f["name"], f"a scenario file under {MAX_UPLOAD_BYTES // 1000:,} KB (this is a JSON file)"
                )
            self.load(bytes(f["content"]))
            self.message.value = note_html(f"Loaded {f['name']}")


def _scenario_from_bytes(data: bytes, name: str) -> Scenario:
    # the same checks as a file: a byte-order mark accepted, duplicate keys refused by name
    return Scenario.from_json_bytes(data, name)
