"""JupyterLab itself in a real browser: notebook 00 opened in Lab, run, its controls moved.

Lab is started on a free port, rooted at a copy of the repository's
``notebooks/`` and ``data/`` (running cells in Lab autosaves the notebook:
the repository's stored outputs must not change), with this checkout's
package on ``PYTHONPATH`` and the news and update checks off. Chromium
(Debian's, driven by Playwright) opens notebook 00, runs all cells, and the
test checks that the controls render as widgets (no "Loading widget..."),
that moving a slider changes the figures, and that the console shows no
error. A screenshot goes to ``artifacts/lab-00.png``.

Skipped with advice without Chromium; ``MSP_REQUIRE_BROWSER=1`` makes it mandatory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.test_dashboard_browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    ROOT,
    _chromium,
    _free_port,
    _stop,
    _wait_listening,
)

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 240_000  # ms: a kernel start and every cell of the notebook on a busy machine
UPDATE_TIMEOUT = 30_000
# Messages Lab itself logs as errors that say nothing about the notebook (a missing favicon, a
# translation bundle the offline server does not have).
_HARMLESS = ("favicon", "translations", "Failed to load resource: the server responded with a status of 404")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _chromium()
    root = tmp_path_factory.mktemp("lab")
    for folder in ("notebooks", "data"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = root / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"checkForUpdates": False, "fetchNews": "false"}), encoding="utf-8"
    )
    port = _free_port()
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
            "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
            "MSP_ANALYSIS_DATA": str(root / "data"),
            "MSP_ANALYSIS_REPORTS": str(root / "reports"),
            "MPLBACKEND": "Agg",
        }
    )
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--LabApp.expose_app_in_browser=True",
    ]
    log = root / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    try:
        _wait_listening(port, proc, log)
        yield {"url": f"http://127.0.0.1:{port}", "log": log}
    finally:
        _stop(proc)


def _open_and_run(page, lab, notebook: str) -> float:
    """Open ``notebook`` in Lab, run all its cells, wait until every code cell has run; the seconds it took."""
    # ?reset: a fresh workspace, so the notebook of an earlier test is not open (and counted) beside it.
    page.goto(f"{lab['url']}/lab/tree/notebooks/{notebook}?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=RUN_TIMEOUT,
    )
    t0 = time.perf_counter()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Every code cell has run: its prompt holds a number (not "[*]" or blank).
    page.wait_for_function(
        """() => {
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
          return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=RUN_TIMEOUT,
    )
    return time.perf_counter() - t0


def _check_widgets(page) -> None:
    from playwright.sync_api import expect

    # Rendered widget views (ipywidgets 8 gives each the class jupyter-widgets), not their placeholders.
    expect(page.locator(".jp-OutputArea .jupyter-widgets").first).to_be_attached(timeout=UPDATE_TIMEOUT)
    assert page.get_by_text("Loading widget...").count() == 0
    # no traceback or warning printed by any cell
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, errors
        browser.close()


def _timing(name: str, seconds: float) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "lab-browser.json"
    record = json.loads(path.read_text()) if path.exists() else {}
    record[name] = round(seconds, 2)
    path.write_text(json.dumps(record, indent=2) + "\n")


def test_notebook_00_runs_in_lab_with_live_widgets(lab, browser_page):
    from playwright.sync_api import expect

    page, errors = browser_page
    _timing("00_run_all_cells_s", _open_and_run(page, lab, "00_start_here.ipynb"))
    _check_widgets(page)
    live = page.locator(".widget-output").filter(has_text="Expected total a year").first
    live.scroll_into_view_if_needed()
    before = live.text_content()
    handle = page.locator(".jp-OutputArea [role=slider]").first
    expect(handle).to_be_attached(timeout=UPDATE_TIMEOUT)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([text]) => [...document.querySelectorAll('.widget-output')].some("
        "o => o.textContent.includes('Expected total a year') && o.textContent !== text)",
        arg=[before],
        timeout=UPDATE_TIMEOUT,
    )
    page.screenshot(path=str(ARTIFACTS / "lab-00.png"))
    assert [e for e in errors if not any(h in e for h in _HARMLESS)] == []


def test_the_client_data_notebook_runs_in_lab(lab, browser_page):
    page, errors = browser_page
    _timing("06_run_all_cells_s", _open_and_run(page, lab, "06_your_data.ipynb"))
    _check_widgets(page)
    page.locator(".jp-OutputArea .jupyter-widgets").last.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lab-06.png"))
    assert [e for e in errors if not any(h in e for h in _HARMLESS)] == []
