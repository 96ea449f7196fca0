"""Language identification for whole reports and for the blocks inside them.

A quoted French post inside an English article must go through the French pipeline, so each paragraph is
identified on its own; short or low-confidence paragraphs follow the report's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Languages Liaison expects in security news. Restricting the classifier to them avoids the classic
# langid confusions on short texts (English read as Latin or Tagalog).
CANDIDATE_LANGUAGES = ("en", "fr", "es", "it", "pt", "nl", "de", "ar", "ru", "tr")

# A paragraph shorter than this (in letters) is too short to identify reliably.
MIN_LETTERS_FOR_BLOCK = 40
MIN_BLOCK_CONFIDENCE = 0.95

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\d+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Block:
    """A run of report text (``text[start:end]``) in one language."""

    start: int
    end: int
    language: str


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATE_LANGUAGES))
    return identifier


def identify(text: str) -> tuple[str, float]:
    """Return the most likely language code of ``text`` and its probability.

    URLs, handles, hashtags and digits are removed first: they say nothing about the language.
    """
    cleaned = _NOISE.sub(" ", text)
    if not _LETTER.search(cleaned):
        return "und", 0.0
    language, probability = _identifier().classify(cleaned)
    return str(language), float(probability)


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Character spans of the non-blank lines of ``text`` (news paragraphs are lines)."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            spans.append((match.start(), match.end()))
    return spans


def language_blocks(text: str, report_language: str) -> list[Block]:
    """Split ``text`` into maximal runs of paragraphs that share a language.

    A paragraph is given its own language only when it is long enough and identified with high
    confidence; otherwise it belongs to the report's language.
    """
    blocks: list[Block] = []
    for start, end in split_paragraphs(text):
        paragraph = text[start:end]
        language = report_language
        if len(_LETTER.findall(_NOISE.sub(" ", paragraph))) >= MIN_LETTERS_FOR_BLOCK:
            candidate, probability = identify(paragraph)
            if probability >= MIN_BLOCK_CONFIDENCE:
                language = candidate
        if blocks and blocks[-1].language == language:
            blocks[-1] = Block(blocks[-1].start, end, language)
        else:
            blocks.append(Block(start, end, language))
    return blocks
