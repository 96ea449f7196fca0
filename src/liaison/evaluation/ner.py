"""Score named-entity recognition against gold standards, for Liaison and for the raw model, side by side.

Two systems are run over the same documents in the same process:

- ``liaison``: the full pipeline, ``Extractor.extract``; each entity's mentions are scored with the
  entity's type mapped to a CoNLL label by ``LIAISON_LABELS``.
- ``model``: the statistical model alone, ``Extractor.raw_entities``, its labels mapped by
  ``MODEL_LABELS``; numeric and date labels (``MODEL_IGNORED``) are dropped.

Scores are per class (PER, ORG, LOC, MISC) and micro-averaged over PER+ORG+LOC -- the headline figure:
people, organisations and places -- and over all four classes. ``strict`` counts a prediction as correct
only with the same start, end and label as a gold span; ``overlap`` pairs gold spans one-to-one with
overlapping predictions of the same label, as many pairs as possible, which forgives boundary disagreements.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from liaison.domain import EntityType, Report
from liaison.evaluation.conll import LABELS, Document, GoldSpan, read_conll
from liaison.evaluation.meantime import read_meantime_directory
from liaison.extract import Extractor

CORE_LABELS = ("PER", "ORG", "LOC")
CORE = "PER+ORG+LOC"
ALL = "ALL"
LIAISON = "liaison"
MODEL = "model"

LIAISON_LABELS: dict[EntityType, str] = {
    EntityType.PERSON: "PER",
    EntityType.ORGANIZATION: "ORG",
    EntityType.COUNTRY: "LOC",
    EntityType.LOCATION: "LOC",
    EntityType.NAMED_EVENT: "MISC",
    EntityType.NATIONALITY: "MISC",
}

MODEL_LABELS: dict[str, str] = {
    # OntoNotes (English models)
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    # WikiNER / CoNLL (French models)
    "PER": "PER",
    "MISC": "MISC",
}
MODEL_IGNORED = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


@dataclass(frozen=True)
class ClassScore:
    """Counts and scores of one class (or one micro-average) for one system and one matching mode."""

    label: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        """Number of gold spans."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Scores:
    """Per-class scores for PER, ORG, LOC and MISC, with the two micro-averages."""

    per_class: Mapping[str, ClassScore]

    def _micro(self, label: str, labels: Sequence[str]) -> ClassScore:
        chosen = [self.per_class[name] for name in labels]
        return ClassScore(
            label, sum(c.tp for c in chosen), sum(c.fp for c in chosen), sum(c.fn for c in chosen)
        )

    @property
    def core(self) -> ClassScore:
        """Micro-average over PER+ORG+LOC: the headline figure."""
        return self._micro(CORE, CORE_LABELS)

    @property
    def overall(self) -> ClassScore:
        """Micro-average over all four classes."""
        return self._micro(ALL, LABELS)

    def rows(self) -> list[ClassScore]:
        return [*(self.per_class[label] for label in LABELS), self.core, self.overall]

    def __getitem__(self, label: str) -> ClassScore:
        if label == CORE:
            return self.core
        if label == ALL:
            return self.overall
        return self.per_class[label]


@dataclass(frozen=True)
class SystemResult:
    """One system's scores on a corpus, strict (exact span and label) and by overlap."""

    system: str
    strict: Scores
    overlap: Scores
    predictions: tuple[tuple[GoldSpan, ...], ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class EvaluationResult:
    corpus: str
    documents: int
    gold_spans: int
    systems: tuple[SystemResult, ...]
    seconds: float = 0.0

    def system(self, name: str) -> SystemResult:
        for result in self.systems:
            if result.system == name:
                return result
        raise KeyError(name)


def _overlap(a: GoldSpan, b: GoldSpan) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _overlap_matching(gold: set[GoldSpan], predicted: set[GoldSpan]) -> dict[GoldSpan, GoldSpan]:
    """A maximum one-to-one pairing of gold and predicted spans that overlap and share a label."""
    candidates = {
        g: sorted(
            (p for p in predicted if p.label == g.label and _overlap(g, p) > 0), key=lambda p: -_overlap(g, p)
        )
        for g in sorted(gold)
    }
    owner: dict[GoldSpan, GoldSpan] = {}  # predicted -> gold

    def augment(g: GoldSpan, seen: set[GoldSpan]) -> bool:
        for p in candidates[g]:
            if p not in seen:
                seen.add(p)
                if p not in owner or augment(owner[p], seen):
                    owner[p] = g
                    return True
        return False

    for g in candidates:
        augment(g, set())
    return {g: p for p, g in owner.items()}


def _count(gold: set[GoldSpan], predicted: set[GoldSpan], overlap: bool) -> dict[str, list[int]]:
    counts = {label: [0, 0, 0] for label in LABELS}  # tp, fp, fn
    if overlap:
        pairs = _overlap_matching(gold, predicted)
        matched_gold, matched_predicted = set(pairs), set(pairs.values())
    else:
        matched_gold = matched_predicted = gold & predicted
    for span in gold:
        counts[span.label][0 if span in matched_gold else 2] += 1
    for span in predicted:
        if span not in matched_predicted:
            counts[span.label][1] += 1
    return counts


def score_spans(
    gold: Sequence[Iterable[GoldSpan]], predicted: Sequence[Iterable[GoldSpan]], *, overlap: bool = False
) -> Scores:
    """Score predicted spans against gold spans, document by document (the two lists are aligned).

    Duplicate spans in a document count once. Spans with a label outside PER/ORG/LOC/MISC are refused.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold documents but {len(predicted)} predicted ones")
    totals = {label: [0, 0, 0] for label in LABELS}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        gold_set, predicted_set = set(gold_spans), set(predicted_spans)
        unknown = {s.label for s in gold_set | predicted_set} - set(LABELS)
        if unknown:
            raise ValueError(f"labels {sorted(unknown)} are not among {', '.join(LABELS)}")
        for label, (tp, fp, fn) in _count(gold_set, predicted_set, overlap).items():
            totals[label][0] += tp
            totals[label][1] += fp
            totals[label][2] += fn
    return Scores({label: ClassScore(label, *totals[label]) for label in LABELS})


def _in_scope(document: Document, spans: Iterable[GoldSpan]) -> tuple[GoldSpan, ...]:
    end = document.annotated_end
    return tuple(sorted({s for s in spans if end is None or s.start < end}))


def liaison_spans(extractor: Extractor, documents: Sequence[Document]) -> list[tuple[GoldSpan, ...]]:
    """Liaison's mentions in each document, as CoNLL-labelled spans (English pipeline)."""
    reports = [Report(text=document.text, language="en") for document in documents]
    results = []
    for document, extraction in zip(documents, extractor.extract_many(reports), strict=True):
        spans = [
            GoldSpan(mention.start, mention.end, LIAISON_LABELS[entity.type])
            for entity in extraction.entities
            if entity.type in LIAISON_LABELS
            for mention in entity.mentions
        ]
        results.append(_in_scope(document, spans))
    return results


def model_spans(extractor: Extractor, documents: Sequence[Document]) -> list[tuple[GoldSpan, ...]]:
    """The raw statistical model's entities in each document, as CoNLL-labelled spans (English model)."""
    results = []
    for document in documents:
        spans = [
            GoldSpan(entity.start, entity.end, MODEL_LABELS[entity.label])
            for entity in extractor.raw_entities(document.text, "en")
            if entity.label in MODEL_LABELS
        ]
        results.append(_in_scope(document, spans))
    return results


def evaluate(documents: Sequence[Document], extractor: Extractor, corpus: str = "") -> EvaluationResult:
    """Run Liaison and the raw model over ``documents`` and score both against the gold spans."""
    started = time.perf_counter()
    gold = [document.spans for document in documents]
    systems = []
    for name, predict in ((LIAISON, liaison_spans), (MODEL, model_spans)):
        predicted = predict(extractor, documents)
        systems.append(
            SystemResult(
                name,
                strict=score_spans(gold, predicted),
                overlap=score_spans(gold, predicted, overlap=True),
                predictions=tuple(predicted),
            )
        )
    return EvaluationResult(
        corpus=corpus,
        documents=len(documents),
        gold_spans=sum(len(set(spans)) for spans in gold),
        systems=tuple(systems),
        seconds=time.perf_counter() - started,
    )


def evaluate_conll(path: str | Path, extractor: Extractor) -> EvaluationResult:
    """Evaluate both systems on a CoNLL-2003 file."""
    return evaluate(read_conll(path), extractor, corpus=str(path))


def evaluate_meantime(directory: str | Path, extractor: Extractor) -> EvaluationResult:
    """Evaluate both systems on a directory of MEANTIME XML files (named mentions only)."""
    return evaluate(read_meantime_directory(directory), extractor, corpus=str(directory))


def format_table(result: EvaluationResult) -> str:
    """A Markdown table, system x class: strict P, R, F1, overlap F1 and gold support."""
    lines = [
        "| system | class | P | R | F1 | overlap F1 | support |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for system in result.systems:
        for strict, loose in zip(system.strict.rows(), system.overlap.rows(), strict=True):
            label = f"**{strict.label}**" if strict.label == CORE else strict.label
            lines.append(
                f"| {system.system} | {label} | {strict.precision:.3f} | {strict.recall:.3f} "
                f"| {strict.f1:.3f} | {loose.f1:.3f} | {strict.support} |"
            )
    return "\n".join(lines)
