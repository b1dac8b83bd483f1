"""Time to interactive of the served dashboard: Voilà as ``make present`` starts it, opened in Chromium.

Voilà is started with :func:`msp_analysis.present.dashboard.voila_command`
(preheated kernels: a pool of one kernel that has already run the
presentation) on a free port; once the pool is full, the page is opened
``openings`` times, at least ``gap_s`` seconds apart (so the pool has refilled,
as between a consultant's openings), each timed from navigation to the
moment the headline figures and the first slider are on screen. Needs
Debian's Chromium at /usr/bin/chromium and the playwright package; without
them it says so instead of a number.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Voila exited with status {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Voila did not listen on 127.0.0.1:{port} within {seconds:.0f} s")


def measure(openings: int = 5, gap_s: float = 10.0, pool_size: int = 1, fill_s: float = 15.0) -> dict:
    """Seconds to interactive for each opening, their median, and how they were measured."""
    if not os.access(CHROMIUM, os.X_OK):
        return {"skipped": f"no Chromium at {CHROMIUM} (sudo apt-get install chromium)"}
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        return {"skipped": "the playwright package is not installed"}
    from msp_analysis.present.dashboard import voila_command

    port = _free_port()
    argv, env = voila_command(port, pool_size=pool_size)
    # The kernel imports this checkout's package, whatever is installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    times: list[float] = []
    try:
        _listening(port, proc)
        time.sleep(fill_s)  # the pool's kernel runs the presentation
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for i in range(openings):
                if i:
                    time.sleep(gap_s)
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
                expect(page.locator('[data-figure="total"]')).to_be_visible(timeout=120_000)
                expect(page.locator(".msp-control-msp_price [role=slider]")).to_be_visible(timeout=120_000)
                times.append(time.perf_counter() - t0)
                page.close()
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return {"times_s": times, "median_s": statistics.median(times), "pool_size": pool_size, "gap_s": gap_s}


if __name__ == "__main__":
    print(measure(openings=int(sys.argv[1]) if len(sys.argv) > 1 else 5))
