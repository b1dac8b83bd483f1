"""Hostile files, built in a folder, and a child process that opens one under time and memory limits.

Each builder writes its file(s) under ``folder`` and returns an :class:`Attack`:
the Python code a child runs against them, and what the library should do
(``"error"``: one of its own errors; ``"ok"``: read as data). :func:`run`
runs the code in a fresh interpreter with an address-space limit
(``RLIMIT_AS``) and a wall-clock timeout, and reports what happened, so that
a hang or a memory blow-up fails a test instead of the test run.

Also usable as a script against any copy of the package, to measure
"before" and "after"::

    PYTHONPATH=/path/to/copy python tests/hostile.py
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The issue's limits: every attack refused (or handled) within this time and address space.
TIME_LIMIT_S = 10.0
MEMORY_LIMIT_BYTES = 1_500_000_000


@dataclass(frozen=True)
class Attack:
    """Code for a child to run against files in ``folder``, and the outcome the library should give."""

    name: str
    code: str
    expect: str  # "error" (a DataError/ValidationError) or "ok"
    match: str = ""  # text the library's error must contain
    seconds: float = TIME_LIMIT_S  # a tighter limit where the answer must come before the file is read


@dataclass(frozen=True)
class Outcome:
    """What the child did: "error", "ok", "foreign" (another exception), "timeout" or "crashed"."""

    kind: str
    seconds: float
    detail: str
    message_chars: int = 0
    peak_mb: float = 0.0  # the child's peak resident memory, imports included


_CHILD = """
import json, sys, time
# the library's modules are loaded before the clock starts: the attack's time is the reading, not the imports
import msp_analysis, msp_analysis.ingest.tickets, msp_analysis.ingest.workbook, msp_analysis.ingest.clients
import openpyxl, openpyxl.reader.excel
t = time.perf_counter()
try:
{code}
    out = {{"kind": "ok", "detail": ""}}
except MemoryError:
    out = {{"kind": "foreign", "detail": "MemoryError"}}
except Exception as e:
    from msp_analysis.errors import MSPAnalysisError
    text = str(e)
    kind = "error" if isinstance(e, MSPAnalysisError) else "foreign"
    out = {{"kind": kind, "detail": type(e).__name__ + ": " + text[:400], "chars": len(text)}}
out["seconds"] = time.perf_counter() - t
import resource
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
print("RESULT " + json.dumps(out))
"""


def _limits(memory: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def run(attack: Attack, folder: Path, *, timeout: float = TIME_LIMIT_S, memory: int = MEMORY_LIMIT_BYTES) -> Outcome:
    """Run ``attack`` in a child (cwd ``folder``) under ``memory`` bytes of address space and ``timeout`` s."""
    code = "\n".join("    " + line for line in attack.code.strip().splitlines())
    env = dict(os.environ, MSP_ANALYSIS_DATA=str(folder / "data"), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.environ.get("HOSTILE_PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    # the interpreter's start (numpy, pandas imports) is not the attack's time: the child times the attack
    # itself, and the timeout here allows for a slow start on a busy machine
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD.format(code=code)],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout + 20,
            preexec_fn=_limits(memory),
        )
    except subprocess.TimeoutExpired:
        return Outcome("timeout", time.perf_counter() - start, f"still running after {timeout + 20:.0f} s")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        return Outcome("crashed", time.perf_counter() - start, f"exit {proc.returncode}: {proc.stderr[-600:]}")
    out = json.loads(lines[-1][len("RESULT ") :])
    kind = "timeout" if out["seconds"] > timeout else out["kind"]
    return Outcome(kind, out["seconds"], out["detail"], out.get("chars", 0), out.get("peak_mb", 0.0))


# -- the files ---------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(sheets: list[bytes]) -> bytes:
    """A minimal XLSX whose sheets' XML is given (hand-made, as an attacker or a broken tool writes it)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    for k in range(2, len(sheets) + 1):
        wb.create_sheet(f"Sheet{k}")
    buf = io.BytesIO()
    wb.save(buf)
    base = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            data = base.read(info.filename)
            for k, xml in enumerate(sheets, start=1):
                if info.filename == f"xl/worksheets/sheet{k}.xml":
                    data = xml
            z.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet(rows: bytes, dimension: bytes = b"") -> bytes:
    return f'<worksheet xmlns="{_NS}">'.encode() + dimension + b"<sheetData>" + rows + b"</sheetData></worksheet>"


_HEADER = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Ticket #</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Date Entered</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>Priority</t></is></c></row>'
)


def declared_dimensions(folder: Path) -> Attack:
    """An assumptions workbook whose sheets declare ``A1:XFD1048576`` (17 billion cells) over a few rows."""
    from msp_analysis import sample_scenario
    from msp_analysis.ingest.workbook import scenario_to_workbook

    path = scenario_to_workbook(sample_scenario(), folder / "assumptions.xlsx")
    base = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            data = base.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start) + 2
                data = data[:start] + b'<dimension ref="A1:XFD1048576"/>' + data[end:]
            z.writestr(info.filename, data)
    path.write_bytes(out.getvalue())
    return Attack(
        "workbook declaring A1:XFD1048576",
        "from msp_analysis.ingest.workbook import scenario_from_workbook\nscenario_from_workbook('assumptions.xlsx')",
        "ok",
    )


def tab_formulas(folder: Path, cells: int = 40_000) -> Attack:
    """Formula cells written ``<c\\tr=...>`` (a tab is valid XML) after one ordinary cell: the scan's worst case."""
    rows = b"".join(b'<row r="%d"><c\tr="A%d"><f>1+%d</f></c></row>' % (r, r, r) for r in range(2, cells + 2))
    (folder / "tickets.xlsx").write_bytes(_workbook([_sheet(_HEADER + rows)]))
    return Attack(
        f"{cells:,} formula cells written <c\\tr=...>",
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.xlsx')",
        "error",
    )


def many_parts(folder: Path, parts: int = 8) -> Attack:
    """Sheets each just under 16 MiB inflated, each far more compressed than a real sheet (under the old per-part check)."""
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c></row>'
    body = _HEADER + row * ((2**24 - 1000) // len(row))
    (folder / "tickets.xlsx").write_bytes(_workbook([_sheet(body)] * parts))
    return Attack(
        f"{parts} parts of 16 MiB each",
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.xlsx')",
        "error",
        "inflate",
    )


def many_small_parts(folder: Path, parts: int = 48) -> Attack:
    """Sheets each just under 1 MiB (below the per-part ratio check) that together inflate 48 MiB, 1,000-fold."""
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c></row>'
    body = _HEADER + row * ((2**20 - 1000) // len(row))
    (folder / "tickets.xlsx").write_bytes(_workbook([_sheet(body)] * parts))
    return Attack(
        f"{parts} parts of 1 MiB each",
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.xlsx')",
        "error",
        "together",
    )


def wide_csv(folder: Path, columns: int = 1_000_000) -> Attack:
    """A rectangular CSV of a million columns (two lines), under the byte limit."""
    line = ",".join(["x"] * columns)
    (folder / "tickets.csv").write_text(line + "\n" + line + "\n", encoding="utf-8")
    return Attack(
        f"CSV of {columns:,} columns",
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.csv')",
        "error",
        "16,384",
    )


def device_scenario(folder: Path) -> Attack:
    """``/dev/zero`` as a scenario file: stat says 0 bytes, reading never ends."""
    return Attack(
        "/dev/zero as a scenario",
        "from msp_analysis import Scenario\nScenario.from_json('/dev/zero')",
        "error",
        "character device",
    )


def device_link_tickets(folder: Path) -> Attack:
    """A ``tickets.csv`` that is a symbolic link to ``/dev/zero``."""
    (folder / "tickets.csv").symlink_to("/dev/zero")
    return Attack(
        "tickets.csv -> /dev/zero",
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.csv')",
        "error",
        "character device",
    )


def fifo_tickets(folder: Path) -> Attack:
    """A ``tickets.csv`` that is a named pipe nobody writes to (opening it for reading would block)."""
    os.mkfifo(folder / "tickets.csv")
    return Attack(
        "tickets.csv a FIFO",
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.csv')",
        "error",
        "FIFO",
    )


def huge_scenario(folder: Path, megabytes: int = 100) -> Attack:
    """A 100 MB "scenario" whose unknown section holds one 100 MB text (its error would echo it)."""
    with open(folder / "scenario.json", "w", encoding="utf-8") as f:
        f.write('{"schema_version": 1, "x": "')
        chunk = "a" * 2**20
        for _ in range(megabytes):
            f.write(chunk)
        f.write('"}')
    return Attack(
        f"{megabytes} MB scenario JSON",
        "from msp_analysis import Scenario\nScenario.from_json('scenario.json')",
        "error",
    )


def long_value_scenario(folder: Path) -> Attack:
    """A scenario under the size limit whose organisation name is 3 MB: the error must not echo it."""
    from msp_analysis import sample_scenario

    data = sample_scenario().to_dict()
    data["organization"]["name"] = 3_000_000
    data["x"] = "b" * 3_000_000
    (folder / "scenario.json").write_text(json.dumps(data), encoding="utf-8")
    return Attack(
        "3 MB value in a scenario",
        "from msp_analysis import Scenario\nScenario.from_json('scenario.json')",
        "error",
    )


def duplicate_keys(folder: Path) -> Attack:
    """A scenario giving ``users`` twice: JSON keeps the last one silently."""
    from msp_analysis import sample_scenario

    text = json.dumps(sample_scenario().to_dict(), indent=1)
    text = text.replace('"users": 45', '"users": 45,\n  "users": 4500', 1)
    (folder / "scenario.json").write_text(text, encoding="utf-8")
    return Attack(
        "duplicate key in a scenario",
        "from msp_analysis import Scenario\nScenario.from_json('scenario.json')",
        "error",
        "'users'",
    )


def bom_upload(folder: Path) -> Attack:
    """A scenario uploaded to the panel with a UTF-8 byte-order mark (as Windows editors save it)."""
    from msp_analysis import sample_scenario

    raw = b"\xef\xbb\xbf" + json.dumps(sample_scenario().to_dict()).encode()
    (folder / "upload.json").write_bytes(raw)
    return Attack(
        "upload with a UTF-8 BOM",
        "from pathlib import Path\nfrom msp_analysis import sample_scenario\n"
        "from msp_analysis.present.widgets.scenario_panel import ScenarioControls\n"
        "ScenarioControls(sample_scenario(), ['organization.users']).load(Path('upload.json').read_bytes())",
        "ok",
    )


def symlinked_client_scenario(folder: Path) -> Attack:
    """A client's ``scenario.json`` that is a symbolic link to a file outside the clients folder."""
    from msp_analysis import sample_scenario

    outside = folder / "outside"
    outside.mkdir()
    sample_scenario().to_json(outside / "secret.json")
    client = folder / "data" / "clients" / "acme"
    client.mkdir(parents=True)
    (client / "scenario.json").symlink_to(outside / "secret.json")
    return Attack(
        "scenario.json linking out of clients/",
        "from msp_analysis.ingest.clients import load_client\nload_client('acme')",
        "error",
        "outside",
    )


def panel_save_outside(folder: Path) -> Attack:
    """The notebook panel's Save given ``../../x`` (and an absolute path elsewhere)."""
    (folder / "data" / "clients").mkdir(parents=True)
    target = folder / "elsewhere.json"
    return Attack(
        "panel Save to ../../x",
        "from msp_analysis import sample_scenario\n"
        "from msp_analysis.present.widgets.scenario_panel import ScenarioControls\n"
        "p = ScenarioControls(sample_scenario(), ['organization.users'], folder='data/clients')\n"
        "try:\n    p.save('../../x')\nexcept Exception:\n    pass\n"
        f"p.save({str(target)!r})",
        "error",
        "outside",
    )


def client_folder_is_a_file(folder: Path) -> Attack:
    """``save_client_scenario`` where a file has the client folder's name."""
    clients = folder / "data" / "clients"
    clients.mkdir(parents=True)
    (clients / "acme").write_text("not a folder")
    return Attack(
        "client folder is a file",
        "from msp_analysis import sample_scenario\nfrom msp_analysis.ingest.clients import save_client_scenario\n"
        "save_client_scenario('acme', sample_scenario())",
        "error",
        "acme",
    )


def wrong_columns_sheet(folder: Path, rows: int = 150_000, dimension: bool = True) -> Attack:
    """A workbook whose only sheet is 150,000 rows under columns no loader wants: refused from its first rows.

    Without ``dimension`` the sheet lacks the ``<dimension>`` Excel writes, as another tool's may: openpyxl
    would then parse it to its end as the workbook opens, just to size it.
    """
    import random

    rng = random.Random(17)  # varied numbers: a real export, not a zip bomb (the ratio checks leave it alone)
    head = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (col, name)
        for col, name in zip((b"A", b"B", b"C", b"D"), (b"Customer", b"Amount", b"Region", b"Notes"))
    )
    body = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%.2f</v></c><c r="C%d"><v>%d</v></c>'
        b'<c r="D%d"><v>%d</v></c></row>'
        % (r, r, rng.randrange(10**6), r, rng.random() * 1e4, r, rng.randrange(99), r, rng.randrange(10**9))
        for r in range(2, rows + 2)
    )
    # the <dimension> Excel writes first: without it openpyxl itself scans the whole sheet once to size it
    declared = b'<dimension ref="A1:D%d"/>' % (rows + 1) if dimension else b""
    (folder / "tickets.xlsx").write_bytes(_workbook([_sheet(b'<row r="1">' + head + b"</row>" + body, declared)]))
    return Attack(
        f"one sheet of {rows:,} rows of the wrong columns" + ("" if dimension else ", no <dimension>"),
        "from msp_analysis.ingest.tickets import load_tickets\nload_tickets('tickets.xlsx')",
        "error",
        "cannot find the required column(s) 'opened', 'priority'",
        seconds=2.0,  # read whole, this sheet takes about 10 s on the 2-core machine: the head scan, 0.1 s
    )


ATTACKS: dict[str, Callable[[Path], Attack]] = {
    "declared_dimensions": declared_dimensions,
    "tab_formulas": tab_formulas,
    "many_parts": many_parts,
    "many_small_parts": many_small_parts,
    "wide_csv": wide_csv,
    "device_scenario": device_scenario,
    "device_link_tickets": device_link_tickets,
    "fifo_tickets": fifo_tickets,
    "huge_scenario": huge_scenario,
    "long_value_scenario": long_value_scenario,
    "duplicate_keys": duplicate_keys,
    "bom_upload": bom_upload,
    "symlinked_client_scenario": symlinked_client_scenario,
    "panel_save_outside": panel_save_outside,
    "client_folder_is_a_file": client_folder_is_a_file,
    "wrong_columns_sheet": wrong_columns_sheet,
    "wrong_columns_no_dimension": lambda folder: wrong_columns_sheet(folder, dimension=False),
}


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of every file under ``folder``, to check that an attack changed nothing there."""
    out = {}
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def _main() -> None:
    """Run every attack (or those named on the command line) and print one line each."""
    # the builders use the same copy of the package as the children (not whatever the venv has installed)
    sys.path.insert(0, os.environ.get("HOSTILE_PYTHONPATH", str(Path(__file__).resolve().parents[1])))
    names = sys.argv[1:] or list(ATTACKS)
    for name in names:
        with tempfile.TemporaryDirectory() as d:
            folder = Path(d)
            attack = ATTACKS[name](folder)
            outcome = run(attack, folder, timeout=float(os.environ.get("HOSTILE_TIMEOUT", TIME_LIMIT_S)))
            written = sorted(p.name for p in folder.rglob("*") if p.name.endswith(".json") and "elsewhere" in p.name)
            print(
                f"{name:28s} {outcome.kind:8s} {outcome.seconds:7.2f}s {outcome.peak_mb:6.0f} MB "
                f"chars={outcome.message_chars:<10,} "
                f"{outcome.detail[:160]!r} {written or ''}",
                flush=True,
            )


if __name__ == "__main__":
    _main()
