"""Social-media markers in report text: URLs, @handles, #hashtags and flag emoji.

Reports quote posts. A URL or an @handle is not an entity mention, whatever the model says; a hashtag
is a mention of the word it tags ("#Maroc" names Morocco); a flag emoji names its country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
HASHTAG = re.compile(r"(?<![\w#&])#(\w{2,60})")
FLAG = re.compile(r"[\U0001F1E6-\U0001F1FF]{2}")
_REGIONAL_INDICATOR_A = 0x1F1E6


@dataclass(frozen=True)
class Markers:
    """Spans of URLs and handles (excluded from mentions), hashtag words, and flags with their codes."""

    excluded: list[tuple[int, int]]
    hashtags: list[tuple[int, int]]  # the word after "#": text[start:end] has no "#"
    flags: list[tuple[int, int, str]]  # span and ISO 3166 alpha-2 code


def find_markers(text: str) -> Markers:
    excluded = [m.span() for m in URL.finditer(text)] + [m.span() for m in HANDLE.finditer(text)]
    hashtags = [
        m.span(1)
        for m in HASHTAG.finditer(text)
        if not any(start <= m.start() < end for start, end in excluded)
    ]
    flags = []
    for match in FLAG.finditer(text):
        code = "".join(chr(ord(ch) - _REGIONAL_INDICATOR_A + ord("A")) for ch in match.group())
        flags.append((match.start(), match.end(), code))
    return Markers(excluded, hashtags, flags)
