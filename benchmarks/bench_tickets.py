"""How long a large ticket export takes to load and calibrate.

Generates a ConnectWise-style export of about 200,000 tickets from the sample
scenario scaled up (16,000 users, 24 months), writes it as CSV bytes, then
times ``load_tickets`` and ``calibrate`` (median of ``--runs`` runs, after a
warm-up). An XLSX of ``--xlsx-rows`` rows is timed too: reading XLSX goes
through openpyxl, which is much slower per row than the CSV reader.

Usage::

    python benchmarks/bench_tickets.py               # ~200k CSV rows, 20k XLSX rows
    python benchmarks/bench_tickets.py --users 1600  # ~20k rows, quicker
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from msp_analysis import calibrate, load_tickets, sample_scenario  # noqa: E402
from msp_analysis.ingest.synthetic import generate_ticket_log  # noqa: E402


def _time(func, runs: int) -> tuple[float, object]:
    result = func()  # warm-up (imports, caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16_000, help="headcount (16,000 gives ~200,000 tickets)")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xlsx-rows", type=int, default=20_000, help="rows of the XLSX timing (0: skip)")
    args = parser.parse_args(argv)

    scenario = sample_scenario().replace({"organization.users": args.users})
    export = generate_ticket_log(scenario, months=args.months, seed=1)
    data = export.to_csv(index=False).encode()
    print(f"export: {len(export):,} tickets, {len(data) / 2**20:,.1f} MB of CSV")

    load_s, (tickets, report) = _time(lambda: load_tickets(data, name="export.csv"), args.runs)
    cal_s, result = _time(lambda: calibrate(tickets, users=args.users, scenario=scenario), args.runs)
    assert report.rows_kept == len(export)
    print(f"load_tickets (CSV): {load_s:6.2f} s  ({len(export) / load_s:,.0f} rows/s)")
    print(f"calibrate:          {cal_s:6.2f} s  ({len(result.changes)} values taken from the data)")
    print(f"load + calibrate:   {load_s + cal_s:6.2f} s  (median of {args.runs} runs)")

    if args.xlsx_rows:
        part = export.head(args.xlsx_rows)
        buf = io.BytesIO()
        part.to_excel(buf, index=False)
        xlsx = buf.getvalue()
        xlsx_s, _ = _time(lambda: load_tickets(xlsx, name="export.xlsx"), max(1, args.runs - 2))
        print(f"load_tickets (XLSX, {len(part):,} rows): {xlsx_s:6.2f} s  ({len(part) / xlsx_s:,.0f} rows/s)")


if __name__ == "__main__":
    main()
