"""The report as a PDF, drawn with matplotlib's ``PdfPages`` (no system package needed).

Pages, in order: title with what the invoices say and what the MSP must
deliver, the headline figures, one page per chart, the
assumptions and sources (as many pages as they need), the method notes; A4
landscape.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.textpath import text_to_path

from ...files import atomic_path
from .content import ReportContent
from .deliver import DELIVER_HEADING
from .how_sure import SECTION_TITLE
from .summary import CHART_HEADINGS, CHARTS

__all__ = ["write_pdf"]

#: A4 landscape, inches; text pages of the PDF run from 6% to 94% of its width.
_PDF_SIZE = (11.69, 8.27)
_PDF_LEFT, _PDF_RIGHT = 0.06, 0.94
#: Margin of a chart page, inches (15 mm): printers cannot print to the edge,
#: and at matplotlib's default the axis labels came within 1 mm of it.
_CHART_MARGIN = 15 / 25.4

#: A line of a text page: its text, font size (points) and weight.
_Line = tuple[str, float, str]


def _wrap_to_width(text: str, fontsize: float, weight: str = "normal", width_pt: float | None = None) -> str:
    """``text`` wrapped so that every line fits ``width_pt`` points, measured in the font it is drawn in.

    A fixed number of characters a line does not work: bold type is wider,
    and a line of it ran off the PDF's page.

    Examples
    --------
    >>> _wrap_to_width("a b c", 12, width_pt=1000)
    'a b c'
    >>> _wrap_to_width("word " * 40, 12, "bold", width_pt=200).count("\\n") > 3
    True
    """
    if width_pt is None:
        width_pt = (_PDF_RIGHT - _PDF_LEFT) * _PDF_SIZE[0] * 72
    prop = FontProperties(size=fontsize, weight=weight)

    def fits(line: str) -> bool:
        return text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] <= width_pt

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and not fits(candidate):
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def _text_pages(title: str, lines: list[_Line]) -> list[Figure]:
    """Pages of text: a bold title, then each line wrapped to the page's width, one under the other.

    A line that would reach the bottom margin starts a new page ("... (continued)"),
    so notes that grow with the model never run off the paper.

    Examples
    --------
    >>> len(_text_pages("Notes", [("word " * 60, 12, "normal")] * 3))
    1
    >>> len(_text_pages("Notes", [("word " * 60, 12, "normal")] * 30)) > 1
    True
    """
    size = _PDF_SIZE
    line_h = 1.45 / (size[1] * 72)  # one point of font size as a share of the page height, with leading
    bottom = _CHART_MARGIN / size[1]  # 15 mm, as on the chart pages
    pages: list[Figure] = []
    y = 0.0

    def new_page(heading: str) -> float:
        fig = Figure(figsize=size)
        # parse_math=False: amounts carry "$", which matplotlib would read as maths.
        wrapped = _wrap_to_width(heading, 22, "bold")
        fig.text(_PDF_LEFT, 0.92, wrapped, fontsize=22, fontweight="bold", va="top", parse_math=False)
        pages.append(fig)
        return 0.82 - wrapped.count("\n") * 22 * line_h

    y = new_page(title)
    for text, fontsize, weight in lines:
        wrapped = _wrap_to_width(text, fontsize, weight)
        height = (wrapped.count("\n") + 1) * fontsize * line_h
        if y - height < bottom and len(pages[-1].texts) > 1:
            y = new_page(f"{title} (continued)")
        pages[-1].text(_PDF_LEFT, y, wrapped, fontsize=fontsize, fontweight=weight, va="top", parse_math=False)
        y -= height + 0.012
    return pages


def _title_pages(c: ReportContent) -> list[Figure]:
    """The title with what the invoices say and what the MSP must deliver (issue 12: before any total), then the headline."""
    d = c.deliver
    lines: list[_Line] = [(c.subtitle, 12, "normal"), ("", 8, "normal"), (DELIVER_HEADING, 16, "bold")]
    lines += [(d.fees_line, 13, "bold"), (d.break_even_line, 13, "bold"), (d.basis_line, 11, "normal")]
    lines += [(" ".join(d.details), 10, "normal")]
    # the parts as one block of lines (no gap between them), so the section keeps to the title page
    parts = "\n".join(f"{part}: {amount}" + (f"  ({basis})" if basis else "") for part, amount, basis in d.rows)
    lines.append((parts, 9, "normal"))
    headline: list[_Line] = []
    for label, value in c.headline.rows():
        headline.append((label, 12, "normal"))
        headline.append((value, 15, "bold"))
    return _text_pages(f"Break/Fix or MSP? {c.client}", lines) + _text_pages("Headline figures", headline)


def _save_chart_page(pdf: PdfPages, c: ReportContent, name: str) -> None:
    """The chart at the page's size with its neutral heading above; the figure is put back as it was."""
    fig = c.figures[name]
    original = fig.get_size_inches()
    engine = fig.get_layout_engine()
    fig.set_size_inches(*_PDF_SIZE)
    mx, my = _CHART_MARGIN / _PDF_SIZE[0], _CHART_MARGIN / _PDF_SIZE[1]
    fig.suptitle(CHART_HEADINGS[name], fontsize=12, color="#555555", y=1 - my, va="top")
    # Constrained layout fits everything (labels, legend, heading) inside this rectangle.
    # The heading sits in the top margin's last 4% of the page height; the chart's own title below it.
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(mx, my, 1 - 2 * mx, 1 - 2 * my - 0.04))
    pdf.savefig(fig)
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0, 0, 1, 1))
    fig.suptitle("")
    fig.set_size_inches(*original)


def _assumption_pages(c: ReportContent) -> list[Figure]:
    """15 rows a page (long sources wrap), each led by the model it belongs to; the client's own numbers in bold."""
    return [
        page
        for title, part in c.assumption_pages(per=15)
        for page in _text_pages(
            title,
            [
                (f"{r.model} · {r.assumption}: {r.value}  ({r.source})", 10, "bold" if r.yours else "normal")
                for r in part.itertuples(index=False)
            ],
        )
    ]


def write_pdf(c: ReportContent, path: Path) -> Path:
    """Write the report of ``c`` as a PDF at ``path``; return ``path``.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from pathlib import Path
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.present.report.content import collect
    >>> c = collect(sample_scenario(), trials=200, seed=1, years=2, date=dt.date(2026, 3, 14))
    >>> with tempfile.TemporaryDirectory() as out:
    ...     write_pdf(c, Path(out) / "r.pdf").read_bytes()[:5]
    b'%PDF-'
    """
    meta = {"Title": f"Break/Fix or MSP? {c.client}", "Creator": "msp_analysis", "Producer": "msp_analysis"}
    # Whole or not at all, also when called on its own (build_report stages the set).
    with atomic_path(path) as tmp, PdfPages(tmp, metadata=meta) as pdf:
        for page in _title_pages(c):
            pdf.savefig(page)
        for name in CHARTS:
            _save_chart_page(pdf, c, name)
        for page in _text_pages(SECTION_TITLE, [(s, 12, "normal") for s in c.how_sure.lines()] if c.how_sure else []):
            pdf.savefig(page)
        for page in _assumption_pages(c):
            pdf.savefig(page)
        for page in _text_pages("Method notes", [(n, 12, "normal") for n in c.notes]):
            pdf.savefig(page)
    return path
