"""The client presentation in a real browser: Voilà served as ``make present`` serves it,
driven by Playwright in Debian's headless Chromium.

Checks what a consultant relies on in a meeting: the page renders with no
page error, moving a slider and switching scenario change the headline
figures, the export button writes the report, and nothing the page asks for
leaves 127.0.0.1. A screenshot is saved to ``artifacts/dashboard.png``.

Without Chromium the test is skipped, saying how to install it
(``sudo apt-get install chromium``; never ``playwright install``, which
downloads a browser). ``MSP_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns
the skip into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from msp_analysis import sample_scenario
from msp_analysis.present.dashboard import voila_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
REQUIRED = os.environ.get("MSP_REQUIRE_BROWSER") == "1"
LOAD_TIMEOUT = 120_000  # ms: kernel start and first render on a busy machine
UPDATE_TIMEOUT = 30_000
CLIENT_NAME = "Bayside Clinic"


def _unavailable(why: str):
    if REQUIRED:
        pytest.fail(f"{why}, and MSP_REQUIRE_BROWSER=1 makes the browser test mandatory")
    pytest.skip(
        f"{why}: install Debian's Chromium with `sudo apt-get install chromium` to run the browser test "
        "(never `playwright install`)"
    )


def _chromium() -> str:
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not path:
        _unavailable("no Chromium at /usr/bin/chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements.txt)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Voila exited with status {proc.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Voila did not listen on 127.0.0.1:{port} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop Voila and every kernel it started (they may sit in their own sessions)."""
    import psutil

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    with _suppress():
        os.killpg(proc.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with _suppress():
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    _, alive = psutil.wait_procs(family, timeout=10)
    for p in alive:
        with _suppress():
            p.kill()


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        return kind is not None and issubclass(kind, (ProcessLookupError, PermissionError, OSError))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Voila as `make present` starts it, on a free port, with a data folder holding one extra client."""
    _chromium()
    tmp = tmp_path_factory.mktemp("present")
    data = tmp / "data"
    (data / "clients" / "bayside").mkdir(parents=True)
    client = sample_scenario().replace({"organization.name": CLIENT_NAME, "organization.users": 120})
    client.to_json(data / "clients" / "bayside" / "scenario.json")
    reports = tmp / "reports"
    port = _free_port()
    argv, env = voila_command(port)
    env.update({"MSP_ANALYSIS_DATA": str(data), "MSP_ANALYSIS_REPORTS": str(reports)})
    log = tmp / "voila.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    try:
        _wait_listening(port, proc, log)
        yield {"url": f"http://127.0.0.1:{port}/", "port": port, "reports": reports, "log": log}
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def session(server):
    """One page for the whole module, with every request, websocket, page error and console error recorded."""
    from playwright.sync_api import expect, sync_playwright

    record = {"requests": [], "websockets": [], "page_errors": [], "console_errors": [], "timings": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("request", lambda r: record["requests"].append(r.url))
        page.on("websocket", lambda w: record["websockets"].append(w.url))
        page.on("pageerror", lambda e: record["page_errors"].append(str(e)))
        page.on("console", lambda m: record["console_errors"].append(m.text) if m.type == "error" else None)
        t0 = time.perf_counter()
        page.goto(server["url"], wait_until="domcontentloaded")
        expect(page.locator('[data-figure="total"]')).to_be_visible(timeout=LOAD_TIMEOUT)
        expect(page.locator("img.msp-chart-distribution")).to_be_visible(timeout=LOAD_TIMEOUT)
        expect(page.locator(".msp-control-msp_price [role=slider]")).to_be_visible(timeout=LOAD_TIMEOUT)
        record["timings"]["interactive_s"] = round(time.perf_counter() - t0, 2)
        yield page, record
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "dashboard-browser.json").write_text(json.dumps(record["timings"], indent=2) + "\n")
        browser.close()


def _text(page, selector: str) -> str:
    return page.locator(selector).text_content()


def _wait_text_change(page, selector: str, old: str) -> float:
    """Wait until the element's text differs from ``old``; returns the seconds it took."""
    t0 = time.perf_counter()
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); return e && e.textContent !== old; }",
        arg=[selector, old],
        timeout=UPDATE_TIMEOUT,
    )
    return time.perf_counter() - t0


TOTAL = '[data-figure="total"]'
SAVINGS = '[data-figure="savings"]'


def test_page_renders_the_dashboard_without_errors(session):
    from playwright.sync_api import expect

    page, record = session
    expect(page.locator(".msp-title")).to_contain_text("Break/Fix or MSP? Harbourview Partners (sample)")
    expect(page.locator(".msp-card")).to_have_count(8)
    assert re.search(r"\$\d{2,3},\d{3}", _text(page, TOTAL))
    width = page.locator("img.msp-chart-distribution").evaluate("img => img.naturalWidth")
    assert width > 400
    # a code-free page: no source cells, and the notebook's narrative (tagged voila-hide) left out
    assert page.locator(".jp-InputArea-editor:visible").count() == 0
    assert "What this notebook answers" not in page.content()
    sources = page.get_by_text("Assumptions and their sources")
    sources.scroll_into_view_if_needed()
    expect(sources).to_be_in_viewport()
    expect(page.locator(".msp-table")).to_contain_text("iknowtech.com, rate schedule, 2023")
    page.locator(".msp-title").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert record["page_errors"] == []
    assert record["console_errors"] == []


def test_moving_a_slider_changes_the_headline_figures(session):
    from playwright.sync_api import expect

    page, record = session
    before_total, before_savings = _text(page, TOTAL), _text(page, SAVINGS)
    chart_src = page.locator("img.msp-chart-distribution").get_attribute("src")
    handle = page.locator(".msp-control-msp_price [role=slider]")
    start = float(handle.get_attribute("aria-valuenow"))
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", re.compile(rf"^{start + 10:g}(\.0)?$"))
    record["timings"]["slider_to_figures_s"] = round(_wait_text_change(page, TOTAL, before_total), 3)
    assert _text(page, SAVINGS) != before_savings
    page.wait_for_function(
        "old => document.querySelector('img.msp-chart-distribution').src !== old", arg=chart_src, timeout=UPDATE_TIMEOUT
    )
    assert record["page_errors"] == []


def test_switching_scenario_changes_the_headline_figures(session):
    from playwright.sync_api import expect

    page, record = session
    before = _text(page, TOTAL)
    page.locator(".msp-scenario select").select_option(label=f"Client: {CLIENT_NAME}")
    expect(page.locator(".msp-title")).to_contain_text(CLIENT_NAME, timeout=UPDATE_TIMEOUT)
    _wait_text_change(page, TOTAL, before)
    expect(page.locator(".msp-control-users [role=slider]")).to_have_attribute(
        "aria-valuenow", re.compile(r"^120(\.0)?$")
    )
    expect(page.locator(".msp-sub")).to_contain_text("120 users")
    assert record["page_errors"] == []


def test_export_button_writes_the_report_files(session, server):
    from playwright.sync_api import expect

    page, record = session
    page.locator("button.msp-export").scroll_into_view_if_needed()
    page.locator("button.msp-export").click()
    expect(page.locator(".msp-export-status")).to_contain_text("Report written to", timeout=LOAD_TIMEOUT)
    # At 1280x720 the confirmation was below the fold: it must be in view wherever the page is scrolled.
    expect(page.locator(".msp-export-status .msp-ok")).to_be_in_viewport()
    page.locator(".msp-title").scroll_into_view_if_needed()
    expect(page.locator(".msp-export-status .msp-ok")).to_be_in_viewport()
    folders = [p for p in server["reports"].iterdir() if p.is_dir()]
    assert len(folders) == 1 and folders[0].name.startswith("bayside-clinic-")
    files = sorted(p.suffix for p in folders[0].iterdir())
    assert files == [".html", ".pdf", ".pptx"]
    expect(page.locator(".msp-export-status")).to_contain_text(folders[0].name)
    html = next(folders[0].glob("*.html")).read_text(encoding="utf-8")
    assert CLIENT_NAME in html and not re.search(r"https?://", html)
    assert record["page_errors"] == []


def test_every_figure_on_screen_is_in_the_exported_report(session, server):
    """The screen and the leave-behind agree: after Export (which refines the screen to the report's
    simulated years first) every amount and percentage in the headline cards (availability aside: the
    report does not hold it) and every value in the assumptions table is found in the HTML report,
    and the headline figures in the PowerPoint deck."""
    import html as html_lib

    from playwright.sync_api import expect
    from pptx import Presentation

    page, record = session
    expect(page.locator(".msp-sub")).to_contain_text("as in the report", timeout=UPDATE_TIMEOUT)
    folder = max((p for p in server["reports"].iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    report = html_lib.unescape(re.sub(r"<[^>]+>", "", next(folder.glob("*.html")).read_text(encoding="utf-8")))
    cards = page.evaluate(
        "() => [...document.querySelectorAll('.msp-card:not([data-figure=availability])')].map(c => c.innerText).join(' ')"
    )
    figures = re.findall(r"-?\$[\d,]+|[<>]?\d+(?:\.\d+)?%", cards)
    assert len(figures) >= 12, cards
    assert [f for f in figures if f not in report] == []
    values = page.locator(".msp-table td:nth-child(3)").all_text_contents()
    assert values and [v for v in values if v not in report] == []
    deck = Presentation(str(next(folder.glob("*.pptx"))))
    cells = " ".join(
        c.text for s in deck.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells
    )
    assert [f for f in figures if f not in cells] == []
    assert record["page_errors"] == []


def test_the_invoices_and_what_the_msp_must_deliver_are_on_screen_first_and_in_the_report(session, server):
    """Issue 12: the fees alone and the operational break-even above the headline cards, in view at
    1280x720, and the same sentences (the fees, N and M) in the exported HTML and PowerPoint."""
    import html as html_lib

    from playwright.sync_api import expect
    from pptx import Presentation

    page, _record = session
    page.locator(".msp-title").scroll_into_view_if_needed()
    fees, must = page.locator('[data-deliver="fees"]'), page.locator('[data-deliver="break-even"]')
    expect(fees).to_contain_text("On fees alone (what the invoices say)")
    expect(must).to_contain_text(re.compile(r"user-hours of downtime a year|avoids no downtime|can pay for it"))
    expect(fees).to_be_in_viewport()
    assert fees.bounding_box()["y"] < page.locator(TOTAL).bounding_box()["y"]
    expect(page.locator(".msp-deliver")).to_contain_text("assumption")
    fees_line, must_line = fees.text_content(), must.text_content()
    folder = max((p for p in server["reports"].iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    report = html_lib.unescape(re.sub(r"<[^>]+>", "", next(folder.glob("*.html")).read_text(encoding="utf-8")))
    assert fees_line in report and must_line in report
    assert report.index(fees_line) < report.index("Headline figures")
    deck = Presentation(str(next(folder.glob("*.pptx"))))
    slide = " ".join(sh.text_frame.text for sh in deck.slides[1].shapes if sh.has_text_frame)
    assert fees_line in slide and must_line in slide


DOUBT_TIMEOUT = 150_000  # ms: the tab's 2,000 draws take ~7 s on an idle machine, minutes on a loaded one


def test_the_how_sure_tab_shows_its_figures_and_the_export_holds_them(session, server):
    """Issue 14: the "How sure are we" tab shows P(MSP is the better choice),
    labelled apart from the headline's chance the MSP is cheaper in a year, and the top three inputs or
    topics worth measuring with their value; the report exported of the same scenario holds the same figures."""
    import html as html_lib

    from playwright.sync_api import expect

    page, record = session
    tab = page.locator(".lm-TabBar-tab", has_text="How sure are we")
    tab.click()
    expect(page.locator(".msp-doubt")).to_have_count(1)
    expect(page.locator('.msp-doubt[data-state="done"]')).to_be_visible(timeout=DOUBT_TIMEOUT)
    prob = _text(page, '.msp-doubt [data-figure="prob-better"]')
    assert re.fullmatch(r"[<>]?\d+%", prob), prob
    expect(page.locator('.msp-doubt [data-figure="doubt-prob"]')).to_contain_text("the better choice")
    expect(page.locator('.msp-doubt [data-figure="doubt-prob"]')).to_contain_text(prob)
    assert "cheaper" not in _text(page, '.msp-doubt [data-figure="doubt-prob"]')
    top = page.locator('.msp-doubt li[data-figure="measure"]').all_text_contents()
    assert len(top) == 3 and all(re.search(r": \$[\d,]+ \(± \$[\d,]+\)$", t) for t in top), top
    # The report exported above (test_export_button_writes_the_report_files) is of this scenario: its
    # export computed the section with the tab's draws and seed, and the tab shows those figures.
    folder = max((p for p in server["reports"].iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    assert folder.name.startswith("bayside-clinic-")
    report = html_lib.unescape(re.sub(r"<[^>]+>", "", next(folder.glob("*.html")).read_text(encoding="utf-8")))
    assert f"Chance the MSP is the better choice: {prob} of " in report
    assert [t for t in top if t not in report] == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-how-sure.png"))
    page.locator(".lm-TabBar-tab").first.click()  # back to the first chart for the tests that follow
    assert record["page_errors"] == []


def test_a_later_opening_gets_the_preheated_kernel(session, server):
    """The page opened when the server started waited for the presentation to run; a later opening takes
    the pool's kernel, which has already run it. Its time to interactive is logged (the goal is checked in
    `make bench`, never here: no timed asserts in tests)."""
    from playwright.sync_api import expect

    page, record = session
    time.sleep(8)  # the pool refills a second after its kernel was taken, then runs the presentation
    second = page.context.browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        t0 = time.perf_counter()
        second.goto(server["url"], wait_until="domcontentloaded")
        expect(second.locator('[data-figure="total"]')).to_be_visible(timeout=LOAD_TIMEOUT)
        expect(second.locator(".msp-control-msp_price [role=slider]")).to_be_visible(timeout=LOAD_TIMEOUT)
        record["timings"]["interactive_preheated_s"] = round(time.perf_counter() - t0, 2)
        expect(second.locator(".msp-sub")).to_contain_text("as in the report", timeout=UPDATE_TIMEOUT)
    finally:
        second.close()
    assert record["page_errors"] == []


def test_nothing_the_page_asks_for_leaves_localhost(session, server):
    """Every request and websocket of the whole session (load, slider, scenario, export) went to 127.0.0.1."""
    _page, record = session
    origin = f"127.0.0.1:{server['port']}/"
    local = (f"http://{origin}", f"ws://{origin}", f"blob:http://{origin}", "data:")
    assert record["requests"] and record["websockets"]
    outside = [u for u in record["requests"] + record["websockets"] if not u.startswith(local)]
    assert outside == []
    assert record["page_errors"] == [] and record["console_errors"] == []


# Elements whose text must be shown whole: card amounts and labels, the selectors, tab labels, the button.
_CUT_OFF_JS = """() => {
  const out = [], W = window.innerWidth;
  const whole = '.msp-card .row span, .msp-card .k, .msp-card .v, .msp-title, select, .lm-TabBar-tab, button.msp-export';
  for (const el of document.querySelectorAll(whole)) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    if (r.right > W + 1 || r.left < -1) out.push(['off screen', el.innerText.slice(0, 40)]);
    else if (el.scrollWidth > el.clientWidth + 1) out.push(['cut off', el.innerText.slice(0, 40)]);
  }
  for (const card of document.querySelectorAll('.msp-card')) {
    const c = card.getBoundingClientRect();
    for (const s of card.querySelectorAll('span')) {
      if (s.getBoundingClientRect().right > c.right + 1) out.push(['outside its card', s.innerText]);
    }
  }
  // A widget box scrolls by default: a few pixels too many showed scrollbars beside the controls and
  // the scenario selector in a desktop browser (headless Chromium hides them, so measure instead).
  for (const el of document.querySelectorAll('.msp-dash, .msp-dash *')) {
    const s = getComputedStyle(el), scrolls = v => v === 'auto' || v === 'scroll';
    if ((scrolls(s.overflowX) && el.scrollWidth > el.clientWidth) || (scrolls(s.overflowY) && el.scrollHeight > el.clientHeight))
      out.push(['scrollbar', el.className.toString().slice(0, 60), (el.innerText || '').slice(0, 30)]);
  }
  return out;
}"""


@pytest.mark.parametrize("size", [(1024, 768), (1366, 768), (1280, 720), (1920, 1080)])
def test_nothing_is_cut_off_on_a_projector_or_laptop(session, size):
    """An XGA projector (1024x768) showed '$138,' for an amount, the scenario selector half off
    screen and the last chart tab cut; laptops and 1280x720 must stay whole too, with no stray
    scrollbar inside the dashboard."""
    page, record = session
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    try:
        page.wait_for_function("w => window.innerWidth === w", arg=width)
        page.wait_for_timeout(200)  # one layout pass after the resize
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}x{height}.png"))
        assert page.evaluate(_CUT_OFF_JS) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
    assert record["page_errors"] == []
