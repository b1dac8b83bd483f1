"""Drive every notebook's controls: widget callback errors are otherwise invisible.

nbval, nbconvert and papermill run a notebook's cells, but a widget callback
only runs when someone moves a control, and an exception in it never fails
them. So each notebook is executed (kernel ``python3``, in ``notebooks/``)
with one more cell that calls :func:`msp_analysis.testing.drive`: every
control of every registered view goes to its minimum and maximum (every
option of a dropdown), then all together and in random combinations, with the
simulations cut to a few hundred trials. The test fails when a view caught an
exception or did not redraw after a valid change.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from tests.notebook_tools import NOTEBOOK_DIR, notebooks

pytestmark = pytest.mark.slow

MARK = "DRIVE-REPORT "
DRIVE_CELL = f"""
import json as _json
from msp_analysis.testing import drive as _drive
_report = _drive(combinations=2, max_trials=300)
print({MARK!r} + _json.dumps(_report))
"""
# The series proper has controls in every notebook; later ones may not register views.
MUST_HAVE_VIEWS = re.compile(r"0[0-5]_")


def _drive(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(DRIVE_CELL))
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    line = next((ln for ln in text.splitlines() if ln.startswith(MARK)), None)
    assert line is not None, f"the drive cell printed no report: {text[-2000:]!r}"
    return json.loads(line[len(MARK) :])


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_every_control_updates_its_views_without_errors(path):
    report = _drive(path)
    print(
        f"{path.name}: {report['views']} views, {report['settings']} settings ({report['invalid']} invalid), "
        f"renders {report['renders']}, drive {report.get('seconds', '?')} s"
    )
    if MUST_HAVE_VIEWS.match(path.name):
        assert report["views"] >= 1, f"{path.name} registers no interactive view"
    if report["views"] == 0:
        return
    assert report["errors"] == [], "\n\n".join(report["errors"])
    assert report["stale"] == [], "\n".join(report["stale"])
    assert report["settings"] > 0
    assert sum(report["renders"].values()) > 0, "no view redrew while its controls moved"
