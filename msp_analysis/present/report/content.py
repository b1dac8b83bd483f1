"""Everything one report shows, computed once and handed to each format's writer.

:func:`collect` runs the simulation, the exact expectations and the
multi-year view for a scenario, draws the four charts and gathers the
headline figures, assumptions and method notes of
:mod:`msp_analysis.present.report.summary` into a :class:`ReportContent`;
the HTML, PowerPoint and PDF writers only lay it out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from ...decisions.projection import Projection
from ...engine.expected import expected_components
from ...engine.simulation import Comparison, simulate
from ...model.scenario import Scenario
from .deliver import DeliverView, deliver_view
from .how_sure import DRAFT_NOTE, DRAFT_TRIALS, HowSure, draws_for, how_sure
from .summary import (
    CHARTS,
    DEFAULT_SEED,
    Headline,
    Seed,
    assumption_rows,
    chart_title,
    draw_chart,
    expected_frame,
    headline,
    method_notes,
    projection_for,
)

__all__ = ["ReportContent", "chart_figures", "collect"]


@dataclass
class ReportContent:
    """What a report shows, ready to lay out.

    Attributes
    ----------
    scenario, comparison : Scenario, Comparison
        The client's scenario and its simulated years.
    headline : Headline
        The headline figures.
    figures, titles : dict
        Each chart of :data:`~msp_analysis.present.report.summary.CHARTS` as a
        figure, and its finding as plain text.
    assumptions, all_assumptions : pandas.DataFrame
        The key assumptions (and the client's own numbers), and every one of
        them (:func:`~msp_analysis.present.report.summary.assumption_rows`).
    deliver : DeliverView
        What the invoices say and what the MSP must deliver (issue 12), shown before the totals.
    notes : list of str
        Method notes.
    date : datetime.date
        Date printed on the report.
    trials, seed, years
        Simulated years, their seed and the contract years of the multi-year chart.
    how_sure : HowSure, optional
        How sure we are that the MSP is the better choice, and what to measure next
        (:mod:`~msp_analysis.present.report.how_sure`).
    """

    scenario: Scenario
    comparison: Comparison
    headline: Headline
    figures: dict[str, Figure]
    titles: dict[str, str]
    assumptions: pd.DataFrame
    all_assumptions: pd.DataFrame
    deliver: DeliverView
    notes: list[str]
    date: dt.date
    trials: int
    seed: Seed
    years: int
    how_sure: HowSure | None = None

    @property
    def client(self) -> str:
        """The client's name."""
        return self.scenario.organization.name

    @property
    def subtitle(self) -> str:
        """Date, simulated years and currency: the line under the title in every format."""
        return (
            f"Prepared {self.date.strftime('%d %B %Y')} · {self.trials:,} simulated years · amounts in "
            f"{self.scenario.organization.currency} a year"
        )

    def assumption_pages(self, per: int) -> list[tuple[str, pd.DataFrame]]:
        """The key assumptions split into pages of ``per`` rows, each with its title.

        A slide or a PDF page holds only so many rows (long sources wrap), so
        the table runs over as many as it needs: "Assumptions and sources (1 of 2)".
        """
        rows = self.assumptions
        pages = max(1, math.ceil(len(rows) / per))
        out = []
        for k in range(pages):
            suffix = f" ({k + 1} of {pages})" if pages > 1 else ""
            out.append((f"Assumptions and sources{suffix}", rows.iloc[k * per : (k + 1) * per]))
        return out


def chart_figures(
    comparison: Comparison,
    expected_table: pd.DataFrame,
    projection: Projection,
    figsize: tuple[float, float] = (10, 5.6),
) -> dict[str, Figure]:
    """Each of :data:`~msp_analysis.present.report.summary.CHARTS` drawn on its own figure.

    Figures are built without pyplot: nothing is registered globally or shown
    by an inline backend, and they are freed with their last reference.

    Examples
    --------
    >>> from msp_analysis import expected, sample_scenario, simulate
    >>> s = sample_scenario()
    >>> figs = chart_figures(simulate(s, trials=200, seed=1), expected(s), projection_for(s, trials=100))
    >>> list(figs) == list(CHARTS)
    True
    """
    figs = {}
    for name in CHARTS:
        fig = Figure(figsize=figsize, layout="constrained")
        # The projection's legend stands beside its axes: a title as wide as the figure ran off the page.
        width = 44 if name == "projection" else 64
        draw_chart(name, fig.add_subplot(), comparison, expected_table, projection, title_width=width)
        figs[name] = fig
    return figs


def collect(
    scenario: Scenario,
    trials: int,
    seed: Seed,
    years: int,
    date: dt.date,
    budget: float | None = None,
    level: float = 0.95,
    yours: Collection[str] | None = None,
    doubt: HowSure | None = None,
) -> ReportContent:
    """Compute and draw everything a report of ``scenario`` shows (see :func:`~msp_analysis.build_report`).

    ``yours`` are the fields that are the client's own numbers
    (:func:`~msp_analysis.present.report.summary.assumption_rows`). ``doubt``
    is the "how sure are we" section as the dashboard computed it; else it
    is computed here with the same draws and (for an int seed) the same seed,
    except in a draft of fewer than ``DRAFT_TRIALS`` simulated years, which
    leaves it out and says so in its notes.

    Examples
    --------
    >>> import datetime as dt
    >>> from msp_analysis import sample_scenario
    >>> c = collect(sample_scenario(), trials=200, seed=1, years=2, date=dt.date(2026, 3, 14))
    >>> c.subtitle
    'Prepared 14 March 2026 · 200 simulated years · amounts in USD a year'
    """
    if doubt is None and trials >= DRAFT_TRIALS:
        doubt = how_sure(scenario, draws_for(trials), seed if isinstance(seed, int) else DEFAULT_SEED)
    comparison = simulate(scenario, trials=trials, seed=seed)
    comps = expected_components(scenario)
    table = expected_frame(comps)
    projection = projection_for(scenario, years, trials=trials, seed=seed)
    figures = chart_figures(comparison, table, projection)
    return ReportContent(
        scenario=scenario,
        comparison=comparison,
        headline=headline(comparison, comps, budget=budget, level=level),
        figures=figures,
        titles={name: chart_title(fig.axes[0]) for name, fig in figures.items()},
        assumptions=assumption_rows(scenario, yours=yours),
        all_assumptions=assumption_rows(scenario, paths=scenario.paths(), yours=yours),
        # the client's own numbers as the assumptions table marks them: one rule for "client data" everywhere
        deliver=deliver_view(scenario, yours),
        notes=method_notes(scenario, trials, seed, years) + ([] if doubt else [DRAFT_NOTE]),
        date=date,
        trials=trials,
        seed=seed,
        years=years,
        how_sure=doubt,
    )
