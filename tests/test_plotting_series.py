"""Charts added for the notebook series: they draw, state the right finding, and survive edge cases."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from msp_analysis import simulate
from msp_analysis.formatting import money_compact
from msp_analysis.model.billing import billed_hours
from msp_analysis.model.response import sla_attainment
from msp_analysis.model.security import incident_rate
from msp_analysis.present.charts import cost, decisions, operations, security


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def comparison(sample):
    return simulate(sample, trials=2_000, seed=3)


def _draw(ax):
    ax.figure.canvas.draw()  # tick formatters run at draw time
    return ax.get_title()


def test_billing_rule_title_is_the_minimum_plus_trip_fee(sample):
    title = _draw(operations.plot_billing_rule(sample))
    bf = sample.break_fix
    billed = bf.hourly_rate * billed_hours([0.25], bf.onsite_minimum_hours, bf.billing_increment_hours)[0] + bf.trip_fee
    assert money_compact(billed).replace("$", r"\$") in title
    assert "1 h minimum" in title


def test_billing_rule_with_exact_billing_and_no_trip_fee(sample):
    s = sample.replace(
        {"break_fix.onsite_minimum_hours": 0, "break_fix.billing_increment_hours": 0, "break_fix.trip_fee": 0}
    )
    ax = operations.plot_billing_rule(s)
    _draw(ax)
    onsite = ax.get_lines()[1].get_ydata()
    work = ax.get_lines()[1].get_xdata()
    np.testing.assert_allclose(onsite, s.break_fix.hourly_rate * work)


def test_response_times_labels_give_sla_attainment(sample):
    ax = operations.plot_response_times(sample)
    title = _draw(ax)
    attain = sla_attainment(sample)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].endswith(f"{attain['p1']:.0%}")
    assert f"{attain['p1']:.0%} of calls" in title


def test_incident_outcomes_count_prevented_incidents(sample):
    title = _draw(operations.plot_incident_outcomes(sample))
    users = sample.organization.users
    prevented = sum(
        sample.incidents[p].rate_per_user_year * users * sample.msp.prevented_share[p] for p in ("p1", "p2", "p3", "p4")
    )
    assert f"prevents {prevented:,.0f} " in title


def test_incident_outcomes_without_incidents(sample):
    s = sample.replace({f"incidents.{p}.rate_per_user_year": 0.0 for p in ("p1", "p2", "p3", "p4")})
    assert "Of 0 incidents" in _draw(operations.plot_incident_outcomes(s))


@pytest.mark.parametrize("column", ["downtime_hours", "fees", "availability", "security_incidents"])
def test_column_distribution_reports_both_means(comparison, column):
    title = _draw(cost.plot_column_distribution(comparison, column))
    assert "Break/Fix" in title and "MSP" in title
    if column == "downtime_hours":
        assert f"{comparison.break_fix.trials[column].mean():,.0f}" in title


def test_column_distribution_of_a_constant(sample):
    c = simulate(sample.replace({"organization.compliance": "none"}), trials=200, seed=1)
    _draw(cost.plot_column_distribution(c, "security_downtime_hours"))  # mostly zeros: must not fail


def test_budget_exceedance_matches_the_simulated_share(comparison):
    budget = 50_000.0
    title = _draw(cost.plot_budget_exceedance(comparison, budget))
    p = comparison.break_fix.prob_exceeds(budget, "fees")
    assert f"in {p:.0%} of years with Break/Fix" in title


def test_fees_vs_headcount_names_the_cheapest_quote(sample):
    quotes = {
        "per user": sample,
        "per device": sample.replace({"msp.per_user_monthly": 0, "msp.per_workstation_monthly": 200}),
    }
    title = _draw(decisions.plot_fees_vs_headcount(quotes, range(5, 101, 5)))
    assert "cheapest quote is per user" in title


def test_security_rate_halves_at_the_halving_latency(sample):
    title = _draw(security.plot_security_rate(sample))
    bf = incident_rate(sample, sample.break_fix.patch_latency_days)
    ms = incident_rate(sample, sample.msp.patch_latency_days)
    assert f"{bf:.3f} to {ms:.3f}" in title


def test_security_rate_when_the_msp_patches_slower(sample):
    s = sample.replace({"msp.patch_latency_days": 60.0})
    assert _draw(security.plot_security_rate(s)).startswith("Costly incidents a year")


def test_fines_by_regime_bars_add_up_to_expected_security_loss(sample):
    from msp_analysis import expected

    ax = security.plot_fines_by_regime(sample)
    _draw(ax)
    # Bars are drawn model by model, part by part, regime by regime: sum the Break/Fix HIPAA stack.
    bars = [b for b in ax.patches]
    n = 4  # regimes
    bf_hipaa = sum(bars[k * n + 1].get_height() for k in range(3))
    want = expected(sample.replace({"organization.compliance": "hipaa"})).loc["security_loss", "break_fix"]
    assert bf_hipaa == pytest.approx(want, rel=1e-9)


def test_savings_and_column_histograms_leave_their_tails_out_instead_of_piling_them_at_the_edges():
    """Issue 16: no stray bar at an edge; the bars' area is the share of years drawn, and the label gives the rest."""
    from matplotlib.figure import Figure
    from matplotlib.patches import StepPatch

    from msp_analysis import sample_scenario, simulate
    from msp_analysis.present.charts.cost import plot_column_distribution, plot_savings_distribution

    c = simulate(sample_scenario(), trials=2_000, seed=4)
    ax = plot_savings_distribution(c, ax=Figure().add_subplot())
    (step,) = [p for p in ax.patches if isinstance(p, StepPatch)]
    heights, edges, _ = step.get_data()
    s = c.savings.to_numpy()
    drawn = float(((s >= edges[0]) & (s <= edges[-1])).mean())
    assert float((heights * np.diff(edges)).sum()) == pytest.approx(drawn, abs=1e-9) and drawn < 1
    assert "Not drawn: " in ax.get_xlabel() and "% of years below" in ax.get_xlabel()
    ax = plot_column_distribution(c, "downtime_hours", ax=Figure().add_subplot())
    for step in (p for p in ax.patches if isinstance(p, StepPatch)):
        heights, edges, _ = step.get_data()
        assert float((heights * np.diff(edges)).sum()) <= 1 + 1e-9
        assert heights[-1] <= heights.max() / 4  # the last bin holds its own years only
    assert "Years not drawn, beyond the edges: Break/Fix " in ax.get_xlabel()
