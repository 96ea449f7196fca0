"""Store reads through an organisation's collection: what the REST API shows a caller.

Every method takes the caller's collection and reads only the rows published to it (``collection_members``
through ``readable_ids``). A row outside the collection is answered exactly as a row that does not exist
(``None`` or no item), by the same query. Facts shown inside a readable row — an entity's aliases,
mentions and roles, an event's participants and sources, a report's entities and figures — come only from
readable reports and name only readable entities, and every count counts only those: a withheld report
never shows through as a name, a sentence or a number.

Each read is a bounded number of statements whatever the page size (the entity and report pages cost four,
an event page five); nothing queries row by row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, func, or_, select, text, true

from liaison.domain import normalise_name
from liaison.store.readable_events import ReadableEventStore
from liaison.store.readable_records import (
    ENTITY_EVENTS_SHOWN,
    ENTITY_MENTIONS_SHOWN,
    MAX_PAGE,
    MentionedEntity,
    Page,
    ReadableAlias,
    ReadableClaim,
    ReadableCounts,
    ReadableEntityDetail,
    ReadableEntityMention,
    ReadableEntitySummary,
    ReadableReport,
    ReadableReportDetail,
    ReadableRole,
    ReadableSearchHit,
    aware,
    page_bounds,
    span,
)
from liaison.store.schema import (
    claims,
    entities,
    entity_aliases,
    event_mentions,
    event_participants,
    mentions,
    report_recipients,
    report_topics,
    reports,
    roles,
    sentences,
)

# Attributes that come from the gazetteer, not from the text of a report.
_GAZETTEER_ATTRIBUTES = frozenset({"place_kind", "country_code", "country"})


def _shown_attributes(attributes: dict[str, Any], readable_names: set[str]) -> dict[str, str]:
    """An entity's attributes, less those read in a report the caller may not read (an acronym's
    expansion is a phrase of the report that defined it): shown when a readable name says as much."""
    return {
        str(key): str(value)
        for key, value in sorted(attributes.items())
        if key in _GAZETTEER_ATTRIBUTES or str(value) in readable_names
    }


class ReadableStore(ReadableEventStore):
    """Mixed into ``Store``, which provides the engine; ``readable_ids`` comes from ``PublicationStore``."""

    engine: Engine

    # -- reports -------------------------------------------------------------------------------

    def _report_columns(self, collection_id: str) -> list[Any]:
        readable_reports = self.readable_ids(collection_id, "report")
        return [
            reports.c.id,
            reports.c.title,
            reports.c.source,
            reports.c.url,
            reports.c.published,
            reports.c.published_inferred,
            reports.c.language,
            reports.c.tlp,
            reports.c.ingested_at,
            # the original a copy points at is named only when the caller may read it
            case(
                (reports.c.near_duplicate_of.in_(readable_reports), reports.c.near_duplicate_of), else_=None
            ).label("original"),
            case(
                (reports.c.near_duplicate_of.in_(readable_reports), reports.c.near_duplicate_similarity),
                else_=None,
            ).label("original_similarity"),
        ]

    def _report_records(
        self, connection: Connection, collection_id: str, rows: Sequence[Any]
    ) -> list[ReadableReport]:
        ids = [row.id for row in rows]
        if not ids:
            return []
        counts: dict[str, int] = dict(
            connection.execute(
                select(mentions.c.report_id, func.count(func.distinct(entities.c.canonical_id)))
                .join(entities, entities.c.id == mentions.c.entity_id)
                .where(
                    mentions.c.report_id.in_(ids),
                    entities.c.canonical_id.in_(self.readable_ids(collection_id, "entity")),
                )
                .group_by(mentions.c.report_id)
            ).all()
        )
        topics: dict[str, list[str]] = {}
        for report_id, topic in connection.execute(
            select(report_topics.c.report_id, report_topics.c.topic)
            .where(report_topics.c.report_id.in_(ids))
            .order_by(report_topics.c.report_id, report_topics.c.topic)
        ):
            topics.setdefault(report_id, []).append(topic)
        return [
            ReadableReport(
                id=row.id,
                title=row.title,
                source=row.source,
                url=row.url,
                published=row.published,
                published_inferred=bool(row.published_inferred),
                language=row.language,
                tlp=row.tlp,
                ingested_at=aware(row.ingested_at),
                topics=tuple(topics.get(row.id, [])),
                entity_count=int(counts.get(row.id, 0)),
                near_duplicate_of=row.original,
                near_duplicate_similarity=row.original_similarity,
            )
            for row in rows
        ]

    def readable_reports(
        self,
        collection_id: str,
        limit: int = 50,
        offset: int = 0,
        since: date | None = None,
        language: str | None = None,
        tlp: str | None = None,
        topic: str | None = None,
    ) -> Page[ReadableReport]:
        """Readable reports, newest first; ``since`` keeps those published (or, undated, ingested) on or
        after that day."""
        limit, offset = page_bounds(limit, offset)
        where: list[ColumnElement[bool]] = [reports.c.id.in_(self.readable_ids(collection_id, "report"))]
        if since is not None:
            where.append(
                or_(
                    reports.c.published >= since,
                    and_(
                        reports.c.published.is_(None),
                        reports.c.ingested_at >= datetime.combine(since, time(), UTC),
                    ),
                )
            )
        if language:
            where.append(reports.c.language == language.strip().lower())
        if tlp:
            where.append(reports.c.tlp == tlp)
        if topic:
            where.append(
                reports.c.id.in_(
                    select(report_topics.c.report_id).where(report_topics.c.topic == topic.strip().lower())
                )
            )
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(reports).where(*where)).scalar_one()
            rows = connection.execute(
                select(*self._report_columns(collection_id))
                .where(*where)
                .order_by(reports.c.published.desc().nulls_last(), reports.c.ingested_at.desc(), reports.c.id)
                .limit(limit)
                .offset(offset)
            ).all()
            items = self._report_records(connection, collection_id, rows)
        return Page(tuple(items), int(total))

    def readable_report(self, collection_id: str, report_id: str) -> ReadableReportDetail | None:
        """A readable report with what was read in it that the caller may read; None otherwise."""
        readable_entities = self.readable_ids(collection_id, "entity")
        with self.engine.connect() as connection:
            row = connection.execute(
                select(*self._report_columns(collection_id), reports.c.text).where(
                    reports.c.id == report_id, reports.c.id.in_(self.readable_ids(collection_id, "report"))
                )
            ).first()
            if row is None:
                return None
            summary = self._report_records(connection, collection_id, [row])[0]
            recipients = tuple(
                connection.execute(
                    select(report_recipients.c.organization)
                    .where(report_recipients.c.report_id == report_id)
                    .order_by(report_recipients.c.organization)
                ).scalars()
            )
            copies = tuple(
                (copy.id, float(copy.near_duplicate_similarity or 0.0))
                for copy in connection.execute(
                    select(reports.c.id, reports.c.near_duplicate_similarity)
                    .where(
                        reports.c.near_duplicate_of == report_id,
                        reports.c.id.in_(self.readable_ids(collection_id, "report")),
                    )
                    .order_by(reports.c.ingested_at, reports.c.id)
                )
            )
            root = entities.alias("root")
            found = tuple(
                MentionedEntity(m.root_id, m.name, m.type, m.start, m.end, m.text)
                for m in connection.execute(
                    select(
                        mentions.c.start,
                        mentions.c.end,
                        mentions.c.text,
                        root.c.id.label("root_id"),
                        root.c.name,
                        root.c.type,
                    )
                    .join(entities, entities.c.id == mentions.c.entity_id)
                    .join(root, root.c.id == entities.c.canonical_id)
                    .where(mentions.c.report_id == report_id, root.c.id.in_(readable_entities))
                    .order_by(mentions.c.start, mentions.c.end)
                )
            )
            event_ids = list(
                connection.execute(
                    select(event_mentions.c.event_id)
                    .where(
                        event_mentions.c.report_id == report_id,
                        event_mentions.c.event_id.in_(self.readable_ids(collection_id, "event")),
                    )
                    .distinct()
                    .order_by(event_mentions.c.event_id)
                ).scalars()
            )
            found_events = self._event_summaries(connection, collection_id, event_ids)
            found_claims = self._claim_records(connection, collection_id, claims.c.report_id == report_id)
            found_roles = self._role_records(connection, collection_id, roles.c.report_id == report_id)
        return ReadableReportDetail(
            summary,
            row.text,
            recipients,
            copies,
            found,
            tuple(found_events),
            tuple(found_claims),
            tuple(found_roles),
        )

    # -- figures and roles ---------------------------------------------------------------------

    def _claim_records(
        self,
        connection: Connection,
        collection_id: str,
        where: ColumnElement[bool],
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ReadableClaim]:
        subject = entities.alias("subject")
        root = entities.alias("subject_root")
        # When the subject entity is not readable, the words this report uses for it stand in.
        words = (
            select(func.min(mentions.c.text))
            .where(mentions.c.entity_id == claims.c.subject, mentions.c.report_id == claims.c.report_id)
            .scalar_subquery()
        )
        query = (
            select(
                claims,
                reports.c.title,
                reports.c.source,
                reports.c.published,
                span(reports.c.text, claims.c.start, claims.c.end).label("evidence"),
                root.c.id.label("subject_id"),
                root.c.name.label("subject_name"),
                words.label("subject_words"),
            )
            .join(reports, reports.c.id == claims.c.report_id)
            .outerjoin(subject, subject.c.id == claims.c.subject)
            .outerjoin(
                root,
                and_(
                    root.c.id == subject.c.canonical_id,
                    root.c.id.in_(self._visible_entities(collection_id)),
                ),
            )
            .where(
                where,
                claims.c.id.in_(self.readable_ids(collection_id, "claim")),
                claims.c.report_id.in_(self.readable_ids(collection_id, "report")),
            )
            .order_by(
                reports.c.published.desc().nulls_last(), claims.c.report_id, claims.c.start, claims.c.id
            )
        )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return [
            ReadableClaim(
                id=row.id,
                report_id=row.report_id,
                report_title=row.title,
                source=row.source,
                published=row.published,
                subject_id=row.subject_id,
                subject=row.subject_name or row.subject_words or None,
                value=float(row.value),
                qualifier=row.qualifier,
                unit=row.unit,
                period=row.period,
                evidence=row.evidence or "",
            )
            for row in connection.execute(query)
        ]

    def readable_claims(
        self, collection_id: str, subject: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[ReadableClaim]:
        """Readable figures, newest report first; ``subject`` (a readable canonical entity ID) keeps the
        figures about it. An unreadable subject matches nothing."""
        limit, offset = page_bounds(limit, offset)
        where: ColumnElement[bool] = true()
        if subject:
            members = select(entities.c.id).where(
                entities.c.canonical_id == subject,
                entities.c.canonical_id.in_(self._visible_entities(collection_id)),
            )
            where = claims.c.subject.in_(members)
        with self.engine.connect() as connection:
            total = connection.execute(
                select(func.count())
                .select_from(claims)
                .where(
                    where,
                    claims.c.id.in_(self.readable_ids(collection_id, "claim")),
                    claims.c.report_id.in_(self.readable_ids(collection_id, "report")),
                )
            ).scalar_one()
            items = self._claim_records(connection, collection_id, where, limit, offset)
        return Page(tuple(items), int(total))

    def _role_records(
        self, connection: Connection, collection_id: str, where: ColumnElement[bool]
    ) -> list[ReadableRole]:
        readable_entities = self._visible_entities(collection_id)
        person, person_root = entities.alias("person"), entities.alias("person_root")
        org, org_root = entities.alias("org"), entities.alias("org_root")
        country, country_root = entities.alias("country"), entities.alias("country_root")
        query = (
            select(
                roles.c.report_id,
                roles.c.title,
                reports.c.published,
                span(reports.c.text, roles.c.start, roles.c.end).label("evidence"),
                person_root.c.id.label("person_id"),
                person_root.c.name.label("person"),
                org_root.c.id.label("organization_id"),
                org_root.c.name.label("organization"),
                country_root.c.id.label("country_id"),
                country_root.c.name.label("country"),
            )
            .join(reports, reports.c.id == roles.c.report_id)
            .join(person, person.c.id == roles.c.person_id)
            .join(person_root, person_root.c.id == person.c.canonical_id)
            .outerjoin(org, org.c.id == roles.c.organization_id)
            .outerjoin(
                org_root, and_(org_root.c.id == org.c.canonical_id, org_root.c.id.in_(readable_entities))
            )
            .outerjoin(country, country.c.id == roles.c.country_id)
            .outerjoin(
                country_root,
                and_(country_root.c.id == country.c.canonical_id, country_root.c.id.in_(readable_entities)),
            )
            .where(
                where,
                roles.c.id.in_(self.readable_ids(collection_id, "role")),
                roles.c.report_id.in_(self.readable_ids(collection_id, "report")),
                person_root.c.id.in_(readable_entities),
            )
            .order_by(reports.c.published.nulls_last(), roles.c.report_id, roles.c.start)
        )
        return [
            ReadableRole(
                report_id=row.report_id,
                published=row.published,
                person_id=row.person_id,
                person=row.person,
                title=row.title,
                organization_id=row.organization_id,
                organization=row.organization,
                country_id=row.country_id,
                country=row.country,
                evidence=row.evidence or "",
            )
            for row in connection.execute(query)
        ]

    # -- entities ------------------------------------------------------------------------------

    def _entity_page(
        self,
        connection: Connection,
        collection_id: str,
        where: Sequence[ColumnElement[bool]],
        limit: int,
        offset: int,
    ) -> list[ReadableEntitySummary]:
        readable_reports = self.readable_ids(collection_id, "report")
        stats = (
            select(
                entities.c.canonical_id.label("root"),
                func.count().label("mention_count"),
                # a syndicated copy counts once, as its original
                func.count(
                    func.distinct(func.coalesce(reports.c.near_duplicate_of, mentions.c.report_id))
                ).label("report_count"),
            )
            .select_from(mentions)
            .join(entities, entities.c.id == mentions.c.entity_id)
            .join(reports, reports.c.id == mentions.c.report_id)
            .where(
                mentions.c.report_id.in_(readable_reports),
                entities.c.canonical_id.in_(self.readable_ids(collection_id, "entity")),
            )
            .group_by(entities.c.canonical_id)
            .subquery()
        )
        rows = connection.execute(
            select(
                entities.c.id,
                entities.c.type,
                entities.c.name,
                func.coalesce(stats.c.mention_count, 0).label("mention_count"),
                func.coalesce(stats.c.report_count, 0).label("report_count"),
            )
            .outerjoin(stats, stats.c.root == entities.c.id)
            .where(*where)
            .order_by(
                func.coalesce(stats.c.report_count, 0).desc(),
                func.coalesce(stats.c.mention_count, 0).desc(),
                entities.c.name,
                entities.c.id,
            )
            .limit(limit)
            .offset(offset)
        ).all()
        aliases = self._readable_aliases(connection, collection_id, [row.id for row in rows])
        return [
            ReadableEntitySummary(
                id=row.id,
                type=row.type,
                name=row.name,
                mention_count=int(row.mention_count),
                report_count=int(row.report_count),
                aliases=tuple(a.alias for a in aliases.get(row.id, ()) if a.alias != row.name),
            )
            for row in rows
        ]

    def _entity_where(self, collection_id: str) -> list[ColumnElement[bool]]:
        return [
            entities.c.id == entities.c.canonical_id,
            entities.c.id.in_(self._visible_entities(collection_id)),
        ]

    def _readable_aliases(
        self, connection: Connection, collection_id: str, roots: Sequence[str]
    ) -> dict[str, list[ReadableAlias]]:
        """The aliases of each canonical entity that a readable report gave, with those reports.

        An alias is read in a report when it was first seen there, or when a mention in it reads so, or
        when it is the name of the extracted entity a mention in it belongs to.
        """
        if not roots:
            return {}
        readable_reports = self.readable_ids(collection_id, "report")
        alias_rows = connection.execute(
            select(
                entities.c.canonical_id,
                entities.c.name.label("extracted_name"),
                entity_aliases.c.entity_id,
                entity_aliases.c.alias,
                entity_aliases.c.language,
                case(
                    (
                        entity_aliases.c.first_report_id.in_(readable_reports),
                        entity_aliases.c.first_report_id,
                    ),
                    else_=None,
                ).label("first_report_id"),
            )
            .join(entities, entities.c.id == entity_aliases.c.entity_id)
            .where(entities.c.canonical_id.in_(roots))
        ).all()
        seen: dict[str, dict[str, set[str]]] = {}  # extracted entity -> mention text -> readable reports
        read_in: dict[str, set[str]] = {}  # extracted entity -> readable reports mentioning it
        for entity_id, words, report_id in connection.execute(
            select(mentions.c.entity_id, mentions.c.text, mentions.c.report_id)
            .join(entities, entities.c.id == mentions.c.entity_id)
            .where(entities.c.canonical_id.in_(roots), mentions.c.report_id.in_(readable_reports))
            .distinct()
        ):
            seen.setdefault(entity_id, {}).setdefault(words, set()).add(report_id)
            read_in.setdefault(entity_id, set()).add(report_id)
        found: dict[str, dict[str, tuple[str | None, set[str]]]] = {}
        for row in alias_rows:
            sources = set(seen.get(row.entity_id, {}).get(row.alias, set()))
            if row.first_report_id:
                sources.add(row.first_report_id)
            if row.alias == row.extracted_name:
                sources |= read_in.get(row.entity_id, set())
            if not sources:
                continue
            language, known = found.setdefault(row.canonical_id, {}).get(row.alias, (row.language, set()))
            found[row.canonical_id][row.alias] = (language or row.language, known | sources)
        return {
            root: [
                ReadableAlias(alias, language, tuple(sorted(sources)))
                for alias, (language, sources) in sorted(by_alias.items())
            ]
            for root, by_alias in found.items()
        }

    def readable_entities(
        self,
        collection_id: str,
        entity_type: str | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ReadableEntitySummary]:
        """Readable canonical entities, the most reported first; ``query`` matches words of the name or of
        an alias read in a readable report."""
        limit, offset = page_bounds(limit, offset)
        where = self._entity_where(collection_id)
        if entity_type:
            where.append(entities.c.type == entity_type.strip().lower())
        if query and query.strip():
            key = normalise_name(query).replace("\\", "").replace("%", "").replace("_", " ")
            pattern = f"%{key}%"
            readable_reports = self.readable_ids(collection_id, "report")
            named = (
                select(entities.c.canonical_id)
                .join(mentions, mentions.c.entity_id == entities.c.id)
                .join(
                    entity_aliases,
                    and_(
                        entity_aliases.c.entity_id == entities.c.id,
                        or_(
                            entity_aliases.c.alias == mentions.c.text,
                            entity_aliases.c.alias == entities.c.name,
                        ),
                    ),
                )
                .where(mentions.c.report_id.in_(readable_reports), entity_aliases.c.normalized.like(pattern))
            )
            first_seen = (
                select(entities.c.canonical_id)
                .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                .where(
                    entity_aliases.c.first_report_id.in_(readable_reports),
                    entity_aliases.c.normalized.like(pattern),
                )
            )
            where.append(
                or_(
                    entities.c.canonical_key.like(f"%:%{key}%"),
                    entities.c.id.in_(named),
                    entities.c.id.in_(first_seen),
                )
            )
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(entities).where(*where)).scalar_one()
            items = self._entity_page(connection, collection_id, where, limit, offset)
        return Page(tuple(items), int(total))

    def readable_entity(self, collection_id: str, entity_id: str) -> ReadableEntityDetail | None:
        """A readable canonical entity with what readable reports say of it; None otherwise."""
        readable_reports = self.readable_ids(collection_id, "report")
        members = select(entities.c.id).where(entities.c.canonical_id == entity_id)
        with self.engine.connect() as connection:
            where = [*self._entity_where(collection_id), entities.c.id == entity_id]
            found = self._entity_page(connection, collection_id, where, 1, 0)
            if not found:
                return None
            summary = found[0]
            attributes = json.loads(
                connection.execute(
                    select(entities.c.attributes).where(entities.c.id == entity_id)
                ).scalar_one()
            )
            aliases = self._readable_aliases(connection, collection_id, [entity_id]).get(entity_id, [])
            mention_rows = connection.execute(
                select(
                    mentions.c.report_id,
                    reports.c.title,
                    reports.c.published,
                    mentions.c.start,
                    mentions.c.end,
                    mentions.c.text,
                    span(reports.c.text, sentences.c.start, sentences.c.end).label("sentence"),
                )
                .join(reports, reports.c.id == mentions.c.report_id)
                .outerjoin(
                    sentences,
                    and_(
                        sentences.c.report_id == mentions.c.report_id, sentences.c.idx == mentions.c.sentence
                    ),
                )
                .where(mentions.c.entity_id.in_(members), mentions.c.report_id.in_(readable_reports))
                .order_by(reports.c.published.desc().nulls_last(), mentions.c.report_id, mentions.c.start)
                .limit(ENTITY_MENTIONS_SHOWN)
            ).all()
            role_records = self._role_records(connection, collection_id, roles.c.person_id.in_(members))
            taking_part = self._readable_event_ids(collection_id).where(
                event_mentions.c.id.in_(
                    select(event_participants.c.mention_id).where(event_participants.c.entity_id.in_(members))
                )
            )
            event_count, latest = self._latest_events(connection, taking_part, ENTITY_EVENTS_SHOWN)
            timeline = sorted(
                self._event_summaries(connection, collection_id, latest),
                key=lambda e: (e.date is None, e.date or "", e.id),
            )
        return ReadableEntityDetail(
            summary=summary,
            attributes=_shown_attributes(attributes, {summary.name, *(a.alias for a in aliases)}),
            aliases=tuple(aliases),
            mentions=tuple(
                ReadableEntityMention(
                    row.report_id,
                    row.title,
                    row.published,
                    row.start,
                    row.end,
                    row.text,
                    row.sentence if row.sentence is not None else row.text,
                )
                for row in mention_rows
            ),
            roles=tuple(role_records),
            events=tuple(timeline),
            event_count=int(event_count),
        )

    # -- search and counts ---------------------------------------------------------------------

    def readable_search(self, collection_id: str, query: str, limit: int = 20) -> list[ReadableSearchHit]:
        """Full-text search over readable reports only, filtered in the search statement itself.

        As ``Store.search``: every word must match, as a word or a word prefix; only runs of letters and
        digits are kept from the query, so search syntax in user input is inert.
        """
        words = re.findall(r"\w+", query)
        limit = max(0, min(limit, MAX_PAGE))
        if not words or not limit:
            return []
        readable = (
            "SELECT local_id FROM collection_members WHERE collection_id = :collection AND kind = 'report'"
        )
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                rows = connection.execute(
                    text(
                        "SELECT id, title, ts_rank(search_vector, q) AS score, "
                        "ts_headline('simple', text, q, 'MaxWords=30, MinWords=12, "
                        "StartSel=[, StopSel=]') AS snippet "
                        "FROM reports, to_tsquery('simple', :q) AS q "
                        f"WHERE search_vector @@ q AND id IN ({readable}) "
                        "ORDER BY score DESC, id LIMIT :limit"
                    ),
                    {
                        "q": " & ".join(f"{word}:*" for word in words),
                        "limit": limit,
                        "collection": collection_id,
                    },
                )
            else:
                rows = connection.execute(
                    text(
                        "SELECT report_id AS id, title, -bm25(report_search) AS score, "
                        "snippet(report_search, 2, '[', ']', '…', 24) AS snippet "
                        f"FROM report_search WHERE report_search MATCH :q AND report_id IN ({readable}) "
                        "ORDER BY bm25(report_search), report_id LIMIT :limit"
                    ),
                    {
                        "q": " ".join(f'"{word}"*' for word in words),
                        "limit": limit,
                        "collection": collection_id,
                    },
                )
            return [
                ReadableSearchHit(row.id, row.title or None, " ".join(row.snippet.split()), float(row.score))
                for row in rows
            ]

    def readable_counts(self, collection_id: str) -> ReadableCounts:
        """How many readable reports, entities, events and figures: the totals of the unfiltered lists."""
        report_count = (
            select(func.count())
            .select_from(reports)
            .where(reports.c.id.in_(self.readable_ids(collection_id, "report")))
            .scalar_subquery()
        )
        entity_count = (
            select(func.count())
            .select_from(entities)
            .where(*self._entity_where(collection_id))
            .scalar_subquery()
        )
        event_count = (
            select(func.count())
            .select_from(self._readable_event_ids(collection_id).distinct().subquery())
            .scalar_subquery()
        )
        claim_count = (
            select(func.count())
            .select_from(claims)
            .where(
                claims.c.id.in_(self.readable_ids(collection_id, "claim")),
                claims.c.report_id.in_(self.readable_ids(collection_id, "report")),
            )
            .scalar_subquery()
        )
        with self.engine.connect() as connection:
            row = connection.execute(select(report_count, entity_count, event_count, claim_count)).one()
        return ReadableCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))
