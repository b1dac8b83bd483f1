"""Running a portfolio: every organisation analysed on a Dask cluster, each result written as it finishes.

:func:`run` reads the table (:mod:`.table`), sends one task per organisation
(:func:`.work.analyse`) to the cluster and writes each result the moment it
comes back, so nothing finished is lost:

``out/``
    ``run.json``  the run's settings (seed, trials, drivers, reports);
    ``results/<key>.parquet``  one organisation's summary (one row);
    ``scenarios/<key>.json``  its scenario, for ``python -m msp_analysis report``;
    ``reports/<key>/``  its report files (with ``reports=True``);
    ``summary.csv``  every finished organisation, one row each, through the
    injection-safe export (:func:`msp_analysis.safe_table_export`);
    ``errors.csv``  every problem of every row that could not run.

Each file is written to a temporary name and renamed into place (atomic on
one file system): a run killed mid-write leaves no half file. The Parquet
file is written last and marks the organisation done; a run started again
on the same folder skips the organisations whose result is there *for the
same inputs* (a row edited since is computed again) and refuses a folder
written with other settings.

Where the work runs (``scheduler``):

- ``None``: the cluster named by ``DASK_SCHEDULER_ADDRESS`` when set, else a
  ``LocalCluster`` with one worker process per core (``workers`` to choose),
  started and closed by the run;
- an address such as ``"tcp://10.0.0.5:8786"``: that cluster, same code;
- a ``distributed.Client``: the caller's cluster, left running;
- ``"serial"``: this process, no Dask at all (the same function per
  organisation: results are bit-identical to a cluster run).

A worker that dies mid-run (killed, out of memory) is replaced by its nanny
and its tasks run again elsewhere (Dask's ``allowed-failures``, 3 by
default): the run still completes, every organisation once. See
:mod:`msp_analysis.cluster` for the checks made before any work is sent.

Examples
--------
>>> import tempfile
>>> table = b"id,organization.users,msp.per_user_monthly\\n007,30,110\\n7,120,\\n"
>>> result = run(table, out=tempfile.mkdtemp(), scheduler="serial", trials=1_000, progress=False)
>>> result.summary[["id", "users"]].values.tolist()
[['007', 30], ['7', 120]]
>>> len(result.computed), len(result.skipped), result.errors
(2, 0, ())
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, as_completed
from distributed.security import Security

from ..cluster import DEFAULT_TIMEOUT, SCHEDULER_ENV, connect, dashboard_link
from ..errors import MSPAnalysisError
from ..files import atomic_path, write_atomic
from ..ingest.export import safe_table_export
from ..model.scenario import Scenario
from .table import Portfolio, PortfolioRow, RowError, file_key, read_portfolio
from .work import DEFAULT_SEED, Settings, task

__all__ = ["PortfolioResult", "RunFolderError", "load_results", "run"]

SERIAL = "serial"
_RESULTS, _SCENARIOS, _REPORTS = "results", "scenarios", "reports"


class RunFolderError(MSPAnalysisError):
    """The output folder holds a run with other settings: resuming it would mix two runs."""


@dataclass(frozen=True)
class PortfolioResult:
    """What a portfolio run did.

    Attributes
    ----------
    out : Path
        The run's folder.
    summary : pandas.DataFrame
        One row per finished organisation of the table (this run's and
        earlier runs' on the same folder), in table order.
    errors : tuple of RowError
        Rows that could not run (bad values, unreadable ticket exports).
    computed, skipped : tuple of str
        Ids computed by this run, and ids whose result was already there.
    seconds : float
        Wall time of the run, cluster start-up included.
    dashboard : str or None
        The Dask dashboard's address, when there was one.
    """

    out: Path
    summary: pd.DataFrame = field(repr=False)
    errors: tuple[RowError, ...]
    computed: tuple[str, ...]
    skipped: tuple[str, ...]
    seconds: float
    dashboard: str | None = None


def run(
    table: Any,
    out: str | os.PathLike,
    scheduler: str | Client | None = None,
    *,
    trials: int = 10_000,
    seed: int = DEFAULT_SEED,
    reports: bool = False,
    drivers: int = 3,
    workers: int | None = None,
    base: Scenario | None = None,
    clients: str | os.PathLike | None = None,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    security: Security | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> PortfolioResult:
    """Analyse every organisation of a portfolio, on a Dask cluster or serially, resumably.

    Parameters
    ----------
    table : path, bytes, DataFrame or Portfolio
        The portfolio table or a clients folder (:func:`.read_portfolio`),
        or a :class:`.Portfolio` already read.
    out : path
        The run's folder (created if missing; see the module docstring).
    scheduler : None, str or distributed.Client
        Where the work runs (see the module docstring): ``None`` (the
        ``DASK_SCHEDULER_ADDRESS`` cluster, else a local one), an address,
        a client, or ``"serial"``.
    trials : int
        Simulated years per organisation.
    seed : int
        The run seed; each organisation's own comes from it and its id.
    reports : bool
        Also write each organisation's report (HTML, PowerPoint, PDF).
    drivers : int
        Top drivers of the expected saving kept per organisation (0: skip the sensitivity analysis).
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    base, clients
        Passed to :func:`.read_portfolio` when ``table`` is not read yet.
    progress : bool
        A progress bar on stderr, and the dashboard's address when there is one.
    timeout : float
        Seconds to wait for a scheduler to answer.
    security : distributed.security.Security, optional
        TLS settings for a remote scheduler.
    on_result : callable, optional
        Called with each organisation's summary record once it is written
        (an exception raised there stops the run; what is written stays).

    Returns
    -------
    PortfolioResult

    Raises
    ------
    DataError
        The table cannot be read at all (bad rows do not raise: see ``errors``).
    RunFolderError
        ``out`` holds a run made with other settings.
    msp_analysis.cluster.ClusterError
        The scheduler does not answer, has no workers, or its workers run
        other versions.
    """
    t0 = time.perf_counter()
    portfolio = table if isinstance(table, Portfolio) else read_portfolio(table, base=base, clients=clients)
    settings = Settings(seed=seed, trials=trials, drivers=drivers, reports=reports)
    folder = Path(out)
    _prepare_folder(folder, settings)
    done = _finished(folder)
    finished = [done.get(r.key) == r.fingerprint() for r in portfolio.rows]
    pending = [r for r, f in zip(portfolio.rows, finished) if not f]
    skipped = tuple(r.id for r, f in zip(portfolio.rows, finished) if f)
    computed: list[str] = []
    failed: list[RowError] = []
    link = None

    def record(result: dict[str, Any]) -> None:
        if "error" in result:
            failed.append(_task_error(portfolio.source, result["error"]))
            return
        _write_result(folder, result)
        computed.append(result["summary"]["id"])
        if on_result is not None:
            on_result(result["summary"])

    try:
        if pending:
            target = _scheduler(scheduler)
            if target == SERIAL:
                for row in _bar(pending, progress, "serial", len(pending)):
                    record(task(row, settings))
            else:
                with connect(target, workers=workers, timeout=timeout, security=security) as client:
                    link = dashboard_link(client)
                    if progress and link:
                        print(f"Dask dashboard: {link}", file=sys.stderr, flush=True)
                    for result in _on_cluster(client, pending, settings, progress):
                        record(result)
    finally:
        # Whatever happened, the tables say what is finished.
        errors = tuple(sorted([*portfolio.errors, *failed], key=_error_order))
        summary = _write_tables(folder, portfolio, errors)
    return PortfolioResult(folder, summary, errors, tuple(computed), skipped, time.perf_counter() - t0, link)


def _scheduler(scheduler: str | Client | None) -> str | Client:
    if scheduler is None:
        return os.environ.get(SCHEDULER_ENV) or "local"
    return scheduler


def _bar(items: Iterable, progress: bool, where: str, total: int) -> Iterable:
    if not progress:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, total=total, desc=f"portfolio ({where})", unit="org", file=sys.stderr)


def _on_cluster(client: Client, rows: list[PortfolioRow], settings: Settings, progress: bool) -> Iterator[dict]:
    """Results as they finish, in any order; each future released once its result is here."""
    workers = len(client.scheduler_info().get("workers", {}))
    # Largest organisations first (a task's cost grows with headcount): one started last would
    # keep a worker busy while the others stand idle at the end of the run.
    rows = sorted(rows, key=_headcount, reverse=True)
    futures = client.map(
        task, rows, settings=settings, pure=False, key=[f"organisation-{r.key}-{os.urandom(4).hex()}" for r in rows]
    )
    try:
        for future in _bar(as_completed(futures), progress, f"{workers} workers", total=len(futures)):
            result = future.result()
            future.release()
            yield result
    finally:
        # Stopped early (an exception, Ctrl-C): nothing left running on a cluster that outlives the run.
        client.cancel(futures)


def _headcount(row: PortfolioRow) -> float:
    """The organisation's users: what a task's cost grows with."""
    users = row.changes.get("organization.users", row.base.organization.users)
    return float(users) if isinstance(users, (int, float)) else 0.0


def _task_error(source: str, error: dict[str, Any]) -> RowError:
    """A row whose scenario could not be built where it ran (its client's ticket export, mostly)."""
    problem = {
        "row": error["row"],
        "column": None,
        "value": None,
        "problem": error["problem"],
        "expected": "a readable ticket export, and changes the calibrated scenario allows",
    }
    return RowError(source, error["row"], error["id"], [problem])


def _error_order(e: RowError) -> tuple:
    return (e.row is None, e.row or 0, e.id or "")


# -- the run's folder --------------------------------------------------------------------------------


def _prepare_folder(folder: Path, settings: Settings) -> None:
    if folder.exists() and not folder.is_dir():
        raise RunFolderError(f"out: {folder} is a file, expected a folder")
    meta = folder / "run.json"
    wanted = settings.as_dict()
    if meta.is_file():
        try:
            had = json.loads(meta.read_text(encoding="utf-8"))["settings"]
        except (ValueError, KeyError, TypeError):
            raise RunFolderError(f"{meta}: not a portfolio run's settings; use another folder") from None
        differ = [f"{k} {had.get(k)!r} there, {v!r} now" for k, v in wanted.items() if had.get(k) != v]
        if differ:
            raise RunFolderError(
                f"{folder} holds a run with other settings ({'; '.join(differ)}): resuming it would mix two runs. "
                "Use another folder, or the same settings."
            )
        return
    if folder.is_dir() and any(folder.iterdir()):
        raise RunFolderError(f"{folder} is not empty and holds no portfolio run (no run.json); use another folder")
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(meta, (json.dumps({"settings": wanted}, indent=2) + "\n").encode("utf-8"))


def _finished(folder: Path) -> dict[str, str]:
    """Key -> inputs fingerprint of every result in the folder."""
    out = {}
    results = folder / _RESULTS
    if results.is_dir():
        for path in results.glob("*.parquet"):
            fp = pq.read_table(path, columns=["fingerprint"]).column("fingerprint")[0].as_py()
            out[path.stem] = fp
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    write_atomic(path, data)  # temporary file, fsync, rename: a killed run leaves no half file


def _write_result(folder: Path, result: dict[str, Any]) -> None:
    """Scenario and reports first, the Parquet summary last: its presence means "done"."""
    key = file_key(result["summary"]["id"])
    _atomic_write(folder / _SCENARIOS / f"{key}.json", (json.dumps(result["scenario"], indent=2) + "\n").encode())
    for name, data in result["reports"].items():
        _atomic_write(folder / _REPORTS / key / name, data)
    path = folder / _RESULTS / f"{key}.parquet"
    # pyarrow directly: a third of the time pandas' to_parquet takes for one row, and the
    # driver writes every organisation in turn (see benchmarks/portfolio.md).
    with atomic_path(path) as tmp:
        pq.write_table(pa.Table.from_pylist([result["summary"]]), tmp)


def load_results(out: str | os.PathLike, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Every organisation's summary in a run's folder (or those of ``ids``), one row each, by table row then id.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _ = run(b"id,organization.users\\nA,30\\n", out=folder, scheduler="serial", trials=500, progress=False)
    >>> load_results(folder)["id"].tolist()
    ['A']
    """
    results = Path(out) / _RESULTS
    if ids is None:
        paths = sorted(results.glob("*.parquet")) if results.is_dir() else []
    else:
        paths = [p for p in (results / f"{file_key(i)}.parquet" for i in ids) if p.is_file()]
    if not paths:
        return pd.DataFrame()
    # One table per organisation; a column that is empty in one file (no client) and text in
    # another is promoted to text.
    frame = pa.concat_tables([pq.read_table(p) for p in paths], promote_options="default").to_pandas()
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["row", "id"], kind="stable", na_position="last").reset_index(drop=True)


def _write_tables(folder: Path, portfolio: Portfolio, errors: tuple[RowError, ...]) -> pd.DataFrame:
    summary = load_results(folder, [r.id for r in portfolio.rows])
    if len(summary):
        _atomic_csv(summary, folder / "summary.csv")
    errors_csv = folder / "errors.csv"
    if errors:
        _atomic_csv(Portfolio(portfolio.source, (), errors).error_table(), errors_csv)
    elif errors_csv.exists():
        errors_csv.unlink()  # fixed since the last run
    return summary


def _atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    safe_table_export(frame, path)  # itself written whole (temporary file, fsync, rename)
