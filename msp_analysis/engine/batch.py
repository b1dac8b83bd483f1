"""Exact expected annual totals for many input sets at once.

The uncertainty analysis (:mod:`msp_analysis.decisions.uncertainty`) needs the
expected total of both models for thousands of draws of the inputs. They are
priced by the one implementation of the expectations,
:func:`~msp_analysis.engine.expected.expected_components`, run once on a
*columnar* scenario: a :class:`~msp_analysis.model.scenario.Scenario` whose
changed fields hold one value per input set (an array) and whose other fields
keep their single value, which broadcasts. The model's functions are written
with array arithmetic (``np.maximum``, not ``max``; no branch on a value), so
the same code prices one scenario or ten thousand, and a field added to the
model flows into the batch with nothing to change here.

The columnar scenario is built without the dataclasses' per-value checks;
instead each changed column is checked once, vectorised, against its field's
range (:meth:`~msp_analysis.model.fields.FieldInfo.accepts`) and the sections'
cross-checks run on the arrays. When anything fails, the input sets are built
one at a time, in order, until one raises: the error names the path and the
first bad input set exactly as a one-at-a-time batch would. Text fields
(a regime, a currency) cannot be arrays the model branches on: input sets are
grouped by their text values and each group priced as one batch.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ValidationError
from ..model.fields import Validated, split_path
from ..model.scenario import Scenario, field_info
from .expected import expected_components

__all__ = ["expected_totals"]

#: Input sets per task when the batch is spread over a Dask cluster: a few
#: seconds of work each, so the scheduler's per-task cost (milliseconds) is small.
CHUNK = 1_000
#: Input sets priced at once here: bounds the memory of the arrays the model
#: builds (a few dozen of this length). Each set's numbers depend on its own
#: inputs alone, so the block size never changes a result.
BLOCK = 4_096


def _copy_tree(node: Any) -> Any:
    # Plain scenario data is dicts of numbers and strings: a structural copy
    # is all a draw needs, and far cheaper than copy.deepcopy.
    return {k: _copy_tree(v) for k, v in node.items()} if isinstance(node, dict) else node


def expected_totals(
    scenario: Scenario,
    changes: Mapping[str, npt.ArrayLike],
    *,
    scheduler: Any = None,
    chunk: int = CHUNK,
) -> npt.NDArray[np.float64]:
    """Expected annual total of Break/Fix and of the MSP for each set of changed inputs.

    Parameters
    ----------
    scenario : Scenario
        Every field not in ``changes`` keeps its value here.
    changes : mapping of str to array_like
        Dotted path -> one value per input set (all the same length ``n``).
    scheduler : None, "local", str or distributed.Client
        None (default) computes here. Otherwise the input sets go to that Dask
        cluster (:func:`msp_analysis.cluster.connect`: ``"local"`` starts a
        ``LocalCluster``, an address connects) in tasks of ``chunk`` sets,
        and come back in order: the same numbers, bit for bit, as computed
        here, since each set is priced by the same deterministic code.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``: column 0 Break/Fix, column 1 MSP, each equal to
        ``expected(scenario.replace({path: value[i], ...})).loc["total_cost"]``.

    Raises
    ------
    ValidationError
        An unknown path, or a value outside its field's range (the message
        names the path and the input set).

    Examples
    --------
    >>> from msp_analysis import sample_scenario, expected
    >>> s = sample_scenario()
    >>> t = expected_totals(s, {"msp.per_user_monthly": [100.0, 150.0]})
    >>> t.shape
    (2, 2)
    >>> e = expected(s.replace({"msp.per_user_monthly": 150.0})).loc["total_cost"]
    >>> bool(abs(t[1, 1] - e["msp"]) < 1e-9 * e["msp"])
    True
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    known = set(scenario.paths())
    columns: list[tuple[list[str], npt.NDArray[Any]]] = []
    n = None
    for path, values in changes.items():
        if path not in known:
            raise ValidationError(path, "<path>", "a field of the scenario (see Scenario.paths())")
        arr = np.asarray(values)
        if arr.ndim != 1:
            # Say what was given: "shape ()" reads as nothing to someone who passed 100.0.
            shown = arr.item() if arr.ndim == 0 else f"a {arr.ndim}-D array of shape {arr.shape}"
            given = "a single number" if arr.ndim == 0 else "an array of arrays"
            count = "n values" if n is None else f"{n} values, as the paths before it have"
            raise ValidationError(path, shown, f"a 1-D sequence of {count}, one per input set, not {given}")
        if n is not None and arr.size != n:
            raise ValidationError(
                path, f"{arr.size} value{'' if arr.size == 1 else 's'}", f"one value per input set ({n} of them)"
            )
        n = arr.size
        columns.append((split_path(path), arr))
    if scheduler is not None and n:
        return _on_cluster(scenario, {p: np.asarray(v) for p, v in changes.items()}, n, scheduler, chunk)
    return _priced(scenario, {".".join(parts): arr for parts, arr in columns}, n or 0)


def _is_text(path: str) -> bool:
    info = field_info(path)
    return info.choices is not None or info.unit == "text"


def _priced(scenario: Scenario, columns: dict[str, npt.NDArray[Any]], n: int) -> npt.NDArray[np.float64]:
    """Totals of every input set: grouped by text values, validated, priced in blocks."""
    out = np.empty((n, 2))
    if not n:
        return out
    numeric = {p: v for p, v in columns.items() if not _is_text(p)}
    checked = _checked_numbers(scenario, columns, numeric, n)
    text = [p for p in columns if p not in numeric]
    if not text:
        groups = [(scenario, np.arange(n))]
    else:
        keys = [tuple(columns[p][i] for p in text) for i in range(n)]
        firsts: dict[tuple[Any, ...], list[int]] = {}
        for i, key in enumerate(keys):
            firsts.setdefault(key, []).append(i)
        groups = []
        for key, members in firsts.items():
            try:
                base = scenario.replace(dict(zip(text, (v.item() if hasattr(v, "item") else v for v in key))))
            except ValidationError:
                _raise_first_invalid(scenario, columns, n)
                raise  # not reached: the input set of this group fails on its own
            groups.append((base, np.asarray(members)))
    for base, rows in groups:
        for start in range(0, rows.size, BLOCK):
            r = rows[start : start + BLOCK]
            out[r] = _block(base, {p: v[r] for p, v in checked.items()}, r.size)
    return out


def _checked_numbers(
    scenario: Scenario, columns: dict[str, npt.NDArray[Any]], numeric: dict[str, npt.NDArray[Any]], n: int
) -> dict[str, npt.NDArray[np.float64]]:
    """The numeric columns as floats, each value checked against its field's range, vectorised."""
    out = {}
    for path, arr in numeric.items():
        if arr.dtype.kind not in "iuf":  # booleans, texts, objects: the one-at-a-time checks word the error
            _raise_first_invalid(scenario, columns, n)
            arr = arr.astype(float)  # objects holding plain numbers pass those checks
        values = np.asarray(arr, dtype=float) + 0.0  # + 0.0: a negative zero is zero, as one scenario stores it
        bad = ~field_info(path).accepts(values)
        if bad.any():
            _raise_first_invalid(scenario, columns, int(np.argmax(bad)) + 1)
        out[path] = values
    return out


def _block(scenario: Scenario, columns: dict[str, npt.NDArray[np.float64]], n: int) -> npt.NDArray[np.float64]:
    """Totals of ``n`` input sets priced at once through a columnar scenario."""
    batch, touched = _columnar(scenario, columns)
    try:
        for obj in touched:
            obj._cross_checks()
    except (ValidationError, ValueError, TypeError):
        # A cross-check failed, or one cannot take arrays: check the sets one at a time.
        _raise_first_invalid(scenario, columns, n)
    comps = expected_components(batch)
    return np.column_stack(
        [np.broadcast_to(np.asarray(comps[m]["total_cost"], dtype=float), (n,)) for m in ("break_fix", "msp")]
    )


def _columnar(scenario: Scenario, columns: Mapping[str, npt.NDArray[np.float64]]) -> tuple[Scenario, list[Validated]]:
    """``scenario`` with each changed field holding its column, and the groups of fields changed.

    The sections on a changed path are shallow copies set without their
    dataclass checks (which take one value; :func:`_checked_numbers` and the
    cross-checks stand for them): this scenario never leaves this module.
    """
    root: Any = copy.copy(scenario)
    copies: dict[tuple[str, ...], Any] = {(): root}
    for path, values in columns.items():
        parts = tuple(split_path(path))
        for depth in range(1, len(parts)):
            key = parts[:depth]
            if key not in copies:
                parent = copies[parts[: depth - 1]]
                copies[key] = copy.copy(getattr(parent, parts[depth - 1]))
                object.__setattr__(parent, parts[depth - 1], copies[key])
        object.__setattr__(copies[parts[:-1]], parts[-1], values)
    return root, [obj for obj in copies.values() if isinstance(obj, Validated)]


def _raise_first_invalid(scenario: Scenario, columns: Mapping[str, npt.NDArray[Any]], stop: int) -> None:
    """Build the input sets ``0 .. stop - 1`` one at a time; raise for the first that is invalid."""
    base = scenario.to_dict()
    base.pop("schema_version")
    parsed = [(split_path(p), v) for p, v in columns.items()]
    for i in range(stop):
        data = _copy_tree(base)
        for parts, arr in parsed:
            node = data
            for part in parts[:-1]:
                node = node[part]
            node[parts[-1]] = arr[i].item() if hasattr(arr[i], "item") else arr[i]
        try:
            Scenario._from_plain(data)
        except ValidationError as e:
            raise ValidationError(e.path, e.value, f"{e.expected} (input set {i})") from None


def _on_cluster(
    scenario: Scenario, changes: Mapping[str, npt.NDArray[Any]], n: int, scheduler: Any, chunk: int
) -> npt.NDArray[np.float64]:
    """The input sets in tasks of ``chunk`` on a Dask cluster, put back in order."""
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValidationError("chunk", chunk, "a whole number of input sets per task >= 1")
    # msp_analysis.cluster imports distributed at its top: only cluster runs load it.
    from ..cluster import connect

    starts = list(range(0, n, int(chunk)))
    parts = [{p: v[a : a + int(chunk)] for p, v in changes.items()} for a in starts]
    with connect(scheduler) as client:
        futures = client.map(expected_totals, [scenario] * len(parts), parts, pure=False)
        results = client.gather(futures)
    return np.concatenate(results, axis=0)
