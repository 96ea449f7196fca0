"""Reports in languages without a pipeline: known entities found by their names.

A Spanish, Italian or Arabic report still names Europol, the DGSN or Christopher Wray. Without a model
for the language, Liaison looks for the names and aliases the store already knows (given by the caller),
whole words and case-sensitive, and records the report's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from liaison.domain import Entity, EntityType, KnownName, Mention, Sentence

# Shorter names are too ambiguous to match without a model (except all-capital acronyms).
MIN_NAME_LENGTH = 4
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“«(\[¿¡]?[A-ZÀ-ÖØ-Þ0-9])|\n+")


def split_sentences(text: str, language: str) -> tuple[Sentence, ...]:
    """Sentences by punctuation and line breaks, for text no pipeline reads."""
    sentences = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            sentences.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        sentences.append((start, len(text.rstrip())))
    result = []
    for index, (begin, end) in enumerate(sentences):
        chunk = text[begin:end]
        begin += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        result.append(Sentence(index, begin, end, language))
    return tuple(result)


def _usable(surface: str) -> bool:
    letters = sum(ch.isalpha() for ch in surface)
    return len(surface) >= MIN_NAME_LENGTH or (letters >= 2 and surface.isupper())


def match_known_names(
    text: str, names: Sequence[KnownName], sentences: Sequence[Sentence], language: str
) -> tuple[Entity, ...]:
    """Entities of ``names`` found in ``text``, longest names first, never overlapping."""
    usable = sorted({n for n in names if _usable(n.surface)}, key=lambda n: -len(n.surface))
    if not usable:
        return ()
    by_surface = {n.surface: n for n in reversed(usable)}
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n.surface) for n in usable) + r")(?![\w])")
    starts = [s.start for s in sentences]
    found: dict[tuple[EntityType, str], list[Mention]] = {}
    for match in pattern.finditer(text):
        known = by_surface[match.group()]
        sentence = max(sum(1 for s in starts if s <= match.start()) - 1, 0)
        mention = Mention(match.start(), match.end(), match.group(), sentence, "KNOWN", language)
        found.setdefault((known.type, known.name), []).append(mention)
    entities = []
    for (entity_type, name), found_mentions in found.items():
        aliases = tuple(sorted({m.text for m in found_mentions} - {name}))
        entities.append(Entity(entity_type, name, tuple(found_mentions), aliases, {}, 1.0))
    return tuple(sorted(entities, key=lambda e: e.mentions[0].start))
