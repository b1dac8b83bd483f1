"""What the MSP must deliver: the invoices first, then the downtime it must avoid, then what the saving rests on.

A client's finance director reads three things before the modelled total:

1. :func:`fees_only` -- *what the invoices say*: the expected yearly fees of
   each model and their difference, before any operational effect;
2. :func:`operational_break_even` -- *what the MSP must deliver*: the MSP pays
   for itself if it avoids at least ``N`` user-hours of downtime a year; the
   scenario assumes it avoids ``M``. Because downtime cost is linear in
   user-hours (one price per user-hour, :func:`.cost_per_user_hour`), the
   expected saving is exactly ``price * (M - N)``;
3. :func:`saving_by_basis` -- *what the saving rests on*: the expected saving
   split by cost component (fees, staff time, downtime, security), each
   labelled with the weakest basis among the inputs that drive it
   (published < client data < assumption in strength: a component resting on
   one assumption is an assumption).

Beside them, :func:`security_vs_insurance` sets the expected annual security
loss against what small-business cyber insurance costs, a sanity bound a CFO
can check.

All four use the exact expectations (:func:`msp_analysis.expected`): they
answer in milliseconds and are the same numbers the headline uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..engine.expected import expected
from ..formatting import money
from ..model.defaults import scenario_assumptions
from ..model.downtime import cost_per_user_hour, valuation_words
from ..model.scenario import Scenario

__all__ = [
    "COMPONENT_DRIVERS",
    "CYBER_PREMIUM_RANGE_USD",
    "CYBER_PREMIUM_SOURCE",
    "CYBER_PREMIUM_USD",
    "OperationalBreakEven",
    "deliver_notes",
    "fees_only",
    "operational_break_even",
    "saving_by_basis",
    "security_vs_insurance",
]

#: A published benchmark for small-business cyber insurance (USD a year). AdvisorSmith's
#: study of quotes and rate filings from 43 US insurers: average premium for $1M of cover
#: with a $10,000 deductible, a firm with $1M revenue and moderate risk; range across
#: insurers. Reported for 2021.
CYBER_PREMIUM_USD = 1_589.0
#: The range of that premium across insurers (USD a year).
CYBER_PREMIUM_RANGE_USD = (650.0, 2_357.0)
CYBER_PREMIUM_SOURCE = (
    "AdvisorSmith, Cost of Cyber Insurance study (2021): average premium of 43 US insurers for $1M of cover, "
    "$10k deductible, a firm with $1M revenue and moderate risk"
)

#: The scenario fields that drive each component of the expected saving (prefixes match whole groups).
COMPONENT_DRIVERS = {
    "fees": (
        "break_fix.hourly_rate",
        "break_fix.remote_hourly_rate",
        "break_fix.onsite_minimum_hours",
        "break_fix.remote_minimum_hours",
        "break_fix.billing_increment_hours",
        "break_fix.trip_fee",
        "break_fix.after_hours_multiplier",
        "break_fix.after_hours_minimum_hours",
        "break_fix.same_day_surcharge",
        "msp.per_user_monthly",
        "msp.per_workstation_monthly",
        "msp.per_server_monthly",
        "msp.flat_monthly",
        "msp.monthly_minimum",
        "msp.onboarding_fee",
        "msp.exit_fee",
        "msp.co_managed_discount",
        "msp.term_months",
        "msp.quoted_term_months",
        "msp.month_to_month_premium",
        "msp.one_year_premium",
        "msp.out_of_scope_share",
        "msp.out_of_scope_rate",
        "msp.after_hours_out_of_scope_share",
        "msp.after_hours_rate_multiplier",
        "organization.project_hours_per_year",
        "msp.prevented_share",
        "incidents.",
    ),
    "internal_cost": (
        "break_fix.coordination_hours_per_incident",
        "msp.coordination_hours_per_incident",
        "msp.vendor_management_hours_per_month",
        "msp.onboarding_staff_hours_per_user",
        "organization.in_house_it_cost_per_year",
        "organization.loaded_hourly_cost",
    ),
    "downtime_cost": (
        "break_fix.response_median_hours",
        "break_fix.response_p90_hours",
        "msp.sla_response_hours",
        "msp.sla_adherence",
        "msp.prevented_share",
        "msp.caught_early_share",
        "msp.onsite_dispatch_hours",
        "organization.loaded_hourly_cost",
        "organization.it_dependency",
        "organization.downtime_revenue_weight",
    ),
    "security_loss": (
        "break_fix.patch_latency_days",
        "msp.patch_latency_days",
        "break_fix.monitoring_coverage",
        "msp.monitoring_coverage",
        "security.patch_halving_days",
        "security.exploited_vulnerability_share",
        "security.detection_severity_reduction",
        "security.base_rate_per_user_year",
        "security.severity_median",
        "security.severity_p90",
    ),
}
_COMPONENT_LABELS = {
    "fees": "Fees (what the invoices say)",
    "internal_cost": "Staff time managing support",
    "downtime_cost": "Downtime",
    "security_loss": "Security losses",
}
#: Weakest first: a component is only as well-founded as its weakest input.
_STRENGTH = ("assumption", "client data", "published")


def fees_only(scenario: Scenario) -> pd.DataFrame:
    """What the invoices say: expected yearly fees of both models and the difference.

    Returns
    -------
    pandas.DataFrame
        One row per model plus ``"difference"`` (Break/Fix minus MSP: positive
        when the MSP's invoices are lower), column ``fees``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> t = fees_only(sample_scenario())
    >>> round(t.loc["difference", "fees"])     # the MSP's invoices are higher by this much a year
    -30361
    """
    e = expected(scenario)
    fees = {"break_fix": float(e.loc["fees", "break_fix"]), "msp": float(e.loc["fees", "msp"])}
    fees["difference"] = fees["break_fix"] - fees["msp"]
    return pd.DataFrame({"fees": fees}).rename_axis("model")


@dataclass(frozen=True)
class OperationalBreakEven:
    """The downtime the MSP must avoid to pay for itself, and what the scenario assumes it avoids.

    Attributes
    ----------
    required_hours : float
        User-hours of downtime a year the MSP must avoid for both expected
        totals to be equal (negative: the MSP is cheaper even if it avoids none).
    assumed_hours : float
        User-hours a year the scenario assumes it avoids (Break/Fix minus MSP
        expected downtime).
    price_per_user_hour : float
        What one user-hour of downtime costs in the scenario (valued once).
    other_gap : float
        Everything but downtime, MSP minus Break/Fix: fees, staff time and
        security losses.
    saving : float
        Expected saving, ``price_per_user_hour * (assumed_hours - required_hours)``.
    """

    required_hours: float
    assumed_hours: float
    price_per_user_hour: float
    other_gap: float
    saving: float
    symbol: str = "$"
    valuation: str = ""

    def __str__(self) -> str:
        sym = self.symbol
        if self.required_hours <= 0:
            need = "pays for itself even if it avoids no downtime"
        else:
            need = f"pays for itself if it avoids at least {self.required_hours:,.0f} user-hours of downtime a year"
        return (
            f"The MSP {need} (it is assumed to avoid {self.assumed_hours:,.0f}); a user-hour costs "
            f"{money(self.price_per_user_hour, sym, 2)} ({self.valuation})."
        )


def operational_break_even(scenario: Scenario) -> OperationalBreakEven:
    """How many user-hours of downtime the MSP must avoid a year to pay for itself.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> ob = operational_break_even(sample_scenario())
    >>> print(ob)
    The MSP pays for itself if it avoids at least 402 user-hours of downtime a year (it is assumed to avoid 545); a user-hour costs $52.50 (valued at idle staff cost).
    >>> round(ob.saving) == round(ob.price_per_user_hour * (ob.assumed_hours - ob.required_hours))
    True
    """
    e = expected(scenario)
    other = ("fees", "internal_cost", "security_loss")
    gap = float(sum(e.loc[c, "msp"] - e.loc[c, "break_fix"] for c in other))
    price = cost_per_user_hour(scenario)
    assumed = float(e.loc["downtime_hours", "break_fix"] - e.loc["downtime_hours", "msp"])
    # price 0 (no IT dependency, no revenue): no downtime can pay for anything
    required = gap / price if price > 0 else (float("inf") if gap > 0 else 0.0)
    saving = float(e.loc["total_cost", "break_fix"] - e.loc["total_cost", "msp"])
    return OperationalBreakEven(
        required_hours=required,
        assumed_hours=assumed,
        price_per_user_hour=price,
        other_gap=gap,
        saving=saving,
        symbol=scenario.organization.currency_symbol,
        valuation=valuation_words(scenario),
    )


def saving_by_basis(scenario: Scenario) -> pd.DataFrame:
    """The expected saving split by component, each labelled with the weakest basis behind it.

    A field's basis is its row's in ``assumptions.csv`` (published or
    assumption), or *client data* where the scenario's value differs from the
    default (the rule of :func:`msp_analysis.scenario_assumptions`). A
    component takes the weakest basis among its drivers
    (:data:`COMPONENT_DRIVERS`): a saving that needs one assumption to hold
    is an assumption.

    Returns
    -------
    pandas.DataFrame
        One row per component (``fees``, ``internal_cost``, ``downtime_cost``,
        ``security_loss``) with ``label``, ``saving`` (Break/Fix minus MSP),
        ``basis`` and ``weakest`` (the driving fields of that basis), then one
        row per basis (``"by basis: published"`` ...) with the sums.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> t = saving_by_basis(sample_scenario())
    >>> t.loc["downtime_cost", "basis"], t.loc["fees", "basis"]
    ('assumption', 'assumption')
    >>> bool(abs(t.loc[["fees", "internal_cost", "downtime_cost", "security_loss"], "saving"].sum()
    ...          - t.loc[[i for i in t.index if i.startswith("by basis")], "saving"].sum()) < 1e-6)
    True
    """
    e = expected(scenario)
    table = scenario_assumptions(scenario).set_index("path")
    basis = table["basis"].where(~table["changed"].astype(bool), "client data")
    rows = {}
    for component, drivers in COMPONENT_DRIVERS.items():
        paths = [p for p in table.index if any(_drives(d, p) for d in drivers)]
        bases = basis.loc[paths]
        weakest = next(b for b in (*_STRENGTH, "") if b in set(bases)) if len(bases) else "assumption"
        rows[component] = {
            "label": _COMPONENT_LABELS[component],
            "saving": float(e.loc[component, "break_fix"] - e.loc[component, "msp"]),
            "basis": weakest,
            "weakest": ", ".join(bases.index[bases == weakest][:6]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    for b in _STRENGTH[::-1]:
        out.loc[f"by basis: {b}"] = {
            "label": f"Saving resting on {b}",
            "saving": float(out.loc[list(rows)].query("basis == @b")["saving"].sum()),
            "basis": b,
            "weakest": "",
        }
    out.index.name = "component"
    return out


def _drives(driver: str, path: str) -> bool:
    """``driver`` names ``path`` itself, its group (``msp.prevented_share``) or its section prefix (``incidents.``)."""
    return path == driver or path.startswith(driver if driver.endswith(".") else driver + ".")


def security_vs_insurance(scenario: Scenario) -> pd.DataFrame:
    """Expected annual security loss of each model beside a small-business cyber-insurance premium.

    The premium (:data:`CYBER_PREMIUM_USD`) is what insurers charge
    to carry $1M of such losses for a small firm; an expected loss many times
    above it says the security inputs deserve a second look (or that the firm
    is far from the benchmark's $1M-revenue, moderate-risk profile).

    Returns
    -------
    pandas.DataFrame
        Rows ``break_fix`` and ``msp``: ``expected_loss`` (the scenario's
        currency), ``premium`` (USD average), ``premium_low``,
        ``premium_high``, ``times_premium`` (loss / average premium; NaN when
        the scenario's currency is not USD, as no rate to USD is held) and
        ``source``.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> t = security_vs_insurance(sample_scenario())
    >>> float(t.loc["break_fix", "premium"]), round(float(t.loc["break_fix", "times_premium"]), 1)
    (1589.0, 4.9)
    """
    e = expected(scenario)
    usd = scenario.organization.currency == "USD"
    rows = {}
    for model in ("break_fix", "msp"):
        loss = float(e.loc["security_loss", model])
        rows[model] = {
            "expected_loss": loss,
            "premium": CYBER_PREMIUM_USD,
            "premium_low": CYBER_PREMIUM_RANGE_USD[0],
            "premium_high": CYBER_PREMIUM_RANGE_USD[1],
            "times_premium": loss / CYBER_PREMIUM_USD if usd else float("nan"),
            "source": CYBER_PREMIUM_SOURCE,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def deliver_notes(scenario: Scenario) -> list[str]:
    """Two sentences for a report: what the invoices say, then what the MSP must deliver and what that rests on.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> first, second = deliver_notes(sample_scenario())
    >>> first
    'What the invoices say: Break/Fix $44,605 a year, MSP $74,966; Break/Fix bills $30,361 less.'
    >>> second.startswith("The MSP pays for itself if it avoids at least 402 user-hours")
    True
    """
    sym = scenario.organization.currency_symbol
    fees = fees_only(scenario)["fees"]
    lower = "Break/Fix" if fees["difference"] < 0 else "the MSP"
    by = saving_by_basis(scenario)
    assumed = float(by.loc["by basis: assumption", "saving"])
    return [
        f"What the invoices say: Break/Fix {money(fees['break_fix'], sym)} a year, MSP {money(fees['msp'], sym)}; "
        f"{lower} bills {money(abs(fees['difference']), sym)} less.",
        f"{operational_break_even(scenario)} Of the expected saving, {money(assumed, sym)} rests on at least one "
        "assumption (see the sources table).",
    ]
