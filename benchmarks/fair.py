"""FAIR's top level, risk = loss event frequency x loss magnitude, in plain numpy.

The benchmark's "our side" against pyfair. Both factors are PERT; the year's
risk is their product (Open FAIR's top level, exactly what pyfair's
``FairModel`` computes for a model given only those two nodes).

Two PERTs, and why they matter here
-----------------------------------
*Textbook PERT* (:class:`msp_analysis.model.distributions.PERT`): a Beta on
``[low, high]`` with ``alpha = 1 + 4 (mode - low) / (high - low)`` and
``beta = 1 + 4 (high - mode) / (high - low)``.

*pyfair's PERT* (``pyfair.utility.beta_pert.FairBetaPert``, version 0.1a13):
the same mean ``(low + 4 mode + high) / 6`` but the standard deviation fixed
at ``(high - low) / 6`` whatever the mode, and the Beta found by matching
those two moments (:func:`pyfair_beta`). The textbook's variance is
``(mean - low) (high - mean) / 7``; the two agree only when the mean sits
about 27 % or 73 % of the way up the range. Nearer the middle pyfair's is
narrower; nearer a bound it is wider, with a shape parameter below 1 (a
density piling up at the bound) and, when the mean is within about 3 % of
a bound, a negative one (no distribution at all).

Both have the same mean, so the product's mean is ``mean(LEF) x mean(LM)``
under either (the factors are independent). The benchmark therefore checks
means two ways: our pyfair-shaped sampler against pyfair (the same model,
so the same distribution: means and a two-sample KS test agree), and each
side against the exact mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msp_analysis.model.distributions import PERT


@dataclass(frozen=True)
class Range:
    """A PERT input: at least, most likely, at most."""

    low: float
    mode: float
    high: float

    def mean(self) -> float:
        """PERT mean, the same for the textbook and pyfair's variant."""
        return (self.low + 4 * self.mode + self.high) / 6


def textbook_beta(r: Range) -> tuple[float, float]:
    """Shape parameters of the textbook PERT (``msp_analysis.model.distributions.PERT``)."""
    p = PERT(r.low, r.mode, r.high)
    return p.alpha, p.beta


def pyfair_beta(r: Range, gamma: float = 4.0) -> tuple[float, float]:
    """Shape parameters pyfair 0.1a13 uses (``FairBetaPert``): moments ``mean`` and ``(high - low) / (gamma + 2)``."""
    mean = (r.low + gamma * r.mode + r.high) / (gamma + 2)
    sd = (r.high - r.low) / (gamma + 2)
    alpha = (mean - r.low) / (r.high - r.low) * ((mean - r.low) * (r.high - mean) / sd**2 - 1)
    beta = alpha * (r.high - mean) / (mean - r.low)
    return alpha, beta


def sample_pert(r: Range, n: int, rng: np.random.Generator, variant: str = "textbook") -> np.ndarray:
    """``n`` draws of a PERT: ``variant`` is ``"textbook"`` or ``"pyfair"``."""
    if variant == "textbook":
        return PERT(r.low, r.mode, r.high).sample(n, rng)
    if variant == "pyfair":
        a, b = pyfair_beta(r)
        return r.low + (r.high - r.low) * rng.beta(a, b, size=n)
    raise ValueError(f"variant: got {variant!r}, expected 'textbook' or 'pyfair'")


def simulate_risk(lef: Range, lm: Range, trials: int, seed=None, variant: str = "textbook") -> np.ndarray:
    """Annualised loss of ``trials`` years: LEF x LM, with SPEC 7 randomness (no global state)."""
    rng = np.random.default_rng(seed)
    return sample_pert(lef, trials, rng, variant) * sample_pert(lm, trials, rng, variant)


def exact_mean(lef: Range, lm: Range) -> float:
    """``E[LEF x LM] = E[LEF] E[LM]`` (independent factors), for either PERT."""
    return lef.mean() * lm.mean()


def pyfair_risk(lef: Range, lm: Range, trials: int, seed: int = 42) -> np.ndarray:
    """The same model with pyfair: a ``FairModel`` given LEF and LM, its ``Risk`` column.

    pyfair seeds numpy's global random state (``np.random.seed``) in its
    constructor; it is only ever called here, in the benchmark process.
    """
    from pyfair import FairModel

    model = FairModel(name="benchmark", n_simulations=trials, random_seed=seed)
    model.input_data("Loss Event Frequency", low=lef.low, mode=lef.mode, high=lef.high)
    model.input_data("Loss Magnitude", low=lm.low, mode=lm.mode, high=lm.high)
    model.calculate_all()
    return model.export_results()["Risk"].to_numpy()
