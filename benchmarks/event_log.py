"""How long an event log of 100,000 tickets (about 700,000 rows) takes to load and collapse (issue 13).

The log is in the shape of ServiceNow's incident event log: one row per change
of a ticket (its state, priority after triage, category, time worked as a
running total, ``?`` where a field is empty), newest change first, dates as
``YYYY-MM-DD HH:MM:SS``. It is generated with numpy (seeded) and written as
CSV bytes once; ``load_tickets`` is then timed reading those bytes and
collapsing the rows to one per ticket.

Usage::

    python benchmarks/event_log.py                  # 100,000 tickets, ~700,000 rows
    python benchmarks/event_log.py --tickets 10000  # quicker
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from msp_analysis import load_tickets  # noqa: E402

PRIORITIES = np.array(["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"])
STATES = np.array(["New", "Active", "Awaiting User Info", "Active", "Resolved", "Closed"])


def generate(tickets: int, seed: int = 13, mean_rows: float = 7.0) -> tuple[bytes, int, dict[str, int]]:
    """The log as CSV bytes, its row count and the final priority split (as generated)."""
    rng = np.random.default_rng(seed)
    rows_per = 1 + rng.poisson(mean_rows - 1, tickets)
    n = int(rows_per.sum())
    ticket = np.repeat(np.arange(tickets), rows_per)
    step = np.arange(n) - np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    last = step == np.repeat(rows_per - 1, rows_per)
    opened = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 365 * 86400, tickets).astype("timedelta64[s]")
    gaps = rng.exponential(3 * 3600, n).astype("timedelta64[s]")
    when = np.repeat(opened, rows_per) + pd.Series(gaps).groupby(ticket).cumsum().to_numpy().astype("timedelta64[s]")
    final = rng.choice(4, tickets, p=[0.05, 0.15, 0.5, 0.3])
    prio = np.where((step == 0) & ~last, 2, np.repeat(final, rows_per))  # triage after the first row
    resolved_state = last & (rng.random(n) < 0.9)
    state = np.where(resolved_state, "Closed", STATES[np.minimum(step, 3)])
    fmt = "%Y-%m-%d %H:%M:%S"
    frame = pd.DataFrame(
        {
            "number": pd.Series(ticket + 1_000_000).map("INC{:07d}".format),
            "incident_state": state,
            "sys_updated_at": pd.Series(when).dt.strftime(fmt),
            "opened_at": pd.Series(np.repeat(opened, rows_per)).dt.strftime(fmt),
            "resolved_at": np.where(resolved_state, pd.Series(when).dt.strftime(fmt), "?"),
            "priority": PRIORITIES[prio],
            "category": np.array(["Hardware", "Software", "Network", "Inquiry / Help"])[rng.integers(0, 4, n)],
            "time_worked": (0.25 * step).round(2),
        }
    ).iloc[::-1]  # newest first
    data = frame.to_csv(index=False).encode()
    split = {f"p{k + 1}": int((final == k).sum()) for k in range(4)}
    return data, n, split


def measure(tickets: int = 100_000, runs: int = 3) -> dict:
    """Median seconds of ``runs`` loads (after a warm-up) and what was loaded."""
    data, n_rows, split = generate(tickets)
    frame, report = load_tickets(data, name="event_log.csv")  # warm-up, and the check
    assert len(frame) == tickets and report.counts == split, (len(frame), report.counts, split)
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        load_tickets(data, name="event_log.csv")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "tickets": tickets,
        "rows": n_rows,
        "mib": len(data) / 2**20,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "cpu_s": statistics.median(cpu),  # this process's CPU time: what an idle machine would take, near enough
        "runs": runs,
        "notes": [n for n in report.notes if n.startswith("event log")],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    m = measure(args.tickets, args.runs)
    print(
        f"{m['tickets']:,} tickets in {m['rows']:,} rows ({m['mib']:.1f} MiB): load + collapse "
        f"{m['median_s']:.2f} s median of {m['runs']} (min {m['min_s']:.2f} s; CPU time {m['cpu_s']:.2f} s)"
    )
    for note in m["notes"]:
        print("  " + note)


if __name__ == "__main__":
    main()
