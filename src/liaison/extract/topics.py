"""Topics: which security subjects a report, a sentence or an event touches, from cue terms.

The taxonomy and its English and French cues live in ``data/topics.tsv`` (documented in
``docs/topics.md``): each topic has a one-line definition and cue patterns, regular expressions matched
case-insensitively as whole words. Every cue occurrence is a ``TopicHit`` with exact offsets, so a topic
can be traced to the words that signalled it and counted per span (an event's sentence) or per report.
Pure Python: no spaCy types.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "topics.tsv"
# Cues that apply in every language (acronyms, loanwords) are filed under this language code.
_ANY_LANGUAGE = "*"


@dataclass(frozen=True)
class TopicHit:
    """One cue of ``topic`` found at ``text[start:end]``."""

    topic: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Topic:
    """A topic of the taxonomy: its id, definition and cue patterns by language."""

    id: str
    definition: str
    cues: Mapping[str, tuple[str, ...]]


def _to_regex(cue: str) -> str:
    """A TSV cue as a regex: a space matches whitespace, " ?" optional whitespace, ' either apostrophe."""
    return cue.replace(" ?", r"\s*").replace(" ", r"\s+").replace("'", "['’]")


@cache
def taxonomy(path: Path = _DATA) -> tuple[Topic, ...]:
    """The topics of ``data/topics.tsv`` in file order (read once per process)."""
    definitions: dict[str, str] = {}
    cues: dict[str, dict[str, list[str]]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(f.strip() for f in fields):
            raise ValueError(f"{path}:{number}: expected topic<TAB>kind<TAB>text, got {line!r}")
        topic, kind, value = (f.strip() for f in fields)
        if kind == "definition":
            definitions[topic] = value
        else:
            re.compile(_to_regex(value))  # fail on a bad cue when the file is read, not on some report
            cues.setdefault(topic, {}).setdefault(kind, []).append(value)
    missing = set(cues) ^ set(definitions)
    if missing:
        raise ValueError(f"{path}: topics without both a definition and cues: {sorted(missing)}")
    return tuple(
        Topic(topic, definition, {k: tuple(v) for k, v in cues[topic].items()})
        for topic, definition in definitions.items()
    )


@cache
def _patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One compiled pattern per topic for ``language``: its cues plus the language-neutral ones."""
    compiled = []
    known = language in {kind for topic in taxonomy() for kind in topic.cues if kind != _ANY_LANGUAGE}
    for topic in taxonomy():
        # A report in a language without cues of its own is read with every language's cues.
        kinds = (language, _ANY_LANGUAGE) if known else tuple(topic.cues)
        alternatives = [_to_regex(cue) for kind in kinds for cue in topic.cues.get(kind, ())]
        if alternatives:
            # Longest cue first, so "organised crime groups" is one hit and not "crime groups" inside it.
            body = "|".join(sorted(alternatives, key=len, reverse=True))
            compiled.append((topic.id, re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)))
    return tuple(compiled)


def find_topics(text: str, language: str) -> list[TopicHit]:
    """Every cue occurrence in ``text``, in text order; ``text[hit.start:hit.end] == hit.text``."""
    hits = [
        TopicHit(topic, match.start(), match.end(), match.group())
        for topic, pattern in _patterns((language or "").lower()[:2])
        for match in pattern.finditer(text)
    ]
    return sorted(hits, key=lambda hit: (hit.start, hit.end, hit.topic))


def topics_in_span(hits: Sequence[TopicHit], start: int, end: int) -> tuple[str, ...]:
    """The topics whose cues lie wholly inside ``[start, end)`` (an event's sentence), sorted, unique."""
    return tuple(sorted({hit.topic for hit in hits if start <= hit.start and hit.end <= end}))


def report_topics(hits: Sequence[TopicHit], min_hits: int = 1) -> tuple[str, ...]:
    """The report's topics with at least ``min_hits`` cues, most cues first, then by name."""
    counts = Counter(hit.topic for hit in hits)
    return tuple(sorted((t for t, n in counts.items() if n >= min_hits), key=lambda t: (-counts[t], t)))
