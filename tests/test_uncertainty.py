"""Uncertainty about the inputs (issue 14): batched expectations, EVPI/EVPPI, Sobol, acceptability."""

from __future__ import annotations

import math

import numpy as np
import pytest

from msp_analysis import ValidationError, expected, sample_scenario
from msp_analysis.decisions.uncertainty import default_ranges, input_groups, input_ranges, threshold, uncertainty
from msp_analysis.decisions.value_of_information import evpi, evppi, sobol_indices
from msp_analysis.engine.batch import expected_totals

# The price per user moves the decision across break-even; the loaded cost of an hour moves it less.
PRICE, COST = "msp.per_user_monthly", "organization.loaded_hourly_cost"
FLIPPING = {PRICE: (120.0, 260.0), COST: (50.0, 110.0)}
ONLY = list(FLIPPING)  # the assumptions table gives ranges to many more; these tests vary only these


def test_batch_equals_expected_on_each_input_set(sample):
    rng = np.random.default_rng(3)
    n = 6
    changes = {
        COST: rng.uniform(40, 120, n),
        "incidents.p3.work_median_hours": rng.uniform(0.5, 1.2, n),
        "incidents.p3.work_p90_hours": rng.uniform(2.5, 4.0, n),
        "msp.prevented_share.p2": rng.uniform(0.0, 0.5, n),
        "security.severity_median": rng.uniform(5e3, 5e4, n),
        "organization.users": rng.integers(10, 80, n),
    }
    totals = expected_totals(sample, changes)
    for i in range(n):
        e = expected(sample.replace({p: v[i].item() for p, v in changes.items()})).loc["total_cost"]
        assert totals[i, 0] == pytest.approx(e["break_fix"], rel=1e-9)
        assert totals[i, 1] == pytest.approx(e["msp"], rel=1e-9)


def test_batch_names_the_path_and_the_input_set(sample):
    with pytest.raises(ValidationError, match=r"msp\.sla_adherence.*input set 1"):
        expected_totals(sample, {"msp.sla_adherence": [0.9, 1.5]})


@pytest.fixture(scope="module")
def flipping():
    return uncertainty(sample_scenario(), n=1_500, seed=11, inputs=ONLY, ranges=FLIPPING)


def test_savings_sign_and_probability(flipping):
    s = flipping.savings
    assert len(s) == 1_500
    assert flipping.prob_msp_better == pytest.approx(float((s > 0).mean()))
    assert 0.05 < flipping.prob_msp_better < 0.95  # the ranges straddle break-even
    assert (flipping.totals["break_fix"] - flipping.totals["msp"]).equals(s.rename(None))
    summary = flipping.summary()["value"]
    assert summary["EVPI"] == pytest.approx(flipping.evpi)


def test_evpi_bounds_each_evppi_which_is_not_negative(flipping):
    table = flipping.evppi()
    assert list(table["path"]) == [PRICE, COST]  # the price decides more than the hour's cost
    assert (table["evppi"] >= 0).all()
    assert (table["evppi"] <= flipping.evpi * (1 + 1e-9) + 3 * table["se"]).all()
    assert table["evppi"].is_monotonic_decreasing


def test_an_input_that_cannot_change_the_decision_is_worth_nothing(sample):
    # vCIO hours do not enter one year's expected cost: knowing them changes nothing.
    vcio = "msp.vcio_hours_per_year"
    u = uncertainty(sample, n=1_000, seed=2, inputs=[*ONLY, vcio], ranges={**FLIPPING, vcio: (2.0, 40.0)})
    row = u.evppi().set_index("path").loc[vcio]
    assert row["evppi"] <= max(3 * row["se"], 0.02 * u.evpi)


def test_single_uncertain_input_evppi_equals_evpi(sample):
    u = uncertainty(sample, n=2_000, seed=5, inputs=[PRICE], ranges=FLIPPING)
    assert u.evpi > 100
    assert u.evppi().loc[0, "evppi"] == pytest.approx(u.evpi, rel=0.02)


def test_evppi_agrees_with_nested_monte_carlo(sample):
    """Regression EVPPI of the price against a nested Monte Carlo (outer: the price; inner: the rest)."""
    u = uncertainty(sample, n=2_000, seed=7, inputs=ONLY, ranges=FLIPPING)
    est = u.evppi(seed=1).set_index("path").loc[PRICE]
    price, cost = (r for r in u.ranges)  # declaration order of FLIPPING
    outer, inner = 40, 60
    rng = np.random.default_rng(8)
    xs = price.ppf((np.arange(outer) + rng.uniform(size=outer)) / outer)
    ys = cost.ppf(rng.uniform(size=inner))
    changes = {PRICE: np.repeat(xs, inner), COST: np.tile(ys, outer)}
    t = expected_totals(sample, changes)
    s = (t[:, 0] - t[:, 1]).reshape(outer, inner)
    g = s.mean(axis=1)
    nested = np.maximum(g, 0).mean() - max(s.mean(), 0)
    se_nested = np.maximum(g, 0).std(ddof=1) / math.sqrt(outer) + s.std() / math.sqrt(outer * inner)
    assert abs(est["evppi"] - nested) <= 3 * math.hypot(est["se"], se_nested)


def test_evppi_of_a_pure_function_matches_its_closed_form():
    # saving = x + y with x, y standard normal: E[saving | x] = x, EVPPI(x) = E[max(x, 0)] = 1/sqrt(2 pi).
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=20_000), rng.normal(size=20_000)
    est = evppi(x, x + y, rng=1)
    assert abs(est.value - 1 / math.sqrt(2 * math.pi)) <= 3 * est.standard_error + 0.01
    assert evpi(x + y) >= est.value


def test_sobol_on_ishigami_matches_the_known_indices():
    a, b = 7.0, 0.1

    def ishigami(v):
        return np.sin(v[:, 0]) + a * np.sin(v[:, 1]) ** 2 + b * v[:, 2] ** 4 * np.sin(v[:, 0])

    var = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    first = np.array([v1, v2, 0.0]) / var
    total = np.array([v1 + v13, v2, v13]) / var
    res = sobol_indices(ishigami, [lambda u: -np.pi + 2 * np.pi * u] * 3, 8192, rng=4)
    assert np.all(np.abs(res.first - first) <= np.maximum(res.first_conf, 0.01) + 0.01)
    assert np.all(np.abs(res.total - total) <= np.maximum(res.total_conf, 0.01) + 0.01)
    assert res.evaluations == 8192 * 5


def test_sobol_of_the_saving_ranks_the_price_first(flipping):
    table = flipping.sobol(128, seed=3, n_boot=50)
    assert table.loc[0, "path"] == PRICE
    assert table.attrs["evaluations"] == 128 * 4
    assert (table["total"] >= -0.05).all()


@pytest.mark.parametrize(
    ("ranges", "path", "expect"),
    [
        ({"msp.sla_adherence": (0.9, 0.8)}, "msp.sla_adherence", "low <= high"),
        ({"msp.sla_adherence": (0.5, 1.2)}, "msp.sla_adherence", r"\[0, 1\]"),
        ({"msp.no_such_field": (1, 2)}, "msp.no_such_field", "a field of the scenario"),
        ({"organization.compliance": (1, 2)}, "organization.compliance", "numeric"),
        ({PRICE: (100, float("nan"))}, PRICE, "finite number"),
        ({PRICE: 120}, PRICE, "pair"),
        ({"incidents.p3.work_p90_hours": (0.2, 0.7)}, "incidents.p3.work_p90_hours", "above its median"),
    ],
)
def test_invalid_ranges_name_the_path(sample, ranges, path, expect):
    with pytest.raises(ValidationError, match=expect) as info:
        uncertainty(sample, n=10, ranges=ranges)
    assert info.value.path == path


def test_inputs_need_a_range(sample):
    with pytest.raises(ValidationError, match="90% interval") as info:
        uncertainty(sample, n=10, inputs=["organization.users"], ranges={PRICE: (100, 150)})
    assert info.value.path == "organization.users"


def test_inputs_limit_what_varies(sample):
    u = uncertainty(sample, n=50, seed=1, inputs=[COST], ranges=FLIPPING)
    assert [r.path for r in u.ranges] == [COST]
    assert list(u.draws.columns) == [COST]


def test_same_seed_same_numbers_and_a_new_seed_new_ones(sample):
    a = uncertainty(sample, n=64, seed=9, inputs=ONLY, ranges=FLIPPING)
    b = uncertainty(sample, n=64, seed=9, inputs=ONLY, ranges=FLIPPING)
    c = uncertainty(sample, n=64, seed=10, inputs=ONLY, ranges=FLIPPING)
    assert a.savings.equals(b.savings)
    assert not a.savings.equals(c.savings)


def test_distributions_hold_their_interval_and_stay_valid(sample):
    ranges = {
        "msp.sla_adherence": (0.7, 0.95),  # a share: logit-normal
        "security.severity_median": (5e3, 6e4),  # an amount: lognormal
        "security.severity_p90": (8e4, 1e6),  # drawn as a ratio above the median
        "incidents.p3.work_median_hours": (0.5, 1.0),  # its p90 follows
    }
    u = uncertainty(sample, n=2_000, seed=3, inputs=list(ranges), ranges=ranges)
    kinds = {r.path: r.kind for r in input_ranges(sample, inputs=list(ranges), ranges=ranges)}
    assert kinds["msp.sla_adherence"] == "logit-normal"
    assert kinds["security.severity_median"] == "lognormal"
    assert kinds["security.severity_p90"] == "p90 ratio"
    for path in ("msp.sla_adherence", "security.severity_median", "incidents.p3.work_median_hours"):
        lo, hi = ranges[path]
        inside = u.draws[path].between(lo, hi).mean()
        assert inside == pytest.approx(0.90, abs=0.015), path
    assert (u.draws["security.severity_p90"] > u.draws["security.severity_median"]).all()
    assert (u.draws["incidents.p3.work_p90_hours"] > u.draws["incidents.p3.work_median_hours"]).all()
    assert u.draws["msp.sla_adherence"].between(0, 1, inclusive="neither").all()


def test_acceptability_falls_with_the_price(flipping):
    curve = flipping.acceptability(PRICE, [100, 150, 200, 250, 300])
    assert curve["prob_msp_better"].is_monotonic_decreasing
    assert curve["prob_msp_better"].iloc[0] > 0.9 > curve["prob_msp_better"].iloc[-1]
    price = threshold(curve, 0.9)
    assert 100 < price < 300
    with pytest.raises(ValidationError, match=PRICE.replace(".", r"\.")):
        flipping.acceptability(PRICE, [-5])


def test_nothing_varies_without_ranges(sample):
    u = uncertainty(sample, n=8, seed=1, inputs=[PRICE], ranges={PRICE: (125.0, 125.0)})
    assert u.ranges == ()
    assert u.evpi == 0.0
    assert u.savings.nunique() == 1


def test_by_default_the_tables_ranges_vary_and_the_clients_own_values_do_not(sample):
    table = default_ranges(sample)
    assert table[COST] == (50.0, 110.0)
    assert "organization.users" not in table  # a client fact: no range in the table
    client = sample.replace({COST: 92.0})  # the client's own figure
    assert COST not in default_ranges(client)
    assert COST in {r.path for r in input_ranges(client, ranges={COST: (80.0, 100.0)})}  # unless named
    u = uncertainty(client, n=200, seed=1)
    assert COST not in u.draws.columns
    assert len(u.ranges) == len(default_ranges(client))


def test_group_evppi_of_every_input_approaches_evpi_and_bounds_each_member(flipping):
    table = flipping.evppi_groups({"both": ONLY, "price": [PRICE]}).set_index("group")
    single = flipping.evppi().set_index("path").loc[PRICE, "evppi"]
    assert table.loc["both", "evppi"] == pytest.approx(flipping.evpi, rel=0.05)
    assert table.loc["price", "evppi"] == pytest.approx(single, rel=0.05)
    assert table.loc["both", "evppi"] >= table.loc["price", "evppi"] - 2 * table.loc["both", "se"]


def test_groups_cover_every_varying_input_once(sample):
    u = uncertainty(sample, n=400, seed=1)
    groups = input_groups(u.ranges)
    members = [p for paths in groups.values() for p in paths]
    assert sorted(members) == sorted(r.path for r in u.ranges)
    assert "other" not in groups
    with pytest.raises(ValidationError, match="varying input"):
        u.evppi_groups({"nonsense": ["organization.users"]})


def test_charts_say_what_they_show(flipping):
    from matplotlib.figure import Figure

    from msp_analysis.present.charts.uncertainty import plot_acceptability, plot_evppi, plot_expected_savings_draws

    title = plot_expected_savings_draws(flipping, ax=Figure().add_subplot()).get_title()
    assert f"{flipping.prob_msp_better:.0%}" in title
    table = flipping.evppi()
    assert "price per user" in plot_evppi(table, flipping.evpi, ax=Figure().add_subplot()).get_title().lower()
    nothing = table.assign(evppi=0.0)
    assert "No single input" in plot_evppi(nothing, 0.0, ax=Figure().add_subplot()).get_title()
    curve = flipping.acceptability(PRICE, [100, 200, 300])
    assert curve.attrs["path"] == PRICE
    assert "sure" in plot_acceptability(curve, ax=Figure().add_subplot()).get_title()


def test_without_a_seed_the_entropy_is_kept_so_the_draws_can_be_made_again(sample):
    a = uncertainty(sample, n=32, inputs=ONLY, ranges=FLIPPING)
    assert isinstance(a.seed, int)
    assert uncertainty(sample, n=32, seed=a.seed, inputs=ONLY, ranges=FLIPPING).savings.equals(a.savings)


def test_too_few_draws_or_an_unbalanced_design_are_named(flipping, sample):
    small = uncertainty(sample, n=20, seed=1, inputs=ONLY, ranges=FLIPPING)
    with pytest.raises(ValidationError, match="at least 48 draws"):
        small.evppi()
    with pytest.raises(ValidationError, match="power of two") as info:
        flipping.sobol(100)
    assert info.value.path == "n_base"


def test_draws_are_centred_on_the_scenarios_value_with_the_ends_at_5_and_95_percent(sample):
    """The point answer's figure is the draws' median; a p90 honours its own interval (review, 2026-12-08)."""
    paths = {
        "msp.sla_adherence": (0.7, 0.98),  # share, value 0.85 off the interval's middle
        "msp.per_user_monthly": (90.0, 250.0),  # amount, value 125: a centred lognormal would have median 150
        "break_fix.response_median_hours.p2": (2.0, 5.0),  # value 3: below every p90 but the lowest
        "break_fix.response_p90_hours.p2": (4.0, 32.0),  # p90 with its own interval, median varying too
    }
    u = uncertainty(sample, n=4_000, seed=5, inputs=list(paths), ranges=paths)
    for path, (lo, hi) in paths.items():
        q5, q50, q95 = np.quantile(u.draws[path], [0.05, 0.5, 0.95])
        assert q50 == pytest.approx(float(sample.get(path)), rel=0.03), path
        assert q5 == pytest.approx(lo, rel=0.06), path
        assert q95 == pytest.approx(hi, rel=0.06), path
    p90, median = u.draws["break_fix.response_p90_hours.p2"], u.draws["break_fix.response_median_hours.p2"]
    assert (p90 > median).all()


@pytest.mark.parametrize(
    "call, path",
    [
        (lambda s: uncertainty(s, n=200, seed="x"), "seed"),
        (lambda s: uncertainty(s, n=200, seed=1).acceptability("msp.per_user_monthly", "abc"), "msp.per_user_monthly"),
        (
            lambda s: uncertainty(s, n=200, seed=1).acceptability("msp.per_user_monthly", [100, -5]),
            "msp.per_user_monthly",
        ),
        (lambda s: uncertainty(s, n=200, seed=1).acceptability("msp.no_such_field", [100]), "msp.no_such_field"),
    ],
)
def test_bad_arguments_are_the_librarys_error_naming_the_argument(sample, call, path):
    with pytest.raises(ValidationError) as err:
        call(sample)
    assert err.value.path == path


@pytest.mark.slow
def test_on_a_dask_cluster_the_same_numbers_bit_for_bit(sample):
    """Issue 15: heavy analyses split over the cluster, in chunks, give the local run's numbers."""
    from distributed import Client, LocalCluster

    ranges = {"msp.per_user_monthly": (90.0, 250.0), "organization.loaded_hourly_cost": (50.0, 110.0)}
    local = uncertainty(sample, n=300, seed=11, ranges=ranges, inputs=list(ranges))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        spread = uncertainty(sample, n=300, seed=11, ranges=ranges, inputs=list(ranges), scheduler=client)
        assert spread.totals.equals(local.totals)
        assert spread.draws.equals(local.draws)
        pd_local, pd_spread = local.sobol(16, seed=2), spread.sobol(16, seed=2, scheduler=client)
        assert pd_spread.equals(pd_local)
        chunked = expected_totals(sample, {"msp.per_user_monthly": [100.0, 120.0, 140.0]}, scheduler=client, chunk=2)
        assert np.array_equal(chunked, expected_totals(sample, {"msp.per_user_monthly": [100.0, 120.0, 140.0]}))


def test_group_evppi_of_a_product_is_not_extrapolated_above_the_evpi():
    # The acceptance tester's case: a 500-user firm whose downtime is a product of
    # users per site, the share an incident stops and how much. The additive fit
    # ran far below every observed saving where several were low at once and put
    # the topic at three times the EVPI; the single-index second stage does not.
    s = sample_scenario().replace({"organization.users": 500, "organization.workstations": 500})
    u = uncertainty(s, n=1_000, seed=3, ranges={"organization.users_per_site": (50, 1000)})
    table = u.evppi_groups()
    assert (table["evppi"] >= 0).all()
    assert (table["evppi"] <= u.evpi * (1 + 1e-9)).all()
    assert not table["capped"].any()  # the method, not the cap, keeps it below


def test_evppi_of_a_product_stays_near_its_truth_and_is_capped_at_the_evpi():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4_000, 4))
    g = 3.0 - np.exp(z[:, 0] + z[:, 1] + z[:, 2])  # E[saving | z0, z1, z2]
    saving = g + 0.5 * z[:, 3]
    truth = np.maximum(g, 0).mean() - max(g.mean(), 0)
    est = evppi(z[:, :3], saving, knots=6, rng=1)
    assert est.value <= evpi(saving)
    assert abs(est.value - truth) <= 3 * est.standard_error + 0.02 * truth


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_shown_evppi_lies_between_zero_and_the_evpi_for_random_scenarios(seed):
    rng = np.random.default_rng(seed)
    users = int(rng.integers(1, 3_000))
    s = sample_scenario().replace(
        {
            "organization.users": users,
            "organization.workstations": users,
            "msp.per_user_monthly": float(rng.uniform(60, 250)),
            "organization.loaded_hourly_cost": float(rng.uniform(20, 150)),
        }
    )
    u = uncertainty(s, n=1_000, seed=seed, ranges={"organization.users_per_site": (5, 1000)})
    for table in (u.evppi(), u.evppi_groups()):
        assert (table["evppi"] >= 0).all()
        assert (table["evppi"] <= u.evpi * (1 + 1e-9) + 1e-9).all()


@pytest.mark.parametrize(
    ("values", "said"),
    [
        (100.0, r"got 100\.0, expected a 1-D sequence of n values, one per input set, not a single number"),
        (np.ones((2, 2)), r"got 'a 2-D array of shape \(2, 2\)', expected a 1-D sequence of n values"),
    ],
)
def test_batch_says_what_was_given_when_it_is_not_one_value_per_input_set(sample, values, said):
    # Both used to say "expected one value per input set (None of them)".
    with pytest.raises(ValidationError, match=rf"^msp\.per_user_monthly: {said}"):
        expected_totals(sample, {"msp.per_user_monthly": values})
