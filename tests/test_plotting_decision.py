"""Charts of the decision tools: they draw, return their axes, and their titles state the finding."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from msp_analysis import simulate
from msp_analysis.decisions.break_even import break_even
from msp_analysis.decisions.budget import monthly_fees
from msp_analysis.decisions.projection import project
from msp_analysis.decisions.scorecard import JUDGED, scorecard
from msp_analysis.decisions.sensitivity import sensitivity
from msp_analysis.present.charts.decisions import (
    plot_break_even,
    plot_monthly_fee_bands,
    plot_projection,
    plot_scorecard,
    plot_tornado,
)
from msp_analysis.present.charts.style import COLORS


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def title(ax) -> str:
    return ax.get_title().replace("\\$", "$")


def line_colors(ax) -> set[str]:
    return {to_hex(line.get_color()) for line in ax.get_lines()}


def test_tornado(sample):
    table = sensitivity(sample)
    _fig, ax = plt.subplots()
    assert plot_tornado(table, ax=ax, max_rows=8) is ax
    assert len(ax.patches) == 2 * 8  # a low and a high bar per parameter
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1]).get_text()
    assert top == table.iloc[0]["label"]  # largest on top
    assert title(ax).startswith("Price per user matters most")
    colors = {to_hex(p.get_facecolor()[:3]) for p in ax.patches}
    assert colors == {COLORS["msp"].lower(), COLORS["break_fix"].lower()}
    assert "$" not in ax.get_title().replace("\\$", "")  # every dollar escaped: no mathtext


def test_tornado_of_an_empty_table(sample):
    table = sensitivity(sample, ["msp.vcio_hours_per_year"]).iloc[0:0]
    ax = plot_tornado(table)
    assert ax.get_title() == "Nothing to show"


def test_break_even_chart_marks_the_crossing(sample):
    be = break_even(sample, "msp.per_user_monthly")
    ax = plot_break_even(sample, "msp.per_user_monthly")
    assert title(ax) == "The MSP is cheaper below $138.92 per user per month (today $125 per user per month)"
    assert {COLORS["break_fix"].lower(), COLORS["msp"].lower()} <= line_colors(ax)
    xs = [line.get_xdata() for line in ax.get_lines()]
    assert any(np.allclose(x, be.value) for x in xs if len(x) in (1, 2))  # the crossing is drawn where it is


def test_break_even_chart_for_headcount_and_savings(sample):
    ax = plot_break_even(sample, "organization.users", kind="savings")
    assert title(ax) == "The MSP is cheaper from 31 users up (today 45 users)"
    assert COLORS["savings"].lower() in line_colors(ax)


def test_break_even_chart_without_crossing(sample):
    ax = plot_break_even(sample, "break_fix.hourly_rate", low=50, high=300)
    assert title(ax).startswith("No break-even between $50 per hour and $300 per hour: the MSP is cheaper")
    lo, hi = ax.get_xlim()
    assert lo <= 50 and hi >= 300


def test_break_even_chart_rejects_unknown_kind(sample):
    with pytest.raises(ValueError):
        plot_break_even(sample, "msp.per_user_monthly", kind="pie")


def test_projection_chart(sample):
    p = project(sample, years=4, user_growth=0.1, trials=300, seed=1)
    ax = plot_projection(p)
    assert title(ax).startswith("Over 4 years the MSP saves $")
    assert "cheaper from year 1" in title(ax)
    assert len(ax.collections) == 2  # one band per model
    dear = project(sample.replace({"msp.per_user_monthly": 400.0}), years=2, trials=100, seed=1)
    assert "Break/Fix costs" in title(plot_projection(dear, band=False))


def test_monthly_fee_bands_chart(sample):
    m = monthly_fees(sample, months=12, trials=300, seed=1)
    ax = plot_monthly_fee_bands(m)
    assert title(ax).startswith("Break/Fix bills $")
    assert len(ax.collections) == 2
    assert any("onboarding" in t.get_text() for t in ax.texts)


def test_scorecard_chart(sample):
    c = simulate(sample, trials=1_000, seed=1)
    table = scorecard(c, weights={"cost": 2})
    ax = plot_scorecard(table)
    assert title(ax).startswith("MSP scores higher: MSP ")
    assert len(ax.patches) == 2 * 4  # the three judgments are not yet judged: no bars
    assert sum(t.get_text() == "not yet judged" for t in ax.texts) == 3
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1]).get_text()
    assert top == "Cost (67%)"  # weight share shown, first dimension on top (cost 2, predictability 1)
    judged = scorecard(c, weights={"cost": 2}, judgments={d: {"break_fix": 5, "msp": 5} for d in JUDGED})
    ax = plot_scorecard(judged)
    assert len(ax.patches) == 2 * 7
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 2 * 3  # three judgment dimensions, both models
