"""Score Liaison's events on MEANTIME: event triggers and event participants.

Gold standard (``read_meantime_events``), over the text ``liaison.evaluation.meantime.read_meantime``
rebuilds (one space between tokens, a newline between sentences; token offsets are rebuilt by the same
rule and checked against that text):

- **Event mentions.** The ``EVENT_MENTION`` markables of the document-level annotation -- those that carry
  a ``pred`` attribute, even an empty one (157 of the 996 in the development half have ``pred=""``; they
  are ordinary mentions whose lemma was not filled in) -- anchored to tokens in the annotated window
  (``Document.annotated_end``). Mentions without a ``pred`` attribute belong to the cross-document layer:
  303 lie after the window and the 5 inside it repeat words already annotated, so they are left out.
  A mention's span runs from its first to its last token; 24 mentions have tokens with gaps
  ("decided to leave or was forced"), and only their tokens, not the gaps, count for overlap. A mention's
  class (``OTHER``, ``SPEECH_COGNITIVE``, ``GRAMMATICAL``, ``MIX``) is the ``class`` of the ``EVENT``
  instance it points to through ``REFERS_TO`` (``UNKNOWN`` when it points to none).
- **Participants.** ``HAS_PARTICIPANT`` relations from a gold event mention (source) to an
  ``ENTITY_MENTION`` (target), with its ``sem_role`` (Arg0, Arg1, Arg2, Argm-LOC ...). Targets that are
  ``VALUE`` markables (quantities: 20 links) cannot be entities and are counted in ``skipped_links``
  only. A repeated (event mention, target) pair counts once. A target is *named* when its span contains
  a named mention of ``read_meantime`` (NAM/PRE.NAM): "Louis Gallois , the chief executive ..." is
  named, "the company" or "it" is not.

Predictions: ``extractor.extract(Report(text, language="en", published=DCT))``. The predicted triggers
are the distinct ``(start, end)`` spans in ``Event.triggers`` of all events, those that start before
``annotated_end`` (a span shared by two events counts once); an event is *in the window* when one of
its triggers is.

Measures:

- **Triggers strict**: a predicted span equal to a gold mention's span (first to last token), one to one.
- **Triggers relaxed**: a maximum one-to-one pairing of predicted spans and gold mentions that overlap
  (a predicted span overlapping one of the mention's tokens), preferring exact spans, then larger
  overlaps, and serving mentions with fewer tokens first. Precision divides the pairs by the predicted
  spans, recall by the gold mentions. Recall is also broken down by gold class (strict and relaxed).
- **Participants.** An event's *arguments* are its participants' entities plus its ``location`` entity
  (MEANTIME's Argm-LOC links are participants too). Its *scored sentences* are the (MEANTIME) sentences
  that hold one of its in-window triggers; an argument's *scored mentions* are its entity's mentions
  (``Extraction.entities[*].mentions``) that start in those sentences. A Liaison event is *matched* when
  one of its triggers is paired (relaxed) with a gold mention; its *gold participants* are the targets
  of the gold mentions paired with its triggers.

  - A predicted pair is (event, argument) with at least one scored mention: an argument counts once per
    event however many mentions or roles it has. It is *correct* when one of its scored mentions
    overlaps one of the event's gold participants.
  - A gold link (gold mention, target) is *found* when the gold mention is paired with a trigger and an
    event owning that trigger has an argument with a scored mention overlapping the target.

  Two rows: ``participants`` (of matched events: gold = links whose event mention is paired, predicted
  = pairs of matched events) scores argument finding where the trigger was found; ``participants end
  to end`` (gold = every link, predicted = pairs of every event in the window) is the joint figure.
  Recall is broken down by ``sem_role`` and for named targets.

Liaison only looks for security and diplomacy events (meet, visit, sign, agree, arrest, attack, accuse
...), and these are business news (Airbus, Boeing, Apple): low trigger recall is expected.
"""

from __future__ import annotations

import bisect
import time
import xml.etree.ElementTree as ET  # local, trusted corpus files (no network input)
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from liaison.domain import Extraction, Report
from liaison.errors import InputError
from liaison.evaluation.meantime import parse_xml, read_meantime
from liaison.evaluation.timeml import date_prefix

Span = tuple[int, int]

UNKNOWN_CLASS = "UNKNOWN"


class EventExtractor(Protocol):
    """Anything that reads a report into an ``Extraction`` (``liaison.extract.Extractor`` or a fake)."""

    def extract(self, report: Report) -> Extraction: ...


# --------------------------------------------------------------------------------------------------------
# Gold standard
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldEventMention:
    """An ``EVENT_MENTION``: its span (first to last token), the spans of its tokens, and its attributes."""

    m_id: str
    start: int
    end: int
    tokens: tuple[Span, ...]
    pred: str
    pos: str
    event_class: str
    sentence: int


@dataclass(frozen=True)
class GoldParticipant:
    """A ``HAS_PARTICIPANT`` link from the event mention ``event`` to an entity mention."""

    event: str  # m_id of the gold event mention
    target: str  # m_id of the entity mention
    start: int
    end: int
    tokens: tuple[Span, ...]
    role: str
    named: bool


@dataclass(frozen=True)
class EventDocument:
    """A MEANTIME document with its gold event mentions and participant links."""

    name: str
    text: str
    dct: date | None
    annotated_end: int
    sentences: tuple[Span, ...]
    events: tuple[GoldEventMention, ...]
    participants: tuple[GoldParticipant, ...]
    skipped_links: int = 0  # HAS_PARTICIPANT links of gold mentions to non-entities (VALUE markables)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _touches(span: Span, tokens: Iterable[Span]) -> bool:
    return any(_overlaps(span, token) for token in tokens)


def read_meantime_events(path: str | Path) -> EventDocument:
    """Read the gold event mentions and participant links of one MEANTIME file (see the module doc)."""
    path = Path(path)
    document = read_meantime(path)
    root = parse_xml(path)
    source = str(path)
    offsets: dict[str, Span] = {}
    position = 0
    for token in root.iter("token"):
        word = (token.text or "").strip() or "_"
        if offsets:
            position += 1  # the space or newline read_meantime puts between tokens
        if document.text[position : position + len(word)] != word:
            raise InputError(source, "token offsets do not match the text read_meantime builds")
        offsets[token.get("t_id") or ""] = (position, position + len(word))
        position += len(word)
    sentences = tuple(document.sentences)
    starts = [start for start, _ in sentences]
    annotated_end = document.annotated_end if document.annotated_end is not None else len(document.text)

    markables_element = root.find("Markables")
    markables = {
        element.get("m_id") or "": element
        for element in (markables_element if markables_element is not None else [])
    }
    instance_of: dict[str, str] = {}
    for relation in root.iter("REFERS_TO"):
        target = relation.find("target")
        target_id = target.get("m_id") if target is not None else None
        for source_element in relation.findall("source"):
            instance_of.setdefault(source_element.get("m_id") or "", target_id or "")

    def tokens_of(element: ET.Element) -> tuple[Span, ...]:
        ids = [anchor.get("t_id") or "" for anchor in element.findall("token_anchor")]
        missing = [t_id for t_id in ids if t_id not in offsets]
        if missing:
            raise InputError(source, f"markable m_id={element.get('m_id')} anchors unknown tokens {missing}")
        return tuple(sorted({offsets[t_id] for t_id in ids}))

    events: list[GoldEventMention] = []
    for m_id, element in markables.items():
        if element.tag != "EVENT_MENTION" or element.get("pred") is None:
            continue
        tokens = tokens_of(element)
        if not tokens or tokens[0][0] >= annotated_end:
            continue
        instance = markables.get(instance_of.get(m_id, ""))
        event_class = instance.get("class") if instance is not None and instance.tag == "EVENT" else None
        events.append(
            GoldEventMention(
                m_id=m_id,
                start=tokens[0][0],
                end=max(end for _, end in tokens),
                tokens=tokens,
                pred=element.get("pred") or "",
                pos=element.get("pos") or "",
                event_class=(event_class or "").strip().upper() or UNKNOWN_CLASS,
                sentence=max(0, bisect.bisect_right(starts, tokens[0][0]) - 1),
            )
        )
    events.sort(key=lambda e: (e.start, e.end, e.m_id))
    gold_ids = {event.m_id for event in events}

    named_spans = [(span.start, span.end) for span in document.spans]
    participants: list[GoldParticipant] = []
    seen: set[tuple[str, str]] = set()
    skipped = 0
    for relation in root.iter("HAS_PARTICIPANT"):
        target_ids = [t.get("m_id") or "" for t in relation.findall("target")]
        for source_element in relation.findall("source"):
            event_id = source_element.get("m_id") or ""
            if event_id not in gold_ids:
                continue
            for target_id in target_ids:
                target = markables.get(target_id)
                tokens = tokens_of(target) if target is not None else ()
                if target is None or target.tag != "ENTITY_MENTION" or not tokens:
                    skipped += 1
                    continue
                if (event_id, target_id) in seen:
                    continue
                seen.add((event_id, target_id))
                start, end = tokens[0][0], max(e for _, e in tokens)
                participants.append(
                    GoldParticipant(
                        event=event_id,
                        target=target_id,
                        start=start,
                        end=end,
                        tokens=tokens,
                        role=relation.get("sem_role") or "",
                        named=any(start <= s and e <= end for s, e in named_spans),
                    )
                )
    return EventDocument(
        name=document.name,
        text=document.text,
        dct=date_prefix(document.dct),
        annotated_end=annotated_end,
        sentences=sentences,
        events=tuple(events),
        participants=tuple(participants),
        skipped_links=skipped,
    )


# --------------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------------


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Score:
    """Precision over ``predicted`` (``correct`` of them right), recall over ``gold`` (``found`` of them).

    For triggers the pairing is one to one, so ``found == correct``; for participants the units differ
    (gold links against predicted event-argument pairs). Add two to pool documents (micro-average).
    """

    gold: int = 0
    predicted: int = 0
    found: int = 0
    correct: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.found + other.found,
            self.correct + other.correct,
        )

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


@dataclass(frozen=True)
class ClassRecall:
    """Gold event mentions of one class, and how many were matched strictly and by overlap."""

    gold: int = 0
    strict: int = 0
    relaxed: int = 0

    def __add__(self, other: ClassRecall) -> ClassRecall:
        return ClassRecall(self.gold + other.gold, self.strict + other.strict, self.relaxed + other.relaxed)

    @property
    def strict_recall(self) -> float:
        return self.strict / self.gold if self.gold else 0.0

    @property
    def relaxed_recall(self) -> float:
        return self.relaxed / self.gold if self.gold else 0.0


@dataclass(frozen=True)
class LinkRecall:
    """Gold participant links of one kind: all, those whose event mention was matched, those found."""

    gold: int = 0
    matched: int = 0
    found: int = 0

    def __add__(self, other: LinkRecall) -> LinkRecall:
        return LinkRecall(self.gold + other.gold, self.matched + other.matched, self.found + other.found)

    @property
    def recall(self) -> float:
        """Recall over the links whose event mention was matched."""
        return self.found / self.matched if self.matched else 0.0

    @property
    def end_to_end_recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0


def _add_into(totals: dict[str, ClassRecall], parts: dict[str, ClassRecall]) -> None:
    for key, value in parts.items():
        totals[key] = totals.get(key, ClassRecall()) + value


def _add_links(totals: dict[str, LinkRecall], parts: dict[str, LinkRecall]) -> None:
    for key, value in parts.items():
        totals[key] = totals.get(key, LinkRecall()) + value


@dataclass(frozen=True)
class DocumentEventResult:
    """One document: the predicted trigger spans, the relaxed pairs, and its counts."""

    document: EventDocument
    predicted: tuple[Span, ...]
    pairs: dict[str, Span]  # gold event mention m_id -> the predicted trigger paired with it (relaxed)
    triggers_strict: Score
    triggers_relaxed: Score
    participants: Score
    participants_end_to_end: Score
    by_class: dict[str, ClassRecall]
    by_role: dict[str, LinkRecall]
    named: LinkRecall


def _relaxed_pairs(gold: Sequence[GoldEventMention], predicted: Sequence[Span]) -> dict[int, Span]:
    """A maximum one-to-one pairing of gold mentions and overlapping predicted spans (augmenting paths).

    Each gold mention tries the exact span first, then larger overlaps; mentions with fewer tokens are
    served first, so "signed a deal" goes to the mention "signed" rather than to a coordination mention
    "met ... and signed" when only one of them can have it.
    """

    def overlap(g: GoldEventMention, p: Span) -> int:
        return sum(max(0, min(e, p[1]) - max(s, p[0])) for s, e in g.tokens)

    candidates = {
        index: sorted(
            (p for p in predicted if _touches(p, g.tokens)),
            key=lambda p: (p != (g.start, g.end), -overlap(g, p), p),
        )
        for index, g in enumerate(gold)
    }
    owner: dict[Span, int] = {}

    def augment(index: int, seen: set[Span]) -> bool:
        for p in candidates[index]:
            if p not in seen:
                seen.add(p)
                if p not in owner or augment(owner[p], seen):
                    owner[p] = index
                    return True
        return False

    for index in sorted(candidates, key=lambda i: (len(gold[i].tokens), gold[i].start, gold[i].end)):
        augment(index, set())
    return {index: p for p, index in owner.items()}


def score_document(document: EventDocument, extraction: Extraction) -> DocumentEventResult:
    """Score one extraction against one gold document (see the module doc for the definitions)."""
    limit = document.annotated_end
    starts = [start for start, _ in document.sentences]

    def sentence_of(offset: int) -> int:
        return max(0, bisect.bisect_right(starts, offset) - 1)

    owners: dict[Span, list[int]] = defaultdict(list)
    for index, event in enumerate(extraction.events):
        for start, end in event.triggers:
            if start < limit and index not in owners[(start, end)]:
                owners[(start, end)].append(index)
    predicted = tuple(sorted(owners))
    gold = document.events

    # Triggers
    gold_spans = Counter((g.start, g.end) for g in gold)
    strict = sum(1 for span in gold_spans if span in owners)
    pairs = _relaxed_pairs(gold, predicted)
    triggers_strict = Score(len(gold), len(predicted), strict, strict)
    triggers_relaxed = Score(len(gold), len(predicted), len(pairs), len(pairs))
    # strict hits per class: a gold span given twice is credited once, to its first mention
    by_class: dict[str, ClassRecall] = {}
    credited: set[Span] = set()
    for index, g in enumerate(gold):
        span = (g.start, g.end)
        exact = span in owners and span not in credited
        if exact:
            credited.add(span)
        by_class[g.event_class] = by_class.get(g.event_class, ClassRecall()) + ClassRecall(
            1, int(exact), int(index in pairs)
        )

    # Participants
    mentions: dict[str, list[Span]] = defaultdict(list)
    for entity in extraction.entities:
        mentions[entity.id].extend((m.start, m.end) for m in entity.mentions)
    in_window = sorted({i for indexes in owners.values() for i in indexes})
    arguments: dict[int, dict[str, list[Span]]] = {}  # event -> argument entity id -> scored mentions
    for i in in_window:
        event = extraction.events[i]
        scored = {sentence_of(start) for start, _ in event.triggers if start < limit}
        ids = [p.entity for p in event.participants] + ([event.location] if event.location else [])
        arguments[i] = {}
        for entity_id in dict.fromkeys(ids):
            spans = [span for span in mentions.get(entity_id, []) if sentence_of(span[0]) in scored]
            if spans:
                arguments[i][entity_id] = spans
    links_of: dict[str, list[GoldParticipant]] = defaultdict(list)
    for link in document.participants:
        links_of[link.event].append(link)
    gold_of_event: dict[int, list[GoldParticipant]] = defaultdict(list)
    paired_trigger: dict[str, Span] = {}
    for index, span in pairs.items():
        paired_trigger[gold[index].m_id] = span
        for i in owners[span]:
            gold_of_event[i].extend(links_of[gold[index].m_id])

    matched_pairs = correct_matched = all_pairs = correct_all = 0
    paired_spans = set(pairs.values())
    for i, argument_spans in arguments.items():
        matched = any(tuple(p) in paired_spans for p in extraction.events[i].triggers)
        targets = [link.tokens for link in gold_of_event.get(i, [])]
        for spans in argument_spans.values():
            right = any(_touches(span, tokens) for span in spans for tokens in targets)
            all_pairs += 1
            correct_all += right
            if matched:
                matched_pairs += 1
                correct_matched += right

    by_role: dict[str, LinkRecall] = {}
    named = LinkRecall()
    gold_matched = found = 0
    for link in document.participants:
        trigger = paired_trigger.get(link.event)
        hit = trigger is not None and any(
            _touches(span, link.tokens)
            for i in owners[trigger]
            for spans in arguments[i].values()
            for span in spans
        )
        counts = LinkRecall(1, int(trigger is not None), int(hit))
        gold_matched += counts.matched
        found += counts.found
        by_role[link.role] = by_role.get(link.role, LinkRecall()) + counts
        if link.named:
            named += counts
    participants = Score(gold_matched, matched_pairs, found, correct_matched)
    end_to_end = Score(len(document.participants), all_pairs, found, correct_all)
    return DocumentEventResult(
        document=document,
        predicted=predicted,
        pairs={gold[index].m_id: span for index, span in sorted(pairs.items())},
        triggers_strict=triggers_strict,
        triggers_relaxed=triggers_relaxed,
        participants=participants,
        participants_end_to_end=end_to_end,
        by_class=by_class,
        by_role=by_role,
        named=named,
    )


@dataclass(frozen=True)
class EventEvaluation:
    """Pooled (micro-averaged) event scores over a corpus, with per-document results and the run time."""

    corpus: str
    triggers_strict: Score
    triggers_relaxed: Score
    participants: Score
    participants_end_to_end: Score
    by_class: dict[str, ClassRecall]
    by_role: dict[str, LinkRecall]
    named: LinkRecall
    documents: list[DocumentEventResult] = field(default_factory=list)
    skipped_links: int = 0
    seconds: float = 0.0


def evaluate_event_documents(
    documents: Sequence[EventDocument], extractor: EventExtractor, corpus: str = ""
) -> EventEvaluation:
    """Run ``extractor`` on each document (English, published on its DCT) and pool the scores."""
    began = time.perf_counter()
    results = []
    for document in documents:
        report = Report(text=document.text, language="en", published=document.dct)
        results.append(score_document(document, extractor.extract(report)))
    by_class: dict[str, ClassRecall] = {}
    by_role: dict[str, LinkRecall] = {}
    for result in results:
        _add_into(by_class, result.by_class)
        _add_links(by_role, result.by_role)
    return EventEvaluation(
        corpus=corpus,
        triggers_strict=sum((r.triggers_strict for r in results), Score()),
        triggers_relaxed=sum((r.triggers_relaxed for r in results), Score()),
        participants=sum((r.participants for r in results), Score()),
        participants_end_to_end=sum((r.participants_end_to_end for r in results), Score()),
        by_class=dict(sorted(by_class.items(), key=lambda kv: (-kv[1].gold, kv[0]))),
        by_role=dict(sorted(by_role.items(), key=lambda kv: (-kv[1].gold, kv[0]))),
        named=sum((r.named for r in results), LinkRecall()),
        documents=results,
        skipped_links=sum(d.skipped_links for d in documents),
        seconds=time.perf_counter() - began,
    )


def read_meantime_event_directory(directory: str | Path) -> list[EventDocument]:
    """Read every ``*.xml`` file under ``directory`` (recursively, in path order)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(str(directory), "not a directory; point at the MEANTIME corpus folder")
    files = sorted(directory.rglob("*.xml"))
    if not files:
        raise InputError(str(directory), "no MEANTIME .xml files found in it")
    return [read_meantime_events(file) for file in files]


def evaluate_meantime_events(directory: str | Path, extractor: EventExtractor) -> EventEvaluation:
    """Score Liaison's event triggers and participants on every MEANTIME file under ``directory``."""
    documents = read_meantime_event_directory(directory)
    return evaluate_event_documents(documents, extractor, corpus=f"MEANTIME {Path(directory).name}")


def _row(label: str, score: Score) -> str:
    return (
        f"| {label} | {score.gold} | {score.found} | {score.predicted} | {score.correct} "
        f"| {score.precision:.3f} | {score.recall:.3f} | {score.f1:.3f} |"
    )


def format_event_table(result: EventEvaluation) -> str:
    """Markdown: the trigger and participant scores, then recall by gold class and by semantic role."""
    lines = [
        f"Events on {result.corpus}: {len(result.documents)} documents, {result.triggers_strict.gold} gold "
        f"event mentions, {result.triggers_strict.predicted} predicted triggers, "
        f"{result.participants_end_to_end.gold} gold participant links "
        f"({result.skipped_links} links to quantities left out); {result.seconds:.1f} s.",
        "",
        "| measure | gold | found | predicted | correct | P | R | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        _row("triggers strict", result.triggers_strict),
        _row("triggers relaxed", result.triggers_relaxed),
        _row("participants (matched events)", result.participants),
        _row("participants end to end", result.participants_end_to_end),
        "",
        "| gold class | gold | strict R | relaxed R |",
        "|---|---:|---:|---:|",
    ]
    for label, recall in result.by_class.items():
        lines.append(
            f"| {label} | {recall.gold} | {recall.strict_recall:.3f} | {recall.relaxed_recall:.3f} |"
        )
    lines += [
        "",
        "| gold role | links | event matched | found | R (matched) | R (end to end) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, links in [*result.by_role.items(), ("named targets", result.named)]:
        lines.append(
            f"| {label} | {links.gold} | {links.matched} | {links.found} | {links.recall:.3f} "
            f"| {links.end_to_end_recall:.3f} |"
        )
    return "\n".join(lines)
