"""How numbers read: money, values with units, labels.

One place for the suite's formatting, used by the library's sentences, the
notebooks, the dashboard and the report.
"""

from __future__ import annotations


def _num(x: float) -> str:
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.4g}"


def _with_unit(x: float, unit: str, symbol: str) -> str:
    """``$180.48 per user per month`` for a currency unit, ``5 users`` otherwise."""
    if unit.startswith("currency"):
        rest = unit[len("currency") :].strip()
        return f"{'-' if x < 0 else ''}{symbol}{_num(abs(x))}" + (f" {rest}" if rest else "")
    return f"{_num(x)} {unit}".strip()


def _money(x: float, symbol: str) -> str:
    return f"{'-' if x < 0 else ''}{_amount(x, symbol)}"


def _signed_money(x: float, symbol: str) -> str:
    return f"{'-' if x < 0 else '+'}{_amount(x, symbol)}"


def _amount(x: float, symbol: str) -> str:
    a = abs(x)
    return f"{symbol}{a:.3g}" if a >= 1e12 else f"{symbol}{a:,.0f}"


def money(x: float, symbol: str = "$", digits: int = 0) -> str:
    """Format an amount: ``$1,234``, ``-$56``, ``$1.2M`` for millions.

    Examples
    --------
    >>> money(1234.5), money(-56), money(2_345_678), money(0.5, digits=2)
    ('$1,234', '-$56', '$2.35M', '$0.50')
    """
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}{symbol}{x / 1e6:,.2f}M"
    return f"{sign}{symbol}{x:,.{digits}f}"
