"""The work for one organisation: a pure function of its row, the run's seed and settings.

:func:`analyse` gives, for one :class:`~.table.PortfolioRow`:

- the exact expected annual totals of both models and the expected saving
  (:func:`msp_analysis.engine.expected.expected_components`);
- a simulation of ``trials`` years (:func:`msp_analysis.simulate`): the
  5th and 95th percentiles of the yearly saving and P(MSP cheaper);
- the break-even MSP price per user (``msp.per_user_monthly``) and
  headcount (``organization.users``) (:func:`msp_analysis.break_even`); no
  crossing in the range searched is an answer ("MSP cheaper throughout"),
  not a failure;
- the top drivers of the expected saving (:func:`msp_analysis.sensitivity`);
- with ``reports``, the report files of :func:`msp_analysis.build_report`,
  returned as bytes (a worker on another machine cannot write into the
  caller's folder).

Seeds. Each organisation draws from its own seed, :func:`organization_seed`:
a SPEC 7 ``SeedSequence`` of the run seed and a SHA-256 hash of the id's
UTF-8 text (never Python's ``hash()``, which changes between processes),
condensed into one 128-bit integer. The id is text, so ``"007"`` and ``"7"``
draw differently; nothing depends on which worker, in which order, or next
to which other organisation a row runs, so a run is bit-identical serial,
on 2 workers or on 50. The integer is written into the results: ``python -m
msp_analysis report --scenario <the organisation's scenario.json> --seed
<that integer> --trials <trials>`` gives the same figures as the portfolio.

Examples
--------
>>> from msp_analysis.portfolio.table import read_portfolio
>>> row = read_portfolio(b"id,organization.users\\n007,30\\n").rows[0]
>>> result = analyse(row, Settings(trials=2_000, seed=1))
>>> s = result["summary"]
>>> s["id"], s["users"], 0 <= s["prob_msp_cheaper"] <= 1, s["seed"] == str(organization_seed(1, "007"))
('007', 30, True, True)
>>> organization_seed(1, "007") == organization_seed(1, "7")
False
"""

from __future__ import annotations

import hashlib
import numbers
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..decisions.break_even import NoCrossingError, break_even
from ..decisions.sensitivity import sensitivity
from ..engine.expected import expected_components
from ..engine.simulation import check_trials, simulate
from ..errors import MSPAnalysisError, ValidationError
from ..model.scenario import Scenario
from .table import PortfolioRow

__all__ = [
    "DEFAULT_SEED",
    "REPORT_FORMATS",
    "SUMMARY_COLUMNS",
    "Settings",
    "analyse",
    "organization_seed",
]

#: The run seed when none is given: a fixed default, so two runs of the same table agree.
DEFAULT_SEED = 2024
#: Report files written with ``reports=True`` (as ``python -m msp_analysis report`` writes them).
REPORT_FORMATS = ("html", "pptx", "pdf")
#: The break-even parameters: the MSP's price per user and the headcount.
BREAK_EVEN = {"price": "msp.per_user_monthly", "users": "organization.users"}
_MAX_DRIVERS = 20


def organization_seed(run_seed: int, org_id: str) -> int:
    """The seed of one organisation's analysis, from the run seed and the id's text.

    ``SeedSequence([run_seed, h])`` with ``h`` the first 128 bits of the
    SHA-256 of the id's UTF-8 bytes, condensed to a 128-bit integer (a seed
    the command line's ``--seed`` accepts).

    Examples
    --------
    >>> organization_seed(2024, "007")
    104324506824416289233811817105586993527
    >>> organization_seed(2024, "007") != organization_seed(2024, "7")
    True
    """
    if isinstance(run_seed, (bool, np.bool_)) or not isinstance(run_seed, numbers.Integral) or run_seed < 0:
        raise ValidationError("seed", run_seed, "a whole number >= 0")
    if not isinstance(org_id, str):
        raise TypeError(f"org_id: expected the id as text, got {type(org_id).__name__}")
    id_hash = int.from_bytes(hashlib.sha256(org_id.encode("utf-8")).digest()[:16], "big")
    words = np.random.SeedSequence([int(run_seed), id_hash]).generate_state(4, dtype=np.uint32)
    return int.from_bytes(words.astype("<u4").tobytes(), "little")


@dataclass(frozen=True)
class Settings:
    """What every organisation of a run is asked: the same for all, recorded in the run's folder.

    Attributes
    ----------
    seed : int
        The run seed (each organisation's own comes from it and its id).
    trials : int
        Simulated years per organisation.
    drivers : int
        How many top drivers of the expected saving to keep (0: none, and
        no sensitivity analysis).
    swing : float
        Relative swing of each parameter in the sensitivity analysis.
    reports : bool
        Write each organisation's report files.
    years : int
        Contract years in the report's multi-year chart.
    """

    seed: int = DEFAULT_SEED
    trials: int = 10_000
    drivers: int = 3
    swing: float = 0.2
    reports: bool = False
    years: int = 3

    def __post_init__(self) -> None:
        organization_seed(self.seed, "")  # validates the seed
        object.__setattr__(self, "trials", check_trials(self.trials))
        for name, low, high in (("drivers", 0, _MAX_DRIVERS), ("years", 1, 10)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not low <= int(v) <= high:
                raise ValidationError(name, v, f"a whole number in [{low}, {high}]")
        if isinstance(self.swing, bool) or not isinstance(self.swing, numbers.Real) or not 0 < self.swing < 1:
            raise ValidationError("swing", self.swing, "a share strictly between 0 and 1")
        object.__setattr__(self, "reports", bool(self.reports))

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for the run's ``run.json``."""
        return asdict(self)


def _break_even(scenario: Scenario, path: str) -> tuple[float, str]:
    """``(value, side)``: where the MSP is cheaper (``below``/``above``), or NaN and why there is none."""
    try:
        be = break_even(scenario, path)
    except NoCrossingError as e:
        if e.savings_low > 0 and e.savings_high > 0:
            return float("nan"), "none: MSP cheaper throughout"
        if e.savings_low < 0 and e.savings_high < 0:
            return float("nan"), "none: Break/Fix cheaper throughout"
        return float("nan"), "none: the totals do not cross"
    return float(be.value), be.msp_cheaper


def _drivers(scenario: Scenario, settings: Settings) -> dict[str, Any]:
    """``driver_k`` (dotted path) and ``driver_k_range`` (spread of the expected saving) for the top ones."""
    out: dict[str, Any] = {}
    if settings.drivers == 0:
        return out
    table = sensitivity(scenario, swing=settings.swing)
    for k in range(settings.drivers):
        has = k < len(table)
        out[f"driver_{k + 1}"] = str(table["parameter"].iat[k]) if has else ""
        out[f"driver_{k + 1}_range"] = float(table["range"].iat[k]) if has else float("nan")
    return out


def _reports(scenario: Scenario, seed: int, settings: Settings) -> dict[str, bytes]:
    # The report pulls in matplotlib and python-pptx: imported only when reports are asked for.
    from ..present.report import build_report

    with tempfile.TemporaryDirectory(prefix="msp-report-") as tmp:
        paths = build_report(scenario, tmp, trials=settings.trials, seed=seed, years=settings.years)
        return {Path(p).name: Path(p).read_bytes() for p in paths}


#: The summary's columns, in order (``driver_k`` columns follow ``drivers``).
SUMMARY_COLUMNS = (
    "id",
    "row",
    "name",
    "client",
    "users",
    "workstations",
    "servers",
    "it_dependency",
    "compliance",
    "currency",
    "msp_per_user_monthly",
    "expected_break_fix",
    "expected_msp",
    "expected_savings",
    "savings_p5",
    "savings_p95",
    "prob_msp_cheaper",
    "break_even_price",
    "break_even_price_side",
    "break_even_users",
    "break_even_users_side",
)


def analyse(row: PortfolioRow, settings: Settings) -> dict[str, Any]:
    """Everything the portfolio reports for one organisation.

    Parameters
    ----------
    row : PortfolioRow
        The organisation (its scenario is built here: a client's tickets are
        calibrated where the work runs).
    settings : Settings
        The run's seed, trials and options.

    Returns
    -------
    dict
        ``summary`` (one flat record: :data:`SUMMARY_COLUMNS`, the drivers,
        ``trials``, ``seed`` as text, ``fingerprint`` of the inputs),
        ``scenario`` (the organisation's scenario as a dict) and ``reports``
        (file name -> bytes; empty unless ``settings.reports``).

    Raises
    ------
    MSPAnalysisError
        The row's scenario cannot be built (an unreadable ticket export, a
        change the calibrated scenario refuses).
    """
    seed = organization_seed(settings.seed, row.id)
    scenario = row.scenario()
    comps = expected_components(scenario)
    comparison = simulate(scenario, trials=settings.trials, seed=seed, progress=False)
    p5, p95 = np.quantile(comparison.savings.to_numpy(), [0.05, 0.95])
    price, price_side = _break_even(scenario, BREAK_EVEN["price"])
    users, users_side = _break_even(scenario, BREAK_EVEN["users"])
    org = scenario.organization
    bf_total, msp_total = float(comps["break_fix"]["total_cost"]), float(comps["msp"]["total_cost"])
    summary: dict[str, Any] = {
        "id": row.id,
        "row": row.row,
        "name": org.name,
        "client": row.client,
        "users": org.users,
        "workstations": org.workstations,
        "servers": org.servers,
        "it_dependency": org.it_dependency,
        "compliance": org.compliance,
        "currency": org.currency,
        "msp_per_user_monthly": scenario.msp.per_user_monthly,
        "expected_break_fix": bf_total,
        "expected_msp": msp_total,
        "expected_savings": bf_total - msp_total,
        "savings_p5": float(p5),
        "savings_p95": float(p95),
        "prob_msp_cheaper": comparison.prob_msp_cheaper,
        "break_even_price": price,
        "break_even_price_side": price_side,
        "break_even_users": users,
        "break_even_users_side": users_side,
        **_drivers(scenario, settings),
        "trials": settings.trials,
        "seed": str(seed),
        "fingerprint": row.fingerprint(),
    }
    reports = _reports(scenario, seed, settings) if settings.reports else {}
    return {"summary": summary, "scenario": scenario.to_dict(), "reports": reports}


def task(row: PortfolioRow, settings: Settings) -> dict[str, Any]:
    """:func:`analyse` as a cluster task: a row whose scenario cannot be built comes back as an error record.

    A bad ticket export is the row's problem, reported with the others; any
    other exception is a bug and travels back to the caller as itself.
    """
    try:
        return analyse(row, settings)
    except MSPAnalysisError as e:
        return {"error": {"row": row.row, "id": row.id, "problem": str(e)}}
