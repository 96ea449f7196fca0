"""Names that are not entities: products with a model designator, and currency codes.

Liaison extracts people, organisations, places, named events and nationalities; it has no product type.
A maker's name followed by a model designator ("Airbus A380", "Boeing 737-800", "Sukhoi Su-35",
"Rolls-Royce Trent 900") names a product, of which the maker is only a part: CoNLL-2003 and MEANTIME
both mark the whole as one miscellaneous name, so the maker inside it is no organisation mention.
Such spans are *parked*: they stay in the pool of candidates, so that no other occurrence of the
maker's name is copied onto them, but they never become entities.

A designator is an alphanumeric model code: letters then digits ("A380", "F-35", "Su-35", "AK-47",
"A330-200", "KC-30s") or a number of three to five digits ("747", "787", "737-800", "900"), never a year
("2005"). The word in front of it must not be a noun that numbers things other than products
("Flight 447", "Unit 8200", "Route 66", "Resolution 2231"), and an acronym in front of a bare number is a
group, not a product ("APT 28", "TA 505").

An ISO 4217 currency code next to an amount ("$ 99 (USD)", "249 EUR", "GBP 5 million") is a unit, not
an organisation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pycountry

from liaison.extract.titles import ORGANIZATION_HEADS, ORGANIZATION_SUFFIXES

_LETTERS_THEN_DIGITS = r"[A-Z][A-Za-z]{0,2}-?\d{1,5}[A-Z0-9]{0,4}(?:-\d{1,4}[A-Z0-9]{0,3})?"
_NUMBER = r"\d{3,5}(?:-\d{1,4})?[A-Z]{0,2}"
_DESIGNATOR = re.compile(r"(?:" + _LETTERS_THEN_DIGITS + "|" + _NUMBER + r")(?:s|['’]s)?")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")

# Nouns that number things other than products: flights, roads, rooms, units, laws, documents.
NON_PRODUCT_HEADS = ORGANIZATION_HEADS | frozenset(
    """flight flights route highway interstate road street avenue terminal gate platform pier berth
    room suite floor building hall block lot level zone sector district area station channel radio
    studio squadron brigade battalion regiment corps fleet wing group team local chapter article
    section paragraph clause resolution amendment bill act law directive regulation rule case decree
    order number no page volume issue edition season episode phase stage year class grade""".split()
)
# Words after a number that make it a quantity, not a model: "Boeing 700 jobs" is not a product.
_QUANTITY_WORDS = frozenset(
    """million billion thousand hundred trillion percent per cent jobs people employees workers staff
    passengers seats units orders dollars euros""".split()
)
_WORD = re.compile(r"\S+")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z0-9\-]*")
_AMOUNT = re.compile(r"\d|[$€£¥]")


def is_designator(word: str) -> bool:
    """A model code such as "A380", "737-800", "Su-35" or "787s" (not a year, not a small number)."""
    word = word.rstrip(".,;:")
    return bool(_DESIGNATOR.fullmatch(word)) and not _YEAR.fullmatch(word)


def _is_acronym(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _counts_other_things(word_before: str) -> bool:
    return word_before.lower().strip(".,") in NON_PRODUCT_HEADS


def product_end(
    text: str, start: int, end: int, taken: Callable[[int, int], bool] = lambda start, end: False
) -> int | None:
    """Where the product named by ``text[start:end]`` ends, or None if the span names no product.

    The span names a product when it ends with a designator ("Rolls-Royce Trent 900"), starts with one
    and goes on with a name ("787 Dreamliner"), or is followed by one ("Airbus" in "Airbus A380",
    then the product runs over the designator and the capitalised words after it that ``taken`` does
    not claim for another name).
    """
    words = text[start:end].split()
    if not words:
        return None
    if len(words) >= 2 and is_designator(words[-1]) and _designates(words[-2], words[-1]):
        return end
    if len(words) >= 2 and is_designator(words[0]) and words[1][:1].isupper():
        return end
    if text[end : end + 1] != " ":
        return None
    after = list(_WORD.finditer(text, end + 1, min(len(text), end + 80)))
    if not after or not is_designator(after[0].group()) or not _designates(words[-1], after[0].group()):
        return None
    if len(after) > 1 and after[1].group().lower().strip(".,") in _QUANTITY_WORDS:
        return None
    product = after[0].end()
    if after[0].group()[-1:] in ",.;:":
        return product - 1
    for word in after[1:3]:  # "Boeing 787 Dreamliner", "Airbus A350 XWB"
        if (
            word.start() != product + 1
            or not _CAPITALISED.fullmatch(word.group())
            or taken(word.start(), word.end())
        ):
            break
        product = word.end()
    return product


def _designates(word_before: str, designator: str) -> bool:
    """Whether ``designator`` after ``word_before`` is a product model (not "Flight 447", "APT 28")."""
    if _counts_other_things(word_before) or word_before.lower().strip(".,") in ORGANIZATION_SUFFIXES:
        return False
    if not word_before[:1].isupper() and not word_before[:1].isdigit():
        return False
    return not (_is_acronym(word_before) and designator.rstrip("s").replace("-", "").isdigit())


@functools.cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic codes (USD, EUR, GBP, ...)."""
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def is_currency_code_by_amount(text: str, start: int, end: int) -> bool:
    """An ISO 4217 code written next to an amount: "$ 99 (USD)", "249 EUR", "GBP 5 million"."""
    if text[start:end] not in currency_codes():
        return False
    before = text[max(0, start - 12) : start].rstrip(" ([").split()
    after = text[end : end + 12].lstrip(" )]").split()
    return bool((before and _AMOUNT.search(before[-1])) or (after and _AMOUNT.match(after[0])))
