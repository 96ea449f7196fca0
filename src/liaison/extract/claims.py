"""Claims: the figures a report asserts ("more than 500 cyber attacks in 2021"), and where reports disagree.

A claim is a number with its qualifier ("more than", "une trentaine de" -> "about"), the counted thing
(``unit``, normalised to a short English-ish phrase or a currency code), the period written in the same
clause, and the actor: the nearest organisation (else country or person) named before it in the sentence.
Numbers that are not figures are skipped: years, dates, times, ages, durations, ordinals, phone numbers,
model numbers, numbers inside names, page or article numbers, and numbers with no counted noun after them.
Pure Python over the report's text, sentences and entities: no spaCy types.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from liaison.domain import Claim, Entity, EntityType, Evidence, Sentence
from liaison.extract.deadline import check_deadline

_QUALIFIERS = {
    "more than": "more than|over|upwards of|in excess of|above|exceeding|exceeded|exceeds|just over|well over"
    "|plus de|plus d'|au-delà de|au-delà d'|dépass\\w*|supérieur à|supérieure à",
    "less than": "less than|fewer than|under|below|just under|moins de|moins d'",
    "about": "about|around|some|approximately|roughly|nearly|almost|close to|an estimated|estimated|circa"
    "|environ|près de|près d'|presque|quelque|approximativement|autour de|à peu près",
    "at least": "at least|no fewer than|no less than|a minimum of|au moins|au minimum|pas moins de"
    "|pas moins d'",
    "at most": "at most|no more than|a maximum of|au plus|au maximum|tout au plus|pas plus de|pas plus d'",
    "up to": "up to|as many as|jusqu'à|jusqu'au",
    "exactly": "exactly|precisely|exactement|précisément",
}


def _alternatives(forms: str) -> str:
    """One regex alternation, longest form first, with either apostrophe."""
    return "|".join(sorted((f.replace("'", "['’]") for f in forms.split("|")), key=len, reverse=True))


_QUALIFIER = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(f"(?P<q{i}>{_alternatives(forms)})" for i, forms in enumerate(_QUALIFIERS.values()))
    + r")\s*$",
    re.IGNORECASE,
)
_QUALIFIER_NAMES = list(_QUALIFIERS)

_EN_SMALL = {
    **dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
               "sixteen seventeen eighteen nineteen".split(), range(1, 20), strict=True)),
    **dict(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10),
               strict=True)),
    "hundred": 100, "thousand": 1000,
}  # fmt: skip
_FR_SMALL = {
    **dict(zip("un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize"
               .split(), [1, 1, *range(2, 17)], strict=True)),
    **dict(zip("vingt trente quarante cinquante soixante".split(), range(20, 70, 10), strict=True)),
    "quatre-vingt": 80, "quatre-vingts": 80, "quatrevingt": 80, "et": 0, "cent": 100, "cents": 100,
    "mille": 1000,
}  # fmt: skip
_SMALL = {**_EN_SMALL, **_FR_SMALL}
_APPROXIMATE = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
    "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000, "dozen": 12,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "mille": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
           "milliard": 1e9, "milliards": 1e9, "trillion": 1e12, "m": 1e6, "mn": 1e6, "bn": 1e9,
           "k": 1e3}  # fmt: skip


def _number_regex(words: set[str], article: str, approximate: set[str], one: str) -> re.Pattern[str]:
    """Digits, or number words of one language ("thirty-four", "une trentaine", "a million")."""
    # "one", "un" and "une" start too many non-figures ("one of the", articles) to begin a number alone;
    # "hundred", "cent", "thousand" and "mille" only continue one ("two hundred", "trois mille").
    first = words - set("one un une et quatrevingt hundred thousand cent cents mille".split())
    rest = words - {"et", "quatrevingt"}

    def longest_first(forms: set[str]) -> str:
        return "|".join(sorted(forms, key=len, reverse=True))

    return re.compile(
        r"(?P<digits>(?<![\d.,])(?:\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)(?:,\d+)?"
        r"|\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:[.,]\d+)?))"
        rf"|(?P<approx>\b(?:{article})\s+(?:{longest_first(approximate)})s?\b)"
        rf"|(?P<one>\b(?:{one})(?=\s+(?:million|milliard|billion)s?\b))"
        rf"|(?P<words>\b(?:{longest_first(first)})(?:(?:-|\s+)(?:{longest_first(rest)})"
        r"|\s+et\s+(?:un|une|onze))*\b)",
        re.IGNORECASE,
    )


_FR_APPROXIMATE = set(_APPROXIMATE) - {"dozen"}
_NUMBERS = {
    "en": _number_regex(set(_EN_SMALL), "a", {"dozen"}, "one|a"),
    "fr": _number_regex(set(_FR_SMALL), "une?", _FR_APPROXIMATE, "un"),
    "": _number_regex(set(_SMALL), "a|une?", set(_APPROXIMATE), "one|a|un"),
}
_SCALE = re.compile(
    r"(?:\s*(?P<word>thousand|mille|millions?|billions?|milliards?|trillion)\b|(?P<short>m|mn|bn|k)\b)", re.I
)
_CURRENCY_BEFORE = re.compile(r"(?P<code>US\$|A\$|AU\$|C\$|CA\$|\$|€|£|¥|USD|EUR|GBP|CHF|MAD)\s?$")
_CURRENCY_CODES = {"$": "USD", "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
                   "€": "EUR", "£": "GBP", "¥": "JPY"}  # fmt: skip
_CURRENCY_AFTER = re.compile(
    r"\s*(?:(?:of|de|d['’])\s*)?(?P<name>(?:US\s+)?dollars?(?:\s+(?:américains|US|australiens|canadiens))?"
    r"|euros?|livres(?:\s+sterling)?|pounds?(?:\s+sterling)?(?!\s+of)|dirhams?|roubles?|rubles?"
    r"|USD|EUR|GBP|CHF|MAD)\b",
    re.IGNORECASE,
)
_CURRENCY_NAMES = {"dollar": "USD", "euro": "EUR", "livre": "GBP", "pound": "GBP", "dirham": "MAD",
                   "rouble": "RUB", "ruble": "RUB"}  # fmt: skip
_PERCENT = re.compile(r"\s*(?:%|per\s*cent\b|percent\b|pour\s*cent\b)", re.IGNORECASE)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr"
    "|jun|jul|aug|sep|sept|oct|nov|dec|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre"
    "|novembre|décembre"
)
_DATE_AFTER = re.compile(rf"\s+(?:{_MONTHS})\b", re.IGNORECASE)
_DATE_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s+$", re.IGNORECASE)
_TIME_AFTER = re.compile(r"\s*(?:h\b|h\d|heures?\b|am\b|pm\b|a\.m\.|p\.m\.|GMT\b|UTC\b|CET\b|:\d)", re.I)
_REFERENCE_BEFORE = re.compile(
    r"\b(?:page|pages|p\.|pp\.|section|article|art\.|chapter|chapitre|paragraph|paragraphe|no\.|n°|nº|number"
    r"|numéro|resolution|résolution|line|ligne|table|tableau|figure|annex|annexe|volume|vol\.|room|salle"
    r"|flight|route|rue|street|avenue|level|niveau|version|tome|title|titre|law|loi|code|gate|édition"
    r"|edition|season|saison|aged|age of|âgée?s? de|l['’]âge de|ages)\s*$",
    re.IGNORECASE,
)
_DEFINITE_BEFORE = re.compile(
    r"\b(?:the|these|those|its|their|his|her|our|both|all|les|ces|des|leurs|ses|nos|vos|aux)\s+$", re.I
)
_TIME_UNITS = set(
    "year years month months week weeks day days hour hours minute minutes second seconds decade decades "
    "century centuries night nights times term terms mandat mandats an ans année années mois semaine "
    "semaines jour jours heure heures décennie décennies siècle siècles nuit nuits fois".split()
)
_STOP = set(
    "in on at of for from to with by across among amongst over under into onto since during including per "
    "against between within through via after before around worldwide alone and or but that which who whose "
    "as than were was are is be been being had have has will would could should may might can did do does "
    "the a an its their his her this these those it they he she we there here each every "
    "en dans à au aux de du des d' par pour sur avec contre depuis selon chez entre parmi vers sous lors "
    "dont qui que qu' et ou mais ont a été sont étaient avaient avait était sera seront ayant y se s' ne n' "
    "le la les l' un une ses leurs leur son sa ce ces issus issues ainsi également notamment".split()
)
# Multi-word units with their normalised form, tried before the generic noun phrase.
_PHRASES = [
    (r"cyber[-\s]?attacks?|cyber[-\s]?attaques?", "cyber attacks"),
    (r"decryption keys|clés de déchiffrement|clefs de déchiffrement", "decryption keys"),
    (r"(?:international )?arrest warrants|mandats d['’]arrêt(?: internationaux| européens)?",
     "arrest warrants"),
    (r"actes d['’]accusation", "indictments"),
    (r"cryptocurrency accounts|comptes (?:de|en) cryptomonnaies?", "cryptocurrency accounts"),
    (r"(?:organi[sz]ed )?(?:criminal|crime) (?:groups|syndicates|organi[sz]ations|gangs)"
     r"|organisations criminelles|groupes criminels|bandes criminelles", "criminal groups"),
    (r"armes à feu", "firearms"),
    (r"police officers|officiers de police|agents de police", "police officers"),
    (r"laboratoires de drogues? de synthèse|laboratoires clandestins", "drug laboratories"),
]  # fmt: skip
_PHRASE = [(re.compile(rf"(?:{p})\b", re.IGNORECASE), unit) for p, unit in _PHRASES]
_MEASURE = re.compile(
    r"(?P<measure>tonnes?|tons?|kilos?|kilograms?|kilogrammes?|kg|grammes?|grams?|litres?|liters?)"
    r"\s+(?:of|de|d['’])\s*(?P<what>[^\W\d_]+)",
    re.IGNORECASE,
)
_MEASURES = {"t": "tonnes", "k": "kg", "g": "grams", "l": "litres"}
_MATERIALS = {"cocaïne": "cocaine", "héroïne": "heroin", "résine": "cannabis resin", "drogue": "drugs",
              "drogues": "drugs", "or": "gold", "méthamphétamine": "methamphetamine"}  # fmt: skip


def _table(spec: str) -> dict[str, str]:
    """ "unit: form form; unit: form" -> {form: unit}."""
    return {form: unit.strip() for entry in spec.split(";") for unit, forms in [entry.split(":")]
            for form in forms.split()}  # fmt: skip


# Head nouns (English last word, French first word) and their normalised unit; modifiers are dropped.
_HEADS = _table(
    "people: people persons personnes individuals individus men women hommes femmes; suspects: suspects;"
    "nationals: nationals ressortissants citizens citoyens; victims: victims victimes; firearms: firearms;"
    "servers: servers serveurs; countries: countries pays nations; attacks: attacks attaques;"
    "arrests: arrests arrestations interpellations; devices: devices appareils; phones: phones téléphones;"
    "users: users utilisateurs; accounts: accounts comptes; indictments: indictments inculpations;"
    "weapons: weapons armes; keys: keys clés; vehicles: vehicles véhicules; warrants: warrants;"
    "troops: troops soldiers soldats militaires personnel; police officers: policiers gendarmes;"
    "searches: searches perquisitions raids; messages: messages; emails: emails courriels;"
    "laboratories: laboratories laboratoires labs; computers: computers ordinateurs; deaths: deaths morts;"
    "companies: companies entreprises sociétés; hostages: hostages otages; websites: websites sites"
)
_PERSON_UNITS = {"people", "suspects", "nationals"}
_OUTCOMES = [
    (re.compile(r"\b(?:arrested|detained|apprehended|taken into custody|interpellée?s?|arrêtée?s?"
                r"|appréhendée?s?|placée?s? en garde à vue)\b", re.I), "arrests"),
    (re.compile(r"\b(?:killed|tuée?s?)\b", re.I), "deaths"),
    (re.compile(r"\b(?:injured|wounded|blessée?s?)\b", re.I), "injured"),
]  # fmt: skip
_CLAUSE_END = re.compile(r"[;:!?]|,(?!\d)|\.(?!\d)|\s[—–]\s|\n")
_YEAR = r"(?:19|20)\d\d"
_PERIOD = re.compile(
    rf"\b(?:(?P<between>(?:between|entre) (?P<y1>{_YEAR}) (?:and|et) (?P<y2>{_YEAR}))"
    rf"|(?P<since>(?:since|depuis) (?P<ys>{_YEAR}))"
    rf"|(?:(?:in|en|during|durant|au cours de|for|pour) )?(?:(?P<month>{_MONTHS}) )?(?P<year>{_YEAR})"
    r"|(?P<last>last year|l['’]an dernier|l['’]an passé|l['’]année dernière|l['’]année passée)"
    r"|(?P<this>this year|cette année))\b",
    re.IGNORECASE,
)
_WINDOW = 400  # how far either side of a figure its sentence, actor and period are looked for
_SENTENCE_END = re.compile(r"\.\s|\n")
_LEAD = re.compile(r"\s*(?:in|en|during|durant|au cours de)\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w-]*['’]?")
_SUBJECT_TYPES = {EntityType.ORGANIZATION, EntityType.COUNTRY, EntityType.PERSON}


@dataclass(frozen=True)
class _Figure:
    start: int  # where the qualifier (or currency sign, or number) starts
    end: int
    value: float
    qualifier: str | None
    unit: str


class _Context:
    """The report's sentences and entity mentions, indexed by offset."""

    def __init__(self, text: str, entities: Sequence[Entity], sentences: Sequence[Sentence], language: str):
        self.text = text
        self.language = language
        self.sentences = sorted(sentences, key=lambda s: s.start)
        self.starts = [s.start for s in self.sentences]
        self.mentions = sorted(
            ((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda m: m[0]
        )
        self.mention_starts = [start for start, _, _ in self.mentions]

    def sentence_at(self, position: int) -> tuple[int, int, int, str]:
        """(index, start, end, language) of the sentence holding ``position``, at most _WINDOW either side."""
        i = bisect.bisect_right(self.starts, position) - 1
        if i >= 0 and position < self.sentences[i].end:
            s = self.sentences[i]
            index, start, end, language = s.index, s.start, s.end, s.language or self.language
        else:  # text no sentence covers (a table, a caption): up to the nearest line break or full stop
            low = max(0, position - _WINDOW)
            start = max(self.text.rfind("\n", low, position), self.text.rfind(". ", low, position) + 1) + 1
            found = _SENTENCE_END.search(self.text, position, position + _WINDOW)
            end = found.start() + 1 if found else min(len(self.text), position + _WINDOW)
            index, language = (self.sentences[i].index if i >= 0 else 0), self.language
        # Bounded, so that a huge unpunctuated "sentence" costs no more than a normal one.
        return index, max(start, position - _WINDOW), min(end, position + _WINDOW), language

    def between(self, start: int, end: int) -> list[tuple[int, int, Entity]]:
        """Mentions starting in [start, end), in text order."""
        starts = self.mention_starts
        return self.mentions[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]

    def inside_mention(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e, _ in self.between(start - _WINDOW, end))

    def subject(self, start: int, end: int, sentence_start: int, sentence_end: int) -> str:
        """The figure's actor: the nearest organisation before it in the sentence, else country or person."""
        # A country or person further back is often a place or a quoted official, not the actor: only
        # those in the figure's own clause count; failing all, the first organisation after it does.
        # A dateline ("PARIS, 21 février 2024 (Agence Méridienne) — ") names no actor of what follows.
        text = self.text
        dash = max(text.rfind(" — ", sentence_start, start), text.rfind(" – ", sentence_start, start))
        sentence_start = dash + 3 if dash >= 0 else sentence_start
        clause_start = max(
            [sentence_start, *(m.end() for m in _CLAUSE_END.finditer(text, sentence_start, start))]
        )
        before = self.between(sentence_start, start)
        organizations = [entity for _, _, entity in before if entity.type == EntityType.ORGANIZATION]
        if organizations:
            return organizations[-1].id
        others = [entity for s, _, entity in before if s >= clause_start and entity.type in _SUBJECT_TYPES]
        if others:
            return others[-1].id
        after = self.between(end, sentence_end)
        return next((entity.id for _, _, entity in after if entity.type == EntityType.ORGANIZATION), "")


def extract_claims(
    text: str, report_id: str, entities: Sequence[Entity], sentences: Sequence[Sentence], language: str
) -> tuple[Claim, ...]:
    """Every figure asserted in the report, in text order."""
    context = _Context(text, entities, sentences, language)
    claims: list[Claim] = []
    for match in _numbers(context):
        check_deadline()
        index, sentence_start, sentence_end, sentence_language = context.sentence_at(match.start())
        figure = _read_figure(text, match, sentence_language, sentence_start)
        if figure is None or context.inside_mention(match.start(), match.end()):
            continue
        clause = _CLAUSE_END.search(text, figure.end, sentence_end)
        clause_end = clause.start() if clause else sentence_end
        unit, end = _outcome(text, figure, clause_end)
        period, period_end = _period(text, end, clause_end, sentence_start, figure.start)
        if period_end is not None:
            end = period_end
        subject = context.subject(figure.start, end, sentence_start, sentence_end)
        evidence = Evidence(report_id, figure.start, end, text[figure.start : end], index)
        claims.append(Claim(subject, figure.value, figure.qualifier, unit, period, evidence))
    return tuple(claims)


def _numbers(context: _Context) -> Iterator[re.Match[str]]:
    """Numbers in text order, number words read in their sentence's language ("seize" is 16 in French)."""
    position = 0
    while found := _NUMBERS[""].search(context.text, position):
        language = context.sentence_at(found.start())[3]
        match = _NUMBERS.get(language, _NUMBERS[""]).match(context.text, found.start())
        if match:
            yield match
        position = match.end() if match else found.start() + 1


def _read_figure(text: str, match: re.Match[str], language: str, sentence_start: int) -> _Figure | None:
    """The figure around a number match, or None when the number is not a claim."""
    start, end = match.span()
    raw = match.group()
    currency = _CURRENCY_BEFORE.search(text, max(0, start - 4), start)
    scale = _SCALE.match(text, end)
    if scale and not (scale.group("word") or currency):
        scale = None  # "100m" is a distance; "$100m" is money
    qualifier, qualifier_start = _qualifier(text, currency.start() if currency else start)
    approximate = False
    if match.group("digits"):
        if _not_a_count(text, start, end + (scale.end() - end if scale else 0), raw, sentence_start):
            return None
        if not (currency or scale or qualifier) and re.fullmatch(_YEAR, raw):
            return None  # a bare year is a date, not a figure
        value = _parse_digits(raw, language)
    elif match.group("approx"):
        value = float(_APPROXIMATE[raw.split()[-1].lower().rstrip("s")])
        qualifier, approximate = qualifier or "about", True
    elif match.group("one"):
        value = 1.0
    else:
        if _name_like(text, start, end, sentence_start) or _DEFINITE_BEFORE.search(
            text, max(0, start - 8), start
        ):
            return None  # "the two countries" refers back; "Five Eyes" is a name
        value = _parse_words(raw)
    if scale:
        value *= _SCALES[(scale.group("word") or scale.group("short")).lower()]
        end = scale.end()
    unit: str | None = None
    if currency:
        start = currency.start()
        unit = _CURRENCY_CODES.get(currency.group("code"), currency.group("code"))
    elif after := _CURRENCY_AFTER.match(text, end):
        name = after.group("name").lower()
        name = name.split()[-1] if name.startswith("us ") else name.split()[0]
        unit = _CURRENCY_NAMES.get(name.rstrip("s"), name.upper())
        end = after.end()
    elif percent := _PERCENT.match(text, end):
        unit, end = "%", percent.end()
    else:
        if scale or approximate:
            of = re.match(r"\s+(?:of|de|d['’])\s*", text[end:], re.IGNORECASE)
            end += of.end() if of else 0
        read = _read_unit(text, end, language)
        if read is None:
            return None
        unit, end = read
    return _Figure(qualifier_start if qualifier else start, end, value, qualifier, unit)


def _qualifier(text: str, start: int) -> tuple[str | None, int]:
    """The normalised qualifier written right before ``start``, and where it starts."""
    found = _QUALIFIER.search(text, max(0, start - 30), start)
    if found is None:
        return None, start
    name = next(name for i, name in enumerate(_QUALIFIER_NAMES) if found.group(f"q{i}"))
    return name, found.start()


def _clause_initial(text: str, position: int, sentence_start: int) -> bool:
    before = text[sentence_start:position].rstrip()
    return not before or before[-1] in '.!?—–-:;«"“(\n'


def _not_a_count(text: str, start: int, end: int, raw: str, sentence_start: int) -> bool:
    """Digits that are part of a date, time, code, name, phone number or reference."""
    before, after = text[max(0, start - 1) : start], text[end : end + 2]
    if (before and (before.isalpha() or before in "-/+#@_.:")) or re.match(r"[-/:_]\w|[^\W\d_]", after):
        return True  # APT31, Covid-19, 9/11, 787-9, 1er, 92nd, 5G, t.co/x1
    if (raw.startswith("0") and not raw.startswith(("0.", "0,"))) or re.match(r"\s\d", after):
        return True  # 07.30, phone numbers
    if re.search(r"\d[\s.\-]$", text[max(0, start - 2) : start]):
        return True
    if _DATE_AFTER.match(text, end) or _DATE_BEFORE.search(text, max(0, start - 12), start):
        return True
    if _TIME_AFTER.match(text, end) or _REFERENCE_BEFORE.search(text, max(0, start - 20), start):
        return True
    return _name_like(text, start, end, sentence_start)


def _name_like(text: str, start: int, end: int, sentence_start: int) -> bool:
    """Inside a name: "Boeing 787", "Five Eyes" (a capitalised word before, or only capitalised after)."""
    previous = re.search(r"([^\W\d_][\w'’]*)\s$", text[max(sentence_start, start - 40) : start])
    if previous and previous.group(1)[0].isupper() and not previous.group(1).endswith(("'s", "’s")):
        word_start = start - len(previous.group(0))
        if not _clause_initial(text, word_start, sentence_start) and not _QUALIFIER.search(previous.group(0)):
            return True
    if text[start].isupper() and not _clause_initial(text, start, sentence_start):
        return True  # a capitalised number word inside a sentence: "the so-called Five Eyes"
    following = re.match(r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?", text[end:])
    return bool(
        following
        and following.group(1)[0].isupper()
        and not (following.group(2) and following.group(2)[0].islower() and following.group(2) not in _STOP)
    )


def _parse_digits(raw: str, language: str) -> float:
    digits = re.sub(r"[ \u00a0\u202f\u2009]", "", raw)
    if raw.count(",") > 1 or (language != "fr" and re.search(r",\d{3}(?!\d)", raw)):
        digits = digits.replace(",", "")
    return float(digits.replace(",", "."))


def _parse_words(raw: str) -> float:
    total = current = 0
    for word in re.split(r"[-\s]+", re.sub(r"quatre-vingts?", "quatrevingt", raw.lower())):
        if word in ("hundred", "cent", "cents"):
            current = max(current, 1) * 100
        elif word in ("thousand", "mille"):
            total, current = total + max(current, 1) * 1000, 0
        else:
            current += _SMALL.get(word, 0)
    return float(total + current)


def _read_unit(text: str, start: int, language: str) -> tuple[str, int] | None:
    """The counted noun phrase after a number, normalised, and where it ends; None if there is none."""
    space = re.match(r"[ \u00a0\u202f]+", text[start:])
    position = start + (space.end() if space else 0)
    for pattern, unit in _PHRASE:
        phrase = pattern.match(text, position)
        if phrase:
            return unit, phrase.end()
    measure = _MEASURE.match(text, position)
    if measure:
        what = measure.group("what").lower()
        name = _MEASURES.get(measure.group("measure")[0].lower(), "tonnes")
        return f"{name} of {_MATERIALS.get(what, what)}", measure.end()
    words: list[re.Match[str]] = []
    for word in _WORD.finditer(text, position):
        lowered = word.group().lower().rstrip("'’")
        gap = text[words[-1].end() if words else position : word.start()]
        if (words and gap != " ") or (not words and word.start() != position) or lowered in _STOP:
            break
        if words and (lowered.endswith(("ing", "ed")) or re.search(r"(?:é|ée|és|ées)$", lowered)):
            break
        words.append(word)
        # An English counted phrase ends at its plural head noun: "100 countries | took part".
        plural = lowered.endswith("s") and not lowered.endswith(("ss", "us", "is"))
        if len(words) == 3 or (language != "fr" and (plural or lowered in _HEADS)):
            break
    while words and words[-1].group()[0].isupper() and len(words) > 1:
        words.pop()  # a name after the counted noun
    if not words or all(w.group()[0].isupper() for w in words):
        return None
    if words[0].group().lower().endswith("ed") and len(words) == 1:
        return None  # "the five used": a verb, not a counted noun
    surface = " ".join(w.group().lower() for w in words)
    if {w.group().lower() for w in words} & _TIME_UNITS:
        return None  # durations and ages: "12 years", "cinq ans", "three times"
    return _normalise_unit(surface), words[-1].end()


def _normalise_unit(surface: str) -> str:
    words = surface.split()
    for head in (words[-1], words[0]):
        if head in _HEADS:
            return _HEADS[head]
    return surface


def _outcome(text: str, figure: _Figure, clause_end: int) -> tuple[str, int]:
    """ "800 suspects were arrested" counts arrests: the unit and the evidence end move to the verb."""
    if figure.unit not in _PERSON_UNITS:
        return figure.unit, figure.end
    window_end = min(clause_end, figure.end + 120)
    if next_number := re.compile(r"\d").search(text, figure.end, window_end):
        window_end = next_number.start()
    for pattern, unit in _OUTCOMES:
        verb = pattern.search(text, figure.end, window_end)
        if verb:
            return unit, verb.end()
    return figure.unit, figure.end


def _period(
    text: str, end: int, clause_end: int, sentence_start: int, figure_start: int
) -> tuple[str | None, int | None]:
    """The period written in the figure's clause, and the new evidence end if it follows the figure."""
    found = _PERIOD.search(text, end, clause_end)
    adjacent = bool(found and not text[end : found.start()].strip())
    if found is None:
        # "In 2021, the agency blocked ...": an introductory period at the start of the sentence.
        lead = _LEAD.match(text, sentence_start)
        found = _PERIOD.match(text, lead.end()) if lead else None
        if found is None or text.find(",", found.end(), figure_start) == -1:
            return None, None
    month = found.group("month")
    value = (
        f"{found.group('y1')}-{found.group('y2')}" if found.group("between")
        else f"since {found.group('ys')}" if found.group("since")
        else "last year" if found.group("last")
        else "this year" if found.group("this")
        else f"{month.capitalize()} {found.group('year')}" if month
        else found.group("year")
    )  # fmt: skip
    return value, found.end() if adjacent else None


@dataclass(frozen=True)
class ClaimGroup:
    """Claims from different reports about the same figure; ``conflicting`` when they cannot all be true."""

    subject: str
    unit: str
    period: str | None
    claims: tuple[Claim, ...]
    conflicting: bool


def claim_range(claim: Claim) -> tuple[float, float]:
    """The values a claim allows: "more than 500" -> [500, inf); "about 600" -> [550, 650]."""
    value = claim.value
    if claim.qualifier in ("more than", "at least"):
        return value, float("inf")
    if claim.qualifier in ("less than", "at most", "up to"):
        return 0.0, value
    if claim.qualifier == "about":
        # An approximate figure is as precise as its rounding: "about 600" covers 550-650, "about 577"
        # 548-606 (5% at least), and "une trentaine" (30) covers 34.
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        rounding = 10.0 ** int(exponent) / 2 if isinstance(exponent, int) else 0.0
        margin = max(0.05 * value, rounding)
        return value - margin, value + margin
    return value, value


def _years(period: str | None) -> set[str]:
    return set(re.findall(_YEAR, period or ""))


def compare_claims(
    claims_by_report: Mapping[str, Sequence[Claim]], stories: Mapping[str, str] | None = None
) -> list[ClaimGroup]:
    """Group claims from different reports that state the same figure, and flag the groups that conflict.

    Claims are only compared within a story: ``stories`` maps a report id to the story (the events) it
    covers, as event resolution or an analyst links them; without it all reports are one story. Inside a
    story two claims can state the same figure when they have the same normalised unit, compatible periods
    (written years must overlap; an open period matches any) and values within a factor of two of each
    other; claims further apart count different things ("224 arrests in Australia" and "800 worldwide").
    Among candidate groups a claim joins the one it agrees with, then the one with its subject, then the
    nearest in value. A group is ``conflicting`` when the ranges its claims allow (see ``claim_range``:
    "more than 500" and "577" agree, "400" and "577" do not, "almost 600" and "577" agree) have no common
    value. Only groups holding claims from at least two reports are returned.
    """
    buckets: dict[tuple[str, str], list[tuple[str, Claim]]] = {}
    for report_id, claims in claims_by_report.items():
        story = stories.get(report_id, report_id) if stories is not None else ""
        for claim in claims:
            buckets.setdefault((story, claim.unit), []).append((report_id, claim))
    groups: list[list[tuple[str, Claim]]] = []
    for (_, _unit), members in sorted(buckets.items()):
        local: list[list[tuple[str, Claim]]] = []
        for report_id, claim in sorted(members, key=lambda m: (m[1].value, m[0], m[1].evidence.start)):
            best = min(
                (g for g in local if _can_join(g, report_id, claim)),
                key=lambda g: _join_score(g, claim),
                default=None,
            )
            if best is None:
                local.append([(report_id, claim)])
            else:
                best.append((report_id, claim))
        groups.extend(g for g in local if len({r for r, _ in g}) > 1)
    return [_group(g) for g in groups]


def _common(group: Sequence[tuple[str, Claim]]) -> tuple[float, float]:
    ranges = [claim_range(c) for _, c in group]
    return max(lo for lo, _ in ranges), min(hi for _, hi in ranges)


def _agrees(group: Sequence[tuple[str, Claim]], claim: Claim) -> bool:
    low, high = _common([*group, ("", claim)])
    return low <= high * (1 + 1e-9)


def _can_join(group: Sequence[tuple[str, Claim]], report_id: str, claim: Claim) -> bool:
    years = _years(claim.period)
    if any(years and _years(c.period) and not years & _years(c.period) for _, c in group):
        return False
    if any(r == report_id for r, _ in group) and not _agrees(group, claim):
        return False  # a report's second, different figure counts something else
    values = [c.value for _, c in group]
    low, high = min(*values, claim.value), max(*values, claim.value)
    return high == low or (low > 0 and high / low <= 2)


def _join_score(group: Sequence[tuple[str, Claim]], claim: Claim) -> tuple[bool, bool, float]:
    nearest = min(abs(c.value - claim.value) / max(c.value, claim.value, 1e-9) for _, c in group)
    same_subject = bool(claim.subject) and any(c.subject == claim.subject for _, c in group)
    return not _agrees(group, claim), not same_subject, nearest


def _group(members: Sequence[tuple[str, Claim]]) -> ClaimGroup:
    claims = tuple(c for _, c in sorted(members, key=lambda m: (m[0], m[1].evidence.start)))
    subjects = Counter(c.subject for c in claims if c.subject)
    subject = min(subjects, key=lambda s: (-subjects[s], s)) if subjects else ""
    period = next((c.period for c in claims if c.period), None)
    low, high = _common(members)
    return ClaimGroup(subject, claims[0].unit, period, claims, low > high * (1 + 1e-9))
