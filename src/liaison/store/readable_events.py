"""Events through an organisation's collection: each event told only by its readable accounts.

Mixed into ``ReadableStore`` (``liaison.store.readable``), which gives the figures of the sources.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, case, func, literal, or_, select

from liaison.store.readable_records import (
    Page,
    ReadableClaim,
    ReadableEventDetail,
    ReadableEventSource,
    ReadableEventSummary,
    ReadableParticipant,
    best_date,
    page_bounds,
)
from liaison.store.schema import (
    claims,
    entities,
    event_mentions,
    event_participants,
    events,
    mentions,
    reports,
)

# As in ``liaison.store.sharing``: of a participant's roles across sources, the most telling is shown.
_ROLE_STRENGTH = {"actor": 3, "visitor": 3, "host": 2, "recipient": 2, "participant": 1}


class ReadableEventStore:
    """Event reads; ``readable_ids`` comes from ``PublicationStore``, ``_claim_records`` from
    ``ReadableStore``."""

    engine: Engine

    def readable_ids(self, collection_id: str, kind: str) -> Any:
        raise NotImplementedError

    def _claim_records(
        self,
        connection: Connection,
        collection_id: str,
        where: ColumnElement[bool],
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ReadableClaim]:
        raise NotImplementedError

    def _visible_entities(self, collection_id: str) -> Any:
        """Canonical entities the caller may read that a readable report names.

        Publication admits an entity when every report it comes from has a level the organisation reads,
        but an agreement's topics narrow the reports, not those levels: an entity read only in an
        off-topic report (a participant of an event an on-topic report tells too) is no one's to show.
        """
        return (
            select(entities.c.canonical_id)
            .join(mentions, mentions.c.entity_id == entities.c.id)
            .where(
                entities.c.canonical_id.in_(self.readable_ids(collection_id, "entity")),
                mentions.c.report_id.in_(self.readable_ids(collection_id, "report")),
            )
        )

    # -- events --------------------------------------------------------------------------------

    def _readable_mention(self, collection_id: str) -> list[ColumnElement[bool]]:
        """An event's account in a report is readable when the event and the report both are."""
        return [
            event_mentions.c.event_id.in_(self.readable_ids(collection_id, "event")),
            event_mentions.c.report_id.in_(self.readable_ids(collection_id, "report")),
        ]

    @staticmethod
    def _latest_events(
        connection: Connection, matching: Any, limit: int, offset: int = 0
    ) -> tuple[int, list[str]]:
        """How many events ``matching`` (a query of event IDs) selects, and a page of them, latest first."""
        total = connection.execute(
            select(func.count()).select_from(matching.distinct().subquery())
        ).scalar_one()
        ids = list(
            connection.execute(
                matching.group_by(event_mentions.c.event_id)
                .order_by(
                    func.max(event_mentions.c.date_value).desc().nulls_last(), event_mentions.c.event_id
                )
                .limit(limit)
                .offset(offset)
            ).scalars()
        )
        return int(total), ids

    def _readable_event_ids(self, collection_id: str) -> Any:
        """The event ID of every readable account of a readable event (a statement to refine)."""
        return (
            select(event_mentions.c.event_id)
            .join(events, events.c.id == event_mentions.c.event_id)
            .where(*self._readable_mention(collection_id))
        )

    def _event_summaries(
        self, connection: Connection, collection_id: str, event_ids: Sequence[str]
    ) -> list[ReadableEventSummary]:
        """Readable events in the order given, each told only by its readable accounts.

        The type, codes, status and place are those of the event's own first account when readable, else
        of its earliest readable one; the date is the most precise a readable account gives.
        """
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return []
        readable_entities = self._visible_entities(collection_id)
        accounts: dict[str, list[Any]] = {}
        for row in connection.execute(
            select(
                event_mentions.c.id,
                event_mentions.c.event_id,
                event_mentions.c.type,
                event_mentions.c.plover,
                event_mentions.c.plover_mode,
                event_mentions.c.cameo,
                event_mentions.c.date_value,
                event_mentions.c.date_precision,
                event_mentions.c.location_id,
                event_mentions.c.status,
                event_mentions.c.confidence,
                event_mentions.c.topics,
                func.coalesce(reports.c.near_duplicate_of, event_mentions.c.report_id).label("story"),
            )
            .join(reports, reports.c.id == event_mentions.c.report_id)
            .join(events, events.c.id == event_mentions.c.event_id)
            .where(event_mentions.c.event_id.in_(ids), *self._readable_mention(collection_id))
            .order_by(reports.c.published.nulls_last(), reports.c.ingested_at, event_mentions.c.id)
        ):
            accounts.setdefault(row.event_id, []).append(row)
        root = entities.alias("root")
        participants: dict[str, dict[str, tuple[str, str, str]]] = {}
        for event_id, root_id, name, entity_type, role in connection.execute(
            select(event_mentions.c.event_id, root.c.id, root.c.name, root.c.type, event_participants.c.role)
            .join(event_participants, event_participants.c.mention_id == event_mentions.c.id)
            .join(entities, entities.c.id == event_participants.c.entity_id)
            .join(root, root.c.id == entities.c.canonical_id)
            .where(
                event_mentions.c.event_id.in_(ids),
                *self._readable_mention(collection_id),
                root.c.id.in_(readable_entities),
            )
            .order_by(event_mentions.c.event_id, root.c.name, event_participants.c.role)
        ):
            held = participants.setdefault(event_id, {})
            if root_id not in held or _ROLE_STRENGTH.get(role, 0) > _ROLE_STRENGTH.get(held[root_id][2], 0):
                held[root_id] = (name, entity_type, role)
        primary = {
            event_id: next((r for r in rows if r.id == event_id), rows[0])
            for event_id, rows in accounts.items()
        }
        places = {
            row.id: (row.root_id, row.name)
            for row in connection.execute(
                select(entities.c.id, root.c.id.label("root_id"), root.c.name)
                .join(root, root.c.id == entities.c.canonical_id)
                .where(
                    entities.c.id.in_({r.location_id for r in primary.values() if r.location_id}),
                    root.c.id.in_(readable_entities),
                )
            )
        }
        result = []
        for event_id in ids:
            rows = accounts.get(event_id)
            if not rows:
                continue
            first = primary[event_id]
            best = best_date(first.date_value, [r.date_value for r in rows if r.date_value])
            precision = next((r.date_precision for r in rows if r.date_value == best), first.date_precision)
            place = places.get(first.location_id) if first.location_id else None
            result.append(
                ReadableEventSummary(
                    id=event_id,
                    type=first.type,
                    plover=first.plover,
                    plover_mode=first.plover_mode,
                    cameo=first.cameo,
                    date=best,
                    date_precision=precision,
                    location_id=place[0] if place else None,
                    location=place[1] if place else None,
                    status=first.status,
                    confidence=float(first.confidence),
                    topics=tuple(sorted({t for r in rows for t in json.loads(r.topics)})),
                    participants=tuple(
                        ReadableParticipant(root_id, name, entity_type, role)
                        for root_id, (name, entity_type, role) in sorted(
                            participants.get(event_id, {}).items(), key=lambda item: (item[1][0], item[0])
                        )
                    ),
                    sources=len({r.story for r in rows}),
                )
            )
        return result

    def readable_events(
        self,
        collection_id: str,
        event_type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        entity: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ReadableEventSummary]:
        """Readable events, latest first. Filters apply to readable accounts: ``event_type`` a PLOVER
        code, an event type or a CAMEO code; ``since``/``until`` dates (a month or year is compatible with
        any day in it); ``entity`` a readable canonical entity taking part."""
        limit, offset = page_bounds(limit, offset)
        matching = self._readable_event_ids(collection_id)
        if event_type and event_type.strip():
            wanted = event_type.strip()
            matching = matching.where(
                or_(
                    event_mentions.c.plover == wanted.upper(),
                    event_mentions.c.type == wanted.lower(),
                    event_mentions.c.cameo == wanted,
                )
            )
        if since is not None:
            start = literal(since.isoformat())
            matching = matching.where(
                event_mentions.c.date_value >= func.substr(start, 1, func.length(event_mentions.c.date_value))
            )
        if until is not None:
            matching = matching.where(event_mentions.c.date_value <= until.isoformat())
        if entity:
            matching = matching.where(
                event_mentions.c.id.in_(
                    select(event_participants.c.mention_id)
                    .join(entities, entities.c.id == event_participants.c.entity_id)
                    .where(
                        entities.c.canonical_id == entity,
                        entities.c.canonical_id.in_(self._visible_entities(collection_id)),
                    )
                )
            )
        with self.engine.connect() as connection:
            total, ids = self._latest_events(connection, matching, limit, offset)
            items = self._event_summaries(connection, collection_id, ids)
        return Page(tuple(items), int(total))

    def readable_event(self, collection_id: str, event_id: str) -> ReadableEventDetail | None:
        """A readable event with its readable sources, their supporting sentences and figures."""
        with self.engine.connect() as connection:
            found = self._event_summaries(connection, collection_id, [event_id])
            if not found:
                return None
            readable_reports = self.readable_ids(collection_id, "report")
            rows = connection.execute(
                select(
                    event_mentions.c.report_id,
                    event_mentions.c.date_value,
                    event_mentions.c.date_text,
                    event_mentions.c.evidence,
                    reports.c.title,
                    reports.c.source,
                    reports.c.published,
                    reports.c.language,
                    reports.c.text,
                    case(
                        (reports.c.near_duplicate_of.in_(readable_reports), reports.c.near_duplicate_of),
                        else_=None,
                    ).label("copy_of"),
                )
                .join(reports, reports.c.id == event_mentions.c.report_id)
                .where(event_mentions.c.event_id == event_id, *self._readable_mention(collection_id))
                .order_by(reports.c.published.nulls_last(), reports.c.id)
            ).all()
            sources = tuple(
                ReadableEventSource(
                    report_id=row.report_id,
                    title=row.title,
                    source=row.source,
                    published=row.published,
                    language=row.language,
                    date=row.date_value,
                    date_text=row.date_text,
                    evidence=tuple(
                        row.text[span["start"] : span["end"]] for span in json.loads(row.evidence)
                    ),
                    copy_of=row.copy_of,
                )
                for row in rows
            )
            figures = self._claim_records(
                connection, collection_id, claims.c.report_id.in_(sorted({s.report_id for s in sources}))
            )
        return ReadableEventDetail(found[0], sources, tuple(figures))
