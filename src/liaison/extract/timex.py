"""Temporal expressions (TIMEX3) in English and French news: find them and normalise them.

A rule-based tagger in the spirit of HeidelTime. Each language has word lists (months, weekdays, number
words, units, relative modifiers, parts of the day, seasons) and extraction rules: a compiled regular
expression and the handler that turns a match into TIMEX3 values. Every rule runs over the text, the
candidates are ranked longest first and kept when they do not overlap a longer one, then expressions that
depend on context (a clock time, "the next day") are anchored on the last date mentioned before them.

Normalisation follows TimeML / TempEval-3 and is relative to the document creation time (DCT):

- explicit dates: ``2022-09-20``, ``2022-09``, ``2022``; a day or month written without a year takes
  the DCT's year, or the year before when the month is after the DCT's month (news looks back), or the
  year after when a future cue ("will", "set to", "sera") precedes a month already past;
- weekdays point backwards by default ("Monday" in a report of Tuesday 2022-09-20 is 2022-09-19, the
  DCT itself when it is that weekday); "next"/"prochain" or a future cue look forward, "last" is strictly
  before the DCT;
- relative expressions: "last week" -> ``2022-W37``, "earlier this year" -> ``2022``, "two days ago"
  -> ``2022-09-18``, "now" -> ``PRESENT_REF``, "recently" -> ``PAST_REF``, "in the coming weeks" ->
  ``FUTURE_REF``; fuzzy modifiers keep the granularity ("mid-June" -> ``2022-06``, "early 2023" -> ``2023``);
- durations ``P2D``, ``PT48H``, ``P10Y`` ("a decade"), ``PXY`` ("several years"); sets (type SET)
  ``P1Y`` ("every year", "annual"), ``XXXX-WXX-1`` ("every Monday"); decades ``199`` ("the 1990s"),
  centuries ``19`` ("the 20th century"), seasons ``2021-SU``, quarters ``2022-Q1``, halves ``2022-H1``;
- clock times take the day of the last full date in the same sentence, else the DCT:
  "Tuesday at 18:00 UTC" -> ``2009-12-15T18:00Z``.

Without a DCT, explicit dates still normalise fully and relative ones stay underspecified: a weekday is
``XXXX-WXX-1``, "June 13" is ``XXXX-06-13``, "yesterday" ``PAST_REF``, "next week" ``FUTURE_REF``.

Conventions for extents (TimeML, checked against MEANTIME): a leading preposition is never part of the
expression ("on Monday" -> "Monday"); modifiers are ("mid-June", "last week", "early 2023", "about
three years"); "the" is kept where TimeML keeps it, in relative and nominal expressions ("the past
decade", "the next four years", "the first quarter", "the 1990s") but not before an explicit date.
"two days ago" is one DATE (TimeML), not a duration. A range of days ("June 13-14", "les 13 et 14
juin", "from 13 to 14 June") gives two expressions, one per day ("June 13" and "14"), each with its value.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from liaison.domain import Time, TimeType
from liaison.extract import timex_fr
from liaison.extract.deadline import check_deadline

__all__ = ["find_times", "infer_dct"]

PAST_REF = "PAST_REF"
PRESENT_REF = "PRESENT_REF"
FUTURE_REF = "FUTURE_REF"

_FLAGS = re.IGNORECASE
_SPACES = re.compile(r"\s+")
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")
_SENTENCE_BREAK = re.compile(r"[.!?…]+[\"'”»)\]]*\s+(?=[\"“«(\[]?[A-ZÀ-Ý0-9])|\n+")
_FIELD = re.compile(r"\{([A-Z_]+)\}")
_LEADING_DIGITS = re.compile(r"\d+")
_NUMBER_PARTS = re.compile(r"[-\s]+")
_NAME_BEFORE = re.compile(r"[A-Z]\w*\s+$")  # a capitalised word just before ("China Daily")
_NAME_AFTER = re.compile(r"\s+[A-Z]")  # or just after ("Daily Mail")


def _fold(text: str) -> str:
    """The lookup key of a matched word: lower case, straight apostrophes, single spaces, no final dot."""
    return _SPACES.sub(" ", text.replace("’", "'").casefold()).strip().rstrip(".")


def _capitalised(word: str) -> str:
    return " ".join(part[:1].upper() + part[1:] for part in word.split(" "))


_Trie = dict[str, "_Trie"]  # character -> subtree; the key "" marks the end of a word


def _alternation(words: Iterable[str], *, case_sensitive: bool = False) -> str:
    """A regex matching any of ``words``, compiled as a character trie (a failing position is rejected at
    its first character instead of trying every word); spaces match any run of spaces, apostrophes both
    kinds. Longer words are preferred where one is a prefix of another."""
    trie: _Trie = {}
    for word in set(words):
        node = trie
        for character in " ".join(word.split()):
            node = node.setdefault(character, {})
        node[""] = {}
    body = _trie_pattern(trie)
    return f"(?-i:{body})" if case_sensitive else f"(?:{body})"


def _trie_pattern(node: _Trie) -> str:
    branches = []
    for character in sorted(key for key in node if key):
        child = node[character]
        piece = r"\s+" if character == " " else "['’]" if character in "'’" else re.escape(character)
        branches.append(piece + _trie_pattern(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word ends here: the longer continuations are tried first, then nothing
        body = f"(?:{body})?" if len(branches) == 1 else body + "?"
    return body


# --------------------------------------------------------------------------------------------------------
# Language resources
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    numbers: Mapping[str, int]
    vague: frozenset[str]
    units: Mapping[str, str]
    relatives: Mapping[str, int]
    day_offsets: Mapping[str, int]
    anaphoric_days: Mapping[str, int]
    parts_of_day: Mapping[str, str]
    seasons: Mapping[str, str]
    ordinals: Mapping[str, int]
    holidays: Mapping[str, tuple[int, int]]
    set_words: Mapping[str, str]
    context_months: frozenset[int]  # bare month names that need a preposition or modifier ("in May")
    ambiguous_seasons: frozenset[str]  # season words that are also common words ("fall", "été")
    month_context: re.Pattern[str]  # matched against the text before a bare month or season
    cues: re.Pattern[str]  # groups "fut" and "past": tense cues around a weekday or month
    year_before_guard: re.Pattern[str]
    year_after_guard: re.Pattern[str]
    count_before: re.Pattern[str] | None  # "15 a year" is a set; "a year" alone a duration
    name_before: re.Pattern[str] | None  # "Black Friday" is no date
    name_after: re.Pattern[str] | None  # "June Carter": a bare month followed by a capitalised name
    weekday_name_after: re.Pattern[str] | None  # "Vendredi saint", "Mardi gras"
    day_first: bool  # 03/04/2022 is 3 April
    decimal_comma: bool


_EN_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_EN_MONTH_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_EN_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_EN_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a dozen": 12,
    "half a dozen": 6,
    "a couple of": 2,
    "a couple": 2,
}
_EN_VAGUE = frozenset(
    {
        "several",
        "a few",
        "few",
        "many",
        "some",
        "numerous",
        "multiple",
        "a number of",
        "dozens of",
        "hundreds of",
        "countless",
    }
)
_EN_UNITS = {
    "year": "Y",
    "years": "Y",
    "yr": "Y",
    "yrs": "Y",
    "month": "M",
    "months": "M",
    "week": "W",
    "weeks": "W",
    "day": "D",
    "days": "D",
    "hour": "H",
    "hours": "H",
    "hr": "H",
    "hrs": "H",
    "minute": "MIN",
    "minutes": "MIN",
    "min": "MIN",
    "mins": "MIN",
    "second": "S",
    "seconds": "S",
    "decade": "DE",
    "decades": "DE",
    "century": "CE",
    "centuries": "CE",
    "quarter": "Q",
    "quarters": "Q",
    "fortnight": "FN",
    "fortnights": "FN",
    "weekend": "WE",
    "weekends": "WE",
}
_EN_RELATIVES = {
    "last": -1,
    "past": -1,
    "this past": -1,
    "previous": -1,
    "this": 0,
    "current": 0,
    "next": 1,
    "coming": 1,
    "this coming": 1,
    "following": 1,
}
_EN_DAY_OFFSETS = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0, "this": 0, "last": -1}
_EN_ANAPHORIC_DAYS = {
    "the next day": 1,
    "the following day": 1,
    "the day after": 1,
    "the previous day": -1,
    "the day before": -1,
    "the same day": 0,
}
_EN_PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}
_EN_SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
_EN_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
    "twenty first": 21,
    "latter": 2,
    "last": -1,
    "final": -1,
}
_EN_HOLIDAYS = {
    "christmas": (12, 25),
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
    "boxing day": (12, 26),
}
_EN_SET_WORDS = {
    "annually": "P1Y",
    "annual": "P1Y",
    "yearly": "P1Y",
    "monthly": "P1M",
    "weekly": "P1W",
    "daily": "P1D",
    "hourly": "PT1H",
    "quarterly": "P3M",
    "nightly": "P1D",
    "semiannual": "P6M",
    "semi-annual": "P6M",
}
_EN_NUMBER_WORDS_BEFORE_A = (
    "once|twice|thrice|times|percent|million|billion|trillion|thousand|hundred|dozen|bn|mn|one|two|three|"
    "four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety"
)
_EN_COUNT_NOUNS = (
    "people|persons|men|women|children|jobs|employees|workers|staff|troops|soldiers|police|officers|servers|"
    "computers|machines|units|aircraft|airplanes|planes|jets|cars|vehicles|ships|tanks|missiles|rockets|"
    "dollars|euros|pounds|yen|points|votes|seats|members|users|customers|passengers|copies|shares|barrels|"
    "hectares|acres|cases|deaths|victims|attacks|incidents|arrests|pages|words|students|residents|"
    "inhabitants|households|homes|houses|rounds|devices|accounts|files|documents|emails|messages|hours|days|"
    "weeks|months|years|minutes|seconds|times|attendees|refugees|migrants|protesters|companies|firms|sites|"
    "websites|posts|tweets|orders|flights|routes|km|kilometres|kilometers|miles|metres|meters|feet|ft|kg|"
    "tonnes|tons|mph|mw|gw|kw|mhz|ghz|mb|gb|tb"
)

_EN = _Lexicon(
    months=_EN_MONTHS | _EN_MONTH_ABBREVIATIONS,
    weekdays=_EN_WEEKDAYS,
    numbers=_EN_NUMBERS,
    vague=_EN_VAGUE,
    units=_EN_UNITS,
    relatives=_EN_RELATIVES,
    day_offsets=_EN_DAY_OFFSETS,
    anaphoric_days=_EN_ANAPHORIC_DAYS,
    parts_of_day=_EN_PARTS_OF_DAY,
    seasons=_EN_SEASONS,
    ordinals=_EN_ORDINALS,
    holidays=_EN_HOLIDAYS,
    set_words=_EN_SET_WORDS,
    context_months=frozenset({3, 5}),
    ambiguous_seasons=frozenset({"fall", "spring"}),
    month_context=re.compile(
        r"(?:\b(?:in|of|since|until|till|by|before|after|during|through|throughout|from|to|between|and|or|"
        r"for|early|late|mid|around|last|next|this|that|each|every|until)\s*-?\s*)$",
        _FLAGS,
    ),
    cues=re.compile(
        r"\b(?:(?P<fut>will|'ll|shall|won't|going\s+to|set\s+to|scheduled|expected|plans?\s+to|planned|"
        r"planning|intends?\s+to|upcoming|due\s+to\s+(?:be|begin|start|open|launch|arrive)|to\s+be\s+held|"
        r"is\s+to|are\s+to|next)|(?P<past>said|says|announced|reported|told|was|were|had|did|has|have|been|"
        r"ago|last|\w+\b(?<=ed)))\b",
        _FLAGS,
    ),
    year_before_guard=re.compile(
        r"(?:\b(?:no|nos|number|flight|route|room|page|pages|pp|article|section|model|version|v|about|around|"
        r"nearly|almost|over|than|some|roughly|approximately|least|top|code|usd|eur|gbp|rs)\.?\s*|[$€£¥#]\s*)$",
        _FLAGS,
    ),
    year_after_guard=re.compile(rf"^\s*-?\s*(?:{_EN_COUNT_NOUNS})\b", _FLAGS),
    # "15 a year", "fifteen tankers a year", "$40 billion a year" (a number, not a year, then up to two words)
    count_before=re.compile(
        rf"(?:(?<![\d,.])(?!(?:19|20)\d\d(?!\d))\d[\d,.]*|%|\b(?:{_EN_NUMBER_WORDS_BEFORE_A}))(?:\s+[^\W\d]+){{0,2}}\s*$",
        _FLAGS,
    ),
    name_before=re.compile(
        r"(?-i:Black|Cyber|Good|Holy|Ash|Easter|Super|Bloody|Blue|Maundy|Man|Girl|Giving)\s+$",
    ),
    name_after=re.compile(r"^\s+(?-i:[A-Z][a-z]+)"),
    weekday_name_after=None,
    day_first=False,
    decimal_comma=False,
)


def _strip_dots(table: Mapping[str, int]) -> dict[str, int]:
    return {key.rstrip("."): value for key, value in table.items()}


_FR = _Lexicon(
    months=timex_fr.MONTHS | _strip_dots(timex_fr.MONTH_ABBREVIATIONS),
    weekdays=timex_fr.WEEKDAYS,
    numbers=timex_fr.NUMBERS,
    vague=timex_fr.VAGUE_NUMBERS,
    units=timex_fr.UNITS,
    relatives=timex_fr.RELATIVES,
    day_offsets=timex_fr.DAY_OFFSETS,
    anaphoric_days=timex_fr.ANAPHORIC_DAYS,
    parts_of_day=timex_fr.PARTS_OF_DAY,
    seasons=timex_fr.SEASONS,
    ordinals=timex_fr.ORDINALS,
    holidays=timex_fr.HOLIDAYS,
    set_words=timex_fr.SET_WORDS,
    context_months=frozenset(range(1, 13)),
    ambiguous_seasons=frozenset({"été", "ete"}),
    month_context=re.compile(timex_fr.MONTH_CONTEXT, _FLAGS),
    cues=re.compile(timex_fr.CUES, _FLAGS),
    year_before_guard=re.compile(timex_fr.YEAR_BEFORE_GUARD, _FLAGS),
    year_after_guard=re.compile(rf"^\s*-?\s*(?:{timex_fr.COUNT_NOUNS})\b", _FLAGS),
    count_before=None,
    name_before=None,
    name_after=None,
    weekday_name_after=re.compile(r"^\s+(?:saint|gras|noir)\b", _FLAGS),
    day_first=True,
    decimal_comma=True,
)


# --------------------------------------------------------------------------------------------------------
# Matching context and small helpers
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """One temporal expression found by a rule; ``anchor`` defers the value to the post-pass."""

    start: int
    end: int
    type: TimeType
    value: str
    precision: str
    # ("T", 0): ``value`` is a clock time ("T15:00") to put on the reference day;
    # (unit, n): shift the last mentioned date by n units ("the next day" -> ("D", 1)).
    anchor: tuple[str, int] | None = None


class _Context:
    """The text being tagged, its DCT and language, and sentence boundaries for tense cues."""

    __slots__ = ("dct", "lexicon", "starts", "text")

    def __init__(self, text: str, dct: date | None, lexicon: _Lexicon) -> None:
        self.text = text
        self.dct = dct
        self.lexicon = lexicon
        self.starts = [0, *(match.end() for match in _SENTENCE_BREAK.finditer(text))]

    def sentence(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, position) - 1
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.starts[index], end

    def before(self, position: int, width: int = 40) -> str:
        start, _ = self.sentence(position)
        return self.text[max(start, position - width) : position]

    def after(self, position: int, width: int = 40) -> str:
        _, end = self.sentence(max(position - 1, 0))
        return self.text[position : min(end, position + width)]

    def future(self, start: int, end: int) -> bool:
        """Whether the clause reads as future: the nearest tense cue before (else after) is a future one."""
        cues = self.lexicon.cues
        before = cues.findall(self.before(start, 60))
        if before:
            return bool(before[-1][0])
        following = cues.search(self.after(end, 50))
        return following is not None and following.lastgroup == "fut"


def _group(match: re.Match[str], name: str) -> str | None:
    """The text of a named group, or None when the pattern has no such group or it did not match."""
    return match.group(name) if name in match.re.groupindex else None


def _extent(match: re.Match[str]) -> tuple[int, int]:
    if "t" in match.re.groupindex and match.group("t") is not None:
        return match.span("t")
    return match.span()


def _piece(
    match: re.Match[str],
    value: str,
    precision: str,
    kind: TimeType = TimeType.DATE,
    anchor: tuple[str, int] | None = None,
) -> list[_Piece]:
    start, end = _extent(match)
    return [_Piece(start, end, kind, value, precision, anchor)]


def _ref(direction: int) -> str:
    return PAST_REF if direction < 0 else FUTURE_REF if direction > 0 else PRESENT_REF


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _day_number(text: str) -> int:
    digits = _LEADING_DIGITS.match(text)
    return int(digits.group()) if digits else 1  # "premier", "1er"


def _year_number(text: str, dct: date | None) -> int:
    digits = text.strip("'’")
    if len(digits) == 4:
        return int(digits)
    short = int(digits)
    pivot = (dct.year if dct else 2030) % 100 + 10
    return (2000 if short <= pivot else 1900) + short


def _format_amount(amount: float) -> str:
    return str(int(amount)) if amount == int(amount) else f"{amount:g}"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _shift(base: date, unit: str, amount: int) -> tuple[str, str]:
    """The value and precision of the ``unit`` that is ``amount`` units from ``base``."""
    if unit == "Y":
        return f"{base.year + amount:04d}", "year"
    if unit == "M":
        year, month = _shift_month(base.year, base.month, amount)
        return f"{year:04d}-{month:02d}", "month"
    if unit in ("W", "WE"):
        week = _week(base + timedelta(weeks=amount))
        return (week + "-WE", "week") if unit == "WE" else (week, "week")
    if unit == "FN":
        return _week(base + timedelta(weeks=2 * amount)), "week"
    if unit == "Q":
        index = base.year * 4 + (base.month - 1) // 3 + amount
        return f"{index // 4:04d}-Q{index % 4 + 1}", "quarter"
    if unit == "HY":
        index = base.year * 2 + (base.month - 1) // 6 + amount
        return f"{index // 2:04d}-H{index % 2 + 1}", "quarter"
    if unit == "DE":
        return f"{base.year // 10 + amount:03d}", "decade"
    if unit == "CE":
        return f"{base.year // 100 + amount:02d}", "century"
    return (base + timedelta(days=amount)).isoformat(), "day"


_SCALE = {"DE": ("Y", 10), "CE": ("Y", 100), "Q": ("M", 3), "FN": ("W", 2), "HY": ("M", 6)}
_SMALLER = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24), "H": ("MIN", 60), "MIN": ("S", 60)}
_CLOCK_UNITS = {"H": "H", "MIN": "M", "S": "S"}


def _duration(amount: float | None, unit: str) -> str:
    """TIMEX3 duration: ``P2D``, ``PT48H``, ``P10Y`` for a decade, ``PXY`` for "several years"."""
    if unit in _SCALE:
        unit, factor = _SCALE[unit]
        amount = None if amount is None else amount * factor
    if amount is not None and 0 < amount < 1 and unit in _SMALLER:
        unit, factor = _SMALLER[unit]
        amount *= factor
    number = "X" if amount is None else _format_amount(amount)
    if unit in _CLOCK_UNITS:
        return f"PT{number}{_CLOCK_UNITS[unit]}"
    return f"P{number}{unit}"


def _number(text: str, lexicon: _Lexicon) -> float | None:
    """The number a word or numeral says ("twenty-five", "quatre-vingt-dix", "1,5"); None when vague."""
    key = _fold(text)
    if key in lexicon.vague:
        return None
    if key in lexicon.numbers:
        return float(lexicon.numbers[key])
    compact = key.replace(" ", "")
    if _DIGITS.fullmatch(compact):
        if "," in compact:
            whole, _, fraction = compact.partition(",")
            return float(f"{whole}.{fraction}") if lexicon.decimal_comma else float(whole + fraction)
        return float(compact)
    words = [word for word in _NUMBER_PARTS.split(key) if word not in ("and", "et")]
    total = 0.0
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("hundred", "cent", "cents"):
            total = max(total, 1.0) * 100
        elif word == "quatre" and index + 1 < len(words) and words[index + 1] in ("vingt", "vingts"):
            total += 80  # quatre-vingt(s)
            index += 1
        elif word in lexicon.numbers:
            total += lexicon.numbers[word]
        else:
            return None
        index += 1
    return total


def _infer_year(context: _Context, start: int, end: int, position: int, current: int) -> int | None:
    """The year of a month (or quarter, season) given without one: the DCT's, or one before or after."""
    if context.dct is None:
        return None
    if context.future(start, end):
        return context.dct.year if position >= current else context.dct.year + 1
    return context.dct.year if position <= current else context.dct.year - 1


def _relative_year(match: re.Match[str], context: _Context) -> int | None:
    """A year given as "last year", "this year", "de l'année", if the match has one."""
    relative = _group(match, "yrel")
    if relative is not None:
        return None if context.dct is None else context.dct.year + context.lexicon.relatives[_fold(relative)]
    if _group(match, "thisyear") is not None:
        return None if context.dct is None else context.dct.year
    return None


# --------------------------------------------------------------------------------------------------------
# Handlers: one match -> the expressions it contains, or None to reject it
# --------------------------------------------------------------------------------------------------------

_Handler = Callable[[_Context, re.Match[str]], list[_Piece] | None]


def _h_iso(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    year, month, day = int(match["year"]), int(match["mon"]), int(match["day"])
    if not _valid(year, month, day):
        return None
    value = f"{year:04d}-{month:02d}-{day:02d}"
    hour = _group(match, "hour")
    if hour is not None:
        zone = "Z" if (_group(match, "tz") or "").upper() == "Z" else ""
        return _piece(match, f"{value}T{hour}:{match['minute']}{zone}", "time", TimeType.TIME)
    return _piece(match, value, "day")


def _h_numeric(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    first, second, year_text = int(match["a"]), int(match["b"]), match["y"]
    if match["sep"] != "/" and len(year_text) != 4:
        return None
    day_first = context.lexicon.day_first
    if first > 12:
        day_first = True
    elif second > 12:
        day_first = False
    day, month = (first, second) if day_first else (second, first)
    year = _year_number(year_text, context.dct)
    if not _valid(year, month, day):
        return None
    return _piece(match, f"{year:04d}-{month:02d}-{day:02d}", "day")


def _month_of(context: _Context, word: str) -> int | None:
    return context.lexicon.months.get(_fold(word))


def _h_date(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    month = _month_of(context, match["month"])
    if month is None:
        return None
    day = _day_number(match["day"])
    start, end = _extent(match)
    year_text = _group(match, "year")
    if year_text:
        year: int | None = _year_number(year_text, context.dct)
    else:
        year = None if context.dct is None else _infer_year(context, start, end, month, context.dct.month)
    if year is None:
        return _piece(match, f"XXXX-{month:02d}-{day:02d}", "day") if 1 <= day <= 31 else None
    if not _valid(year, month, day):
        return None
    return _piece(match, f"{year:04d}-{month:02d}-{day:02d}", "day")


_DAY_IN_LIST = re.compile(r"\d{1,2}")


def _h_range(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    """A range or list of days in one month: "June 13-14", "les 13, 14 et 15 juin": one piece per day."""
    month = _month_of(context, match["month"])
    if month is None:
        return None
    first = (match.start("day"), match.end("day"))
    listed = [first]
    more = _group(match, "more")
    if more:
        offset = match.start("more")
        listed += [(offset + m.start(), offset + m.end()) for m in _DAY_IN_LIST.finditer(more)]
    listed.append((match.start("day2"), match.end("day2")))
    days = [_day_number(context.text[start:end]) for start, end in listed]
    if any(later <= earlier for earlier, later in itertools.pairwise(days)):
        return None
    year_text = _group(match, "year")
    if year_text is None and context.lexicon.year_after_guard.match(context.after(match.end(), 30)):
        return None  # "June 13 and 14 people"
    if year_text:
        year: int | None = _year_number(year_text, context.dct)
    else:
        year = None if context.dct is None else _infer_year(context, *match.span(), month, context.dct.month)
    month_first = match.start("month") < match.start("day")
    spans = list(listed)
    if month_first:  # "June 13" and "14, 2022"
        spans[0] = (match.start(), spans[0][1])
        spans[-1] = (spans[-1][0], match.end())
    else:  # "13" and "14 June 2022"
        spans[-1] = (spans[-1][0], match.end())
    pieces = []
    for (start, end), number in zip(spans, days, strict=True):
        if year is None:
            value = f"XXXX-{month:02d}-{number:02d}"
        elif _valid(year, month, number):
            value = f"{year:04d}-{month:02d}-{number:02d}"
        else:
            return None
        pieces.append(_Piece(start, end, TimeType.DATE, value, "day"))
    return pieces


def _h_month_year(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    month = _month_of(context, match["month"])
    if month is None:
        return None
    return _piece(match, f"{_year_number(match['year'], context.dct):04d}-{month:02d}", "month")


def _h_month(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    month = _month_of(context, match["month"])
    if month is None:
        return None
    lexicon = context.lexicon
    start, end = _extent(match)
    relative_word = _group(match, "rel")
    modified = (
        _group(match, "fuzzy") is not None or relative_word is not None or _group(match, "yrel") is not None
    )
    if not modified:
        introduced = lexicon.month_context.search(context.before(start, 30)) is not None
        if not introduced and month in lexicon.context_months:
            return None
        if not introduced and lexicon.name_after is not None and lexicon.name_after.match(context.after(end)):
            return None
    if context.dct is None:
        return _piece(match, f"XXXX-{month:02d}", "month")
    current = context.dct.month
    year = _relative_year(match, context)
    if year is None and relative_word is not None:
        relative = lexicon.relatives[_fold(relative_word)]
        if relative < 0:
            year = context.dct.year if month < current else context.dct.year - 1
        elif relative > 0:
            year = context.dct.year if month > current else context.dct.year + 1
        else:
            year = context.dct.year
    if year is None:
        year = _infer_year(context, start, end, month, current)
    assert year is not None
    return _piece(match, f"{year:04d}-{month:02d}", "month")


def _h_weekday(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    weekday = lexicon.weekdays.get(_fold(match["wd"]))
    if weekday is None:
        return None
    start, end = _extent(match)
    if lexicon.name_before is not None and lexicon.name_before.search(context.before(start, 12)):
        return None
    if lexicon.weekday_name_after is not None and lexicon.weekday_name_after.match(context.after(end)):
        return None
    relative_word = _group(match, "rel") or _group(match, "rel_ce")
    relative = lexicon.relatives.get(_fold(relative_word)) if relative_word else None
    part = _group(match, "pod")
    suffix = "T" + lexicon.parts_of_day[_fold(part)] if part else ""
    kind, precision = (TimeType.TIME, "time") if part else (TimeType.DATE, "day")
    if context.dct is None:
        return _piece(match, f"XXXX-WXX-{weekday + 1}{suffix}", precision, kind)
    today = context.dct.weekday()
    if relative is not None and relative < 0:
        day = context.dct - timedelta(days=(today - weekday) % 7 or 7)
    elif relative is not None and relative > 0:
        day = context.dct + timedelta(days=(weekday - today) % 7 or 7)
    elif context.future(start, end):
        day = context.dct + timedelta(days=(weekday - today) % 7)
    else:
        day = context.dct - timedelta(days=(today - weekday) % 7)
    return _piece(match, day.isoformat() + suffix, precision, kind)


def _h_dayrel(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    word = _fold(match["offset"])
    offset = lexicon.day_offsets.get(word)
    if offset is None:
        return None
    shift = _group(match, "dayshift")
    if shift is not None:
        offset += 1 if _fold(shift).endswith("after") else -1
    part = _group(match, "pod")
    code = lexicon.parts_of_day.get(_fold(part)) if part else lexicon.parts_of_day.get(word)
    if context.dct is None:
        return _piece(match, _ref(offset), "ref")
    value = (context.dct + timedelta(days=offset)).isoformat()
    if code:
        return _piece(match, f"{value}T{code}", "time", TimeType.TIME)
    return _piece(match, value, "day")


def _h_anaphoric(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    offset = context.lexicon.anaphoric_days.get(_fold(match["anaph"]))
    if offset is None:
        return None
    return _piece(match, _ref(offset), "ref", anchor=("D", offset))


_DEMONSTRATIVES = frozenset({"ce", "cet", "cette"})


def _h_unitrel(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    unit = lexicon.units.get(_fold(match["unit"]))
    if unit not in ("Y", "M", "W", "WE", "Q", "HY", "DE", "CE"):
        return None
    relative_word = _group(match, "rel")
    determiner = _fold(_group(match, "det") or "")
    fuzzy = _group(match, "fuzzy")
    if relative_word is not None:
        relative_key = _fold(relative_word)
        relative = lexicon.relatives.get(relative_key)
        if relative is None:
            return None
    elif determiner in _DEMONSTRATIVES or fuzzy is not None:
        relative_key, relative = "", 0
    else:
        return None
    if relative_key in ("past", "this past") and _group(match, "the") is not None:
        amount = 1.0
        return _piece(match, _duration(amount, unit), "duration", TimeType.DURATION)
    fiscal = _group(match, "fiscal") is not None
    if relative_key in ("following", "previous", "suivant", "suivante", "précédent", "précédente"):
        return _piece(match, _ref(relative), "ref", anchor=(unit, relative))
    if context.dct is None:
        return _piece(match, _ref(relative), "ref")
    value, precision = _shift(context.dct, unit, relative)
    if fiscal and unit == "Y":
        value = "FY" + value
    return _piece(match, value, precision)


def _back(context: _Context, amount: float, unit: str, sign: int) -> tuple[str, str] | None:
    assert context.dct is not None
    if unit in ("Y", "M", "DE", "CE", "Q", "HY"):
        if unit == "Y" and amount == int(amount):
            return _shift(context.dct, "Y", sign * int(amount))
        if unit in ("DE", "CE"):
            return _shift(context.dct, unit, sign * round(amount))
        months = amount * {"Y": 12, "M": 1, "Q": 3, "HY": 6}[unit]
        return _shift(context.dct, "M", sign * round(months))
    if unit in ("W", "FN"):
        return _shift(context.dct, "W", sign * round(amount * (2 if unit == "FN" else 1)))
    if unit == "D":
        return _shift(context.dct, "D", sign * round(amount))
    return None


def _h_ago(context: _Context, match: re.Match[str], sign: int = -1) -> list[_Piece] | None:
    lexicon = context.lexicon
    unit = lexicon.units.get(_fold(match["unit"]))
    if unit is None:
        return None
    number = _group(match, "num")
    amount = _number(number, lexicon) if number is not None else None
    if amount is not None and (_group(match, "half") or _group(match, "half2")):
        amount += 0.5
    shifted = None if amount is None or context.dct is None else _back(context, amount, unit, sign)
    if shifted is None:
        return _piece(match, _ref(sign), "ref")
    return _piece(match, *shifted)


def _h_ahead(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    return _h_ago(context, match, sign=1)


def _h_set_a(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    unit = lexicon.units.get(_fold(match["unit"]))
    if unit is None:
        return None
    counted = lexicon.count_before is not None and lexicon.count_before.search(
        context.before(match.start(), 30)
    )
    if _fold(match["per"]) in ("a", "an") and not counted:
        return None
    return _piece(match, _duration(1.0, unit), "set", TimeType.SET)


def _h_set_every(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    unit = lexicon.units.get(_fold(match["unit"]))
    if unit is None:
        return None
    number = _group(match, "num")
    amount: float | None = 1.0
    if _group(match, "other") is not None:
        amount = 2.0
    elif number is not None:
        amount = _number(number, lexicon)
    return _piece(match, _duration(amount, unit), "set", TimeType.SET)


def _h_set_weekday(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    word = _fold(match["wd"])
    weekday = context.lexicon.weekdays.get(word, context.lexicon.weekdays.get(word.removesuffix("s")))
    if weekday is None:
        return None
    return _piece(match, f"XXXX-WXX-{weekday + 1}", "set", TimeType.SET)


def _h_set_word(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    word = match["setword"]
    value = context.lexicon.set_words.get(_fold(word))
    if value is None:
        return None
    if word[:1].isupper():  # "China Daily", "Daily Mail": part of a name
        before, after = context.before(match.start(), 20), context.after(match.end(), 20)
        if _NAME_BEFORE.search(before) or _NAME_AFTER.match(after):
            return None
    return _piece(match, value, "set", TimeType.SET)


def _h_duration(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    unit = lexicon.units.get(_fold(match["unit"]))
    if unit is None:
        return None
    number = _fold(_group(match, "num") or "")
    if number in ("des", "de longues", "de longs"):
        amount: float | None = None
    elif number == "":
        amount = None
    else:
        amount = _number(number, lexicon)
        if number in ("a", "an") and unit in ("S", "Q"):  # "a second plane", "a quarter of the staff"
            return None
        if amount is None and not _fold(match["unit"]).endswith(("s", "x")):  # "some day"
            return None
    if amount is not None and (_group(match, "half") or _group(match, "half2")):
        amount += 0.5
    return _piece(match, _duration(amount, unit), "duration", TimeType.DURATION)


def _h_duration_half(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    unit = context.lexicon.units.get(_fold(match["unit"]))
    if unit is None:
        return None
    return _piece(match, _duration(0.5, unit), "duration", TimeType.DURATION)


def _h_year_range(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    first = int(match["year"])
    second_text = match["year2"]
    if len(second_text) == 4:
        second = int(second_text)
    else:
        second = first // 100 * 100 + int(second_text)
        if second <= first:
            return None
    if not 0 < second - first < 100:
        return None
    return [
        _Piece(match.start("year"), match.end("year"), TimeType.DATE, f"{first:04d}", "year"),
        _Piece(match.start("year2"), match.end("year2"), TimeType.DATE, f"{second:04d}", "year"),
    ]


def _h_year(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    start, end = _extent(match)
    if _group(match, "fuzzy") is None and lexicon.year_before_guard.search(context.before(start, 25)):
        return None
    if lexicon.year_after_guard.match(context.after(end, 30)):
        return None
    return _piece(match, match["year"], "year")


def _h_fiscal(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    return _piece(match, f"FY{_year_number(match['year'], context.dct):04d}", "year")


_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}


def _h_decade(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    full = _group(match, "decade")
    if full is not None and len(full) == 4:
        return _piece(match, full[:3], "decade")
    short = full or _group(match, "decade2")
    if short is not None:
        tens = int(short)
        latest = context.dct.year if context.dct else 2030
        century = 20 if 2000 + tens <= latest else 19
        return _piece(match, f"{century}{tens // 10}", "decade")
    word = _group(match, "decadeword")
    if word is None:
        return None
    return _piece(match, f"19{_DECADE_WORDS[_fold(word)]}", "decade")


_ROMAN = {"I": 1, "V": 5, "X": 10}


def _roman(numeral: str) -> int:
    total = 0
    for index, letter in enumerate(numeral):
        value = _ROMAN[letter]
        following = _ROMAN[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _h_century(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    roman = _group(match, "roman")
    word = _group(match, "century")
    if roman is not None:
        number = _roman(roman.upper())
    elif word is not None and word[:1].isdigit():
        number = _day_number(word)
    elif word is not None:
        number = context.lexicon.ordinals.get(_fold(word), 0)
    else:
        return None
    if not 1 <= number <= 30:
        return None
    return _piece(match, f"{number - 1:02d}", "century")


_SEASON_ORDER = {"SP": 0, "SU": 1, "FA": 2, "WI": 3}


def _h_season(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    lexicon = context.lexicon
    word = _fold(match["season"])
    code = lexicon.seasons.get(word)
    if code is None:
        return None
    start, end = _extent(match)
    year_text = _group(match, "year")
    relative_word = _group(match, "rel")
    explicit = year_text is not None or relative_word is not None or _group(match, "yrel") is not None
    determiner = _group(match, "det")
    if not explicit:
        introduced = _group(match, "prep") is not None or bool(
            lexicon.month_context.search(context.before(start))
        )
        if word in lexicon.ambiguous_seasons:  # "a été", "the fall of": only "l'été", "in the fall"
            the = _group(match, "the") is not None
            if not (determiner is not None or _group(match, "prep") is not None or (the and introduced)):
                return None
        elif not (introduced or determiner is not None or _group(match, "fuzzy") is not None):
            return None
    if year_text is not None:
        return _piece(match, f"{_year_number(year_text, context.dct):04d}-{code}", "season")
    if context.dct is None:
        return _piece(match, f"XXXX-{code}", "season")
    year = _relative_year(match, context)
    position, current = _SEASON_ORDER[code], (context.dct.month % 12) // 3
    if year is None and relative_word is not None:
        relative = lexicon.relatives.get(_fold(relative_word), 0)
        if relative < 0:
            year = context.dct.year if position < current else context.dct.year - 1
        elif relative > 0:
            year = context.dct.year if position > current else context.dct.year + 1
        else:
            year = context.dct.year
    if year is None:
        year = _infer_year(context, start, end, position, current)
    assert year is not None
    return _piece(match, f"{year:04d}-{code}", "season")


def _h_quarter(context: _Context, match: re.Match[str], unit: str = "Q") -> list[_Piece] | None:
    lexicon = context.lexicon
    ordinal = _group(match, "qord") or _group(match, "hord")
    numeral = _group(match, "qnum") or _group(match, "hnum")
    number = int(numeral[1]) if numeral else lexicon.ordinals.get(_fold(ordinal or ""), 0)
    count = 4 if unit == "Q" else 2
    if number == 0 or number > count:
        return None
    letter = "Q" if unit == "Q" else "H"
    year_text = _group(match, "year") or _group(match, "yy")
    year = _year_number(year_text, context.dct) if year_text else _relative_year(match, context)
    if number < 0:
        if year is not None:
            number = count
        elif context.dct is not None:
            return _piece(match, *_shift(context.dct, unit, -1))
        else:
            return _piece(match, PAST_REF, "ref")
    if year is None and context.dct is not None:
        current = (context.dct.month - 1) // (3 if unit == "Q" else 6) + 1
        year = _infer_year(context, *_extent(match), number, current)
    prefix = "XXXX" if year is None else f"{year:04d}"
    return _piece(match, f"{prefix}-{letter}{number}", "quarter")


def _h_half(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    return _h_quarter(context, match, unit="HY")


def _h_time(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    noon = _group(match, "noon")
    if noon is not None:
        key = _fold(noon)
        hour, minute = (24, 0) if key in ("midnight", "minuit") else (12, 0)
    else:
        hour_text = match["hour"]
        hour = int(hour_text) if hour_text.isdigit() else context.lexicon.numbers.get(_fold(hour_text), -1)
        minute = int(_group(match, "minute") or 0)
        meridiem = _fold(_group(match, "ampm") or "").replace(".", "").replace(" ", "")
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
        if not 0 <= hour <= 23:
            return None
    zone = _fold(_group(match, "tz") or "")
    suffix = "Z" if zone in ("utc", "gmt", "z") else ""
    return _piece(match, f"T{hour:02d}:{minute:02d}{suffix}", "time", TimeType.TIME, anchor=("T", 0))


def _h_ref(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    if _group(match, "ref_present") is not None:
        return _piece(match, PRESENT_REF, "ref")
    if _group(match, "ref_past") is not None:
        return _piece(match, PAST_REF, "ref")
    return _piece(match, FUTURE_REF, "ref")


def _h_holiday(context: _Context, match: re.Match[str]) -> list[_Piece] | None:
    month_day = context.lexicon.holidays.get(_fold(match["holiday"]))
    if month_day is None:
        return None
    month, day = month_day
    year_text = _group(match, "year")
    if year_text is not None:
        year: int | None = _year_number(year_text, context.dct)
    elif context.dct is not None:
        year = _infer_year(context, *_extent(match), month, context.dct.month)
    else:
        year = None
    prefix = "XXXX" if year is None else f"{year:04d}"
    return _piece(match, f"{prefix}-{month:02d}-{day:02d}", "day")


_HANDLERS: dict[str, _Handler] = {
    "iso": _h_iso,
    "numeric": _h_numeric,
    "range_md": _h_range,
    "range_dm": _h_range,
    "date": _h_date,
    "month_year": _h_month_year,
    "month": _h_month,
    "weekday": _h_weekday,
    "dayrel": _h_dayrel,
    "anaphoric": _h_anaphoric,
    "unitrel": _h_unitrel,
    "ago": _h_ago,
    "ahead": _h_ahead,
    "set_a": _h_set_a,
    "set_every": _h_set_every,
    "set_every_wd": _h_set_weekday,
    "set_word": _h_set_word,
    "duration": _h_duration,
    "duration_half": _h_duration_half,
    "year_range": _h_year_range,
    "year": _h_year,
    "fiscal": _h_fiscal,
    "decade": _h_decade,
    "century": _h_century,
    "season": _h_season,
    "quarter": _h_quarter,
    "half": _h_half,
    "time": _h_time,
    "ref": _h_ref,
    "holiday": _h_holiday,
}

# --------------------------------------------------------------------------------------------------------
# English rules
# --------------------------------------------------------------------------------------------------------

_EN_FRAGMENTS: dict[str, str] = {
    "DAY": r"(?:3[01]|[12]\d|0?[1-9])(?!\d)(?:st|nd|rd|th)?\b",
    "FUZZY": r"(?:early|late|mid|(?:the\s+)?(?:end|beginning|start|middle)\s+of)",
    "POD": r"(?:morning|afternoon|evening|night)",
    "AMPM": r"(?:a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b)",
    "TZ": r"(?-i:UTC|GMT|Z\b|[ECMP][SD]T\b|BST|CET|CEST)",
    "REL": r"(?:last|next|this|past|coming|previous)",
}
_EN_RULES: list[tuple[str, str, str]] = [
    ("iso", "YEAR4 <30 >30", r"{ISO}"),
    ("numeric", "re:NUMERIC", r"{NUMERIC}"),
    (
        "range_md",
        "MONTH <35 >35",
        r"\b(?:(?P<wd>{WD})\s*,?\s+)?(?P<month>{MONTH})\s+(?P<day>{DAY})(?P<more>(?:\s*,\s*{DAY})*)\s*,?\s*"
        r"(?:-|–|to|through|until|and|&)\s*"
        r"(?P<day2>{DAY})(?:\s*,?\s*(?P<year>{YEAR}))?(?!\s*(?:%|[-–:.,]?\d))",
    ),
    (
        "range_dm",
        "MONTH <35 >35",
        r"\b(?P<day>{DAY})(?P<more>(?:\s*,\s*{DAY})*)\s*,?\s*(?:-|–|to|and|&)\s*(?P<day2>{DAY})\s+(?:of\s+)?"
        r"(?P<month>{MONTH})"
        r"(?:\s*,?\s*(?P<year>{YEAR}))?",
    ),
    (
        "date",
        "MONTH <35 >35",
        r"\b(?:(?P<wd>{WD})\s*,?\s+(?:the\s+)?)?(?P<month>{MONTH})\s+(?:the\s+)?(?P<day>{DAY})"
        r"(?![\w:.,]\d|\s*(?:%|:\d))(?:\s*,?\s*(?P<year>{YEAR}))?",
    ),
    (
        "date",
        "MONTH <35 >35",
        r"\b(?:(?P<wd>{WD})\s*,?\s+(?:the\s+)?)?(?P<day>{DAY})(?:\s+of)?\s+(?P<month>{MONTH})"
        r"(?:\s*,?\s*(?P<year>{YEAR}))?",
    ),
    (
        "month_year",
        "MONTH <35 >35",
        r"\b(?:(?P<fuzzy>{FUZZY})(?:\s*-\s*|\s+))?(?P<month>{MONTH})\s*,?\s+(?:of\s+)?(?P<year>{YEAR})",
    ),
    (
        "month",
        "MONTH <35 >35",
        r"\b(?:(?P<fuzzy>{FUZZY})(?:\s*-\s*|\s+)|(?P<rel>last|next|this|past|coming)\s+)?(?P<month>{MONTH_FULL})"
        r"\b(?!-)(?:\s+(?:of\s+)?(?P<yrel>last|this|next)\s+year)?",
    ),
    ("weekday", "WD <20 >25", r"\b(?:(?P<rel>{REL})\s+)?(?P<wd>{WD})(?:\s+(?P<pod>{POD}))?\b(?!-)"),
    (
        "dayrel",
        "yesterday today tomorrow tonight <20 >20",
        r"\b(?:(?P<dayshift>the\s+day\s+(?:before|after))\s+)?(?P<offset>yesterday|today|tomorrow|tonight)"
        r"(?:\s+(?P<pod>{POD}))?\b",
    ),
    ("dayrel", "morning afternoon evening night <10 >5", r"\b(?P<offset>this|last)\s+(?P<pod>{POD})\b"),
    (
        "anaphoric",
        "day <20 >20",
        r"\b(?P<anaph>the\s+(?:next|following|previous|same)\s+day|the\s+day\s+(?:before|after))\b"
        r"(?!\s+(?:yesterday|tomorrow))",
    ),
    (
        "unitrel",
        "week weekend month year quarter decade century <40 >10",
        r"\b(?:(?P<fuzzy>earlier|later|early|late|(?:the\s+)?(?:end|beginning|start|middle|rest|remainder|course)"
        r"\s+of)\s+)?(?P<the>the\s+)?(?P<rel>this\s+past|this\s+coming|last|next|this|past|previous|coming|current|"
        r"following)\s+(?:(?P<fiscal>fiscal|financial)\s+)?(?P<unit>week|weekend|month|year|quarter|decade|century)"
        r"\b(?!-)",
    ),
    (
        "unitrel",
        "week weekend month year quarter decade century <40 >10",
        r"\b(?P<fuzzy>(?:the\s+)?(?:end|beginning|start|middle|rest|remainder|course)\s+of)\s+the\s+"
        r"(?:(?P<fiscal>fiscal|financial)\s+)?(?P<unit>year|month|week|decade|century|quarter)\b",
    ),
    (
        "ago",
        "ago <50 >5",
        r"\b(?:(?P<approx>about|around|almost|nearly|roughly|approximately|some|more\s+than|less\s+than|over|"
        r"just\s+over|just\s+under)\s+)?(?P<num>{NUM})(?P<half>\s+and\s+a\s+half)?\s+(?P<unit>{UNIT})"
        r"(?P<half2>\s+and\s+a\s+half)?\s+ago\b",
    ),
    ("ago", "ago <5 >5", r"\b(?P<unit>years|months|weeks|days|decades|centuries)\s+ago\b"),
    (
        "set_a",
        "year month week day hour quarter minute <10 >5",
        r"\b(?P<per>a|an|per)\s+(?P<unit>year|month|week|day|hour|quarter|minute)\b",
    ),
    (
        "set_every",
        "every each per <5 >40",
        r"\b(?P<every>every|each|per)\s+(?:(?P<other>other)\s+|(?P<num>{NUM})\s+)?(?P<unit>{UNIT})\b",
    ),
    ("set_every_wd", "every each <5 >15", r"\b(?:every|each)\s+(?P<wd>{WD})\b"),
    ("set_every_wd", "WDS <5 >5", r"\b(?P<wd>{WDS})\b"),
    ("set_word", "SETWORD <5 >5", r"\b(?P<setword>{SETWORD})\b(?!-)"),
    (
        "ref",
        "now currently present presently moment nowadays days recently lately recent past future coming next "
        "upcoming ahead come <20 >25",
        r"\b(?:(?P<ref_present>right\s+now|now|currently|at\s+present|presently|at\s+the\s+moment|nowadays|"
        r"these\s+days|the\s+present\s+day)|(?P<ref_past>(?:more\s+|most\s+|until\s+)?recently|lately|"
        r"recent\s+(?:years|months|weeks|days|times|decades)|the\s+recent\s+past|the\s+past)|"
        r"(?P<ref_future>the\s+(?:near\s+|distant\s+)?future|the\s+(?:coming|next\s+few|upcoming)\s+"
        r"(?:days|weeks|months|years|decades)|the\s+(?:days|weeks|months|years)\s+(?:ahead|to\s+come)))\b(?!-)",
    ),
    (
        "duration",
        "UNIT <45 >25",
        r"\b(?:(?P<approx>about|around|almost|nearly|roughly|approximately|some)\s+)?(?:(?P<the>the)\s+"
        r"(?P<rel>past|last|next|coming|first|previous|following|final|remaining)\s+)?(?P<num>{NUM})"
        r"(?P<half>\s+and\s+a\s+half)?(?:\s+|-)(?P<unit>{UNIT})(?P<half2>\s+and\s+a\s+half)?\b(?:-(?:long|old)\b)?",
    ),
    (
        "duration_half",
        "UNIT <45 >25",
        r"\b(?:(?P<approx>about|around|almost|nearly)\s+)?(?:half\s+an?|a\s+half)[\s-]+(?P<unit>{UNIT})\b",
    ),
    (
        "duration",
        "UNIT <45 >25",
        r"\b(?:for|over|in|within|after|during|throughout|from)\s+(?P<t>(?P<the>the\s+)?(?:(?P<rel>past|last|next|"
        r"coming|following)\s+)?(?P<unit>years|decades|months|weeks|days|hours|centuries))\b"
        r"(?!\s+(?:ago|old|later|earlier|before|after))",
    ),
    ("duration", "UNIT <45 >25", r"\b(?P<unit>years|decades|months|weeks|days|hours|centuries)-long\b"),
    (
        "year_range",
        "YEAR4 <30 >30",
        r"(?<![\w$€£#.,/-])(?P<year>(?:19|20)\d{2})\s*(?:-|–|/)\s*(?P<year2>(?:19|20)?\d{2})(?![\w%]|[.,/-]\d)",
    ),
    (
        "year",
        "YEAR4 <30 >30",
        r"(?<![\w$€£¥#.,/:-])(?<!\$\s)(?<!€\s)(?<!£\s)(?:(?P<fuzzy>{FUZZY})(?:\s*-\s*|\s+))?"
        r"(?P<year>(?:19|20)\d{2})(?![\w%]|[.,:/-]\d|\s*(?:%|percent\b|per\s+cent\b))",
    ),
    (
        "fiscal",
        "fiscal financial FY <10 >10",
        r"\b(?:(?:fiscal|financial)\s+(?:year\s+)?|(?-i:FY)\s*)(?P<year>(?:19|20)\d{2}|['’]?\d{2})\b",
    ),
    (
        "decade",
        "DECADE <15 >5",
        r"\b(?:the\s+)?(?:(?P<fuzzy>early|mid|late)(?:\s*-\s*|\s+))?(?P<decade>(?:1\d|20)\d0)['’]?s\b",
    ),
    (
        "decade",
        "DECADE <15 >5",
        r"(?:\bthe\s+)?(?:(?P<fuzzy>early|mid|late)(?:\s*-\s*|\s+))?['’](?P<decade2>\d0)s\b",
    ),
    (
        "decade",
        "twenties thirties forties fifties sixties seventies eighties nineties <15 >5",
        r"\bthe\s+(?:(?P<fuzzy>early|mid|late)(?:\s*-\s*|\s+))?(?P<decadeword>twenties|thirties|forties|fifties|"
        r"sixties|seventies|eighties|nineties)\b",
    ),
    (
        "century",
        "century <30 >5",
        r"\b(?:the\s+)?(?:(?P<fuzzy>early|mid|late)(?:\s*-\s*|\s+))?(?P<century>\d{1,2}(?:st|nd|rd|th)|{ORDINAL})"
        r"[\s-]+century\b",
    ),
    (
        "season",
        "SEASON <30 >25",
        r"\b(?:(?P<fuzzy>early|late|mid|(?:the\s+)?(?:end|beginning|start|middle)\s+of)(?:\s*-\s*|\s+))?"
        r"(?:(?P<rel>last|next|this|past|coming)\s+|(?P<the>the\s+))?(?P<season>spring|summer|autumn|fall|winter)\b"
        r"(?:\s*,?\s+(?:of\s+)?(?P<year>{YEAR}))?(?:\s+(?:of\s+)?(?P<yrel>last|this|next)\s+year)?",
    ),
    (
        "quarter",
        "quarter <25 >30",
        r"\b(?:the\s+)?(?P<qord>first|second|third|fourth|final|last|1st|2nd|3rd|4th)(?:\s+|-)"
        r"(?:(?:fiscal|financial|calendar)\s+)?quarter\b(?:\s+(?:of\s+)?(?:(?:fiscal\s+)?(?P<year>{YEAR})|"
        r"(?P<yrel>last|this|next)\s+year|(?P<thisyear>the\s+(?:fiscal\s+|financial\s+)?year)))?",
    ),
    (
        "quarter",
        "q1 q2 q3 q4 <5 >10",
        r"\b(?P<qnum>(?-i:Q)[1-4])(?:\s*(?P<year>{YEAR})|\s*['’](?P<yy>\d{2}))?\b",
    ),
    ("quarter", "YEAR4 <30 >30", r"\b(?P<year>{YEAR})\s*(?P<qnum>(?-i:Q)[1-4])\b"),
    (
        "half",
        "half <15 >30",
        r"\b(?:the\s+)?(?P<hord>first|second|1st|2nd|latter)\s+half\s+of\s+(?:(?P<year>{YEAR})|"
        r"(?P<yrel>last|this|next)\s+year|(?P<thisyear>the\s+year))",
    ),
    ("half", "h1 h2 <5 >10", r"\b(?P<hnum>(?-i:H)[12])\s*(?P<year>{YEAR})\b"),
    (
        "time",
        "re:TIME <5 >25",
        r"(?<![\w:.])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d)?(?![\d:])(?:\s*(?P<ampm>{AMPM}))?"
        r"(?:\s*(?P<tz>{TZ}))?",
    ),
    ("time", "re:TIME <5 >25", r"(?<![\w:.])(?P<hour>1[0-2]|0?[1-9])\s*(?P<ampm>{AMPM})(?:\s*(?P<tz>{TZ}))?"),
    ("time", "clock <12 >3", r"\b(?P<hour>1[0-2]|0?[1-9]|{HOURWORD})\s+o['’]clock\b"),
    ("time", "noon midday midnight <3 >3", r"\b(?P<noon>noon|midday|midnight)\b"),
    ("holiday", "HOLIDAY <15 >15", r"\b(?P<holiday>{HOLIDAY})(?:\s+(?P<year>{YEAR}))?\b"),
]

_SHARED_FRAGMENTS: dict[str, str] = {
    "ISO": r"(?<![\w-])(?P<year>\d{4})-(?P<mon>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?:[T\s](?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
    r"(?![\w-])",
    "NUMERIC": r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?![\w]|[./-]\d)",
    "YEAR": r"(?<!\d)(?:1\d|20)\d{2}(?!\d)",
}


@dataclass(frozen=True)
class _Rule:
    """A compiled pattern, its handler, and what must occur in the text for it to match (its triggers)."""

    name: str
    pattern: re.Pattern[str]
    handler: _Handler
    tokens: frozenset[str]  # lower-case words (or token classes such as YEAR4) one of which a match contains
    digit_triggers: frozenset[str]  # or digit-led patterns (keys of _DIGIT_TRIGGERS) one of which it contains
    before: int  # how far before its trigger a match can start
    after: int  # how far after its trigger a match (and its lookahead) can end


# Rules only run in windows around their triggers: by default a match starts at most this many characters
# before its trigger and ends at most this many after (a rule's trigger spec can say "<45 >25").
_MARGIN_BEFORE = 60
_MARGIN_AFTER = 40
_WORD = re.compile(r"\w+")
# Triggers that start with a digit, checked at each run of digits rather than by scanning the whole text:
# pattern, whether it is tried at the run's first digit (else at its last), whether a word boundary must
# precede the run. YEAR4, DECADE, FY are token classes; NUMERIC and TIME stand for the rules' "re:" triggers.
_DIGIT_RUN = re.compile(r"\d+")
_DIGIT_TRIGGERS: dict[str, tuple[re.Pattern[str], bool, bool]] = {
    "YEAR4": (re.compile(r"[12]\d{3}(?!\w)"), True, True),
    "DECADE": (re.compile(r"\d*0[sS](?!\w)"), True, True),
    "FY": (re.compile(r"\d+(?!\w)"), True, False),  # and "fy" just before the run, checked apart
    "re:NUMERIC": (re.compile(r"\d[/.-]\d{1,2}[/.-]\d"), False, False),
    "re:TIME": (re.compile(r"\d(?:\s?[:hH]\s?\d|\s?[hH]\b|\s*[aApP]\.?\s?[mM]\b)"), False, False),
}
_TOKEN_SPLIT = re.compile(r"[\s'’.-]+")
_HOLIDAY_STOP_TOKENS = frozenset({"le", "la", "de", "l", "s", "the", "day", "jour", "new", "eve"})


def _words(keys: Iterable[str]) -> set[str]:
    return {piece for key in keys for piece in _TOKEN_SPLIT.split(key.casefold()) if piece}


def _trigger_tokens(spec: str, lexicon: _Lexicon) -> frozenset[str]:
    classes: dict[str, set[str]] = {
        "MONTH": _words(lexicon.months),
        "WD": _words(lexicon.weekdays),
        "WDS": {word + "s" for word in lexicon.weekdays},
        "UNIT": _words(lexicon.units),
        "SETWORD": _words(lexicon.set_words),
        "SEASON": _words(lexicon.seasons),
        "HOLIDAY": _words(lexicon.holidays) - _HOLIDAY_STOP_TOKENS,
    }
    tokens: set[str] = set()
    for item in spec.split():
        if item.startswith(("re:", "<", ">")) or item in _DIGIT_TRIGGERS:
            continue
        tokens |= classes.get(item, {item.casefold()})
    return frozenset(tokens)


def _number_pattern(lexicon: _Lexicon, joiners: str) -> str:
    words = [word for word in lexicon.numbers if " " not in word]
    phrases = [word for word in lexicon.numbers if " " in word]
    word = _alternation(words)
    compound = rf"{word}(?:(?:{joiners}){word})*"
    return rf"(?:{_alternation([*lexicon.vague, *phrases])}|\d+(?:[.,]\d+)?|{compound})(?!\w)"


def _build_rules(
    lexicon: _Lexicon,
    rules: list[tuple[str, str, str]],
    fragments: Mapping[str, str],
    *,
    case_sensitive_names: bool,
    month_abbreviations: Mapping[str, int],
    abbreviation_dot_required: bool,
    number_joiners: str,
) -> tuple[_Rule, ...]:
    full_months = [
        word for word in lexicon.months if word not in {a.rstrip(".") for a in month_abbreviations}
    ]
    weekdays = list(lexicon.weekdays)
    if case_sensitive_names:
        month_full = _alternation(
            [_capitalised(word) for word in full_months] + [word.upper() for word in full_months],
            case_sensitive=True,
        )
        abbreviations = _alternation(
            [_capitalised(word) for word in month_abbreviations], case_sensitive=True
        )
        weekday = _alternation(
            [_capitalised(word) for word in weekdays] + [word.upper() for word in weekdays],
            case_sensitive=True,
        )
        weekdays_plural = _alternation([_capitalised(word) + "s" for word in weekdays], case_sensitive=True)
        holidays = _alternation([_capitalised(word) for word in lexicon.holidays], case_sensitive=True)
    else:
        month_full = _alternation(full_months)
        abbreviations = _alternation([word.rstrip(".") for word in month_abbreviations])
        weekday = _alternation(weekdays)
        weekdays_plural = _alternation([word + "s" for word in weekdays])
        holidays = _alternation(lexicon.holidays)
    abbreviation = rf"{abbreviations}\." if abbreviation_dot_required else rf"{abbreviations}\b\.?"
    ordinal_words = [
        word for word in lexicon.ordinals if not word[:1].isdigit() and lexicon.ordinals[word] > 0
    ]
    values = {
        **_SHARED_FRAGMENTS,
        "MONTH_FULL": rf"{month_full}(?!\w)",
        "MONTH": rf"(?:{month_full}(?!\w)|{abbreviation})",
        "WD": weekday,
        "WDS": weekdays_plural,
        "NUM": _number_pattern(lexicon, number_joiners),
        "UNIT": _alternation(lexicon.units),
        "SETWORD": _alternation(lexicon.set_words),
        "HOLIDAY": holidays,
        "ORDINAL": _alternation(ordinal_words),
        "HOURWORD": _alternation(
            [word for word, n in lexicon.numbers.items() if 1 <= n <= 12 and " " not in word]
        ),
        **fragments,
    }

    def expand(pattern: str) -> str:
        previous = None
        while previous != pattern:
            previous, pattern = pattern, _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)
        return pattern

    built = []
    for name, triggers, pattern in rules:
        digit_triggers = frozenset(item for item in triggers.split() if item in _DIGIT_TRIGGERS)
        tokens = _trigger_tokens(triggers, lexicon)
        before = next((int(item[1:]) for item in triggers.split() if item.startswith("<")), _MARGIN_BEFORE)
        after = next((int(item[1:]) for item in triggers.split() if item.startswith(">")), _MARGIN_AFTER)
        compiled = re.compile(expand(pattern), _FLAGS)
        built.append(_Rule(name, compiled, _HANDLERS[name], tokens, digit_triggers, before, after))
    return tuple(built)


@dataclass(frozen=True)
class _TriggerGroup:
    """Rules that share a trigger spec, so that their windows are computed once."""

    rules: tuple[int, ...]
    before: int
    after: int


@dataclass(frozen=True)
class _Triggers:
    """The trigger groups of a language and which groups each trigger word or digit trigger starts."""

    groups: tuple[_TriggerGroup, ...]
    words: dict[str, tuple[int, ...]]
    digits: dict[str, tuple[int, ...]]
    vocabulary: frozenset[str]


def _trigger_index(rules: tuple[_Rule, ...]) -> _Triggers:
    keyed: dict[tuple[frozenset[str], frozenset[str], int, int], list[int]] = {}
    for number, rule in enumerate(rules):
        keyed.setdefault((rule.tokens, rule.digit_triggers, rule.before, rule.after), []).append(number)
    groups = tuple(_TriggerGroup(tuple(numbers), key[2], key[3]) for key, numbers in keyed.items())
    words: dict[str, list[int]] = {}
    digits: dict[str, list[int]] = {}
    for number, (tokens, digit_triggers, _, _) in enumerate(keyed):
        for token in tokens:
            words.setdefault(token, []).append(number)
        for name in digit_triggers:
            digits.setdefault(name, []).append(number)
    return _Triggers(
        groups,
        {token: tuple(numbers) for token, numbers in words.items()},
        {name: tuple(numbers) for name, numbers in digits.items()},
        frozenset(words),
    )


_LANGUAGES: dict[str, tuple[_Lexicon, tuple[_Rule, ...]]] = {
    "en": (
        _EN,
        _build_rules(
            _EN,
            _EN_RULES,
            _EN_FRAGMENTS,
            case_sensitive_names=True,
            month_abbreviations=_EN_MONTH_ABBREVIATIONS,
            abbreviation_dot_required=False,
            number_joiners=r"-|\s+",
        ),
    ),
    "fr": (
        _FR,
        _build_rules(
            _FR,
            timex_fr.RULES,
            timex_fr.FRAGMENTS,
            case_sensitive_names=False,
            month_abbreviations=timex_fr.MONTH_ABBREVIATIONS,
            abbreviation_dot_required=True,
            number_joiners=r"-et-|\s+et\s+|-|\s+",
        ),
    ),
}


# --------------------------------------------------------------------------------------------------------
# Selection and anchoring
# --------------------------------------------------------------------------------------------------------


def _select(candidates: list[tuple[int, int, int, list[_Piece]]]) -> list[_Piece]:
    """Keep the longest candidates that do not overlap a kept one (ties: earlier rule, then earlier start)."""
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken: list[tuple[int, int]] = []
    kept: list[_Piece] = []
    for start, end, _, pieces in candidates:
        index = bisect.bisect_left(taken, (start, end))
        if index > 0 and taken[index - 1][1] > start:
            continue
        if index < len(taken) and taken[index][0] < end:
            continue
        taken.insert(index, (start, end))
        kept.extend(pieces)
    kept.sort(key=lambda piece: piece.start)
    return kept


def _reference(value: str) -> tuple[date, str] | None:
    match = _PARTIAL_DATE.fullmatch(value[:10])
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day is not None:
            return date(int(year), int(month), int(day)), "D"
        if month is not None:
            return date(int(year), int(month), 1), "M"
        return date(int(year), 1, 1), "Y"
    except ValueError:
        return None


_GRANULARITY = {"Y": 0, "HY": 1, "Q": 1, "M": 1, "W": 2, "WE": 2, "FN": 2, "D": 2, "DE": 0, "CE": 0}


def _anchor(pieces: list[_Piece], context: _Context) -> list[Time]:
    """Resolve "the next day" on the last date mentioned before it, then put each clock time on the
    nearest full date of its sentence ("on Tuesday at 18:00", "at 10:30 on October 3"), else the DCT."""
    dct = context.dct
    resolved: list[tuple[_Piece, str, str]] = []
    last_reference: tuple[date, str] | None = None
    for piece in pieces:
        value, precision = piece.value, piece.precision
        if piece.anchor is not None and piece.anchor[0] != "T":
            unit, amount = piece.anchor
            base = last_reference
            if base is None or {"Y": 0, "M": 1, "D": 2}[base[1]] < _GRANULARITY.get(unit, 2):
                base = (dct, "D") if dct else None
            if base is not None:
                value, precision = _shift(base[0], unit, amount)
        if piece.type in (TimeType.DATE, TimeType.TIME):
            reference = _reference(value)
            if reference is not None:
                last_reference = reference
        resolved.append((piece, value, precision))
    days = [
        (piece.start, context.sentence(piece.start)[0], value[:10])
        for piece, value, _ in resolved
        if piece.type is TimeType.DATE and _FULL_DATE.match(value)
    ]
    times: list[Time] = []
    for piece, value, precision in resolved:
        check_deadline()  # each clock time against the report's dates: quadratic in a list of them
        if piece.anchor is not None and piece.anchor[0] == "T":
            sentence = context.sentence(piece.start)[0]
            same = [(abs(start - piece.start), day) for start, where, day in days if where == sentence]
            day = min(same)[1] if same else dct.isoformat() if dct else "XXXX-XX-XX"
            value = day + value
        text = context.text[piece.start : piece.end]
        times.append(Time(piece.start, piece.end, text, piece.type, value, precision))
    return times


_TRIGGER_INDEXES = {code: _trigger_index(rules) for code, (_, rules) in _LANGUAGES.items()}


def _language(language: str) -> str:
    code = (language or "en").strip().lower()[:2]
    return code if code in _LANGUAGES else "en"


def _windows(text: str, triggers: _Triggers) -> list[list[int]]:
    """Per trigger group, the merged windows around the places its triggers occur, as a flat list of
    ``start, end, start, end...``."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length in lower case: keep offsets exact
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    spans: list[list[tuple[int, int]]] = [[] for _ in triggers.groups]
    for word in triggers.vocabulary.intersection(_WORD.findall(lowered)):
        numbers = triggers.words[word]
        size = len(word)
        position = lowered.find(word)
        while position >= 0:
            end = position + size
            if (position == 0 or not _is_word_char(lowered[position - 1])) and (
                end == len(lowered) or not _is_word_char(lowered[end])
            ):
                for number in numbers:
                    spans[number].append((position, end))
            position = lowered.find(word, position + 1)
    if triggers.digits:
        checks = [(_DIGIT_TRIGGERS[name], name == "FY", numbers) for name, numbers in triggers.digits.items()]
        for run in _DIGIT_RUN.finditer(text):
            start, end = run.span()
            bounded = start == 0 or not _is_word_char(text[start - 1])
            for (pattern, at_start, needs_boundary), fiscal, numbers in checks:
                if fiscal:
                    if lowered[max(0, start - 2) : start] != "fy" or (
                        start > 2 and _is_word_char(text[start - 3])
                    ):
                        continue
                elif needs_boundary and not bounded:
                    continue
                found = pattern.match(text, start if at_start else end - 1)
                if found is not None:
                    for number in numbers:
                        spans[number].append(found.span())
    windows: list[list[int]] = []
    length = len(text)
    for group, found_spans in zip(triggers.groups, spans, strict=True):
        merged: list[int] = []
        before, after = group.before, group.after
        for start, end in sorted(found_spans):
            low, high = max(0, start - before), min(length, end + after)
            if merged and low <= merged[-1]:
                merged[-1] = max(merged[-1], high)
            else:
                merged += (low, high)
        windows.append(merged)
    return windows


def _is_word_char(character: str) -> bool:
    return character.isalnum() or character == "_"


def find_times(text: str, dct: date | None, language: str) -> list[Time]:
    """Every temporal expression in ``text``, normalised against ``dct``, non-overlapping, sorted by start.

    ``language`` is ``"en"`` or ``"fr"`` (a longer tag such as ``"fr-FR"`` works; other languages get
    the English rules, which still read numeric dates).
    """
    if not text:
        return []
    code = _language(language)
    lexicon, rules = _LANGUAGES[code]
    context = _Context(text, dct, lexicon)
    candidates: list[tuple[int, int, int, list[_Piece]]] = []
    triggers = _TRIGGER_INDEXES[code]
    for group, windows in zip(triggers.groups, _windows(text, triggers), strict=True):
        if not windows:
            continue
        bounds = list(zip(windows[::2], windows[1::2], strict=True))
        for number in group.rules:
            rule = rules[number]
            for low, high in bounds:
                check_deadline()  # windows around every trigger word: many in a text full of dates
                for match in rule.pattern.finditer(text, low, high):
                    pieces = rule.handler(context, match)
                    if pieces:
                        start = min(piece.start for piece in pieces)
                        end = max(piece.end for piece in pieces)
                        if end > start:
                            candidates.append((start, end, number, pieces))
    return _anchor(_select(candidates), context)


def infer_dct(text: str, language: str) -> date | None:
    """The document creation time a text gives away: the latest full date written in it, or None.

    Used when no metadata dates a report: a dateline ("PARIS, 14 March 2023 —"), a "Publié le 19 octobre
    2023", an embedded post dated "September 20, 2022". Only explicit dates count (nothing relative).
    """
    latest: date | None = None
    for time in find_times(text, None, language):
        if time.type not in (TimeType.DATE, TimeType.TIME):
            continue
        match = _FULL_DATE.match(time.value)
        if match is None:
            continue
        try:
            found = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        if latest is None or found > latest:
            latest = found
    return latest
