"""What the benchmarks ran on: CPU, cores, memory, OS, load, library versions.

Linux-first (``/proc``), with portable fallbacks; nothing here names a path
of the machine, so the results file can be committed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "pyfair", "dask", "distributed", "pyarrow", "msp_analysis")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def physical_cores() -> int | None:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo; None where that is not available."""
    cores, phys = set(), "0"
    for line in _read("/proc/cpuinfo").splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            phys = value.strip()
        elif key == "core id":
            cores.add((phys, value.strip()))
    return len(cores) or None


def ram_gib() -> float | None:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return None


def os_name() -> str:
    pretty = ""
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            pretty = line.split("=", 1)[1].strip().strip('"')
    kernel = f"{platform.system()} {platform.release()}"
    return f"{pretty} ({kernel})" if pretty else kernel


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_revision(root: Path) -> str:
    """Short commit of the benchmarked tree, marked ``+changes`` when the library has uncommitted edits."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "msp_analysis"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{rev}+changes" if dirty else rev


def describe(root: Path) -> dict[str, str]:
    """Everything the results file says about the machine and the software, as text."""
    cores = physical_cores()
    ram = ram_gib()
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": f"{os.cpu_count()} logical" + (f", {cores} physical" if cores else ""),
        "ram": f"{ram:.1f} GiB" if ram else "unknown",
        "os": os_name(),
        "python": platform.python_version(),
        "load_before": load_average(),
        "revision": git_revision(root),
    }
    for p in PACKAGES:
        info[p] = version(p)
    return info
