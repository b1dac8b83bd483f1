"""Benchmarks of issues 7, 13, 14, 15 and 16: run them, print a table, write ``benchmarks/RESULTS.md``.

``make bench`` installs ``benchmarks/requirements-bench.txt`` (pyfair) into
``.venv`` and runs this file. Every benchmark is timed with
``time.perf_counter`` after a warm-up; the figure reported is the median of
several runs (the count is stated), and ratios come from runs interleaved in
the same process (see ``timing.py``).

Usage::

    python benchmarks/run.py                 # everything; writes benchmarks/RESULTS.md
    python benchmarks/run.py --only 1,3      # some of them (prints; writes only with --output)
    python benchmarks/run.py --quick         # smaller runs, a smoke test (prints only)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT)):  # helpers here; tests.reference_engine from the repository root
    if p not in sys.path:
        sys.path.insert(0, p)

import event_log  # noqa: E402
import fair  # noqa: E402
import interactive  # noqa: E402
import latency  # noqa: E402
import machine  # noqa: E402
import numpy as np  # noqa: E402
import portfolio  # noqa: E402
from timing import fmt_ms, side_by_side, summary  # noqa: E402

RESULTS = HERE / "RESULTS.md"


@dataclass
class Config:
    quick: bool = False

    def pick(self, full, quick):
        return quick if self.quick else full


@dataclass
class Result:
    number: int
    title: str
    measured: str = ""
    goal: str = ""
    status: str = "n/a"  # met | missed | n/a | error | not yet available
    details: list[str] = field(default_factory=list)


def firm(users: int):
    """The sample organisation at another headcount, devices scaled with it."""
    from msp_analysis import sample_scenario

    return sample_scenario().replace(
        {
            "organization.users": users,
            "organization.workstations": round(users * 50 / 45),
            "organization.servers": max(1, round(users * 3 / 45)),
        }
    )


def _incidents_a_year(s) -> float:
    return s.incidents.total_rate_per_user_year() * s.organization.users


def _attacks_a_year(s) -> float:
    from msp_analysis.model.security import security_profile

    return max(security_profile(s, m).rate for m in ("break_fix", "msp"))


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


# -- 1. cost against headcount -----------------------------------------------------------------


def bench_scaling(cfg: Config) -> Result:
    from msp_analysis import simulate

    trials = 10_000
    repeats = cfg.pick(7, 3)
    sizes = [10, 45, 1_000, 10_000]
    extra = [100_000]  # beyond the goal: the largest firms the scenario allows run too
    firms = {n: firm(n) for n in sizes + extra}
    times = side_by_side(
        {n: (lambda s=s: simulate(s, trials=trials, seed=1, progress=False)) for n, s in firms.items()},
        repeats=repeats,
    )
    stats = {n: summary(t) for n, t in times.items()}
    base = stats[45]["median_ms"]
    ratio = {n: stats[n]["median_ms"] / base for n in firms}
    r = Result(1, "simulate(), 10,000 trials, 10 to 10,000 users")
    r.measured = f"10,000 users: {fmt_ms(stats[10_000]['median_ms'])} = {ratio[10_000]:.2f}x the 45-user case"
    r.goal = "10,000 users within 2x of 45 users"
    r.status = _verdict(ratio[10_000] <= 2.0)
    r.details += [
        f"`simulate(firm(N), trials=10_000, seed=1)`; devices scaled with headcount (workstations = N x 50/45, "
        f"servers = N x 3/45); median of {repeats} interleaved runs after a warm-up.",
        "",
        "| users | incidents a year | costly attacks a year | median | p95 | ratio to 45 users |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, s in firms.items():
        note = " (beyond the goal)" if n in extra else ""
        r.details.append(
            f"| {n:,}{note} | {_incidents_a_year(s):,.0f} | {_attacks_a_year(s):,.1f} | "
            f"{fmt_ms(stats[n]['median_ms'])} | {fmt_ms(stats[n]['p95_ms'])} | {ratio[n]:.2f}x |"
        )
    headroom = 2.0 / ratio[10_000]
    r.details += [
        "",
        f"Goal: the 10,000-user case within 2x of the 45-user case: **{r.status}** "
        f"({ratio[10_000]:.2f}x; {headroom:.1f}x headroom)."
        if r.status == "met"
        else f"Goal missed: {ratio[10_000]:.2f}x against 2x ({ratio[10_000] / 2 - 1:.0%} over).",
        f"A 10,000-user firm has {_incidents_a_year(firms[10_000]) / _incidents_a_year(firms[45]):,.0f}x the "
        "45-user firm's incidents; the engine draws per-cell aggregates "
        "(Poisson counts, Gamma sums, an exact-moment billing residual), so its cost follows the trials. "
        "The small firms are not the cheapest: their cells are below the aggregation threshold and drawn "
        "incident by incident, exactly. What still grows with headcount is the lognormal severity of each "
        "costly attack (no closed form for their sum): 300 a year at 100,000 users.",
    ]
    return r


# -- 2. fast engine against the per-incident reference ------------------------------------------


def bench_reference(cfg: Config) -> Result:
    from msp_analysis.engine.simulation import simulate_raw
    from tests.reference_engine import reference_simulate

    trials = cfg.pick(10_000, 2_000)
    chunk = 1_000
    rounds = cfg.pick(3, 1)
    s = firm(1_000)

    def fast():
        return simulate_raw(s, trials, seed=1, progress=False)

    def reference():
        # In chunks of 1,000 trials: the reference holds every incident in memory
        # (10,000 x 6,270 incidents would need ~4 GB at once); its cost per
        # incident is the same either way.
        return [reference_simulate(s, min(chunk, trials - k), seed=100 + k) for k in range(0, trials, chunk)]

    fast()
    reference_simulate(s, 200, seed=0)
    times = side_by_side({"fast": fast, "reference": reference}, repeats=rounds, warmup=0)
    more_fast = side_by_side({"fast": fast}, repeats=cfg.pick(6, 2), warmup=0)["fast"]
    st_fast, st_ref = summary(times["fast"] + more_fast), summary(times["reference"])
    speedup = st_ref["median_ms"] / st_fast["median_ms"]
    incidents = _incidents_a_year(s) * trials
    r = Result(2, f"fast engine vs per-incident reference, 1,000 users, {trials:,} trials")
    r.measured = f"{speedup:,.0f}x faster ({fmt_ms(st_fast['median_ms'])} vs {fmt_ms(st_ref['median_ms'])})"
    r.goal = ">= 20x faster"
    r.status = _verdict(speedup >= 20)
    r.details += [
        f"`simulate_raw` (the engine without the pandas wrapping, as the reference returns plain arrays) against "
        f"`tests/reference_engine.reference_simulate`, {trials:,} trials of a 1,000-user firm "
        f"(~{incidents / 1e6:,.0f} M incidents, each drawn one by one by the reference, in chunks of {chunk:,} trials). "
        f"Fast engine: median of {st_fast['n']} runs; reference: median of {st_ref['n']}, interleaved.",
        "",
        "| engine | median | min | incidents simulated per second |",
        "|---|---:|---:|---:|",
        f"| fast (per-cell aggregates) | {fmt_ms(st_fast['median_ms'])} | {fmt_ms(st_fast['min_ms'])} | "
        f"{incidents / st_fast['median_ms'] / 1000:,.1f} M |",
        f"| reference (per incident) | {fmt_ms(st_ref['median_ms'])} | {fmt_ms(st_ref['min_ms'])} | "
        f"{incidents / st_ref['median_ms'] / 1000:,.1f} M |",
        "",
        f"Goal >= 20x: **{r.status}** ({speedup:,.0f}x, {speedup / 20:.1f}x the goal).",
    ]
    return r


# -- 3. FAIR against pyfair -------------------------------------------------------------------------

LEF = fair.Range(0.05, 0.135, 0.5)  # costly incidents a year: around the sample organisation's 0.135
LM = fair.Range(2_000, 16_000, 500_000)  # loss per incident: the sample's median severity, a wide tail


def _pyfair_available() -> str | None:
    try:
        import pyfair  # noqa: F401
    except Exception as e:  # any failure means the comparison cannot run
        return f"{type(e).__name__}: {e}"
    return None


def bench_fair(cfg: Config) -> Result:
    from scipy import stats as sps

    from msp_analysis.model.security import simulate_security

    trials = cfg.pick(1_000_000, 100_000)
    repeats = cfg.pick(7, 2)
    exact = fair.exact_mean(LEF, LM)
    problem = _pyfair_available()
    fns: dict[str, Callable[[], object]] = {
        "numpy, pyfair's PERT": lambda: fair.simulate_risk(LEF, LM, trials, seed=1, variant="pyfair").mean(),
        "numpy, textbook PERT": lambda: fair.simulate_risk(LEF, LM, trials, seed=2, variant="textbook").mean(),
    }
    if problem is None:
        fns = {"pyfair 0.1a13": lambda: fair.pyfair_risk(LEF, LM, trials, seed=42).mean(), **fns}
    times = side_by_side(fns, repeats=repeats)
    st = {k: summary(v) for k, v in times.items()}
    samples = {
        "numpy, pyfair's PERT": fair.simulate_risk(LEF, LM, trials, seed=1, variant="pyfair"),
        "numpy, textbook PERT": fair.simulate_risk(LEF, LM, trials, seed=2, variant="textbook"),
    }
    if problem is None:
        samples = {"pyfair 0.1a13": fair.pyfair_risk(LEF, LM, trials, seed=42), **samples}

    r = Result(3, f"FAIR LEF x LM, {trials:,} trials: numpy vs pyfair")
    r.goal = "faster than pyfair; means within 0.5% where the models are the same"
    r.details += [
        f"Risk = loss event frequency x loss magnitude, both PERT: LEF (low, mode, high) = "
        f"({LEF.low:g}, {LEF.mode:g}, {LEF.high:g}) a year, LM = ({LM.low:,.0f}, {LM.mode:,.0f}, {LM.high:,.0f}). "
        f"pyfair: `FairModel(n_simulations={trials:,})`, `input_data` for both nodes, `calculate_all()`, "
        f"the `Risk` column. numpy: `benchmarks/fair.py` with a `numpy.random.Generator` (no global state) and "
        f"`msp_analysis.model.distributions.PERT` for the textbook shape. Median of {repeats} interleaved runs.",
        "",
        "pyfair's PERT is not the textbook one: it keeps the PERT mean but fixes the standard deviation at "
        "(high - low) / 6 and matches a Beta to those two moments (pyfair/utility/beta_pert.py). Shapes here: "
        f"textbook LEF Beta{tuple(round(x, 3) for x in fair.textbook_beta(LEF))}, "
        f"LM Beta{tuple(round(x, 3) for x in fair.textbook_beta(LM))}; pyfair's LEF "
        f"Beta{tuple(round(x, 3) for x in fair.pyfair_beta(LEF))}, LM Beta{tuple(round(x, 3) for x in fair.pyfair_beta(LM))}. "
        "Both have the same mean, so E[risk] = E[LEF] E[LM] under either; the spread differs. "
        "So the same model is pyfair against numpy with pyfair's PERT (same distribution: means and a KS test "
        "agree), and every side is also checked against the exact mean.",
        "",
        "| implementation | median | ratio (pyfair / this) | mean risk | vs exact mean | std | KS p vs pyfair |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    ref = samples.get("pyfair 0.1a13")
    base = st.get("pyfair 0.1a13", {}).get("median_ms")
    for k in st:
        x = samples[k]
        ratio = f"{base / st[k]['median_ms']:.1f}x" if base else "n/a"
        ks = "-"
        if ref is not None and k != "pyfair 0.1a13":
            p = sps.ks_2samp(x, ref).pvalue
            ks = f"{p:.2g}" if p >= 1e-12 else "< 1e-12"
        r.details.append(
            f"| {k} | {fmt_ms(st[k]['median_ms'])} | {ratio} | {x.mean():,.0f} | {x.mean() / exact - 1:+.3%} | "
            f"{x.std():,.0f} | {ks} |"
        )
    r.details.append(f"| exact | | | {exact:,.0f} | | | |")

    # Our own security model at the same scale, for scale (compound Poisson, lognormal severities).
    sec_rows = []
    for users in (45, 10_000):
        s = firm(users)
        t = side_by_side(
            {"x": lambda s=s: simulate_security(s, trials, np.random.default_rng(3))}, repeats=cfg.pick(5, 1)
        )
        sec_rows.append((users, _attacks_a_year(s), summary(t["x"])["median_ms"]))
    r.details += [
        "",
        f"For scale, the suite's own security model (compound Poisson attacks, lognormal severity, Gamma outage, "
        f"fines; both support models on the same attacks), {trials:,} simulated years:",
        "",
        "| organisation | costly attacks a year | median |",
        "|---|---:|---:|",
    ]
    for users, attacks, ms in sec_rows:
        r.details.append(f"| {users:,} users | {attacks:,.2f} | {fmt_ms(ms)} |")

    same = samples["numpy, pyfair's PERT"].mean()
    textbook_gap = abs(samples["numpy, textbook PERT"].mean() / exact - 1)
    if problem is not None:
        r.status = "n/a"
        r.measured = f"pyfair unavailable ({problem}); numpy textbook mean {textbook_gap:.2%} from exact"
        r.details += ["", f"pyfair could not be imported: {problem}. Install `benchmarks/requirements-bench.txt`."]
        return r
    speed = base / st["numpy, pyfair's PERT"]["median_ms"]
    speed_tb = base / st["numpy, textbook PERT"]["median_ms"]
    gap = abs(same / ref.mean() - 1)
    se = ref.std() / np.sqrt(ref.size) / ref.mean()
    met = speed > 1 and speed_tb > 1 and gap <= 0.005 and textbook_gap <= 0.005
    r.status = _verdict(met)
    r.measured = f"{min(speed, speed_tb):.1f}x faster; same-model means differ by {gap:.2%}"
    r.details += [
        "",
        f"Goal: faster than pyfair: **{'met' if min(speed, speed_tb) > 1 else 'missed'}** "
        f"({speed:.1f}x with pyfair's PERT, {speed_tb:.1f}x with the textbook PERT). "
        f"Means within 0.5 %: **{'met' if gap <= 0.005 and textbook_gap <= 0.005 else 'missed'}** "
        f"(same model: {gap:.2%} apart; textbook PERT against the exact mean: {textbook_gap:.2%}). "
        f"The standard error of one mean is {se:.2%} here ({trials:,} draws), of a difference of two "
        f"{se * 2**0.5:.2%}.",
    ]
    return r


# -- 4. dashboard latency ------------------------------------------------------------------------------


def bench_dashboard(cfg: Config) -> Result:
    changes = cfg.pick(30, 5)
    res = latency.measure(changes=changes, warmup=cfg.pick(5, 1))
    every, eng = res["all_charts"], res["engine"]
    r = Result(4, "dashboard: recompute + redraw after a control change")
    # Issue 16: what the user waits for is the chart on screen (hidden tabs are drawn when opened).
    r.goal = "chart on screen: median <= 100 ms (all charts: <= 200 ms)"
    vis_ms = res["visible_chart"]["median_ms"] if res["source"] == "dashboard" else every["median_ms"]
    r.status = _verdict(vis_ms <= 100 and every["median_ms"] <= 200)
    r.measured = (
        f"chart on screen: median {fmt_ms(vis_ms)}; all charts: median {fmt_ms(every['median_ms'])}, "
        f"p95 {fmt_ms(every['p95_ms'])}"
    )
    if res["source"] == "dashboard":
        vis = res["visible_chart"]
        r.details += [
            f"`msp_analysis.present.dashboard.measure_latency()`: {every['n']} slider changes on the sample organisation "
            f"(headcount, MSP price, hourly rate, outage revenue, patch latency in turn), each timed until the "
            f"figures and charts are rendered to PNG; {res['trials']:,} trials (the dashboard's DASHBOARD_TRIALS); "
            "after a warm-up.",
            "",
            "| what is redrawn | median | p95 |",
            "|---|---:|---:|",
            f"| all four charts (the goal's case) | {fmt_ms(every['median_ms'])} | {fmt_ms(every['p95_ms'])} |",
            f"| the chart on screen (what the user waits for) | {fmt_ms(vis['median_ms'])} | {fmt_ms(vis['p95_ms'])} |",
            f"| nothing: the numbers only (exact figures, simulation, 3-year projection; measured apart) | "
            f"{fmt_ms(eng['median_ms'])} | {fmt_ms(eng['p95_ms'])} |",
        ]
        if res.get("charts"):
            r.details += [
                "",
                "Where a chart's time goes (the report's `draw_chart` at the dashboard's figure size and dpi, "
                "median of 5): building it (the plotting calls) and rendering it (Agg rasterising and PNG encoding).",
                "",
                "| chart | build | render | total |",
                "|---|---:|---:|---:|",
            ]
            for name, t in res["charts"].items():
                r.details.append(
                    f"| {name} | {fmt_ms(t['build_ms'])} | {fmt_ms(t['render_ms'])} | "
                    f"{fmt_ms(t['build_ms'] + t['render_ms'])} |"
                )
        if res["errors"]:
            r.details += ["", "Errors the dashboard reported: " + "; ".join(res["errors"][:3])]
    else:
        r.measured += " (equivalent work, not the dashboard)"
        r.details += [
            f"**Measured on equivalent work, not on the dashboard** ({res['reason']}): per change, "
            f"`expected()` + `simulate(sample, {res['trials']:,} trials)` + {res['charts']} library charts drawn with "
            "the plotting defaults to an in-memory PNG (Agg); median and p95 over "
            f"{every['n']} changes.",
            "",
            "| what is computed | median | p95 |",
            "|---|---:|---:|",
            f"| numbers and all charts | {fmt_ms(every['median_ms'])} | {fmt_ms(every['p95_ms'])} |",
            f"| the numbers only | {fmt_ms(eng['median_ms'])} | {fmt_ms(eng['p95_ms'])} |",
        ]
    share = eng["median_ms"] / every["median_ms"]
    r.details += [
        "",
        f"The numbers (engine, exact figures, projection) take {fmt_ms(eng['median_ms'])}, {share:.0%} of a full "
        "refresh; the rest is matplotlib drawing and PNG encoding.",
        "",
        f"Goal (chart on screen median <= 100 ms, all charts <= 200 ms): **{r.status}** "
        f"(chart on screen {vis_ms / 100:.0%} of its budget, all charts {every['median_ms'] / 200:.0%} of theirs).",
    ]
    return r


# -- 10. dashboard: time to interactive -------------------------------------------------------------


def bench_interactive(cfg: Config) -> Result:
    res = interactive.measure(openings=cfg.pick(5, 2), gap_s=cfg.pick(10.0, 2.0))
    r = Result(10, "dashboard: time to interactive (Voila, preheated kernel)")
    r.goal = "median of 5 openings <= 1.5 s"
    if "skipped" in res:
        r.measured, r.status = f"not measured: {res['skipped']}", "n/a"
        return r
    r.status = _verdict(res["median_s"] <= 1.5)
    r.measured = f"median {res['median_s']:.2f} s over {len(res['times_s'])} openings"
    r.details += [
        "Voila started as `make present` starts it (`voila_command`: a pool of "
        f"{res['pool_size']} preheated kernel that has already run the presentation), the page opened in "
        f"headless Chromium at 1280x720, {res['gap_s']:g} s apart, each timed from navigation until the headline "
        "figures and the first slider are on screen: " + ", ".join(f"{t:.2f} s" for t in res["times_s"]) + ".",
    ]
    return r


# -- 5. a million trials: time and peak memory --------------------------------------------------------


def _run_child(users: int, trials: int, seed: int) -> dict:
    """Run peak_memory.py in a fresh interpreter; it reports its own peak RSS (``VmHWM``)."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "peak_memory.py"), str(users), str(trials), str(seed)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"peak_memory.py exited {proc.returncode}: {' / '.join(tail)}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    if data["peak_rss_mib"] is None:
        raise RuntimeError("no /proc/self/status here: peak RSS is measured on Linux only")
    return data


def bench_memory(cfg: Config) -> Result:
    trials = cfg.pick(1_000_000, 100_000)
    repeats = cfg.pick(3, 1)
    runs = [_run_child(1_000, trials, seed=k) for k in range(repeats)]
    secs = summary([x["seconds"] for x in runs])
    peaks = [x["peak_rss_mib"] for x in runs]
    peak = float(np.median(peaks))
    base = float(np.median([x["baseline_rss_mib"] for x in runs]))
    result_mib = runs[0]["result_mib"]
    from msp_analysis.engine.simulation import CHUNK_TRIALS

    r = Result(5, f"{trials:,} trials of a 1,000-user firm: time and peak memory")
    r.goal = "peak RSS <= 1 GB"
    r.status = _verdict(peak <= 1024)
    r.measured = f"{fmt_ms(secs['median_ms'])}, peak RSS {peak:,.0f} MiB"
    r.details += [
        f"`simulate(firm(1000), trials={trials:,})` in a fresh interpreter (`benchmarks/peak_memory.py`), "
        f"{repeats} runs; peak resident memory of the whole process, imports and result tables included: the "
        "kernel's high-water mark `VmHWM` from `/proc/self/status` (not `ru_maxrss`, which a child started with "
        "vfork inherits from its parent).",
        "",
        "| median time | peak RSS | RSS after imports and a warm-up | result tables (2 DataFrames) | chunk size |",
        "|---:|---:|---:|---:|---:|",
        f"| {fmt_ms(secs['median_ms'])} | {peak:,.0f} MiB (runs: {', '.join(f'{x:,.0f}' for x in peaks)}) | "
        f"{base:,.0f} MiB | {result_mib:,.0f} MiB | "
        f"{CHUNK_TRIALS:,} trials |",
        "",
        f"Goal peak RSS <= 1 GB: **{r.status}** ({peak / 1024:.0%} of it). The run is drawn in chunks of "
        f"{CHUNK_TRIALS:,} trials (a progress bar when a run has several chunks), each written into the result "
        f"as it is drawn: the peak is the interpreter and libraries ({base:,.0f} MiB), the result "
        f"({result_mib:,.0f} MiB, ten columns of {trials:,} trials per model) and one chunk's working arrays "
        f"(~{peak - base - result_mib:,.0f} MiB, bounded by the chunk size whatever the number of trials).",
    ]
    return r


# -- 6. the notebook series under nbval ----------------------------------------------------------------


def bench_notebooks(cfg: Config) -> Result:
    r = Result(6, "the notebook series under strict nbval")
    r.goal = "(reported, no goal)"
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        r.status = "not yet available"
        r.measured = "not yet available (no notebooks)"
        r.details.append("No `notebooks/NN_*.ipynb` in the tree when this ran.")
        return r
    if cfg.quick:
        r.measured = "skipped (--quick)"
        return r
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    verdict = next((ln.strip("= ") for ln in reversed(lines) if re.search(r"\d+ (passed|failed|error)", ln)), "")
    r.measured = f"{wall:,.1f} s for {len(notebooks)} notebooks ({verdict or f'pytest exit {proc.returncode}'})"
    r.status = "n/a" if proc.returncode == 0 else "failing"
    r.details += [
        f"`python -m pytest notebooks` (strict nbval, as `make test` runs it) in a subprocess: "
        f"**{wall:,.1f} s** wall time for {len(notebooks)} notebooks "
        f"({', '.join(n.stem for n in notebooks)}); pytest said: `{verdict or 'no summary line'}`.",
        "One run (the series takes long enough that one run is representative; kernel start-up is ~0.6 s "
        "per notebook).",
    ]
    if proc.returncode != 0:
        r.details.append("The run did not pass: the time is still reported, the failures are the notebooks' owners'.")
    return r


# -- 7. a portfolio on a local Dask cluster --------------------------------------------------------------


def bench_portfolio(cfg: Config) -> Result:
    n, trials, repeats = cfg.pick(40, 12), 10_000, cfg.pick(3, 1)
    m = portfolio.measure(n=n, trials=trials, repeats=repeats, workers=2, tasks=cfg.pick(1_000, 200))
    speedup = m["serial"]["median_ms"] / m["cluster"]["median_ms"]
    with_start = m["serial"]["median_ms"] / (m["cluster"]["median_ms"] + m["startup"]["median_ms"])
    r = Result(7, f"portfolio: {n:,} organisations x {trials:,} trials, serial vs LocalCluster(2 workers)")
    r.goal = ">= 1.7x faster on 2 workers (cluster start-up reported apart)"
    r.status = _verdict(speedup >= 1.7)
    r.measured = f"{speedup:.2f}x faster ({fmt_ms(m['cluster']['median_ms'])} vs {fmt_ms(m['serial']['median_ms'])})"
    per_org = m["serial"]["median_ms"] / n
    r.details += [
        f"`msp_analysis.portfolio.run` of the sample portfolio's first {n:,} organisations, {trials:,} simulated years "
        "each, the default analysis (exact totals, simulation, break-even price and headcount, three drivers), every "
        f"result written to Parquet as it finishes; serially and on an already-started `LocalCluster` of 2 worker "
        f"processes (1 thread each), {repeats} interleaved rounds. The issue asks for 1,000 organisations: one serial "
        f"pass of 1,000 takes ~{per_org * 1000 / 60_000:,.0f} min here, and the rounds run both ways three times, so "
        f"{n:,} are measured (the work per organisation does not change with their number) and larger runs are "
        "estimated below.",
        "",
        "| | median | min | per organisation |",
        "|---|---:|---:|---:|",
        f"| serial (this process) | {fmt_ms(m['serial']['median_ms'])} | {fmt_ms(m['serial']['min_ms'])} | "
        f"{fmt_ms(per_org)} |",
        f"| LocalCluster, 2 workers | {fmt_ms(m['cluster']['median_ms'])} | {fmt_ms(m['cluster']['min_ms'])} | "
        f"{fmt_ms(m['cluster']['median_ms'] / n)} |",
        f"| cluster start-up (apart) | {fmt_ms(m['startup']['median_ms'])} | {fmt_ms(m['startup']['min_ms'])} | |",
        "",
        f"Speed-up {speedup:.2f}x on the run; {with_start:.2f}x counting the start-up. Goal >= 1.7x: **{r.status}**.",
        "",
        f"Per-task overhead: a no-op task through `client.map` + `as_completed` costs "
        f"{m['task_overhead_ms']:.2f} ms ({m['tasks']:,} tasks, median of 3 rounds); writing one organisation's "
        f"result (scenario JSON + Parquet, atomically) {m['write_ms']:.1f} ms in the driver; one row pickled for its "
        f"task {m['row_bytes'] / 1024:,.1f} KiB.",
        "",
        "20,000 organisations, estimated as start-up + max(N x compute / W, N x (task overhead + writing)) "
        "(see `benchmarks/portfolio.md`):",
        "",
        "| workers | compute shared by the workers | driver and scheduler, per organisation in turn | estimate | bound by |",
        "|---:|---:|---:|---:|---|",
    ]
    for w in (2, 10, 100):
        e = portfolio.estimate(m, 20_000, w)
        r.details.append(
            f"| {w} | {e['parallel_s'] / 60:,.1f} min | {e['driver_total_s'] / 60:,.1f} min | "
            f"{e['total_s'] / 60:,.1f} min | {e['bound']} |"
        )
    return r


# -- 8. how sure are we: input uncertainty, EVPPI, Sobol ---------------------------------------------------


def _busy_or_idle() -> str:
    """How loaded the machine was, in words, from the one-minute load average against its cores."""
    try:
        one, cores = os.getloadavg()[0], os.cpu_count() or 1
    except OSError:
        return "load not known"
    return "the machine was busy" if one > 0.75 * cores else "the machine was otherwise idle"


def bench_uncertainty(cfg: Config) -> Result:
    from msp_analysis import expected, sample_scenario, uncertainty

    s = sample_scenario()
    n, n_base, one_by_one = cfg.pick(10_000, 1_000), cfg.pick(1024, 16), cfg.pick(100, 30)
    runs = cfg.pick(3, 1)
    load_before = machine.load_average()
    draws_t, evppi_t, sobol_t, loop_t = [], [], [], []
    for run in range(runs):  # the machine is shared: medians of a few runs, each step in turn
        t0 = time.perf_counter()
        u = uncertainty(s, n=n, seed=1)
        draws_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        table = u.evppi()
        evppi_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sob = u.sobol(n_base)
        sobol_t.append(time.perf_counter() - t0)
        rows = u.draws.iloc[run * one_by_one : (run + 1) * one_by_one].to_dict("records")
        t0 = time.perf_counter()
        for row in rows:  # new draws each run: expected() caches what it has seen
            expected(s.replace(row)).loc["total_cost"]
        loop_t.append((time.perf_counter() - t0) / len(rows))
    draws_s, evppi_s, sobol_s, loop_per_draw = (statistics.median(t) for t in (draws_t, evppi_t, sobol_t, loop_t))
    d = len(u.ranges)
    per_draw = draws_s / n
    evaluations = sob.attrs["evaluations"]
    r = Result(8, f"how sure are we: {n:,} input draws, EVPPI of every input, Sobol with {n_base:,} base samples")
    r.goal = "draws < 5 s; Sobol (1,024 base) < 60 s; EVPPI < 5 s"
    r.status = _verdict(draws_s < 5 and sobol_s < 60 and evppi_s < 5 and n_base >= 1024)
    r.measured = (
        f"draws {draws_s:,.1f} s; Sobol {sobol_s:,.1f} s; EVPPI {evppi_s:,.1f} s; "
        f"{loop_per_draw / per_draw:.1f}x one draw at a time"
    )
    r.details += [
        f"`msp_analysis.uncertainty(sample_scenario(), n={n:,}, seed=1)`: the {d} inputs of the sample whose basis "
        "is an assumption or a published figure with a range in `assumptions.csv` vary; each draw's expected "
        "totals are exact (`engine.batch.expected_totals`: the draws priced at once by `expected_components` on a "
        "columnar scenario whose varying fields are arrays, the model's one implementation of the maths "
        f"broadcasting over them). Median of {runs} runs of each step, in turn (load average before: {load_before}, "
        f"after: {machine.load_average()}: {_busy_or_idle()}).",
        "",
        "| step | time (median) | runs | goal | per evaluation |",
        "|---|---:|---|---:|---:|",
        f"| {n:,} draws, expected totals of both models | {draws_s:,.2f} s | "
        f"{', '.join(f'{t:.1f}' for t in draws_t)} | < 5 s | {per_draw * 1e6:,.0f} µs |",
        f"| EVPPI of all {d} inputs from those draws (P-spline, 200 draws for the SE) | {evppi_s:,.2f} s | "
        f"{', '.join(f'{t:.1f}' for t in evppi_t)} | < 5 s | |",
        f"| Sobol, {n_base:,} base samples x ({d} + 2) = {evaluations:,} evaluations | {sobol_s:,.1f} s | "
        f"{', '.join(f'{t:.1f}' for t in sobol_t)} | < 60 s | {sobol_s / evaluations * 1e6:,.0f} µs |",
        f"| `expected(scenario.replace(draw))` one draw at a time ({one_by_one:,} draws a run) | "
        f"{loop_per_draw * n:,.1f} s for {n:,} (scaled) | {', '.join(f'{t * n:.0f}' for t in loop_t)} | | "
        f"{loop_per_draw * 1e6:,.0f} µs |",
        "",
        f"Batch vs one draw at a time: {loop_per_draw / per_draw:.1f}x. Most of a draw's time is the Break/Fix "
        "billing lattice (an incomplete gamma function per billing increment up to where the tail formula takes "
        "over, for each priority and on-site/remote minimum); a Sobol design repeats a draw's billing inputs in "
        "most of its rows, and each distinct one is computed once.",
        f"Results of this run: P(MSP is the better choice) {u.prob_msp_better:.3f}, EVPI {u.evpi:,.0f} a year, "
        f"largest EVPPI {table.loc[0, 'path']} {table.loc[0, 'evppi']:,.0f}; largest Sobol total "
        f"{sob.loc[0, 'path']} {sob.loc[0, 'total']:.2f}.",
    ]
    return r


# -- 9. an event log loaded and collapsed (issue 13) -------------------------------------------------


def bench_event_log(cfg: Config) -> Result:
    tickets, runs = cfg.pick(100_000, 10_000), cfg.pick(3, 1)
    m = event_log.measure(tickets, runs)
    r = Result(9, f"event log: {m['tickets']:,} tickets in {m['rows']:,} rows loaded and collapsed")
    r.goal = "< 15 s for 100,000 tickets (~700,000 rows) on an idle machine"
    r.status = _verdict(m["median_s"] < 15) if not cfg.quick else "n/a"
    r.measured = f"{m['median_s']:.1f} s (CPU {m['cpu_s']:.1f} s)"
    r.details += [
        f"`load_tickets` on a ServiceNow-shaped incident event log ({m['mib']:.1f} MiB of CSV, newest change first, "
        "`?` for empty fields), generated seeded by `benchmarks/event_log.py`: read, typed, and collapsed to one row "
        f"per ticket at its final state. Median of {m['runs']} runs after a warm-up; min {m['min_s']:.1f} s. The "
        "CPU time is this process's alone, what the load takes when the machine is not shared.",
        "",
        *[f"- {note}" for note in m["notes"]],
    ]
    return r


BENCHMARKS: dict[int, Callable[[Config], Result]] = {
    1: bench_scaling,
    2: bench_reference,
    3: bench_fair,
    4: bench_dashboard,
    5: bench_memory,
    6: bench_notebooks,
    7: bench_portfolio,
    8: bench_uncertainty,
    9: bench_event_log,
    10: bench_interactive,
}


# -- output --------------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    rows = [("#", "benchmark", "measured", "goal", "status")]
    rows += [(str(r.number), r.title, r.measured, r.goal, r.status) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(c.ljust(w) for c, w in zip(rows[0], widths)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows[1:]]
    return "\n".join(out)


def markdown(results: list[Result], info: dict[str, str], cfg: Config, seconds: float) -> str:
    md = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`benchmarks/run.py`); do not edit by hand, re-run it. "
        "Times are medians of several runs after a warm-up (each section says how many); ratios come from runs "
        "interleaved in the same process. The machine may be shared: see the load average.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "|---|---|",
        f"| date | {info['date']} |",
        f"| CPU | {info['cpu']} |",
        f"| cores | {info['cores']} |",
        f"| RAM | {info['ram']} |",
        f"| OS | {info['os']} |",
        f"| load average (1/5/15 min) | before: {info['load_before']}; after: {machine.load_average()} |",
        f"| Python | {info['python']} |",
        f"| numpy / scipy / pandas / matplotlib | {info['numpy']} / {info['scipy']} / {info['pandas']} / "
        f"{info['matplotlib']} |",
        f"| pyfair | {info['pyfair']} |",
        f"| dask / distributed / pyarrow | {info['dask']} / {info['distributed']} / {info['pyarrow']} |",
        f"| msp_analysis | {info['msp_analysis']} (commit {info['revision']}) |",
        f"| whole run | {seconds / 60:.1f} min{' (--quick)' if cfg.quick else ''} |",
        "",
        "## Summary",
        "",
        "| # | benchmark | measured | goal | status |",
        "|---|---|---|---|---|",
    ]
    md += [f"| {r.number} | {r.title} | {r.measured} | {r.goal} | {r.status} |" for r in results]
    for r in results:
        md += ["", f"## {r.number}. {r.title}", "", *r.details]
    return "\n".join(md) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated benchmark numbers (1-10)")
    ap.add_argument("--quick", action="store_true", help="smaller runs: a smoke test, not results")
    ap.add_argument("--output", type=Path, help=f"where to write the results (default {RESULTS.name} on a full run)")
    args = ap.parse_args(argv)
    cfg = Config(quick=args.quick)
    chosen = sorted({int(x) for x in args.only.split(",")}) if args.only else list(BENCHMARKS)
    output = args.output or (RESULTS if not args.only and not args.quick else None)

    info = machine.describe(ROOT)
    t_start = time.perf_counter()
    results, failed = [], False
    for n in chosen:
        print(f"[{n}] {BENCHMARKS[n].__name__} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            res = BENCHMARKS[n](cfg)
        except Exception as e:  # one broken benchmark must not hide the others
            failed = True
            res = Result(n, BENCHMARKS[n].__name__, measured=f"error: {type(e).__name__}: {e}", status="error")
            res.details = ["```", traceback.format_exc().strip(), "```"]
        print(f"    {res.measured} [{res.status}] ({time.perf_counter() - t0:,.0f} s)", file=sys.stderr, flush=True)
        results.append(res)
    print()
    print(table(results))
    if output is not None:
        text = markdown(results, info, cfg, time.perf_counter() - t_start)
        # Nothing machine-specific beyond what `machine` reports: no local paths in a committed file.
        text = text.replace(str(ROOT) + os.sep, "").replace(str(Path.home()), "~")
        output.write_text(text, encoding="utf-8")
        print(f"\nwrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
