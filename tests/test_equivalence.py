"""The fast engine draws from the same distribution as the per-incident reference.

Two-sample Kolmogorov-Smirnov tests on every cost column and the saving, for
scenarios across sizes (1 to 10,000 users: per-incident cells, aggregate
cells and the boundary between them) and billing rules (no minimum, minimums,
fine and coarse increments, exact billing).
"""

import numpy as np
import pytest
from scipy import stats

from msp_analysis import sample_scenario
from msp_analysis.engine.simulation import AGGREGATE_MIN, simulate_raw

from .reference_engine import reference_simulate

BILLING = {
    "sample": {},
    "exact": {
        "break_fix.onsite_minimum_hours": 0.0,
        "break_fix.remote_minimum_hours": 0.0,
        "break_fix.billing_increment_hours": 0.0,
    },
    "minimum_only": {"break_fix.billing_increment_hours": 0.0, "break_fix.onsite_minimum_hours": 2.0},
    "six_minutes": {"break_fix.billing_increment_hours": 0.1, "break_fix.onsite_minimum_hours": 0.3},
    "whole_hours": {"break_fix.billing_increment_hours": 1.0, "break_fix.remote_minimum_hours": 0.0},
}
SIZES = [1, 12, 45, 300, 2000]
COLS = ["fees", "downtime_hours", "total_cost", "internal_cost"]


def _reference_trials(scenario, budget=15_000_000, most=20_000):
    """Trials for the per-incident reference: at most ``budget`` incidents in all."""
    per_year = scenario.incidents.total_rate_per_user_year() * scenario.organization.users
    return int(min(most, max(2_000, budget / max(per_year, 1.0))))


def _ks(a, b):
    return stats.ks_2samp(a, b).pvalue


@pytest.mark.slow
@pytest.mark.parametrize("rule", list(BILLING))
@pytest.mark.parametrize("users", SIZES)
def test_fast_engine_matches_reference(rule, users):
    s = sample_scenario().replace({"organization.users": users, "organization.compliance": "hipaa", **BILLING[rule]})
    fast = simulate_raw(s, 20_000, seed=1000 + users, progress=False)
    ref = reference_simulate(s, _reference_trials(s), seed=2000 + users)
    for model in ("break_fix", "msp"):
        for col in COLS:
            p = _ks(fast[model][col], ref[model][col])
            assert p > 1e-3, f"{model}.{col}: KS p={p:.2g} ({rule}, {users} users)"
    saving_fast = fast["break_fix"]["total_cost"] - fast["msp"]["total_cost"]
    saving_ref = ref["break_fix"]["total_cost"] - ref["msp"]["total_cost"]
    assert _ks(saving_fast, saving_ref) > 1e-3


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_boundary_of_aggregate_cells(seed):
    """Cells just above AGGREGATE_MIN use the central-limit draw: the hardest case."""
    base = sample_scenario()
    # P3 remote/business-hours cell at about 1.1 x AGGREGATE_MIN incidents a year
    users = 20
    rate = 1.1 * AGGREGATE_MIN / (users * 0.75 * 0.95)
    s = base.replace(
        {
            "organization.users": users,
            "incidents.p3.rate_per_user_year": rate,
            "incidents.p3.work_p90_hours": 4.0,
            "break_fix.remote_minimum_hours": 1.0,
        }
    )
    fast = simulate_raw(s, 20_000, seed=seed, progress=False)
    ref = reference_simulate(s, 20_000, seed=100 + seed)
    for model in ("break_fix", "msp"):
        for col in ("fees", "downtime_hours", "total_cost"):
            assert _ks(fast[model][col], ref[model][col]) > 1e-3, (model, col)


@pytest.mark.slow
def test_large_firm_uses_aggregate_cells_and_agrees_in_mean():
    s = sample_scenario().replace({"organization.users": 10_000})
    fast = simulate_raw(s, 4_000, seed=3, progress=False)
    ref = reference_simulate(s, 300, seed=4)
    for model in ("break_fix", "msp"):
        a, b = fast[model]["fees"], ref[model]["fees"]
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se
