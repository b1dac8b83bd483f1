"""Regenerate the notebooks' stored outputs, and helpers the notebook tests share.

    python tests/notebook_tools.py regenerate notebooks/00_start_here.ipynb ...
    python tests/notebook_tools.py check [notebooks/00_start_here.ipynb ...]
    python tests/notebook_tools.py links

``links`` writes every numbered notebook's navigation line (previous ·
index · next, in file-name order, titles taken from each notebook's first
heading) at the top and the bottom of the notebook, so adding or renaming a
notebook never leaves a link pointing at the wrong place; ``regenerate``
writes them first, and ``check`` reports a line that is out of date.

Each notebook is executed in place with nbconvert (timing metadata off, the
``python3`` kernel of this environment), then its ``metadata.widgets`` is
dropped: widget state holds random model ids and embedded images that
neither nbval nor Voila needs, and it would change on every run. Finally it is
checked (also on its own with ``check``): no error outputs, no widget state,
and no absolute path of this checkout in any output -- what the notebook
would otherwise commit from one machine and fail to match on another.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"


def notebooks() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


INDEX = "00_start_here.ipynb"
#: A navigation line as :func:`nav_line` writes it (and as the notebooks had them by hand).
NAV_LINE = re.compile(r"^(\[← [^\]]*\]\([^)]*\) · )?\[Index\]\([^)]*\)( · \[[^\]]* →\]\([^)]*\))?$")


def title(path: Path) -> str:
    """``"01 Cost and billing"`` from the notebook's first heading ``# 01 · Cost and billing``."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].replace(" · ", " ").strip()
    return path.stem.replace("_", " ")


def nav_line(path: Path, order: list[Path] | None = None) -> str:
    """The navigation line of one notebook: previous · index · next (the last one leads back to 00)."""
    order = order if order is not None else notebooks()
    names = [p.name for p in order]
    i = names.index(path.name)
    parts = []
    if i > 0:
        parts.append(f"[← {title(order[i - 1])}]({names[i - 1]})")
    parts.append(f"[Index]({INDEX})")
    nxt = order[(i + 1) % len(order)]
    parts.append(f"[{title(nxt)} →]({nxt.name})")
    return " · ".join(parts)


def _nav_cells(nb) -> list:
    """The first and the last markdown cell: where the navigation line lives."""
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    return [markdown[0], markdown[-1]] if markdown else []


def stale_links(path: Path, order: list[Path] | None = None) -> list[str]:
    """What is wrong with a notebook's navigation lines (empty when both are current)."""
    want = nav_line(path, order)
    nb = nbformat.read(path, as_version=4)
    found = []
    for where, cell in zip(("first", "last"), _nav_cells(nb)):
        lines = [line for line in cell.source.splitlines() if NAV_LINE.match(line)]
        if lines != [want]:
            found.append(f"{where} markdown cell: navigation line {lines or 'missing'}, expected {want!r}")
    return found


def write_links(order: list[Path] | None = None) -> None:
    """Write the navigation line into the first and last markdown cell of every numbered notebook."""
    order = order if order is not None else notebooks()
    for path in order:
        want = nav_line(path, order)
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in _nav_cells(nb):
            lines = cell.source.splitlines()
            if any(NAV_LINE.match(line) for line in lines):
                new = "\n".join(want if NAV_LINE.match(line) else line for line in lines)
            else:
                new = "\n".join([*lines, "", want])
            if new != cell.source:
                cell.source, changed = new, True
        if changed:
            nbformat.write(nb, path)
            print(f"links updated: {path.name}")


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
    if path.parent == NOTEBOOK_DIR and path in notebooks():
        found += stale_links(path)
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
    write_links()
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
    if len(sys.argv) < 2 or sys.argv[1] not in ("regenerate", "check", "links"):
        sys.exit(__doc__)
    chosen = [Path(p).resolve() for p in sys.argv[2:]] or notebooks()
    if sys.argv[1] == "links":
        write_links()
    elif sys.argv[1] == "regenerate":
        regenerate(chosen)
    else:
        sys.exit(1 if check(chosen) else 0)
