"""The leave-behind report (HTML, PowerPoint, PDF) and the command line that writes it."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from msp_analysis import expected, sample_scenario, scenario_assumptions, simulate
from msp_analysis.__main__ import main
from msp_analysis.errors import DataError
from msp_analysis.formatting import format_value
from msp_analysis.present.report.build import build_report
from msp_analysis.present.report.summary import CHARTS, assumption_rows, headline

ROOT = Path(__file__).resolve().parent.parent
DATE = dt.date(2026, 3, 14)
TRIALS = 400
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def client():
    """A client whose own numbers differ from the defaults, with a name that needs escaping."""
    return sample_scenario().replace(
        {"organization.name": "Acme <Tools> & Sons", "msp.per_user_monthly": 99.0, "organization.users": 60}
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory, client):
    out = tmp_path_factory.mktemp("report")
    paths = build_report(client, out, trials=TRIALS, seed=3, date=DATE)
    return {p.suffix.lstrip("."): p for p in paths}


# -- HTML ---------------------------------------------------------------------------------------


def test_writes_the_three_formats_named_after_the_client(report):
    assert sorted(report) == ["html", "pdf", "pptx"]
    assert all(p.name.startswith("acme-tools-sons-") and p.stat().st_size > 0 for p in report.values())


def test_html_has_no_external_url_and_every_resource_is_embedded(report):
    text = report["html"].read_text(encoding="utf-8")
    assert not re.search(r"https?://", text, flags=re.IGNORECASE)
    assert "//" not in re.sub(r"data:[^\"']*", "", " ".join(re.findall(r"(?:src|href)\s*=\s*[\"'][^\"']*", text)))
    refs = re.findall(r"\b(src|href|srcset|action|poster)\s*=\s*[\"']([^\"']*)", text, flags=re.IGNORECASE)
    assert refs, "expected the charts as <img src=...>"
    assert all(value.startswith("data:image/png;base64,") for _, value in refs), refs
    assert not re.search(r"<(script|link|iframe|object|embed)\b", text, flags=re.IGNORECASE)
    assert not re.search(r"@import|url\(", text, flags=re.IGNORECASE)


def test_html_embeds_the_four_charts_as_png(report):
    text = report["html"].read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == len(CHARTS) == 4
    for data in images:
        png = base64.b64decode(data, validate=True)
        assert png.startswith(PNG_MAGIC)
        assert b"matplotlib.org" not in png  # no URL hidden in the PNG metadata either


def test_html_escapes_the_client_name_and_shows_the_figures(report, client):
    text = report["html"].read_text(encoding="utf-8")
    assert "Acme &lt;Tools&gt; &amp; Sons" in text
    assert "<Tools>" not in text
    exp = expected(client)
    assert f"${exp.loc['total_cost', 'break_fix']:,.0f}" in text
    assert f"${exp.loc['total_cost', 'msp']:,.0f}" in text
    assert "14 March 2026" in text
    for heading in ("Headline figures", "Assumptions and sources", "Method notes"):
        assert heading in text


def test_html_marks_the_clients_own_numbers(report):
    text = report["html"].read_text(encoding="utf-8")
    row = re.search(r'<tr class="yours">.*?Price per user.*?</tr>', text)
    assert row is not None
    assert "$99 per user per month" in row.group(0) and "your figure" in row.group(0)
    assert "default $125 per user per month" in row.group(0)


def test_same_scenario_and_seed_give_the_same_html(tmp_path, client):
    a = build_report(client, tmp_path / "a", trials=200, seed=5, formats=("html",), date=DATE)[0]
    b = build_report(client, tmp_path / "b", trials=200, seed=5, formats=("html",), date=DATE)[0]
    assert a.read_bytes() == b.read_bytes()


# -- PowerPoint ------------------------------------------------------------------------------------


def _titles(prs):
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def test_pptx_opens_and_has_the_expected_slides(report):
    prs = Presentation(str(report["pptx"]))
    titles = _titles(prs)
    assert "Acme <Tools> & Sons" in titles[0]
    subtitle = prs.slides[0].placeholders[1].text
    assert "14 March 2026" in subtitle
    assert titles[1:3] == ["What the invoices say, and what the MSP must deliver", "Headline figures"]
    assert any(t.startswith("Assumptions and sources") for t in titles)
    assert titles[-1] == "Method notes"
    # one slide per chart, each with exactly one picture, titled with the chart's finding
    chart_slides = [s for s in prs.slides if any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes)]
    assert len(chart_slides) == 4
    for slide in chart_slides:
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.blob.startswith(PNG_MAGIC)
        assert pictures[0].image.content_type == "image/png"
        title = slide.shapes.title.text
        assert title and "\\$" not in title  # the finding as plain, editable text
    assert [s for s in prs.slides].index(chart_slides[0]) == 3


def test_chart_findings_quote_the_same_exact_figures_as_the_headline(report, client):
    prs = Presentation(str(report["pptx"]))
    exp = expected(client).loc["total_cost"]
    saving = exp["break_fix"] - exp["msp"]
    titles = _titles(prs)
    assert f"MSP costs ${saving:,.0f} a year less on average" in titles[3]
    assert "biggest difference" in titles[4]


def test_loss_curve_legend_quotes_the_exact_expected_losses_of_the_headline(client):
    # It quoted the simulated means: $14,571 beside the headline's $16,887 for the sample's Break/Fix.
    import matplotlib.pyplot as plt

    from msp_analysis.present.report.summary import draw_chart

    comparison = simulate(client, trials=TRIALS, seed=3)
    table = expected(client)
    _, ax = plt.subplots()
    try:
        draw_chart("exceedance", ax, comparison, table, None)
        legend = [t.get_text().replace("\\$", "$") for t in ax.get_legend().get_texts()]
    finally:
        plt.close("all")
    loss = table.loc["security_loss"]
    assert legend == [f"Break/Fix (mean ${loss['break_fix']:,.0f})", f"MSP (mean ${loss['msp']:,.0f})"]
    simulated = comparison.break_fix.trials["security_loss"].mean()
    assert f"${simulated:,.0f}" not in legend[0]


@pytest.mark.parametrize(
    "prob, words",
    [(0.997, "(P(MSP cheaper) > 99%)"), (0.003, "(P(MSP cheaper) < 1%)"), (0.87, "(P(MSP cheaper) = 87%)")],
)
def test_distribution_finding_reads_well_near_certainty(client, prob, words):
    # Northwind's report said "(P(MSP cheaper) = >99%)"
    from types import SimpleNamespace

    from msp_analysis.present.report.summary import distribution_title

    title = distribution_title(SimpleNamespace(scenario=client, prob_msp_cheaper=prob), expected(client))
    assert title.endswith(words)


def test_pptx_headline_table_holds_the_figures(report, client):
    prs = Presentation(str(report["pptx"]))
    table = next(sh.table for sh in prs.slides[2].shapes if sh.has_table)
    cells = [[table.cell(r, c).text for c in range(len(table.columns))] for r in range(len(table.rows))]
    labels = [row[0] for row in cells[1:]]
    assert labels[:5] == [
        "Expected annual total cost",
        "Expected saving with the MSP",
        "Chance the MSP is cheaper in a given year",
        "Downtime avoided with the MSP",
        "Expected annual security loss",
    ]
    total = f"${expected(client).loc['total_cost', 'msp']:,.0f}"
    assert total in cells[1][1]
    assert "90% of years" in cells[2][1]


def test_pptx_assumptions_show_sources_and_mark_the_clients_numbers(report):
    prs = Presentation(str(report["pptx"]))
    text = []
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text.startswith("Assumptions and sources"):
            for sh in slide.shapes:
                if sh.has_table:
                    text += [c.text for row in sh.table.rows for c in row.cells]
    joined = "\n".join(text)
    assert "iknowtech.com, rate schedule, 2023" in joined  # a published source
    assert "assumption:" in joined  # an assumption says what it rests on
    marked = [t for t in text if "your figure" in t]
    assert any("$99 per user per month" in t for t in marked)
    assert any("60 users" in t for t in marked)


# -- PDF ------------------------------------------------------------------------------------------------


def test_pdf_is_a_valid_multipage_pdf(report):
    data = report["pdf"].read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 2 + len(CHARTS) + 2  # title (with what the invoices say), headline, charts, assumptions, notes
    assert b"https://" not in data and b"http://" not in data


def test_pdf_text_stays_on_the_page(tmp_path, monkeypatch):
    """Every line of the PDF's text pages fits the page: bold lines (the client's own numbers) are wider than
    plain ones, and a long one used to run off the right edge (found by rendering a client's report)."""
    from matplotlib.backends import backend_pdf
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    pages = []
    save = backend_pdf.PdfPages.savefig

    def capture(self, figure=None, **kwargs):
        pages.append(figure)
        return save(self, figure, **kwargs)

    monkeypatch.setattr(backend_pdf.PdfPages, "savefig", capture)
    client = sample_scenario().replace(
        {"organization.name": "Northwind Dental Group (demo)", "organization.users": 120, "msp.onboarding_fee": 6000.0}
    )
    build_report(client, tmp_path, trials=200, seed=1, formats=("pdf",), date=DATE)
    text_pages = [fig for fig in pages if not fig.axes]
    assert len(text_pages) >= 3  # title page, assumptions, method notes
    for fig in text_pages:
        renderer = FigureCanvasAgg(fig).get_renderer()
        for text in fig.texts:
            box = text.get_window_extent(renderer)
            assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, text.get_text()[:80]
            assert box.y0 >= 0, text.get_text()[:80]


# -- what the report says ---------------------------------------------------------------------------


def test_headline_figures_agree_with_expected_and_the_simulation():
    s = sample_scenario()
    comparison = simulate(s, trials=1_000, seed=11)
    h = headline(comparison, budget=60_000, level=0.9)
    exp = expected(s)
    assert h.total == pytest.approx(exp.loc["total_cost"].to_dict())
    assert h.savings == pytest.approx(exp.loc["total_cost", "break_fix"] - exp.loc["total_cost", "msp"])
    p5, p95 = np.quantile(comparison.savings, [0.05, 0.95])
    assert (h.savings_p5, h.savings_p95) == pytest.approx((p5, p95))
    assert h.prob_msp_cheaper == comparison.prob_msp_cheaper
    downtime = exp.loc["downtime_hours"] + exp.loc["security_downtime_hours"]
    assert h.downtime_hours_avoided == pytest.approx(downtime["break_fix"] - downtime["msp"])
    assert h.security_loss == pytest.approx(exp.loc["security_loss"].to_dict())
    assert h.prob_over_budget["msp"] == pytest.approx(float((comparison.msp.trials["fees"] > 60_000).mean()))
    assert h.bad_year["break_fix"] == pytest.approx(np.quantile(comparison.break_fix.trials["total_cost"], 0.9))


def test_assumption_rows_flag_the_same_fields_as_scenario_assumptions(client):
    rows = assumption_rows(client, paths=client.paths())
    reference = scenario_assumptions(client)
    assert list(rows["path"]) == list(reference["path"])
    assert list(rows["yours"]) == list(reference["changed"])
    key = assumption_rows(client)
    assert set(key.loc[key["yours"], "path"]) == {
        "organization.name",
        "organization.users",
        "msp.per_user_monthly",
    }


@pytest.mark.parametrize(
    ("path", "value", "text"),
    [
        ("organization.users", 45, "45 users"),
        ("organization.loaded_hourly_cost", 75.0, "$75 per hour"),
        ("msp.sla_adherence", 0.955, "95.5%"),
        ("security.fine_cap.hipaa", 2_134_831.0, "$2.13M"),
        # the report said "hipaa", as the file spells it
        ("organization.compliance", "hipaa", "HIPAA (US health data)"),
        # the report said "Minimum billable time for an on-site visit: 1 hours"
        ("break_fix.onsite_minimum_hours", 1.0, "1 hour"),
        ("break_fix.onsite_minimum_hours", 1.5, "1.5 hours"),
        ("incidents.p1.rate_per_user_year", 1.0, "1 incident per user per year"),
    ],
)
def test_format_value(path, value, text):
    assert format_value(path, value) == text


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="formats: got"):
        build_report(sample_scenario(), tmp_path, trials=50, formats=("docx",))
    assert not any(tmp_path.iterdir())


# -- command line -------------------------------------------------------------------------------------------


def test_cli_writes_the_report(tmp_path, capsys, client):
    scenario_file = client.to_json(tmp_path / "acme.json")
    out = tmp_path / "out"
    status = main(
        ["report", "--scenario", str(scenario_file), "--out", str(out), "--trials", "300", "--formats", "html,pptx"]
    )
    assert status == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).suffix for p in written] == [".html", ".pptx"]
    assert all(Path(p).parent == out and Path(p).is_file() for p in written)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": 1}', "organization: got '<missing>', expected a section: it is required"),
        ("{not json", "expected valid JSON"),
        (None, "expected an existing scenario file"),
    ],
)
def test_cli_bad_scenario_file_gives_one_clear_line_and_status_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status = main(["report", "--scenario", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and err.startswith("error: ")
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_out_of_range_value_names_the_field(tmp_path, capsys):
    data = sample_scenario().to_dict()
    data["organization"]["users"] = -5
    path = tmp_path / "neg.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["report", "--scenario", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "organization.users: got -5, expected a whole number in [1, 1,000,000] (users)" in capsys.readouterr().err


def test_cli_end_to_end_in_a_subprocess(tmp_path):
    """``python -m msp_analysis``: a report, and a bad file, as a user runs them (exit status included)."""
    run = [sys.executable, "-m", "msp_analysis"]
    scenario_file = sample_scenario().to_json(tmp_path / "s.json")
    ok = subprocess.run(
        [*run, "report", "--scenario", str(scenario_file), "--out", str(tmp_path / "r"), "--trials", "200"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert sorted(p.suffix for p in (tmp_path / "r").iterdir()) == [".html", ".pdf", ".pptx"]
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    bad = subprocess.run(
        [*run, "report", "--scenario", str(tmp_path / "bad.json"), "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert bad.returncode == 2
    assert "expected a mapping with sections" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--scenario FILE" in text and "--out DIR" in text and "--formats LIST" in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "report" in capsys.readouterr().out


def test_cli_years_out_of_range_is_an_option_error_not_the_scenario_files(tmp_path, capsys):
    """--years 60 used to be reported as "<scenario file>: years: got 60", blaming a valid file."""
    scenario_file = sample_scenario().to_json(tmp_path / "s.json")
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--scenario", str(scenario_file), "--out", str(tmp_path / "o"), "--years", "60"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --years: got 60, expected a whole number in [1, 50]" in err
    assert "s.json" not in err and not (tmp_path / "o").exists()


def test_cli_out_that_is_a_file_gives_one_clear_line(tmp_path, capsys):
    scenario_file = sample_scenario().to_json(tmp_path / "s.json")
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    assert main(["report", "--scenario", str(scenario_file), "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, expected a folder" in err


def test_cli_rejects_bad_options_with_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--scenario", "x.json", "--out", "o", "--trials", "0"])
    assert exit_info.value.code == 2
    assert "--trials: got 0, expected a whole number >= 1" in capsys.readouterr().err


# -- issue 16: who a value belongs to, and which model ---------------------------------------


def test_each_assumption_says_which_model_it_belongs_to():
    rows = assumption_rows(sample_scenario()).set_index("path")
    # Two rows read "Average days from a patch's release to its installation": the model tells them apart.
    assert rows.loc["break_fix.patch_latency_days", "model"] == "Break/Fix"
    assert rows.loc["msp.patch_latency_days", "model"] == "MSP"
    assert rows.loc["organization.users", "model"] == "Both"
    labels = [f"{r.model} · {r.assumption}" for r in rows.itertuples()]
    assert len(labels) == len(set(labels))


def test_your_figure_only_for_the_clients_own_values(tmp_path):
    client = sample_scenario().replace(
        {"organization.name": "Northwind Dental", "organization.compliance": "hipaa", "msp.per_user_monthly": 99}
    )
    rows = assumption_rows(client, yours={"organization.name", "organization.compliance"}).set_index("path")
    # A name's default is the sample firm's: "your figure (default Harbourview Partners (sample))" named another firm.
    assert rows.loc["organization.name", "source"] == "your figure"
    assert rows.loc["organization.compliance", "value"] == "HIPAA (US health data)"
    assert rows.loc["organization.compliance", "source"] == "your figure (default None)"
    moved = rows.loc["msp.per_user_monthly"]
    assert not moved["yours"] and moved["changed"]
    assert moved["source"] == "set for this analysis (default $125 per user per month)"
    out = build_report(client, tmp_path, trials=200, seed=1, formats=("html",), yours={"organization.name"})[0]
    text = out.read_text(encoding="utf-8")
    assert "Harbourview" not in text
    assert "1 value marked" in text and "set for this analysis" in text


def test_every_pdf_page_keeps_a_print_margin_of_10_mm(monkeypatch, tmp_path):
    """Chart pages had under 1 mm of margin: axis labels touched the edge when printed. The drawn extent of
    every page (all its text, axes and legends) must stay 10 mm inside the sheet."""
    from matplotlib.backends.backend_pdf import PdfPages

    extents = []
    save = PdfPages.savefig

    def record(self, figure=None, **kwargs):
        figure.draw_without_rendering()
        box = figure.get_tightbbox()
        width, height = figure.get_size_inches()
        extents.append((box.x0, box.y0, width - box.x1, height - box.y1))
        return save(self, figure, **kwargs)

    monkeypatch.setattr(PdfPages, "savefig", record)
    client = sample_scenario().replace({"organization.name": "A firm with a rather long name, Partners LLP"})
    build_report(client, tmp_path, trials=300, seed=1, formats=("pdf",))
    assert len(extents) >= 7
    mm = 10 / 25.4
    tight = [(i, [round(m * 25.4, 1) for m in e]) for i, e in enumerate(extents) if min(e) < mm]
    assert tight == [], tight


def test_every_slide_has_speaker_notes(tmp_path):
    deck = Presentation(str(build_report(sample_scenario(), tmp_path, trials=300, seed=1, formats=("pptx",))[0]))
    notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else "" for s in deck.slides]
    assert all(len(n) > 100 for n in notes), [s.shapes.title.text for s, n in zip(deck.slides, notes) if len(n) <= 100]
    charts = [n for s, n in zip(deck.slides, notes) if any(sh.name.startswith("chart: ") for sh in s.shapes)]
    assert len(charts) == len(CHARTS)
    for n in charts:
        assert "What it shows:" in n and "How to read it:" in n and "What drives it:" in n
    # each chart's notes open with the finding its slide states
    titles = [s.shapes.title.text for s in deck.slides if any(sh.name.startswith("chart: ") for sh in s.shapes)]
    assert all(n.startswith(f"The finding: {t}") for n, t in zip(charts, titles))


def test_pdf_pages_rendered_keep_their_margins(tmp_path):
    """Each page of the PDF as a printer would put it on paper (pypdfium2, no system tools): no ink within
    10 mm of any edge. Every page is saved to artifacts/report-page-N.png for a look."""
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -r requirements.txt (pypdfium2 is pinned there)")
    from msp_analysis.present.report.build import build_report as build

    pdf_path = build(sample_scenario(), tmp_path, trials=300, seed=1, formats=("pdf",))[0]
    document = pdfium.PdfDocument(str(pdf_path))
    artifacts = Path(__file__).resolve().parent.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    scale = 2.0  # 144 dpi
    margin_px = int(10 / 25.4 * 72 * scale)
    inked = []
    for number in range(len(document)):
        image = document[number].render(scale=scale).to_pil()
        image.save(artifacts / f"report-page-{number + 1}.png")
        ink = np.asarray(image.convert("L")) < 245
        h, w = ink.shape
        border = ink.copy()
        border[margin_px : h - margin_px, margin_px : w - margin_px] = False
        if border.any():
            inked.append(number + 1)
    document.close()
    assert len(list(artifacts.glob("report-page-*.png"))) >= 8
    assert inked == [], f"pages with ink within 10 mm of an edge: {inked}"


@pytest.mark.parametrize("fmt", ["html", "pptx", "pdf"])
def test_a_writer_called_on_its_own_replaces_its_file_whole(tmp_path, monkeypatch, fmt):
    """write_html / write_pptx / write_pdf outside build_report: a failure half-way leaves the old file."""
    import pptx.presentation

    from msp_analysis.present.report import html, pdf
    from msp_analysis.present.report import pptx as pptx_writer
    from msp_analysis.present.report.content import collect

    c = collect(sample_scenario(), trials=200, seed=1, years=2, date=DATE)
    writer = {"html": html.write_html, "pptx": pptx_writer.write_pptx, "pdf": pdf.write_pdf}[fmt]
    target = tmp_path / f"r.{fmt}"
    writer(c, target)
    before = target.read_bytes()

    def half_written(path, *args, **kwargs):
        Path(path).write_bytes(b"half a file")  # what a full disk or a kill leaves
        raise OSError("disk full")

    # Fail in the middle of the write itself, after the file was opened.
    if fmt == "html":
        monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: half_written(self))
    elif fmt == "pptx":
        monkeypatch.setattr(pptx.presentation.Presentation, "save", lambda self, path: half_written(path))
    else:

        def fail_after_a_page(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr(pdf, "_assumption_pages", fail_after_a_page)  # title and charts already in the file
    with pytest.raises((OSError, DataError), match=r"disk full|cannot be written"):
        writer(c, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary file left behind


def test_when_break_fix_is_cheaper_the_words_say_so():
    """Review, 2026-12-08: 'The MSP costs $9,381 a year' read as the MSP's whole bill; the chart said 'saves -$'."""
    from matplotlib.figure import Figure

    from msp_analysis.present.charts.cost import plot_savings_distribution

    small = sample_scenario().replace(
        {"organization.users": 5, "organization.workstations": 5, "organization.servers": 0}
    )
    c = simulate(small, trials=500, seed=1)
    assert c.savings.mean() < 0
    row = dict(headline(c).rows())["Expected saving with the MSP"]
    assert re.match(r"The MSP costs \$[\d,]+ a year more \(", row), row
    title = plot_savings_distribution(c, ax=Figure().add_subplot()).get_title()
    assert title.startswith("Break/Fix saves ") and "-" not in title.split("(")[0], title


# -- issue 12: what the invoices say, and what the MSP must deliver, before any total --------------


def test_every_format_puts_the_invoices_and_what_the_msp_must_deliver_before_the_totals(report, client):
    from msp_analysis.decisions.deliver import deliver

    d = deliver(client)
    fees_line, must_line, basis_line = d.sentences
    assert fees_line.startswith("On fees alone (what the invoices say)")
    text = html.unescape(re.sub(r"<[^>]+>", "", report["html"].read_text(encoding="utf-8")))
    for line in d.sentences:
        assert line in text
    assert text.index(fees_line) < text.index(must_line) < text.index("Headline figures")
    assert text.index("Headline figures") < text.index("Expected annual total cost")
    # the deck: its own slide before the headline, the same sentences and the table of parts, with notes
    prs = Presentation(str(report["pptx"]))
    slide = prs.slides[1]
    words = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert fees_line in words and must_line in words and basis_line in words
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    parts = [table.cell(r, 0).text for r in range(1, len(table.rows))]
    assert parts[0] == "Incidents the MSP prevents" and parts[-1] == "Expected saving with the MSP"
    notes = slide.notes_slide.notes_text_frame.text
    assert "What it shows:" in notes and must_line in notes and basis_line in notes
    # the PDF: on the first page, before the headline figures' page
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(report["pdf"]))
    pages = [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    doc.close()
    assert "On fees alone (what the invoices say)" in pages[0]
    assert f"at least {d.break_even.required_hours:,.0f} user-hours" in pages[0]
    totals = next(i for i, text in enumerate(pages) if text.startswith("Headline figures"))
    assert all("Expected annual total cost" not in text for text in pages[:totals])


def test_html_says_where_the_answer_rests_on_an_assumption(report):
    page = report["html"].read_text(encoding="utf-8")
    section = page[page.index("What the invoices say, and what the MSP must deliver") : page.index("Headline figures")]
    assert '<span class="basis-assumption">assumption</span>' in section
    assert "rests on at least one assumption" in section
