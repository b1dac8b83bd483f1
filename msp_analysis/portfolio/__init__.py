"""Portfolio analysis: a whole book of organisations, from a laptop to a Dask cluster.

One row per organisation (:mod:`.table`), the same analysis for each
(:mod:`.work`), run on a Dask cluster or serially with every result written
as it finishes (:mod:`.run`); a seeded sample portfolio (:mod:`.sample`).

>>> from msp_analysis.portfolio import read_portfolio, run
"""

from .run import PortfolioResult, RunFolderError, load_results, run
from .table import Portfolio, PortfolioRow, RowError, file_key, read_portfolio
from .work import DEFAULT_SEED, Settings, analyse, organization_seed

__all__ = [
    "DEFAULT_SEED",
    "Portfolio",
    "PortfolioResult",
    "PortfolioRow",
    "RowError",
    "RunFolderError",
    "Settings",
    "analyse",
    "file_key",
    "load_results",
    "organization_seed",
    "read_portfolio",
    "run",
]
