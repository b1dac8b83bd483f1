"""An MSP's quote: price lines read into the ``msp`` section of a scenario.

A quote arrives as a short table of price lines: an item, a unit ("per user
per month", "per server", "flat", "minimum", "onboarding", "term",
"out-of-scope rate", "annual increase") and a price. :func:`load_msp_quote`
reads it (CSV or XLSX, with the validation of :func:`.load_tickets`) into a
dict of ``msp.*`` dotted paths; :func:`apply_quote` puts it into a scenario,
and a value the scenario refuses is reported with the quote's file and row.

How a line is recognised (item and unit read together, first match wins):
a dotted path (``msp.per_user_monthly``) names itself; then issue 12's
terms, each by its context and kind together (month-to-month premium,
one-year term premium, co-managed discount, after-hours rate multiplier or
surcharge: "50%" is 1.5 times the rate), a line fitting two of them refused;
then term (a percentage on a term line is refused, never read as years), annual
increase, onboarding/setup, minimum, out-of-scope/hourly, server,
workstation/device/endpoint, user/seat, flat/fixed/monthly; SLA lines
("P1 response", in hours or minutes), SLA adherence, vCIO hours. Prices
given per year or per quarter are turned into monthly prices; several lines
for the same monthly price (help desk per user + security per user) add up.

A plain price list reads the same way (:mod:`.price_lists`): the words after
a price say what it is per ("$95 per server"); Spanish, Portuguese, French
and German words are put into English before the rules above; a total or
subtotal line is reported in the warnings, not read; with a quantity column
beside a line total ("Betrag", "Amount") a per-user, per-device or
per-server price is the total divided by the quantity.

Examples
--------
>>> from msp_analysis import sample_scenario
>>> csv = b"Item,Unit,Price\\nManaged IT,per user per month,$110\\nServers,per server,150\\nTerm,months,36\\n"
>>> quote = load_msp_quote(csv, name="quote.csv")
>>> dict(quote)
{'msp.per_user_monthly': 110.0, 'msp.per_server_monthly': 150.0, 'msp.term_months': 36}
>>> s = apply_quote(sample_scenario(), quote)
>>> s.msp.per_user_monthly, s.msp.onboarding_fee   # prices the quote does not list are 0
(110.0, 0.0)
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ValidationError
from ..model.scenario import MSP, Scenario, field_info
from .cells import blank_mask, parse_texts
from .columns import ColumnSpec, aliases, normalise_name
from .durations import parse_durations
from .money import parse_money
from .price_lists import english, is_total, split_price
from .problems import LoadReport, Problems, finish, guard
from .sources import MAX_BYTES
from .tables import read_table

__all__ = ["PRICE_PATHS", "QUOTE_COLUMNS", "MSPQuote", "apply_quote", "classify_line", "load_msp_quote"]

QUOTE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "item",
        "text",
        True,
        aliases(
            "item|product service|description|service|line item|product|name|line|component|fee|charge|what|"
            "concepto|descripcion|articulo|servicio|producto|descricao|servico|produto|designation|article|"
            "prestation|libelle|beschreibung|leistung|position|artikel|bezeichnung"
        ),
        "what the line prices",
        doc="Price line",
    ),
    ColumnSpec(
        "unit",
        "text",
        False,
        aliases(
            "unit|units|billing unit|per|basis|billing basis|frequency|type|uom|unit of measure|charged|"
            "unidad|por|unidade|unite|par|einheit|pro|periodicidad|periodicidade|periodicite|abrechnung"
        ),
        "per user, per workstation, per server, flat, minimum, onboarding, term, out-of-scope rate ...",
        doc="What the price is per",
    ),
    ColumnSpec(
        "price",
        "money",
        True,
        # a unit price before a line's amount: with a quantity column, the amount is quantity x price
        aliases(
            "price|unit price|price per unit|rate|monthly price|amount|cost|fee amount|value|monthly|charge amount|"
            "precio|precio unitario|tarifa|preco|preco unitario|valor unitario|prix|prix unitaire|tarif|preis|"
            "einzelpreis|importe|valor|montant|betrag|total|line total|gesamtpreis"
        ),
        "a price such as 125 or $125.00 (a percentage for an increase, months for a term)",
        doc="Price",
    ),
    ColumnSpec(
        "quantity",
        "number",
        False,
        aliases("qty|quantity|count|cantidad|cant|quantidade|qtd|quantite|qte|menge|anzahl"),
        "a number of users, devices or servers such as 45",
        doc="Quantity",
    ),
)

#: Price columns that hold a line's total (quantity x unit price) rather than the unit price.
_LINE_TOTALS = frozenset(aliases("amount|total|line total|importe|valor|montant|betrag|gesamtpreis|charge amount"))

#: The msp fields a quote sets; the first six are the prices reset to 0 when a quote omits them.
PRICE_PATHS = (
    "msp.per_user_monthly",
    "msp.per_workstation_monthly",
    "msp.per_server_monthly",
    "msp.flat_monthly",
    "msp.monthly_minimum",
    "msp.onboarding_fee",
)
_MONTHLY = set(PRICE_PATHS[:5])
_ADDITIVE = _MONTHLY - {"msp.monthly_minimum"} | {"msp.onboarding_fee"}

_SURCHARGE = r"\b(?:premium|surcharge|uplift|markup|increase|extra)\b"
#: The terms of issue 12: each needs its context and its kind ("co-managed" alone may be a per-user plan's name).
#: They come before the rules below, which would read "One-year term premium 5%" as a 5-year term and "Price
#: increase if month-to-month 15%" as an annual increase; a line that fits two of them is refused, not guessed.
_TERMS: tuple[tuple[str, str, str], ...] = (
    (r"\bmonth to month\b|\brolling monthly\b|\bmonthly rolling\b", _SURCHARGE, "msp.month_to_month_premium"),
    (r"\b(?:one|1|un|uno|um|une|ein|einem) year\b|\b12 months?\b|\bannual term\b", _SURCHARGE, "msp.one_year_premium"),
    (r"\bco ?managed\b", r"\bdiscount\b|\breduction\b|\boff\b", "msp.co_managed_discount"),
    (
        r"\bafter ?hours?\b|\bout of hours\b|\boutside (?:business|office|working) hours\b",
        r"\b(?:multiplier|factor|multiple|premium|surcharge|uplift|markup|increase|extra)\b",
        "msp.after_hours_rate_multiplier",
    ),
)
#: Why a line is refused rather than read: an after-hours rate in money (the scenario takes a multiple of the
#: out-of-scope rate), and a line fitting two of the terms above.
_AFTER_HOURS_MONEY = "an after-hours hourly rate (state it as a multiplier of the out-of-scope rate, such as 1.5)"

_RULES: tuple[tuple[str, str], ...] = (
    (r"\bsla\b.*\badherence\b|\badherence\b|\bsla\b.*\bpercent", "msp.sla_adherence"),
    (r"\b(?:sla|response|respond)\b", "msp.sla_response_hours"),
    (r"\bv ?cio\b|\bstrategic\b|\bqbr\b|\bbusiness review", "msp.vcio_hours_per_year"),
    (r"\bterm\b|\bcontract length\b|\bduration\b|\bcommitment\b", "msp.term_months"),
    (r"\bescalat|\bincrease\b|\buplift\b|\bcpi\b|\bindexation\b", "msp.annual_escalator"),
    (
        r"\bonboard|\bset ?up\b|\bone ?(?:off|time)\b|\bimplementation\b|\btransition\b|\bdeployment fee",
        "msp.onboarding_fee",
    ),
    (r"\bminimum\b|\bmin charge\b|\bfloor\b", "msp.monthly_minimum"),
    (
        r"\bout of scope\b|\boutside (?:the )?scope\b|\bper hour\b|\bhourly\b|\bt ?m\b|\btime and materials\b|"
        r"\bad ?hoc\b|\badditional work\b|\bproject rate\b",
        "msp.out_of_scope_rate",
    ),
    (r"\bservers?\b", "msp.per_server_monthly"),
    (
        r"\bworkstations?\b|\bdevices?\b|\bendpoints?\b|\bcomputers?\b|\bpcs?\b|\blaptops?\b|\bdesktops?\b|\bmachines?\b",
        "msp.per_workstation_monthly",
    ),
    (r"\busers?\b|\bseats?\b|\bemployees?\b|\bpersons?\b|\bstaff\b|\bheads?\b|\bpeople\b", "msp.per_user_monthly"),
    (r"\bflat\b|\bfixed\b|\bbase\b|\bplatform\b|\bper month\b|\bmonthly\b|\bper site\b|\bsite\b", "msp.flat_monthly"),
)


#: What a price may be "per": the units the msp section prices by, and periods.
_PER_UNITS = frozenset(
    "user users seat seats employee employees person persons people staff head heads workstation workstations "
    "device devices endpoint endpoints computer computers pc pcs laptop laptops desktop desktops machine machines "
    "server servers site sites month year annum quarter week hour".split()
)


def classify_line(item: str, unit: str = "") -> str | None:
    """The ``msp.*`` path a price line sets, or None.

    A line priced per anything but what the msp section prices by (users,
    seats, workstations and other devices, servers, sites) or a period is
    None -- per mailbox, per TB, per tenant: the scenario has no such price,
    and reading it as the nearest one would be wrong.

    Examples
    --------
    >>> classify_line("Managed services", "per user / month"), classify_line("Server care", "per server")
    ('msp.per_user_monthly', 'msp.per_server_monthly')
    >>> classify_line("P1 response", "minutes"), classify_line("Setup", "one-off")
    ('msp.sla_response_hours.p1', 'msp.onboarding_fee')
    """
    for text in (item, unit):
        t = str(text or "").strip()
        if t.lower().startswith("msp."):
            return t.lower()
    text = english(normalise_name(f"{item} {unit}"))
    if any(per not in _PER_UNITS for per in re.findall(r"\bper (\w+)", text)):
        return None  # "per mailbox per month" is no flat fee, "Server backup per TB" no per-server price
    if ambiguous_term(item, unit):
        return None
    terms = [path for context, kind, path in _TERMS if re.search(context, text) and re.search(kind, text)]
    if terms:
        return terms[0]
    for pattern, path in _RULES:
        if re.search(pattern, text):
            if path == "msp.sla_response_hours":
                m = re.search(r"\b(?:p|priority|sev|severity)\s*([1-4])\b", text)
                if not m:
                    continue
                return f"{path}.p{m.group(1)}"
            return path
    return None


def ambiguous_term(item: str, unit: str = "") -> str:
    """Why a price line is refused though words of it are known (two terms at once, an after-hours rate), or "".

    Examples
    --------
    >>> ambiguous_term("Month-to-month or one-year premium")
    'could be msp.month_to_month_premium or msp.one_year_premium'
    >>> ambiguous_term("After-hours rate", "per hour"), ambiguous_term("Managed services", "per user")
    ('is an after-hours hourly rate (state it as a multiplier of the out-of-scope rate, such as 1.5)', '')
    """
    text = english(normalise_name(f"{item} {unit}"))
    terms = [path for context, kind, path in _TERMS if re.search(context, text) and re.search(kind, text)]
    if len(terms) > 1:
        return "could be " + " or ".join(terms)
    m2m = re.search(_TERMS[0][0], text)
    if terms == ["msp.month_to_month_premium"] and re.search(r"\bannual|\byearly\b|\bescalat|\bcpi\b", text):
        return "could be msp.month_to_month_premium or msp.annual_escalator"
    if m2m and not terms and re.search(r"\bper (?:user|seat|device|workstation|server|site)\b|\bflat\b", text):
        # read as the price per user it would add to the term's own price
        return "is a month-to-month price (state the term's price and a month-to-month premium)"
    if not terms and re.search(_TERMS[-1][0], text) and re.search(r"\brate\b|\bper hour\b|\bhourly\b", text):
        return f"is {_AFTER_HOURS_MONEY}"
    return ""


class MSPQuote(dict):
    """A dict of ``msp.*`` paths -> values, remembering the file and row each came from.

    Attributes
    ----------
    source : str
        The quote file's name.
    rows : dict
        Path -> list of file row numbers the value came from.
    lines : pandas.DataFrame
        Every line as read: row, item, unit, price, path, value, note.
    report : LoadReport
    """

    def __init__(
        self,
        values: Mapping[str, float | int],
        source: str,
        rows: Mapping[str, list[int]],
        lines: pd.DataFrame,
        report: LoadReport | None = None,
    ) -> None:
        super().__init__(values)
        self.source = source
        self.rows = dict(rows)
        self.lines = lines
        self.report = report

    def where(self, path: str) -> str:
        rows = self.rows.get(path)
        if not rows:
            return f"{self.source}"
        return f"{self.source}, row{'s' if len(rows) > 1 else ''} " + ", ".join(str(r) for r in rows)


def _percent_share(raw: object, value: float) -> tuple[float, str]:
    text = str(raw)
    if "%" in text or value > 1:
        return value / 100, "read as a percentage"
    return value, ""


@guard
def load_msp_quote(
    source: Any,
    column_map: Mapping[str, str | None] | None = None,
    sheet: str | int | None = None,
    *,
    name: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    max_bytes: int = MAX_BYTES,
) -> MSPQuote:
    """Read an MSP quote's price lines into ``{msp.* path: value}``.

    Columns: ``item`` (required), ``unit`` (optional: the item may say it
    all) and ``price`` (required); see :data:`QUOTE_COLUMNS` for the names
    recognised. Every line must be recognised (see :func:`classify_line`):
    an unrecognised line, a negative or unreadable price, a value outside
    what the scenario allows for its field (a 300% increase, a 12.5-month
    term), or one field given twice is a :class:`~msp_analysis.DataError`
    naming file, row and value.

    Returns
    -------
    MSPQuote
        A dict of dotted paths -> values, with ``.rows``, ``.lines`` and ``.report``.
    """
    table, problems = read_table(
        source,
        QUOTE_COLUMNS,
        name=name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        column_map=column_map,
        header_row=header_row,
        max_bytes=max_bytes,
    )
    n = len(table.data)
    label = table.mapping.labels
    items = parse_texts(table.values["item"]).fillna("").tolist()
    units = parse_texts(table.values["unit"]).fillna("").tolist() if "unit" in label else [""] * n
    raw_prices = table.values["price"]
    # "$95 per server": the words after the amount say what it is per, like a unit column
    amounts, after = zip(*(split_price(v) for v in raw_prices)) if n else ((), ())
    units = [" ".join(filter(None, (u, a))) for u, a in zip(units, after)]
    money, bad_money, _ = parse_money([str(v).replace("%", "") if isinstance(v, str) else v for v in amounts])
    problems.add_mask(blank_mask(items), label["item"], None, "is empty", "what the line prices")
    totals = [is_total(i) for i in items]  # "Total", "Subtotal", "Gesamtbetrag": sums of the lines, not prices
    paths = [classify_line(i, u) if (i or u) and not t else None for i, u, t in zip(items, units, totals)]
    unknown = np.array([p is None and bool(i or u) and not t for p, i, u, t in zip(paths, items, units, totals)])
    why = [ambiguous_term(i, u) if k else "" for i, u, k in zip(items, units, unknown)]
    problems.add_mask(
        np.array([bool(w) for w in why], dtype=bool),
        label["item"],
        [f"{i} ({u})" if u else i for i, u in zip(items, units)],
        why,
        "one term per line, named plainly (month-to-month premium, one-year term premium, co-managed discount, "
        "after-hours rate multiplier) or by its msp.* field path",
    )
    unknown &= ~np.array([bool(w) for w in why], dtype=bool)
    problems.add_mask(
        unknown,
        label["item"],
        [f"{i} ({u})" if u else i for i, u in zip(items, units)],
        "is not a price line this suite knows",
        "a unit such as per user, per workstation, per server, flat, minimum, onboarding, term, "
        "out-of-scope rate, annual increase, month-to-month or one-year term premium, co-managed discount or "
        "after-hours rate multiplier, in English, Spanish, Portuguese, French or German "
        "(or an msp.* field path)",
    )
    money, per_line, notes = _quantities(table, problems, paths, money)
    priced = [
        _Priced() if path is None else _price_line(path, raw, val, english(normalise_name(f"{item} {unit}")))
        for path, raw, val, item, unit in zip(paths, raw_prices, money, items, units)
    ]
    priced = [dataclasses.replace(p, note="; ".join(filter(None, (q, p.note)))) for p, q in zip(priced, per_line)]
    # a price that is no amount on a line priced in money is named once, as "is not a price", below
    in_money = np.array([p is not None and not p.startswith(("msp.sla_response", "msp.term")) for p in paths])
    _price_problems(problems, label["price"], list(raw_prices), priced, bad_money & in_money & ~unknown)
    _twice_problems(problems, label["item"], items, paths, priced, table.numbers)
    warnings = [
        f"row {r}: {i!r} ({v}) is a total of the lines above, not a price: not read"
        for r, i, v, t in zip(table.numbers, items, raw_prices, totals)
        if t
    ]
    lines = pd.DataFrame(
        {
            "row": table.numbers,
            "item": items,
            "unit": units,
            "price": [None if v is None else v for v in raw_prices],
            "path": paths,
            "value": [p.value for p in priced],
            "note": [p.note for p in priced],
        }
    )
    frame, report = finish(table, problems, lines, lenient=False, lenient_hint=False, notes=notes, warnings=warnings)
    return _quote(frame, report)


_PER_UNIT = frozenset({"msp.per_user_monthly", "msp.per_workstation_monthly", "msp.per_server_monthly"})


def _quantities(
    table: Any, problems: Problems, paths: list[str | None], money: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    """Prices per unit where the price column holds line totals (quantity x unit price), with a note per line.

    Without a quantity column the prices are as written. With one beside a
    unit price, the quantities are only reported (the scenario's own counts
    price the lines). With one beside a line total ("Amount"), a per-user,
    per-device or per-server line's price is its total divided by its
    quantity, and such a line without a quantity is a problem.
    """
    n = len(paths)
    label = table.mapping.labels
    if "quantity" not in label:
        return money, [""] * n, []
    raw = table.values["quantity"]
    qty, bad, _ = parse_money(list(raw))
    problems.add_mask(bad | (qty < 0), label["quantity"], list(raw), "is not a quantity", "a number such as 45")
    if normalise_name(label["price"]) not in _LINE_TOTALS:
        note = f"{label['quantity']!r}: the quantities quoted are not used; the scenario's own counts price the lines"
        return money, [""] * n, [note]
    per_unit = np.array([p in _PER_UNIT for p in paths], dtype=bool)
    usable = per_unit & np.isfinite(qty) & (qty > 0)
    problems.add_mask(
        per_unit & ~usable & ~bad,
        label["quantity"],
        list(raw),
        f"is needed: {label['price']!r} is the line's total",
        "the quantity the line's total is for, such as 45",
    )
    out = np.where(usable, money / np.where(usable, qty, 1.0), money)
    per_line = [f"line total divided by the quantity, {q:g}" if u else "" for u, q in zip(usable, qty)]
    return out, per_line, []


@dataclass(frozen=True)
class _Priced:
    """What one recognised price line gives: its value, how it was read, and what is wrong with it.

    ``value`` is None only for a line that names no field; ``problem`` says
    why the price is unusable, ``out_of_range`` what a value outside the
    scenario's range gives and ``allowed`` what the range is.
    """

    value: float | int | None = None
    note: str = ""
    problem: str = ""
    out_of_range: str = ""
    allowed: str = ""


_MSP_FIELDS = frozenset(f"msp.{f.name}" for f in dataclasses.fields(MSP))


def _price_line(path: str, raw: object, money: float, text: str) -> _Priced:
    """The value a line sets ``path`` to (its price in the unit the field wants), checked against the field's range.

    ``money`` is the price read as an amount, ``text`` the line's item and
    unit normalised: they say whether a price is per year or a term in years.
    """
    if path.count(".") == 1 and path not in _MSP_FIELDS:
        return _Priced(problem=f"names {path!r}, which is not a field of the msp section")
    if path == "msp.term_months" and "%" in str(raw):  # "One-year term 5%" is a premium, never a 5-year term
        return _Priced(problem="is a percentage, not a term (a term premium is a 'one-year term premium' line)")
    if path == "msp.after_hours_rate_multiplier" and "%" not in str(raw) and re.search(_SURCHARGE, text):
        return _Priced(problem="is a surcharge without a percent sign (write 50% for 1.5 times the rate)")
    val, note = _converted(path, raw, money, text)
    if not math.isfinite(val):  # math, not numpy: a term may be an int too large for int64
        return _Priced(val, note, problem="is not a price")
    if val < 0:
        return _Priced(val, note, problem="is negative")
    # The scenario's own range, here where file and row are known: a 300% increase, a term of
    # 12.5 months or a price of 1e9 per user is a wrong quote, not something to find at apply_quote.
    try:
        info = field_info(path)
    except ValidationError:  # a group (msp.prevented_share) or no such key (msp.prevented_share.p9)
        return _Priced(val, note, problem=f"names {path!r}, which is not a field of the msp section")
    try:
        info.check(path, val)
    except ValidationError:
        gives = f"gives {path} = {val:g}{f' ({note})' if note else ''}"
        return _Priced(val, note, out_of_range=gives, allowed=info.allowed())
    return _Priced(val, note)


#: Fields a quote states as a share: "15%" and "15" are 0.15, "0.15" is 0.15.
_SHARES = frozenset(
    {
        "msp.annual_escalator",
        "msp.sla_adherence",
        "msp.month_to_month_premium",
        "msp.one_year_premium",
        "msp.co_managed_discount",
    }
)


def _converted(path: str, raw: object, money: float, text: str) -> tuple[float | int, str]:
    """A line's price in the field's own unit (hours, months, a share, a monthly price), and a note if converted."""
    if path.startswith("msp.sla_response_hours"):
        unit = "minutes" if re.search(r"\bmin(?:ute)?s?\b", text) else "hours"
        hours, bad = parse_durations([raw], unit)
        return (float(hours[0]) if not bad[0] else math.nan), (
            "minutes converted to hours" if unit == "minutes" else ""
        )
    if path == "msp.term_months":
        m = re.search(r"(\d+(?:\.\d+)?)", str(raw))
        months, note = float(m.group(1)) if m else math.nan, ""
        if re.search(r"\byears?\b", f"{text} {english(normalise_name(raw))}"):
            months, note = months * 12, "years converted to months"
        return (int(months) if math.isfinite(months) and months.is_integer() else months), note
    if path in _SHARES:
        return _percent_share(raw, float(money)) if math.isfinite(money) else (money, "")
    if path == "msp.after_hours_rate_multiplier" and math.isfinite(money):
        if "%" in str(raw):  # "surcharge 50%" is 1.5 times the rate, "multiplier 150%" too
            surcharge = not re.search(r"\b(?:multiplier|factor|multiple)\b", text)
            return 1 + money / 100 if surcharge else money / 100, "percentage read as a multiple of the rate"
        return money, ""
    if path in _MONTHLY:
        if re.search(r"\b(?:year|years|annual|annually|yearly|per annum|pa)\b", text):
            return money / 12, "annual price divided by 12"
        if re.search(r"\bquarter(?:ly)?\b", text):
            return money / 3, "quarterly price divided by 3"
        if re.search(r"\bweek(?:ly)?\b", text):
            return money * 52 / 12, "weekly price x 52 / 12"
    return money, ""


def _price_problems(
    problems: Problems, column: str, raw_prices: list, priced: list[_Priced], not_money: np.ndarray
) -> None:
    """Unusable prices, values outside their field's range, prices that are no amount, and empty prices."""
    unusable = np.array([bool(p.problem) for p in priced], dtype=bool) & ~not_money
    problems.add_mask(
        unusable,
        column,
        raw_prices,
        [p.problem for p in priced],
        "a price of 0 or more (a percentage for an increase, months for a term, hours for a response target)",
    )
    out_of_range = np.array([bool(p.out_of_range) for p in priced], dtype=bool)
    for want in dict.fromkeys(p.allowed for p in priced if p.out_of_range):
        mask = out_of_range & np.array([p.allowed == want for p in priced], dtype=bool)
        problems.add_mask(mask, column, raw_prices, [p.out_of_range for p in priced], want)
    problems.add_mask(not_money, column, raw_prices, "is not a price", "a price such as 125 or $125.00")
    problems.add_mask(blank_mask(raw_prices), column, None, "is empty", "a price")


def _twice_problems(
    problems: Problems, column: str, items: list[str], paths: list, priced: list[_Priced], numbers: np.ndarray
) -> None:
    """Several lines for one path: monthly prices and one-off fees add up; anything else is given twice."""
    seen: dict[str, int] = {}
    dup = np.zeros(len(paths), dtype=bool)
    dup_text = [""] * len(paths)
    for k, path in enumerate(paths):
        if path is None or priced[k].value is None:
            continue
        if path in seen and path not in _ADDITIVE:
            dup[k] = True
            dup_text[k] = f"sets {path} again (first on row {numbers[seen[path]]})"
        seen.setdefault(path, k)
    problems.add_mask(dup, column, items, dup_text, "each of term, minimum, increase and targets once")


def _quote(lines: pd.DataFrame, report: LoadReport) -> MSPQuote:
    """The quote the checked lines give: values per path (additive ones summed) and the rows they came from."""
    result: dict[str, float | int] = {}
    rows: dict[str, list[int]] = {}
    for rec in lines.itertuples(index=False):
        if not isinstance(rec.path, str) or rec.value is None:  # a total line, or one naming no field
            continue
        v = rec.value
        if rec.path == "msp.term_months":
            v = int(v) if float(v).is_integer() else float(v)
        else:
            v = float(v)
        result[rec.path] = result.get(rec.path, 0.0) + v if rec.path in _ADDITIVE else v
        rows.setdefault(rec.path, []).append(int(rec.row))
    if not result:
        raise DataError(f"{report.source}: no price lines found", source=report.source)
    return MSPQuote(result, report.source, rows, lines, report)


def apply_quote(scenario: Scenario, quote: Mapping[str, object], reset_prices: bool = True) -> Scenario:
    """A new scenario with the quote's MSP prices.

    With ``reset_prices`` (default) the prices a quote does not list
    (:data:`PRICE_PATHS`: per user, per workstation, per server, flat,
    minimum, onboarding) become 0: a quote without a per-server line has no
    per-server charge. Terms the quote does not mention (SLA, escalator,
    proactive effects) keep the scenario's values.

    Raises
    ------
    ValidationError
        When the scenario refuses a value; the message names the quote's file and row.
    """
    changes = dict(quote)
    # the quote's prices are for the quote's term (or, if it names none, the scenario's)
    changes.setdefault("msp.quoted_term_months", changes.get("msp.term_months", scenario.msp.term_months))
    if reset_prices:
        for path in PRICE_PATHS:
            changes.setdefault(path, 0.0)
    for path in changes:
        if not str(path).startswith("msp."):
            raise ValidationError(str(path), changes[path], "an msp.* field (a quote sets MSP prices only)")
    try:
        return scenario.replace(changes)
    except ValidationError as e:
        where = quote.where(e.path) if isinstance(quote, MSPQuote) else "the quote"
        raise ValidationError(e.path, e.value, f"{e.expected} (from {where})") from None
