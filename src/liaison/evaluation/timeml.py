"""Score the temporal tagger (``liaison.extract.timex``) the TempEval-3 way, on TimeML and on MEANTIME.

Readers:

- ``read_timeml``: a TempEval-3 TimeML file. The text is the content of ``<TEXT>`` with every tag
  removed (kept character for character, so offsets are into it); the gold expressions are its inline
  ``<TIMEX3>`` elements; the DCT is the ``<DCT>``'s TIMEX3 (or any TIMEX3 whose ``functionInDocument``
  is ``CREATION_TIME``).
- ``read_meantime_times``: a MEANTIME (NewsReader) file. The text is rebuilt exactly as
  ``liaison.evaluation.meantime.read_meantime`` rebuilds it (one space between tokens, a newline between
  sentences), and only its annotated window (title, dateline and first body sentences) is scored. Gold
  expressions are the TIMEX3 markables anchored to tokens (those with no tokens -- dates implied by the
  text, such as the start of a duration -- cannot be found and are skipped). The CREATION_TIME TIMEX3
  is anchored to the dateline tokens ("March 01 , 2008", sentence 1): it is a date written in the text,
  so it counts as a gold expression by default (``include_creation_time=False`` leaves it out and drops
  predictions that overlap it). Two files have no CREATION_TIME; their dateline is an ordinary TIMEX3.

Measures (TempEval-3, Task A): extent precision/recall/F1 strict (same span) and relaxed (overlapping
spans, paired one to one); value precision/recall/F1 over the relaxed pairs (a pair counts when both
values are equal; precision divides by the predictions, recall by the gold expressions); type accuracy
over the relaxed pairs.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET  # local, trusted corpus files (no network input)
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from liaison.errors import InputError
from liaison.evaluation.meantime import parse_xml, read_meantime
from liaison.extract.timex import find_times, infer_dct

_DATE_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class TimexLike(Protocol):
    """Anything with a span, a type and a TIMEX3 value: a gold ``GoldTime`` or a predicted ``Time``."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def type(self) -> str: ...

    @property
    def value(self) -> str: ...


@dataclass(frozen=True, order=True)
class GoldTime:
    """A gold temporal expression: character offsets into ``TimeDocument.text``, TIMEX3 type and value."""

    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True)
class TimeDocument:
    """A document with its gold temporal expressions; ``annotated_end`` bounds the scored text."""

    name: str
    text: str
    dct: date | None
    times: list[GoldTime]
    annotated_end: int | None = None
    ignored: list[tuple[int, int]] = field(default_factory=list)  # spans where predictions are not scored


@dataclass(frozen=True)
class TimexScores:
    """TempEval-3 counts; add two to pool documents (micro-average)."""

    gold: int = 0
    predicted: int = 0
    strict: int = 0  # predictions with exactly the span of a gold expression
    relaxed: int = 0  # one-to-one pairs of overlapping predictions and gold expressions
    value: int = 0  # relaxed pairs with the same value
    type: int = 0  # relaxed pairs with the same type

    def __add__(self, other: TimexScores) -> TimexScores:
        return TimexScores(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.strict + other.strict,
            self.relaxed + other.relaxed,
            self.value + other.value,
            self.type + other.type,
        )

    @staticmethod
    def _f1(precision: float, recall: float) -> float:
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def _precision(self, hits: int) -> float:
        return hits / self.predicted if self.predicted else 0.0

    def _recall(self, hits: int) -> float:
        return hits / self.gold if self.gold else 0.0

    @property
    def strict_precision(self) -> float:
        return self._precision(self.strict)

    @property
    def strict_recall(self) -> float:
        return self._recall(self.strict)

    @property
    def strict_f1(self) -> float:
        return self._f1(self.strict_precision, self.strict_recall)

    @property
    def relaxed_precision(self) -> float:
        return self._precision(self.relaxed)

    @property
    def relaxed_recall(self) -> float:
        return self._recall(self.relaxed)

    @property
    def relaxed_f1(self) -> float:
        return self._f1(self.relaxed_precision, self.relaxed_recall)

    @property
    def value_precision(self) -> float:
        return self._precision(self.value)

    @property
    def value_recall(self) -> float:
        return self._recall(self.value)

    @property
    def value_f1(self) -> float:
        return self._f1(self.value_precision, self.value_recall)

    @property
    def type_accuracy(self) -> float:
        return self.type / self.relaxed if self.relaxed else 0.0


def _pairs(gold: Sequence[TimexLike], predicted: Sequence[TimexLike]) -> list[tuple[int, int]]:
    """One-to-one pairs of overlapping gold and predicted expressions, best pairs first: same span, then
    same value, then larger overlap (so overlapping gold expressions each get their best prediction)."""
    candidates = []
    for g_index, g in enumerate(gold):
        for p_index, p in enumerate(predicted):
            overlap = min(g.end, p.end) - max(g.start, p.start)
            if overlap > 0:
                exact = (g.start, g.end) == (p.start, p.end)
                candidates.append((not exact, g.value != p.value, -overlap, g_index, p_index))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for *_, g_index, p_index in candidates:
        if g_index in used_gold or p_index in used_predicted:
            continue
        used_gold.add(g_index)
        used_predicted.add(p_index)
        pairs.append((g_index, p_index))
    return pairs


def score_times(gold: Sequence[TimexLike], predicted: Sequence[TimexLike]) -> TimexScores:
    """TempEval-3 counts of ``predicted`` against ``gold`` (both in the same text)."""
    gold_spans = Counter((g.start, g.end) for g in gold)
    predicted_spans = Counter((p.start, p.end) for p in predicted)
    strict = sum(min(count, predicted_spans[span]) for span, count in gold_spans.items())
    pairs = _pairs(gold, predicted)
    value = sum(1 for g, p in pairs if gold[g].value == predicted[p].value)
    same_type = sum(1 for g, p in pairs if str(gold[g].type) == str(predicted[p].type))
    return TimexScores(len(gold), len(predicted), strict, len(pairs), value, same_type)


# --------------------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def date_prefix(value: str | None) -> date | None:
    """The calendar date a TIMEX3 value starts with ("2007-02-28T10:00" -> 2007-02-28), or None."""
    match = _DATE_PREFIX.match(value or "")
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def read_timeml(path: str | Path) -> TimeDocument:
    """Read a TempEval-3 TimeML file: the text of ``<TEXT>`` without tags, its TIMEX3s and the DCT."""
    path = Path(path)
    root = parse_xml(path)
    text_element = next((element for element in root.iter() if _local(element.tag) == "TEXT"), None)
    if text_element is None:
        raise InputError(str(path), "no <TEXT> element: is this a TimeML file?")

    parts: list[str] = []
    offset = 0
    times: list[GoldTime] = []

    def walk(element: ET.Element) -> None:
        nonlocal offset
        if element.text:
            parts.append(element.text)
            offset += len(element.text)
        for child in element:
            start = offset
            walk(child)
            if _local(child.tag) == "TIMEX3":
                times.append(GoldTime(start, offset, child.get("type") or "", child.get("value") or ""))
            if child.tail:
                parts.append(child.tail)
                offset += len(child.tail)

    walk(text_element)
    dct_value = None
    for element in root.iter():
        if _local(element.tag) == "DCT":
            timex = next((child for child in element.iter() if _local(child.tag) == "TIMEX3"), None)
            dct_value = timex.get("value") if timex is not None else (element.text or "").strip()
            break
    if dct_value is None:
        dct_value = next(
            (
                element.get("value")
                for element in root.iter()
                if _local(element.tag) == "TIMEX3" and element.get("functionInDocument") == "CREATION_TIME"
            ),
            None,
        )
    docid = next((element.text for element in root.iter() if _local(element.tag) == "DOCID"), None)
    return TimeDocument(
        name=(docid or "").strip() or path.stem,
        text="".join(parts),
        dct=date_prefix(dct_value),
        times=sorted(times),
    )


def read_meantime_times(path: str | Path, *, include_creation_time: bool = True) -> TimeDocument:
    """Read the TIMEX3 markables of a MEANTIME file, over the text ``read_meantime`` builds."""
    path = Path(path)
    document = read_meantime(path)
    root = parse_xml(path)
    # Token offsets, rebuilt by the rule read_meantime uses (checked against its text below).
    offsets: dict[str, tuple[int, int]] = {}
    position = 0
    for token in root.iter("token"):
        word = (token.text or "").strip() or "_"
        if offsets:
            position += 1  # the space or newline read_meantime puts between tokens
        if document.text[position : position + len(word)] != word:
            raise InputError(str(path), "token offsets do not match the text read_meantime builds")
        offsets[token.get("t_id") or ""] = (position, position + len(word))
        position += len(word)
    markables = root.find("Markables")
    times: list[GoldTime] = []
    ignored: list[tuple[int, int]] = []
    for element in markables if markables is not None else []:
        if element.tag != "TIMEX3":
            continue
        anchors = [anchor.get("t_id") or "" for anchor in element.findall("token_anchor")]
        spans = [offsets[t_id] for t_id in anchors if t_id in offsets]
        if not spans:
            continue  # an implicit time (no words in the text)
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        if not include_creation_time and element.get("functionInDocument") == "CREATION_TIME":
            ignored.append((start, end))
            continue
        times.append(GoldTime(start, end, element.get("type") or "", element.get("value") or ""))
    return TimeDocument(
        name=document.name,
        text=document.text,
        dct=date_prefix(document.dct),
        times=sorted(times),
        annotated_end=document.annotated_end,
        ignored=ignored,
    )


def _files(directory: str | Path, patterns: Iterable[str], what: str) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(str(directory), f"not a directory; point at the {what} folder")
    files = sorted({file for pattern in patterns for file in directory.rglob(pattern)})
    if not files:
        raise InputError(str(directory), f"no {what} files found in it")
    return files


# --------------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentResult:
    """One document: its gold expressions, what the tagger found in the scored window, and the counts."""

    document: TimeDocument
    predicted: list[GoldTime]
    scores: TimexScores


@dataclass(frozen=True)
class TimexEvaluation:
    """Pooled TempEval-3 scores over a corpus, per-document results, and the tagger's speed."""

    corpus: str
    scores: TimexScores
    documents: list[DocumentResult] = field(default_factory=list)
    seconds: float = 0.0
    words: int = 0

    @property
    def milliseconds_per_1000_words(self) -> float:
        return 1_000_000 * self.seconds / self.words if self.words else 0.0


def evaluate_documents(
    documents: Sequence[TimeDocument], corpus: str, language: str = "en"
) -> TimexEvaluation:
    """Run ``find_times`` on each document (with its DCT, else the one the text gives) and score it."""
    total = TimexScores()
    results = []
    seconds = 0.0
    words = 0
    for document in documents:
        dct = document.dct or infer_dct(document.text, language)
        began = time.perf_counter()
        found = find_times(document.text, dct, language)
        seconds += time.perf_counter() - began
        words += len(document.text.split())
        limit = document.annotated_end if document.annotated_end is not None else len(document.text)
        predicted = [
            GoldTime(t.start, t.end, str(t.type), t.value)
            for t in found
            if t.start < limit and not any(t.start < end and start < t.end for start, end in document.ignored)
        ]
        scores = score_times(document.times, predicted)
        total += scores
        results.append(DocumentResult(document, predicted, scores))
    return TimexEvaluation(corpus, total, results, seconds, words)


def evaluate_timeml(directory: str | Path, language: str = "en") -> TimexEvaluation:
    """Score the tagger on every TimeML file (``*.tml``, ``*.xml``) under ``directory``."""
    files = _files(directory, ("*.tml", "*.xml"), "TimeML")
    return evaluate_documents(
        [read_timeml(file) for file in files], f"TimeML {Path(directory).name}", language
    )


def evaluate_meantime_times(directory: str | Path, *, include_creation_time: bool = True) -> TimexEvaluation:
    """Score the tagger on every MEANTIME file under ``directory`` (English), annotated windows only."""
    files = _files(directory, ("*.xml",), "MEANTIME")
    documents = [read_meantime_times(file, include_creation_time=include_creation_time) for file in files]
    label = "MEANTIME" + ("" if include_creation_time else " (datelines excluded)")
    return evaluate_documents(documents, f"{label} {Path(directory).name}", "en")


def format_timex_table(result: TimexEvaluation) -> str:
    """A Markdown table of the TempEval-3 measures, with counts and speed."""
    s = result.scores
    lines = [
        f"TIMEX3 on {result.corpus}: {len(result.documents)} documents, {s.gold} gold expressions, "
        f"{s.predicted} predicted",
        "",
        "| measure | precision | recall | F1 |",
        "|---|---:|---:|---:|",
        f"| extent strict | {s.strict_precision:.3f} | {s.strict_recall:.3f} | {s.strict_f1:.3f} |",
        f"| extent relaxed | {s.relaxed_precision:.3f} | {s.relaxed_recall:.3f} | {s.relaxed_f1:.3f} |",
        f"| value | {s.value_precision:.3f} | {s.value_recall:.3f} | {s.value_f1:.3f} |",
        "",
        f"Type accuracy (over relaxed matches): {s.type_accuracy:.3f}. "
        f"Speed: {result.milliseconds_per_1000_words:.2f} ms per 1,000 words.",
    ]
    return "\n".join(lines)


def format_timex_misses(result: TimexEvaluation) -> str:
    """Per document, the gold and predicted expressions that did not match with the same value."""
    lines = []
    for item in result.documents:
        text = item.document.text
        pairs = _pairs(item.document.times, item.predicted)
        good_gold = {g for g, p in pairs if item.document.times[g].value == item.predicted[p].value}
        good_predicted = {p for g, p in pairs if item.document.times[g].value == item.predicted[p].value}
        paired = dict(pairs)
        misses = []
        for index, gold in enumerate(item.document.times):
            if index in good_gold:
                continue
            found = item.predicted[paired[index]] if index in paired else None
            got = f"{text[found.start : found.end]!r} {found.value}" if found else "-"
            misses.append(
                f"  gold {text[gold.start : gold.end]!r} {gold.type} {gold.value}  | predicted {got}"
            )
        unpaired = {p for _, p in pairs}
        for index, predicted in enumerate(item.predicted):
            if index not in good_predicted and index not in unpaired:
                misses.append(
                    f"  extra {text[predicted.start : predicted.end]!r} {predicted.type} {predicted.value}"
                )
        if misses:
            lines.append(f"{item.document.name} (DCT {item.document.dct})")
            lines.extend(misses)
    return "\n".join(lines)
