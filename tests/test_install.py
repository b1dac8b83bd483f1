"""The package installs from a wheel and the README's first example runs from anywhere.

A wheel is built from a copy of the repository's package, installed (without its
dependencies) into a fresh venv, and the README's five-line example is run by that venv's
Python from a temporary directory, with ``MSP_ANALYSIS_DATA`` unset. No network: the
dependencies come from the project's own environment, whose site-packages a ``.pth`` file
puts on the new venv's path (after the venv's own, so the installed wheel is the
``msp_analysis`` imported; a plain directory line runs none of that folder's ``.pth``
files, so the project's editable install stays out).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest

import msp_analysis

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(msp_analysis.__file__).resolve().parent

# The README's example (section "The library in five lines"), then the figures it shows, as JSON.
EXAMPLE = """
from msp_analysis import sample_scenario, simulate, expected

scenario = sample_scenario()
scenario = scenario.replace({"organization.users": 60, "msp.per_user_monthly": 120})
comparison = simulate(scenario, trials=10_000, seed=1)
summary = comparison.summary()
comparison.prob_msp_cheaper
table = expected(scenario)
"""

REPORT = """
import json, msp_analysis
print(json.dumps({
    "file": msp_analysis.__file__,
    "prob_msp_cheaper": comparison.prob_msp_cheaper,
    "simulated_mean": {m: float(summary.loc["mean", m]) for m in ("break_fix", "msp")},
    "expected_total": {m: float(table.loc["total_cost", m]) for m in ("break_fix", "msp")},
}))
"""

RUNTIME_FILES = [
    "msp_analysis/py.typed",
    "msp_analysis/model/data/sample_scenario.json",
    "msp_analysis/model/data/assumptions.csv",
    "msp_analysis/present/jupyter_path/voila/templates/msp_offline/conf.json",
    "msp_analysis/present/jupyter_path/voila/templates/msp_offline/index.html.j2",
    "msp_analysis/present/jupyter_path/voila/templates/msp_offline/page.html",
]


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, and the build's output (pip -v shows setuptools' warnings)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # A copy: an in-tree build would leave build/ and *.egg-info in the repository.
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "msp_analysis", source / "msp_analysis", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp / "dist"
    out = _run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)]
    )
    (wheel,) = dist.glob("msp_analysis-*.whl")
    return wheel, out.stdout + out.stderr


def test_the_build_finds_every_package(built: tuple[Path, str]) -> None:
    _, log = built
    assert "absent from the `packages` configuration" not in log
    assert "is absent from the" not in log


def test_the_wheel_holds_the_modules_and_what_the_library_reads_at_run_time(built: tuple[Path, str]) -> None:
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in RUNTIME_FILES if f not in names]
    modules = {p.relative_to(PACKAGE_DIR.parent).as_posix() for p in PACKAGE_DIR.rglob("*.py")}
    missing += sorted(modules - names)
    assert not missing, f"not in {wheel.name}: {missing}"


def test_the_readme_example_runs_from_an_installed_wheel(built: tuple[Path, str], tmp_path: Path) -> None:
    wheel, _ = built
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(site) / "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MSP_ANALYSIS_DATA", "PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    out = _run([str(python), "-c", EXAMPLE + REPORT], cwd=elsewhere, env=env)
    got = json.loads(out.stdout.strip().splitlines()[-1])

    assert Path(got["file"]).resolve().is_relative_to(venv.resolve()), got["file"]
    namespace: dict[str, Any] = {}
    exec(EXAMPLE, namespace)  # the same example, here, with the repository's package
    comparison, summary, table = namespace["comparison"], namespace["summary"], namespace["table"]
    assert got["prob_msp_cheaper"] == comparison.prob_msp_cheaper
    assert got["simulated_mean"] == {m: float(summary.loc["mean", m]) for m in ("break_fix", "msp")}
    assert got["expected_total"] == {m: float(table.loc["total_cost", m]) for m in ("break_fix", "msp")}
    assert got["expected_total"]["msp"] > 0
