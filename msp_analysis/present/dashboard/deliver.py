"""The dashboard's first lines: what the invoices say, what the MSP must deliver, what the saving rests on.

Issue 12: before the headline cards (the modelled totals) the consultant's
client reads the fees alone, then the downtime the MSP must avoid to pay for
itself beside what it is assumed to avoid, then what the expected saving
rests on, with the word "assumption" wherever it rests on one. The table of
parts opens on a click, so the cards and charts stay in view on a projector.

The sentences and figures are the report's (:func:`~msp_analysis.present.report.deliver.deliver_view`):
exact expectations, the same on screen and in the leave-behind.
"""

from __future__ import annotations

from collections.abc import Collection

import ipywidgets as W

from ...model.scenario import Scenario
from ..report.deliver import DeliverView, deliver_html, deliver_view

__all__ = ["DELIVER_CSS", "DeliverPanel"]

DELIVER_CSS = """<style>
.msp-deliver { margin: 0 0 6px 0; }
/* the widget's own line height (28px, for one-line labels) made three sentences fill a projector's screen */
.msp-deliver p { margin: 0 0 3px 0; font-size: 14px; line-height: 1.3; }
.msp-deliver p.fees { font-size: 16px; font-weight: 600; }
.msp-deliver p.must { font-size: 15px; font-weight: 600; }
.msp-deliver p.small { font-size: 13px; color: #555; margin-top: 4px; }
.msp-deliver summary { cursor: pointer; color: #0072B2; font-size: 14px; line-height: 1.3; }
.msp-deliver .basis-assumption { color: #B35900; font-weight: 600; }
.msp-deliver td.amount { text-align: right; white-space: nowrap; }
.msp-parts { border-collapse: collapse; font-size: 14px; margin: 4px 0; line-height: 1.3; }
.msp-parts th, .msp-parts td { text-align: left; padding: 2px 8px; border-bottom: 1px solid #e5e5e5; }
</style>"""


class DeliverPanel:
    """The section as a widget, redrawn only when the scenario or the client's own numbers change.

    A budget or risk-appetite change leaves it as it is (its figures do not
    depend on them), so only a slider that moves a field pays for it.

    Attributes
    ----------
    widget : ipywidgets.HTML
    view : DeliverView or None
        What is on screen.
    """

    def __init__(self) -> None:
        self.widget = W.HTML()
        self.widget.add_class("msp-deliver")
        self.view: DeliverView | None = None
        self._key: tuple[Scenario, frozenset[str]] | None = None

    def show(self, scenario: Scenario, yours: Collection[str]) -> None:
        """Show the section for ``scenario``, ``yours`` being the client's own numbers."""
        key = (scenario, frozenset(yours))
        if key == self._key:
            return
        self.view = deliver_view(scenario, yours)
        self.widget.value = DELIVER_CSS + deliver_html(self.view)
        self._key = key
