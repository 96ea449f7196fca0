"""Acronym definitions in running text, after Schwartz & Hearst (2003).

"General Directorate for Internal Security (DGSI)" and "DGSI (Direction générale de la sécurité
intérieure)" both define DGSI. The long form is found by matching the acronym's letters from its end
backwards through the candidate words, the first letter at the start of a word; function words may be
skipped, which is what lets French expansions ("de la") match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SHORT = r"[A-Z][A-Za-z0-9&\.\-]{1,11}"
_LONG_THEN_SHORT = re.compile(r"\(\s*(" + _SHORT + r")\s*\)")
_SHORT_THEN_LONG = re.compile(r"\b(" + _SHORT + r")\s*\(\s*([^()\n]{4,160}?)\s*\)")
_WORD = re.compile(r"[\w’'\-\.&]+")
# A title in front of an organisation's name is not part of its expansion.
TITLE_WORDS = frozenset(
    """director directors head chief minister secretary president commissioner commander
    directeur directrice ministre président présidente secrétaire chef commandant""".split()
)
# "Director General of National Police of Ruritania (DGPN)": a reporter's rendering
# of a foreign name, whose letters need not match the acronym, introduced by a title and "of".
_TITLED_EXPANSION = re.compile(
    r"\b(?:director|head|chief|minister|commissioner|commander|directeur|directrice|ministre|chef)"
    r"(?:[\s-]+(?:general|générale?))?\s+(?:of|de|du|des)\s+(?:the\s+|la\s+|l['’])?"
    r"(?P<long>[A-Z][^,;()]*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AcronymDefinition:
    short: tuple[int, int]
    long: tuple[int, int]


def _is_acronym(short: str) -> bool:
    letters = [ch for ch in short if ch.isalpha()]
    uppercase = sum(1 for ch in letters if ch.isupper())
    return 2 <= len(letters) <= 10 and uppercase >= max(2, len(letters) - 2)


def match_long_form(short: str, long: str) -> int | None:
    """Start offset in ``long`` of the expansion of ``short``, or None (Schwartz & Hearst)."""
    s_index, l_index = len(short) - 1, len(long) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            long[l_index].lower() != char or (s_index == 0 and l_index > 0 and long[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    return long.rfind(" ", 0, l_index + 1) + 1


_FUNCTION_WORDS = frozenset("of the and for on in de du des la le les et pour d l".split())


def match_translated_long_form(short: str, long: str) -> int | None:
    """Start of an expansion whose capitalised words' initials are the acronym's letters in any order.

    An English rendering of a French acronym keeps the letters but not their order: "General
    Directorate for External Security (DGSE)".
    """
    letters = sorted(ch.lower() for ch in short if ch.isalpha())
    words = list(_WORD.finditer(long))
    content = [w for w in words if w.group().lower().strip("’'") not in _FUNCTION_WORDS]
    if len(content) < len(letters):
        return None
    candidate = content[-len(letters) :]
    if any(not w.group()[0].isupper() for w in candidate):
        return None
    if sorted(w.group()[0].lower() for w in candidate) != letters:
        return None
    return candidate[0].start()


def _accept(short: str, long_form: str) -> bool:
    words = long_form.split()
    if not words or not words[0][:1].isupper() or words[0].lower() in TITLE_WORDS:
        return False
    return 2 <= len(words) <= len(short) * 2 + 3


def find_acronyms(text: str) -> list[AcronymDefinition]:
    """Every acronym defined in ``text`` with the span of its expansion."""
    found: list[AcronymDefinition] = []
    for match in _LONG_THEN_SHORT.finditer(text):
        short = match.group(1).rstrip(".")
        if not _is_acronym(short):
            continue
        window_start = _window_start(text, match.start(), max(len(short) + 5, len(short) * 2))
        window = text[window_start : match.start()].rstrip()
        titled = _titled_expansion(text[: match.start()].rstrip(), window_start)
        offsets = (
            match_long_form(short, window),
            match_translated_long_form(short, window),
            None if titled is None else titled - window_start,
        )
        for offset in offsets:
            if offset is None or offset < 0 or not _accept(short, window[offset:]):
                continue
            found.append(
                AcronymDefinition(
                    (match.start(1), match.start(1) + len(short)),
                    (window_start + offset, window_start + len(window)),
                )
            )
            break
    for match in _SHORT_THEN_LONG.finditer(text):
        short, long_form = match.group(1).rstrip("."), match.group(2)
        if not _is_acronym(short) or _is_acronym(long_form.replace(" ", "")):
            continue
        offset = match_long_form(short, long_form)
        if offset != 0 or not _accept(short, long_form):
            continue
        found.append(
            AcronymDefinition((match.start(1), match.start(1) + len(short)), (match.start(2), match.end(2)))
        )
    return found


def _titled_expansion(before: str, floor: int) -> int | None:
    """Start (in the text) of a name introduced by a title and "of" right before "(ACRONYM)"."""
    line_start = before.rfind("\n") + 1
    match = _TITLED_EXPANSION.search(before, line_start)
    if match is None or len(match.group("long").split()) < 2 or not match.group("long")[:1].isupper():
        return None
    return match.start("long")


def _window_start(text: str, end: int, words: int) -> int:
    """Offset where the ``words`` words before ``end`` begin, not crossing a line or a sentence."""
    line_start = text.rfind("\n", 0, end) + 1
    positions = [m.start() + line_start for m in _WORD.finditer(text[line_start:end])]
    start = positions[-words] if len(positions) >= words else line_start
    for stop in (". ", "; ", ", "):
        cut = text.rfind(stop, start, end)
        # a comma is a boundary only if what follows it could still hold the whole expansion
        if cut >= 0 and (stop != ", " or len(text[cut:end].split()) >= 3):
            start = max(start, cut + len(stop))
    return start
