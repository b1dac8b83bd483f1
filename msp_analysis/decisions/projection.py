"""Several years ahead: growth, price escalators, onboarding, discounting.

:func:`project` builds one scenario per year and evaluates both models on it,
exactly (:func:`msp_analysis.engine.expected.expected_components`) and by
simulation (:func:`msp_analysis.engine.simulation.simulate_raw`, with one
independent stream per year from ``SeedSequence.spawn``; within a year both
models see the same incidents, as everywhere in the suite).

How year ``t`` (1, 2, ...) differs from the scenario as given:

- **Headcount** ``round(users * (1 + user_growth) ** (t - 1))`` (at least 1),
  workstations and servers the same with ``device_growth`` (default: the
  user growth); an organisation with servers keeps at least one. Growth
  compounds on the unrounded value; halves round up.
- **Break/Fix prices** (on-site and remote hourly rates, trip fee) times
  ``(1 + break_fix_escalator) ** (t - 1)``.
- **MSP prices** (per user, per workstation, per server, flat fee, monthly
  minimum, out-of-scope rate) times ``(1 + msp_escalator) ** (t - 1)``, or,
  with ``msp_price_change="at_renewal"``, held for each contract term and
  raised at each renewal by the escalation of the years elapsed
  (``(1 + msp_escalator) ** (months elapsed / 12)``); a year that straddles
  a renewal is priced as at its start.
- **Onboarding**: ``expected()`` and ``simulate()`` spread the onboarding fee
  over the term (``onboarding_fee * 12 / max(term_months, 12)`` a year). The
  projection takes that spread out of every year and, by default
  (``onboarding="upfront"``), puts the whole fee into year one, when it is
  paid. ``onboarding="spread"`` instead charges each year its share of the
  fee for the months of the first contract term it covers
  (``onboarding_fee * months_in_first_term / term_months``): the fee is
  paid once either way. Renewals are not onboarded again. The client's own
  staff time during onboarding (``msp.onboarding_staff_hours_per_user``, at
  the loaded hourly cost, for the headcount at signing) is moved the same
  way, into internal cost.
- Everything else (wages, incident rates, security) stays as given: amounts
  are in today's money apart from the escalators.

Discounting: a year's running costs are discounted to today as if paid at the
end of the year, ``(1 + discount_rate) ** -t``; an upfront onboarding fee is
paid at signing and not discounted.

What "year one reproduces ``expected()``" means, exactly: year one uses the
scenario as given (growth and escalators start in year two), so every
Break/Fix figure of year one equals ``expected(scenario)["break_fix"]`` and
every MSP figure other than ``fees`` and ``total_cost`` equals
``expected(scenario)["msp"]``. MSP fees and total cost differ from
``expected()`` by exactly the onboarding adjustment, shown in the
``onboarding`` column minus ``expected()``'s spread: with ``"upfront"`` they
are ``expected() + onboarding_fee * (1 - 12 / max(term_months, 12))``; with
``"spread"`` they equal ``expected()``.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> from msp_analysis.decisions.projection import project
>>> p = project(sample_scenario(), years=3, user_growth=0.1, trials=500, seed=1)
>>> p.summary()["users"].tolist()
[45, 50, 54]
>>> p.payback_year
1
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..engine.expected import expected_components
from ..engine.simulation import (
    COST_COLUMNS,
    MODEL_LABELS,
    MODELS,
    SeedLike,
    check_trials,
    seed_sequence,
    simulate_raw,
)
from ..errors import ValidationError
from ..formatting import money
from ..model.scenario import Scenario

__all__ = ["BREAK_FIX_PRICES", "MSP_PRICES", "Projection", "project", "year_scenario"]

#: Break/Fix fields that the Break/Fix escalator raises.
BREAK_FIX_PRICES = ("hourly_rate", "remote_hourly_rate", "trip_fee")
#: MSP fields that the MSP escalator raises (the onboarding fee is paid once and is not).
MSP_PRICES = (
    "per_user_monthly",
    "per_workstation_monthly",
    "per_server_monthly",
    "flat_monthly",
    "monthly_minimum",
    "out_of_scope_rate",
)
_ONBOARDING = ("upfront", "spread")
_PRICE_CHANGES = ("yearly", "at_renewal")
_MAX_YEARS = 50


def _round_half_up(x: float) -> float:
    """``x`` rounded half up to a whole number (an int), or ``x`` itself when infinite or NaN."""
    # An overflowed count stays infinite, for the scenario to refuse with the field's name.
    return math.floor(x + 0.5) if math.isfinite(x) else x


def _grown(count: int, factor: float, keep_one: bool) -> float:
    if count == 0:
        return 0
    n = _round_half_up(count * factor)
    return max(n, 1) if keep_one and count > 0 else max(n, 0)


def _rate(name: str, value: object, default: float) -> float:
    """A growth rate or escalator: a real number above -1 (None: the default)."""
    if value is None:
        return float(default)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValidationError(name, value, "a number above -1 (0.05 for 5% a year)")
    v = float(value)
    if not (math.isfinite(v) and v > -1):
        raise ValidationError(name, value, "a number above -1 (0.05 for 5% a year)")
    return v


def year_scenario(
    scenario: Scenario,
    year: int,
    user_growth: float = 0.0,
    device_growth: float | None = None,
    break_fix_escalator: float | None = None,
    msp_escalator: float | None = None,
    msp_price_change: str = "yearly",
) -> Scenario:
    """The scenario of year ``year`` (1 = as given), with onboarding fee and staff time set to 0.

    See the module docstring for what grows and what escalates. The onboarding
    fee and staff time are zeroed because the projection accounts for them itself. When growth
    or an escalator carries a field past its limit by year ``year`` (a rate
    above 100,000 an hour, more than a million users), the
    :class:`~msp_analysis.ValidationError` names the field, the year and the
    rate that got there.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> s = year_scenario(sample_scenario(), 3, user_growth=0.1, msp_escalator=0.05)
    >>> s.organization.users, round(s.msp.per_user_monthly, 4), s.msp.onboarding_fee
    (54, 137.8125, 0.0)
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or year < 1:
        raise ValidationError("year", year, "a whole number >= 1 (1 is the scenario as given)")
    user_growth = _rate("user_growth", user_growth, 0.0)
    device_growth = _rate("device_growth", device_growth, user_growth)
    bf_esc = _rate("break_fix_escalator", break_fix_escalator, scenario.break_fix.annual_escalator)
    msp_esc = _rate("msp_escalator", msp_escalator, scenario.msp.annual_escalator)
    if msp_price_change not in _PRICE_CHANGES:
        raise ValidationError("msp_price_change", msp_price_change, "one of " + ", ".join(map(repr, _PRICE_CHANGES)))
    org, bf, msp = scenario.organization, scenario.break_fix, scenario.msp
    t = int(year) - 1
    users = max(1, _round_half_up(org.users * _compound(user_growth, t)))
    dev = _compound(device_growth, t)
    changes = {
        "organization.users": users,
        "organization.workstations": _grown(org.workstations, dev, keep_one=False),
        "organization.servers": _grown(org.servers, dev, keep_one=True),
        "msp.onboarding_fee": 0.0,
        "msp.onboarding_staff_hours_per_user": 0.0,
    }
    bf_factor = _compound(bf_esc, t)
    # Months elapsed at the start of the contract term year t falls in.
    msp_years = t if msp_price_change == "yearly" else (12 * t // msp.term_months) * msp.term_months / 12
    msp_factor = _compound(msp_esc, msp_years)
    # A price of 0 stays 0 (0 * inf would be NaN after an overflow).
    changes.update({f"break_fix.{k}": getattr(bf, k) * bf_factor if getattr(bf, k) else 0.0 for k in BREAK_FIX_PRICES})
    changes.update({f"msp.{k}": getattr(msp, k) * msp_factor if getattr(msp, k) else 0.0 for k in MSP_PRICES})
    try:
        return scenario.replace(changes)
    except ValidationError as e:
        # The caller never typed the value refused (a rate of 147,789 an hour after
        # 49 years at +50%): say which year and which growth or escalator got there.
        drivers = {
            "organization": f"user_growth={user_growth!r}, device_growth={device_growth!r}",
            "break_fix": f"break_fix_escalator={bf_esc!r}",
            "msp": f"msp_escalator={msp_esc!r}",
        }
        cause = drivers.get(str(e.path).split(".")[0], "growth and escalators")
        try:
            cause += f" from {_plain(scenario.get(e.path))}"
        except (ValidationError, TypeError, ValueError):  # not a leaf of the scenario: no starting value to quote
            pass
        raise ValidationError(
            e.path,
            e.value,
            f"{e.expected}; reached in year {year} by compounding {cause}: shorten the horizon or use a milder rate",
        ) from None


def _compound(rate: float, years: float) -> float:
    """``(1 + rate) ** years``, infinite when it overflows (the scenario then refuses the value)."""
    try:
        return (1 + rate) ** years
    except OverflowError:
        return math.inf


def _plain(x: object) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(type(x).__name__)
    return f"{x:,.6g}" if isinstance(x, float) else f"{x:,}"


def _onboarding_by_year(scenario: Scenario, years: int, onboarding: str, fee: float) -> np.ndarray:
    """What is paid each year of a one-off onboarding amount ``fee`` (the fee, or the staff time's cost)."""
    term = scenario.msp.term_months
    out = np.zeros(years)
    if onboarding == "upfront":
        out[0] = fee
        return out
    for t in range(years):
        months = min(12, max(0, term - 12 * t))
        out[t] = fee * months / term
    return out


@dataclass(frozen=True)
class Projection:
    """Both models over several years. Made by :func:`project`.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per (year, model), with the year's headcount and
        devices, the expected ``fees`` (onboarding included where paid),
        ``internal_cost``, ``downtime_cost``, ``security_loss``,
        ``total_cost``, the ``onboarding`` paid that year (fee and staff time), the
        ``discount_factor``, ``present_value``, ``cumulative_total`` and
        ``cumulative_present_value`` (all expected), and from the simulation
        ``sim_mean``, ``sim_p5``, ``sim_p50``, ``sim_p95`` of the year's total
        and ``sim_cumulative_p5``, ``sim_cumulative_p50``,
        ``sim_cumulative_p95`` of the running total.
    simulated : dict of str to ndarray
        Per model, the simulated total cost of each year, shape
        ``(trials, years)``; row ``i`` of every year is one simulated path.
    scenarios : tuple of Scenario
        The scenario of each year (onboarding fee zeroed, see the module
        docstring).
    """

    table: pd.DataFrame = field(repr=False)
    simulated: dict = field(repr=False)
    scenarios: tuple = field(repr=False)
    discount_rate: float = 0.0
    onboarding: str = "upfront"
    symbol: str = "$"
    seed: object = None

    @property
    def years(self) -> int:
        return len(self.scenarios)

    def _expected(self, column: str) -> pd.DataFrame:
        return self.table.pivot(index="year", columns="model", values=column)[list(MODELS)]

    @property
    def payback_year(self) -> int | None:
        """First year whose expected cumulative MSP cost is below Break/Fix's (None if never)."""
        return _first_below(self._expected("cumulative_total"))

    @property
    def discounted_payback_year(self) -> int | None:
        """The same on discounted (present-value) cumulative costs."""
        return _first_below(self._expected("cumulative_present_value"))

    @property
    def npv(self) -> dict[str, float]:
        """Present value of each model's expected costs, and of the MSP's savings.

        ``{"break_fix": ..., "msp": ..., "savings": break_fix - msp}``.
        """
        pv = self._expected("present_value").sum()
        return {"break_fix": float(pv["break_fix"]), "msp": float(pv["msp"]), "savings": float(pv.iloc[0] - pv.iloc[1])}

    def cumulative(self, model: str) -> np.ndarray:
        """Simulated running totals of ``model``, shape ``(trials, years)``."""
        return np.cumsum(self.simulated[model], axis=1)

    def summary(self) -> pd.DataFrame:
        """One row per year: headcount, expected totals, savings, and P(MSP cheaper so far).

        ``prob_msp_cheaper_so_far`` is the share of simulated paths whose
        running MSP total is below the running Break/Fix total.
        """
        first = self.table[self.table["model"] == "break_fix"].set_index("year")
        total = self._expected("total_cost")
        cum = self._expected("cumulative_total")
        cheaper = (self.cumulative("msp") < self.cumulative("break_fix")).mean(axis=0)
        out = pd.DataFrame(
            {
                "users": first["users"],
                "break_fix": total["break_fix"],
                "msp": total["msp"],
                "savings": total["break_fix"] - total["msp"],
                "cumulative_savings": cum["break_fix"] - cum["msp"],
                "prob_msp_cheaper_so_far": cheaper,
            }
        )
        return out

    def __str__(self) -> str:
        s = self.summary()
        sym = self.symbol
        payback = self.payback_year
        when = f"from year {payback}" if payback is not None else "in no year of the horizon"
        npv = self.npv["savings"]
        return (
            f"Over {self.years} year(s) the expected cumulative saving of the MSP is "
            f"{money(float(s['cumulative_savings'].iloc[-1]), sym)}; its running total is below Break/Fix's "
            f"{when}; present value of the savings at {self.discount_rate:.1%}: {money(npv, sym)}."
        )


def _first_below(cum: pd.DataFrame) -> int | None:
    below = cum["msp"] < cum["break_fix"]
    return int(below.idxmax()) if below.any() else None


def project(
    scenario: Scenario,
    years: int = 3,
    user_growth: float = 0.0,
    device_growth: float | None = None,
    break_fix_escalator: float | None = None,
    msp_escalator: float | None = None,
    discount_rate: float = 0.0,
    trials: int = 2000,
    seed: SeedLike = None,
    *,
    onboarding: str = "upfront",
    msp_price_change: str = "yearly",
) -> Projection:
    """Expected and simulated costs of both models, year by year.

    Parameters
    ----------
    scenario : Scenario
        Year one, as it is today.
    years : int
        Horizon, 1 to 50.
    user_growth : float
        Yearly headcount growth (0.1: +10 % a year, compounding; may be
        negative, above -1).
    device_growth : float, optional
        Yearly growth of workstations and servers (default: ``user_growth``).
    break_fix_escalator, msp_escalator : float, optional
        Yearly price increases (default: the scenario's
        ``break_fix.annual_escalator`` and ``msp.annual_escalator``).
    discount_rate : float
        Yearly rate for present values (0: none; above -1).
    trials : int
        Simulated paths (each path is ``years`` independent simulated years).
    seed : None, int, SeedSequence or Generator
        SPEC 7; year ``t`` draws from the ``t``-th child of ``SeedSequence(seed).spawn(years)``.
    onboarding : {"upfront", "spread"}
        When the MSP onboarding fee is paid (see the module docstring).
    msp_price_change : {"yearly", "at_renewal"}
        MSP prices escalate every year, or only when the contract is renewed.

    Returns
    -------
    Projection
        ``table`` (tidy, one row per year and model), ``simulated`` per-year
        totals, ``payback_year``, ``npv``, ``summary()``.

    Notes
    -----
    Year one uses the scenario as given; see the module docstring for how it
    matches :func:`msp_analysis.expected` exactly.

    Examples
    --------
    >>> from msp_analysis import sample_scenario, expected
    >>> s = sample_scenario()
    >>> p = project(s, years=2, trials=200, seed=3, onboarding="spread")
    >>> year1 = p.table[p.table["year"] == 1].set_index("model")
    >>> bool(np.isclose(year1.loc["msp", "total_cost"], expected(s).loc["total_cost", "msp"], rtol=1e-12))
    True
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario, got {type(scenario).__name__}")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= _MAX_YEARS:
        raise ValidationError("years", years, f"a whole number in [1, {_MAX_YEARS}]")
    if onboarding not in _ONBOARDING:
        raise ValidationError("onboarding", onboarding, "one of " + ", ".join(map(repr, _ONBOARDING)))
    discount_rate = _rate("discount_rate", discount_rate, 0.0)
    years = int(years)
    try:
        # A rate just above -1 makes the discount factors overflow: infinite present values, NaN savings.
        if not math.isfinite((1 + discount_rate) ** -years):
            raise OverflowError
    except (OverflowError, ZeroDivisionError):
        raise ValidationError(
            "discount_rate", discount_rate, f"a rate above -1 whose discount factor stays finite over {years} years"
        ) from None
    trials = check_trials(trials)
    scenarios = tuple(
        year_scenario(
            scenario,
            t,
            user_growth=user_growth,
            device_growth=device_growth,
            break_fix_escalator=break_fix_escalator,
            msp_escalator=msp_escalator,
            msp_price_change=msp_price_change,
        )
        for t in range(1, years + 1)
    )
    o, m = scenario.organization, scenario.msp
    staff = o.loaded_hourly_cost * m.onboarding_staff_hours_per_user * o.users
    paid = np.stack(
        [
            _onboarding_by_year(scenario, years, onboarding, m.onboarding_fee),
            _onboarding_by_year(scenario, years, onboarding, staff),
        ]
    )
    children = seed_sequence(seed).spawn(years)

    table, sims = _year_table(scenarios, paid, children, trials)
    factor = (1 + discount_rate) ** -table["year"].astype(float)
    upfront = table["onboarding"] if onboarding == "upfront" else 0.0
    table["discount_factor"] = factor
    table["present_value"] = (table["total_cost"] - upfront) * factor + upfront
    table["cumulative_total"] = table.groupby("model")["total_cost"].cumsum()
    table["cumulative_present_value"] = table.groupby("model")["present_value"].cumsum()
    _add_simulated_columns(table, sims)
    return Projection(
        table=table,
        simulated=sims,
        scenarios=scenarios,
        discount_rate=discount_rate,
        onboarding=onboarding,
        symbol=scenario.organization.currency_symbol,
        seed=seed,
    )


def _year_table(
    scenarios: tuple[Scenario, ...],
    paid: np.ndarray,
    children: list[np.random.SeedSequence],
    trials: int,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Each year's expected figures (one row per year and model) and simulated totals (trials x years).

    ``paid`` holds, per year, the onboarding fee paid (row 0, a fee) and the
    client's onboarding staff time (row 1, internal cost).
    """
    years = len(scenarios)
    rows = []
    sims = {m: np.empty((trials, years)) for m in MODELS}
    for t, (s_t, child) in enumerate(zip(scenarios, children), start=1):
        comps = expected_components(s_t)
        raw = simulate_raw(s_t, trials, child, progress=False)
        for m in MODELS:
            fee, staff = paid[:, t - 1] if m == "msp" else (0.0, 0.0)
            extra = float(fee + staff)
            sims[m][:, t - 1] = raw[m]["total_cost"] + extra
            c = comps[m]
            row: dict[str, Any] = {  # one row of the table: numbers and labels
                "year": t,
                "model": m,
                "label": MODEL_LABELS[m],
                "users": s_t.organization.users,
                "workstations": s_t.organization.workstations,
                "servers": s_t.organization.servers,
            }
            row.update({k: float(c[k]) for k in COST_COLUMNS})
            row["fees"] += float(fee)
            row["internal_cost"] += float(staff)
            row["total_cost"] = float(c["total_cost"]) + extra
            row["onboarding"] = extra
            row["downtime_hours"] = float(c["downtime_hours"] + c["security_downtime_hours"])
            rows.append(row)
    return pd.DataFrame(rows), sims


def _add_simulated_columns(table: pd.DataFrame, sims: dict[str, np.ndarray]) -> None:
    """The simulated mean and P5/P50/P95 of each year's and the cumulative totals, per model."""
    quantiles = ("p5", "p50", "p95")
    for col in ("sim_mean", *(f"sim_{q}" for q in quantiles), *(f"sim_cumulative_{q}" for q in quantiles)):
        table[col] = np.nan
    for m in MODELS:
        sel = (table["model"] == m).to_numpy()
        yearly, cum = sims[m], np.cumsum(sims[m], axis=1)
        p_year = np.quantile(yearly, [0.05, 0.5, 0.95], axis=0)
        p_cum = np.quantile(cum, [0.05, 0.5, 0.95], axis=0)
        table.loc[sel, "sim_mean"] = yearly.mean(axis=0)
        for i, q in enumerate(quantiles):
            table.loc[sel, f"sim_{q}"] = p_year[i]
            table.loc[sel, f"sim_cumulative_{q}"] = p_cum[i]
