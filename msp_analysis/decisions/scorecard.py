"""The weighted scorecard: money and the things that are not money, on one 0-10 scale.

The seed contrasts the two models on points a cost model only partly
captures. The scorecard scores each model 0-10 on seven dimensions and
weights them with the client's own weights:

=========================== ========= ==========================================================
dimension                   basis     rule / default
=========================== ========= ==========================================================
cost                        derived   expected total annual cost (fees, staff time, downtime,
                                      security losses)
predictability              derived   spread of a year's total cost: P95 - P5 of the simulated
                                      years
downtime                    derived   expected user-hours lost a year (incidents and security
                                      outages)
security_and_compliance     derived   expected annual security loss (direct cost, fines, outage)
scalability                 judgment  Break/Fix 4, MSP 7
relationship                judgment  Break/Fix 3, MSP 6 + vCIO hours / 8 (at most 9)
alignment                   judgment  Break/Fix 3, MSP 5 + vCIO hours / 8 (at most 8)
=========================== ========= ==========================================================

Derived scores (lower is better for every metric above): the better model
scores 10 and the other ``10 * better / worse`` -- a model with twice the
expected downtime scores 5. When both are zero both score 10. Means come
from the exact expectations (:meth:`Comparison.expected`), the spread from
the simulated years.

Judgment defaults follow the seed: Break/Fix relationships are
transactional and its expertise "mainly focused on issue resolution"; an
MSP aims at a long-term partnership, strategic guidance and alignment with
business goals, and adjusts service levels as the business grows. How much
of that a client actually gets depends on the contract: the included
strategic (vCIO) hours (``msp.vcio_hours_per_year``) raise the MSP's
relationship and alignment defaults (12 hours a year, the sample's, gives
7.5 and 6.5). Every judgment can be replaced, and a judgment given for a
derived dimension replaces the derived score (the table then says
"judgment").

Weights default to 1 for every dimension; a partial ``weights`` mapping
changes only the dimensions it names. The weighted total is ``sum(w * s) /
sum(w)``, on the same 0-10 scale.

Examples
--------
>>> from msp_analysis import sample_scenario, simulate
>>> from msp_analysis.decisions.scorecard import scorecard
>>> c = simulate(sample_scenario(), trials=2_000, seed=1)
>>> card = scorecard(c, weights={"cost": 3})
>>> card.loc["cost", ["break_fix", "msp", "basis"]].tolist()[2]
'derived'
>>> bool(card.loc["total", "msp"] > card.loc["total", "break_fix"])
True
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

__all__ = ["DIMENSIONS", "DIMENSION_LABELS", "default_judgments", "scorecard"]

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
_JUDGMENT_NOTES = {
    "scalability": "default: Break/Fix 4 (new terms each time needs change), MSP 7 (service levels adjust)",
    "relationship": "default: Break/Fix 3 (transactional), MSP 6 + vCIO hours/8, at most 9",
    "alignment": "default: Break/Fix 3 (fixes issues), MSP 5 + vCIO hours/8, at most 8",
}


def default_judgments(scenario: Scenario) -> dict[str, dict[str, float]]:
    """The stated default judgments for ``scenario`` (see the module docstring).

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


def _relative_scores(values: dict[str, float]) -> dict[str, float]:
    """10 for the lower value, ``10 * lower / higher`` for the other (both 10 when both are 0)."""
    best = min(values.values())
    out = {}
    for m, v in values.items():
        if v <= 0 or v == best:
            out[m] = 10.0
        else:
            out[m] = 10.0 * max(best, 0.0) / v
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
    w = dict.fromkeys(DIMENSIONS, 1.0)
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
    """Score both models 0-10 on seven dimensions and weight them.

    Parameters
    ----------
    comparison : Comparison
        A simulated comparison (:func:`msp_analysis.simulate`).
    weights : mapping, optional
        ``{dimension: weight >= 0}``; dimensions not named keep weight 1.
    judgments : mapping, optional
        ``{dimension: {model: score in [0, 10]}}``, e.g. ``{"relationship":
        {"msp": 8}}``; replaces the default judgment, or the derived score,
        of the models named.

    Returns
    -------
    pandas.DataFrame
        Indexed by dimension plus a last row ``"total"`` (the weighted
        mean), with columns ``label``, ``basis`` (``"derived"``,
        ``"judgment"`` or ``"weighted"``), ``weight``, ``weight_share``,
        ``break_fix``, ``msp`` (scores), ``metric_break_fix``,
        ``metric_msp`` (the derived dimension's metric, NaN for a judgment)
        and ``rule``.

    Raises
    ------
    ValidationError
        An unknown dimension or model, a negative weight, all weights zero,
        or a score outside 0-10; the error names the key
        (``weights.cost``, ``judgments.relationship.msp``).
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison: expected a Comparison, got {type(comparison).__name__}")
    w = _check_weights(weights)
    given = _check_judgments(judgments)
    metrics = _metrics(comparison)
    defaults = default_judgments(comparison.scenario)
    rows = {}
    for dim in DIMENSIONS:
        if dim in metrics:
            scores = _relative_scores(metrics[dim])
            basis, rule = "derived", f"10 for the lower {_DERIVED_RULES[dim]}; the other 10 x lower / higher"
            metric = metrics[dim]
        else:
            scores = dict(defaults[dim])
            basis, rule = "judgment", _JUDGMENT_NOTES[dim]
            metric = dict.fromkeys(MODELS, float("nan"))
        if dim in given:
            scores.update(given[dim])
            basis, rule = "judgment", "given: " + ", ".join(f"{m} {s:g}" for m, s in given[dim].items())
            if len(given[dim]) < len(MODELS):
                rule += " (the other model keeps its " + ("derived score)" if dim in metrics else "default)")
        rows[dim] = {
            "label": DIMENSION_LABELS[dim],
            "basis": basis,
            "weight": w[dim],
            "break_fix": scores["break_fix"],
            "msp": scores["msp"],
            "metric_break_fix": metric["break_fix"],
            "metric_msp": metric["msp"],
            "rule": rule,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    total_w = table["weight"].sum()
    table["weight_share"] = table["weight"] / total_w
    total = {
        "label": "Weighted total",
        "basis": "weighted",
        "weight": total_w,
        "weight_share": 1.0,
        "break_fix": float((table["weight_share"] * table["break_fix"]).sum()),
        "msp": float((table["weight_share"] * table["msp"]).sum()),
        "metric_break_fix": float("nan"),
        "metric_msp": float("nan"),
        "rule": "sum of weight x score / sum of weights",
    }
    table.loc["total"] = pd.Series(total)
    table.index.name = "dimension"
    columns = ["label", "basis", "weight", "weight_share", "break_fix", "msp", "metric_break_fix", "metric_msp", "rule"]
    table = table[columns]
    for c in ("weight", "weight_share", "break_fix", "msp", "metric_break_fix", "metric_msp"):
        table[c] = table[c].astype(float)
    return table
