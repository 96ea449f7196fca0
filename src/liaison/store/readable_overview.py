"""Overviews through an organisation's collection, for the web UI's dashboard, search and sharing pages.

As in ``liaison.store.readable``, every read takes the caller's collection and counts, lists and names
only what it may read: a faceted search filters and counts readable reports only; a facet's values come
from readable rows only (an event type from readable accounts of readable events, a country from visible
entities); an overview of what a partner received is cut to what the caller may read as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    Select,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    text,
)

from liaison.store.readable_records import MAX_PAGE, Page, ReadableReport, page_bounds
from liaison.store.schema import (
    entities,
    event_mentions,
    mentions,
    report_topics,
    reports,
    stix_imports,
)

FACET_VALUES = 20  # values shown per facet, the most frequent first
SNIPPET_CHARACTERS = 240
# Markers of the matched words in a snippet: private-use characters, so no markup comes from the database.
MATCH_START = "\ue000"
MATCH_END = "\ue001"


@dataclass(frozen=True)
class ReportQuery:
    """A search over readable reports: words (all must match, as words or prefixes) and facet filters."""

    words: str = ""
    event_type: str | None = None
    topic: str | None = None
    country: str | None = None  # a canonical country entity's ID
    since: date | None = None  # published on or after
    until: date | None = None  # published on or before
    language: str | None = None
    tlp: str | None = None


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int  # matching readable reports with this value


@dataclass(frozen=True)
class ReportSearchHit:
    report: ReadableReport
    snippet: str  # plain text; matched words between MATCH_START and MATCH_END


@dataclass(frozen=True)
class ReportSearchResult:
    hits: Page[ReportSearchHit]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadableEventDating:
    """A readable event, placed in time by its readable accounts: for charts of events over time."""

    event_id: str
    month: str  # YYYY-MM, the earliest a readable account gives
    type: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class StixImportRecord:
    bundle_id: str
    received_from: str
    source: str
    received_at: datetime
    stored: int
    unchanged: int
    replaced: int
    older: int


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ReadableOverviewStore:
    """Mixed into ``Store``: ``readable_ids`` (``PublicationStore``), ``_visible_entities``,
    ``_readable_mention``, ``_report_columns`` and ``_report_records`` (``ReadableStore``)."""

    engine: Engine

    def readable_ids(self, collection_id: str, kind: str) -> Any:
        raise NotImplementedError

    def _visible_entities(self, collection_id: str) -> Any:
        raise NotImplementedError

    def _readable_mention(self, collection_id: str) -> list[ColumnElement[bool]]:
        raise NotImplementedError

    def _report_columns(self, collection_id: str) -> list[Any]:
        raise NotImplementedError

    def _report_records(
        self, connection: Connection, collection_id: str, rows: Sequence[Any]
    ) -> list[ReadableReport]:
        raise NotImplementedError

    # -- faceted search ------------------------------------------------------------------------

    def _text_match(self, words: list[str]) -> tuple[ColumnElement[bool], Any]:
        """Reports whose title or text has every word (as a prefix), and their relevance (higher first)."""
        if self.engine.dialect.name == "postgresql":
            query = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
            vector: ColumnElement[Any] = literal_column("reports.search_vector")
            return vector.op("@@")(query), func.ts_rank(vector, query)
        matched = (
            text(
                "SELECT report_id, -bm25(report_search) AS score FROM report_search "
                "WHERE report_search MATCH :fts_query"
            )
            .bindparams(fts_query=" ".join(f'"{word}"*' for word in words))
            .columns(column("report_id", String), column("score", Float))
            .subquery("matched")
        )
        score = select(matched.c.score).where(matched.c.report_id == reports.c.id).scalar_subquery()
        return reports.c.id.in_(select(matched.c.report_id)), score

    def _query_where(self, collection_id: str, query: ReportQuery) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [reports.c.id.in_(self.readable_ids(collection_id, "report"))]
        if query.event_type:
            where.append(
                reports.c.id.in_(
                    select(event_mentions.c.report_id).where(
                        event_mentions.c.type == query.event_type, *self._readable_mention(collection_id)
                    )
                )
            )
        if query.topic:
            where.append(
                reports.c.id.in_(
                    select(report_topics.c.report_id).where(report_topics.c.topic == query.topic)
                )
            )
        if query.country:
            where.append(
                reports.c.id.in_(
                    select(mentions.c.report_id)
                    .join(entities, entities.c.id == mentions.c.entity_id)
                    .where(
                        entities.c.canonical_id == query.country,
                        entities.c.canonical_id.in_(self._visible_entities(collection_id)),
                    )
                )
            )
        if query.since is not None:
            where.append(reports.c.published >= query.since)
        if query.until is not None:
            where.append(reports.c.published <= query.until)
        if query.language:
            where.append(reports.c.language == query.language)
        if query.tlp:
            where.append(reports.c.tlp == query.tlp)
        return where

    def readable_report_search(
        self, collection_id: str, query: ReportQuery, limit: int = 20, offset: int = 0
    ) -> ReportSearchResult:
        """Readable reports matching the words and filters (the most relevant, else the newest, first),
        with the count of matching readable reports for each value of each facet: ``type`` (event type),
        ``topic``, ``country``, ``year``, ``language`` and ``tlp``."""
        limit, offset = page_bounds(limit, offset)
        where = self._query_where(collection_id, query)
        words = re.findall(r"\w+", query.words)[:32]
        score: Any = literal(0.0)
        if words:
            matched, score = self._text_match(words)
            where.append(matched)
        matching = select(reports.c.id).where(*where)
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(reports).where(*where)).scalar_one()
            rows = connection.execute(
                select(*self._report_columns(collection_id))
                .where(*where)
                .order_by(
                    score.desc(),
                    reports.c.published.desc().nulls_last(),
                    reports.c.ingested_at.desc(),
                    reports.c.id,
                )
                .limit(limit)
                .offset(offset)
            ).all()
            records = self._report_records(connection, collection_id, rows)
            snippets = self._snippets(connection, [r.id for r in records], words)
            facets = self._facets(connection, collection_id, matching)
        hits = tuple(ReportSearchHit(r, snippets.get(r.id, "")) for r in records)
        return ReportSearchResult(Page(hits, int(total)), facets)

    def _snippets(self, connection: Connection, report_ids: list[str], words: list[str]) -> dict[str, str]:
        if not report_ids:
            return {}
        if not words:
            rows = connection.execute(
                select(reports.c.id, func.substr(reports.c.text, 1, SNIPPET_CHARACTERS)).where(
                    reports.c.id.in_(report_ids)
                )
            )
            return {row[0]: " ".join(str(row[1]).split()) + "…" for row in rows}
        if connection.dialect.name == "postgresql":
            options = f"MaxWords=35, MinWords=15, StartSel={MATCH_START}, StopSel={MATCH_END}"
            query = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
            rows = connection.execute(
                select(reports.c.id, func.ts_headline("simple", reports.c.text, query, options)).where(
                    reports.c.id.in_(report_ids)
                )
            )
        else:
            rows = connection.execute(
                text(
                    "SELECT report_id, snippet(report_search, 2, :start, :end, '…', 24) FROM report_search "
                    "WHERE report_search MATCH :fts_query AND report_id IN :ids"
                ).bindparams(
                    bindparam("ids", value=report_ids, expanding=True),
                    start=MATCH_START,
                    end=MATCH_END,
                    fts_query=" ".join(f'"{word}"*' for word in words),
                )
            )
        return {row[0]: " ".join(str(row[1]).split()) for row in rows}

    def _facets(
        self, connection: Connection, collection_id: str, matching: Select[Any]
    ) -> dict[str, tuple[FacetValue, ...]]:
        def counted(statement: Select[Any], label: Any = None) -> tuple[FacetValue, ...]:
            rows = connection.execute(statement.limit(FACET_VALUES)).all()
            return tuple(
                FacetValue(str(row[0]), str(label(row) if label else row[0]), int(row[-1]))
                for row in rows
                if row[0] is not None
            )

        report_count = func.count(func.distinct(reports.c.id))
        by_type = (
            select(event_mentions.c.type, func.count(func.distinct(event_mentions.c.report_id)).label("n"))
            .where(event_mentions.c.report_id.in_(matching), *self._readable_mention(collection_id))
            .group_by(event_mentions.c.type)
            .order_by(literal_column("n").desc(), event_mentions.c.type)
        )
        by_topic = (
            select(report_topics.c.topic, func.count().label("n"))
            .where(report_topics.c.report_id.in_(matching))
            .group_by(report_topics.c.topic)
            .order_by(literal_column("n").desc(), report_topics.c.topic)
        )
        root = entities.alias("root")
        by_country = (
            select(root.c.id, root.c.name, func.count(func.distinct(mentions.c.report_id)).label("n"))
            .select_from(mentions)
            .join(entities, entities.c.id == mentions.c.entity_id)
            .join(root, root.c.id == entities.c.canonical_id)
            .where(
                mentions.c.report_id.in_(matching),
                root.c.type == "country",
                root.c.id.in_(self._visible_entities(collection_id)),
            )
            .group_by(root.c.id, root.c.name)
            .order_by(literal_column("n").desc(), root.c.name)
        )
        year = func.substr(func.cast(reports.c.published, String), 1, 4)
        by_year = (
            select(year.label("year"), report_count.label("n"))
            .where(reports.c.id.in_(matching), reports.c.published.is_not(None))
            .group_by(year)
            .order_by(year.desc())
        )
        by_language = (
            select(reports.c.language, report_count.label("n"))
            .where(reports.c.id.in_(matching))
            .group_by(reports.c.language)
            .order_by(literal_column("n").desc(), reports.c.language)
        )
        by_tlp = (
            select(reports.c.tlp, report_count.label("n"))
            .where(reports.c.id.in_(matching))
            .group_by(reports.c.tlp)
            .order_by(reports.c.tlp)
        )
        return {
            "type": counted(by_type),
            "topic": counted(by_topic),
            "country": counted(by_country, label=lambda row: row[1]),
            "year": counted(by_year),
            "language": counted(by_language),
            "tlp": counted(by_tlp),
        }

    # -- events over time ----------------------------------------------------------------------

    def readable_event_datings(self, collection_id: str) -> list[ReadableEventDating]:
        """Every readable event dated to a month or a day by a readable account: its earliest such month,
        a type and the topics its readable accounts give. Two statements."""
        month = func.substr(event_mentions.c.date_value, 1, 7)
        dated = [*self._readable_mention(collection_id), func.length(event_mentions.c.date_value) >= 7]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(event_mentions.c.event_id, func.min(month), func.min(event_mentions.c.type))
                .where(*dated)
                .group_by(event_mentions.c.event_id)
                .order_by(event_mentions.c.event_id)
            ).all()
            topics: dict[str, set[str]] = {}
            for event_id, listed in connection.execute(
                select(event_mentions.c.event_id, event_mentions.c.topics).where(*dated)
            ):
                topics.setdefault(event_id, set()).update(json.loads(listed or "[]"))
        return [
            ReadableEventDating(row[0], str(row[1]), str(row[2]), tuple(sorted(topics.get(row[0], ()))))
            for row in rows
        ]

    # -- sharing -------------------------------------------------------------------------------

    def shared_report_levels(self, viewer_collection_id: str, collection_id: str) -> dict[str, int]:
        """Reports in ``collection_id`` that the viewer may read too, by TLP level."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reports.c.tlp, func.count())
                .where(
                    reports.c.id.in_(self.readable_ids(collection_id, "report")),
                    reports.c.id.in_(self.readable_ids(viewer_collection_id, "report")),
                )
                .group_by(reports.c.tlp)
            ).all()
        return {str(row[0]): int(row[1]) for row in rows}

    def stix_import_log(self, limit: int = 50) -> list[StixImportRecord]:
        """The latest bundles received from partners, newest first (what each changed)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(stix_imports)
                .order_by(stix_imports.c.received_at.desc(), stix_imports.c.id)
                .limit(max(0, min(limit, MAX_PAGE)))
            ).all()
        return [
            StixImportRecord(
                r.bundle_id,
                r.received_from,
                r.source,
                _aware(r.received_at),
                int(r.stored),
                int(r.unchanged),
                int(r.replaced),
                int(r.older),
            )
            for r in rows
        ]


def match_pieces(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, matched) pieces, for the page to escape each and mark the matched ones."""
    pieces: list[tuple[str, bool]] = []
    matched = False
    for part in re.split(f"([{MATCH_START}{MATCH_END}])", snippet):
        if part == MATCH_START:
            matched = True
        elif part == MATCH_END:
            matched = False
        elif part:
            pieces.append((part, matched))
    return pieces
