"""Benchmark 7: a portfolio run, serial against a local Dask cluster, and what each task costs.

Measured (``measure``), each a median of several runs:

- **cluster start-up**: ``LocalCluster(n_workers=2, threads_per_worker=1)`` up,
  a client connected and the workers checked (``msp_analysis.cluster.connect``);
- **the run**: ``msp_analysis.portfolio.run`` of the same organisations
  (the sample portfolio's first ``n``), ``trials`` simulated years each, the
  default analysis (expected totals, simulation, two break-evens, three
  drivers), serially and on the already-started cluster, interleaved round by
  round (``timing.side_by_side``); each run writes into a fresh folder;
- **per-task overhead**: ``client.map`` of a no-op over ``tasks`` tasks,
  results collected through ``as_completed`` as the portfolio does, on the
  same cluster: the scheduler's and the transport's cost per task;
- **per-organisation writing**: the driver's cost of writing one result
  (scenario JSON and the Parquet summary, atomically) and the pickled size
  of one task's row (what travels to the scheduler per organisation).

``estimate`` turns these into the time of a larger run on W workers:
start-up + max(N x compute / W, N x (task overhead + writing)): the workers
share the compute, while the scheduler and the one driver that writes the
results handle every organisation in turn.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import side_by_side, summary


def _noop(x: int) -> int:
    return x


def startup_seconds(workers: int) -> float:
    """One local cluster started, connected and checked, then closed (the close is not counted)."""
    from msp_analysis.cluster import connect

    t0 = time.perf_counter()
    with connect("local", workers=workers) as client:
        up = time.perf_counter() - t0
        client.submit(_noop, 1).result()
    return up


def task_overhead_ms(client, tasks: int, rounds: int) -> float:
    """Median milliseconds per no-op task, submitted with client.map and collected with as_completed."""
    from distributed import as_completed

    per = []
    for r in range(rounds):
        t0 = time.perf_counter()
        futures = client.map(_noop, range(tasks), pure=False, key=[f"noop-{r}-{k}" for k in range(tasks)])
        for f in as_completed(futures):
            f.result()
            f.release()
        per.append((time.perf_counter() - t0) / tasks * 1000)
    return float(np.median(per))


def write_ms(rows, settings, samples: int = 20) -> tuple[float, int]:
    """Median milliseconds to write one organisation's result, and the pickled bytes of one row."""
    from msp_analysis.portfolio.run import _write_result
    from msp_analysis.portfolio.work import analyse

    results = [analyse(r, settings) for r in rows[:samples]]
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for res in results:
            t0 = time.perf_counter()
            _write_result(Path(tmp), res)
            times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1000, len(pickle.dumps(rows[0]))


def measure(n: int, trials: int, repeats: int, workers: int = 2, tasks: int = 1000) -> dict:
    from distributed import Client, LocalCluster

    from msp_analysis.portfolio import Settings, read_portfolio, run
    from msp_analysis.portfolio.sample import sample_portfolio_path

    portfolio = read_portfolio(sample_portfolio_path())
    rows = portfolio.rows[:n]
    chosen = type(portfolio)(portfolio.source, rows)
    starts = [startup_seconds(workers) for _ in range(repeats)]
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory() as tmp,
    ):
        count = iter(range(10**6))

        def serial():
            run(chosen, out=Path(tmp) / f"s{next(count)}", scheduler="serial", trials=trials, progress=False)

        def on_cluster():
            run(chosen, out=Path(tmp) / f"c{next(count)}", scheduler=client, trials=trials, progress=False)

        # Warm-up: one organisation each (imports on the workers, caches), not the whole run.
        run(
            type(portfolio)(portfolio.source, rows[:2]),
            out=Path(tmp) / "warm",
            scheduler=client,
            trials=trials,
            progress=False,
        )
        times = side_by_side({"serial": serial, "cluster": on_cluster}, repeats=repeats, warmup=0)
        overhead = task_overhead_ms(client, tasks, rounds=3)
    writing, row_bytes = write_ms(list(rows), Settings(trials=trials))
    return {
        "n": n,
        "trials": trials,
        "workers": workers,
        "repeats": repeats,
        "startup": summary(starts),
        "serial": summary(times["serial"]),
        "cluster": summary(times["cluster"]),
        "task_overhead_ms": overhead,
        "tasks": tasks,
        "write_ms": writing,
        "row_bytes": row_bytes,
    }


def estimate(m: dict, organisations: int, workers: int) -> dict:
    """Seconds for ``organisations`` on ``workers`` workers from the measured costs (see the module docstring)."""
    compute_s = m["serial"]["median_ms"] / 1000 / m["n"] - m["write_ms"] / 1000  # one organisation on one core
    driver_s = (m["task_overhead_ms"] + m["write_ms"]) / 1000  # per organisation, not shared by the workers
    parallel = organisations * compute_s / workers
    serial_part = organisations * driver_s
    return {
        "compute_s": compute_s,
        "driver_s": driver_s,
        "parallel_s": parallel,
        "driver_total_s": serial_part,
        "total_s": m["startup"]["median_ms"] / 1000 + max(parallel, serial_part),
        "bound": "workers" if parallel >= serial_part else "driver and scheduler",
    }
