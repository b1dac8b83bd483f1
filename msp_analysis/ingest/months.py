"""Month names: dates written with a month's name in English, Spanish, Portuguese, French or German.

Jira writes ``18/jul/26 9:10 AM`` and, in Spanish, ``18/ene/26 9:10 a. m.``;
GLPI in Portuguese ``5 de março de 2024``; a French export ``5 févr. 2024``,
a German one ``5. März 2024``. :func:`english_months` rewrites such dates
with English month abbreviations (and ``AM``/``PM``), which the date formats
of :mod:`.dates` then read; it touches nothing else.

Examples
--------
>>> english_months(["18/ene/26 9:10 a. m.", "5 de março de 2024", "5. März 2024", "25/Feb/26 10:17 PM"])
['18/Jan/26 9:10 AM', '5 Mar 2024', '5 Mar 2024', '25/Feb/26 10:17 PM']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["english_months", "has_month_names"]

_MONTHS: dict[str, tuple[str, ...]] = {
    "Jan": ("enero", "ene", "janeiro", "janvier", "janv", "januar", "jaenner", "janner", "jänner"),
    "Feb": ("febrero", "fevereiro", "fev", "fevrier", "fevr", "februar", "feb"),
    "Mar": ("marzo", "marco", "mars", "marz", "maerz", "mrz", "mar"),
    "Apr": ("abril", "abr", "avril", "avr"),
    "May": ("mayo", "maio", "mai", "may"),
    "Jun": ("junio", "junho", "juin", "juni"),
    "Jul": ("julio", "julho", "juillet", "juil", "juli"),
    "Aug": ("agosto", "ago", "aout", "august"),
    "Sep": ("septiembre", "setiembre", "setembro", "set", "septembre", "sept", "sep"),
    "Oct": ("octubre", "outubro", "out", "octobre", "oktober", "okt", "oct"),
    "Nov": ("noviembre", "novembro", "novembre", "nov"),
    "Dec": ("diciembre", "dic", "dezembro", "dez", "decembre", "dezember", "dec"),
}
_LOOKUP = {word: en for en, words in _MONTHS.items() for word in words}
_WORD = re.compile(r"[^\W\d_]+\.?")
# "5 de marzo de 2024", "le 5 mars": the filler words around a month name go ("am" stays: it may be AM)
_FILLER = re.compile(r"\b(?:de|del|do|da|le|den)\b\s*", re.IGNORECASE)
_MERIDIEM = re.compile(r"\b([ap])\.?\s?m\.?(?=\s|$)", re.IGNORECASE)


def _plain(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.lower().rstrip("."))
    return "".join(c for c in text if not unicodedata.combining(c))


def _rewrite(text: str) -> str:
    found = False

    def month(m: re.Match[str]) -> str:
        nonlocal found
        en = _LOOKUP.get(_plain(m.group(0)))
        if en is None:
            return m.group(0)
        found = True
        return en

    out = _WORD.sub(month, text)
    if not found:
        # no month name, but perhaps a Spanish "9:10 a. m.": only the meridiem changes
        return " ".join(_MERIDIEM.sub(lambda m: m.group(1).upper() + "M", text).split()) if "." in text else text
    out = _FILLER.sub("", out)
    out = re.sub(r"(\d)\.\s+(?=[A-Z][a-z]{2}\b)", r"\1 ", out)  # German "5. Mar 2024"
    out = _MERIDIEM.sub(lambda m: m.group(1).upper() + "M", out)
    return " ".join(out.split())


def has_month_names(values: Sequence[str]) -> bool:
    """Whether any of these texts has a letter in it (a month name, or AM/PM): worth :func:`english_months`."""
    return any(re.search(r"[^\W\d_]", v) for v in values)


def english_months(values: Sequence[str]) -> list[str]:
    """Each text with month names (en/es/pt/fr/de, abbreviated or not) as English abbreviations; others untouched."""
    cache: dict[str, str] = {}
    out = []
    for v in values:
        if v not in cache:
            cache[v] = _rewrite(v)
        out.append(cache[v])
    return out
