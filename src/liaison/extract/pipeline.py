"""The extraction stage: ``Report -> Extraction``.

spaCy objects never leave this package. An ``Extractor`` loads one pipeline per language on first use,
runs the report's main language over the whole text, and re-runs paragraphs identified as another
supported language (a French post quoted in an English article) through that language's pipeline.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from time import monotonic

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from liaison.domain import Extraction, KnownName, Report, Sentence, Time
from liaison.errors import ExtractionError, ReportTimeout
from liaison.extract import components, events, layers
from liaison.extract.acronyms import find_acronyms
from liaison.extract.aliases import match_known_names, split_sentences
from liaison.extract.candidates import Candidate
from liaison.extract.claims import extract_claims
from liaison.extract.deadline import Clock, Deadline, check_deadline, deadline_scope
from liaison.extract.event_building import build_events
from liaison.extract.events import EventCandidate
from liaison.extract.gazetteer import load_gazetteer
from liaison.extract.grouping import group_candidates
from liaison.extract.language import Block, identify, language_blocks
from liaison.extract.markers import find_markers
from liaison.extract.roles import extract_roles
from liaison.extract.timex import find_times, infer_dct
from liaison.extract.topics import TopicHit, find_topics, report_topics
from liaison.settings import Settings

EXTRACTOR_VERSION = "1"
# Importing these modules registers Liaison's spaCy factories.
_FACTORY_MODULES = (components, layers, events)

# Added after the statistical NER, in this order; each adds votes or candidates (see candidates.py).
LIAISON_COMPONENTS = ("liaison_entity_typing", "liaison_places", "liaison_name_cues", "liaison_events")


@dataclass(frozen=True)
class RawEntity:
    """An entity exactly as the statistical model labelled it (for evaluation against Liaison)."""

    start: int
    end: int
    label: str


@cache
def load_pipeline(model: str) -> Language:
    """Load a spaCy model and add Liaison's components; once per process, as loading takes seconds."""
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise ExtractionError(f"spaCy model {model!r} is not installed; run `make setup`") from error
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("liaison_sentence_boundaries", before="parser")
    for component in LIAISON_COMPONENTS:
        nlp.add_pipe(component, last=True)
    return nlp


class Extractor:
    """Runs Liaison's NLP pipeline over reports. Create one per process: loading models is costly."""

    def __init__(
        self, settings: Settings, known_names: Sequence[KnownName] = (), clock: Clock = monotonic
    ) -> None:
        self._models = dict(settings.models)
        self._max_report_seconds = settings.max_report_seconds
        self._clock = clock  # replaced in tests to make a report overrun deterministically
        # Names of stored entities, matched in reports whose language has no pipeline.
        self._known_names = tuple(known_names)

    @property
    def supported_languages(self) -> tuple[str, ...]:
        return tuple(self._models)

    @functools.cached_property
    def version(self) -> str:
        parts = [f"liaison-extract/{EXTRACTOR_VERSION}"]
        for language in sorted(self._models):
            name = self._models[language]
            try:
                parts.append(f"{name}/{version(name.replace('_', '-'))}")
            except PackageNotFoundError:
                parts.append(name)
        return " ".join(parts)

    def pipeline(self, language: str) -> Language:
        """The loaded spaCy pipeline for ``language``, with Liaison's components added."""
        model = self._models.get(language)
        if model is None:
            raise ExtractionError(f"no pipeline is configured for language {language!r}")
        return load_pipeline(model)

    def report_language(self, report: Report) -> str:
        if report.language:
            return report.language.lower()[:2]
        language, _ = identify(report.text)
        return language

    def extract(self, report: Report) -> Extraction:
        """Run the pipeline over one report."""
        return next(self.extract_many([report]))

    def extract_many(self, reports: Iterable[Report], batch_size: int = 16) -> Iterator[Extraction]:
        """Run the pipeline over reports, batching texts of the same language through ``nlp.pipe``.

        A report over the time cap raises its ``ReportTimeout``; ``extract_outcomes`` goes on past it.
        """
        for outcome in self.extract_outcomes(reports, batch_size):
            if isinstance(outcome, ReportTimeout):
                raise outcome
            yield outcome

    def extract_outcomes(
        self, reports: Iterable[Report], batch_size: int = 16
    ) -> Iterator[Extraction | ReportTimeout]:
        """Each report's extraction in input order, or the ``ReportTimeout`` of a report that took longer
        than ``max_report_seconds``: the others of its batch are extracted all the same."""
        batch: list[Report] = []
        for report in reports:
            batch.append(report)
            if len(batch) >= batch_size:
                yield from self._extract_capped(batch)
                batch = []
        if batch:
            yield from self._extract_capped(batch)

    def _deadline(self, label: str, charged: float = 0.0) -> Deadline:
        return Deadline(self._max_report_seconds, label, self._clock, charged)

    def _extract_capped(self, reports: Sequence[Report]) -> list[Extraction | ReportTimeout]:
        """Extract a batch, each report within the cap.

        The parse runs the batch through ``nlp.pipe`` at once, so its time cannot be split by report: it
        is held to the cap as a whole and charged in full to every report of the batch, whose own reading
        then runs on its own clock. A batch whose parse overruns, or a report that overruns after a shared
        parse, is redone alone, so a report is skipped only for time it alone took. The price: a report
        over the cap holds its worker for up to about three caps (the batch's parse, its reading, its
        retry alone), each overrun by at most one uninterruptible step (a model over one parse chunk).
        """
        alone = len(reports) == 1
        languages = [self.report_language(report) for report in reports]
        for language in set(languages) & set(self._models):
            self.pipeline(language)  # loading a model (seconds, once per process) is not the report's time
        parse = self._deadline(label_of(reports[0]) if alone else f"a batch of {len(reports)} reports")
        try:
            with deadline_scope(parse):
                docs = self._parse(reports, languages)
        except ReportTimeout as timeout:
            if alone:
                return [timeout]
            return [outcome for report in reports for outcome in self._extract_capped([report])]
        results: list[Extraction | ReportTimeout] = []
        for index, report in enumerate(reports):
            deadline = self._deadline(label_of(report), charged=parse.elapsed)
            try:
                with deadline_scope(deadline):
                    results.append(self._build(replace(report, language=languages[index]), docs.get(index)))
            except ReportTimeout as timeout:
                results.extend([timeout] if alone else self._extract_capped([report]))
        return results

    def _parse(self, reports: Sequence[Report], languages: Sequence[str]) -> dict[int, list[tuple[int, Doc]]]:
        """The docs of the reports in a supported language, by index."""
        docs: dict[int, list[tuple[int, Doc]]] = {}
        by_language: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for index, language in enumerate(languages):
            if language in self._models:
                for offset, chunk in split_for_parsing(reports[index].text, PARSE_CHUNK_CHARACTERS):
                    by_language[language].append((index, offset, chunk))
        for language, pieces in by_language.items():
            nlp = self.pipeline(language)
            # nlp.pipe runs each model over a whole minibatch before yielding a doc, and no check can
            # interrupt a model: minibatches of at most one parse chunk's characters keep the work between
            # two checks bounded (about ten seconds of a loaded core) while short reports still batch.
            for group in batches_of_characters(pieces, PARSE_CHUNK_CHARACTERS):
                texts = [chunk for _, _, chunk in group]
                for (index, offset, _), doc in zip(
                    group, nlp.pipe(texts, batch_size=len(texts)), strict=True
                ):
                    check_deadline()
                    docs.setdefault(index, []).append((offset, doc))
        return docs

    def _build(self, report: Report, docs: list[tuple[int, Doc]] | None) -> Extraction:
        language = report.language or "und"
        if report.published is None:
            # No metadata dates the report: the latest full date it writes (a dateline, a dated post).
            inferred = infer_dct(report.text, language)
            if inferred is not None:
                report = replace(report, published=inferred, published_inferred=True)
        reading = _Reading()
        if docs is not None:
            foreign = [
                block
                for block in language_blocks(report.text, language)
                if block.language != language and block.language in self._models
            ]
            for offset, doc in docs:
                _read_doc(reading, doc, offset, language, excluded=foreign)
            reading.blocks = _main_blocks(len(report.text), language, foreign)
            for block in foreign:
                # In parse chunks like the main text: bounded memory, and a deadline check between them.
                block_text = report.text[block.start : block.end]
                for offset, piece in split_for_parsing(block_text, PARSE_CHUNK_CHARACTERS):
                    check_deadline()
                    block_doc = self.pipeline(block.language)(piece)
                    _read_doc(reading, block_doc, block.start + offset, block.language)
        reading.sentences.sort()
        sentence_list = tuple(
            Sentence(i, start, end, lang) for i, (start, end, lang) in enumerate(reading.sentences)
        )
        if docs is None:
            sentence_list = split_sentences(report.text, language)
            entities = match_known_names(report.text, self._known_names, sentence_list, language)
        else:
            entities = group_candidates(
                report.text,
                reading.candidates,
                sentence_list,
                find_markers(report.text),
                find_acronyms(report.text),
                load_gazetteer(),
            )
        check_deadline()
        roles = extract_roles(report.text, report.id, entities, sentence_list)
        check_deadline()
        times, topic_hits = self._times_and_topics(
            report, reading.blocks or [(0, len(report.text), language)]
        )
        check_deadline()
        events = build_events(
            report.text, report.id, reading.events, entities, roles, times, topic_hits, sentence_list
        )
        check_deadline()
        claims = extract_claims(report.text, report.id, entities, sentence_list, language)
        check_deadline()
        return Extraction(
            report=report,
            sentences=sentence_list,
            entities=entities,
            roles=roles,
            events=events,
            times=times,
            claims=claims,
            topics=report_topics(topic_hits),
            pipeline_version=self.version,
        )

    @staticmethod
    def _times_and_topics(
        report: Report, blocks: Sequence[tuple[int, int, str]]
    ) -> tuple[tuple[Time, ...], tuple[TopicHit, ...]]:
        """Time expressions (normalised against the report's date) and topic cues, block by block in
        each block's language."""
        times: list[Time] = []
        hits: list[TopicHit] = []
        for start, end, language in blocks:
            check_deadline()
            chunk = report.text[start:end]
            for time in find_times(chunk, report.published, language):
                times.append(replace(time, start=time.start + start, end=time.end + start))
            for hit in find_topics(chunk, language):
                hits.append(replace(hit, start=hit.start + start, end=hit.end + start))
        return tuple(sorted(times, key=lambda t: t.start)), tuple(sorted(hits, key=lambda h: h.start))

    def raw_entities(self, text: str, language: str) -> list[RawEntity]:
        """The statistical model's own entities, with Liaison's layers switched off."""
        nlp = self.pipeline(language)
        with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n.startswith("liaison_")]):
            doc = nlp(text)
        return [RawEntity(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def label_of(report: Report) -> str:
    """How failures name a report: where it came from, else its identifier."""
    return report.origin or report.id


# The parser and NER need about 1 GB of memory per 100,000 characters at once (spaCy's own warning):
# longer reports are parsed in chunks cut at paragraph breaks, and read back at their offsets.
PARSE_CHUNK_CHARACTERS = 100_000


def split_for_parsing(text: str, limit: int = PARSE_CHUNK_CHARACTERS) -> list[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``limit`` characters at paragraph (else line, else space)
    boundaries, with their offsets."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def batches_of_characters(
    pieces: Sequence[tuple[int, int, str]], limit: int
) -> Iterator[list[tuple[int, int, str]]]:
    """Consecutive ``(index, offset, text)`` pieces grouped up to ``limit`` characters (a longer piece
    alone)."""
    group: list[tuple[int, int, str]] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece[2]) > limit:
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece[2])
    if group:
        yield group


@dataclass
class _Reading:
    """What the docs of one report (its main doc and any quoted blocks) yielded, in report offsets."""

    sentences: list[tuple[int, int, str]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    events: list[EventCandidate] = field(default_factory=list)
    blocks: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, language)


def _main_blocks(length: int, language: str, foreign: Sequence[Block]) -> list[tuple[int, int, str]]:
    """The report cut into runs of one language: the main language around the foreign blocks."""
    blocks: list[tuple[int, int, str]] = []
    position = 0
    for block in sorted(foreign, key=lambda b: b.start):
        if block.start > position:
            blocks.append((position, block.start, language))
        blocks.append((block.start, block.end, block.language))
        position = block.end
    if position < length:
        blocks.append((position, length, language))
    return blocks


def _read_doc(
    reading: _Reading, doc: Doc, offset: int, language: str, excluded: Sequence[Block] = ()
) -> None:
    """Add the sentences, candidates and events of ``doc``, shifted by ``offset``, outside the
    excluded blocks (those are read by their own language's pipeline)."""

    def inside_excluded(position: int) -> bool:
        return any(block.start <= position < block.end for block in excluded)

    for sent in doc.sents:
        check_deadline()
        text = sent.text
        start = offset + sent.start_char + (len(text) - len(text.lstrip()))
        end = offset + sent.end_char - (len(text) - len(text.rstrip()))
        if end > start and not inside_excluded(start):
            reading.sentences.append((start, end, language))
    for candidate in doc._.liaison_mentions or []:
        if inside_excluded(candidate.start + offset):
            continue
        candidate.start += offset
        candidate.end += offset
        candidate.language = language
        reading.candidates.append(candidate)
    for event in doc._.liaison_events or []:
        if not inside_excluded(event.trigger[0] + offset):
            reading.events.append(event.shifted(offset))
