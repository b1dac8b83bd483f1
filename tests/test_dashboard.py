"""The presentation dashboard's logic, driven without a browser (the browser test drives the page)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from msp_analysis import ValidationError, expected, sample_scenario
from msp_analysis.present import live
from msp_analysis.present.dashboard import TEMPLATE, Dashboard, available_scenarios, measure_latency, voila_command
from msp_analysis.testing import drive


def _other():
    return sample_scenario().replace({"organization.name": "Bayside <Clinic>", "organization.users": 120})


def _broken():
    raise ValidationError("organization.users", -3, "a whole number in [1, 1,000,000] (users)")


@pytest.fixture
def dash(tmp_path):
    scenarios = {"Sample organisation": sample_scenario, "Client: bayside": _other(), "Client: broken": _broken}
    return Dashboard(scenarios, trials=300, report_trials=200, out_dir=tmp_path / "reports")


def _total(d, model):
    return d.headline.total[model]


def test_starts_on_the_first_scenario_with_exact_figures(dash):
    exp = expected(sample_scenario()).loc["total_cost"]
    assert dash.headline.total == pytest.approx(exp.to_dict())
    assert "Harbourview Partners (sample)" in dash.title.value
    assert 'data-figure="savings"' in dash.cards.value
    assert dash.inputs["users"].value == 45 and dash.inputs["msp_price"].value == 125
    assert dash.errors == []
    assert dash in list(live.VIEWS)
    assert bytes(dash.charts["distribution"].image.value).startswith(b"\x89PNG")


def test_a_slider_changes_the_figures(dash):
    before = dict(dash.headline.total)
    dash.set("msp_price", 150)
    assert _total(dash, "msp") > before["msp"]
    assert _total(dash, "break_fix") == pytest.approx(before["break_fix"])
    assert dash.scenario.msp.per_user_monthly == 150
    assert dash.errors == []


def test_headcount_scales_devices_and_rate_keeps_the_remote_ratio(dash):
    dash.set("users", 90)
    org = dash.scenario.organization
    assert (org.users, org.workstations, org.servers) == (90, 100, 6)
    dash.set("hourly_rate", 200)
    bf = dash.scenario.break_fix
    assert bf.hourly_rate == 200 and bf.remote_hourly_rate == pytest.approx(140 * 200 / 150)
    assert dash.errors == []


def test_the_subtitle_counts_agree_in_number(dash):
    # at one user the subtitle read "1 users · 1 workstations · 1 servers"
    dash.set("users", 1)
    assert "1 user · 1 workstation · 1 server ·" in dash.title.value
    dash.set("users", 45)
    assert "45 users · 50 workstations · 3 servers ·" in dash.title.value
    assert dash.errors == []


def test_budget_slider_reaches_past_the_fees_after_a_headcount_change(dash):
    # At 500 users the MSP's fees were ~$816,000 a year (~$2.1M at the top price) but the budget stopped at $150,000:
    # "IT bill over budget" sat at 100% and no budget could be asked about.
    budget = dash.inputs["budget"]
    start = budget.value
    dash.set("users", 500)
    fees = max(dash._comps[m]["fees"] for m in ("break_fix", "msp"))
    # value and step kept: a browser slider snaps its value to a new step (50,000 became 60,000)
    assert budget.max >= fees and budget.value == start and budget.value % budget.step == 0
    dash.set("budget", budget.max)
    assert max(dash.headline.prob_over_budget.values()) < 0.5
    dash.select("Client: bayside")  # a new scenario fits the range again
    assert budget.max < fees
    assert dash.errors == []


def test_budget_and_risk_change_only_the_figures(dash):
    draws = dash.chart_draws
    dash.set("budget", 1_000.0)
    assert dash.headline.prob_over_budget == {"break_fix": 1.0, "msp": 1.0}
    dash.set("risk", "1 year in 100 (P99)")
    assert dash.headline.level == 0.99 and "1 in 100" in dash.cards.value
    assert dash.chart_draws == draws  # nothing a chart shows has changed


def test_only_the_chart_on_screen_is_redrawn_and_only_when_its_data_change(dash):
    dash.tabs.selected_index = 2  # security risk
    drawn = dash.chart_draws
    assert not dash.charts["exceedance"].stale
    dash.set("msp_price", 160)  # prices do not move security losses
    assert dash.chart_draws == drawn
    assert dash.charts["distribution"].stale  # redrawn when its tab opens
    dash.set("patch_latency", 10)  # faster patching: fewer incidents, a new curve
    assert dash.chart_draws == drawn + 1
    dash.flush()
    assert not any(c.stale for c in dash.charts.values())


def test_switching_scenario_resets_the_controls_and_changes_the_figures(dash):
    dash.set("msp_price", 200)
    before = dict(dash.headline.total)
    dash.select("Client: bayside")
    assert dash.inputs["users"].value == 120 and dash.inputs["msp_price"].value == 125
    assert dash.headline.total["msp"] != before["msp"]
    assert "Bayside &lt;Clinic&gt;" in dash.title.value
    assert dash.errors == []


def test_a_broken_scenario_shows_its_error_and_keeps_the_screen(dash):
    before = dict(dash.headline.total)
    dash.select("Client: broken")
    assert dash.inputs["scenario"].value == "Sample organisation"
    assert dash.headline.total == before
    assert len(dash.errors) == 1 and isinstance(dash.errors[0], ValidationError)
    assert "organization.users: got -3" in dash.status.value
    assert "Traceback" not in dash.status.value


def test_export_button_writes_the_report_and_says_where(dash, tmp_path):
    dash.set("msp_price", 110)
    dash.export_button.click()
    assert dash.errors == []
    folders = list((tmp_path / "reports").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("harbourview-partners-sample-")
    assert sorted(p.suffix for p in folders[0].iterdir()) == [".html", ".pdf", ".pptx"]
    assert "Report written to" in dash.export_status.value and folders[0].name in dash.export_status.value
    html = next(folders[0].glob("*.html")).read_text(encoding="utf-8")
    assert "$110 per user per month" in html  # the report is of what is on screen


def test_a_double_click_on_export_writes_the_report_once(dash, monkeypatch):
    # The second click of a double click queued behind the first export and wrote a second folder.
    calls = []
    export = dash.export
    monkeypatch.setattr(dash, "export", lambda *a, **k: calls.append(1) or export(*a, **k))
    dash.export_button.click()
    dash.export_button.click()
    assert len(calls) == 1
    dash._export_done -= 60  # a minute later: a deliberate new export
    dash.export_button.click()
    assert len(calls) == 2 and dash.errors == []


def test_hold_batches_changes_into_one_recomputation(dash):
    n = dash.renders["figures"]
    with dash.hold():
        dash.set("users", 60)
        dash.set("msp_price", 100)
    assert dash.renders["figures"] == n + 1
    assert dash.scenario.organization.users == 60 and dash.scenario.msp.per_user_monthly == 100


@pytest.mark.slow
def test_every_control_at_its_extremes_raises_nothing():
    d = Dashboard({"Sample organisation": sample_scenario, "Client: bayside": _other()}, trials=300)
    report = drive([d], combinations=2)
    assert report["errors"] == [] and report["stale"] == []
    assert report["settings"] > 10 and report["renders"]["figures"] >= report["settings"]


def test_available_scenarios_lists_the_sample_then_the_clients(tmp_path, monkeypatch):
    (tmp_path / "clients" / "acme").mkdir(parents=True)
    sample_scenario().replace({"organization.name": "Acme"}).to_json(tmp_path / "clients" / "acme" / "scenario.json")
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    found = available_scenarios()
    assert list(found) == ["Sample organisation", "Client: Acme"]
    assert found["Client: Acme"]().organization.name == "Acme"


def test_client_labels_fall_back_to_the_folder_and_tell_namesakes_apart(tmp_path, monkeypatch):
    clients = tmp_path / "clients"
    for folder in ("acme", "acme_2023"):
        (clients / folder).mkdir(parents=True)
        sample_scenario().replace({"organization.name": "Acme"}).to_json(clients / folder / "scenario.json")
    (clients / "broken").mkdir()
    (clients / "broken" / "scenario.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    found = available_scenarios()
    assert list(found) == ["Sample organisation", "Client: Acme", "Client: Acme (acme_2023)", "Client: broken"]


def test_voila_command_serves_locally_offline_with_culling():
    argv, env = voila_command(8899)
    assert argv[1:3] == ["-m", "voila"] and argv[3].endswith("07_client_presentation.ipynb")
    assert "--Voila.ip=127.0.0.1" in argv and "--port=8899" in argv and f"--template={TEMPLATE}" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in argv)
    template = Path(env["JUPYTER_PATH"].split(":")[0]) / "voila" / "templates" / TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    index = (template / "index.html.j2").read_text()
    assert "html_head_js_mermaidjs" in index and "fontawesome-free" in index


def test_measure_latency_reports_timings(dash):
    result = measure_latency(changes=3, dashboard=dash)
    assert result["n"] == 3 and len(result["times_ms"]) == 3
    assert 0 < result["median_ms"] <= result["max_ms"]
    assert result["errors"] == []


def _pixels(chart):
    from io import BytesIO

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(BytesIO(chart.image.value)).convert("RGB"))


def test_charts_updated_in_place_draw_what_a_fresh_dashboard_draws(dash):
    """Charts are redrawn by moving their artists' data (fast), not rebuilt: the picture must be the one
    the library draws from scratch, pixel for pixel, after slider moves and a scenario switch."""
    import numpy as np

    dash.flush()
    steps = [("msp_price", 160), ("users", 90), ("patch_latency", 5), ("scenario", "Client: bayside")]
    for key, value in steps:
        dash.set(key, value)
        dash.flush()
        fresh = Dashboard({"only": dash.scenario}, trials=dash.trials, report_trials=dash.report_trials, seed=dash.seed)
        fresh.flush()
        for name, chart in dash.charts.items():
            assert chart.ax.get_title() == fresh.charts[name].ax.get_title(), (key, name)
            assert np.array_equal(_pixels(chart), _pixels(fresh.charts[name])), (key, name)
    # the three that cannot change shape were built once and only updated since
    assert [dash.charts[n].rebuilds for n in ("distribution", "breakdown", "exceedance")] == [1, 1, 1]


def test_loss_curve_legend_follows_the_exact_expected_losses_on_screen(dash):
    # The legend quoted the simulated means (2,000 years: $14,571 beside the card's $16,887).
    steps = [(None, None), ("patch_latency", 5), ("users", 90), ("scenario", "Client: bayside")]
    for key, value in steps:
        if key:
            dash.set(key, value)
        dash.flush()
        legend = [t.get_text().replace("\\$", "$") for t in dash.charts["exceedance"].ax.get_legend().get_texts()]
        loss = dash.headline.security_loss
        assert legend == [f"Break/Fix (mean ${loss['break_fix']:,.0f})", f"MSP (mean ${loss['msp']:,.0f})"], key
    assert dash.errors == []


def test_a_chart_whose_shape_changes_is_rebuilt(dash):
    """No payback year (the MSP never catches up): the projection loses its marker line, so it is rebuilt."""
    import numpy as np

    dash.tabs.selected_index = 3
    before = dash.charts["projection"].rebuilds
    assert len(dash.charts["projection"].ax.lines) == 3  # two models and the payback year
    dash.set("msp_price", dash.inputs["msp_price"].max)
    chart = dash.charts["projection"]
    assert chart.rebuilds == before + 1 and len(chart.ax.lines) == 2
    fresh = Dashboard({"only": dash.scenario}, trials=dash.trials, report_trials=dash.report_trials, seed=dash.seed)
    fresh.flush()
    assert np.array_equal(_pixels(chart), _pixels(fresh.charts["projection"]))
    assert dash.errors == []


# -- one set of figures: the screen, its export and the command line -------------------------


def _figures_on_screen(d):
    """Every amount and percentage in the headline cards except availability (a figure the report does not hold)."""
    import re

    cards = re.sub(r'<div class="msp-card" data-figure="availability">.*', "", d.cards.value)
    text = html.unescape(re.sub(r"<[^>]+>", " ", cards))
    return re.findall(r"-?\$[\d,]+|[<>]?\d+(?:\.\d+)?%", text)


def _report_text(path):
    """The HTML report's text as a reader sees it: tags (the coloured model names) dropped, entities decoded."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_the_screen_refines_to_the_report_and_its_export_holds_the_same_figures(tmp_path):
    from pptx import Presentation

    from msp_analysis.present.report.summary import chart_title

    d = Dashboard({"Sample organisation": sample_scenario}, trials=300, report_trials=1_000, out_dir=tmp_path)
    d.set("msp_price", 140)
    d.set("risk", "1 year in 10 (P90)")
    assert d.headline.trials == 300 and not d.refined
    assert "refining to the report's 1,000" in d.title.value
    paths = d.export(tmp_path / "out")
    # Export refined the screen first: what the screen shows now is what was written.
    assert d.refined and d.headline.trials == 1_000
    assert "1,000 simulated years, as in the report" in d.title.value
    source = next(p for p in paths if p.suffix == ".html")
    report = _report_text(source)
    figures = _figures_on_screen(d)
    assert len(figures) >= 12
    missing = [f for f in figures if f not in report]
    assert missing == [], missing
    for _label, value in d.headline.rows():
        assert value in report
    d.flush()
    alt = html.unescape(source.read_text(encoding="utf-8"))  # the charts' findings are in their alt text
    for name, chart in d.charts.items():
        assert chart_title(chart.ax) in alt, name
    deck = Presentation(str(next(p for p in paths if p.suffix == ".pptx")))
    cells = {c.text for s in deck.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells}
    assert {value for _label, value in d.headline.rows()} <= cells
    assert d.errors == []


def test_moving_only_the_budget_keeps_the_refined_years(dash):
    d = Dashboard({"Sample organisation": sample_scenario}, trials=300, report_trials=600)
    assert d.refine() and d.headline.trials == 600
    d.set("budget", d.inputs["budget"].value + d.inputs["budget"].step)
    assert d.headline.trials == 600
    d.set("msp_price", 140)
    assert d.headline.trials == 300 and not d.refined
    d.flush()
    assert d.headline.trials == 600 and not d.refine()


def test_the_command_line_report_matches_the_refined_screen(tmp_path):
    from msp_analysis.present.cli import main

    d = Dashboard({"Sample organisation": sample_scenario}, report_trials=1_000)
    d.refine()
    file = tmp_path / "s.json"
    sample_scenario().to_json(file)
    assert (
        main(["report", "--scenario", str(file), "--out", str(tmp_path / "o"), "--trials", "1000", "--formats", "html"])
        == 0
    )
    report = _report_text(next((tmp_path / "o").glob("*.html")))
    assert all(value in report for _label, value in d.headline.rows())
    # what the invoices say and what the MSP must deliver: the same sentences from the command line
    assert all(line in report for line in d.deliver.view.lines)


def test_the_multi_year_chart_follows_the_contract_term():
    two_years = sample_scenario().replace({"msp.term_months": 24})
    d = Dashboard({"Client": two_years}, trials=300, report_trials=300)
    d.tabs.selected_index = 3
    assert d.contract_years() == 2
    assert list(d.charts["projection"].ax.get_xticks()) == [1, 2]
    assert "Over 2 years" in d.charts["projection"].ax.get_title()


# -- issue 16: fixes seen in front of a client ---------------------------------------------------


def test_the_same_firm_is_not_listed_twice(tmp_path, monkeypatch):
    clients = tmp_path / "clients"
    for folder, scenario in (("acme", sample_scenario().replace({"organization.name": "Acme"})), ("sample", None)):
        (clients / folder).mkdir(parents=True)
        if scenario is None:  # the sample itself, written out differently (same values)
            sample_scenario().to_json(clients / folder / "scenario.json")
        else:
            scenario.to_json(clients / folder / "scenario.json")
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    found = available_scenarios()
    # "Sample organisation" and "Client: Harbourview Partners (sample)" were one firm from two identical files.
    assert list(found) == ["Client: Harbourview Partners (sample)", "Client: Acme"]
    assert found["Client: Harbourview Partners (sample)"]() == sample_scenario()


def test_your_figure_only_for_the_clients_files_or_when_marked(tmp_path):
    client = sample_scenario().replace({"organization.name": "Northwind", "organization.compliance": "hipaa"})
    d = Dashboard({"Client: Northwind": client}, trials=200, report_trials=200, out_dir=tmp_path)
    assert d.yours() == {"organization.name", "organization.compliance"}
    d.set("msp_price", 140)
    # moved on screen: the consultant's what-if, not the client's number
    assert "msp.per_user_monthly" not in d.yours()
    assert "class=moved" in d.assumptions.value and "set for this analysis" in d.assumptions.value
    text = d.export(tmp_path / "a")[0].read_text(encoding="utf-8")
    assert "Harbourview" not in text and "HIPAA (US health data)" in text
    assert re.search(r"<tr>[^\n]*?Price per user[^\n]*?set for this analysis", text)
    d.yours_box.value = True
    assert "msp.per_user_monthly" in d.yours()
    text = d.export(tmp_path / "b")[0].read_text(encoding="utf-8")
    assert re.search(r'<tr class="yours">[^\n]*?Price per user[^\n]*?your figure', text)
    assert d.errors == []


def test_the_assumptions_table_says_which_model_each_row_belongs_to(dash):
    rows = re.findall(r"<tr[^>]*><td>([^<]*)</td><td>([^<]*)</td>", dash.assumptions.value)
    patch = [model for model, label in rows if label.startswith("Average days from a patch")]
    assert sorted(patch) == ["Break/Fix", "MSP"]
    assert len(rows) == len(set(rows))


def test_the_export_message_stays_in_view(dash):
    dash.export_button.click()
    assert 'class="msp-ok"' in dash.export_status.value
    assert re.search(r"\.msp-export-status \.msp-ok[^{]*\{[^}]*position: fixed", dash.widget.children[0].value)
    dash.set("msp_price", 111)  # the note was about the screen as it was
    assert dash.export_status.value == ""


def test_the_cost_histogram_has_no_stray_bar_from_the_clipped_tail(dash):
    from matplotlib.patches import StepPatch

    dash.flush()
    ax = dash.charts["distribution"].ax
    data = {m: dash._comparison[m].trials["total_cost"].to_numpy() for m in ("break_fix", "msp")}
    areas = []
    for step in (p for p in ax.patches if isinstance(p, StepPatch)):
        heights, edges, _ = step.get_data()
        # the last bin holds only the years that fall in it (the tail once piled up there)
        assert heights[-1] <= heights.max() / 4
        areas.append(float((heights * np.diff(edges)).sum()))
    label = ax.get_xlabel().replace("\\$", "$")
    assert "Not drawn: years above $" in label
    hi = float(edges[-1])
    # the bars' area is the share of years drawn: one less the share beyond the edge, model by model
    drawn = sorted(1 - float((data[m] > hi).mean()) for m in data)
    assert sorted(areas) == pytest.approx(drawn, abs=1e-9)
    assert min(drawn) < 1  # the edge clips someone's tail, which the label then names
    assert f"Break/Fix {(data['break_fix'] > hi).mean():.1%}" in label


def test_the_projection_legend_is_off_the_bands(dash):
    dash.tabs.selected_index = 3
    chart = dash.charts["projection"]
    renderer = chart.canvas.get_renderer()
    legend = chart.ax.get_legend().get_window_extent(renderer)
    axes = chart.ax.get_window_extent(renderer)
    assert legend.x0 >= axes.x1  # beside the plot, so it covers no band
    assert legend.x1 <= chart.figure.bbox.x1 + 0.5  # and still on the picture


# -- issue 12: what the invoices say, and what the MSP must deliver, first ---------------------------


def _deliver_figures(line):
    """The amounts and user-hours a sentence quotes, as the reader sees them."""
    return re.findall(r"-?\$[\d,]+(?:\.\d+)?|\b[\d,]+ user-hours|\bavoid [\d,]+", line)


def _parent_of(root, child):
    """The box that holds ``child`` among the dashboard's widgets (None if none does)."""
    for c in getattr(root, "children", ()):
        if c is child:
            return root
        found = _parent_of(c, child)
        if found is not None:
            return found
    return None


def test_the_invoices_and_what_the_msp_must_deliver_come_before_the_cards(dash):
    from msp_analysis.decisions.deliver import deliver

    column = _parent_of(dash.widget, dash.cards)
    assert list(column.children).index(dash.deliver.widget) < list(column.children).index(dash.cards)
    page = html.unescape(dash.deliver.widget.value)
    d = deliver(dash.scenario, dash.yours())
    assert page.index(d.sentences[0]) < page.index(d.sentences[1]) < page.index(d.sentences[2])
    assert "On fees alone (what the invoices say): Break/Fix $44,605 a year, MSP $74,966 a year" in page
    assert ">assumption<" in page  # the table says where the saving rests on an assumption


def test_the_deliver_lines_follow_the_controls_and_skip_what_does_not_move_them(dash):
    before = dash.deliver.view
    dash.set("msp_price", 150)
    after = dash.deliver.view
    assert after is not before
    assert after.fees["msp"] > before.fees["msp"] and after.fees["break_fix"] == pytest.approx(before.fees["break_fix"])
    assert after.break_even.required_hours > before.break_even.required_hours
    dash.set("budget", dash.inputs["budget"].value + dash.inputs["budget"].step)
    assert dash.deliver.view is after  # the budget changes none of its figures: not recomputed
    # a value moved on screen is an assumption until the client says it is theirs
    assert "$0 on the client's own data" in after.basis_line
    dash.set("downtime_cost", 90.0)
    dash.yours_box.value = True
    assert "organization.loaded_hourly_cost" in dash.yours()
    assert dash.deliver.view.break_even.price_per_user_hour == pytest.approx(90.0 * 0.7)
    assert dash.errors == []


def test_the_fees_and_the_break_even_agree_on_screen_and_in_the_report(tmp_path):
    from pptx import Presentation

    client = sample_scenario().replace({"organization.name": "Northwind", "organization.compliance": "hipaa"})
    d = Dashboard({"Client: Northwind": client}, trials=200, report_trials=400, out_dir=tmp_path)
    d.set("msp_price", 95)
    d.set("users", 60)
    view = d.deliver.view
    paths = d.export(tmp_path / "out")
    assert d.deliver.view is view  # refining the simulated years leaves the exact figures as they were
    fees = [view.fees["break_fix"], view.fees["msp"], abs(view.fees["difference"])]
    n, m = view.break_even.required_hours, view.break_even.assumed_hours
    quoted = [f"${x:,.0f}" for x in fees] + [f"at least {n:,.0f} user-hours", f"assumed to avoid {m:,.0f}"]
    assert all(q in view.fees_line + view.break_even_line for q in quoted)
    screen = html.unescape(re.sub(r"<[^>]+>", " ", d.deliver.widget.value))
    report = _report_text(next(p for p in paths if p.suffix == ".html"))
    deck = Presentation(str(next(p for p in paths if p.suffix == ".pptx")))
    slide = " ".join(sh.text_frame.text for sh in deck.slides[1].shapes if sh.has_text_frame)
    for q in quoted:
        assert q in screen and q in report and q in slide, q
    for line in view.lines:
        assert line in report and line in slide
    assert _deliver_figures(view.basis_line) and all(f in report for f in _deliver_figures(view.basis_line))
    assert d.errors == []


def test_the_deliver_lines_are_worked_out_once_per_control_change():
    d = Dashboard({"Sample organisation": sample_scenario}, trials=300, report_trials=300)
    calls = []
    show = d.deliver.show
    d.deliver.show = lambda *a: calls.append(1) or show(*a)
    result = measure_latency(changes=5, dashboard=d)
    assert result["errors"] == [] and len(calls) == 5  # once per change, not once per widget
