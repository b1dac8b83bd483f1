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
   split into the MSP's effects (incidents prevented, faster response, ...)
   and the fees and overheads left without them
   (:func:`msp_analysis.decisions.saving_split.saving_split`, parts that add
   up to the saving exactly), summed by the weakest basis behind each part
   (published < client data < assumption in strength: a part resting on one
   assumption is an assumption); :func:`carried_by` names the assumed
   effects that carry it.

Beside them, :func:`security_vs_insurance` sets the expected annual security
loss against what small-business cyber insurance costs, a sanity bound a CFO
can check.

All four use the exact expectations (:func:`msp_analysis.expected`): they
answer in milliseconds and are the same numbers the headline uses.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..engine.expected import expected, expected_components
from ..formatting import money
from ..model.downtime import cost_per_user_hour, valuation_words
from ..model.scenario import Scenario
from .saving_split import BASES, _split_frame, field_bases, split_rows

__all__ = [
    "CYBER_PREMIUM_RANGE_USD",
    "CYBER_PREMIUM_SOURCE",
    "CYBER_PREMIUM_USD",
    "Deliver",
    "OperationalBreakEven",
    "basis_sentence",
    "carried_by",
    "deliver",
    "deliver_notes",
    "fees_only",
    "fees_sentence",
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

    Downtime here is the user-hours lost to IT incidents, priced at one cost
    per user-hour. Security outages are priced inside the security losses
    (with the severity of an incident), so they sit in ``other_gap``; their
    user-hours are reported apart (``security_hours``) and are not counted
    in ``assumed_hours``, or they would be priced twice.

    Attributes
    ----------
    required_hours : float
        User-hours of downtime a year the MSP must avoid for both expected
        totals to be equal (negative: the MSP is cheaper even if it avoids
        none; infinite: a user-hour is valued at zero and the MSP costs more).
    assumed_hours : float
        User-hours a year the scenario assumes it avoids (Break/Fix minus MSP
        expected downtime; negative: the MSP is assumed to cause more).
    price_per_user_hour : float
        What one user-hour of downtime costs in the scenario (valued once).
    other_gap : float
        Everything but downtime, MSP minus Break/Fix: fees, staff time and
        security losses.
    fees_gap : float
        The fees alone, MSP minus Break/Fix (what the invoices say).
    saving : float
        Expected saving, ``price_per_user_hour * (assumed_hours - required_hours)``.
    security_hours : float
        User-hours of security outages a year the MSP is assumed to avoid
        (priced in the security losses, see above).
    """

    required_hours: float
    assumed_hours: float
    price_per_user_hour: float
    other_gap: float
    saving: float
    fees_gap: float = 0.0
    security_hours: float = 0.0
    symbol: str = "$"
    valuation: str = ""

    @property
    def fees_hours(self) -> float:
        """User-hours the MSP would have to avoid to pay for its fees alone (no other saving credited)."""
        hours = self.fees_gap / self.price_per_user_hour if self.price_per_user_hour > 0 else 0.0
        if self.price_per_user_hour <= 0 or not math.isfinite(hours):  # no price, or one too small to divide by
            return math.copysign(math.inf, self.fees_gap) if self.fees_gap != 0 else 0.0
        return hours

    def sentence(self) -> str:
        """What the MSP must deliver, what it is assumed to deliver, and what follows, in one sentence.

        Examples
        --------
        >>> from msp_analysis import sample_scenario
        >>> s = sample_scenario()
        >>> operational_break_even(s.replace({"msp.prevented_share.p1": 0.0, "msp.caught_early_share.p1": 0.0,
        ...     "msp.prevented_share.p2": 0.0, "msp.caught_early_share.p2": 0.0})).sentence()
        'The MSP pays for itself if it avoids at least 399 user-hours of downtime a year (it is assumed to avoid 297): on these assumptions it does not: it falls 102 user-hours short and costs $5,325 a year more.'
        """
        sym, n, m = self.symbol, self.required_hours, self.assumed_hours
        assumed = f"it is assumed to avoid {m:,.0f}" if m >= 0 else f"it is assumed to cause {-m:,.0f} more"
        if n == math.inf:
            return (
                f"No downtime the MSP avoids can pay for it: a user-hour of downtime is valued at zero here, and its "
                f"fees, staff time and security losses come to {money(self.other_gap, sym)} a year more than Break/Fix's."
            )
        if n <= 0:
            lower = (
                f"are {money(-self.other_gap, sym)} a year lower than Break/Fix's"
                if self.other_gap <= -0.5
                else "are no higher than Break/Fix's"
            )
            head = f"The MSP pays for itself even if it avoids no downtime: its fees, staff time and security losses {lower} ({assumed})"
        else:
            head = f"The MSP pays for itself if it avoids at least {n:,.0f} user-hours of downtime a year ({assumed})"
        if self.saving >= 0:
            return f"{head}: on these assumptions it saves {money(self.saving, sym)} a year."
        if n <= 0:  # cheaper on everything else, but assumed to cause more downtime than that makes up for
            return (
                f"{head}: on these assumptions it does not, as the extra downtime outweighs its lower costs by "
                f"{round(n) - round(m):,} user-hours and it costs {money(-self.saving, sym)} a year more."
            )
        return (
            f"{head}: on these assumptions it does not: it falls {round(n) - round(m):,} user-hours short and costs "
            f"{money(-self.saving, sym)} a year more."
        )

    def details(self) -> list[str]:
        """How to read the sentence: the price of a user-hour, what the threshold already credits, what it leaves out.

        Examples
        --------
        >>> from msp_analysis import sample_scenario
        >>> for line in operational_break_even(sample_scenario()).details():
        ...     print(line)
        A user-hour of downtime costs $52.50 (valued at idle staff cost).
        The 402 user-hours already credit the MSP with $9,256 a year of assumed savings on staff time and security losses; on its fees alone it must avoid 578.
        Downtime here is from IT incidents; the 3 user-hours of security outages it is assumed to avoid are counted with the security losses.
        """
        sym, out = self.symbol, []
        out.append(f"A user-hour of downtime costs {money(self.price_per_user_hour, sym, 2)} ({self.valuation}).")
        rest = self.other_gap - self.fees_gap  # staff time and security losses, MSP minus Break/Fix
        if self.price_per_user_hour > 0 and 0 < self.required_hours < math.inf and abs(rest) >= 0.5:
            n = f"The {self.required_hours:,.0f} user-hours"
            if rest < 0:
                credit = f"{n} already credit the MSP with {money(-rest, sym)} a year of assumed savings on"
            else:
                credit = f"{n} include {money(rest, sym)} a year of assumed extra costs in"
            if self.fees_hours == math.inf:
                fees = "on its fees alone no downtime it avoids could pay for it"
            elif self.fees_hours > 0:
                fees = f"on its fees alone it must avoid {self.fees_hours:,.0f}"
            else:
                fees = "its fees alone are lower than Break/Fix's"
            out.append(f"{credit} staff time and security losses; {fees}.")
        out.append(
            f"Downtime here is from IT incidents; the {abs(self.security_hours):,.0f} user-hours of security outages "
            f"it is assumed to {'avoid' if self.security_hours >= 0 else 'cause'} are counted with the security losses."
        )
        return out

    def __str__(self) -> str:
        return f"{self.sentence()} {self.details()[0]}"


def operational_break_even(scenario: Scenario) -> OperationalBreakEven:
    """How many user-hours of downtime the MSP must avoid a year to pay for itself.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> ob = operational_break_even(sample_scenario())
    >>> print(ob)
    The MSP pays for itself if it avoids at least 402 user-hours of downtime a year (it is assumed to avoid 545): on these assumptions it saves $7,488 a year. A user-hour of downtime costs $52.50 (valued at idle staff cost).
    >>> round(ob.saving) == round(ob.price_per_user_hour * (ob.assumed_hours - ob.required_hours))
    True
    """
    return _break_even(scenario, expected_components(scenario))


def _break_even(scenario: Scenario, comps: Mapping[str, Mapping[str, float]]) -> OperationalBreakEven:
    b, m = comps["break_fix"], comps["msp"]
    gap = sum(m[c] - b[c] for c in ("fees", "internal_cost", "security_loss"))
    price = cost_per_user_hour(scenario)
    # price 0 (no IT dependency, no revenue): no downtime can pay for anything
    required = gap / price if price > 0 else (math.inf if gap > 0 else 0.0)
    if not math.isfinite(required):  # an hour worth next to nothing (a subnormal price) overflows the division
        required = math.copysign(math.inf, gap)
    return OperationalBreakEven(
        required_hours=float(required),
        assumed_hours=float(b["downtime_hours"] - m["downtime_hours"]),
        price_per_user_hour=float(price),
        other_gap=float(gap),
        saving=float(b["total_cost"] - m["total_cost"]),
        fees_gap=float(m["fees"] - b["fees"]),
        security_hours=float(b["security_downtime_hours"] - m["security_downtime_hours"]),
        symbol=scenario.organization.currency_symbol,
        valuation=valuation_words(scenario),
    )


def saving_by_basis(scenario: Scenario, yours: Collection[str] | None = None) -> pd.DataFrame:
    """The expected saving summed by the weakest basis of the parts it is made of.

    The parts are those of :func:`~msp_analysis.decisions.saving_split.saving_split`
    (the MSP's effects, then fees and overheads without them), which add up
    to the expected saving exactly; each part takes the weakest basis among
    the fields it rests on. A value is client data if it is in ``yours``
    (default: every value that differs from the package default, see
    :func:`~msp_analysis.decisions.saving_split.field_bases`).

    Returns
    -------
    pandas.DataFrame
        Indexed by basis (``"assumption"``, ``"client data"``,
        ``"published"``): ``saving`` (Break/Fix minus MSP, a year) and
        ``parts`` (the labels of the parts of that basis, largest first).
        ``attrs["total"]`` is the expected saving, ``attrs["split"]`` the
        parts.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> t = saving_by_basis(sample_scenario())
    >>> round(t.loc["assumption", "saving"]), round(t.attrs["total"])   # every part rests on an assumption
    (7488, 7488)
    >>> t.loc["assumption", "parts"][:2]
    ['Fees, with none of these effects', 'Incidents the MSP prevents']
    """
    rows, total = split_rows(scenario, yours)
    sums = _by_basis(rows)
    out = pd.DataFrame.from_dict({b: {"saving": s, "parts": parts} for b, (s, parts) in sums.items()}, orient="index")
    out.index.name = "basis"
    out.attrs["total"] = total
    out.attrs["split"] = _split_frame(rows, total)
    return out


def _by_basis(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[float, list[str]]]:
    """``{basis: (sum of its parts' savings, their labels, largest first)}`` for every basis."""
    out = {}
    for b in BASES:
        mine = sorted((r for r in rows.values() if r["basis"] == b), key=lambda r: -abs(r["saving"]))
        out[b] = (float(sum(r["saving"] for r in mine)), [str(r["label"]) for r in mine])
    return out


def _carried(rows: Mapping[str, Mapping[str, Any]], k: int) -> list[tuple[str, float]]:
    """The ``k`` MSP effects resting on an assumption that save most, as ``(label, saving)``."""
    effects = [r for r in rows.values() if r["kind"] == "effect" and r["basis"] == "assumption" and r["saving"] > 0]
    effects.sort(key=lambda r: -r["saving"])
    return [(str(r["label"]), float(r["saving"])) for r in effects[:k]]


def carried_by(split: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """The assumed effects that carry the saving: the ``k`` MSP effects resting on an assumption that save most.

    Parameters
    ----------
    split : pandas.DataFrame
        A :func:`~msp_analysis.decisions.saving_split.saving_split` table.
    k : int
        How many to name.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> from msp_analysis.decisions.saving_split import saving_split
    >>> carried_by(saving_split(sample_scenario()))["label"].tolist()
    ['Incidents the MSP prevents', 'Faults its monitoring fixes before users notice', 'Faster response (SLA) than Break/Fix']
    """
    rows = split.to_dict(orient="index")
    keep = [label for label, _ in _carried(rows, k)]
    return split[split["label"].isin(keep)].sort_values("saving", ascending=False)


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


def fees_sentence(fees: pd.DataFrame, symbol: str = "$") -> str:
    """What the invoices say, in one sentence, from a :func:`fees_only` table.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> fees_sentence(fees_only(sample_scenario()))
    'On fees alone (what the invoices say): Break/Fix $44,605 a year, MSP $74,966 a year; Break/Fix bills $30,361 less.'
    """
    return _fees_text({k: float(v) for k, v in fees["fees"].items()}, symbol)


def _fees_text(f: Mapping[str, float], symbol: str) -> str:
    d = f["difference"]
    if abs(d) < 0.5:
        which = "both bill the same"
    else:
        which = f"{'Break/Fix' if d < 0 else 'the MSP'} bills {money(abs(d), symbol)} less"
    return (
        f"On fees alone (what the invoices say): Break/Fix {money(f['break_fix'], symbol)} a year, "
        f"MSP {money(f['msp'], symbol)} a year; {which}."
    )


def basis_sentence(by_basis: pd.DataFrame, symbol: str = "$", k: int = 3) -> str:
    """What the expected saving rests on, from a :func:`saving_by_basis` table, naming the assumed effects that carry it.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> print(basis_sentence(saving_by_basis(sample_scenario())))
    Of the expected saving of $7,488 a year, $7,488 rests on at least one assumption, $0 on the client's own data and $0 on published figures alone. The assumed effects that carry it most: incidents the MSP prevents ($14,889), faults its monitoring fixes before users notice ($7,964), faster response (SLA) than Break/Fix ($7,430).
    """
    sums = {b: (float(by_basis.loc[b, "saving"]), list(by_basis.loc[b, "parts"])) for b in BASES}
    top = _carried(by_basis.attrs["split"].to_dict(orient="index"), k)
    return _basis_text(sums, float(by_basis.attrs["total"]), top, symbol)


def _basis_text(
    sums: Mapping[str, tuple[float, list[str]]], total: float, top: list[tuple[str, float]], symbol: str
) -> str:
    if total >= 0:
        what = f"Of the expected saving of {money(total, symbol)} a year"
    else:
        what = f"Of the expected saving ({money(total, symbol)} a year: the MSP costs more)"
    s = {b: money(sums[b][0], symbol) for b in BASES}
    text = (
        f"{what}, {s['assumption']} rests on at least one assumption, {s['client data']} on the client's own data "
        f"and {s['published']} on published figures alone."
    )
    if top:
        parts = ", ".join(f"{label[0].lower()}{label[1:]} ({money(v, symbol)})" for label, v in top)
        lead = "carry it most" if total >= 0 else "count most in the MSP's favour"
        text += f" The assumed effects that {lead}: {parts}."
    return text


@dataclass(frozen=True)
class Deliver:
    """Everything "what the MSP must deliver" says, from one evaluation of the exact expectations.

    Attributes
    ----------
    fees : dict of str to float
        Expected yearly fees, ``break_fix``, ``msp`` and ``difference`` (Break/Fix minus MSP).
    break_even : OperationalBreakEven
    parts : dict
        The saving's parts (:func:`~msp_analysis.decisions.saving_split.split_rows`).
    total : float
        The expected saving (the parts add up to it).
    by_basis : dict
        ``{basis: (saving, part labels)}``.
    sentences : list of str
        What the invoices say, what the MSP must deliver, what the saving rests on.
    fees_note : str
        Where the fees come from: Break/Fix's are expected hourly bills for an
        incident rate that is assumed unless it is the client's own.
    """

    fees: dict[str, float]
    break_even: OperationalBreakEven
    parts: dict[str, dict[str, Any]]
    total: float
    by_basis: dict[str, tuple[float, list[str]]]
    sentences: list[str]
    fees_note: str = ""


def deliver(scenario: Scenario, yours: Collection[str] | None = None, k: int = 3) -> Deliver:
    """The fees, the operational break-even and the saving's parts by basis, with their sentences.

    The same numbers as :func:`fees_only`, :func:`operational_break_even` and
    :func:`saving_by_basis`, without their tables: the dashboard asks on
    every control change.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> d = deliver(sample_scenario())
    >>> round(d.fees["difference"]), round(d.break_even.required_hours), round(d.total)
    (-30361, 402, 7488)
    """
    comps = expected_components(scenario)
    sym = scenario.organization.currency_symbol
    fees = {"break_fix": float(comps["break_fix"]["fees"]), "msp": float(comps["msp"]["fees"])}
    fees["difference"] = fees["break_fix"] - fees["msp"]
    must = _break_even(scenario, comps)
    rows, total = split_rows(scenario, yours)
    sums = _by_basis(rows)
    return Deliver(
        fees=fees,
        break_even=must,
        parts=rows,
        total=total,
        by_basis=sums,
        sentences=[_fees_text(fees, sym), must.sentence(), _basis_text(sums, total, _carried(rows, k), sym)],
        fees_note=_fees_note(comps, field_bases(scenario, yours)),
    )


def _fees_note(comps: Mapping[str, Mapping[str, float]], bases: Mapping[str, str]) -> str:
    """Break/Fix's fees rest on the incident rates: say whose they are."""
    rates = {b for p, b in bases.items() if p.startswith("incidents.") and p.endswith(".rate_per_user_year")}
    whose = "assumed" if "assumption" in rates else ("the client's own" if "client data" in rates else "published")
    return (
        f"The Break/Fix fees are the expected hourly bills for {comps['break_fix']['incidents']:,.0f} incidents a "
        f"year, at {whose} incident rates; the MSP's are its subscription plus expected out-of-scope work, "
        "less SLA credits."
    )


def deliver_notes(scenario: Scenario, yours: Collection[str] | None = None) -> list[str]:
    """Three sentences for a report: what the invoices say, what the MSP must deliver, what the saving rests on.

    Examples
    --------
    >>> from msp_analysis import sample_scenario
    >>> fees, must, rests = deliver_notes(sample_scenario())
    >>> fees
    'On fees alone (what the invoices say): Break/Fix $44,605 a year, MSP $74,966 a year; Break/Fix bills $30,361 less.'
    >>> must.startswith("The MSP pays for itself if it avoids at least 402 user-hours"), rests.startswith("Of the expected")
    (True, True)
    """
    return deliver(scenario, yours).sentences
