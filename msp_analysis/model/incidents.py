"""The incident stream: what happens in a year before any support model acts.

Incidents of priority ``p`` that reach a support model arrive as a Poisson
process with rate ``rate_per_user_year * users * (1 - self_service_share)``
(users resolve the self-served share themselves, in both models; an in-house
IT person resolves ``in_house_share`` of the rest, also in both). Every
incident carries independent marks:

- its Break/Fix *category*: on site or remote, in or out of business hours,
  which decides how Break/Fix bills it (out of hours: the after-hours
  multiplier and minimum; P1/P2 in business hours: the same-day surcharge);
- its MSP *class*: prevented by proactive maintenance, or (if not) caught by
  monitoring before users notice or noticed, and in or out of the contract's
  scope.

Independent marks split a Poisson stream into independent Poisson streams
(thinning), so each (category, class) cell is its own Poisson count and the
two support models see the very same incidents: the common random numbers
that make "Break/Fix minus MSP" a low-variance, per-year comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .billing import BillingMoments, billing_moments
from .distributions import Gamma, batchable
from .downtime import users_affected
from .scenario import PRIORITIES, Scenario

__all__ = ["CATEGORIES", "CLASSES", "Category", "PriorityPlan", "incident_plan"]

#: MSP classes of an incident, in the order used by the simulation's arrays.
CLASSES = ("prevented", "noticed_in_scope", "noticed_out_of_scope", "caught_in_scope", "caught_out_of_scope")
NOTICED = np.array([False, True, True, False, False])
OUT_OF_SCOPE = np.array([False, False, True, False, True])
OCCURRED = np.array([False, True, True, True, True])
#: Incidents users notice that the contract covers: out of hours, the share it leaves out is billed.
NOTICED_IN_SCOPE = NOTICED & ~OUT_OF_SCOPE


@dataclass(frozen=True)
class Category:
    """A Break/Fix billing category: where and when the work is done, and its price."""

    onsite: bool
    after_hours: bool
    probability: float
    rate: float
    multiplier: float
    minimum: float
    increment: float
    trip_fee: float
    moments: BillingMoments

    @property
    def hourly_price(self) -> float:
        return self.rate * self.multiplier

    @property
    def exact_billing(self) -> bool:
        """True when billed hours equal worked hours (no minimum, no rounding)."""
        return self.minimum == 0 and self.increment == 0


CATEGORIES = ((True, False), (True, True), (False, False), (False, True))


@dataclass(frozen=True)
class PriorityPlan:
    """Everything the simulation and the exact expectations need for one priority."""

    priority: str
    rate: float  # incidents per year, whole organisation
    work: Gamma
    users_affected: float
    degradation: float
    categories: tuple[Category, ...]
    class_probabilities: np.ndarray  # over CLASSES (first axis; a batch adds a second)
    onsite_share: float
    in_house_rate: float = 0.0  # incidents per year the in-house person resolves (both models alike)

    @property
    def user_hours_per_hour(self) -> float:
        """User-hours lost per hour an incident lasts."""
        return self.users_affected * self.degradation


def incident_plan(scenario: Scenario) -> tuple[PriorityPlan, ...]:
    """Derive the per-priority plan of a scenario (rates, marks, billing moments)."""
    org, bf, msp = scenario.organization, scenario.break_fix, scenario.msp
    plans = []
    # Same-day surcharge: P1/P2 call-outs in business hours pay it on the rate;
    # out of hours the after-hours multiplier is already the urgent price.
    urgent = dict.fromkeys(PRIORITIES, 1.0) | {"p1": 1 + bf.same_day_surcharge, "p2": 1 + bf.same_day_surcharge}
    for p in PRIORITIES:
        cls = scenario.incidents[p]
        work = Gamma.from_median_p90(cls.work_median_hours, cls.work_p90_hours)
        cats = []
        # Billing depends on where the work is done and, through the after-hours minimum, when: the four
        # categories' minimums go in one call (a batch sums their lattice once).
        minimum_of = {
            (onsite, after): np.maximum(
                bf.onsite_minimum_hours if onsite else bf.remote_minimum_hours,
                bf.after_hours_minimum_hours if after else 0.0,
            )
            for onsite, after in CATEGORIES
        }
        same = np.broadcast_arrays(*minimum_of.values(), work.shape, work.scale, bf.billing_increment_hours)
        minimums = np.stack(same[: len(CATEGORIES)])  # (4,) for one scenario, (4, n) for a batch
        every = billing_moments(work, minimums, bf.billing_increment_hours)  # type: ignore[arg-type]
        moments = {
            key: BillingMoments(
                *(batchable(np.asarray(getattr(every, f))[i]) for f in BillingMoments.__dataclass_fields__)
            )
            for i, key in enumerate(minimum_of)
        }
        for onsite, after in CATEGORIES:
            prob = (cls.onsite_share if onsite else 1 - cls.onsite_share) * (
                cls.after_hours_share if after else 1 - cls.after_hours_share
            )
            cats.append(
                Category(
                    onsite=onsite,
                    after_hours=after,
                    probability=prob,
                    rate=bf.hourly_rate if onsite else bf.remote_hourly_rate,
                    multiplier=bf.after_hours_multiplier if after else urgent[p],
                    minimum=batchable(minimum_of[onsite, after]),
                    increment=bf.billing_increment_hours,
                    trip_fee=bf.trip_fee if onsite else 0.0,
                    moments=moments[onsite, after],
                )
            )
        prev, caught, oos = msp.prevented_share[p], msp.caught_early_share[p], msp.out_of_scope_share
        # Stacked on the first axis: shape (5,) for one scenario, (5, n) for a batch of n input sets.
        q = np.stack(
            np.broadcast_arrays(
                prev,
                (1 - prev) * (1 - caught) * (1 - oos),
                (1 - prev) * (1 - caught) * oos,
                (1 - prev) * caught * (1 - oos),
                (1 - prev) * caught * oos,
            )
        ).astype(float)
        plans.append(
            PriorityPlan(
                priority=p,
                # self-served incidents reach neither model (a Break/Fix client can have a reset portal too),
                # nor do those an in-house IT person resolves
                rate=cls.rate_per_user_year * org.users * (1 - cls.self_service_share) * (1 - cls.in_house_share),
                work=work,
                users_affected=users_affected(scenario, p),
                degradation=cls.degradation,
                categories=tuple(cats),
                class_probabilities=q,
                onsite_share=cls.onsite_share,
                in_house_rate=cls.rate_per_user_year * org.users * (1 - cls.self_service_share) * cls.in_house_share,
            )
        )
    return tuple(plans)
