"""Child process for the memory benchmark: one large ``simulate`` run, timed.

Run as ``python benchmarks/peak_memory.py USERS TRIALS SEED``; prints one JSON
line with the run's seconds, the resident memory after the imports, and the
peak resident memory of the whole process (imports, working arrays, result):
the kernel's high-water mark ``VmHWM`` read at the end, Linux only.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def status_mib(key: str) -> float | None:
    """A memory line of ``/proc/self/status`` in MiB (``VmRSS`` now, ``VmHWM`` its peak); Linux only."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def main(argv: list[str]) -> None:
    users, trials, seed = (int(a) for a in argv)
    import numpy as np

    from msp_analysis import sample_scenario, simulate

    scenario = sample_scenario().replace(
        {
            "organization.users": users,
            "organization.workstations": round(users * 50 / 45),
            "organization.servers": max(1, round(users * 3 / 45)),
        }
    )
    simulate(scenario, trials=1_000, seed=0)  # import-time and first-call costs out of the timing
    baseline = status_mib("VmRSS")
    t0 = time.perf_counter()
    comparison = simulate(scenario, trials=trials, seed=seed, progress=False)
    seconds = time.perf_counter() - t0
    total = comparison.break_fix.trials["total_cost"].to_numpy()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "baseline_rss_mib": baseline,
                "result_mib": sum(comparison[m].trials.memory_usage(deep=True).sum() for m in ("break_fix", "msp"))
                / 2**20,
                # The kernel's high-water mark of this process's own memory since it started. Not
                # getrusage's ru_maxrss: a child started with vfork (as subprocess does) inherits
                # its parent's peak there, so a big parent would be reported as the child's peak.
                "peak_rss_mib": status_mib("VmHWM"),
                "n_trials": int(total.size),
                "finite": bool(np.isfinite(total).all()),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
