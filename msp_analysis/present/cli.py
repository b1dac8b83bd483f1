"""Command line: ``python -m msp_analysis report ...``, ``portfolio ...`` and ``present``.

``report`` writes the leave-behind report of a scenario file (batch use,
e.g. one report per client folder)::

    python -m msp_analysis report --scenario data/clients/acme/scenario.json --out reports/acme
    python -m msp_analysis report --scenario s.json --out out --trials 20000 --seed 7 --formats html,pptx

``portfolio`` analyses every organisation of a portfolio table (or a
clients folder) on a Dask cluster -- a local one by default, or the one at
``--scheduler`` / ``DASK_SCHEDULER_ADDRESS`` -- writing each result as it
finishes; run again, it resumes (see :mod:`msp_analysis.portfolio.run`)::

    python -m msp_analysis portfolio data/portfolio/sample_portfolio.csv --out results/
    python -m msp_analysis portfolio prospects.xlsx --out q3 --scheduler tcp://10.0.0.5:8786 --reports

It exits with status 1 when some rows could not run (each is listed, and
all are in ``errors.csv``).

``present`` serves the client dashboard with Voilà on 127.0.0.1 (what
``make present`` runs)::

    python -m msp_analysis present --port 8866

A bad scenario file is reported in one line (the library's
:class:`~msp_analysis.ValidationError` text: which field, what was given,
what is allowed) with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import MSPAnalysisError
from ..files import replaced_folder

# The dashboard server's defaults (dashboard.serve.CULL_IDLE_S, MAX_KERNELS), written out so that
# `--help` answers without importing the server; tests/test_hostile.py checks they agree.
CULL_IDLE_S = 120
MAX_KERNELS = 8

EXIT_USAGE = 2


class _UsageError(Exception):
    """A command-line value that cannot work, reported in one line."""


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {value}, expected a whole number >= 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number >= 0") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"got {value}, expected a whole number >= 0")
    return value


def _years(text: str) -> int:
    # Checked here, not by the projection: its error would be printed after the
    # scenario file's name, as if the file were wrong.
    # Imported when used: `--help` and argument errors answer without loading the model.
    from ..decisions.projection import _MAX_YEARS

    value = _positive_int(text)
    if value > _MAX_YEARS:
        raise argparse.ArgumentTypeError(f"got {value}, expected a whole number in [1, {_MAX_YEARS}]")
    return value


def _formats(text: str) -> tuple[str, ...]:
    # Imported when used: the report pulls in matplotlib and python-pptx.
    from .report import FORMATS

    items = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()))
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a comma-separated list of {', '.join(FORMATS)}")
    return items


def _parser() -> argparse.ArgumentParser:
    # Imported when used: the report pulls in matplotlib and python-pptx.
    from .report import DEFAULT_SEED, DEFAULT_TRIALS, FORMATS

    parser = argparse.ArgumentParser(
        prog="python -m msp_analysis",
        description="Break/Fix versus MSP: leave-behind reports and the client presentation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    rep = sub.add_parser(
        "report",
        help="write the report (HTML, PowerPoint, PDF) of a scenario file",
        description="Write the leave-behind report of a scenario: a self-contained HTML file (charts embedded, "
        "no external links), an editable PowerPoint deck and a PDF.",
    )
    rep.add_argument("--scenario", required=True, type=Path, metavar="FILE", help="scenario JSON file")
    rep.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write into (created if missing)")
    rep.add_argument(
        "--trials",
        type=_positive_int,
        default=DEFAULT_TRIALS,
        metavar="N",
        help=f"simulated years (default {DEFAULT_TRIALS:,})",
    )
    rep.add_argument(
        "--seed", type=_seed, default=DEFAULT_SEED, metavar="S", help=f"random seed (default {DEFAULT_SEED})"
    )
    rep.add_argument(
        "--years", type=_years, default=None, metavar="Y", help="years shown (default: the MSP contract's term)"
    )
    rep.add_argument(
        "--formats",
        type=_formats,
        default=FORMATS,
        metavar="LIST",
        help=f"comma-separated formats (default {','.join(FORMATS)})",
    )

    _portfolio_parser(sub, DEFAULT_TRIALS)

    pre = sub.add_parser(
        "present",
        help="serve the client dashboard with Voila on 127.0.0.1",
        description="Serve notebooks/07_client_presentation.ipynb with Voila, bound to 127.0.0.1, idle kernels "
        "culled, no CDN assets. Stop with Ctrl-C.",
    )
    pre.add_argument("--port", type=_positive_int, default=8866, help="port (default 8866)")
    pre.add_argument(
        "--cull-idle-timeout",
        type=_positive_int,
        default=CULL_IDLE_S,
        metavar="SECONDS",
        help=f"shut a kernel down this long after its page is closed and it fell idle (default {CULL_IDLE_S})",
    )
    pre.add_argument(
        "--max-kernels",
        type=_positive_int,
        default=MAX_KERNELS,
        metavar="N",
        help="pages served at once (one ~200 MB kernel each); past it a page says the dashboard is busy (default 4)",
    )
    return parser


def _portfolio_parser(sub: argparse._SubParsersAction, default_trials: int) -> None:
    por = sub.add_parser(
        "portfolio",
        help="analyse every organisation of a portfolio table on a Dask cluster",
        description="Analyse every organisation of a portfolio table (CSV or XLSX: id, name, dotted scenario "
        "paths; or a clients folder) on a Dask cluster, writing each result as it finishes. Run again on the "
        "same --out folder, it skips what is done.",
    )
    por.add_argument("table", type=Path, metavar="TABLE", help="portfolio table (CSV or XLSX) or a clients folder")
    por.add_argument("--out", required=True, type=Path, metavar="DIR", help="the run's folder (created if missing)")
    por.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="Dask scheduler address, e.g. tcp://host:8786, or 'serial' for no Dask (default: "
        "DASK_SCHEDULER_ADDRESS, else a local cluster with one worker per core)",
    )
    por.add_argument("--workers", type=_positive_int, metavar="N", help="worker processes of the local cluster")
    por.add_argument(
        "--trials",
        type=_positive_int,
        default=default_trials,
        metavar="N",
        help=f"simulated years per organisation (default {default_trials:,})",
    )
    por.add_argument("--seed", type=_seed, metavar="S", help="run seed (default: msp_analysis.portfolio.DEFAULT_SEED)")
    por.add_argument("--reports", action="store_true", help="also write each organisation's report (HTML, PPTX, PDF)")
    por.add_argument(
        "--base", type=Path, metavar="FILE", help="scenario JSON the rows start from (default: the sample)"
    )
    por.add_argument(
        "--timeout",
        type=_positive_int,
        default=10,
        metavar="SECONDS",
        help="how long to wait for the scheduler to answer (default 10)",
    )


def _portfolio(args: argparse.Namespace) -> int:
    # Imported when used: the scenario model, and the portfolio brings in dask.distributed and pyarrow.
    from ..model.scenario import Scenario

    # The portfolio brings in dask.distributed and pyarrow: loaded for this command only.
    from ..portfolio import DEFAULT_SEED, run

    if args.out.exists() and not args.out.is_dir():
        raise _UsageError(f"--out {args.out}: is a file, expected a folder (it is created if missing)")
    base = Scenario.from_json(args.base) if args.base is not None else None
    try:
        result = run(
            args.table,
            out=args.out,
            scheduler=args.scheduler,
            trials=args.trials,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            reports=args.reports,
            workers=args.workers,
            base=base,
            timeout=args.timeout,
        )
    except KeyboardInterrupt:
        print(f"interrupted: finished organisations are in {args.out}; run the same command to resume", file=sys.stderr)
        return 130
    for e in result.errors[:_ERRORS_SHOWN]:
        print(f"error: {e}", file=sys.stderr)
    if len(result.errors) > _ERRORS_SHOWN:
        print(f"... and {len(result.errors) - _ERRORS_SHOWN:,} more rows with problems", file=sys.stderr)
    print(
        f"{len(result.summary):,} organisations in {args.out / 'summary.csv'} "
        f"({len(result.computed):,} computed, {len(result.skipped):,} already done"
        + (f"; {len(result.errors):,} rows could not run: {args.out / 'errors.csv'}" if result.errors else "")
        + f") in {result.seconds:,.1f} s"
    )
    return 1 if result.errors else 0


_ERRORS_SHOWN = 10


def _report(args: argparse.Namespace) -> int:
    # Imported when used, like the report itself (matplotlib, python-pptx).
    from ..model.scenario import Scenario
    from .report import build_report

    scenario = Scenario.from_json(args.scenario)
    if args.out.exists() and not args.out.is_dir():
        # mkdir would say only "File exists".
        raise _UsageError(f"--out {args.out}: is a file, expected a folder (it is created if missing)")
    _check_report_folder(args.out)
    # --out is replaced as a whole: a report of other formats or an older run never stays beside this one
    with replaced_folder(args.out) as tmp:
        written = build_report(
            scenario, tmp, trials=args.trials, seed=args.seed, years=args.years, formats=args.formats
        )
    for path in written:
        print(args.out / path.name)
    return 0


_REPORT_SUFFIXES = (".html", ".pptx", ".pdf")


def _check_report_folder(out: Path) -> None:
    """Refuse an ``--out`` folder holding anything but reports: replacing it whole would delete that too."""
    if not out.is_dir():
        return
    others = sorted(p.name for p in out.iterdir() if p.is_dir() or p.suffix.lower() not in _REPORT_SUFFIXES)
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5:,} more" if len(others) > 5 else "")
        raise _UsageError(
            f"--out {out}: holds other things than reports ({shown}); the report replaces its folder as a whole, "
            "so give a new or empty folder, or one holding only earlier reports"
        )


def _present(args: argparse.Namespace) -> int:
    # Imported when used: the dashboard pulls in ipywidgets and matplotlib.
    from .dashboard.serve import port_in_use, voila_command

    if port_in_use(args.port):
        # Voilà would fail after its start-up (it is told not to move to another port: the address printed
        # here must be the one served)
        raise _UsageError(
            f"--port {args.port}: something already listens on 127.0.0.1:{args.port}; pass another --port"
        )
    argv, env = voila_command(args.port, cull_idle_timeout=args.cull_idle_timeout, max_kernels=args.max_kernels)
    print(f"Serving the client presentation on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    os.execve(argv[0], argv, env)
    return 0  # pragma: no cover - execve does not return


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    commands = {"report": _report, "portfolio": _portfolio, "present": _present}
    try:
        return commands[args.command](args)
    except _UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except MSPAnalysisError as e:
        # A bad scenario file or value: one line naming the problem, no traceback.
        where = f"{args.scenario}: " if args.command == "report" else ""
        print(f"error: {where}{e}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        print(f"error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
