"""Use cases that wire the stages together; every surface (CLI, API) calls these."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from tempfile import TemporaryDirectory

from liaison import watching
from liaison.domain import (
    TLP,
    Claim,
    EntityType,
    Evidence,
    Extraction,
    Fingerprint,
    NearDuplicate,
    Report,
)
from liaison.engines import Failure as Failure
from liaison.engines import extract_reports as extract_reports
from liaison.errors import InputError, LiaisonError
from liaison.extract import Extractor
from liaison.extract.claims import compare_claims
from liaison.ingest import ReportMetadata, duplicates, read_paths
from liaison.publishing import CollectionPublication, publish
from liaison.resolve import EventFacts, EventResolution, Resolution, resolve_entity, resolve_event
from liaison.settings import Settings
from liaison.store import ClaimRecord, Store
from liaison.store.events import TARGET_ROLES


@dataclass
class IngestSummary:
    stored: int = 0
    unchanged: int = 0
    near_duplicates: int = 0  # among the stored: syndicated copies linked to their original
    failures: list[Failure] = field(default_factory=list)
    # What became of each report read: stored, unchanged or failed (for feeds, which track entries).
    outcomes: dict[str, str] = field(default_factory=dict)
    # Organisations' TAXII collections brought up to date after the reports were stored.
    published: list[CollectionPublication] = field(default_factory=list)
    alerts: int = 0  # alerts the stored reports raised (``liaison.watching``)

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


def read_upload(
    name: str, data: bytes, settings: Settings, metadata: ReportMetadata | None = None
) -> list[Report | InputError]:
    """Read an uploaded file as ``liaison ingest`` reads one from disk (its kind from ``name``'s suffix),
    named ``upload:NAME`` in reports and errors: the temporary path means nothing to whoever uploaded it."""
    origin = f"upload:{name}"
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        items = read_reports([path], settings, metadata)
    return [
        InputError(item.source.replace(str(path), origin), item.problem)
        if isinstance(item, InputError)
        else replace(item, origin=(item.origin or str(path)).replace(str(path), origin))
        for item in items
    ]


def make_extractor(settings: Settings) -> Extractor:
    """An extractor for this process (for evaluation and one-off use)."""
    return Extractor(settings)


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


# A worker pays for loading the models (a few seconds): fewer reports than this per core, fewer workers.
MIN_REPORTS_PER_WORKER = 16


def default_workers(pending: int, cpus: int | None = None) -> int:
    """One extraction process per core, as long as each has at least ``MIN_REPORTS_PER_WORKER`` reports."""
    available = cpus or os.cpu_count() or 1
    return max(1, min(available, pending // MIN_REPORTS_PER_WORKER))


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    store: Store,
    metadata: ReportMetadata | None = None,
    workers: int | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    read: list[Report | InputError] | None = None,
    engine: str = "local",
    address: str | None = None,
) -> IngestSummary:
    """Read, extract and store files and directories of reports."""
    items = read if read is not None else read_reports(paths, settings, metadata, encoding)
    return ingest_reports(items, settings, store, workers, progress, engine, address)


def ingest_reports(
    items: Sequence[Report | InputError],
    settings: Settings,
    store: Store,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    engine: str = "local",
    address: str | None = None,
) -> IngestSummary:
    """Extract and store reports. Reports already stored are skipped before extraction.

    ``workers`` None uses every core once there are enough reports (``default_workers``).
    Each report is stored in its own transaction as soon as it is extracted, so a run that is killed
    keeps what it stored and the next run extracts only what is missing. Near-duplicates of stored
    reports are stored too, linked to the report they copy.
    """
    summary = IngestSummary()
    notify = progress or (lambda outcome, label: None)
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
            summary.outcomes[item.id] = "unchanged"
            notify("unchanged", item.origin or item.id)
        else:
            seen.add(item.id)
            pending.append(item)
    known_names = store.known_names() if pending else []
    chosen = workers if workers is not None else default_workers(len(pending))
    for result in extract_reports(pending, settings, chosen, known_names, engine, address):
        if isinstance(result, Failure):
            summary.failures.append(result)
            if result.report_id:
                summary.outcomes[result.report_id] = "failed"
            notify("failed", result.source)
            continue
        report = result.report
        label = report.origin or report.id
        try:
            fingerprint = duplicates.fingerprint(report.text)
            near_duplicate = find_near_duplicate(report.id, fingerprint, store)
            directory = store.directory_for(result.entities)
            resolutions = {entity.id: resolve_entity(entity, directory) for entity in result.entities}
            event_resolutions = resolve_report_events(result, resolutions, store)
            stored = store.save_extraction(
                result, resolutions, event_resolutions, fingerprint, near_duplicate
            )
        except LiaisonError as error:
            summary.failures.append(Failure(label, str(error), report.id))
            summary.outcomes[report.id] = "failed"
            notify("failed", label)
            continue
        if stored:
            summary.stored += 1
            summary.near_duplicates += near_duplicate is not None
            summary.outcomes[report.id] = "stored"
            notify("stored", label)
        else:
            summary.unchanged += 1
            summary.outcomes[report.id] = "unchanged"
            notify("unchanged", label)
    if summary.stored:
        summary.published = publish(store, settings)
        stored_ids = [report_id for report_id, outcome in summary.outcomes.items() if outcome == "stored"]
        summary.alerts = len(watching.check_new_reports(store, settings, stored_ids))
    return summary


def red_recipients(store: Store, tlp: str | None, names: tuple[str, ...]) -> tuple[str, ...]:
    """The organisations a TLP:RED ingest is for, checked against the store.

    Named recipients must be organisations the instance knows; with none named, a RED report is for the
    home organisation alone. An instance without organisations keeps the names as given.
    """
    try:
        level = TLP.parse(tlp) if tlp is not None else None
    except ValueError:
        return names  # the surface reports the bad level
    if level is not TLP.RED:
        return names
    known = store.organizations()
    if not known:
        return names
    chosen = [store.organization(name).name for name in names]
    if not chosen:
        home = store.home_organization()
        chosen = [home.name] if home else []
    return tuple(sorted(set(chosen)))


def find_near_duplicate(
    report_id: str, fingerprint: Fingerprint | None, store: Store
) -> NearDuplicate | None:
    """The stored report this one copies, if any: the most similar candidate above the threshold."""
    if fingerprint is None:
        return None
    best: NearDuplicate | None = None
    for candidate in store.near_duplicate_candidates(fingerprint):
        if candidate.report_id == report_id:
            continue
        similarity = fingerprint.similarity(candidate.fingerprint)
        if similarity >= duplicates.NEAR_DUPLICATE_SIMILARITY and (
            best is None or similarity > best.similarity
        ):
            best = NearDuplicate(candidate.original_id, similarity)
    return best
