"""The package's layout stays readable: no import cycles, modules and functions of a size a
newcomer can take in, old import paths still working, public functions typed.

Everything but the old-import-path tests reads the source with :mod:`ast` (nothing is
imported), so a failure names the file and line to look at.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import msp_analysis
from msp_analysis import _legacy

PACKAGE_DIR = Path(msp_analysis.__file__).parent
PACKAGE = "msp_analysis"

MAX_MODULE_LINES = 650
MAX_FUNCTION_LINES = 80
LONG_BECAUSE = "Long because"

# Subpackages allowed to fail these checks while a split is under way (none now).
IN_PROGRESS: set[str] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}
TREES: dict[str, ast.Module] = {name: ast.parse(p.read_text(encoding="utf-8"), str(p)) for name, p in MODULES.items()}
SOURCES: dict[str, list[str]] = {name: p.read_text(encoding="utf-8").splitlines() for name, p in MODULES.items()}


def _area(module: str) -> str:
    """``model``, ``engine``, ... for a subpackage's modules; ``top`` for the package's own."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and MODULES[module].name == "__init__.py") else "top"


AREAS = sorted({_area(m) for m in MODULES})


def _area_param(area: str) -> object:
    if area in IN_PROGRESS:
        return pytest.param(area, marks=pytest.mark.xfail(strict=False, reason=f"{area}/ is being split (issue 11)"))
    return area


AREA_PARAMS = [_area_param(a) for a in AREAS]


# -- the import graph ------------------------------------------------------------


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement that runs (``if TYPE_CHECKING:`` blocks never do), and whether it is in a function."""

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from walk(other, in_function)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, inner)

    yield from walk(tree, False)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The package's modules an import statement loads (not counting parent packages)."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in MODULES:
                found.add(alias.name)
        return found
    if node.level:
        is_package = MODULES[module].name == "__init__.py"
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source in MODULES:
        found.add(source)
    for alias in node.names:  # `from . import x` / `from .engine import simulation`: x is a module
        if f"{source}.{alias.name}" in MODULES:
            found.add(f"{source}.{alias.name}")
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports, at module level or inside functions."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, tree in TREES.items():
        for node, _ in _imports(tree):
            graph[module] |= _targets(module, node) - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_relative_absolute_and_function_level_imports():
    graph = import_graph()
    assert "msp_analysis.model.fields" in graph["msp_analysis.model.scenario"]  # from .fields import ...
    assert "msp_analysis.engine.metrics" in graph["msp_analysis.engine.simulation"]  # from . import metrics
    assert "msp_analysis.errors" in graph["msp_analysis.decisions.budget"]  # from ..errors import ...
    assert "msp_analysis.present.report" in graph["msp_analysis"]  # inside __getattr__
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or on the line above it or above its block of imports."""
    if "#" in lines[lineno - 1]:
        return True
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith(("from ", "import ")):
        i -= 1
    return i >= 0 and lines[i].strip().startswith("#")


@pytest.mark.parametrize("area", AREA_PARAMS)
def test_function_level_imports_of_the_package_say_why(area):
    unexplained = []
    for module, tree in TREES.items():
        if _area(module) != area:
            continue
        for node, in_function in _imports(tree):
            if in_function and _targets(module, node) and not _has_reason(SOURCES[module], node.lineno):
                unexplained.append(
                    f"{MODULES[module].relative_to(PACKAGE_DIR.parent)}:{node.lineno}: {ast.unparse(node)}"
                )
    assert not unexplained, (
        "function-level imports of the package's own modules need a comment saying why "
        "(a cycle is not a reason: break it):\n" + "\n".join(unexplained)
    )


# -- sizes ----------------------------------------------------------------------------


def code_lines(func: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Lines of a function's body that hold code: its docstring, blank lines and comments excluded."""
    body = func.body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        if len(body) == 1:
            return 0
        start = first.end_lineno + 1
    else:
        start = first.lineno
    count = 0
    for text in lines[start - 1 : func.end_lineno]:
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            count += 1
    return count


def test_code_lines_leave_out_docstring_blanks_and_comments():
    source = 'def f(x):\n    """Doc.\n\n    More.\n    """\n\n    # why\n    y = x + 1\n\n    return y\n'
    func = ast.parse(source).body[0]
    assert code_lines(func, source.splitlines()) == 2


@pytest.mark.parametrize("area", AREA_PARAMS)
def test_modules_are_at_most_650_lines(area):
    long_modules = [
        f"{MODULES[m].relative_to(PACKAGE_DIR.parent)}: {len(SOURCES[m])} lines"
        for m in MODULES
        if _area(m) == area and len(SOURCES[m]) > MAX_MODULE_LINES
    ]
    assert not long_modules, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long_modules)


@pytest.mark.parametrize("area", AREA_PARAMS)
def test_functions_are_at_most_80_code_lines_unless_they_say_why(area):
    long_functions = []
    for module, tree in TREES.items():
        if _area(module) != area:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            n = code_lines(node, SOURCES[module])
            if n > MAX_FUNCTION_LINES and LONG_BECAUSE not in (ast.get_docstring(node) or ""):
                long_functions.append(
                    f"{MODULES[module].relative_to(PACKAGE_DIR.parent)}:{node.lineno} {node.name}: {n}"
                )
    assert not long_functions, (
        f"functions over {MAX_FUNCTION_LINES} code lines whose docstring has no sentence starting "
        f"{LONG_BECAUSE!r}:\n" + "\n".join(long_functions)
    )


# -- old import paths ------------------------------------------------------------------


@pytest.mark.parametrize("old", sorted(_legacy.MOVED))
def test_old_module_paths_import_with_a_deprecation_warning(old, monkeypatch):
    name = f"{PACKAGE}.{old}"
    # Imported before (by another test, a notebook helper): forget it so the finder runs again.
    monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.warns(DeprecationWarning, match=name):
        module = importlib.import_module(name)
    moved = _legacy.MOVED[old]
    for target in (moved,) if isinstance(moved, str) else moved:
        real = importlib.import_module(f"{PACKAGE}.{target}")
        for public in getattr(real, "__all__", []):
            assert hasattr(module, public), f"{name}.{public} (from {PACKAGE}.{target}) no longer resolves"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(
    ("old", "attribute", "real"),
    [
        ("widgets", "control", "present.widgets"),
        ("decision", "sensitivity", "decisions.sensitivity"),
        ("decision", "break_even", "decisions.break_even"),
        ("simulation", "COLUMNS", "engine.columns"),
        ("simulation", "simulate", "engine.simulation"),
        ("plotting", "money", "formatting"),
        ("scenario", "FieldInfo", "model.fields"),
        ("scenario", "Scenario", "model.scenario"),
        ("invoices", "compare_invoices", "decisions.invoice_check"),
    ],
)
def test_known_names_resolve_through_old_paths(old, attribute, real):
    value = getattr(importlib.import_module(f"{PACKAGE}.{old}"), attribute)
    assert value is getattr(importlib.import_module(f"{PACKAGE}.{real}"), attribute)


# -- types -------------------------------------------------------------------------------


def test_the_package_says_it_is_typed():
    assert (PACKAGE_DIR / "py.typed").is_file()


def _public_names(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def _missing_annotations(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    missing = [a.arg for a in params if a.annotation is None and a.arg not in ("self", "cls")]
    missing += [f"*{a.arg}" for a in (args.vararg, args.kwarg) if a is not None and a.annotation is None]
    if func.returns is None:
        missing.append("return")
    return missing


@pytest.mark.parametrize("area", AREA_PARAMS)
def test_public_functions_are_annotated(area):
    untyped = []
    for module, tree in TREES.items():
        if _area(module) != area:
            continue
        public = _public_names(tree)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in public:
                missing = _missing_annotations(node)
                if missing:
                    untyped.append(f"{module}.{node.name}: {', '.join(missing)}")
    assert not untyped, "public functions without annotations:\n" + "\n".join(untyped)


def test_an_old_module_path_does_not_hide_a_public_function():
    # `import msp_analysis.expected` sets the submodule on the package; it must not
    # replace the function expected() (nor scorecard()) that the package exports.
    import importlib
    import warnings

    import msp_analysis

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        importlib.import_module("msp_analysis.expected")
        importlib.import_module("msp_analysis.scorecard")
    assert callable(msp_analysis.expected) and not isinstance(msp_analysis.expected, type(msp_analysis))
    assert msp_analysis.expected(msp_analysis.sample_scenario()).shape[1] == 2
    assert callable(msp_analysis.scorecard) and not isinstance(msp_analysis.scorecard, type(msp_analysis))
