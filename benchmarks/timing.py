"""Timing helpers: warm-ups, repeats, medians, and side-by-side (interleaved) runs.

Ratios are taken between runs interleaved round by round (A, B, C, then B,
C, A, ...), so a slow spell on a shared machine hits every contender alike
instead of whichever happened to run during it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np


def once(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (``time.perf_counter``)."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def side_by_side(fns: Mapping[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run every function ``warmup`` times untimed, then ``repeats`` timed rounds, interleaved.

    Each round calls every function once, starting from a different one in
    turn. Returns ``{name: [seconds, ...]}``.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            times[name].append(once(fns[name]))
    return times


def summary(seconds: list[float]) -> dict[str, float]:
    """Median, p95, min and max in milliseconds, and the number of runs."""
    ms = np.asarray(seconds, dtype=float) * 1000.0
    return {
        "median_ms": float(np.median(ms)),
        "p95_ms": float(np.quantile(ms, 0.95)),
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
        "n": int(ms.size),
    }


def fmt_ms(ms: float) -> str:
    """``12.3 ms``, ``1,234 ms``, ``12.3 s``: readable across five orders of magnitude."""
    if ms >= 10_000:
        return f"{ms / 1000:,.1f} s"
    if ms >= 100:
        return f"{ms:,.0f} ms"
    return f"{ms:.1f} ms"
