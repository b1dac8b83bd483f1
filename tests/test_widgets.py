"""The widgets library: controls from field metadata, the scenario panel, live views, forms, drive()."""

from __future__ import annotations

import asyncio
import datetime
import json
import threading

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W
import matplotlib.pyplot as plt
import pytest

from msp_analysis import Scenario, ValidationError, expected
from msp_analysis.ingest.synthetic import generate_ticket_log
from msp_analysis.model.downtime import estimate_downtime_inputs
from msp_analysis.model.scenario import field_info
from msp_analysis.present import live as protocol
from msp_analysis.present.widgets import controls, forms, live_view, scenario_panel
from msp_analysis.testing import drive

NUMERIC_TYPES = (W.FloatSlider, W.IntSlider)


@pytest.fixture(autouse=True)
def _clean():
    protocol.VIEWS.clear()
    yield
    protocol.VIEWS.clear()
    plt.close("all")


# -- control() -------------------------------------------------------------------------
def test_every_field_gets_a_control_that_shows_its_value_within_the_allowed_range(sample):
    for path in sample.paths():
        info = field_info(path)
        w = controls.control(path, sample)
        value = sample.get(path)
        assert w.value == value, path
        assert info.doc in w.tooltip and info.allowed() in w.tooltip, path
        if info.choices is not None:
            assert isinstance(w, W.Dropdown)
            assert [v for _, v in w.options] == list(info.choices)
        elif info.unit == "text":
            assert isinstance(w, W.Text)
        else:
            assert isinstance(w, W.IntSlider if info.integer else W.FloatSlider), path
            assert w.min <= value <= w.max, path
            if info.low is not None:
                assert w.min > info.low if info.low_open else w.min >= info.low, path
            if info.high is not None:
                assert w.max <= info.high, path
            assert w.step > 0 and w.max > w.min, path
            assert w.continuous_update, path


def test_ui_ranges_come_from_the_table_not_the_validation_bounds(sample):
    w = controls.control("break_fix.hourly_rate", sample)
    assert (w.min, w.max, w.step) == (50, 400, 5)  # validation allows up to 100,000
    users = controls.control("organization.users", sample)
    assert isinstance(users, W.IntSlider) and (users.min, users.max) == (1, 500)


def test_unlisted_paths_get_a_range_around_their_value(sample):
    lo, hi, step = controls.ui_range("security.fine_cap.pci", 500_000.0)
    assert lo > 0 and 1_000_000 <= hi <= 2_000_000 and step > 0
    assert controls.ui_range("incidents.p2.degradation", 0.5) == (0.01, 1.0, 0.01)


def test_labels_carry_units_and_the_currency(sample):
    assert controls.control("msp.per_user_monthly", sample).description == "MSP price per user ($/user/month)"
    eur = sample.replace({"organization.currency": "EUR"})
    assert controls.control("break_fix.trip_fee", eur).description == "Trip fee (€/visit)"
    assert controls.control("msp.sla_adherence", sample).description.endswith("(%)")
    assert controls.control("msp.sla_response_hours.p1", sample).description.startswith("P1 ")


def test_readouts_show_percent_and_money(sample):
    assert controls.control("organization.it_dependency", sample).readout_format == ".0%"
    assert controls.control("msp.annual_escalator", sample).readout_format == ".1%"
    assert controls.control("msp.onboarding_fee", sample).readout_format == ",.0f"
    assert controls.control("break_fix.billing_increment_hours", sample).readout_format == ",.2f"


def test_typed_numbers_are_bounded_by_the_allowed_range(sample):
    w = controls.control("organization.loaded_hourly_cost", sample, kind="text")
    assert isinstance(w, W.BoundedFloatText) and not w.continuous_update
    assert w.min > 0 and w.max == field_info("organization.loaded_hourly_cost").high


def test_overrides_set_widget_attributes(sample):
    w = controls.control("msp.per_user_monthly", sample, max=500.0, description="Price")
    assert w.max == 500.0 and w.description == "Price"


# -- ScenarioControls -----------------------------------------------------------------------
def test_panel_yields_a_validated_scenario_and_keeps_other_fields(sample):
    panel = scenario_panel.ScenarioControls(sample, {"Org": ["organization.users"], "MSP": ["msp.per_user_monthly"]})
    seen = []
    panel.on_change(seen.append)
    panel.widgets["msp.per_user_monthly"].value = 140.0
    s = panel.scenario
    assert isinstance(s, Scenario) and s.msp.per_user_monthly == 140.0
    assert s.replace({"msp.per_user_monthly": 125.0}) == sample
    assert seen == [s]


def test_impossible_combination_shows_the_validation_text_not_a_traceback(sample):
    panel = scenario_panel.ScenarioControls(sample, ["security.severity_median", "security.severity_p90"])
    panel.widgets["security.severity_p90"].value = 10_000.0  # below the median of 16,000
    assert isinstance(panel.problem, ValidationError)
    assert "security.severity_p90: got 10000.0, expected a value above security.severity_median" in panel.error.value
    assert "Traceback" not in panel.error.value
    assert panel.scenario == sample  # the last valid scenario
    panel.widgets["security.severity_median"].value = 5_000.0
    assert panel.problem is None and panel.error.value == ""
    assert panel.scenario.security.severity_p90 == 10_000.0


def test_reset_returns_to_the_starting_scenario(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users", "msp.sla_adherence"])
    panel.widgets["organization.users"].value = 300
    panel.widgets["msp.sla_adherence"].value = 0.7
    calls = []
    panel.on_change(calls.append)
    panel.reset_button.click()
    assert panel.scenario == sample
    assert len(calls) == 1  # one change, not one per control


def test_save_and_load_round_trip(sample, tmp_path):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users", "msp.per_user_monthly"], folder=tmp_path)
    panel.widgets["organization.users"].value = 80
    panel.save_name.value = "acme/q3"
    panel.save_button.click()
    written = tmp_path / "acme" / "q3.json"
    assert written.exists() and "Saved" in panel.message.value
    assert Scenario.from_json(written).organization.users == 80

    other = scenario_panel.ScenarioControls(sample, ["organization.users"], folder=tmp_path)
    loaded = other.load("acme/q3.json")
    assert loaded.organization.users == 80 and other.widgets["organization.users"].value == 80
    other.reset()
    assert other.scenario == sample


def test_load_widens_a_slider_to_show_the_loaded_value(sample, tmp_path):
    big = sample.replace({"organization.users": 2_000, "organization.workstations": 2_100})
    big.to_json(tmp_path / "big.json")
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"], folder=tmp_path)
    panel.load(tmp_path / "big.json")
    w = panel.widgets["organization.users"]
    assert w.value == 2_000 and w.max >= 2_000
    assert panel.scenario.organization.workstations == 2_100  # uncontrolled fields come from the file


def test_load_errors_are_shown_not_raised_from_the_button(sample, tmp_path):
    (tmp_path / "bad.json").write_text('{"schema_version": 1, "organization": ', encoding="utf-8")
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"], folder=tmp_path)
    panel.save_name.value = "bad.json"
    panel.load_button.click()
    assert "valid JSON" in panel.message.value and "Traceback" not in panel.message.value
    panel.save_name.value = "missing.json"
    panel.load_button.click()
    assert "an existing scenario file" in panel.message.value
    assert panel.scenario == sample


def test_upload_loads_a_scenario_and_rejects_bad_bytes(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    data = json.dumps(sample.replace({"organization.users": 12}).to_dict()).encode()
    panel._uploaded({"new": ({"name": "client.json", "size": len(data), "content": memoryview(data)},)})
    assert panel.scenario.organization.users == 12 and "client.json" in panel.message.value
    panel._uploaded({"new": ({"name": "x.json", "size": 3, "content": memoryview(b"\xff\xfe\x00")},)})
    assert "UTF-8" in panel.message.value
    big = b" " * (scenario_panel.MAX_UPLOAD_BYTES + 1)
    panel._uploaded({"new": ({"name": "huge.json", "size": len(big), "content": memoryview(big)},)})
    assert "under" in panel.message.value and panel.scenario.organization.users == 12


def test_set_values_sets_controlled_and_uncontrolled_fields_at_once(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.loaded_hourly_cost"])
    calls = []
    panel.on_change(calls.append)
    panel.set_values({"organization.loaded_hourly_cost": 90.0, "organization.it_dependency": 0.5})
    assert panel.scenario.organization.loaded_hourly_cost == 90.0
    assert panel.scenario.organization.it_dependency == 0.5
    assert len(calls) == 1
    with pytest.raises(ValidationError):
        panel.set_values({"organization.loaded_hourly_cost": 80.0, "organization.it_dependency": 1.5})
    assert panel.scenario.organization.loaded_hourly_cost == 90.0  # nothing changed


def test_buttons_have_no_icons(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    for b in (panel.reset_button, panel.save_button, panel.load_button, panel.upload):
        assert b.icon == ""


# -- LiveView -------------------------------------------------------------------------------
def _view(sample, **kwargs):
    panel = scenario_panel.ScenarioControls(sample, ["msp.per_user_monthly", "msp.sla_miss_excess_median"])
    out = {"computes": 0}

    def compute(scenario, trials, seed):
        out["computes"] += 1
        return {"scenario": scenario, "trials": trials, "thread": threading.current_thread().name}

    def exact(s):
        print(f"msp {expected(s).loc['total_cost', 'msp']:,.0f}")

    def simulated(r):
        print(f"simulated {r['trials']} at {r['scenario'].msp.per_user_monthly:g}")

    view = live_view.LiveView(panel, exact=exact, simulated=simulated, compute=compute, **kwargs)
    return panel, view, out


def _text(output):
    return "".join(o.get("text", "") for o in output.outputs)


def test_view_registers_and_renders_synchronously_without_a_loop(sample):
    panel, view, _ = _view(sample, trials=100)
    assert list(protocol.VIEWS) == [view]
    assert view.renders == {"exact": 1, "simulated": 1}
    panel.widgets["msp.per_user_monthly"].value = 150.0  # no running loop: simulation runs at once
    assert view.renders == {"exact": 2, "simulated": 2}
    assert _text(view.simulated_output) == "simulated 100 at 150\n"
    assert "up to date" in view.status.value and view.errors == []


def test_max_trials_caps_the_simulation(sample, monkeypatch):
    monkeypatch.setattr(protocol, "MAX_TRIALS", 7)
    _, view, _ = _view(sample, trials=100)
    assert _text(view.simulated_output) == "simulated 7 at 125\n"


def test_invalid_settings_do_not_redraw_and_are_not_view_errors(sample):
    panel, view, _ = _view(sample)
    panel.widgets["msp.sla_miss_excess_median"].value = 5.0  # above the p90 of 4
    assert view.problem is not None and view.renders == {"exact": 1, "simulated": 1}
    assert view.errors == []


def test_a_failing_callback_shows_a_readable_message_and_is_recorded(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])

    def exact(s):
        if s.organization.users > 100:
            raise ZeroDivisionError("no room for that many")
        print("ok")

    view = live_view.live(panel, exact=exact)
    panel.widgets["organization.users"].value = 200
    assert len(view.errors) == 1 and isinstance(view.errors[0], ZeroDivisionError)
    html = view.exact_output.outputs[0]["data"]["text/html"]
    assert "ZeroDivisionError: no room for that many" in html and "Traceback" not in html
    panel.widgets["organization.users"].value = 50
    assert _text(view.exact_output) == "ok\n"


def test_a_failing_simulation_is_recorded_and_shown(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])

    def compute(scenario, trials, seed):
        raise ValidationError("trials", trials, "something else")

    view = live_view.live(panel, simulated=lambda r: None, compute=compute)
    assert isinstance(view.errors[0], ValidationError)
    assert "Impossible combination:" in view.simulated_output.outputs[0]["data"]["text/html"]


def test_figures_left_open_become_pngs_and_are_closed(sample):
    from msp_analysis.present.plotting import plot_cost_breakdown

    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    before = set(plt.get_fignums())

    def exact(s):
        print("table")
        plot_cost_breakdown(expected(s))

    view = live_view.live(panel, exact=exact)
    kinds = [o["output_type"] for o in view.exact_output.outputs]
    assert kinds == ["stream", "display_data"]
    assert view.exact_output.outputs[1]["data"]["image/png"]
    assert set(plt.get_fignums()) == before


def test_params_redraw_from_the_cached_simulation_unless_compute_takes_them(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    budget = W.FloatSlider(value=50_000, min=0, max=100_000)
    weight = W.FloatSlider(value=1, min=0, max=5)
    calls = {"n": 0}

    def compute(scenario, trials, seed, weight):
        calls["n"] += 1
        return weight

    seen = []
    view = live_view.live(
        panel,
        simulated=lambda r, budget, weight: seen.append((r, budget)),
        compute=compute,
        params={"budget": budget, "weight": weight},
    )
    assert calls["n"] == 1
    budget.value = 60_000
    assert calls["n"] == 1 and seen[-1] == (1, 60_000)  # redrawn, not recomputed
    weight.value = 2
    assert calls["n"] == 2 and seen[-1] == (2, 60_000)
    assert view.controls[-2:] == [budget, weight]


def test_simulation_is_debounced_in_a_worker_thread_when_a_loop_runs(sample, monkeypatch):
    monkeypatch.setattr(live_view, "DEBOUNCE_SECONDS", 0.05)
    panel, view, out = _view(sample, trials=10)
    threads = []
    view.simulated_fn = lambda r: threads.append(r["thread"]) or print(r["scenario"].msp.per_user_monthly)

    async def scenario():
        w = panel.widgets["msp.per_user_monthly"]
        for value in (130.0, 135.0, 140.0):  # three quick moves: one simulation
            w.value = value
            assert view.pending and view.renders["exact"] >= 2
        for _ in range(200):
            await asyncio.sleep(0.02)
            if not view.pending:
                break

    asyncio.run(scenario())
    assert not view.pending
    assert out["computes"] == 2  # the first render and one debounced run
    assert threads[-1].startswith("msp-simulation")
    assert _text(view.simulated_output) == "140.0\n"


def test_flush_runs_a_pending_simulation_now(sample, monkeypatch):
    monkeypatch.setattr(live_view, "DEBOUNCE_SECONDS", 60.0)
    panel, view, out = _view(sample, trials=10)

    async def scenario():
        panel.widgets["msp.per_user_monthly"].value = 200.0
        assert view.pending
        view.flush()
        assert not view.pending

    asyncio.run(scenario())
    assert out["computes"] == 2 and _text(view.simulated_output) == "simulated 10 at 200\n"


def test_a_long_simulation_shows_progress(sample, monkeypatch):
    import time

    monkeypatch.setattr(live_view, "DEBOUNCE_SECONDS", 0.0)
    monkeypatch.setattr(live_view, "PROGRESS_AFTER_SECONDS", 0.05)
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    gate = threading.Event()
    seen = []

    def compute(scenario, trials, seed):
        if scenario.organization.users != sample.organization.users:
            gate.wait(5)
        return scenario.organization.users

    view = live_view.live(panel, simulated=lambda r: print(r), compute=compute)

    async def scenario():
        panel.widgets["organization.users"].value = 60
        for _ in range(250):
            await asyncio.sleep(0.02)
            if view.progress.layout.visibility == "visible":
                seen.append(view.status.value)
                break
        gate.set()
        for _ in range(250):
            await asyncio.sleep(0.02)
            if not view.pending:
                break

    start = time.perf_counter()
    asyncio.run(scenario())
    assert time.perf_counter() - start < 10
    assert seen and "Simulating" in seen[0]
    assert view.progress.layout.visibility == "hidden" and _text(view.simulated_output) == "60\n"


def test_a_newer_change_overtakes_a_running_simulation(sample, monkeypatch):
    monkeypatch.setattr(live_view, "DEBOUNCE_SECONDS", 0.0)
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    gate = threading.Event()

    def compute(scenario, trials, seed):
        if scenario.organization.users == 60:
            gate.wait(5)
        return scenario.organization.users

    view = live_view.live(panel, simulated=lambda r: print(r), compute=compute)

    async def scenario():
        panel.widgets["organization.users"].value = 60
        await asyncio.sleep(0.05)  # the run for 60 starts and blocks
        panel.widgets["organization.users"].value = 70
        view.flush()  # 70 is drawn now; 60's result must not replace it
        gate.set()
        await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert _text(view.simulated_output) == "70\n"


def test_a_run_that_finishes_after_a_newer_change_is_not_drawn(sample, monkeypatch):
    # The user pauses mid-drag (a run starts), moves on (a new run is scheduled), and the first run
    # finishes before the new one starts: its result is stale and the newer settings must still be simulated.
    monkeypatch.setattr(live_view, "DEBOUNCE_SECONDS", 0.0)
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    gate = threading.Event()
    started = threading.Event()

    def compute(scenario, trials, seed):
        if scenario.organization.users == 60:
            started.set()
            gate.wait(5)
        return scenario.organization.users

    view = live_view.live(panel, simulated=lambda r: print(r), compute=compute)

    async def scenario():
        loop = asyncio.get_running_loop()
        panel.widgets["organization.users"].value = 60
        while not started.is_set():
            await asyncio.sleep(0.01)
        view.debounce = 0.3
        panel.widgets["organization.users"].value = 70  # scheduled, not started
        gate.set()
        deadline = loop.time() + 5
        while (view.pending or _text(view.simulated_output) != "70\n") and loop.time() < deadline:
            await asyncio.sleep(0.02)

    asyncio.run(scenario())
    assert _text(view.simulated_output) == "70\n" and not view.pending


# -- the downtime-cost form -------------------------------------------------------------------
def test_estimate_downtime_inputs_is_salary_overhead_and_lost_revenue():
    est = estimate_downtime_inputs(94_000, 0.5, 2_000, 0.6, 10_000_000, 0.2)
    assert est == {
        "organization.loaded_hourly_cost": pytest.approx(70.5),
        "organization.it_dependency": 0.6,
        "organization.revenue_per_outage_hour": pytest.approx(1_000.0),
    }
    with pytest.raises(ValidationError):
        estimate_downtime_inputs(1, 0, 0, 0.5, 1, 0.1)


def test_downtime_form_starts_from_the_scenario_and_applies_its_answer(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.loaded_hourly_cost"])
    form = forms.downtime_cost_form(panel)
    text = _text(form.exact_output)
    assert "An hour of full outage costs about" in text and "45 users" in text
    form.params["it_share"].value = 0.9
    form.params["annual_salary"].value = 120_000
    form.apply()
    s = panel.scenario
    assert s.organization.it_dependency == 0.9
    assert s.organization.loaded_hourly_cost == pytest.approx(120_000 * 1.3 / 1880)
    assert panel.widgets["organization.loaded_hourly_cost"].value == pytest.approx(120_000 * 1.3 / 1880)
    # lost revenue is carried per user too, so it follows headcount (issue 12)
    org = s.organization
    assert org.revenue_per_user_hour == pytest.approx(org.revenue_per_outage_hour / org.users)
    assert "never added" in _text(form.exact_output)
    assert form.errors == []


# -- the calibration panel ----------------------------------------------------------------------
def _export(scenario, extra: bytes = b"") -> bytes:
    """A year of a ConnectWise-style export generated from ``scenario`` (known parameters), as CSV bytes."""
    return generate_ticket_log(scenario, months=12, seed=5).to_csv(index=False).encode() + extra


def _upload(form, name: str, data: bytes) -> None:
    entry = {"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data)}
    form.upload.value = ({**entry, "last_modified": datetime.datetime(2024, 1, 1)},)


# A row with three mistakes, in the export's own columns (Ticket #, ..., Date Entered, ..., Actual Hours, Status).
_BAD_ROW = b"99999,X,bad,Help Desk,Incident,Whenever,Remote,03/32/2024 10:00 AM,,,-2,Closed\n"


def test_calibration_panel_calibrates_an_upload_and_the_controls_follow(sample):
    form = forms.CalibrationPanel(sample, trials=100)
    before = dict(form.view.renders)
    _upload(form, "tickets.csv", _export(sample))
    form.run_button.click()
    result = form.result
    assert result is not None and form.errors == []
    assert result.n_tickets == len(form.tickets) == form.ticket_report.rows_kept
    text = _text(form.report_output)
    assert "tickets.csv" in text and "rows read" in text  # the validation report
    assert str(result) in text and "from the data" in text  # the calibration and its table
    assert form.panel.scenario == result.apply(sample)
    assert form.view.renders["exact"] > before["exact"] and form.view.errors == []
    assert "calibrated on tickets.csv" in form.panel.message.value


def test_calibration_panel_names_the_problems_of_a_bad_file_and_can_set_them_aside(sample):
    form = forms.CalibrationPanel(sample, trials=100)
    _upload(form, "export.csv", _export(sample, _BAD_ROW))
    form.run_button.click()
    text = _text(form.report_output)
    assert "export.csv" in text and "'03/32/2024 10:00 AM' is not a date" in text and "Whenever" in text
    assert form.result is None and form.errors == [] and form.panel.scenario == sample
    form.lenient_box.value = True
    form.run_button.click()
    assert form.result is not None and form.ticket_report.rows_set_aside == 1 and form.errors == []


def test_calibration_panel_reads_a_typed_path_and_asks_for_a_file_when_there_is_none(sample, tmp_path):
    form = forms.CalibrationPanel(sample, trials=100)
    assert form.run() is None and _text(form.report_output) == "Upload a file or type a path first.\n"
    (tmp_path / "tickets.csv").write_bytes(_export(sample))
    form.path_box.value = str(tmp_path / "tickets.csv")
    assert form.run() is form.result is not None
    form.path_box.value = str(tmp_path / "missing.csv")
    assert form.run() is None and "no such file" in _text(form.report_output) and form.errors == []


def test_calibration_panel_shows_a_bug_as_a_bug(sample, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("opened")

    monkeypatch.setattr(forms, "calibrate", broken)
    form = forms.CalibrationPanel(sample, trials=100)
    form.run(_export(sample))
    assert len(form.errors) == 1 and isinstance(form.errors[0], KeyError)
    html = form.report_output.outputs[0]["data"]["text/html"]
    assert "KeyError: &#x27;opened&#x27;" in html and "Where it failed" in html and "in broken" in html
    assert form.panel.scenario == sample


# -- registry and drive() ------------------------------------------------------------------------
def test_register_accepts_only_drivable_views():
    class Fake:
        controls, errors = [], []

        def flush(self):
            pass

    f = Fake()
    protocol.register(f)
    assert f in list(protocol.VIEWS)
    with pytest.raises(TypeError, match=r"no \.controls"):
        protocol.register(object())


def test_registry_holds_views_weakly(sample):
    import gc

    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    view = live_view.live(panel, exact=lambda s: None)
    assert len(protocol.VIEWS) == 1
    for w in [*panel.controls, view.exact_output, view.widget, panel.widget]:
        w.close()
    panel._listeners.clear()
    del view
    gc.collect()
    assert len(protocol.VIEWS) == 0


def test_drive_sets_every_control_and_passes_a_sound_view(sample):
    panel = scenario_panel.ScenarioControls(
        sample,
        ["organization.users", "organization.compliance", "msp.sla_miss_excess_median", "msp.sla_miss_excess_p90"],
    )
    view = live_view.live(panel, exact=lambda s: print(expected(s).loc["total_cost"].sum()), trials=50)
    start = panel.scenario
    report = drive(combinations=2)
    assert report["errors"] == [] and report["stale"] == []
    assert report["settings"] >= 2 * 3 + 4 + 4 and report["invalid"] >= 1  # p90 at its minimum is below the median
    assert report["renders"]["exact"] > 5
    assert panel.scenario == start and view.errors == []  # restored


def test_drive_reports_callback_errors(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])

    def exact(s):
        if s.organization.users == 500:
            raise RuntimeError("breaks at the maximum")

    live_view.live(panel, exact=exact)
    report = drive(combinations=0)
    assert any("breaks at the maximum" in e for e in report["errors"])


def test_drive_reports_views_that_do_not_redraw(sample):
    panel = scenario_panel.ScenarioControls(sample, ["organization.users"])
    view = live_view.live(panel, exact=lambda s: None)
    view._render_exact = lambda: None  # a view that forgets to redraw
    report = drive(combinations=0)
    assert report["stale"] and "did not redraw" in report["stale"][0]
