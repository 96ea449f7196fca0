"""The store: the only place that reads and writes SQL.

One ``Store`` wraps an engine. Writes happen in one transaction per report, so a report is stored whole or
not at all; reads return small typed records for the surfaces to render.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from liaison.domain import Extraction, deterministic_id, normalise_name
from liaison.errors import NotFound, StoreError
from liaison.extraction_format import extraction_to_dict
from liaison.settings import Settings
from liaison.store import database
from liaison.store.schema import entities, entity_aliases, mentions, reports, sentences

Clock = Callable[[], datetime]


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


@dataclass(frozen=True)
class ReportDetail:
    summary: ReportSummary
    text: str
    extraction: dict[str, Any]


@dataclass(frozen=True)
class EntitySummary:
    id: str
    type: str
    name: str
    mention_count: int
    report_count: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class EntityMention:
    report_id: str
    report_title: str | None
    start: int
    end: int
    text: str
    sentence: str


@dataclass(frozen=True)
class EntityDetail:
    summary: EntitySummary
    mentions: tuple[EntityMention, ...]


@dataclass(frozen=True)
class SearchHit:
    report_id: str
    title: str | None
    snippet: str
    score: float


class Store:
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

    def save_extraction(self, extraction: Extraction) -> bool:
        """Store a report with what was extracted from it; False if it was already stored."""
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
                self._write_details(connection, extraction, report_id, now)
        except SQLAlchemyError as error:
            raise StoreError(f"could not store report {report.origin or report_id}: {error}") from error
        return True

    def _write_details(
        self, connection: Connection, extraction: Extraction, report_id: str, now: datetime
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
        mention_rows = []
        for entity in extraction.entities:
            key = f"{entity.type.value}:{normalise_name(entity.name)}"
            connection.execute(
                self._insert(entities).on_conflict_do_nothing(),
                {
                    "id": entity.id,
                    "type": entity.type.value,
                    "name": entity.name,
                    "canonical_key": key,
                    "created_at": now,
                },
            )
            languages = {m.text: m.language for m in entity.mentions}
            for alias in sorted({entity.name, *entity.aliases, *languages}):
                connection.execute(
                    self._insert(entity_aliases).on_conflict_do_nothing(),
                    {
                        "id": deterministic_id("alias", entity.id, alias),
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
        if mention_rows:
            connection.execute(insert(mentions), mention_rows)
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
        return ReportDetail(summary, row.text, json.loads(row.extraction))

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

    def _entity_summaries(self, where: Any = None, limit: int | None = None) -> list[EntitySummary]:
        stats = (
            select(
                mentions.c.entity_id,
                func.count().label("mention_count"),
                func.count(func.distinct(mentions.c.report_id)).label("report_count"),
            )
            .group_by(mentions.c.entity_id)
            .subquery()
        )
        query = (
            select(
                entities.c.id,
                entities.c.type,
                entities.c.name,
                func.coalesce(stats.c.mention_count, 0).label("mention_count"),
                func.coalesce(stats.c.report_count, 0).label("report_count"),
            )
            .outerjoin(stats, stats.c.entity_id == entities.c.id)
            .order_by(stats.c.report_count.desc(), stats.c.mention_count.desc(), entities.c.name)
        )
        if where is not None:
            query = query.where(where)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            aliases: dict[str, list[str]] = {}
            for i in range(0, len(ids), 500):
                alias_rows = connection.execute(
                    select(entity_aliases.c.entity_id, entity_aliases.c.alias)
                    .where(entity_aliases.c.entity_id.in_(ids[i : i + 500]))
                    .order_by(entity_aliases.c.alias)
                )
                for alias_row in alias_rows:
                    aliases.setdefault(alias_row.entity_id, []).append(alias_row.alias)
        return [
            EntitySummary(
                id=row.id,
                type=row.type,
                name=row.name,
                mention_count=row.mention_count,
                report_count=row.report_count,
                aliases=tuple(a for a in aliases.get(row.id, []) if a != row.name),
            )
            for row in rows
        ]

    def list_entities(self, entity_type: str | None = None, limit: int = 100) -> list[EntitySummary]:
        where = entities.c.type == entity_type if entity_type else None
        return self._entity_summaries(where=where, limit=limit)

    def get_entity(self, name_or_id: str) -> EntityDetail:
        """An entity by ID (or prefix), or by a name or alias (normalised; the most mentioned wins)."""
        try:
            entity_id = self._resolve_id(entities, name_or_id, "entity")
        except NotFound:
            key = normalise_name(name_or_id)
            alias_match = select(entity_aliases.c.entity_id).where(entity_aliases.c.normalized == key)
            candidates = self._entity_summaries(where=entities.c.id.in_(alias_match), limit=1)
            if not candidates:
                raise NotFound(f"no entity named {name_or_id!r}") from None
            entity_id = candidates[0].id
        summary = self._entity_summaries(where=entities.c.id == entity_id)[0]
        query = (
            select(
                mentions.c.report_id,
                reports.c.title,
                mentions.c.start,
                mentions.c.end,
                mentions.c.text,
                sentences.c.start.label("sentence_start"),
                sentences.c.end.label("sentence_end"),
                reports.c.text.label("report_text"),
            )
            .join(reports, reports.c.id == mentions.c.report_id)
            .outerjoin(
                sentences,
                (sentences.c.report_id == mentions.c.report_id) & (sentences.c.idx == mentions.c.sentence),
            )
            .where(mentions.c.entity_id == entity_id)
            .order_by(reports.c.published.desc().nulls_last(), mentions.c.report_id, mentions.c.start)
        )
        with self.engine.connect() as connection:
            found = [
                EntityMention(
                    report_id=row.report_id,
                    report_title=row.title,
                    start=row.start,
                    end=row.end,
                    text=row.text,
                    sentence=(
                        row.report_text[row.sentence_start : row.sentence_end]
                        if row.sentence_start is not None
                        else row.text
                    ),
                )
                for row in connection.execute(query)
            ]
        return EntityDetail(summary, tuple(found))

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

    def entity_type_counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(entities.c.type, func.count()).group_by(entities.c.type).order_by(entities.c.type)
            )
            return {row[0]: row[1] for row in rows}

    def table_counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (reports, sentences, entities, entity_aliases, mentions)
            }

    def snapshot(
        self, tables: Sequence[str] | None = None, exclude_columns: Sequence[str] = ()
    ) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the content tables in a stable order, for comparing two stores."""
        chosen = [
            t
            for t in (reports, sentences, entities, entity_aliases, mentions)
            if tables is None or t.name in tables
        ]
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
