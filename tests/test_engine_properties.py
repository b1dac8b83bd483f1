"""Engine properties beyond the per-scenario equivalence tests.

- Security attacks drawn by group (large organisations) and one by one (small
  ones) are the same distribution, jointly for both models, and the batching
  that bounds memory changes no number.
- Chunked runs (bounded memory) draw the same distribution as single-chunk
  runs, are assembled in order, and keep peak memory near one chunk's.
- The progress bar appears for multi-chunk runs only, unless asked for.
- The fast engine matches the per-incident reference on every simulated
  column (not only the cost columns) for random scenarios, and where the
  security attacks are drawn by group.

Statistical checks use fixed seeds: a failure is a finding and replays exactly.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from scipy import stats

import msp_analysis.engine.simulation as sim
import msp_analysis.model.security as security
from msp_analysis import COLUMNS, MODELS, sample_scenario
from msp_analysis.engine.simulation import simulate_raw

from .helpers import scenarios
from .reference_engine import reference_simulate

SECURITY_COLUMNS = ("security_incidents", "security_loss", "security_downtime_hours")


def _ks(a, b) -> float:
    return stats.ks_2samp(a, b).pvalue


def _security(scenario, trials, seed, grouped: bool, monkeypatch):
    threshold = 0.0 if grouped else np.inf
    monkeypatch.setattr(security, "AGGREGATE_MIN_ATTACKS", threshold)
    return security.simulate_security(scenario, trials, np.random.default_rng(seed))


# Scenarios where attacks are many: Break/Fix patches slower (the MSP suffers a
# subset), both patch alike (no extra group), the MSP patches slower (Break/Fix
# suffers a subset), and a regime with fines.
SECURITY_CASES = {
    "msp_patches_faster": {"organization.users": 300, "security.base_rate_per_user_year": 0.1},
    "same_patching": {
        "organization.users": 300,
        "security.base_rate_per_user_year": 0.1,
        "break_fix.patch_latency_days": 7.0,
    },
    "msp_patches_slower": {
        "organization.users": 300,
        "security.base_rate_per_user_year": 0.1,
        "break_fix.patch_latency_days": 3.0,
        "msp.patch_latency_days": 20.0,
    },
    "hipaa_fines": {
        "organization.users": 200,
        "organization.compliance": "hipaa",
        "security.base_rate_per_user_year": 0.2,
    },
}


@pytest.mark.parametrize("case", list(SECURITY_CASES))
def test_grouped_attacks_match_attack_by_attack(case, monkeypatch):
    s = sample_scenario().replace(SECURITY_CASES[case])
    grouped = _security(s, 20_000, 1, True, monkeypatch)
    single = _security(s, 20_000, 2, False, monkeypatch)
    for m in MODELS:
        for col in SECURITY_COLUMNS:
            assert _ks(grouped[m][col], single[m][col]) > 1e-3, (case, m, col)
    # The joint distribution: the per-year difference between the models.
    diff = {k: r["break_fix"]["security_loss"] - r["msp"]["security_loss"] for k, r in (("g", grouped), ("s", single))}
    assert _ks(diff["g"], diff["s"]) > 1e-3
    # Common random numbers: the model with the lower rate suffers a subset of the attacks.
    rates = {m: security.security_profile(s, m).rate for m in MODELS}
    low, high = sorted(MODELS, key=rates.get)
    assert (grouped[low]["security_incidents"] <= grouped[high]["security_incidents"]).all()
    if rates[low] == rates[high]:
        for col in SECURITY_COLUMNS[::2]:  # same attacks, same counts and outages
            np.testing.assert_array_equal(grouped["msp"][col], grouped["break_fix"][col])


def test_many_attacks_are_drawn_by_group_and_few_one_by_one(monkeypatch):
    """The switch is by expected attacks a year; small firms keep the attack-by-attack stream."""
    small = sample_scenario()
    large = small.replace({"organization.users": 50_000})
    assert security.security_profile(small, "break_fix").rate < security.AGGREGATE_MIN_ATTACKS
    assert security.security_profile(large, "break_fix").rate >= security.AGGREGATE_MIN_ATTACKS
    calls = []
    monkeypatch.setattr(security, "_by_group", lambda *a: calls.append("group") or {})
    monkeypatch.setattr(security, "_per_attack", lambda *a: calls.append("attack") or {})
    security.simulate_security(small, 10, np.random.default_rng(0))
    security.simulate_security(large, 10, np.random.default_rng(0))
    assert calls == ["attack", "group"]


@pytest.mark.parametrize("batch", [1, 7, 1_000])
def test_event_batches_change_no_number(batch, monkeypatch):
    """Batching the severity draws bounds memory; the draws and per-year sums are the same bit for bit."""
    s = sample_scenario().replace({"organization.users": 40_000, "organization.compliance": "pci"})
    whole = security.simulate_security(s, 300, np.random.default_rng(5))
    monkeypatch.setattr(security, "EVENT_BATCH", batch)
    batched = security.simulate_security(s, 300, np.random.default_rng(5))
    for m in MODELS:
        for col in SECURITY_COLUMNS:
            np.testing.assert_array_equal(batched[m][col], whole[m][col])


def test_sum_of_draws_handles_empty_and_oversized_trials(monkeypatch):
    monkeypatch.setattr(security, "EVENT_BATCH", 4)
    counts = np.array([0, 0, 9, 0, 1, 3, 0, 0])
    got = security._sum_of_draws(counts, lambda n, rng: np.ones(n), np.random.default_rng(0))
    np.testing.assert_array_equal(got, counts.astype(float))
    assert security._sum_of_draws(np.zeros(5, dtype=int), None, None).tolist() == [0.0] * 5


def test_chunked_runs_draw_the_same_distribution(monkeypatch):
    s = sample_scenario().replace({"organization.users": 120, "organization.compliance": "gdpr"})
    single = simulate_raw(s, 20_000, seed=1, progress=False)
    monkeypatch.setattr(sim, "CHUNK_TRIALS", 1_500)  # 14 chunks, the last one short
    chunked = simulate_raw(s, 20_000, seed=2, progress=False)
    for m in MODELS:
        assert set(chunked[m]) == set(single[m])
        assert chunked[m]["total_cost"].shape == (20_000,)
        for col in ("fees", "downtime_hours", "security_loss", "total_cost", "incidents"):
            assert _ks(chunked[m][col], single[m][col]) > 1e-3, (m, col)


def test_chunks_are_independent_streams_assembled_in_order(monkeypatch):
    """Chunk k is exactly a run on the k-th seed spawned from the root, so chunking is reproducible."""
    s = sample_scenario()
    monkeypatch.setattr(sim, "CHUNK_TRIALS", 1_000)
    whole = simulate_raw(s, 2_500, seed=42, progress=False)
    seeds = np.random.SeedSequence(42).spawn(3)
    for k, (start, size) in enumerate([(0, 1_000), (1_000, 1_000), (2_000, 500)]):
        part = sim._simulate_chunk(s, size, seeds[k])
        for m in MODELS:
            np.testing.assert_array_equal(whole[m]["total_cost"][start : start + size], part[m]["total_cost"])
    assert not np.array_equal(whole["msp"]["total_cost"][:500], whole["msp"]["total_cost"][1_000:1_500])


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_chunking_bounds_working_memory(monkeypatch):
    """Peak memory of a run is the result plus one chunk's working arrays, not all trials' at once."""
    s = sample_scenario().replace({"organization.users": 1_000})
    trials = 40_000
    monkeypatch.setattr(sim, "CHUNK_TRIALS", trials)
    one_chunk = _peak_bytes(lambda: simulate_raw(s, trials, seed=1, progress=False))
    monkeypatch.setattr(sim, "CHUNK_TRIALS", trials // 8)
    eight_chunks = _peak_bytes(lambda: simulate_raw(s, trials, seed=1, progress=False))
    result = trials * 8 * sum(len(simulate_raw(s, 1, seed=1)[m]) for m in MODELS)
    # The chunked run holds the parts and their concatenation (2 x result) plus one
    # small chunk's work; the single chunk holds every trial's working arrays.
    assert eight_chunks < 0.5 * one_chunk
    assert eight_chunks < 3 * result


def test_progress_bar_only_for_multi_chunk_runs(monkeypatch, capsys):
    s = sample_scenario()
    monkeypatch.setattr(sim, "CHUNK_TRIALS", 1_000)
    simulate_raw(s, 1_000, seed=1)  # one chunk: quiet
    assert "simulating" not in capsys.readouterr().err
    simulate_raw(s, 2_500, seed=1)  # three chunks: a bar by default
    err = capsys.readouterr().err
    assert "simulating 2,500 years" in err and "/3 [" in err  # one step per chunk
    simulate_raw(s, 2_500, seed=1, progress=False)
    assert "simulating" not in capsys.readouterr().err
    simulate_raw(s, 500, seed=1, progress=True)  # asked for
    assert "simulating 500 years" in capsys.readouterr().err


def _assert_same_distribution(fast, ref, columns, label, alpha=1e-3):
    for m in MODELS:
        for col in columns:
            a, b = fast[m][col], ref[m][col]
            if np.ptp(a) == 0 and np.ptp(b) == 0:
                assert a[0] == pytest.approx(b[0], rel=1e-9, abs=1e-9), (label, m, col)
                continue
            assert _ks(a, b) > alpha, f"{label}: {m}.{col}"


@pytest.mark.slow
def test_grouped_security_matches_the_reference_engine():
    """Security drawn by group against the reference's attack-by-attack code, with a regime's fines."""
    s = sample_scenario().replace(
        {
            "organization.users": 150,
            "organization.compliance": "hipaa",
            "security.base_rate_per_user_year": 0.3,
            **{f"incidents.{p}.rate_per_user_year": 0.01 for p in ("p1", "p2", "p3", "p4")},
        }
    )
    assert security.security_profile(s, "break_fix").rate >= security.AGGREGATE_MIN_ATTACKS
    fast = simulate_raw(s, 20_000, seed=11, progress=False)
    ref = reference_simulate(s, 20_000, seed=12)
    _assert_same_distribution(fast, ref, COLUMNS, "grouped security")


@pytest.mark.slow
@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(min_users=1, max_users=60))
def test_random_scenarios_match_reference_on_every_column(scenario):
    """KS on every column, MSP and billing parameters drawn at random (test_equivalence varies size and billing)."""
    fast = simulate_raw(scenario, 8_000, seed=21, progress=False)
    ref = reference_simulate(scenario, 8_000, seed=22)
    # 10 scenarios x 2 models x 10 columns: a stricter level keeps false alarms rare.
    _assert_same_distribution(fast, ref, COLUMNS, str(scenario.to_dict()), alpha=1e-4)
