"""The store: the only place that reads and writes SQL.

One ``Store`` wraps an engine. Writes happen in one transaction per report, so a report is stored whole or
not at all; reads return small typed records for the surfaces to render.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from liaison.domain import Extraction, Fingerprint, NearDuplicate, deterministic_id, normalise_name
from liaison.errors import NotFound, StoreError
from liaison.extraction_format import extraction_to_dict
from liaison.resolve import EventResolution, Resolution
from liaison.settings import Settings
from liaison.store import database
from liaison.store.accounts import AccountStore
from liaison.store.audit import AuditStore
from liaison.store.collection import CollectionStore
from liaison.store.entities import EntityStore
from liaison.store.events import EventStore
from liaison.store.maintenance import IntegrityStore
from liaison.store.partners import PartnerStore
from liaison.store.publication import PublicationStore
from liaison.store.readable import ReadableStore
from liaison.store.readable_brief import ReadableBriefStore
from liaison.store.readable_overview import ReadableOverviewStore
from liaison.store.readable_web import ReadableWebStore
from liaison.store.received_alerts import ReceivedAlertStore
from liaison.store.schema import (
    claims,
    entities,
    entity_aliases,
    entity_links,
    event_mentions,
    event_participants,
    events,
    mentions,
    report_fingerprint_bands,
    report_fingerprints,
    report_recipients,
    report_topics,
    reports,
    roles,
    sentences,
    stix_imports,
    stix_objects,
)
from liaison.store.sharing import SharingStore
from liaison.store.stix_objects import StixObjectStore
from liaison.store.watches import WatchStore
from liaison.store.web_sessions import WebSessionStore

Clock = Callable[[], datetime]

CONTENT_TABLES = (
    reports,
    sentences,
    entities,
    entity_aliases,
    mentions,
    roles,
    entity_links,
    events,
    event_mentions,
    event_participants,
    claims,
    report_topics,
    report_recipients,
    report_fingerprints,
    report_fingerprint_bands,
    stix_objects,
    stix_imports,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReportSummary:
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: date | None
    published_inferred: bool
    language: str | None
    tlp: str
    ingested_at: datetime
    entity_count: int
    origin: str | None
    near_duplicate_of: str | None = None  # the report this one copies (syndication), if any
    near_duplicate_similarity: float | None = None


@dataclass(frozen=True)
class ReportDetail:
    summary: ReportSummary
    text: str
    extraction: dict[str, Any]
    copies: tuple[tuple[str, float], ...] = ()  # reports stored as near-duplicates of this one


@dataclass(frozen=True)
class SearchHit:
    report_id: str
    title: str | None
    snippet: str
    score: float


class Store(
    EntityStore,
    EventStore,
    CollectionStore,
    SharingStore,
    StixObjectStore,
    AccountStore,
    PublicationStore,
    AuditStore,
    ReadableStore,
    ReadableOverviewStore,
    PartnerStore,
    WebSessionStore,
    WatchStore,
    ReceivedAlertStore,
    ReadableWebStore,
    ReadableBriefStore,
    IntegrityStore,
):
    """Reports, entities and mentions in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self.engine = engine
        self._clock = clock

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now, migrate: bool = True) -> Store:
        """Open the store named by the settings, creating or upgrading its schema first."""
        engine = database.create_store_engine(settings.resolved_database_url)
        if migrate:
            database.ensure_schema(engine)
        return cls(engine, clock)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------

    def existing_report_ids(self, report_ids: Iterable[str]) -> set[str]:
        wanted = list(set(report_ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                rows = connection.execute(select(reports.c.id).where(reports.c.id.in_(chunk)))
                found.update(row.id for row in rows)
        return found

    def save_extraction(
        self,
        extraction: Extraction,
        resolutions: Mapping[str, Resolution] | None = None,
        event_resolutions: Mapping[str, EventResolution] | None = None,
        fingerprint: Fingerprint | None = None,
        near_duplicate: NearDuplicate | None = None,
    ) -> bool:
        """Store a report with what was extracted from it; False if it was already stored.

        ``resolutions`` (from ``liaison.resolve``) say which canonical entity each extracted entity
        belongs to; an entity seen for the first time joins it, and the reason is recorded.
        """
        report = extraction.report
        report_id = report.id
        now = self._clock()
        try:
            with self.engine.begin() as connection:
                inserted = connection.execute(
                    self._insert(reports).on_conflict_do_nothing().returning(reports.c.id),
                    {
                        "id": report_id,
                        "content_hash": report.content_hash,
                        "external_id": report.external_id,
                        "title": report.title,
                        "source": report.source,
                        "url": report.url,
                        "published": report.published,
                        "published_inferred": report.published_inferred,
                        "language": report.language,
                        "tlp": report.marking.tlp.value,
                        "text": report.text,
                        "origin": report.origin,
                        "pipeline_version": extraction.pipeline_version,
                        "extraction": json.dumps(extraction_to_dict(extraction), ensure_ascii=False),
                        "ingested_at": now,
                    },
                )
                if inserted.first() is None:  # the report was already stored
                    return False
                recipients = sorted({name.casefold() for name in report.marking.recipients})
                if recipients:
                    connection.execute(
                        report_recipients.insert(),
                        [{"report_id": report_id, "organization": name} for name in recipients],
                    )
                self._write_details(connection, extraction, report_id, now, resolutions or {})
                self._write_events(connection, extraction, report_id, now, event_resolutions or {})
                self._write_fingerprint(connection, report_id, fingerprint, near_duplicate)
        except SQLAlchemyError as error:
            raise StoreError(f"could not store report {report.origin or report_id}: {error}") from error
        return True

    def _write_details(
        self,
        connection: Connection,
        extraction: Extraction,
        report_id: str,
        now: datetime,
        resolutions: Mapping[str, Resolution],
    ) -> None:
        if extraction.sentences:
            connection.execute(
                insert(sentences),
                [
                    {
                        "report_id": report_id,
                        "idx": s.index,
                        "start": s.start,
                        "end": s.end,
                        "language": s.language,
                    }
                    for s in extraction.sentences
                ],
            )
        # Batched: a report has tens of entities and aliases; one statement each cost a third of a write.
        existing = set(
            connection.execute(
                select(entities.c.id).where(entities.c.id.in_([e.id for e in extraction.entities]))
            ).scalars()
        )
        entity_rows = []
        alias_rows: dict[str, dict[str, Any]] = {}
        mention_rows = []
        links = []
        for entity in extraction.entities:
            languages = {m.text: m.language for m in entity.mentions}
            for alias in sorted({entity.name, *entity.aliases, *languages}):
                alias_id = deterministic_id("alias", entity.id, alias)
                alias_rows.setdefault(
                    alias_id,
                    {
                        "id": alias_id,
                        "entity_id": entity.id,
                        "alias": alias,
                        "normalized": normalise_name(alias),
                        "language": languages.get(alias),
                        "first_report_id": report_id,
                    },
                )
            for mention in entity.mentions:
                mention_rows.append(
                    {
                        "id": deterministic_id("mention", report_id, str(mention.start), str(mention.end)),
                        "report_id": report_id,
                        "entity_id": entity.id,
                        "start": mention.start,
                        "end": mention.end,
                        "text": mention.text,
                        "sentence": mention.sentence,
                        "label": mention.label,
                        "language": mention.language,
                    }
                )
            if entity.id in existing:
                continue
            existing.add(entity.id)
            resolution = resolutions.get(entity.id)
            merged = resolution is not None and resolution.merged and not resolution.reroot
            root = self._root_id(connection, resolution.canonical_id) if merged and resolution else None
            entity_rows.append(
                {
                    "id": entity.id,
                    "type": entity.type.value,
                    "name": entity.name,
                    "canonical_key": f"{entity.type.value}:{normalise_name(entity.name)}",
                    "created_at": now,
                    "canonical_id": root or entity.id,
                    "merged_into": resolution.canonical_id if merged and resolution else None,
                    "attributes": json.dumps(entity.attributes, ensure_ascii=False, sort_keys=True),
                    "type_confidence": entity.type_confidence,
                }
            )
            if resolution is not None and (resolution.reroot or (merged and root is not None)):
                links.append((entity.id, resolution, root))
        if entity_rows:
            connection.execute(self._insert(entities).on_conflict_do_nothing(), entity_rows)
        for entity_id, resolution, root in links:
            if resolution.reroot:
                # The stored entity's type rested on weaker evidence: it joins the new one.
                old_root = self._root_id(connection, resolution.canonical_id)
                if old_root is not None and old_root != entity_id:
                    self._attach(
                        connection,
                        entity_id,
                        old_root,
                        "auto",
                        resolution.reason,
                        resolution.score,
                        report_id,
                    )
            elif root is not None:
                connection.execute(
                    insert(entity_links).values(
                        id=deterministic_id("link", "auto", root, entity_id),
                        kind="auto",
                        kept_id=resolution.canonical_id,
                        other_id=entity_id,
                        reason=resolution.reason,
                        score=resolution.score,
                        report_id=report_id,
                        created_at=now,
                    )
                )
        if alias_rows:
            connection.execute(
                self._insert(entity_aliases).on_conflict_do_nothing(), list(alias_rows.values())
            )
        if mention_rows:
            connection.execute(insert(mentions), mention_rows)
        role_rows = {
            deterministic_id("role", report_id, r.person, r.title, r.organization or "", r.country or ""): {
                "report_id": report_id,
                "person_id": r.person,
                "title": r.title,
                "organization_id": r.organization,
                "country_id": r.country,
                "start": r.evidence.start,
                "end": r.evidence.end,
                "sentence": r.evidence.sentence,
            }
            for r in extraction.roles
        }
        if role_rows:
            connection.execute(insert(roles), [{"id": k, **v} for k, v in role_rows.items()])
        if self.dialect == "sqlite":
            connection.execute(
                text("INSERT INTO report_search (report_id, title, text) VALUES (:id, :title, :text)"),
                {"id": report_id, "title": extraction.report.title or "", "text": extraction.report.text},
            )

    def _insert(self, table: Table) -> Any:
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        return dialect_insert(table)

    # -- reading -------------------------------------------------------------------------------

    def _report_summaries(self, where: Any = None, limit: int | None = None) -> list[ReportSummary]:
        counts = (
            select(mentions.c.report_id, func.count(func.distinct(mentions.c.entity_id)).label("n"))
            .group_by(mentions.c.report_id)
            .subquery()
        )
        query = (
            select(reports, func.coalesce(counts.c.n, 0).label("entity_count"))
            .outerjoin(counts, counts.c.report_id == reports.c.id)
            .order_by(reports.c.published.desc().nulls_last(), reports.c.ingested_at.desc(), reports.c.id)
        )
        if where is not None:
            query = query.where(where)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [
                ReportSummary(
                    id=row.id,
                    title=row.title,
                    source=row.source,
                    url=row.url,
                    published=row.published,
                    published_inferred=row.published_inferred,
                    language=row.language,
                    tlp=row.tlp,
                    ingested_at=row.ingested_at,
                    entity_count=row.entity_count,
                    origin=row.origin,
                    near_duplicate_of=row.near_duplicate_of,
                    near_duplicate_similarity=row.near_duplicate_similarity,
                )
                for row in connection.execute(query)
            ]

    def list_reports(self, limit: int = 50) -> list[ReportSummary]:
        return self._report_summaries(limit=limit)

    def get_report(self, report_id: str) -> ReportDetail:
        """A report by full ID or by an unambiguous ID prefix (at least 4 characters)."""
        resolved = self._resolve_id(reports, report_id, "report")
        summary = self._report_summaries(where=reports.c.id == resolved)[0]
        with self.engine.connect() as connection:
            row = connection.execute(
                select(reports.c.text, reports.c.extraction).where(reports.c.id == resolved)
            ).one()
        return ReportDetail(
            summary, row.text, json.loads(row.extraction), tuple(self.near_duplicates_of(resolved))
        )

    def _resolve_id(self, table: Table, identifier: str, kind: str) -> str:
        identifier = identifier.strip().lower()
        if not re.fullmatch(r"[0-9a-f-]{4,36}", identifier):
            raise NotFound(f"no {kind} with ID {identifier!r}")
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.id).where(table.c.id.startswith(identifier, autoescape=True)).limit(2)
            ).all()
        if not rows:
            raise NotFound(f"no {kind} with ID {identifier!r}")
        if len(rows) > 1:
            raise NotFound(f"ID prefix {identifier!r} matches several {kind}s; give more characters")
        return str(rows[0].id)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over report titles and texts.

        Every word must match, in any order, as a word or a word prefix ("arrest" finds "arrested").
        Only runs of letters and digits are kept from the query, so search syntax in user input is inert.
        """
        words = re.findall(r"\w+", query)
        if not words:
            return []
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                rows = connection.execute(
                    text(
                        "SELECT id, title, ts_rank(search_vector, q) AS score, "
                        "ts_headline('simple', text, q, 'MaxWords=30, MinWords=12, "
                        "StartSel=[, StopSel=]') AS snippet "
                        "FROM reports, to_tsquery('simple', :q) AS q "
                        "WHERE search_vector @@ q ORDER BY score DESC, id LIMIT :limit"
                    ),
                    {"q": " & ".join(f"{word}:*" for word in words), "limit": limit},
                )
            else:
                fts_query = " ".join(f'"{word}"*' for word in words)
                rows = connection.execute(
                    text(
                        "SELECT report_id AS id, title, -bm25(report_search) AS score, "
                        "snippet(report_search, 2, '[', ']', '…', 24) AS snippet "
                        "FROM report_search WHERE report_search MATCH :q "
                        "ORDER BY bm25(report_search), report_id LIMIT :limit"
                    ),
                    {"q": fts_query, "limit": limit},
                )
            return [
                SearchHit(row.id, row.title or None, " ".join(row.snippet.split()), float(row.score))
                for row in rows
            ]

    # -- statistics ----------------------------------------------------------------------------

    def table_counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in CONTENT_TABLES
            }

    def snapshot(
        self, tables: Sequence[str] | None = None, exclude_columns: Sequence[str] = ()
    ) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the content tables in a stable order, for comparing two stores."""
        chosen = [t for t in CONTENT_TABLES if tables is None or t.name in tables]
        with self.engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(*[c for c in table.columns if c.name not in exclude_columns]).order_by(
                            *table.primary_key.columns
                        )
                    )
                ]
                for table in chosen
            }
