"""What the invoices say, and what the MSP must deliver: the section every format shows before the totals.

Issue 12: a client's finance director reads the fees first (what the
invoices will say), then what the MSP must deliver to be worth them (the
user-hours of downtime it must avoid, beside those it is assumed to avoid),
then what the expected saving rests on, before any modelled total. The
dashboard (:mod:`msp_analysis.present.dashboard.deliver`), the HTML, the
PowerPoint deck and the PDF all lay out one :class:`DeliverView`, so their
sentences and figures are the same by construction. Its figures are exact
expectations (:mod:`msp_analysis.decisions.deliver`): no simulated year is
behind them, so the screen and the report agree whatever the trials.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass

from ...decisions.deliver import OperationalBreakEven, deliver
from ...formatting import money
from ...model.scenario import Scenario

__all__ = ["DELIVER_HEADING", "DeliverView", "deliver_html", "deliver_view"]

#: The section's heading in every format.
DELIVER_HEADING = "What the invoices say, and what the MSP must deliver"


@dataclass(frozen=True)
class DeliverView:
    """The section's sentences and table, formatted once for every format.

    Attributes
    ----------
    fees : dict of str to float
        Expected yearly fees: ``break_fix``, ``msp`` and ``difference``
        (Break/Fix minus MSP).
    break_even : OperationalBreakEven
        The user-hours the MSP must avoid and those it is assumed to avoid.
    fees_line, break_even_line, basis_line : str
        The three sentences, in the order they are read.
    details : list of str
        How to read the break-even (price of a user-hour, what it credits).
    rows : list of tuple of str
        ``(part, saving, basis)`` of the saving's split, then the total: the table.
    """

    fees: dict[str, float]
    break_even: OperationalBreakEven
    fees_line: str
    break_even_line: str
    basis_line: str
    details: list[str]
    rows: list[tuple[str, str, str]]

    @property
    def lines(self) -> list[str]:
        """The three sentences, fees first."""
        return [self.fees_line, self.break_even_line, self.basis_line]


def deliver_view(scenario: Scenario, yours: Collection[str] | None = None) -> DeliverView:
    """The section for ``scenario``; ``yours`` are the client's own numbers (the report's "your figure").

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> v = deliver_view(sample_scenario())
    >>> v.fees_line
    'On fees alone (what the invoices say): Break/Fix $44,605 a year, MSP $74,966 a year; Break/Fix bills $30,361 less.'
    >>> v.rows[0], v.rows[-1]
    (('Incidents the MSP prevents', '$14,889', 'assumption'), ('Expected saving with the MSP', '$7,488', ''))
    """
    sym = scenario.organization.currency_symbol
    d = deliver(scenario, yours)
    rows = [(str(r["label"]), money(float(r["saving"]), sym), str(r["basis"])) for r in d.parts.values()]
    rows.append(("Expected saving with the MSP", money(d.total, sym), ""))
    fees_line, break_even_line, basis_line = d.sentences
    return DeliverView(
        fees=d.fees,
        break_even=d.break_even,
        fees_line=fees_line,
        break_even_line=break_even_line,
        basis_line=basis_line,
        details=[d.fees_note, *d.break_even.details()],
        rows=rows,
    )


def deliver_html(view: DeliverView, open_table: bool = False) -> str:
    """The section as HTML: the three sentences (fees first), then how to read them and the parts in a ``<details>``.

    The dashboard and the HTML report show this same fragment (the report
    with the table open, ``open_table=True``: a leave-behind has no click).

    Each sentence carries ``data-deliver`` (``fees``, ``break-even``, ``basis``)
    so a test can find it; "assumption" in the table is marked to stand out.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> page = deliver_html(deliver_view(sample_scenario()))
    >>> page.index('data-deliver="fees"') < page.index('data-deliver="break-even"') < page.index("<table")
    True
    >>> "On fees alone (what the invoices say)" in page, ">assumption</span>" in page
    (True, True)
    """

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    def tag(basis: str) -> str:
        return f'<span class="basis-{basis.replace(" ", "-")}">{e(basis)}</span>' if basis else ""

    rows = "".join(
        f'<tr><td>{e(part)}</td><td class="amount">{e(amount)}</td><td>{tag(basis)}</td></tr>'
        for part, amount, basis in view.rows
    )
    details = " ".join(e(d) for d in view.details)
    return (
        f'<div class="msp-deliver-body" title="{e(DELIVER_HEADING)}">'
        f'<p class="fees" data-deliver="fees">{e(view.fees_line)}</p>'
        f'<p class="must" data-deliver="break-even">{e(view.break_even_line)}</p>'
        f'<p data-deliver="basis">{e(view.basis_line)}</p>'
        f"<details{' open' if open_table else ''}><summary>How to read this, and the saving part by part</summary>"
        f'<p class="small">{details}</p>'
        '<table class="msp-parts"><tr><th>Part</th><th>Saving a year</th><th>Rests on</th></tr>'
        f"{rows}</table></details></div>"
    )
