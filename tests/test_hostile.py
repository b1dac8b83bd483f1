"""Hostile files and interrupted writes (issue 17).

Each attack of :mod:`tests.hostile` is built in a temporary folder and run in
a child process limited to 1.5 GB of address space and 10 s: the library
must answer with its own error (or read the file as data) within the limits,
and change nothing outside the attack's folder. Kill-during-save tests kill a
child that saves over and over, and check that the previous file still loads.
The child-process tests are ``slow`` (a fresh interpreter each); the
in-process tests below them run in the fast suite.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from msp_analysis import Scenario, sample_scenario
from msp_analysis.errors import DataError, ValidationError
from msp_analysis.files import atomic_path, contained, read_limited, replaced_folder, unique_folder, write_atomic
from msp_analysis.ingest.clients import load_client, save_client_scenario
from msp_analysis.ingest.tickets import load_tickets
from msp_analysis.ingest.workbook import scenario_from_workbook, scenario_to_workbook
from msp_analysis.ingest.xlsx_grid import _formula_cells

from . import hostile

ROOT = Path(__file__).resolve().parents[1]


# -- each attack in a child, under the limits ------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", list(hostile.ATTACKS))
def test_each_attack_is_answered_by_the_library_within_the_limits(name, tmp_path):
    folder = tmp_path / "attack"
    folder.mkdir()
    attack = hostile.ATTACKS[name](folder)
    around = hostile.snapshot(tmp_path)
    outcome = hostile.run(attack, folder)
    assert outcome.kind == attack.expect, f"{attack.name}: {outcome}"
    assert outcome.seconds < attack.seconds
    if attack.expect == "error":
        assert attack.match in outcome.detail, outcome.detail
        assert outcome.message_chars < 10_000, "an error message must not echo the file"
    # nothing written outside the attack's folder (the panel's save to ../../x, a link leading out)
    after = hostile.snapshot(tmp_path)
    outside = {k: v for k, v in after.items() if not k.startswith("attack/")}
    assert outside == {k: v for k, v in around.items() if not k.startswith("attack/")}


# -- kill during save ------------------------------------------------------------------------

_SAVER = """
import sys
from msp_analysis import sample_scenario
from msp_analysis.ingest.workbook import scenario_to_workbook
kind, path = sys.argv[1], sys.argv[2]
a, b = sample_scenario(), sample_scenario().replace({"organization.users": 61, "organization.name": "B" * 2_000_000})
print("ready", flush=True)
k = 0
while True:
    s = (a, b)[k % 2]
    if kind == "json":
        s.to_json(path)
    else:
        scenario_to_workbook(s, path)
    k += 1
"""


def _wait_for_change(path: Path, timeout: float = 10.0) -> None:
    """Return as soon as ``path`` is another file or changes size or time (a save began, or was swapped in)."""
    before = path.stat()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            now = path.stat()
        except FileNotFoundError:
            return
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (before.st_ino, before.st_size, before.st_mtime_ns):
            return


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["json", "xlsx"])
def test_a_save_killed_at_any_moment_leaves_a_file_that_loads(kind, tmp_path):
    path = tmp_path / f"scenario.{kind}"
    sample_scenario().to_json(path) if kind == "json" else scenario_to_workbook(sample_scenario(), path)
    rng = np.random.default_rng(17)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    for k in range(25):
        child = subprocess.Popen(
            [sys.executable, "-c", _SAVER, kind, str(path)], env=env, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        if k % 2:
            time.sleep(float(rng.uniform(0.0, 0.4)))  # a save of either kind takes a few to a hundred milliseconds
        else:
            _wait_for_change(path)  # the moment the file is touched: a save in place is then half done
        child.send_signal(signal.SIGKILL)
        child.wait()
        loaded = Scenario.from_json(path) if kind == "json" else scenario_from_workbook(path)
        assert loaded.organization.users in (45, 61)
    # temporary files of killed saves are left (named .scenario.*.tmp), never the file itself
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == [path.name]


# -- the same defences, in process (fast) -----------------------------------------------------


def test_reading_stops_at_the_limit_whatever_stat_says(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 1001)
    assert len(read_limited(big, 1001)) == 1001
    with pytest.raises(DataError, match=r"big\.csv: holds more than 1,000 bytes .* pass a larger max_bytes="):
        read_limited(big, 1000)
    with pytest.raises(DataError, match="is a character device"):
        read_limited("/dev/zero", 1000)
    link = tmp_path / "tickets.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(DataError, match=r"tickets\.csv: is a character device"):
        load_tickets(link)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "tickets.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=r"tickets\.csv: is a named pipe \(FIFO\)"):
        load_tickets(fifo)


def test_file_system_failures_are_the_librarys_errors_naming_the_path(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: cannot be read: no such file"):
        read_limited(tmp_path / "nope.csv", 10)
    with pytest.raises(DataError, match="is a folder"):
        read_limited(tmp_path, 10)
    with pytest.raises(ValidationError, match=r"an existing scenario file"):
        Scenario.from_json(tmp_path / "nope.json")
    (tmp_path / "scenario.json").mkdir()
    with pytest.raises(DataError, match=r"scenario\.json: cannot be written: is a folder"):
        sample_scenario().to_json(tmp_path / "scenario.json")


def test_a_scenario_file_is_limited_and_its_errors_are_short(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"schema_version": 1, "x": "' + "a" * 5_000_000 + '"}', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"holds more than 4,194,304 bytes .* max_bytes") as e:
        Scenario.from_json(path)
    assert len(str(e.value)) < 1000
    with pytest.raises(ValidationError, match="x: got 'aaaa") as e:
        Scenario.from_json(path, max_bytes=10_000_000)
    assert len(str(e.value)) < 1000 and "more characters" in str(e.value)


def test_duplicate_keys_are_refused_by_name_and_a_bom_is_accepted_everywhere(tmp_path):
    text = sample_scenario().to_dict()
    raw = Scenario.from_json_bytes(b"\xef\xbb\xbf" + json.dumps(text).encode(), "u.json")
    assert raw == sample_scenario()
    path = tmp_path / "s.json"
    sample_scenario().to_json(path)
    path.write_text(path.read_text().replace('"users": 45', '"users": 45, "users": 9', 1))
    with pytest.raises(ValidationError, match=r"key 'users'.*given twice"):
        Scenario.from_json(path)


def test_the_formula_scan_is_one_pass_and_finds_cells_however_written():
    xml = b'<c r="A1"><v>1</v></c>' + b"".join(b'<c\tr="B%d"><f>1+1</f></c>' % i for i in range(1, 4))
    xml += b'<c r="C1"/><c r="C2" t="s"><v>3</v></c><c\nr="D1"><f>2</f><v>2</v></c>'
    cells = [xml[a:b] for a, b in _formula_cells(xml)]
    assert cells == [b'<c\tr="B%d"><f>1+1</f></c>' % i for i in range(1, 4)] + [b'<c\nr="D1"><f>2</f><v>2</v></c>']


def _wrong_workbook(first: list[str], second: list[str] | None = None, rows: int = 3_000) -> bytes:
    """A workbook: a sheet of ``rows`` rows under ``first`` (columns no loader wants), maybe a second sheet."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(first)
    for r in range(rows):
        ws.append([r, r * 1.5, "EU", "x"])
    if second is not None:
        extra = wb.create_sheet("Tickets")
        extra.append(second)
        extra.append(["1", "2026-01-05 09:00", "P2", "1.5"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_workbook_without_the_header_is_refused_before_any_sheet_is_read_whole(monkeypatch):
    """Issue 17: every sheet's first rows are looked at first; no sheet body is read for a file refused."""
    from msp_analysis import load_invoices, load_msp_quote
    from msp_analysis.ingest import xlsx_grid

    def read_whole(ws, name):  # the only function that reads a sheet to its end
        raise AssertionError(f"sheet {ws.title!r} was read whole")

    monkeypatch.setattr(xlsx_grid, "_sheet_records", read_whole)
    data = _wrong_workbook(["Customer", "Amount", "Region", "Opened by"])
    for load, wants in ((load_tickets, "'opened', 'priority'"), (load_invoices, "'date'"), (load_msp_quote, "'item'")):
        with pytest.raises(DataError) as err:
            load(data, name="wrong.xlsx")
        text = str(err.value)
        assert text.startswith(f"wrong.xlsx, sheet 'Data': cannot find the required column(s) {wants}")
        assert "Columns found: 'Customer', 'Amount', 'Region', 'Opened by'" in text
        assert "no sheet was read whole" in text
    with pytest.raises(DataError, match=r"'Opened by' looks like 'opened'"):
        load_tickets(data, name="wrong.xlsx")


def test_only_the_sheet_with_the_header_is_read_whole(monkeypatch):
    from msp_analysis.ingest import xlsx_grid

    read = []
    whole = xlsx_grid._sheet_records

    def spy(ws, name):
        read.append(ws.title)
        return whole(ws, name)

    monkeypatch.setattr(xlsx_grid, "_sheet_records", spy)
    data = _wrong_workbook(["Customer", "Amount", "Region", "Notes"], ["Ticket #", "Date Entered", "Priority", "Hours"])
    tickets, report = load_tickets(data, name="two.xlsx")
    assert read == ["Tickets"] and len(tickets) == 1 and "sheet 'Tickets'" in report.format
    # neither sheet has the columns: both are named, with what each holds
    data = _wrong_workbook(["Customer", "Amount", "Region", "Notes"], ["Ticket #", "When", "Level", "Hours"])
    read.clear()
    with pytest.raises(DataError) as err:
        load_tickets(data, name="two.xlsx")
    assert read == [] and "No sheet has them; sheets: 'Data', 'Tickets'" in str(err.value)
    assert "Sheet 'Tickets', row 1: 'Ticket #', 'When', 'Level', 'Hours'." in str(err.value)


def test_an_assumptions_sheet_without_its_header_is_refused_on_its_first_row(tmp_path, monkeypatch):
    import openpyxl

    from msp_analysis.ingest import workbook

    path = scenario_to_workbook(sample_scenario(), tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["incidents"]
    ws.delete_rows(1, ws.max_row)
    ws.append(["Customer", "Amount"])
    for r in range(5_000):
        ws.append([r, r])
    wb.save(tmp_path / "b.xlsx")
    read = []
    whole = workbook._sheet_records

    def spy(ws, name):
        read.append(ws.title)
        return whole(ws, name)

    monkeypatch.setattr(workbook, "_sheet_records", spy)
    with pytest.raises(DataError) as err:
        scenario_from_workbook(tmp_path / "b.xlsx")
    assert "incidents" not in read and "organization" in read
    assert len(err.value.problems) == 1  # the sheet, not each of its fields again as missing
    assert "expected a header row with 'field' and 'value' columns (b.xlsx, sheet 'incidents', row 1)" in str(err.value)


def test_a_sheet_without_a_dimension_is_not_parsed_whole_by_openpyxl_to_size_it(monkeypatch):
    """openpyxl sizes a read-only sheet from its <dimension>, or by parsing it to its end when there is none."""
    import zipfile

    from openpyxl.worksheet._reader import WorkSheetParser

    from msp_analysis.ingest.xlsx_grid import _declare_dimensions

    head = hostile._HEADER  # Ticket #, Date Entered, Priority
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>2026-01-05 09:00</t></is></c>'
        b'<c r="C%d" t="inlineStr"><is><t>P3</t></is></c></row>' % (r, r, r, r, r)
        for r in range(2, 202)
    )
    bare = hostile._workbook([hostile._sheet(head + rows)])
    declared = hostile._workbook([hostile._sheet(head + rows, b'<dimension ref="A1:C201"/>')])
    parts = zipfile.ZipFile(io.BytesIO(declared)).infolist()
    assert _declare_dimensions(declared, parts) is declared  # nothing to do: the bytes as they came
    fixed = _declare_dimensions(bare, zipfile.ZipFile(io.BytesIO(bare)).infolist())
    assert b'<dimension ref="A1"/><sheetData>' in zipfile.ZipFile(io.BytesIO(fixed)).read("xl/worksheets/sheet1.xml")
    sized = []
    original = WorkSheetParser.parse_dimensions

    def spy(self):
        found = original(self)
        sized.append(found)
        return found

    monkeypatch.setattr(WorkSheetParser, "parse_dimensions", spy)
    a, _ = load_tickets(bare, name="bare.xlsx")
    b, _ = load_tickets(declared, name="declared.xlsx")
    assert a.drop(columns="row").equals(b.drop(columns="row")) and len(a) == 200
    assert sized and None not in sized  # every sheet openpyxl sized had a dimension to stop at


def test_an_encrypted_sheet_member_is_a_damaged_workbook_not_a_runtime_error():
    import struct

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Ticket #", "Date Entered", "Priority"])
    buf = io.BytesIO()
    wb.save(buf)
    data = bytearray(buf.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):  # local, central
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<H", data, at + flags_at, struct.unpack_from("<H", data, at + flags_at)[0] | 1)
            at = data.find(signature, at + 4)
    with pytest.raises(DataError, match=r"enc\.xlsx: is a damaged XLSX workbook \(.*encrypted"):
        load_tickets(bytes(data), name="enc.xlsx")


def test_writes_are_whole_or_not_at_all(tmp_path):
    path = write_atomic(tmp_path / "a.json", "old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_folder_is_replaced_whole_and_exports_never_share_one(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "old.pptx").write_text("old")
    with replaced_folder(out) as tmp:
        (tmp / "new.html").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["new.html"]
    with pytest.raises(RuntimeError), replaced_folder(out) as tmp:
        (tmp / "half.html").write_text("half")
        raise RuntimeError("failed mid-report")
    assert sorted(p.name for p in out.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    folders = {unique_folder(tmp_path / "exports", "acme") for _ in range(5)}
    assert len(folders) == 5


def test_paths_stay_inside_the_clients_folder(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "clients" / "acme").mkdir(parents=True)
    outside = tmp_path / "outside.json"
    sample_scenario().to_json(outside)
    (data / "clients" / "acme" / "scenario.json").symlink_to(outside)
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(data))
    with pytest.raises(DataError, match=r"scenario\.json: is outside the folder"):
        load_client("acme")
    with pytest.raises(DataError, match=r"is outside the folder"):
        save_client_scenario("acme", sample_scenario())
    before = outside.stat().st_mtime_ns
    with pytest.raises(DataError, match="outside"):
        contained(data / "clients", "../../outside.json")
    assert outside.stat().st_mtime_ns == before
    # the clients folder itself may be a link
    real = tmp_path / "elsewhere" / "clients"
    real.mkdir(parents=True)
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "clients").symlink_to(real)
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path / "linked"))
    written = save_client_scenario("beta", sample_scenario())
    assert written == real / "beta" / "scenario.json" and load_client("beta").scenario == sample_scenario()


def test_the_clis_out_folder_is_replaced_whole_and_never_one_holding_other_things(tmp_path, capsys):
    from msp_analysis.present.cli import main

    scenario = sample_scenario().to_json(tmp_path / "s.json")
    out = tmp_path / "out"
    out.mkdir()
    (out / "acme-break-fix-vs-msp.pptx").write_text("an older run")
    args = ["report", "--scenario", str(scenario), "--out", str(out), "--trials", "200", "--formats", "html"]
    assert main(args) == 0
    assert [p.suffix for p in out.iterdir()] == [".html"]  # the older run's deck is gone, not mixed in
    (out / "notes.txt").write_text("mine")
    assert main(args) != 0
    assert "holds other things than reports (notes.txt)" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"


def test_a_report_is_written_in_every_format_or_in_none(tmp_path, monkeypatch):
    from msp_analysis.present.report import build

    def broken(content, path):
        raise RuntimeError("python-pptx failed")

    monkeypatch.setitem(build.WRITERS, "pptx", broken)
    with pytest.raises(RuntimeError):
        build.build_report(sample_scenario(), tmp_path, trials=200, seed=1, formats=("html", "pptx"))
    assert list(tmp_path.iterdir()) == []  # not the HTML alone


@pytest.mark.slow
def test_a_long_organisation_name_writes_every_report_format(tmp_path):
    from msp_analysis.present.report import build_report

    # a 300-character name: python-pptx raised on the deck's 255-character title, and only the HTML was written
    scenario = sample_scenario().replace({"organization.name": "Acme " * 60 + "Ünïcödé € & <b>co</b>"})
    paths = build_report(scenario, tmp_path, trials=200, seed=1)
    assert sorted(p.suffix for p in paths) == [".html", ".pdf", ".pptx"]
    assert all(p.stat().st_size > 1000 and len(p.name) < 100 for p in paths)


# -- the dashboard server ------------------------------------------------------------------------


def test_past_the_kernel_cap_a_page_is_told_the_dashboard_is_busy():
    import asyncio

    from tornado.web import HTTPError

    from msp_analysis.present.dashboard.kernels import CappedKernelManager

    manager = CappedKernelManager(max_kernels=0)
    with pytest.raises(HTTPError) as e:
        asyncio.run(manager.start_kernel())
    assert e.value.status_code == 503 and "The dashboard is busy: 0 pages are open" in str(e.value.reason)


def test_present_on_a_busy_port_is_a_clear_error_not_another_address(capsys):
    import socket

    from msp_analysis.present.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["present", "--port", str(port)]) != 0
    assert f"something already listens on 127.0.0.1:{port}" in capsys.readouterr().err


_SERVE = """
import subprocess, sys, threading, urllib.error, urllib.request
from msp_analysis.present.dashboard.serve import voila_command
port = int(sys.argv[1])
argv, env = voila_command(port, max_kernels=1)
server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
# Wait for the preheated kernel: a page asked for before it is ready starts a kernel of its own (Voila's
# path without the pool), which with a cap of one leaves the pool's kernel the one refused.
pool_ready = threading.Event()
def drain():
    for line in server.stderr:
        if "is filled with" in line:
            pool_ready.set()
threading.Thread(target=drain, daemon=True).start()
def get(headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, b""
    except urllib.error.HTTPError as e:
        return e.code, e.read()
try:
    if not pool_ready.wait(180):
        raise SystemExit("the dashboard's preheated kernel was not ready within 180 s")
    print(get({"Origin": "https://evil.example"})[0], get({"Sec-Fetch-Site": "cross-site"})[0])
    print(get({})[0], *get({}), get({"Host": "attacker.example"})[0])
finally:
    server.terminate()
    server.wait(20)
"""


@pytest.mark.slow
def test_the_served_dashboard_caps_its_kernels_and_refuses_other_sites_and_hosts(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", _SERVE, str(port)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    sites, out = out.split("\n", 1)
    assert sites == "403 403"  # another site's page (Origin, or Sec-Fetch-Site when no Origin is sent): no kernel
    first, second, _ = out.split(" ", 2)
    assert (first, second) == ("200", "503") and "The dashboard is busy: 1 page is open" in out
    assert out.strip().endswith(" 403")  # a request naming another host (DNS rebinding) is refused


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_the_column_check_counts_per_line_so_a_long_ordinary_csv_still_loads(eol):
    from msp_analysis.ingest.csv_grid import _csv_grids
    from msp_analysis.ingest.sources import Source

    # 2,000 rows of 11 fields: 20,000 separators in all, none of the lines wider than 11
    text = eol.join(",".join(f'"{r},{c}"' if c == 3 else str(c) for c in range(11)) for r in range(2_000)) + eol
    grid = next(iter(_csv_grids(Source("t.csv", text.encode(), ".csv"), None, ",")))
    assert grid.frame.shape == (2_000, 11)
    wide = Source("w.csv", ("a," * 20_000 + "a" + eol + "b" + eol).encode(), ".csv")
    with pytest.raises(DataError, match=r"w\.csv: row 1 has 20,001 fields, more than the 16,384 columns"):
        next(iter(_csv_grids(wide, None, ",")))


def test_the_command_line_and_the_server_agree_on_the_kernel_defaults():
    from msp_analysis.present import cli
    from msp_analysis.present.dashboard import serve

    assert (cli.MAX_KERNELS, cli.CULL_IDLE_S) == (serve.MAX_KERNELS, serve.CULL_IDLE_S)
