"""Regenerate the notebooks' stored outputs, and helpers the notebook tests share.

    python tests/notebook_tools.py regenerate notebooks/00_start_here.ipynb ...

Each notebook is executed in place with nbconvert (timing metadata off, the
``python3`` kernel of this environment), then its ``metadata.widgets`` is
dropped: widget state holds random model ids and embedded images that
neither nbval nor Voila needs, and it would change on every run.
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


def strip_widget_state(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


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


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "regenerate":
        sys.exit(__doc__)
    regenerate([Path(p).resolve() for p in sys.argv[2:]] or notebooks())
