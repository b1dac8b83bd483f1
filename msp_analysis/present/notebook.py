"""What every notebook of the series does first, in one call.

Each numbered notebook starts from the same place: inline charts, the
suite's chart style, the sample organisation, its currency symbol, and the
seed and number of simulated years its runs use. :func:`setup` does all of
it, so a notebook's first code cell holds its imports and one line, and a
change of default (say, more simulated years) is made here once.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model.defaults import sample_scenario
from ..model.scenario import Scenario
from .plotting import apply_style

__all__ = ["NOTEBOOK_SEED", "NOTEBOOK_TRIALS", "NotebookSetup", "setup"]

#: The seed every notebook's simulations use, so their figures agree with each other.
NOTEBOOK_SEED = 2024
#: Simulated years per notebook run: enough for means and P95, fast under nbval.
NOTEBOOK_TRIALS = 5_000


class NotebookSetup(NamedTuple):
    """The scenario a notebook starts from and the settings of its runs (unpacks as a tuple)."""

    scenario: Scenario
    symbol: str
    seed: int
    trials: int


def setup(
    scenario: Scenario | None = None,
    *,
    seed: int = NOTEBOOK_SEED,
    trials: int = NOTEBOOK_TRIALS,
    large: bool = False,
) -> NotebookSetup:
    """Set up a notebook: inline charts in the suite's style, and the scenario with its run settings.

    Parameters
    ----------
    scenario : Scenario, optional
        The organisation to start from; the bundled sample organisation by default.
    seed, trials : int
        Seed and simulated years for the notebook's runs.
    large : bool
        Projector-sized type (the client presentation).

    Returns
    -------
    NotebookSetup
        ``(scenario, symbol, seed, trials)``, so a notebook writes
        ``scenario, SYMBOL, SEED, TRIALS = setup()``.

    Examples
    --------
    >>> scenario, SYMBOL, SEED, TRIALS = setup()
    >>> scenario.organization.users, SYMBOL, SEED, TRIALS
    (45, '$', 2024, 5000)
    """
    _inline_charts()
    apply_style(large=large)
    scenario = scenario if scenario is not None else sample_scenario()
    return NotebookSetup(scenario, scenario.organization.currency_symbol, seed, trials)


def _inline_charts() -> None:
    # In a kernel, what `%matplotlib inline` does: a CI environment's
    # MPLBACKEND=Agg is inherited by the kernel and would make figures vanish.
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipywidgets
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        shell.run_line_magic("matplotlib", "inline")
