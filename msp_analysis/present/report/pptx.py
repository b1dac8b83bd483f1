"""The report as an editable PowerPoint deck (python-pptx).

Slides, in order: title, what the invoices say and what the MSP must
deliver, headline figures, one slide per chart (the chart as
a picture, its finding as the slide's editable title), assumptions and
sources (as many slides as they need), method notes. Every slide carries
speaker notes (:mod:`.notes`): what it shows, how to read it, what drives it.

python-pptx is imported at the top: ``import msp_analysis`` does not import
the report (it loads on first use of ``build_report``), so this costs
nothing to users who never write a deck.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.slide import Slide
from pptx.table import Table
from pptx.util import Emu, Inches, Length, Pt

from ...files import atomic_path, bounded
from .content import ReportContent
from .deliver import DELIVER_HEADING
from .how_sure import SECTION_TITLE
from .notes import (
    assumption_notes,
    chart_notes,
    deliver_notes,
    headline_notes,
    how_sure_notes,
    method_notes_notes,
    title_notes,
)
from .summary import CHART_HEADINGS, CHARTS, chart_png

__all__ = ["write_pptx"]

_GREY = RGBColor(0x55, 0x55, 0x55)


class _Deck:
    """A 16:9 deck on python-pptx's default template, with the two shapes the report lays out: titles and tables."""

    def __init__(self) -> None:
        self.prs = Presentation()
        self.width: Length = Inches(13.333)
        self.prs.slide_width, self.prs.slide_height = self.width, Inches(7.5)

    def inner(self, margin: float) -> Length:
        """The slide's width less ``margin`` inches on each side."""
        return Emu(self.width - 2 * Inches(margin))

    def titled(self, text: str) -> Slide:
        """A new "title only" slide with ``text`` as its title, placed for 16:9."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])
        title = slide.shapes.title
        title.text = text
        for p in title.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(30)
                r.font.bold = True
        title.left, title.top = Inches(0.5), Inches(0.3)
        title.width, title.height = self.inner(0.5), Inches(1.0)
        return slide

    def table(
        self,
        slide: Slide,
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float],
        font: int = 14,
        top: float = 1.45,
    ) -> Table:
        """A table of ``rows`` (the first one a bold header) across the slide; ``col_widths`` are shares of it."""
        inner = self.inner(0.5)
        shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(0.5), Inches(top), inner, Inches(1))
        tbl = shape.table
        for j, w in enumerate(col_widths):
            tbl.columns[j].width = Emu(int(inner * w))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                cell = tbl.cell(i, j)
                cell.text = str(text)
                for p in cell.text_frame.paragraphs:
                    for r in p.runs:
                        r.font.size = Pt(font)
                        r.font.bold = i == 0
        return tbl


def _title_slide(deck: _Deck, c: ReportContent) -> None:
    slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[0])
    slide.shapes.title.text = f"Break/Fix or MSP?\n{c.client}"
    for shape, top, height in ((slide.shapes.title, 2.0, 2.0), (slide.placeholders[1], 4.3, 1.2)):
        # The default template's layouts are laid out for 4:3; centre them on 16:9.
        shape.left, shape.width = Inches(0.75), deck.inner(0.75)
        shape.top, shape.height = Inches(top), Inches(height)
    slide.placeholders[1].text = c.subtitle
    _notes(slide, title_notes(c))


def _deliver_slide(deck: _Deck, c: ReportContent) -> None:
    """What the invoices say, what the MSP must deliver (both in bold), what the saving rests on; its parts below."""
    slide = deck.titled(DELIVER_HEADING)
    box = slide.shapes.add_textbox(Inches(0.5), Inches(1.4), deck.inner(0.5), Inches(2.0))
    box.name = "deliver: sentences"
    tf = box.text_frame
    tf.word_wrap = True
    d = c.deliver
    for i, (text, bold) in enumerate(((d.fees_line, True), (d.break_even_line, True), (d.basis_line, False))):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = text
        p.space_after = Pt(3)
        for r in p.runs:
            r.font.size, r.font.bold = Pt(13), bold
    deck.table(slide, [("Part of the expected saving", "A year", "Rests on"), *d.rows], (0.6, 0.18, 0.22), 10, 3.55)
    _notes(slide, deliver_notes(c))


def _headline_slide(deck: _Deck, c: ReportContent) -> None:
    slide = deck.titled("Headline figures")
    deck.table(slide, [("Figure", "Value"), *c.headline.rows()], (0.42, 0.58), font=16)
    _notes(slide, headline_notes(c))


def _chart_slide(deck: _Deck, c: ReportContent, name: str) -> None:
    """The chart's finding as the slide's title (editable), the chart below it, its neutral heading at the foot."""
    slide = deck.titled(c.titles[name])
    # The picture drops its own copy of the title: the slide carries it.
    fig = c.figures[name]
    ax = fig.axes[0]
    drawn = ax.get_title()
    ax.set_title("")
    png = io.BytesIO(chart_png(fig, dpi=150))
    ax.set_title(drawn)
    pic = slide.shapes.add_picture(png, Emu(0), Inches(1.45), height=Inches(5.55))
    pic.left = Emu(int((deck.width - pic.width) / 2))
    pic.name = f"chart: {name}"
    box = slide.shapes.add_textbox(Inches(0.5), Inches(7.05), deck.inner(0.5), Inches(0.35))
    box.text_frame.text = CHART_HEADINGS[name]
    run = box.text_frame.paragraphs[0].runs[0]
    run.font.size = Pt(12)
    run.font.color.rgb = _GREY
    _notes(slide, chart_notes(c, name))


def _assumption_slides(deck: _Deck, c: ReportContent) -> None:
    """10 rows a slide: long sources wrap, and the table must stay on the slide."""
    for title, part in c.assumption_pages(per=10):
        slide = deck.titled(title)
        body = [("Applies to", "Assumption", "Value", "Source")] + [
            (r.model, f"{r.section}: {r.assumption}", r.value + ("  ★ your figure" if r.yours else ""), r.source)
            for r in part.itertuples(index=False)
        ]
        deck.table(slide, body, (0.11, 0.33, 0.2, 0.36), font=11)
        _notes(slide, assumption_notes(c))


def _notes_slide(deck: _Deck, c: ReportContent) -> None:
    _text_slide(deck, "Method notes", ["• " + note for note in c.notes], 14)
    _notes(deck.prs.slides[-1], method_notes_notes(c))


def _how_sure_slide(deck: _Deck, c: ReportContent) -> None:
    """How sure we are and what to measure next: the report section's sentences, its speaker notes."""
    if c.how_sure is not None:
        _text_slide(deck, SECTION_TITLE, c.how_sure.lines(), 13 if c.how_sure.history is None else 11)
        _notes(deck.prs.slides[-1], how_sure_notes(c))


def _text_slide(deck: _Deck, title: str, lines: Sequence[str], size: int) -> None:
    slide = deck.titled(title)
    box = slide.shapes.add_textbox(Inches(0.6), Inches(1.4), deck.inner(0.6), Inches(5.8))
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = line
        p.space_after = Pt(4)
        for r in p.runs:
            r.font.size = Pt(size)


def _notes(slide: Slide, text: str) -> None:
    """The slide's speaker notes: what the consultant says while it is on screen."""
    frame = slide.notes_slide.notes_text_frame
    if frame is None:  # a notes master without a body placeholder (python-pptx's default has one)
        raise RuntimeError("the deck's notes master has no body placeholder for speaker notes")
    frame.text = text


def write_pptx(c: ReportContent, path: Path) -> Path:
    """Write the report of ``c`` as an editable PowerPoint deck at ``path``; return ``path``.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from pathlib import Path
    >>> from pptx import Presentation
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.present.report.content import collect
    >>> c = collect(sample_scenario(), trials=200, seed=1, years=2, date=dt.date(2026, 3, 14))
    >>> with tempfile.TemporaryDirectory() as out:
    ...     deck = Presentation(str(write_pptx(c, Path(out) / "r.pptx")))
    >>> [s.shapes.title.text for s in deck.slides][1:3], deck.slides[-1].shapes.title.text
    (['What the invoices say, and what the MSP must deliver', 'Headline figures'], 'Method notes')
    """
    deck = _Deck()
    _title_slide(deck, c)
    _deliver_slide(deck, c)  # issue 12: the invoices and what the MSP must deliver before any total
    _headline_slide(deck, c)
    for name in CHARTS:
        _chart_slide(deck, c, name)
    _how_sure_slide(deck, c)
    _assumption_slides(deck, c)
    _notes_slide(deck, c)
    # the OOXML core properties hold at most 255 characters (python-pptx raises beyond): a long name is shortened
    deck.prs.core_properties.title = bounded(f"Break/Fix or MSP? {c.client}", 250)[:255]
    deck.prs.core_properties.author = "msp_analysis"
    # Whole or not at all, also when called on its own (build_report stages the set).
    with atomic_path(path) as tmp:
        deck.prs.save(str(tmp))
    return path
