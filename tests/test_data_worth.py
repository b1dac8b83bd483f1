"""What a ticket history was worth: realised value, EVSI of incident counts, the prices a client can be sure at."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from msp_analysis import sample_scenario, uncertainty
from msp_analysis.decisions.data_worth import SUBSCRIPTION, evsi_of_counts, realised_value, sure_prices, sure_shares
from msp_analysis.engine.batch import expected_totals


def _brute_realised(before: np.ndarray, after: np.ndarray) -> float:
    """The definition, spelt out: the mean saving (under the after-draws) of each choice, with minus without."""
    gain = {"MSP": float(np.mean(after)), "Break/Fix": 0.0}
    without = "MSP" if before.mean() > 0 else "Break/Fix"
    with_data = max(gain, key=lambda k: (gain[k], k == without))  # a tie keeps the choice
    return gain[with_data] - gain[without]


@pytest.mark.parametrize("seed", range(20))
def test_the_realised_value_is_the_definition_and_never_negative(seed):
    rng = np.random.default_rng(seed)
    before = rng.normal(rng.normal(0, 3), 5, size=50)
    after = rng.normal(rng.normal(0, 3), 2, size=40)
    value = realised_value(before, after)
    assert value >= 0.0
    assert value == pytest.approx(_brute_realised(before, after), abs=1e-12)


def test_the_realised_value_is_zero_when_the_data_confirm_the_choice():
    assert realised_value([10.0, -1.0], [0.5, 0.1]) == 0.0  # the MSP before and after, however close
    assert realised_value([-10.0, 1.0], [-0.5, -9.0]) == 0.0  # Break/Fix before and after


def test_the_realised_value_rejects_what_is_not_a_set_of_draws():
    with pytest.raises(ValueError, match="saving_after"):
        realised_value([1.0], [])
    with pytest.raises(ValueError, match="saving_before"):
        realised_value([np.nan], [1.0])


def _exact_evsi(alpha: float, beta: float, exposure: float, a: float, c: float) -> float:
    """EVSI of a Poisson count over ``exposure`` for a Gamma(alpha, rate beta) rate, saving a * (rate - c).

    Conjugate: the count is negative binomial a priori and E[rate | N] = (alpha + N) / (beta + exposure).
    """
    n = np.arange(0, 2_000)
    pmf = stats.nbinom.pmf(n, alpha, beta / (beta + exposure))
    posterior = a * ((alpha + n) / (beta + exposure) - c)
    return float(np.sum(pmf * np.maximum(posterior, 0.0)) - max(a * (alpha / beta - c), 0.0))


@pytest.mark.parametrize("exposure", [0.5, 3.0, 20.0])
def test_the_evsi_of_counts_matches_the_conjugate_answer(exposure):
    alpha, beta, a, c = 4.0, 4.0, 1_000.0, 0.9
    rng = np.random.default_rng(11)
    rate = rng.gamma(alpha, 1 / beta, 40_000)
    exact = _exact_evsi(alpha, beta, exposure, a, c)
    est = evsi_of_counts(rate, exposure, a * (rate - c), rng=3)
    assert exact > 1.0  # the case is one where the data can change the choice
    assert est.value == pytest.approx(exact, rel=0.08, abs=3 * est.standard_error)


def test_the_evsi_is_zero_when_no_count_could_change_the_choice():
    rng = np.random.default_rng(5)
    rate = rng.gamma(4.0, 0.25, 5_000)
    est = evsi_of_counts(rate, 10.0, 50.0 + rate, rng=1)  # the MSP is better whatever the rate
    assert est.value == 0.0


def test_the_evsi_rejects_a_history_of_no_length():
    with pytest.raises(ValueError, match="exposure"):
        evsi_of_counts([1.0, 2.0], 0.0, [1.0, -1.0])


def test_the_sure_prices_are_where_the_acceptability_curve_crosses():
    """Brute force: re-price every draw just below and just above each price (as the acceptability curve does)."""
    s = sample_scenario()
    inputs = ["msp.per_user_monthly", "organization.loaded_hourly_cost", "incidents.p3.rate_per_user_year"]
    u = uncertainty(s, n=200, seed=4, inputs=inputs)
    prices = sure_prices(u, (0.8, 0.9), draws=200)
    assert 0 < prices[0.9] < prices[0.8]
    for level, price in prices.items():
        curve = u.acceptability("msp.per_user_monthly", [price - 0.5, price + 0.5])
        below, above = curve["prob_msp_better"]
        assert below >= level - 1 / 200 and above <= level + 1 / 200


def test_a_level_no_price_reaches_is_nan():
    s = sample_scenario().replace({"msp.flat_monthly": 50_000.0})  # even free per user, the MSP costs more
    u = uncertainty(s, n=50, seed=1, inputs=["organization.loaded_hourly_cost"])
    assert u.prob_msp_better == 0.0
    assert np.isnan(sure_prices(u, (0.9,), draws=50)[0.9])


def _grid_sure_price(u, level, grid):
    """Brute force: the highest grid price at which P(MSP better) is still at least ``level`` (nan if none)."""
    curve = u.acceptability("msp.per_user_monthly", grid)
    ok = curve.loc[curve["prob_msp_better"] >= level, "value"]
    return float(ok.max()) if len(ok) else float("nan")


def test_when_the_monthly_minimum_binds_no_price_makes_the_client_sure():
    # The tester's case: one user, no servers; below the $799 minimum the price per
    # user changes nothing, so P(MSP better) is 0.004 at every price from $0 to $140.
    # The secant kept its second point as a "root" and answered $140.40.
    s = sample_scenario().replace({"organization.users": 1, "organization.workstations": 1, "organization.servers": 0})
    u = uncertainty(s, n=300, seed=1)
    prices = sure_prices(u, (0.8, 0.9), draws=300)
    grid = np.linspace(0.0, 1_000.0, 21)
    for level in (0.8, 0.9):
        assert np.isnan(_grid_sure_price(u, level, grid))
        assert np.isnan(prices[level])


@pytest.mark.parametrize("minimum", [0.0, 3_000.0, 6_000.0])
def test_the_sure_prices_agree_with_a_grid_whether_or_not_the_minimum_binds(minimum):
    s = sample_scenario().replace({"msp.monthly_minimum": minimum})
    inputs = ["msp.per_user_monthly", "organization.loaded_hourly_cost", "incidents.p3.rate_per_user_year"]
    u = uncertainty(s, n=200, seed=4, inputs=inputs)
    prices = sure_prices(u, (0.8, 0.9), draws=200)
    grid = np.arange(0.0, 400.0, 2.0)
    for level, price in prices.items():
        brute = _grid_sure_price(u, level, grid)
        if np.isnan(brute):
            assert np.isnan(price)
        else:
            assert brute - 2.0 - 1e-6 <= price <= brute + 2.0 + 1e-6


def _history(scenario, months=24, seed=7):
    from msp_analysis import calibrate
    from msp_analysis.ingest.synthetic import simulate_tickets

    base = sample_scenario()
    return calibrate(simulate_tickets(scenario, months=months, seed=seed), users=45, scenario=base, level=0.9)


def test_a_history_that_flips_the_choice_is_worth_the_saving_it_secures():
    from msp_analysis.decisions.data_worth import history_worth

    s = sample_scenario()
    # The firm really has a quarter of the incidents the table assumes: its tickets say so.
    quiet = s.replace(
        {f"incidents.{p}.rate_per_user_year": s.incidents[p].rate_per_user_year / 4 for p in ("p1", "p2", "p3", "p4")}
    )
    w = history_worth(s, _history(quiet), n=600, seed=2)
    assert w.before.savings.mean() > 0 > w.after.savings.mean()
    assert w.changed_choice and w.choice_after == "Break/Fix"
    assert w.realised == pytest.approx(-w.after.savings.mean())
    assert w.after.scenario.organization.users == s.organization.users
    assert w.tickets > 0 and w.years == pytest.approx(2.0, abs=0.05)  # first ticket to last


def test_a_history_that_confirms_the_choice_changed_nothing_and_was_worth_zero():
    from msp_analysis.decisions.data_worth import history_worth

    s = sample_scenario()
    w = history_worth(s, _history(s), n=600, seed=2)
    assert not w.changed_choice and w.realised == 0.0
    # Before it was seen, the same history could have changed the choice: worth something, at most the rates' EVPPI.
    assert 0.0 < w.expected < w.evpi_before
    assert w.evpi_after == w.after.evpi and w.evpi_before == w.before.evpi


@pytest.mark.parametrize(
    "quote",
    [
        {"msp.per_user_monthly": 0.0, "msp.per_workstation_monthly": 120.0},
        {"msp.per_user_monthly": 0.0, "msp.per_server_monthly": 0.0, "msp.flat_monthly": 6_000.0},
    ],
)
def test_the_sure_share_of_a_quote_with_no_per_user_price_agrees_with_a_grid(quote):
    # A per-workstation or flat quote has no per-user price to move: the line said
    # "not 80% sure at any price" though the client was 97% sure at half the quote.
    s = sample_scenario().replace(quote)
    u = uncertainty(s, n=200, seed=4)
    shares = sure_shares(u, (0.8, 0.9), draws=200)
    assert 0 < shares[0.9] < shares[0.8]
    grid = np.arange(0.0, 2.0, 0.02)
    changes = {c: np.repeat(u.draws[c].to_numpy(), grid.size) for c in u.draws.columns if c not in SUBSCRIPTION}
    for path in SUBSCRIPTION:
        base = u.draws[path].to_numpy() if path in u.draws else np.full(len(u.draws), float(s.get(path)))
        changes[path] = np.outer(base, grid).ravel()
    t = expected_totals(s, changes)
    prob = ((t[:, 0] - t[:, 1]) > 0).reshape(len(u.draws), grid.size).mean(axis=0)
    for level, share in shares.items():
        brute = float(grid[prob >= level].max())
        assert brute - 0.02 - 1e-9 <= share <= brute + 0.02 + 1e-9
