"""A quote written as a plain price list: words in five languages, prices with their unit, totals.

An MSP's quote is often no table of "item / unit / price" but a list typed by
hand: "Managed services per user / month | $125", "Server management | $95
per server", "Onboarding (one-off) | 2,500", "Minimum monthly | 1,000", in
the client's language. :mod:`.quotes` reads such a list with the help of
three small functions here:

- :func:`english` puts the Spanish, Portuguese, French and German words a
  price line uses (per user, per month, one-off, minimum, server, term,
  increase, discount, surcharge, co-managed, after hours ...) into the English ones :func:`.quotes.classify_line` knows, on a
  name already reduced by :func:`.normalise_name` (lower case, no accents);
- :func:`split_price` separates the amount of a price cell from the words
  after it ("$95 per server" -> "$95", "per server"), so those words say
  what the price is per;
- :func:`is_total` recognises the total and subtotal lines of a list, which
  are sums of the lines above, not prices.

Examples
--------
>>> english("servicios gestionados por usuario mes")
'servicios gestionados per user month'
>>> split_price("$95 per server")
('$95', 'per server')
>>> is_total("Total mensual"), is_total("Managed services")
(True, False)
"""

from __future__ import annotations

import re

from .columns import normalise_name

__all__ = ["english", "is_total", "split_price"]

#: Phrases first (several words, or a word that means something else alone), then single words.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bestaci(?:on|ones|ao|oes) de trabajo\b|\bposte de travail\b|\bpostes de travail\b", "workstation"),
    (r"\bpuesta en marcha\b|\bmise en (?:place|service)\b|\bconfigura(?:cion|cao) inicial\b", "setup"),
    (r"\bcuota de alta\b|\bfrais d installation\b|\btaxa de (?:adesao|instalacao)\b", "setup"),
    (r"\bpago unico\b|\bunica vez\b|\buna vez\b|\bune fois\b|\bfrais uniques?\b|\btaxa unica\b", "one off"),
    (r"\bfuera de(?:l)? alcance\b|\bfora do escopo\b|\bhors (?:perimetre|forfait|contrat)\b", "out of scope"),
    (r"\bausserhalb des vertrags\b|\bzusatzliche arbeiten\b", "out of scope"),
    (r"\btarifa plana\b|\bcuota fija\b|\bprecio fijo\b|\bmontant forfaitaire\b", "flat"),
    (r"\btarifa horaria\b|\btaux horaire\b|\bvalor hora\b|\bstundensatz\b", "hourly"),
    (r"\bmindest\w*", "minimum"),
    (r"\baugmentation (?:annuelle|tarifaire|des prix|des tarifs)\b", "increase annual"),
    # the terms of issue 12: month-to-month and co-managed contracts, after-hours work
    (r"\bmes a mes\b|\bde mois en mois\b|\bmonatlich kundbar\b|\bsans engagement\b", "month to month"),
    (r"\bco ?gestionad[oa]s?\b|\bco ?gerid[oa]s?\b|\bco ?geree?s?\b|\bco ?verwaltet\w*\b", "co managed"),
    (r"\bfuera de(?:l)? horario(?: laboral| de oficina)?\b|\bfora do horario(?: comercial)?\b", "after hours"),
    (r"\b(?:en )?(?:dehors des|hors) heures (?:ouvrees|ouvrables|de bureau)\b|\bheures non ouvrees\b", "after hours"),
    (r"\bausserhalb der (?:geschafts|arbeits|buro)zeit(?:en)?\b", "after hours"),
)

_WORDS: dict[str, str] = {}
for _english, _foreign in (
    ("user", "usuario usuarios utilizador utilizadores utilisateur utilisateurs benutzer nutzer anwender"),
    ("seat", "puesto puestos licencia licencias"),
    ("employee", "empleado empleados colaborador colaboradores salarie salaries mitarbeiter mitarbeitende"),
    ("month", "mes meses mois monat monate mo mos mth mths"),
    (
        "monthly",
        "mensual mensuales mensalidade mensalidades mensal mensais mensuel mensuelle mensuels monatlich monatliche",
    ),
    ("year", "ano anos ans annee annees jahr jahre yr yrs"),
    ("annual", "anual anuales annuel annuelle jahrlich jahrliche"),
    ("quarter", "trimestre trimestres quartal"),
    ("quarterly", "trimestral trimestriel trimestrielle vierteljahrlich quartalsweise"),
    ("week", "semana semanas semaine semaines woche wochen"),
    ("hour", "hora horas heure heures stunde stunden"),
    ("minutes", "minutos minuten"),
    ("server", "servidor servidores serveur serveurs"),
    (
        "device",
        "equipo equipos ordenador ordenadores dispositivo dispositivos computador computadores equipamento "
        "equipamentos ordinateur ordinateurs appareil appareils poste postes gerat gerate geraet geraete rechner "
        "endgerat endgerate arbeitsplatz arbeitsplatze",
    ),
    ("site", "sede sedes oficina oficinas standort standorte"),
    ("one off", "unico unica ponctuel ponctuelle einmalig einmalige"),
    (
        "setup",
        "implantacion implantacao implementacion implementacao instalacion instalacao einrichtung "
        "einrichtungsgebuhr inbetriebnahme",
    ),
    ("minimum", "minimo minima"),
    ("term", "plazo prazo duracion duracao duree laufzeit vertragslaufzeit permanencia"),
    # not "augmentation" alone: "staff augmentation" is an English service, not a price increase
    ("increase", "incremento aumento subida reajuste ipc revalorisation erhohung preiserhohung"),
    ("flat", "fijo fija fixo fixa fixe forfait forfaitaire pauschal pauschale festpreis grundgebuhr"),
    ("discount", "descuento desconto remise rabais rabatt nachlass"),
    ("surcharge", "recargo sobretaxa acrescimo majoration supplement zuschlag aufschlag"),
    ("premium", "prima"),
    ("multiplier", "multiplicador multiplicateur multiplikator faktor"),
    ("response", "respuesta resposta reponse reaktionszeit antwortzeit"),
    ("priority", "prioridad prioridade priorite prioritat"),
):
    _WORDS.update(dict.fromkeys(_foreign.split(), _english))

#: The words for "per": "por", "par" and "je" always ("Copia de seguridad por TB" is priced per TB, which the
#: scenario has no price for, and must be refused as "per TB" is); "pro", "a", "al", "ao" and "au", which are
#: English words too or too common, only before what a price can be per or a storage or mailbox unit ("Pro
#: plan" is no rate, "pro Benutzer" is per user, "pro TB" per TB).
_PER = re.compile(
    r"\b(?:por cada|para cada|pour chaque|por|par|je)\s+|\b(?:pro|al|a|ao|au)\s+"
    r"(?=(?:user|seat|employee|device|workstation|server|site|month|year|quarter|week|hour|tb|gb|mb|postfach|"
    r"mailbox|lizenz|nutzerkonto)\b)"
)


def english(text: str) -> str:
    """A normalised price-line text with its Spanish, Portuguese, French and German words put into English.

    Only the words a quote prices by are translated (units, periods, one-off,
    minimum, term, increase, flat, hourly); other words are left as they are.

    Examples
    --------
    >>> english("pro benutzer und monat"), english("frais d installation"), english("pro plan per user")
    ('per user und month', 'setup', 'pro plan per user')
    """
    for pattern, word in _PHRASES:
        text = re.sub(pattern, word, text)
    text = " ".join(_WORDS.get(w, w) for w in text.split())
    return _PER.sub("per ", text)


_CURRENCY = r"(?:R\$|[$€£¥]|(?:USD|EUR|GBP|CAD|AUD|CHF|BRL)\b)"
_PRICE_CELL = re.compile(
    rf"^\s*(?P<amount>\(?\s*{_CURRENCY}?\s*-?\s*\d[\d.,'\u00a0\u202f ]*\)?(?:\s*{_CURRENCY})?)\s*(?P<rest>.*?)\s*$",
    re.IGNORECASE,
)


def split_price(value: object) -> tuple[object, str]:
    """A price cell as ``(amount, words after it)``; a cell with no words after its amount comes back as it is.

    Examples
    --------
    >>> split_price("1.000,00 € / mes"), split_price("2,500 one-off"), split_price(125.0)
    (('1.000,00 €', '/ mes'), ('2,500', 'one-off'), (125.0, ''))
    >>> split_price("call us"), split_price("1e9")
    (('call us', ''), ('1e9', ''))
    """
    if not isinstance(value, str):
        return value, ""
    m = _PRICE_CELL.match(value)
    if m is None or not re.search(r"[^\W\d_]", m.group("rest")):
        return value, ""
    if not re.search(r"[\s/$€£¥]$", value[: m.start("rest")]) and not m.group("rest").startswith("/"):
        return value, ""  # "1e9", "95EUR": one token, for the amount's own reading to accept or refuse
    return m.group("amount").strip(), m.group("rest")


_TOTAL_WORDS = frozenset("total totals subtotal sub sum summe zwischensumme soma grand".split())
#: What else a total line may say ("Total per month incl. VAT", "Gesamtbetrag netto"): periods, taxes, fillers.
_TOTAL_FILLERS = frozenset(
    "per month monthly year annual quarter quarterly week one off recurring general amount price cost costs fee fees "
    "due incl including excl excluding tax taxes vat iva tva mwst ust net gross brutto netto ht ttc importe montant "
    "valor betrag a de del do da du the of and y e et und".split()
)


def is_total(item: str) -> bool:
    """Whether a price line's item is a total or subtotal of the lines above (in any of the five languages).

    Only an item made of a total word and words a total line also uses
    (periods, taxes) counts: "Total Care plan" is a product, not a sum.

    Examples
    --------
    >>> [is_total(x) for x in ("Subtotal", "Gesamtbetrag", "TOTAL (per month)", "Total mensual", "Total Care plan")]
    [True, True, True, True, False]
    """
    words = english(normalise_name(item)).split()
    total = [w for w in words if w in _TOTAL_WORDS or w.startswith("gesamt")]
    return bool(total) and all(w in _TOTAL_WORDS or w in _TOTAL_FILLERS or w.startswith("gesamt") for w in words)
