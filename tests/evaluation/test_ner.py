"""NER scoring: counts on hand-made examples, the label mappings, and a real run of both systems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from liaison.domain import Entity, EntityType, Extraction, Mention, Report
from liaison.evaluation import Document, GoldSpan, Scores, evaluate, evaluate_conll, format_table, score_spans
from liaison.evaluation.ner import ALL, CORE, LIAISON, MODEL
from liaison.extract import Extractor, RawEntity

SECURITY_NEWS = Path(__file__).resolve().parent.parent / "data" / "ner" / "security-news.conll"

GOLD = [GoldSpan(0, 5, "PER"), GoldSpan(10, 15, "ORG"), GoldSpan(20, 25, "LOC"), GoldSpan(30, 35, "MISC")]
PREDICTED = [
    GoldSpan(0, 5, "PER"),  # exact: tp
    GoldSpan(10, 14, "ORG"),  # boundary error: strict fp + fn, overlap tp
    GoldSpan(20, 25, "ORG"),  # type error: fp ORG + fn LOC in both modes
    GoldSpan(40, 45, "PER"),  # spurious: fp
    GoldSpan(0, 5, "PER"),  # a duplicate counts once
]  # and MISC (30, 35) is missed: fn


def counts(scores: Scores, label: str) -> tuple[int, int, int]:
    score = scores[label]
    return score.tp, score.fp, score.fn


def test_strict_counts_and_scores() -> None:
    scores = score_spans([GOLD], [PREDICTED])
    assert counts(scores, "PER") == (1, 1, 0)
    assert counts(scores, "ORG") == (0, 2, 1)
    assert counts(scores, "LOC") == (0, 0, 1)
    assert counts(scores, "MISC") == (0, 0, 1)
    assert counts(scores, CORE) == (1, 3, 2)
    assert counts(scores, ALL) == (1, 3, 3)
    assert scores["PER"].precision == 0.5 and scores["PER"].recall == 1.0
    assert scores["PER"].f1 == pytest.approx(2 / 3)
    assert scores.core.precision == 0.25 and scores.core.recall == pytest.approx(1 / 3)
    assert scores.core.f1 == pytest.approx(2 / 7)
    assert scores.overall.f1 == 0.25
    assert scores.core.support == 3 and scores.overall.support == 4
    assert (scores["LOC"].precision, scores["LOC"].f1) == (0.0, 0.0)  # no predictions: no division error


def test_overlap_forgives_boundaries_but_not_types() -> None:
    scores = score_spans([GOLD], [PREDICTED], overlap=True)
    assert counts(scores, "ORG") == (1, 1, 0)
    assert counts(scores, "LOC") == (0, 0, 1)
    assert counts(scores, CORE) == (2, 2, 1)


def test_overlap_pairs_gold_and_predictions_one_to_one_as_many_as_possible() -> None:
    gold = [GoldSpan(0, 10, "ORG"), GoldSpan(12, 20, "ORG")]
    predicted = [GoldSpan(0, 3, "ORG"), GoldSpan(2, 18, "ORG")]
    assert counts(score_spans([gold], [predicted], overlap=True), "ORG") == (2, 0, 0)
    assert counts(score_spans([gold], [predicted[1:]], overlap=True), "ORG") == (1, 0, 1)


def test_documents_are_scored_separately() -> None:
    span = GoldSpan(0, 5, "LOC")
    scores = score_spans([[span], []], [[], [span]])
    assert counts(scores, "LOC") == (0, 1, 1)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="2 gold documents but 1"):
        score_spans([[], []], [[]])
    with pytest.raises(ValueError, match="GPE"):
        score_spans([[]], [[GoldSpan(0, 1, "GPE")]])


@dataclass
class FakeExtractor:
    """Stands in for ``Extractor``: fixed Liaison entities and raw model entities for one text."""

    entities: tuple[Entity, ...]
    raw: list[RawEntity]

    def extract_many(self, reports: list[Report]) -> list[Extraction]:
        return [Extraction(report=report, sentences=(), entities=self.entities) for report in reports]

    def raw_entities(self, text: str, language: str) -> list[RawEntity]:
        assert language == "en"
        return self.raw


def entity(entity_type: EntityType, *spans: tuple[int, int]) -> Entity:
    return Entity(entity_type, "x", tuple(Mention(start, end, "x", 0) for start, end in spans))


def test_evaluate_maps_both_systems_labels_and_ignores_text_outside_the_annotation() -> None:
    #       0         1         2         3         4         5         6
    #       0123456789012345678901234567890123456789012345678901234567890123
    text = "Moroccan police met Europol in Rabat and Spain on 3 May.\nLater: Paris"
    document = Document(
        text=text,
        spans=[
            GoldSpan(0, 8, "MISC"),
            GoldSpan(20, 27, "ORG"),
            GoldSpan(31, 36, "LOC"),
            GoldSpan(41, 46, "LOC"),
        ],
        annotated_end=56,
    )
    fake = FakeExtractor(
        entities=(
            entity(EntityType.NATIONALITY, (0, 8)),
            entity(EntityType.ORGANIZATION, (20, 27)),
            entity(EntityType.LOCATION, (31, 36), (64, 69)),  # Paris is after the annotated part
            entity(EntityType.COUNTRY, (41, 46)),
        ),
        raw=[
            RawEntity(0, 8, "NORP"),
            RawEntity(20, 27, "PERSON"),
            RawEntity(31, 36, "GPE"),
            RawEntity(41, 46, "GPE"),
            RawEntity(50, 55, "DATE"),  # dropped
            RawEntity(64, 69, "GPE"),  # after the annotated part
        ],
    )
    result = evaluate([document], fake, corpus="tiny")  # type: ignore[arg-type]
    assert (result.corpus, result.documents, result.gold_spans) == ("tiny", 1, 4)
    liaison, model = result.system(LIAISON), result.system(MODEL)
    assert counts(liaison.strict, ALL) == (4, 0, 0)
    assert liaison.strict.overall.f1 == 1.0
    assert counts(model.strict, "PER") == (0, 1, 0)
    assert counts(model.strict, "ORG") == (0, 0, 1)
    assert counts(model.strict, CORE) == (2, 1, 1)
    assert counts(model.strict, "MISC") == (1, 0, 0)
    assert model.predictions == ((GoldSpan(0, 8, "MISC"), GoldSpan(20, 27, "PER"), GoldSpan(31, 36, "LOC"),
                                  GoldSpan(41, 46, "LOC")),)  # fmt: skip

    table = format_table(result)
    lines = table.splitlines()
    assert lines[0] == "| system | class | P | R | F1 | overlap F1 | support |"
    assert len(lines) == 2 + 2 * 6
    assert "| liaison | **PER+ORG+LOC** | 1.000 | 1.000 | 1.000 | 1.000 | 3 |" in lines
    assert "| model | **PER+ORG+LOC** | 0.667 | 0.667 | 0.667 | 0.667 | 3 |" in lines
    assert "| model | PER | 0.000 | 0.000 | 0.000 | 0.000 | 0 |" in lines


@pytest.mark.model
def test_both_systems_on_the_security_news_file(extractor: Extractor) -> None:
    result = evaluate_conll(SECURITY_NEWS, extractor)
    assert (result.documents, result.gold_spans) == (6, 216)
    for system in (result.system(LIAISON), result.system(MODEL)):
        for scores in (system.strict, system.overlap):
            for label in ("PER", "ORG", "LOC", CORE, ALL):
                assert 0 < scores[label].f1 <= 1, (system.system, label, scores[label])
        assert system.overlap.core.f1 >= system.strict.core.f1
