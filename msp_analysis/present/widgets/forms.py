"""Guided forms that feed a scenario: the cost of an hour of downtime, and a client's ticket history.

- :func:`downtime_cost_form` asks for salary, overheads, revenue and how much
  of each an outage costs, and writes the three downtime fields into a panel.
- :class:`CalibrationPanel` takes a helpdesk export (uploaded, or a path),
  reads it with :func:`~msp_analysis.ingest.tickets.load_tickets`, calibrates
  the incident model with :func:`~msp_analysis.ingest.calibration.calibrate`,
  shows the validation report and the calibration, and loads the calibrated
  scenario into controls whose comparison follows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as W
import pandas as pd
from IPython.display import display

from ...engine.expected import expected
from ...engine.simulation import Comparison
from ...errors import MSPAnalysisError, ValidationError
from ...formatting import money
from ...ingest.calibration import CalibrationResult, calibrate
from ...ingest.problems import LoadReport
from ...ingest.tickets import load_tickets
from ...model.downtime import cost_per_user_hour, estimate_downtime_inputs, valuation_words
from ...model.scenario import Scenario
from ..charts.cost import plot_total_cost_distribution
from ..live import LiveSurface, note_html
from .live_view import LiveView
from .scenario_panel import ScenarioControls

__all__ = ["CALIBRATION_CONTROLS", "CalibrationPanel", "downtime_cost_form"]


# -- a guided estimate of downtime cost ------------------------------------------------
def _downtime_questions(scenario: Scenario) -> dict[str, W.ValueWidget]:
    """The form's questions, answered so as to reproduce ``scenario``'s downtime fields."""
    org = scenario.organization
    sym = org.currency_symbol
    hours = org.business_hours_per_year
    overhead = 0.3
    lost = 0.25
    salary = round(org.loaded_hourly_cost * hours / (1 + overhead), -2)
    revenue = round(org.revenue_per_outage_hour * hours / lost, -3)
    style = {"description_width": "400px"}
    layout = W.Layout(width="720px")
    return {
        "annual_salary": W.BoundedFloatText(
            value=salary, min=1_000, max=10_000_000, step=1000, description=f"Average annual salary ({sym})",
            style=style, layout=layout, continuous_update=False,
        ),
        "overhead_share": W.FloatSlider(
            value=overhead, min=0, max=1, step=0.05, readout_format=".0%",
            description="Benefits, taxes and overhead on top of salary (%)", style=style, layout=layout,
        ),
        "it_share": W.FloatSlider(
            value=org.it_dependency, min=0, max=1, step=0.05, readout_format=".0%",
            description="Share of work that stops when IT is down (%)", style=style, layout=layout,
        ),
        "annual_revenue": W.BoundedFloatText(
            value=revenue, min=0, max=1e12, step=10_000, description=f"Annual revenue ({sym})",
            style=style, layout=layout, continuous_update=False,
        ),
        "revenue_lost_share": W.FloatSlider(
            value=lost, min=0, max=1, step=0.05, readout_format=".0%",
            description="Revenue lost, not just delayed, in a full outage (%)", style=style, layout=layout,
        ),
    }  # fmt: skip


def downtime_cost_form(controls: ScenarioControls) -> LiveView:
    """A small form that estimates what an hour of downtime costs, and feeds the panel.

    Asks for an average salary, overheads, how much work stops without IT,
    annual revenue and how much of it an outage loses; shows the resulting
    cost of an hour of full outage; *Use these figures* (or ``form.apply()``)
    writes ``organization.loaded_hourly_cost``,
    ``organization.it_dependency`` and
    ``organization.revenue_per_outage_hour`` into ``controls``. Starts from
    values that reproduce the panel's current scenario.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> panel = ScenarioControls(sample_scenario(), ["organization.loaded_hourly_cost"])
    >>> form = downtime_cost_form(panel)
    >>> print(form.exact_output.outputs[0]["text"].splitlines()[1])
    An hour of full outage costs about $2,363, valued at idle staff cost: $2,363 of idle staff (45 users) or $1,000 of lost revenue, counted once, never added.
    """
    sym = controls.scenario.organization.currency_symbol
    apply_button = W.Button(description="Use these figures", icon="", button_style="primary")
    applied = W.HTML()

    def estimate(**p: float) -> dict[str, float]:
        return estimate_downtime_inputs(
            p["annual_salary"],
            p["overhead_share"],
            controls.scenario.organization.business_hours_per_year,
            p["it_share"],
            p["annual_revenue"],
            p["revenue_lost_share"],
            users=controls.scenario.organization.users,  # lost revenue per user-hour follows headcount
        )

    def show(scenario: Scenario, **p: float) -> None:
        est = estimate(**p)
        users = scenario.organization.users
        try:
            trial = scenario.replace(est)
        except ValidationError as e:  # e.g. a salary of zero: say so, as for any impossible input
            print(f"These answers are not a valid scenario: {e}")
            return
        staff = users * est["organization.loaded_hourly_cost"] * est["organization.it_dependency"]
        total = cost_per_user_hour(trial) * users
        print(
            f"An employee-hour costs {money(est['organization.loaded_hourly_cost'], sym, 2)}; "
            f"{est['organization.it_dependency']:.0%} of work stops without IT.\n"
            f"An hour of full outage costs about {money(total, sym)}, {valuation_words(trial)}: "
            f"{money(staff, sym)} of idle staff ({users} users) or "
            f"{money(est['organization.revenue_per_outage_hour'], sym)} of lost revenue, counted once, never added."
        )

    view = LiveView(
        controls,
        exact=show,
        params=_downtime_questions(controls.scenario),
        show_controls=False,
        footer=[W.HBox([apply_button, applied])],
    )

    def apply(_button: object = None) -> None:
        with view.guard(applied):
            controls.set_values(estimate(**view.param_values()))
            applied.value = note_html("Applied to the scenario above.")

    apply_button.on_click(apply)
    view.apply = apply  # type: ignore[attr-defined]  # what the button does, for a script or a test
    return view


# -- calibrating the incident model on a client's tickets -------------------------------------
#: The controls a :class:`CalibrationPanel` shows by default, in titled groups.
CALIBRATION_CONTROLS: dict[str, list[str]] = {
    "MSP offer": ["msp.per_user_monthly", "msp.per_server_monthly"],
    "Break/Fix terms": ["break_fix.hourly_rate", "break_fix.remote_hourly_rate"],
    "Cost of downtime": ["organization.loaded_hourly_cost"],
}


def _show_totals(scenario: Scenario) -> None:
    e = expected(scenario)
    sym = scenario.organization.currency_symbol
    print(
        f"Expected total a year: Break/Fix {money(e.loc['total_cost', 'break_fix'], sym)}, "
        f"MSP {money(e.loc['total_cost', 'msp'], sym)}"
    )


def _show_distribution(comparison: Comparison) -> None:
    print(f"The MSP is cheaper in {comparison.prob_msp_cheaper:.0%} of simulated years")
    plot_total_cost_distribution(comparison)


class CalibrationPanel(LiveSurface):
    """Upload a ticket export (or type its path), calibrate the incident model on it, explore the result.

    *Calibrate* (or :meth:`run`) reads the export with
    :func:`~msp_analysis.ingest.tickets.load_tickets`, shows its validation
    report, calibrates with :func:`~msp_analysis.ingest.calibration.calibrate`
    at the headcount given, shows the calibration (overview and table), and
    loads the calibrated scenario into the controls below it, whose
    comparison (a :class:`LiveView`) follows them. A file with problems shows
    the library's message, naming file, row, column and value; *Set aside
    problem rows* then uses the rest. Anything else that goes wrong is a bug,
    shown with where it happened (and kept in :attr:`errors`).

    Parameters
    ----------
    scenario : Scenario
        The client's scenario: the calibrated values go into it, and its
        defaults stay where the data are thin.
    start : Scenario, optional
        What the controls show before a calibration (default ``scenario``).
    paths : list of str, or dict of {group title: list of str}
        The controls below the report (default :data:`CALIBRATION_CONTROLS`).
    exact, simulated : callable, optional
        The comparison's functions (see :class:`LiveView`); by default the
        expected totals, and the chance that the MSP is cheaper with the
        distribution of a year's cost.
    trials, seed :
        The comparison's simulation.
    max_upload_mb : float
        Largest export accepted.
    folder : path, optional
        Where the controls save scenarios (see :class:`ScenarioControls`).
    columns : int
        Groups of controls side by side.

    Attributes
    ----------
    upload, path_box, headcount, lenient_box, run_button : ipywidgets
        The form.
    report_output : ipywidgets.Output
        The validation report and the calibration, or what is wrong with the file.
    panel : ScenarioControls
        The controls, holding the calibrated scenario after a calibration.
    view : LiveView
        The comparison under the controls.
    tickets, ticket_report, result :
        The last tickets read, their :class:`~msp_analysis.ingest.problems.LoadReport`,
        and the :class:`~msp_analysis.ingest.calibration.CalibrationResult` (``None`` until one succeeds).

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.ingest.synthetic import generate_ticket_log
    >>> s = sample_scenario()
    >>> export = generate_ticket_log(s, months=12, seed=3).to_csv(index=False).encode()
    >>> form = CalibrationPanel(s, trials=200)
    >>> result = form.run(export)
    >>> result.n_tickets == len(form.tickets), form.errors
    (True, [])
    >>> form.panel.scenario == result.apply(s)
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        start: Scenario | None = None,
        paths: Iterable[str] | Mapping[str, Iterable[str]] | None = None,
        exact: Callable[..., object] | None = _show_totals,
        simulated: Callable[..., object] | None = _show_distribution,
        trials: int = 5_000,
        seed: Any = 1,
        max_upload_mb: float = 50,
        folder: str | Path | None = None,
        columns: int = 3,
    ) -> None:
        super().__init__()
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
        self.scenario = scenario
        self.max_bytes = int(max_upload_mb * 2**20)
        self.tickets: pd.DataFrame | None = None
        self.ticket_report: LoadReport | None = None
        self.result: CalibrationResult | None = None
        self.renders = {"report": 0}
        self.upload = W.FileUpload(
            accept=".csv,.xlsx", multiple=False, description="Upload tickets", icon="", layout=W.Layout(width="auto")
        )
        self.path_box = W.Text(
            value="", placeholder="or a path, e.g. ../data/clients/sample/tickets.csv", layout=W.Layout(width="420px")
        )
        self.headcount = W.BoundedIntText(value=scenario.organization.users, min=1, max=1_000_000, description="Users")
        self.lenient_box = W.Checkbox(value=False, description="Set aside problem rows")
        self.run_button = W.Button(description="Calibrate", icon="", button_style="primary")
        self.run_button.on_click(lambda _b: self.run())
        self.report_output = W.Output()
        start = start if start is not None else scenario
        self.panel = ScenarioControls(
            start, CALIBRATION_CONTROLS if paths is None else paths, folder=folder, columns=columns
        )
        self.view = LiveView(self.panel, exact=exact, simulated=simulated, trials=trials, seed=seed)
        self.widget = W.VBox(
            [
                W.HBox([self.upload, self.path_box]),
                W.HBox([self.headcount, self.lenient_box, self.run_button]),
                self.report_output,
                self.view.widget,
            ]
        )

    @property
    def controls(self) -> list[W.ValueWidget]:
        """The form's settings (the file is chosen by upload or path; :meth:`run` reads it)."""
        return [self.path_box, self.headcount, self.lenient_box]

    def _update(self) -> None:
        self.run()

    def source(self) -> object | None:
        """What *Calibrate* reads: the upload, else the path typed, else ``None``."""
        if self.upload.value:
            return self.upload.value[0]
        typed = self.path_box.value.strip()
        return typed or None

    def run(self, source: object | None = None) -> CalibrationResult | None:
        """Read ``source`` (default :meth:`source`), calibrate, show the report, load the result into the controls.

        ``source`` is anything :func:`~msp_analysis.ingest.tickets.load_tickets`
        reads (a path, bytes, an upload entry). Returns the calibration, or
        ``None`` when there was nothing to read or the file could not be
        used (the report area says why).
        """
        self.result = None
        found = self.source() if source is None else source
        calibrated: list[Scenario] = []
        self.render(self.report_output, self._report, found, calibrated)
        self.renders["report"] += 1
        if calibrated and self.ticket_report is not None:
            self.panel.load(calibrated[0])
            self.panel.message.value = note_html(f"Loaded the scenario calibrated on {self.ticket_report.source}")
        return self.result

    def _report(self, source: object | None, calibrated: list[Scenario]) -> None:
        """What the report area shows (printed and displayed): report, calibration, or the file's problems."""
        if source is None:
            print("Upload a file or type a path first.")
            return
        try:
            zone = self.scenario.organization.timezone or None  # the firm's zone, when its scenario states one
            tickets, report = load_tickets(
                source, lenient=self.lenient_box.value, max_bytes=self.max_bytes, timezone=zone
            )
            display(report.summary())
            result = calibrate(tickets, users=self.headcount.value, scenario=self.scenario)
            scenario = result.apply(self.scenario)
        except MSPAnalysisError as problem:  # the file's or the headcount's problems, in the library's words
            print(problem)
            return
        print(result)
        display(result.table())
        self.tickets, self.ticket_report, self.result = tickets, report, result
        calibrated.append(scenario)
