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

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from liaison.domain import Extraction, KnownName, Report, Sentence, Time
from liaison.errors import ExtractionError
from liaison.extract import components, events, layers
from liaison.extract.acronyms import find_acronyms
from liaison.extract.aliases import match_known_names, split_sentences
from liaison.extract.candidates import Candidate
from liaison.extract.claims import extract_claims
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

    def __init__(self, settings: Settings, known_names: Sequence[KnownName] = ()) -> None:
        self._models = dict(settings.models)
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
        """Run the pipeline over reports, batching texts of the same language through ``nlp.pipe``."""
        batch: list[Report] = []
        for report in reports:
            batch.append(report)
            if len(batch) >= batch_size:
                yield from self._extract_batch(batch)
                batch = []
        if batch:
            yield from self._extract_batch(batch)

    def _extract_batch(self, reports: Sequence[Report]) -> list[Extraction]:
        languages = [self.report_language(report) for report in reports]
        docs: dict[int, list[tuple[int, Doc]]] = {}
        by_language: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for index, language in enumerate(languages):
            if language in self._models:
                for offset, chunk in split_for_parsing(reports[index].text, PARSE_CHUNK_CHARACTERS):
                    by_language[language].append((index, offset, chunk))
        for language, pieces in by_language.items():
            texts = [chunk for _, _, chunk in pieces]
            for (index, offset, _), doc in zip(pieces, self.pipeline(language).pipe(texts), strict=True):
                docs.setdefault(index, []).append((offset, doc))
        results = []
        for index, report in enumerate(reports):
            report = replace(report, language=languages[index])
            results.append(self._build(report, docs.get(index)))
        return results

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
                block_doc = self.pipeline(block.language)(report.text[block.start : block.end])
                _read_doc(reading, block_doc, block.start, block.language)
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
        roles = extract_roles(report.text, report.id, entities, sentence_list)
        times, topic_hits = self._times_and_topics(
            report, reading.blocks or [(0, len(report.text), language)]
        )
        events = build_events(
            report.text, report.id, reading.events, entities, roles, times, topic_hits, sentence_list
        )
        return Extraction(
            report=report,
            sentences=sentence_list,
            entities=entities,
            roles=roles,
            events=events,
            times=times,
            claims=extract_claims(report.text, report.id, entities, sentence_list, language),
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
