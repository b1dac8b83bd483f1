"""The vectorised path through the exact expectations (issue 14's speed): one implementation, many input sets.

``expected_totals`` prices a batch through the same model code as
``expected()``, with arrays where one scenario has numbers. These tests hold
it to ``expected()`` on each input set, over every field the assumptions table
gives a range (a field added to the table is drawn here too), and check the
pieces that had to learn arrays: the Gamma's shape from its median and p90, the
billing lattice, the capped SLA credits, the checks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special

from msp_analysis import ValidationError, expected
from msp_analysis.engine.batch import expected_totals
from msp_analysis.model.billing import billing_moments, expected_sla_credits
from msp_analysis.model.defaults import assumptions
from msp_analysis.model.distributions import GAMMA_RATIO_RANGE, Gamma, Lognormal, gamma_shape_for_ratio
from msp_analysis.model.scenario import field_info

#: The median each p90 of the scenario is kept above (their checks compare the two).
_P90_OF = {
    "work_p90_hours": "work_median_hours",
    "response_p90_hours": "response_median_hours",
    "sla_miss_excess_p90": "sla_miss_excess_median",
    "severity_p90": "severity_median",
    "outage_p90_hours": "outage_median_hours",
    "fine_p90": "fine_median",
}


def _median_path(path: str) -> str | None:
    for p90, median in _P90_OF.items():
        if f".{p90}" in path or path.endswith(p90):
            return path.replace(p90, median)
    return None


def _random_sets(sample, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` input sets drawn at once over every field with a range in the assumptions table, and every choice."""
    table = assumptions()
    ranged = table[table["low"].notna() & table["high"].notna()]
    changes: dict[str, np.ndarray] = {}
    for path, low, high in zip(ranged["path"], ranged["low"].astype(float), ranged["high"].astype(float)):
        info = field_info(path)
        if info.choices is not None or info.unit == "text":
            continue
        values = rng.uniform(low, high, n) if high > low else np.full(n, low)
        changes[path] = np.round(values) if info.integer else values
    for path, median in ((p, _median_path(p)) for p in list(changes)):
        if median is None:
            continue
        # A p90 keeps above the median drawn with it (a ratio between 1.3 and 6, as ranges allow).
        base = changes.get(median, np.full(n, float(sample.get(median))))
        top = field_info(path).high or math.inf
        changes[path] = np.minimum(np.maximum(changes[path], base * rng.uniform(1.3, 6.0, n)), top)
    # The choices the model branches on vary too: each group of input sets sharing them is one batch.
    for path in ("organization.compliance", "organization.currency", "organization.revenue_scaling"):
        choices = field_info(path).choices
        assert choices is not None
        changes[path] = rng.choice(np.array(choices), n)
    changes["security.severity_includes_outage"] = rng.choice(np.array(["yes", "no"]), n)
    return changes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_ranged_field_at_once_equals_expected_on_each_set(sample, seed):
    rng = np.random.default_rng(seed)
    n = 120
    changes = _random_sets(sample, n, rng)
    assert len(changes) > 100  # every ranged field of the table, not a chosen few
    totals = expected_totals(sample, changes)
    for i in range(n):
        one = sample.replace({p: v[i].item() for p, v in changes.items()})
        e = expected(one).loc["total_cost"]
        assert totals[i, 0] == pytest.approx(e["break_fix"], rel=1e-9), i
        assert totals[i, 1] == pytest.approx(e["msp"], rel=1e-9), i


def test_a_set_priced_alone_or_among_others_gives_the_same_bits(sample):
    # Each set's numbers depend on its own inputs alone (a cluster's chunks rely on it).
    changes = _random_sets(sample, 60, np.random.default_rng(4))
    changes = {p: v for p, v in changes.items() if v.dtype.kind == "f"}
    whole = expected_totals(sample, changes)
    part = expected_totals(sample, {p: v[17:23] for p, v in changes.items()})
    assert np.array_equal(whole[17:23], part)


def test_gamma_shape_solves_the_ratio_to_the_accuracy_brentq_gave():
    lo, hi = GAMMA_RATIO_RANGE
    ratios = np.exp(np.linspace(math.log(lo * (1 + 1e-9)), math.log(hi * (1 - 1e-9)), 400))

    def brentq_shape(r: float) -> float:
        def gap(log_k: float) -> float:
            k = math.exp(log_k)
            return math.log(special.gammaincinv(k, 0.9) / special.gammaincinv(k, 0.5)) - math.log(r)

        return math.exp(optimize.brentq(gap, math.log(0.05), math.log(5e4), xtol=1e-14))

    k = gamma_shape_for_ratio(ratios)
    reference = np.array([brentq_shape(r) for r in ratios])
    np.testing.assert_allclose(k, reference, rtol=1e-11)
    np.testing.assert_allclose(special.gammaincinv(k, 0.9) / special.gammaincinv(k, 0.5), ratios, rtol=1e-12)
    # One ratio alone gets the very same shape as among others.
    assert gamma_shape_for_ratio(ratios[7]) == k[7]


def test_distributions_take_arrays_entry_by_entry():
    medians, p90s = np.array([0.5, 1.0, 3.0]), np.array([2.0, 1.5, 30.0])
    g = Gamma.from_median_p90(medians, p90s)
    ln = Lognormal.from_median_p90(medians, p90s)
    for i in range(3):
        one = Gamma.from_median_p90(medians[i], p90s[i])
        assert (g.shape[i], g.scale[i]) == (one.shape, one.scale)  # type: ignore[index]
        lone = Lognormal.from_median_p90(medians[i], p90s[i])
        assert ln.limited_mean(np.array([10.0, np.inf, 5.0]))[i] == pytest.approx(  # type: ignore[index]
            lone.limited_mean([10.0, np.inf, 5.0][i]), rel=1e-15
        )
    with pytest.raises(ValueError, match="median < p90"):
        Gamma.from_median_p90(medians, np.array([2.0, 0.5, 30.0]))


@pytest.mark.parametrize("increment", [0.0, 0.1, 0.25, 1.0])
def test_billing_moments_of_a_batch_equal_each_entry_alone(increment):
    shapes = Gamma.from_median_p90(np.array([0.01, 0.75, 2.0, 40.0]), np.array([20.0, 2.5, 3.0, 45.0]))
    minimum = np.array([0.25, 1.0, 0.0, 2.0])
    batch = billing_moments(shapes, minimum, increment)  # type: ignore[arg-type]
    for i in range(4):
        one = billing_moments(Gamma(float(shapes.shape[i]), float(shapes.scale[i])), float(minimum[i]), increment)  # type: ignore[index]
        for name in ("mean_billed", "mean_residual", "var_residual", "cov_residual_work"):
            assert getattr(batch, name)[i] == getattr(one, name), (name, i)


def test_capped_sla_credits_take_arrays(sample):
    mu = np.array([0.0, 2.0, 30.0, 400.0])
    s = sample.replace({"msp.sla_credit_per_critical_miss": 0.05, "msp.sla_credit_cap": 0.1})
    batch = expected_sla_credits(mu, s)  # type: ignore[arg-type]
    assert [batch[i] for i in range(4)] == [expected_sla_credits(float(m), s) for m in mu]  # type: ignore[index]


def test_a_bad_pair_in_a_batch_names_the_first_bad_input_set(sample):
    median = np.array([1.0, 1.0, 2.0, 2.0])
    with pytest.raises(ValidationError, match=r"incidents\.p1\.work_p90_hours.*input set 2"):
        expected_totals(
            sample,
            {"incidents.p1.work_median_hours": median, "incidents.p1.work_p90_hours": np.array([3.0, 3.0, 1.5, 1.0])},
        )
    with pytest.raises(ValidationError, match=r"organization\.users.*whole number.*input set 1"):
        expected_totals(sample, {"organization.users": np.array([10.0, 10.5])})
    with pytest.raises(ValidationError, match=r"organization\.compliance.*input set 1"):
        expected_totals(sample, {"organization.compliance": np.array(["none", "sox"])})
    with pytest.raises(ValidationError, match=r"msp\.sla_adherence.*input set 0"):
        expected_totals(sample, {"msp.sla_adherence": np.array([True, False])})


def test_range_checks_of_a_batch_are_the_one_scenario_checks():
    info = field_info("organization.users")
    values = np.array([0.0, 1.0, 2.5, 1e6, 1e6 + 1, np.nan, np.inf, -0.0])
    expected_ok = []
    for v in values:
        try:
            info.check("organization.users", float(v))
            expected_ok.append(True)
        except ValidationError:
            expected_ok.append(False)
    assert info.accepts(values).tolist() == expected_ok


@pytest.mark.parametrize(
    "changes",
    [
        {"incidents.p2.work_median_hours": [0.5, 1.0, 2.0], "incidents.p2.work_p90_hours": [3.0, 4.0, 9.0]},
        {"break_fix.billing_increment_hours": [0.0, 0.1, 0.5]},
        {"break_fix.remote_minimum_hours": [0.0, 0.25, 2.0]},
        {"msp.per_user_monthly": [90.0, 125.0, 160.0]},
    ],
)
def test_a_few_fields_varying_with_the_rest_as_one_value(sample, changes):
    # The fields left alone are single values that broadcast against the changed ones.
    totals = expected_totals(sample, changes)
    for i in range(3):
        e = expected(sample.replace({p: v[i] for p, v in changes.items()})).loc["total_cost"]
        assert totals[i].tolist() == pytest.approx([e["break_fix"], e["msp"]], rel=1e-12)
