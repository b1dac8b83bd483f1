"""Money: amounts as invoices and quotes write them, whatever the currency and decimal mark.

``$1,234.50``, ``1.234,50 €``, ``(120.00)`` for a credit, ``USD 99``,
``1,23,456.00`` (lakh): see :func:`parse_money`, which decides the decimal
mark once per column.

Examples
--------
>>> amounts, bad, decimal = parse_money(["1.234,50 €", "99,00"])
>>> amounts.tolist(), decimal
([1234.5, 99.0], ',')
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .cells import Cell, cell_is_blank

__all__ = ["parse_money"]

# Currency signs before or after an amount: symbols, ISO codes, and the local abbreviations invoices use
# (kr, zł, Kč, Ft, Fr., lei, RM, Rp, R$ ...).
_CURRENCY_SIGN = r"(?:[A-Z]{1,2}\$|CHF|Fr\.?|[Kk]r\.?|zł|Kč|Ft|lei|RM|Rp|[A-Z]{3}|[$€£¥₹₩₽₺₪₫฿₱₦₴₸₲₵₡₭₮₾₼¢])"

_CURRENCY_AFFIX = re.compile(rf"^{_CURRENCY_SIGN}\s*|\s*{_CURRENCY_SIGN}$")

_GROUPED_DOT_DECIMAL = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")

_INDIAN_GROUPED = re.compile(r"\d{1,2}(?:,\d{2})*,\d{3}(?:\.\d+)?")  # 1,23,456.00 (lakh and crore)

_GROUPED_COMMA_DECIMAL = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _money_from_text(text: str, decimal: str) -> float | None:
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "").replace("\u2212", "-")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    for _ in range(2):  # "-$5", "$-5", "$5-", "5 EUR"
        if t.startswith("-"):
            neg, t = not neg, t[1:].strip()
        if t.endswith("-"):
            neg, t = not neg, t[:-1].strip()
        t = _CURRENCY_AFFIX.sub("", t, count=1).strip()
    t = t.replace(" ", "").replace("'", "")
    if not t or (not t[0].isdigit() and not t.startswith((".", ","))):
        return None
    if re.fullmatch(r"\d+", t):
        value = float(t)
    elif (_GROUPED_DOT_DECIMAL.fullmatch(t) or _INDIAN_GROUPED.fullmatch(t)) and (decimal == "." or "." in t):
        value = float(t.replace(",", ""))
    elif _GROUPED_COMMA_DECIMAL.fullmatch(t) and (decimal == "," or "," in t):
        value = float(t.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d*\.\d+", t) and decimal == ".":
        value = float(t)
    elif re.fullmatch(r"\d*,\d+", t) and decimal == ",":
        value = float(t.replace(",", "."))
    elif re.fullmatch(r"\d*\.\d{1,2}", t) or re.fullmatch(r"\d*,\d{1,2}", t):
        value = float(t.replace(",", "."))  # two decimals are decimals whatever the column's habit
    else:
        return None
    return -value if neg else value


def parse_money(values: Sequence[Cell]) -> tuple[np.ndarray, np.ndarray, str]:
    """Amounts from numbers or text like ``$1,234.50``, ``1.234,50 €``, ``(120.00)``, ``USD 99``.

    The decimal mark is decided per column: a comma if more values end in
    ``,dd`` than in ``.dd``, else a point -- unless the points only ever group
    thousands (``1.234``, ``12.000``: no value with one, two or four and more
    digits after a point, and no comma), as whole euros are often written:
    then the points group thousands. Returns ``(amounts, bad, decimal)``.

    Examples
    --------
    >>> amounts, bad, dec = parse_money(["$1,234.50", "(120.00)", "99", "EUR 5", "ten"])
    >>> amounts[:4].tolist(), bad.tolist()
    ([1234.5, -120.0, 99.0, 5.0], [False, False, False, False, True])
    """
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    texts: dict[int, str] = {}
    for i, v in enumerate(values):
        if cell_is_blank(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            bad[i] = True
        elif isinstance(v, (int, float, np.number)):
            out[i] = float(v)
        else:
            texts[i] = str(v)
    decimal = "."
    if texts:
        s = pd.Series(list(texts.values()), dtype=object)
        comma = int(s.str.contains(r",\d{2}\s*\D*$", regex=True).sum())
        dot = int(s.str.contains(r"\.\d{2}\s*\D*$", regex=True).sum())
        decimal = "," if comma > dot else "."
        if comma == dot == 0 and not s.str.contains(",", regex=False).any():
            grouping = s.str.fullmatch(r"\D*\d{1,3}(?:\.\d{3})+\D*")
            decimal_point = s.str.contains(r"\.(?:\d{1,2}|\d{4,})\D*$", regex=True)
            if grouping.any() and not decimal_point.any():
                decimal = ","
        fast = pd.to_numeric(s, errors="coerce").to_numpy()
        cache: dict[str, float | None] = {}
        for (i, t), f in zip(texts.items(), fast):
            if not math.isnan(f) and decimal == ".":
                out[i] = f
                continue
            if t not in cache:
                cache[t] = _money_from_text(t, decimal)
            got = cache[t]
            if got is None:
                bad[i] = True
            else:
                out[i] = got
    bad |= np.isinf(out)
    out[np.isinf(out)] = np.nan
    return out, bad, decimal
