"""Write the leave-behind report of one scenario in any of its formats.

:func:`build_report` collects the content once
(:func:`msp_analysis.present.report.content.collect`) and hands it to one
writer per format: :mod:`.html`, :mod:`.pptx`, :mod:`.pdf`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import matplotlib as mpl

from ...files import staged_files
from ...formatting import slugify
from ...model.scenario import Scenario
from ..charts.style import apply_style
from .content import ReportContent, collect
from .how_sure import HowSure
from .html import write_html
from .pdf import write_pdf
from .pptx import write_pptx
from .summary import DEFAULT_SEED, DEFAULT_TRIALS, Seed, contract_years

__all__ = ["DEFAULT_SEED", "DEFAULT_TRIALS", "FORMATS", "WRITERS", "build_report"]

#: Each format's writer: it lays out a :class:`~.content.ReportContent` into the file it is given.
WRITERS: dict[str, Callable[[ReportContent, Path], Path]] = {"html": write_html, "pptx": write_pptx, "pdf": write_pdf}
#: The formats, in the order they are written by default.
FORMATS = tuple(WRITERS)


def build_report(
    scenario: Scenario,
    out_dir: str | Path,
    trials: int = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
    years: int | None = None,
    formats: str | Iterable[str] = FORMATS,
    *,
    date: dt.date | None = None,
    budget: float | None = None,
    level: float = 0.95,
    name: str | None = None,
    yours: Collection[str] | None = None,
    doubt: HowSure | None = None,
) -> list[Path]:
    """Write the leave-behind report for ``scenario`` into ``out_dir``.

    Parameters
    ----------
    scenario : Scenario
        The client's scenario.
    out_dir : str or Path
        Folder to write into (created if missing).
    trials : int
        Simulated years (ranges, probabilities, the loss curve).
    seed : int, optional
        Seed of the simulation (SPEC 7): same scenario and seed, same report.
    years : int, optional
        Years in the multi-year chart (default: the MSP contract's term,
        :func:`~msp_analysis.present.report.summary.contract_years`).
    formats : str or iterable of str
        Any of ``"html"``, ``"pptx"``, ``"pdf"``.
    date : datetime.date, optional
        Date printed on the report (default: today).
    budget, level : float, optional
        Budget for the IT bill and risk appetite in the headline figures
        (see :func:`msp_analysis.present.report.summary.headline`).
    yours : collection of str, optional
        The fields that are the client's own numbers, marked "your figure"
        (default: every field that differs from the sample's; see
        :func:`~msp_analysis.present.report.summary.assumption_rows`).
    doubt : HowSure, optional
        The "how sure are we" section as already computed (the dashboard's
        tab, with the client's ticket history); by default computed here
        (:func:`~msp_analysis.present.report.how_sure.how_sure`).
    name : str, optional
        File name stem (default: the client's name, slugified, plus
        ``-break-fix-vs-msp``).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Examples
    --------
    >>> import tempfile
    >>> from msp_analysis import sample_scenario
    >>> with tempfile.TemporaryDirectory() as out:
    ...     paths = build_report(sample_scenario(), out, trials=500, seed=1, formats=("html",))
    ...     [p.name for p in paths]
    ['harbourview-partners-sample-break-fix-vs-msp.html']
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    wanted = [formats] if isinstance(formats, str) else list(formats)
    unknown = [f for f in wanted if f not in WRITERS]
    if unknown or not wanted:
        raise ValueError(f"formats: got {wanted!r}, expected one or more of {', '.join(FORMATS)}")
    out = Path(out_dir)
    stem = name or f"{slugify(scenario.organization.name)}-break-fix-vs-msp"
    # The report is drawn in the suite's large style whatever the caller's
    # rcParams are, and the caller's settings are put back afterwards.
    with mpl.rc_context():
        apply_style(large=True)
        if years is None:
            years = contract_years(scenario)
        content = collect(scenario, trials, seed, years, date or dt.date.today(), budget, level, yours, doubt)
        # every format or none: written under temporary names, each moved in whole once all are written
        with staged_files(out) as stage:
            for f in dict.fromkeys(wanted):
                WRITERS[f](content, stage.path(f"{stem}.{f}"))
        return stage.written
