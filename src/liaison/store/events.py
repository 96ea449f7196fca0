"""Events, claims and topics in the store: writing a report's, resolving across reports, reading.

A canonical event (``events``) gathers the mentions of every report that describes it
(``event_mentions``), each with its evidence and the reason it was attached. Participants are stored as
extracted and read through ``entities.canonical_id``, so entity merges and splits show up in events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from liaison.domain import EntityType, Extraction, deterministic_id
from liaison.errors import NotFound
from liaison.resolve import EventFacts, EventResolution
from liaison.store.schema import (
    claims,
    entities,
    event_mentions,
    event_participants,
    events,
    report_topics,
    reports,
)


@dataclass(frozen=True)
class EventSummary:
    id: str
    type: str
    plover: str
    plover_mode: str | None
    cameo: str | None
    date: str | None
    location: str | None
    status: str
    participants: tuple[str, ...]
    topics: tuple[str, ...]
    sources: int


@dataclass(frozen=True)
class EventSource:
    report_id: str
    title: str | None
    source: str | None
    published: str | None
    language: str | None
    date: str | None
    evidence: tuple[str, ...]
    reason: str
    copy_of: str | None = None  # a syndicated copy of this report: shown, but not counted again


@dataclass(frozen=True)
class ClaimRecord:
    report_id: str
    source: str | None
    published: str | None
    subject: str
    value: float
    qualifier: str | None
    unit: str
    period: str | None
    evidence: str


@dataclass(frozen=True)
class EventDetail:
    summary: EventSummary
    participants: tuple[tuple[str, str], ...]  # (canonical name, role)
    sources: tuple[EventSource, ...]
    claims: tuple[ClaimRecord, ...]


# Roles of the participants an event is done to or with (see liaison.resolve.events); countries are
# never targets for this purpose, they take part in too many events.
TARGET_ROLES = frozenset({"recipient", "visitor", "host"})


def _prefixes(date: str) -> list[str]:
    """Every prefix of a date value: a stored date that is one is compatible with it ("2024-02")."""
    return [date[:end] for end in range(1, len(date) + 1)]


class EventStore:
    """Event and claim queries; mixed into ``Store``, which provides the engine and clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    # Provided by EntityStore (Store inherits both).
    def find_entity_id(self, name_or_id: str) -> str:
        raise NotImplementedError

    @staticmethod
    def _canonical_names(connection: Connection, ids: set[str | None]) -> dict[str | None, str]:
        raise NotImplementedError

    # -- resolution directory (liaison.resolve.EventDirectory) -----------------------------------

    def events_sharing_participants(
        self, plover: str, participants: Iterable[str], date: str | None = None
    ) -> list[EventFacts]:
        wanted = sorted(set(participants))
        if not wanted:
            return []
        query = (
            select(event_mentions.c.event_id)
            .join(event_participants, event_participants.c.mention_id == event_mentions.c.id)
            .join(entities, entities.c.id == event_participants.c.entity_id)
            .where(event_mentions.c.plover == plover, entities.c.canonical_id.in_(wanted))
        )
        if date is not None:
            # Compatible dates only (one a prefix of the other): a popular participant's events of other
            # days would otherwise fill the candidate list, and its limit, as the store grows.
            query = query.join(events, events.c.id == event_mentions.c.event_id).where(
                or_(
                    events.c.date_value.is_(None),
                    events.c.date_value.in_(_prefixes(date)),
                    events.c.date_value.startswith(date, autoescape=True),
                )
            )
        with self.engine.connect() as connection:
            event_ids = connection.execute(query.distinct().limit(200)).scalars().all()
            return self._event_facts(connection, list(event_ids))

    def events_at(self, plover: str, date: str | None, location: str) -> list[EventFacts]:
        query = (
            select(events.c.id)
            .join(entities, entities.c.id == events.c.location_id)
            .where(events.c.plover == plover, entities.c.canonical_id == location)
        )
        if date is not None:
            query = query.where(events.c.date_value == date)
        with self.engine.connect() as connection:
            event_ids = connection.execute(query.limit(50)).scalars().all()
            return self._event_facts(connection, list(event_ids))

    def _event_facts(self, connection: Connection, event_ids: list[str]) -> list[EventFacts]:
        if not event_ids:
            return []
        rows = connection.execute(select(events).where(events.c.id.in_(event_ids))).all()
        members = connection.execute(
            select(
                event_mentions.c.event_id, entities.c.canonical_id, event_participants.c.role, entities.c.type
            )
            .join(event_participants, event_participants.c.mention_id == event_mentions.c.id)
            .join(entities, entities.c.id == event_participants.c.entity_id)
            .where(event_mentions.c.event_id.in_(event_ids))
        ).all()
        participants: dict[str, set[str]] = {}
        targets: dict[str, set[str]] = {}
        generic: dict[str, set[str]] = {}
        for event_id, canonical, role, entity_type in members:
            participants.setdefault(event_id, set()).add(canonical)
            if entity_type == EntityType.COUNTRY.value:
                generic.setdefault(event_id, set()).add(canonical)
            if role in TARGET_ROLES and entity_type != EntityType.COUNTRY.value:
                targets.setdefault(event_id, set()).add(canonical)
        places = self._place_facts(connection, {r.location_id for r in rows if r.location_id})
        published = dict(
            connection.execute(
                select(event_mentions.c.event_id, func.min(reports.c.published))
                .join(reports, reports.c.id == event_mentions.c.report_id)
                .where(event_mentions.c.event_id.in_(event_ids))
                .group_by(event_mentions.c.event_id)
            ).all()
        )
        return [
            EventFacts(
                id=row.id,
                plover=row.plover,
                status=row.status,
                date=row.date_value,
                location=places.get(row.location_id, (row.location_id, None))[0],
                location_country=places.get(row.location_id, (None, None))[1],
                participants=frozenset(participants.get(row.id, set())),
                targets=frozenset(targets.get(row.id, set())),
                generic=frozenset(generic.get(row.id, set())),
                published=published[row.id].isoformat() if published.get(row.id) else None,
            )
            for row in rows
        ]

    @staticmethod
    def _place_facts(connection: Connection, ids: set[str]) -> dict[str, tuple[str, str | None]]:
        """Canonical id and country code of each place entity."""
        if not ids:
            return {}
        rows = connection.execute(
            select(entities.c.id, entities.c.canonical_id, entities.c.attributes).where(
                entities.c.id.in_(ids)
            )
        ).all()
        return {
            row.id: (row.canonical_id, json.loads(row.attributes or "{}").get("country_code")) for row in rows
        }

    def place_facts(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        with self.engine.connect() as connection:
            return self._place_facts(connection, set(ids))

    # -- writing (inside save_extraction's transaction) ---------------------------------------------

    def _write_events(
        self,
        connection: Connection,
        extraction: Extraction,
        report_id: str,
        now: datetime,
        resolutions: Mapping[str, EventResolution],
    ) -> None:
        # Stored events this report merged into another: a later event of the report may name one of them.
        merged_into: dict[str, str] = {}

        def surviving(event_id: str) -> str:
            while event_id in merged_into:
                event_id = merged_into[event_id]
            return event_id

        for event in extraction.events:
            resolution = resolutions.get(event.id)
            canonical = surviving(resolution.canonical_id) if resolution else event.id
            date_value = event.date.value if event.date else None
            date_precision = event.date.precision if event.date else None
            if canonical != event.id and date_value:
                # a more precise date, compatible with the event's, becomes the event's date
                current = connection.execute(
                    select(events.c.date_value).where(events.c.id == canonical)
                ).scalar()
                if current is None or (date_value.startswith(current) and len(date_value) > len(current)):
                    connection.execute(
                        update(events)
                        .where(events.c.id == canonical)
                        .values(date_value=date_value, date_precision=date_precision)
                    )
            if canonical == event.id:
                connection.execute(
                    insert(events).values(
                        id=event.id,
                        type=event.type,
                        plover=event.plover,
                        plover_mode=event.plover_mode,
                        cameo=event.cameo,
                        date_value=date_value,
                        date_precision=date_precision,
                        location_id=event.location,
                        status=event.status.value,
                        confidence=event.confidence,
                        created_at=now,
                    )
                )
            connection.execute(
                insert(event_mentions).values(
                    id=event.id,
                    event_id=canonical,
                    report_id=report_id,
                    type=event.type,
                    plover=event.plover,
                    plover_mode=event.plover_mode,
                    cameo=event.cameo,
                    date_value=date_value,
                    date_precision=date_precision,
                    date_text=event.date.text if event.date else None,
                    location_id=event.location,
                    status=event.status.value,
                    confidence=event.confidence,
                    topics=json.dumps(list(event.topics)),
                    evidence=json.dumps(
                        [{"start": e.start, "end": e.end, "sentence": e.sentence} for e in event.evidence]
                    ),
                    reason=resolution.reason if resolution else "",
                )
            )
            for also in resolution.also if resolution else ():
                # this report ties two stored events together: they are one event
                other = surviving(also)
                if other == canonical:
                    continue
                merged_into[other] = canonical
                connection.execute(
                    update(event_mentions)
                    .where(event_mentions.c.event_id == other)
                    .values(event_id=canonical)
                )
                connection.execute(events.delete().where(events.c.id == other))
            rows = {p.entity: p.role for p in event.participants}
            if rows:
                connection.execute(
                    insert(event_participants),
                    [{"mention_id": event.id, "entity_id": k, "role": v} for k, v in rows.items()],
                )
        claim_rows = {
            deterministic_id("claim", report_id, str(c.evidence.start), str(c.evidence.end), c.unit): c
            for c in extraction.claims
        }
        if claim_rows:
            connection.execute(
                insert(claims),
                [
                    {
                        "id": claim_id,
                        "report_id": report_id,
                        "subject": c.subject,
                        "value": c.value,
                        "qualifier": c.qualifier,
                        "unit": c.unit,
                        "period": c.period,
                        "start": c.evidence.start,
                        "end": c.evidence.end,
                        "sentence": c.evidence.sentence,
                    }
                    for claim_id, c in claim_rows.items()
                ],
            )
        if extraction.topics:
            connection.execute(
                insert(report_topics),
                [{"report_id": report_id, "topic": t} for t in dict.fromkeys(extraction.topics)],
            )

    # -- reading -------------------------------------------------------------------------------

    def list_events(
        self,
        actor: str | None = None,
        event_type: str | None = None,
        topic: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 100,
    ) -> list[EventSummary]:
        """Canonical events, latest first, filtered by participant, type (PLOVER or name), topic, dates."""
        query = select(events.c.id)
        if actor:
            root = self.find_entity_id(actor)
            query = query.where(
                events.c.id.in_(
                    select(event_mentions.c.event_id)
                    .join(event_participants, event_participants.c.mention_id == event_mentions.c.id)
                    .join(entities, entities.c.id == event_participants.c.entity_id)
                    .where(entities.c.canonical_id == root)
                )
            )
        if event_type:
            wanted = event_type.strip()
            query = query.where(
                or_(
                    events.c.plover == wanted.upper(),
                    events.c.type == wanted.lower(),
                    events.c.cameo == wanted,
                )
            )
        if topic:
            query = query.where(
                events.c.id.in_(
                    select(event_mentions.c.event_id).where(
                        event_mentions.c.topics.like(f'%"{topic.replace("%", "")}"%')
                    )
                )
            )
        if date_from is not None:
            query = query.where(events.c.date_value >= date_from.isoformat()[:4])
        if date_to is not None:
            query = query.where(
                and_(events.c.date_value.is_not(None), events.c.date_value <= date_to.isoformat())
            )
        query = query.order_by(events.c.date_value.desc().nulls_last(), events.c.id).limit(limit)
        with self.engine.connect() as connection:
            ids = list(connection.execute(query).scalars())
            summaries = self._summaries(connection, ids)
        if date_from is not None:
            summaries = [s for s in summaries if s.date and s.date >= date_from.isoformat()[: len(s.date)]]
        return summaries

    def _summaries(self, connection: Connection, ids: list[str]) -> list[EventSummary]:
        if not ids:
            return []
        rows = {r.id: r for r in connection.execute(select(events).where(events.c.id.in_(ids)))}
        # A syndicated copy is readable on its own but is not another source: count its original.
        mention_rows = connection.execute(
            select(
                event_mentions.c.event_id,
                func.coalesce(reports.c.near_duplicate_of, event_mentions.c.report_id),
                event_mentions.c.topics,
                event_mentions.c.date_value,
            )
            .join(reports, reports.c.id == event_mentions.c.report_id)
            .where(event_mentions.c.event_id.in_(ids))
        ).all()
        sources: dict[str, set[str]] = {}
        topics: dict[str, set[str]] = {}
        dates: dict[str, list[str]] = {}
        for event_id, report_id, topic_json, date_value in mention_rows:
            sources.setdefault(event_id, set()).add(report_id)
            topics.setdefault(event_id, set()).update(json.loads(topic_json))
            if date_value:
                dates.setdefault(event_id, []).append(date_value)
        names = self._participant_names(connection, ids)
        places = self._canonical_names(connection, {r.location_id for r in rows.values()})
        result = []
        for event_id in ids:
            row = rows[event_id]
            # the most precise date any source gives, among those compatible with the event's own
            candidates = [
                d
                for d in dates.get(event_id, [])
                if not row.date_value or d.startswith(row.date_value) or row.date_value.startswith(d)
            ]
            best_date = max(candidates, key=len) if candidates else row.date_value
            result.append(
                EventSummary(
                    id=row.id,
                    type=row.type,
                    plover=row.plover,
                    plover_mode=row.plover_mode,
                    cameo=row.cameo,
                    date=best_date,
                    location=places.get(row.location_id),
                    status=row.status,
                    participants=tuple(n for n, _ in names.get(event_id, [])),
                    topics=tuple(sorted(topics.get(event_id, set()))),
                    sources=len(sources.get(event_id, ())),
                )
            )
        return result

    @staticmethod
    def _participant_names(connection: Connection, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        root = entities.alias("root")
        rows = connection.execute(
            select(event_mentions.c.event_id, root.c.name, event_participants.c.role)
            .join(event_participants, event_participants.c.mention_id == event_mentions.c.id)
            .join(entities, entities.c.id == event_participants.c.entity_id)
            .join(root, root.c.id == entities.c.canonical_id)
            .where(event_mentions.c.event_id.in_(ids))
            .order_by(event_mentions.c.event_id, root.c.name)
        ).all()
        names: dict[str, list[tuple[str, str]]] = {}
        for event_id, name, role in rows:
            listed = names.setdefault(event_id, [])
            if name not in {n for n, _ in listed}:
                listed.append((name, role))
        return names

    def get_event(self, event_id: str) -> EventDetail:
        """An event with every source, its evidence, and the figures its sources give."""
        identifier = event_id.strip().lower()
        with self.engine.connect() as connection:
            matches = (
                connection.execute(
                    select(events.c.id).where(events.c.id.startswith(identifier, autoescape=True)).limit(2)
                )
                .scalars()
                .all()
            )
            if not matches:
                mention = connection.execute(
                    select(event_mentions.c.event_id).where(event_mentions.c.id == identifier)
                ).scalar()
                matches = [mention] if mention else []
            if len(matches) != 1:
                raise NotFound(f"no single event with ID {event_id!r}")
            canonical = str(matches[0])
            summary = self._summaries(connection, [canonical])[0]
            rows = connection.execute(
                select(
                    event_mentions,
                    reports.c.title,
                    reports.c.source,
                    reports.c.published,
                    reports.c.language,
                    reports.c.near_duplicate_of,
                    reports.c.text.label("report_text"),
                )
                .join(reports, reports.c.id == event_mentions.c.report_id)
                .where(event_mentions.c.event_id == canonical)
                .order_by(reports.c.published.nulls_last(), reports.c.id)
            ).all()
            sources = tuple(
                EventSource(
                    report_id=row.report_id,
                    title=row.title,
                    source=row.source,
                    published=row.published.isoformat() if row.published else None,
                    language=row.language,
                    date=row.date_value,
                    evidence=tuple(row.report_text[e["start"] : e["end"]] for e in json.loads(row.evidence)),
                    reason=row.reason,
                    copy_of=row.near_duplicate_of,
                )
                for row in rows
            )
            report_ids = sorted({s.report_id for s in sources})
            claim_records = self._claims(connection, claims.c.report_id.in_(report_ids))
            participants = tuple(self._participant_names(connection, [canonical]).get(canonical, []))
        return EventDetail(summary, participants, sources, claim_records)

    def _claims(self, connection: Connection, where: Any) -> tuple[ClaimRecord, ...]:
        rows = connection.execute(
            select(claims, reports.c.source, reports.c.published, reports.c.text.label("report_text"))
            .join(reports, reports.c.id == claims.c.report_id)
            .where(where)
            .order_by(claims.c.unit, reports.c.published.nulls_last(), claims.c.report_id, claims.c.start)
        ).all()
        names = self._canonical_names(connection, {r.subject for r in rows})
        return tuple(
            ClaimRecord(
                report_id=row.report_id,
                source=row.source,
                published=row.published.isoformat() if row.published else None,
                subject=names.get(row.subject, row.subject),
                value=row.value,
                qualifier=row.qualifier,
                unit=row.unit,
                period=row.period,
                evidence=row.report_text[row.start : row.end],
            )
            for row in rows
        )

    def list_claims(self, subject: str | None = None, limit: int = 500) -> list[ClaimRecord]:
        with self.engine.connect() as connection:
            where: Any = True
            if subject:
                root = self.find_entity_id(subject)
                members = select(entities.c.id).where(entities.c.canonical_id == root)
                where = claims.c.subject.in_(members)
            return list(self._claims(connection, where)[:limit])

    def report_stories(self) -> dict[str, str]:
        """Each report's story: the earliest event it shares with other reports (for comparing figures
        only between reports of one story); a report with no shared event is its own story."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(event_mentions.c.report_id, event_mentions.c.event_id).order_by(
                    event_mentions.c.report_id, event_mentions.c.event_id
                )
            ).all()
        reports_of: dict[str, set[str]] = {}
        for report_id, event_id in rows:
            reports_of.setdefault(event_id, set()).add(report_id)
        stories: dict[str, str] = {}
        for event_id in sorted(reports_of):
            shared = reports_of[event_id]
            if len(shared) < 2:
                continue
            story = next((stories[r] for r in sorted(shared) if r in stories), event_id)
            for report_id in shared:
                stories.setdefault(report_id, story)
        return stories

    def timeline(self, entity: str) -> list[EventSummary]:
        """The events an entity took part in, oldest first (undated last)."""
        found = self.list_events(actor=entity, limit=10_000)
        return sorted(found, key=lambda e: (e.date is None, e.date or "", e.id))

    def event_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(events)).scalar_one())
