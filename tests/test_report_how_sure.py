"""The report's "How sure are we, and what to measure next": HTML and PDF section, PPTX slide with notes.

The same figures as the dashboard's tab (tests/test_dashboard_doubt.py checks the export agrees with it),
from :func:`msp_analysis.present.report.how_sure.how_sure` with the report's draws and seed.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re

import pytest

from msp_analysis import ValidationError, sample_scenario
from msp_analysis.formatting import percent
from msp_analysis.present.dashboard.doubt import _cards
from msp_analysis.present.report.build import build_report
from msp_analysis.present.report.how_sure import (
    DRAFT_NOTE,
    DRAFT_TRIALS,
    SECTION_TITLE,
    HowSure,
    Measure,
    draws_for,
    how_sure,
    how_sure_html,
    min_draws,
)

SEED = 2024


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    paths = build_report(sample_scenario(), out, trials=DRAFT_TRIALS, seed=SEED, date=dt.date(2026, 12, 8))
    return {p.suffix: p for p in paths}


@pytest.fixture(scope="module")
def figures():
    return how_sure(sample_scenario(), draws_for(DRAFT_TRIALS), SEED)


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_the_html_section_holds_every_sentence(report, figures):
    text = _plain(report[".html"].read_text(encoding="utf-8"))
    assert SECTION_TITLE in text
    for line in figures.lines():
        body = line.split(". ", 1)[1] if re.match(r"\d\. ", line) else line
        assert body in text, body
    assert f"{figures.prob_msp_better:.0%} of {figures.n:,} draws" in text


def test_the_slide_has_the_section_and_speaker_notes(report, figures):
    from pptx import Presentation

    deck = Presentation(str(report[".pptx"]))
    slides = [s for s in deck.slides if s.shapes.title.text == SECTION_TITLE]
    assert len(slides) == 1
    text = " ".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
    assert figures.measure_lines()[1] in text and figures.price_line() in text
    notes = slides[0].notes_slide.notes_text_frame.text
    assert notes.startswith("What it shows:") and f"{figures.prob_msp_better:.0%}" in notes
    assert figures.measures[0].name in notes


def test_the_pdf_has_the_section(report, figures):
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -r requirements.txt (pypdfium2 is pinned there)")
    document = pdfium.PdfDocument(str(report[".pdf"]))
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    flat = re.sub(r"\s+", " ", text)
    assert SECTION_TITLE in flat
    assert f"Chance the MSP is the better choice: {figures.prob_msp_better:.0%}" in flat
    assert figures.measures[0].name[1:] in flat  # the first letter is upper-cased in the list


def test_a_draft_leaves_the_section_out_and_says_so(tmp_path):
    path = build_report(sample_scenario(), tmp_path, trials=DRAFT_TRIALS - 1, seed=1, formats=("html",))[0]
    text = _plain(path.read_text(encoding="utf-8"))
    assert "Worth measuring next" not in text and DRAFT_NOTE in text


def test_the_sample_answers_as_notebook_08_does():
    """2,000 draws, seed 2024: the figures notebook 08 prints and the issue quotes."""
    h = how_sure(sample_scenario(), 2_000, SEED)
    assert round(h.prob_msp_better, 2) == 0.73 and round(h.evpi) == 5_467
    assert h.by == "topics"
    assert [m.name for m in h.measures] == [
        "how often incidents happen",
        "MSP prices and terms",
        "what an hour of downtime costs",
    ]
    # The second stage of the group fit (a spline on the additive index) credits the
    # price's interaction with the headcount, which the additive fit could not.
    assert [round(m.value) for m in h.measures] == [618, 260, 0]
    assert sum(m.value for m in h.measures) <= h.evpi
    assert 0 < h.prices[0.9] < h.prices[0.8]


def test_a_price_no_level_reaches_and_unsafe_names_are_said_plainly():
    h = HowSure(1_000, 1, 3, 0.004, 12.0, "inputs", (Measure("<b>x</b> & y", 1.0, 0.5),), {0.9: math.nan}, "£")
    markup = how_sure_html(h)
    assert "<b>x</b>" not in markup and "&lt;b&gt;x&lt;/b&gt; &amp; y" in markup
    assert "not 90% sure at any price" in markup
    assert '<b data-figure="prob-better">&lt;1%</b>' in markup


def test_too_few_draws_are_refused_up_front_with_the_minimum():
    # 400 draws failed deep inside the topics' regression with "n: got 400 ... 920".
    need = min_draws(sample_scenario())
    assert need == 920  # security's 23 inputs, one 6-knot spline each
    with pytest.raises(ValidationError, match=r"^n: got 400, expected .*at least 920"):
        how_sure(sample_scenario(), n=400)


def test_a_quote_with_no_per_user_price_is_sure_at_a_share_of_it_on_the_report_and_the_tab():
    s = sample_scenario().replace({"msp.per_user_monthly": 0.0, "msp.per_workstation_monthly": 120.0})
    h = how_sure(s, n=1_000, seed=1)
    line = h.price_line()
    assert "not 80% sure" not in line and "not 90% sure" not in line
    assert "of the quoted subscription" in line and "per user" not in line
    card = _cards(h)
    assert f"{percent(h.prices[0.9])}</div>" in card and "of the quoted subscription" in card


def test_when_the_minimum_binds_the_line_and_the_card_say_no_price():
    s = sample_scenario().replace({"organization.users": 1, "organization.workstations": 1, "organization.servers": 0})
    h = how_sure(s, n=1_000, seed=1)
    assert "not 80% sure at any price; not 90% sure at any price" in h.price_line()
    assert "no price" in _cards(h)
