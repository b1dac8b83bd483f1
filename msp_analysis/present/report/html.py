"""The report as one HTML file that opens anywhere, offline, and forwards by e-mail.

Charts are embedded as base64 PNG data URIs and the CSS is inline: no link,
script or font is fetched from anywhere (the tests scan the file for any).
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import pandas as pd

from ...files import atomic_path
from .content import ReportContent
from .deliver import DELIVER_HEADING, deliver_html
from .how_sure import how_sure_html
from .summary import CHART_ALT, CHART_HEADINGS, CHARTS, Headline, chart_png

__all__ = ["write_html"]

_CSS = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 1100px; padding: 2em 2.5em; line-height: 1.45; }
h1 { font-size: 2em; margin: 0 0 0.2em 0; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 2px solid #eee; padding-bottom: 0.2em; }
.sub { color: #666; margin-top: 0; }
.bf { color: #D55E00; font-weight: 600; }
.msp { color: #0072B2; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { text-align: left; padding: 0.35em 0.6em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
th { background: #f6f6f6; }
table.headline td:first-child { width: 38%; color: #555; }
table.headline td:last-child { font-weight: 600; font-size: 1.08em; }
tr.yours td { background: #fff6d6; }
.tag { display: inline-block; background: #E69F00; color: #fff; border-radius: 3px; padding: 0 0.4em;
       font-size: 0.8em; font-weight: 600; }
figure { margin: 1em 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
details summary { cursor: pointer; color: #0072B2; margin-top: 1em; }
footer { margin-top: 3em; color: #888; font-size: 0.85em; }
.msp-deliver-body .fees, .msp-deliver-body .must { font-weight: 600; }
.msp-deliver-body .small { color: #555; font-size: 0.9em; }
.basis-assumption { color: #B35900; font-weight: 600; }
td.amount { text-align: right; white-space: nowrap; }
@media print { body { padding: 0; } h2 { page-break-after: avoid; } figure { page-break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _headline_html(h: Headline) -> str:
    out = []
    for label, value in h.rows():
        value = _e(value).replace("Break/Fix", '<span class="bf">Break/Fix</span>')
        value = value.replace("MSP ", '<span class="msp">MSP</span> ', 1) if "·" in value else value
        out.append(f"<tr><td>{_e(label)}</td><td>{value}</td></tr>")
    return '<table class="headline">' + "".join(out) + "</table>"


def _assumptions_html(rows: pd.DataFrame) -> str:
    out = ["<table><tr><th>Section</th><th>Applies to</th><th>Assumption</th><th>Value</th><th>Source</th></tr>"]
    for r in rows.itertuples(index=False):
        tag = ' <span class="tag">your figure</span>' if r.yours else ""
        cls = ' class="yours"' if r.yours else ""
        out.append(
            f"<tr{cls}><td>{_e(r.section)}</td><td>{_e(r.model)}</td><td>{_e(r.assumption)}</td>"
            f"<td>{_e(r.value)}{tag}</td><td>{_e(r.source)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _charts_html(c: ReportContent) -> str:
    """Each chart under its heading, as an embedded PNG whose alt text gives the chart and its finding."""
    out = []
    for name in CHARTS:
        data = base64.b64encode(chart_png(c.figures[name], dpi=110)).decode("ascii")
        out.append(
            f"<h2>{_e(CHART_HEADINGS[name])}</h2><figure>"
            f'<img alt="{_e(CHART_ALT[name])}. {_e(c.titles[name])}" src="data:image/png;base64,{data}">'
            "</figure>"
        )
    return "".join(out)


def _yours_html(c: ReportContent) -> str:
    """The sentence above the assumptions: how many values are the client's own."""
    n_yours = int(c.all_assumptions["yours"].sum())
    if not n_yours:
        return "Every value is a published figure or a stated assumption (none was changed for you yet)."
    return (
        f"{n_yours} value{'s' if n_yours != 1 else ''} marked <span class='tag'>your figure</span> "
        "are your own numbers; every other value is a published figure or a stated assumption."
    )


def write_html(c: ReportContent, path: Path) -> Path:
    """Write the report of ``c`` as a self-contained HTML file at ``path``; return ``path``.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from pathlib import Path
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.present.report.content import collect
    >>> c = collect(sample_scenario(), trials=200, seed=1, years=2, date=dt.date(2026, 3, 14))
    >>> with tempfile.TemporaryDirectory() as out:
    ...     text = write_html(c, Path(out) / "r.html").read_text(encoding="utf-8")
    >>> text.count("data:image/png;base64,"), "http" in text
    (4, False)
    """
    notes = "".join(f"<li>{_e(n)}</li>" for n in c.notes)
    doc = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Break/Fix or MSP? {_e(c.client)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Break/Fix or MSP? {_e(c.client)}</h1>
<p class="sub">{_e(c.subtitle)} unless stated</p>
</header>
<h2>{_e(DELIVER_HEADING)}</h2>
{deliver_html(c.deliver, open_table=True)}
<h2>Headline figures</h2>
{_headline_html(c.headline)}
{_charts_html(c)}
{how_sure_html(c.how_sure) if c.how_sure else ""}
<h2>Assumptions and sources</h2>
<p>{_yours_html(c)}</p>
{_assumptions_html(c.assumptions)}
<details><summary>All {len(c.all_assumptions)} assumptions</summary>
{_assumptions_html(c.all_assumptions)}
</details>
<h2>Method notes</h2>
<ul>{notes}</ul>
<footer>Generated by msp_analysis (Break/Fix vs MSP decision suite). Same scenario and seed, same figures.</footer>
</body>
</html>
"""
    # Whole or not at all, also when called on its own (build_report stages the set).
    with atomic_path(path) as tmp:
        tmp.write_text(doc, encoding="utf-8")
    return path
