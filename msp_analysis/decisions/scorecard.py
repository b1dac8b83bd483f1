"""The weighted scorecard: money once, and the things that are not money, on one 0-10 scale.

The seed contrasts the two models on points a cost model only partly
captures. The scorecard scores each model 0-10 on seven dimensions and
weights them with the client's own weights. It starts neutral (issue 12):

=========================== ========= ======== ===============================================
dimension                   basis     weight   rule / default
=========================== ========= ======== ===============================================
cost                        derived   1        expected total annual cost (fees, staff time,
                                               downtime, security losses: money, once)
predictability              derived   1        spread of a year's total cost: P95 - P5 of the
                                               simulated years
downtime                    derived   0        expected user-hours lost a year; already priced
                                               in cost, scored apart only if the client opts in
security_and_compliance     derived   0        expected annual security loss; already in cost,
                                               scored apart only if the client opts in
scalability                 judgment  1        not yet judged
relationship                judgment  1        not yet judged
alignment                   judgment  1        not yet judged
=========================== ========= ======== ===============================================

**Scoring rule.** A derived dimension scores the better model 10 and the
other ``10 * (1 - (worse - better) / reference)``, at least 0. For the money
dimensions (cost, predictability, security) the reference is the larger of
the two expected total costs, so a difference scores in proportion to what
the client spends: a $639 gap on a $100k budget costs 0.06 points, not the
6.3 a ratio of two small numbers would. For downtime the reference is the
larger number of user-hours lost (a model with twice the downtime scores 5).
When both metrics are equal both score 10. Means come from the exact
expectations (:meth:`Comparison.expected`), the spread from the simulated
years.

**Money is scored once.** Downtime and security losses are already inside
cost, so their own dimensions weigh 0 unless the client chooses to weigh them
outside cost (a weight above 0 in ``weights``); the table then says so.

**Judgments start "not yet judged".** Scalability, relationship and
alignment have no default score: the seed's claims (an MSP as a long-term
partner, a Break/Fix vendor as transactional) are one side's argument, and
how much a client gets depends on the provider and the contract. Until the
consultant sets them with the client (``judgments={"relationship":
{"break_fix": 6, "msp": 7}}``), their scores are NaN, they are left out of the
weighted total, and the table lists them as missing
(``table.attrs["not_yet_judged"]`` and the total row's rule). A judgment
needs both models' scores; a judgment given for a derived dimension replaces
the derived score (the table then says "judgment"). :func:`default_judgments`
keeps the seed's old defaults as a *suggestion* a consultant may show, never
applied unless passed in.

The weighted total is ``sum(w * s) / sum(w)`` over the dimensions that have
scores, on the same 0-10 scale.

Examples
--------
>>> from msp_analysis import sample_scenario, simulate
>>> from msp_analysis.decisions.scorecard import scorecard
>>> c = simulate(sample_scenario(), trials=2_000, seed=1)
>>> card = scorecard(c)
>>> card.loc["cost", "basis"], card.loc["relationship", "basis"]
('derived', 'not yet judged')
>>> card.attrs["not_yet_judged"]
['scalability', 'relationship', 'alignment']
>>> judged = scorecard(c, judgments={"relationship": {"break_fix": 5, "msp": 8}})
>>> judged.attrs["not_yet_judged"]
['scalability', 'alignment']
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TypeGuard

import numpy as np
import pandas as pd

from ..engine.simulation import MODELS, Comparison
from ..errors import ValidationError
from ..model.scenario import Scenario

__all__ = ["DEFAULT_WEIGHTS", "DIMENSIONS", "DIMENSION_LABELS", "JUDGED", "default_judgments", "scorecard"]

#: The scorecard's dimensions, in display order.
DIMENSIONS = (
    "cost",
    "predictability",
    "downtime",
    "security_and_compliance",
    "scalability",
    "relationship",
    "alignment",
)
#: Default weights: money once (downtime and security are inside cost, so 0 unless the client opts in).
DEFAULT_WEIGHTS = {
    "cost": 1.0,
    "predictability": 1.0,
    "downtime": 0.0,
    "security_and_compliance": 0.0,
    "scalability": 1.0,
    "relationship": 1.0,
    "alignment": 1.0,
}
#: The dimensions only a judgment can score (no default: "not yet judged").
JUDGED = ("scalability", "relationship", "alignment")
#: Money dimensions, scored against the larger expected total cost.
_MONEY = ("cost", "predictability", "security_and_compliance")
DIMENSION_LABELS = {
    "cost": "Cost",
    "predictability": "Cost predictability",
    "downtime": "Downtime and productivity",
    "security_and_compliance": "Security and compliance",
    "scalability": "Scalability",
    "relationship": "Relationship",
    "alignment": "Alignment with business goals",
}
_DERIVED_RULES = {
    "cost": "expected total annual cost",
    "predictability": "P95 - P5 of a year's total cost",
    "downtime": "expected user-hours lost a year",
    "security_and_compliance": "expected annual security loss",
}
_NOT_JUDGED = "not yet judged: set both models' scores with the client; left out of the total until then"


def default_judgments(scenario: Scenario) -> dict[str, dict[str, float]]:
    """The seed's judgments for ``scenario``: a suggestion to discuss, never applied by default.

    They follow the seed document (an MSP's argument): Break/Fix 4, 3, 3 and
    the MSP 7 and more with its included vCIO hours. Pass them as
    ``judgments=`` only if the client agrees with them.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> default_judgments(sample_scenario())["relationship"]
    {'break_fix': 3.0, 'msp': 7.5}
    """
    vcio = scenario.msp.vcio_hours_per_year
    return {
        "scalability": {"break_fix": 4.0, "msp": 7.0},
        "relationship": {"break_fix": 3.0, "msp": min(9.0, 6.0 + vcio / 8)},
        "alignment": {"break_fix": 3.0, "msp": min(8.0, 5.0 + vcio / 8)},
    }


def _scores(values: dict[str, float], reference: float) -> dict[str, float]:
    """10 for the lower value, ``10 * (1 - gap / reference)`` (at least 0) for the other; both 10 when equal."""
    best = min(values.values())
    out = {}
    for m, v in values.items():
        gap = v - best
        out[m] = 10.0 if gap <= 0 or reference <= 0 else max(0.0, 10.0 * (1.0 - gap / reference))
    return out


def _metrics(comparison: Comparison) -> dict[str, dict[str, float]]:
    exp = comparison.expected()
    out: dict[str, dict[str, float]] = {}
    out["cost"] = {m: float(exp.loc["total_cost", m]) for m in MODELS}
    out["predictability"] = {}
    for m in MODELS:
        p5, p95 = np.quantile(comparison[m].trials["total_cost"].to_numpy(), [0.05, 0.95])
        out["predictability"][m] = float(p95 - p5)
    out["downtime"] = {m: float(exp.loc["downtime_hours", m] + exp.loc["security_downtime_hours", m]) for m in MODELS}
    out["security_and_compliance"] = {m: float(exp.loc["security_loss", m]) for m in MODELS}
    return out


def _is_number(x: object) -> TypeGuard[float]:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)) and math.isfinite(float(x))


def _check_weights(weights: object) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    if weights is None:
        return w
    if not isinstance(weights, Mapping):
        raise ValidationError("weights", weights, "a mapping of dimension to weight, e.g. {'cost': 3}")
    for key, value in weights.items():
        if key not in DIMENSIONS:
            raise ValidationError(f"weights.{key}", value, "a dimension: one of " + ", ".join(DIMENSIONS))
        if not _is_number(value) or value < 0:
            raise ValidationError(f"weights.{key}", value, "a finite weight >= 0 (weights are relative: {'cost': 3})")
        w[key] = float(value)
    total = sum(w.values())
    if total <= 0:
        raise ValidationError("weights", weights, "at least one positive weight")
    if not math.isfinite(total):  # 1e308 + 1e308: every weight share would be NaN
        raise ValidationError("weights", weights, "weights with a finite sum (they are relative: {'cost': 3})")
    return w


def _check_judgments(judgments: object) -> dict[str, dict[str, float]]:
    if judgments is None:
        return {}
    if not isinstance(judgments, Mapping):
        raise ValidationError("judgments", judgments, "a mapping such as {'relationship': {'msp': 8}}")
    out: dict[str, dict[str, float]] = {}
    for dim, scores in judgments.items():
        if dim not in DIMENSIONS:
            raise ValidationError(f"judgments.{dim}", scores, "a dimension: one of " + ", ".join(DIMENSIONS))
        if not isinstance(scores, Mapping):
            raise ValidationError(f"judgments.{dim}", scores, "a mapping of model to score, e.g. {'msp': 8}")
        out[dim] = {}
        if dim in JUDGED and set(scores) != set(MODELS):
            # a judgment of one model alone would score the other against nothing
            raise ValidationError(f"judgments.{dim}", dict(scores), "a score for both models: break_fix and msp")
        for model, score in scores.items():
            if model not in MODELS:
                raise ValidationError(f"judgments.{dim}.{model}", score, "a model: 'break_fix' or 'msp'")
            if not _is_number(score) or not 0 <= score <= 10:
                raise ValidationError(f"judgments.{dim}.{model}", score, "a score in [0, 10]")
            out[dim][model] = float(score)
    return out


def scorecard(
    comparison: Comparison,
    weights: Mapping[str, float] | None = None,
    judgments: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Score both models 0-10 on seven dimensions and weight them (rules in the module docstring).

    Parameters
    ----------
    comparison : Comparison
        A simulated comparison (:func:`msp_analysis.simulate`).
    weights : mapping, optional
        ``{dimension: weight >= 0}``; dimensions not named keep their
        :data:`DEFAULT_WEIGHTS` (downtime and security 0: they are in cost).
    judgments : mapping, optional
        ``{dimension: {model: score in [0, 10]}}``, e.g. ``{"relationship":
        {"break_fix": 5, "msp": 8}}``; the judged dimensions need both
        models; for a derived dimension a judgment replaces the derived score
        of the models named.

    Returns
    -------
    pandas.DataFrame
        Indexed by dimension plus a last row ``"total"`` (the weighted mean
        over the dimensions that have scores), with columns ``label``,
        ``basis`` (``"derived"``, ``"judgment"``, ``"not yet judged"`` or
        ``"weighted"``), ``weight``, ``weight_share`` (0 for a dimension left
        out), ``break_fix``, ``msp`` (scores; NaN when not yet judged),
        ``metric_break_fix``, ``metric_msp`` (the derived dimension's metric,
        NaN for a judgment) and ``rule``. ``table.attrs["not_yet_judged"]``
        lists the judgment dimensions still missing.

    Raises
    ------
    ValidationError
        An unknown dimension or model, a negative weight, no positive weight
        on a scored dimension, a judgment of one model only, or a score
        outside 0-10; the error names the key (``weights.cost``,
        ``judgments.relationship.msp``).
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison: expected a Comparison, got {type(comparison).__name__}")
    w = _check_weights(weights)
    given = _check_judgments(judgments)
    metrics = _metrics(comparison)
    reference = max(metrics["cost"].values())
    rows = {}
    for dim in DIMENSIONS:
        rows[dim] = _row(dim, w[dim], metrics.get(dim), given.get(dim), reference)
    table = pd.DataFrame.from_dict(rows, orient="index")
    missing = [d for d in DIMENSIONS if table.loc[d, "basis"] == "not yet judged"]
    counted = table["basis"] != "not yet judged"
    total_w = table.loc[counted, "weight"].sum()
    if total_w <= 0:
        raise ValidationError("weights", weights, "a positive weight on at least one dimension that has scores")
    table["weight_share"] = np.where(counted, table["weight"] / total_w, 0.0)
    rule = "sum of weight x score / sum of weights, over the dimensions with scores"
    if missing:
        rule += "; not yet judged (left out): " + ", ".join(missing)
    total = {
        "label": "Weighted total",
        "basis": "weighted",
        "weight": total_w,
        "weight_share": 1.0,
        "break_fix": float((table.loc[counted, "weight_share"] * table.loc[counted, "break_fix"]).sum()),
        "msp": float((table.loc[counted, "weight_share"] * table.loc[counted, "msp"]).sum()),
        "metric_break_fix": float("nan"),
        "metric_msp": float("nan"),
        "rule": rule,
    }
    table.loc["total"] = pd.Series(total)
    table.index.name = "dimension"
    columns = ["label", "basis", "weight", "weight_share", "break_fix", "msp", "metric_break_fix", "metric_msp", "rule"]
    table = table[columns]
    for c in ("weight", "weight_share", "break_fix", "msp", "metric_break_fix", "metric_msp"):
        table[c] = table[c].astype(float)
    table.attrs["not_yet_judged"] = missing
    return table


def _row(
    dim: str, weight: float, metric: dict[str, float] | None, given: dict[str, float] | None, reference: float
) -> dict[str, object]:
    """One dimension's row: derived from its metric, judged, or not yet judged."""
    nan = float("nan")
    if metric is not None:
        ref = reference if dim in _MONEY else max(metric.values())
        scores = _scores(metric, ref)
        basis = "derived"
        against = "the larger expected total cost" if dim in _MONEY else "the larger value"
        rule = f"10 for the lower {_DERIVED_RULES[dim]}; the other 10 x (1 - gap / {against})"
        if dim in ("downtime", "security_and_compliance"):
            rule += "; already in cost: " + ("weighed apart as the client chose" if weight > 0 else "weight 0")
    else:
        scores, basis, rule, metric = dict.fromkeys(MODELS, nan), "not yet judged", _NOT_JUDGED, None
    if given:
        scores.update(given)
        basis, rule = "judgment", "given: " + ", ".join(f"{m} {s:g}" for m, s in given.items())
        if len(given) < len(MODELS):
            rule += " (the other model keeps its derived score)"
    shown = metric  # a derived dimension shows its metric even when a judgment replaced its score
    return {
        "label": DIMENSION_LABELS[dim],
        "basis": basis,
        "weight": weight,
        "break_fix": scores["break_fix"],
        "msp": scores["msp"],
        "metric_break_fix": shown["break_fix"] if shown else nan,
        "metric_msp": shown["msp"] if shown else nan,
        "rule": rule,
    }
