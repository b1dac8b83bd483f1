"""Guided forms that feed a scenario.

- :func:`downtime_cost_form` asks for salary, overheads, revenue and how much
  of each an outage costs, and writes the three downtime fields into a panel.
"""

from __future__ import annotations

import ipywidgets as W

from ...errors import ValidationError
from ...formatting import money
from ...model.downtime import cost_per_user_hour, estimate_downtime_inputs
from ...model.scenario import Scenario
from ..live import note_html
from .live_view import LiveView
from .scenario_panel import ScenarioControls

__all__ = ["downtime_cost_form"]


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
    An hour of full outage costs about $3,363: $2,363 of idle staff (45 users) + $1,000 of lost revenue.
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
            f"An hour of full outage costs about {money(total, sym)}: "
            f"{money(staff, sym)} of idle staff ({users} users) + "
            f"{money(est['organization.revenue_per_outage_hour'], sym)} of lost revenue."
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
