"""The dashboard's "How sure are we" tab: computed only when opened, the report's figures, a ticket history's worth."""

from __future__ import annotations

import asyncio
import html
import re

import pytest

from msp_analysis import calibrate, sample_scenario
from msp_analysis.ingest.synthetic import simulate_tickets
from msp_analysis.present.dashboard import Dashboard
from msp_analysis.present.dashboard.doubt import COMPUTE_AFTER_S, DoubtTab, client_calibration
from msp_analysis.present.report.how_sure import draws_for, how_sure

DOUBT_TAB = 4  # after the four charts


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", "", markup, flags=re.S))


@pytest.fixture
def dash(tmp_path):
    d = Dashboard({"Sample organisation": sample_scenario}, trials=300, report_trials=200, out_dir=tmp_path / "r")
    d.doubt.calibration_of = lambda base: None  # the ticket history has its own tests below (it doubles the draws)
    return d


def test_the_sample_clients_folder_holds_the_ticket_history_the_tab_uses():
    calibration = client_calibration(sample_scenario())
    assert calibration is not None and calibration.n_tickets > 100
    assert client_calibration(sample_scenario().replace({"organization.users": 46})) is None  # no such client


def test_nothing_is_computed_until_the_tab_is_opened(dash, tmp_path):
    dash.set("msp_price", 140)
    dash.set("users", 60)
    dash.refine()
    assert dash.doubt.computations == 0
    assert 'data-state="done"' not in dash.doubt.widget.value
    # A draft export (200 simulated years here) of a tab never opened leaves the section out, and says so.
    report = dash.export(tmp_path / "draft")[0].read_text(encoding="utf-8")
    assert dash.doubt.computations == 0 and "left out of this draft" in report
    assert dash.tabs.titles[DOUBT_TAB] == "How sure are we"


def test_the_tab_shows_the_reports_figures_and_the_export_reuses_them(dash, tmp_path):
    dash.tabs.selected_index = DOUBT_TAB
    assert dash.errors == []
    shown = _text(dash.doubt.widget.value)
    h = how_sure(dash.scenario, draws_for(200), dash.seed)
    prob = f"{h.prob_msp_better:.0%}"
    assert f"Chance the MSP is the better choice: {prob} of {h.n:,} draws" in shown
    assert "not the chance the MSP is cheaper in a given year" in shown
    top = [line.split(". ", 1)[1] for line in h.measure_lines()[1:]]
    assert len(top) == 3 and all(t in shown for t in top)
    assert "90% sure up to $" in shown
    done = dash.doubt.computations
    paths = dash.export(tmp_path / "out")
    assert dash.doubt.computations == done  # the export took the tab's figures
    report = _text(next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8"))
    assert f"Chance the MSP is the better choice: {prob} of {h.n:,} draws" in report
    assert all(t in report for t in top)
    assert h.price_line() in report


def test_a_control_moved_with_the_tab_open_recomputes_for_the_new_scenario(dash):
    dash.tabs.selected_index = DOUBT_TAB
    first = _text(dash.doubt.widget.value)
    dash.set("msp_price", 200)
    assert dash.doubt.computations == 2
    assert _text(dash.doubt.widget.value) != first
    dash.set("msp_price", 125)  # back: from the cache
    assert dash.doubt.computations == 2 and _text(dash.doubt.widget.value) == first


def test_a_client_with_tickets_sees_what_the_history_was_worth():
    s = sample_scenario()
    calibration = calibrate(simulate_tickets(s, months=24, seed=7), users=45, scenario=s, level=0.9)
    tab = DoubtTab(1_000, 3, calibration_of=lambda base: calibration)
    tab.show(s, s)
    shown = _text(tab.widget.value)
    h = tab.result(s, s)
    assert h.history is not None and h.history.realised >= 0
    assert "Your ticket history was worth" in shown
    assert f"Your ticket history ({calibration.n_tickets:,} tickets over" in shown
    assert "Before anyone looked at it, a history that long was expected to be worth $" in shown
    assert "before the data and" in shown


def test_on_the_event_loop_the_tab_says_it_is_computing_then_shows_the_figures():
    s = sample_scenario().replace({"msp.per_user_monthly": 131.0})
    tab = DoubtTab(1_000, 5, calibration_of=lambda base: None)

    async def meeting():
        tab.show(s, s)
        states = [tab.widget.value]
        for _ in range(200):
            await asyncio.sleep(COMPUTE_AFTER_S / 5)
            if 'data-state="done"' in tab.widget.value:
                break
        return states[0], tab.widget.value

    busy, done = asyncio.run(meeting())
    assert 'data-state="computing"' in busy and "Computing how sure we are" in _text(busy)
    assert 'data-state="done"' in done and "Chance the MSP is the better choice" in _text(done)


def test_leaving_the_tab_cancels_what_was_pending():
    s = sample_scenario().replace({"msp.per_user_monthly": 133.0})
    tab = DoubtTab(1_000, 6, calibration_of=lambda base: None)

    async def meeting():
        tab.show(s, s)
        tab.cancel()
        await asyncio.sleep(COMPUTE_AFTER_S * 2)

    asyncio.run(meeting())
    assert tab.computations == 0
