"""Charts of day-to-day support: what an incident is billed, how long users wait, what becomes of incidents.

Amounts on axes and titles are compact (``$2.35M``,
:func:`msp_analysis.formatting.money_compact`), in the scenario's currency.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from ...formatting import mathtext_safe, money_compact
from ...model.billing import billed_hours
from ...model.incidents import CLASSES, incident_plan
from ...model.response import break_fix_response, expected_msp_response, sla_attainment
from ...model.scenario import PRIORITIES, Scenario
from .style import COLORS, money_formatter, new_axes

__all__ = ["plot_billing_rule", "plot_incident_outcomes", "plot_response_times"]

_PRIORITY_NAMES = {"p1": "P1 site-wide", "p2": "P2 team / key system", "p3": "P3 one user", "p4": "P4 request"}


def _hours_text(h: float) -> str:
    """``30 min``, ``2 h``, ``1.5 h``.

    Examples
    --------
    >>> _hours_text(0.5), _hours_text(2), _hours_text(1.5)
    ('30 min', '2 h', '1.5 h')
    """
    if h < 1:
        return f"{h * 60:.0f} min"
    return f"{h:g} h" if float(h).is_integer() else f"{h:.1f} h"


def plot_billing_rule(scenario: Scenario, ax: Axes | None = None, max_hours: float = 3.0) -> Axes:
    """What Break/Fix bills for one incident against the technician's actual work.

    Lines for remote work, on-site work (minimum, increments, trip fee) and
    on-site work after hours, against the grey line of the work itself at
    the on-site rate: the gap is what minimums, rounding and fees add.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> print(plot_billing_rule(sample_scenario(), ax=Figure().add_subplot()).get_title())
    A 15-minute visit is billed \\$...: 1 h minimum + \\$... trip fee
    """
    ax = new_axes(ax)
    bf = scenario.break_fix
    sym = scenario.organization.currency_symbol
    work = np.linspace(0.0, max_hours, 1201)[1:]
    onsite_hours = billed_hours(work, bf.onsite_minimum_hours, bf.billing_increment_hours)
    onsite = bf.hourly_rate * onsite_hours + bf.trip_fee
    remote = bf.remote_hourly_rate * billed_hours(work, bf.remote_minimum_hours, bf.billing_increment_hours)
    after = bf.after_hours_multiplier * bf.hourly_rate * onsite_hours + bf.trip_fee
    c = COLORS["break_fix"]
    ax.plot(work, after, color=c, lw=1.5, ls=":", label=f"On site, after hours (×{bf.after_hours_multiplier:g})")
    ax.plot(work, onsite, color=c, lw=2.5, label="On site, business hours")
    ax.plot(work, remote, color=c, lw=1.5, ls="--", label="Remote")
    ax.plot(work, bf.hourly_rate * work, color=COLORS["neutral"], lw=1, label="The work itself at the on-site rate")
    quarter = 0.25
    billed = float(
        bf.hourly_rate * billed_hours(np.array([quarter]), bf.onsite_minimum_hours, bf.billing_increment_hours)[0]
        + bf.trip_fee
    )
    ax.set_title(
        mathtext_safe(
            f"A 15-minute visit is billed {money_compact(billed, sym)}: "
            f"{_hours_text(max(bf.onsite_minimum_hours, quarter))} minimum + {money_compact(bf.trip_fee, sym)} trip fee"
        )
    )
    ax.set_xlabel("Technician's actual work on one incident (hours)")
    ax.set_ylabel("Billed for the incident")
    ax.yaxis.set_major_formatter(money_formatter(sym))
    ax.set_xlim(0, max_hours)
    ax.set_ylim(0, None)
    ax.legend(loc="upper left")
    return ax


def plot_response_times(scenario: Scenario, ax: Axes | None = None) -> Axes:
    """Break/Fix waits (median to p90) against the MSP's SLA targets, by priority (log scale).

    The label of each priority gives how often a Break/Fix response would
    meet the MSP's target (:func:`msp_analysis.model.response.sla_attainment`).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> plot_response_times(sample_scenario(), ax=Figure().add_subplot()).get_title()
    "Break/Fix answers a P1 outage within the MSP's ... target in ...% of calls"
    """
    ax = new_axes(ax, (8, 4.5))
    attain = sla_attainment(scenario)
    msp = scenario.msp
    y = np.arange(len(PRIORITIES))[::-1]
    for yi, p in zip(y, PRIORITIES):
        g = break_fix_response(scenario, p)
        med, p90 = float(g.ppf(0.5)), float(g.ppf(0.9))
        ax.plot([med, p90], [yi + 0.15] * 2, color=COLORS["break_fix"], lw=6, solid_capstyle="butt", alpha=0.6)
        ax.plot([g.mean()], [yi + 0.15], "o", color=COLORS["break_fix"], ms=7)
        target = msp.sla_response_hours[p]
        ax.plot([target], [yi - 0.15], "|", color=COLORS["msp"], ms=18, mew=3)
        ax.plot([expected_msp_response(scenario, p)], [yi - 0.15], "o", color=COLORS["msp"], ms=7)
    labels = [f"{_PRIORITY_NAMES[p]}\nBreak/Fix within target: {attain[p]:.0%}" for p in PRIORITIES]
    ax.set_yticks(y, labels)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda h, _pos=None: _hours_text(h)))
    ax.set_xlabel("Business hours until a technician starts (log scale)")
    ax.plot([], [], color=COLORS["break_fix"], lw=6, alpha=0.6, label="Break/Fix wait: median to p90")
    ax.plot([], [], "o", color=COLORS["break_fix"], label="Break/Fix mean wait")
    ax.plot([], [], "|", color=COLORS["msp"], ms=12, mew=3, label=f"MSP SLA target (met {msp.sla_adherence:.0%})")
    ax.plot([], [], "o", color=COLORS["msp"], label="MSP mean wait")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", visible=False)
    ax.set_title(
        f"Break/Fix answers a P1 outage within the MSP's {_hours_text(msp.sla_response_hours['p1'])} "
        f"target in {attain['p1']:.0%} of calls"
    )
    return ax


def plot_incident_outcomes(scenario: Scenario, ax: Axes | None = None) -> Axes:
    """What becomes of each priority's incidents: all reach users under Break/Fix; the MSP prevents or catches some.

    One pair of bars per priority, as shares of that priority's incidents
    (its expected number a year is written beside it), so rare site-wide
    outages read as clearly as frequent requests.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from msp_analysis import sample_scenario
    >>> plot_incident_outcomes(sample_scenario(), ax=Figure().add_subplot()).get_title()
    'Of ... incidents a year the MSP prevents ... and quietly fixes ...'
    """
    ax = new_axes(ax, (8, 4.5))
    plans = incident_plan(scenario)
    idx = {c: i for i, c in enumerate(CLASSES)}
    q = np.array([p.class_probabilities for p in plans])
    prevented = q[:, idx["prevented"]]
    caught = q[:, idx["caught_in_scope"]] + q[:, idx["caught_out_of_scope"]]
    noticed = 1.0 - prevented - caught
    rate = np.array([p.rate for p in plans])
    y = np.arange(len(plans))[::-1] * 1.0
    h = 0.36
    ax.barh(y + h / 2, np.ones(len(plans)), h, color=COLORS["break_fix"], label="Break/Fix: reaches users")
    ax.barh(y - h / 2, noticed, h, color=COLORS["msp"], label="MSP: users notice")
    ax.barh(y - h / 2, caught, h, left=noticed, color="#56B4E9", label="MSP: fixed before users notice")
    ax.barh(
        y - h / 2,
        prevented,
        h,
        left=noticed + caught,
        color="white",
        edgecolor=COLORS["msp"],
        hatch="//",
        label="MSP: prevented",
    )
    for yi, r in zip(y, rate):
        ax.annotate(f"{r:,.1f} a year", (1.01, yi), va="center", fontsize="small", annotation_clip=False)
    ax.set_yticks(y, [_PRIORITY_NAMES[p.priority] for p in plans])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: f"{v:.0%}"))
    ax.set_xlabel("Share of the priority's incidents")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    ax.grid(axis="y", visible=False)
    n_prev, n_caught = float(rate @ prevented), float(rate @ caught)
    ax.set_title(
        f"Of {rate.sum():,.0f} incidents a year the MSP prevents {n_prev:,.0f} and quietly fixes {n_caught:,.0f}"
    )
    return ax
