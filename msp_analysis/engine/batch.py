"""Exact expected annual totals for many input sets at once.

The uncertainty analysis (:mod:`msp_analysis.decisions.uncertainty`) needs the
expected total of both models for thousands of draws of the inputs. Each draw
is a full, validated :class:`~msp_analysis.model.scenario.Scenario` priced by
the one implementation of the expectations,
:func:`~msp_analysis.engine.expected.expected_components`, so the batch can
never drift from :func:`~msp_analysis.engine.expected.expected`. What makes it
fast is only what it skips: the scenario's plain form is built once and each
draw copies just the sections it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ValidationError
from ..model.fields import split_path
from ..model.scenario import Scenario
from .expected import expected_components

__all__ = ["expected_totals"]

#: Input sets per task when the batch is spread over a Dask cluster: a few
#: seconds of work each, so the scheduler's per-task cost (milliseconds) is small.
CHUNK = 1_000


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
        if arr.ndim != 1 or (n is not None and arr.size != n):
            raise ValidationError(path, f"shape {arr.shape}", f"one value per input set ({n} of them)")
        n = arr.size
        columns.append((split_path(path), arr))
    if scheduler is not None and n:
        return _on_cluster(scenario, {p: np.asarray(v) for p, v in changes.items()}, n, scheduler, chunk)
    base = scenario.to_dict()
    base.pop("schema_version")
    out = np.empty((n or 0, 2))
    for i in range(n or 0):
        data = _copy_tree(base)
        for parts, arr in columns:
            node = data
            for part in parts[:-1]:
                node = node[part]
            node[parts[-1]] = arr[i].item()
        try:
            draw = Scenario._from_plain(data)
        except ValidationError as e:
            raise ValidationError(e.path, e.value, f"{e.expected} (input set {i})") from None
        comps = expected_components(draw)
        out[i] = comps["break_fix"]["total_cost"], comps["msp"]["total_cost"]
    return out


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
