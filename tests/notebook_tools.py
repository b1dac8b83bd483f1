"""Regenerate the notebooks' stored outputs, and helpers the notebook tests share.

    python tests/notebook_tools.py regenerate notebooks/00_start_here.ipynb ...
    python tests/notebook_tools.py check [notebooks/00_start_here.ipynb ...]

Each notebook is executed in place with nbconvert (timing metadata off, the
``python3`` kernel of this environment), then its ``metadata.widgets`` is
dropped: widget state holds random model ids and embedded images that
neither nbval nor Voila needs, and it would change on every run. Finally it is
checked (also on its own with ``check``): no error outputs, no widget state,
and no absolute path of this checkout in any output -- what the notebook
would otherwise commit from one machine and fail to match on another.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"


def notebooks() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: What a stored widget output says instead of pointing at a widget model that is not stored.
WIDGET_PLACEHOLDER = "Interactive controls: run the notebook to use them."


def strip_widget_state(path: Path) -> None:
    """Drop widget state and timing; replace widget views by a short placeholder.

    A widget view in an output only names a model id (random, new on every
    run); without the stored state it cannot be shown, so the placeholder
    says what to do and keeps diffs of regenerated notebooks quiet.
    """
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if WIDGET_MIME in out.get("data", {}):
                out["data"] = {"text/plain": WIDGET_PLACEHOLDER}
    nbformat.write(nb, path)


def problems(path: Path) -> list[str]:
    """What is wrong with a notebook's stored outputs (empty when it is fit to commit)."""
    nb = nbformat.read(path, as_version=4)
    found = []
    if "widgets" in nb.metadata:
        found.append("metadata.widgets is stored (run the regenerate command)")
    if any(WIDGET_MIME in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", [])):
        found.append("a widget view is stored (run the regenerate command)")
    root = str(ROOT)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            blob = str(out)
            if root in blob:
                found.append(f"cell {i}: an output contains the checkout's absolute path")
    return found


def check(paths: list[Path]) -> int:
    bad = 0
    for path in paths:
        for problem in problems(path):
            print(f"{path.name}: {problem}")
            bad += 1
    return bad


def regenerate(paths: list[Path]) -> None:
    for path in paths:
        print(f"executing {path.name}", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--inplace",
                "--ExecutePreprocessor.record_timing=False",
                "--ExecutePreprocessor.kernel_name=python3",
                "--ExecutePreprocessor.timeout=600",
                str(path),
            ],
            check=True,
            cwd=path.parent,
        )
        strip_widget_state(path)
    if check(paths):
        sys.exit("some notebooks are not fit to commit (see above)")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("regenerate", "check"):
        sys.exit(__doc__)
    chosen = [Path(p).resolve() for p in sys.argv[2:]] or notebooks()
    if sys.argv[1] == "regenerate":
        regenerate(chosen)
    else:
        sys.exit(1 if check(chosen) else 0)
