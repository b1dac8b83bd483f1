"""Acceptance checks of the engine on extreme but valid scenarios.

Each test here pins a defect found by stress-testing ``simulate`` against
``expected`` and the validation layer with values far from the sample's.
"""

import numpy as np
import pytest

from msp_analysis import expected, simulate


def _fee_z(scenario, trials=40_000, seed=5):
    c = simulate(scenario, trials=trials, seed=seed)
    e = expected(scenario)
    out = {}
    for m in ("break_fix", "msp"):
        fees = c[m].trials["fees"]
        out[m] = (fees.mean() - e.loc["fees", m]) / (fees.std() / np.sqrt(trials))
    return out


@pytest.mark.parametrize("minimum", [0.0, 0.25])
def test_fees_agree_when_work_piles_up_near_zero(sample, minimum):
    # Work with median 0.01 h and p90 20 h is a Gamma of shape ~0.08: one
    # incident in six takes less than 1e-9 of an 8-hour increment. Those were
    # billed as no work (z about -30 on Break/Fix fees); they take one increment.
    changes = {"organization.users": 1, "break_fix.billing_increment_hours": 8.0}
    for p in ("p1", "p2", "p3", "p4"):
        changes[f"incidents.{p}.rate_per_user_year"] = 0.0
    changes.update(
        {
            "incidents.p3.rate_per_user_year": 20.0,
            "incidents.p3.work_median_hours": 0.01,
            "incidents.p3.work_p90_hours": 20.0,
            "break_fix.onsite_minimum_hours": minimum,
            "break_fix.remote_minimum_hours": minimum,
        }
    )
    z = _fee_z(sample.replace(changes))
    assert abs(z["break_fix"]) < 4.5, z
