"""A sample portfolio: a few hundred generated organisations with known parameters.

:func:`generate_portfolio` draws organisations from ten sectors, each with its
compliance regime, typical size, IT dependency and staff cost; the table it
returns is a portfolio table (:mod:`.table`): ``id``, ``name`` and dotted
scenario paths over the sample organisation. The suite ships its default
draw as ``data/portfolio/sample_portfolio.csv`` (:func:`sample_portfolio_path`),
regenerated with::

    generate_portfolio().to_csv("data/portfolio/sample_portfolio.csv", index=False)

How each organisation is drawn (``rng`` from the seed, SPEC 7):

- sector uniformly from :data:`SECTORS`, which fixes ``organization.compliance``;
- ``organization.users``: lognormal around the sector's median size
  (sigma 0.8), whole, in [3, 2,000];
- ``organization.workstations``: users times U(1.0, 1.3);
  ``organization.servers``: users times U(0.03, 0.10), at least one;
- ``organization.it_dependency`` and ``organization.loaded_hourly_cost``:
  uniform in the sector's ranges;
- ``organization.revenue_per_outage_hour``: users times U(20, 80), to the ten;
- ``msp.per_user_monthly``: 150 times (users / 45) ** -0.1 (a volume
  discount) times U(0.85, 1.15), whole, in [60, 250];
- ``break_fix.hourly_rate``: U(120, 195) to the five; the remote rate 10 below it.

Examples
--------
>>> table = generate_portfolio(5, seed=1)
>>> list(table.columns[:4])
['id', 'name', 'organization.users', 'organization.workstations']
>>> table["id"].tolist()
['P0001', 'P0002', 'P0003', 'P0004', 'P0005']
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtri

from ..ingest.clients import data_dir

__all__ = ["SAMPLE_SEED", "SAMPLE_SIZE", "SECTORS", "generate_portfolio", "sample_portfolio_path"]

#: Size and seed of the shipped sample.
SAMPLE_SIZE = 300
SAMPLE_SEED = 15

#: sector: (compliance regime, median users, IT dependency range, loaded hourly cost range)
SECTORS: dict[str, tuple[str, int, tuple[float, float], tuple[float, float]]] = {
    "Dental": ("hipaa", 18, (0.75, 0.95), (55.0, 85.0)),
    "Clinic": ("hipaa", 45, (0.70, 0.95), (60.0, 95.0)),
    "Retail": ("pci", 30, (0.50, 0.85), (35.0, 55.0)),
    "Hospitality": ("pci", 60, (0.40, 0.75), (30.0, 50.0)),
    "Law": ("none", 25, (0.70, 0.90), (90.0, 160.0)),
    "Accounting": ("none", 20, (0.80, 0.95), (70.0, 120.0)),
    "Engineering": ("none", 70, (0.60, 0.90), (75.0, 120.0)),
    "Logistics": ("none", 120, (0.40, 0.70), (40.0, 65.0)),
    "Software": ("gdpr", 50, (0.85, 1.00), (85.0, 140.0)),
    "Marketing": ("gdpr", 25, (0.70, 0.90), (60.0, 100.0)),
}

_PLACES = (
    "Harbour", "Cedar", "Summit", "Northgate", "Riverside", "Oakfield", "Bayview", "Granite", "Willow",
    "Lakeside", "Meridian", "Pinecrest", "Ashford", "Kingsley", "Redwood", "Fairview", "Elmstead",
    "Highland", "Silverton", "Brookline",
)  # fmt: skip


def generate_portfolio(n: int = SAMPLE_SIZE, seed: int | np.random.SeedSequence | None = SAMPLE_SEED) -> pd.DataFrame:
    """``n`` generated organisations as a portfolio table (see the module docstring for how they are drawn).

    Parameters
    ----------
    n : int
        Number of organisations.
    seed : int, SeedSequence or None
        Source of randomness (SPEC 7): the same seed gives the same table.

    Returns
    -------
    pandas.DataFrame
        ``id`` (``P0001`` ...), ``name`` (place and sector), and the dotted
        scenario paths drawn; money rounded to cents, shares to 3 decimals.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 9_999:
        raise ValueError(f"n: got {n!r}, expected a whole number in [1, 9,999]")
    rng = np.random.default_rng(seed)
    sectors = list(SECTORS)
    pick = rng.integers(len(sectors), size=n)
    u = rng.random((n, 9))
    rows = []
    for i in range(n):
        sector = sectors[pick[i]]
        regime, median, dep, cost = SECTORS[sector]
        users = int(min(2_000, max(3, round(median * math.exp(0.8 * _normal(u[i, 0]))))))
        rate = 5 * round((120 + 75 * u[i, 6]) / 5)
        rows.append(
            {
                "id": f"P{i + 1:04d}",
                "name": f"{_PLACES[int(u[i, 7] * len(_PLACES))]} {sector}",
                "organization.users": users,
                "organization.workstations": round(users * (1.0 + 0.3 * u[i, 1])),
                "organization.servers": max(1, round(users * (0.03 + 0.07 * u[i, 2]))),
                "organization.it_dependency": round(dep[0] + (dep[1] - dep[0]) * u[i, 3], 3),
                "organization.loaded_hourly_cost": round(cost[0] + (cost[1] - cost[0]) * u[i, 4], 2),
                "organization.revenue_per_outage_hour": 10 * round(users * (20 + 60 * u[i, 5]) / 10),
                "organization.compliance": regime,
                "msp.per_user_monthly": float(
                    min(250, max(60, round(150 * (users / 45) ** -0.1 * (0.85 + 0.3 * u[i, 8]))))
                ),
                "break_fix.hourly_rate": float(rate),
                "break_fix.remote_hourly_rate": float(rate - 10),
            }
        )
    return pd.DataFrame(rows)


def _normal(p: float) -> float:
    """Standard normal quantile of ``p`` in (0, 1): one uniform per quantity keeps each column's draws apart."""
    return float(ndtri(min(max(p, 1e-12), 1 - 1e-12)))


def sample_portfolio_path() -> Path:
    """The shipped sample portfolio: ``portfolio/sample_portfolio.csv`` in the user's data folder.

    Examples
    --------
    >>> sample_portfolio_path().name
    'sample_portfolio.csv'
    """
    return data_dir() / "portfolio" / "sample_portfolio.csv"
