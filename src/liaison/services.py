"""Use cases that wire the stages together; every surface (CLI, API) calls these."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from liaison.domain import Claim, EntityType, Evidence, Extraction, KnownName, Report
from liaison.errors import InputError, LiaisonError
from liaison.extract import Extractor
from liaison.extract.claims import compare_claims
from liaison.ingest import ReportMetadata, read_paths
from liaison.resolve import EventFacts, EventResolution, Resolution, resolve_entity, resolve_event
from liaison.settings import Settings
from liaison.store import ClaimRecord, Store
from liaison.store.events import TARGET_ROLES

# Reports handed to a worker at a time: large enough for nlp.pipe batching, small enough to balance.
WORKER_CHUNK = 8


@dataclass(frozen=True)
class Failure:
    """An input that could not be processed, and why (the message names the input)."""

    source: str
    message: str


@dataclass
class IngestSummary:
    stored: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


ProgressCallback = Callable[[str, str], None]  # (outcome: stored|unchanged|failed, label)


def read_reports(
    paths: Sequence[Path],
    settings: Settings,
    metadata: ReportMetadata | None = None,
    encoding: str | None = None,
) -> list[Report | InputError]:
    """Read every input; bad ones become ``InputError`` values in place."""
    return list(read_paths(paths, settings.max_report_bytes, metadata, encoding))


def make_extractor(settings: Settings) -> Extractor:
    """An extractor for this process (for evaluation and one-off use)."""
    return Extractor(settings)


def extract_reports(
    reports: Iterable[Report],
    settings: Settings,
    workers: int = 1,
    known_names: Sequence[KnownName] = (),
) -> Iterator[Extraction | Failure]:
    """Extract reports in input order, in this process or in a pool of ``workers`` processes.

    ``known_names`` are the store's entity names, found in reports whose language has no pipeline.
    """
    if workers <= 1:
        extractor = Extractor(settings, known_names)
        for chunk in _chunks(reports, WORKER_CHUNK):
            yield from _extract_chunk(extractor, chunk)
        return
    # spawn: workers load their own models and never inherit the parent's database connections.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(settings, tuple(known_names))) as pool:
        for results in pool.imap(_extract_in_worker, _chunks(reports, WORKER_CHUNK)):
            yield from results


def _chunks(items: Iterable[Report], size: int) -> Iterator[list[Report]]:
    chunk: list[Report] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _extract_chunk(extractor: Extractor, chunk: list[Report]) -> list[Extraction | Failure]:
    try:
        return list(extractor.extract_many(chunk))
    except Exception:  # noqa: BLE001 - one bad report must not sink its neighbours: retry one by one
        results: list[Extraction | Failure] = []
        for report in chunk:
            try:
                results.append(extractor.extract(report))
            except Exception as error:  # noqa: BLE001 - reported per input, batch goes on
                results.append(Failure(report.origin or report.id, f"extraction failed: {error}"))
        return results


_worker_extractor: Extractor | None = None


def _init_worker(settings: Settings, known_names: tuple[KnownName, ...]) -> None:
    global _worker_extractor
    _worker_extractor = Extractor(settings, known_names)


def _extract_in_worker(chunk: list[Report]) -> list[Extraction | Failure]:
    assert _worker_extractor is not None, "worker used before initialisation"
    return _extract_chunk(_worker_extractor, chunk)


@dataclass(frozen=True)
class FigureGroup:
    """Stored figures from different reports that state the same thing; ``conflicting`` when they
    cannot all be true (``liaison.extract.claims.compare_claims``)."""

    unit: str
    period: str | None
    conflicting: bool
    records: tuple[ClaimRecord, ...]


def compare_figures(
    records: Sequence[ClaimRecord], stories: Mapping[str, str] | None = None
) -> list[FigureGroup]:
    """Group stored figures for display side by side, conflicts flagged, never averaged."""
    by_report: dict[str, list[Claim]] = {}
    origin: dict[int, ClaimRecord] = {}
    for record in records:
        evidence = Evidence(record.report_id, 0, len(record.evidence), record.evidence, 0)
        claim = Claim(record.subject, record.value, record.qualifier, record.unit, record.period, evidence)
        origin[id(claim)] = record
        by_report.setdefault(record.report_id, []).append(claim)
    groups = compare_claims(by_report, stories)
    return [
        FigureGroup(g.unit, g.period, g.conflicting, tuple(origin[id(c)] for c in g.claims)) for g in groups
    ]


def resolve_report_events(
    extraction: Extraction, resolutions: dict[str, Resolution], store: Store
) -> dict[str, EventResolution]:
    """Attach each event of a report to the stored event it describes (by canonical participants)."""
    by_id = {entity.id: entity for entity in extraction.entities}

    def canonical(entity_id: str) -> str:
        resolution = resolutions.get(entity_id)
        if resolution is not None:
            return resolution.canonical_id
        return store.canonical_of(entity_id) or entity_id

    result: dict[str, EventResolution] = {}
    for event in extraction.events:
        location = event.location
        entity = by_id.get(location) if location else None
        countries = frozenset(
            canonical(p.entity)
            for p in event.participants
            if p.entity in by_id and by_id[p.entity].type is EntityType.COUNTRY
        )
        facts = EventFacts(
            id=event.id,
            plover=event.plover,
            status=event.status.value,
            date=event.date.value if event.date else None,
            location=canonical(location) if location else None,
            location_country=entity.attributes.get("country_code") if entity else None,
            participants=frozenset(canonical(p.entity) for p in event.participants),
            published=extraction.report.published.isoformat() if extraction.report.published else None,
            generic=countries,
            targets=frozenset(
                canonical(p.entity)
                for p in event.participants
                if p.role in TARGET_ROLES and canonical(p.entity) not in countries
            ),
        )
        result[event.id] = resolve_event(facts, store)
    return result


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    store: Store,
    metadata: ReportMetadata | None = None,
    workers: int = 1,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    read: list[Report | InputError] | None = None,
) -> IngestSummary:
    """Read, extract and store reports. Reports already stored are skipped before extraction."""
    summary = IngestSummary()
    notify = progress or (lambda outcome, label: None)
    items = read if read is not None else read_reports(paths, settings, metadata, encoding)
    pending: list[Report] = []
    seen: set[str] = set()
    candidates = [item for item in items if isinstance(item, Report)]
    existing = store.existing_report_ids(report.id for report in candidates)
    for item in items:
        if isinstance(item, InputError):
            summary.failures.append(Failure(item.source, str(item)))
            notify("failed", item.source)
        elif item.id in existing or item.id in seen:
            summary.unchanged += 1
            notify("unchanged", item.origin or item.id)
        else:
            seen.add(item.id)
            pending.append(item)
    known_names = store.known_names() if pending else []
    for result in extract_reports(pending, settings, workers, known_names):
        if isinstance(result, Failure):
            summary.failures.append(result)
            notify("failed", result.source)
            continue
        label = result.report.origin or result.report.id
        try:
            directory = store.directory_for(result.entities)
            resolutions = {entity.id: resolve_entity(entity, directory) for entity in result.entities}
            event_resolutions = resolve_report_events(result, resolutions, store)
            stored = store.save_extraction(result, resolutions, event_resolutions)
        except LiaisonError as error:
            summary.failures.append(Failure(label, str(error)))
            notify("failed", label)
            continue
        if stored:
            summary.stored += 1
            notify("stored", label)
        else:
            summary.unchanged += 1
            notify("unchanged", label)
    return summary
