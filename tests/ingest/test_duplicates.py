"""Near-duplicate fingerprints: syndicated copies score high, different articles on one event low."""

from __future__ import annotations

import itertools
import random

from liaison.domain import Report
from liaison.ingest import read_paths
from liaison.ingest.duplicates import BANDS, NEAR_DUPLICATE_SIMILARITY, PERMUTATIONS, fingerprint
from tests.conftest import DEMO_CORPUS


def demo_reports() -> list[Report]:
    return [r for r in read_paths([DEMO_CORPUS], 10_000_000) if isinstance(r, Report)]


def syndicated_copy(text: str, seed: int) -> str:
    """What an outlet does to an agency statement: new headline, a sentence cut, one added, words edited."""
    rng = random.Random(seed)
    sentences = text.split(". ")
    del sentences[rng.randrange(len(sentences))]
    sentences.insert(rng.randrange(len(sentences)), "The statement was carried by several regional outlets")
    words = ". ".join(sentences).split(" ")
    for _ in range(5):
        position = rng.randrange(len(words))
        words[position] = words[position].upper() + "s"
    return "Latest: a headline of our own\n\n" + " ".join(words)


def test_fingerprints_are_deterministic_and_banded() -> None:
    text = demo_reports()[0].text
    first, second = fingerprint(text), fingerprint(text)
    assert first is not None and first == second
    assert len(first.signature) == PERMUTATIONS and len(first.bands) == BANDS
    assert first.similarity(first) == 1.0


def test_short_texts_have_no_fingerprint() -> None:
    assert fingerprint("Police arrested two men in Lyon on Tuesday.") is None


def test_syndicated_copies_score_above_the_threshold_and_share_a_band() -> None:
    for number, report in enumerate(demo_reports()[:10]):
        original = fingerprint(report.text)
        copy = fingerprint(syndicated_copy(report.text, number))
        assert original is not None and copy is not None
        assert original.similarity(copy) >= NEAR_DUPLICATE_SIMILARITY, report.origin
        assert set(enumerate(original.bands)) & set(enumerate(copy.bands)), report.origin


def test_different_articles_on_the_same_events_stay_apart() -> None:
    # The demo corpus has several outlets, in English and French, on the same operations.
    prints = [(r.origin, fingerprint(r.text)) for r in demo_reports()]
    for (a, fa), (b, fb) in itertools.combinations(prints, 2):
        if fa is not None and fb is not None:
            assert fa.similarity(fb) < NEAR_DUPLICATE_SIMILARITY / 2, (a, b)
