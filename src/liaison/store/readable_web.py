"""Reads for the web pages that the REST reads (``liaison.store.readable``) lack, filtered the same way.

- A report's time expressions and event triggers, to highlight them in its text: they are kept in the
  report's stored extraction, not in tables. Times are words of the report itself; a trigger is shown
  only for an account of an event the caller may read.
- The places linked to an entity, with the gazetteer attributes that put them on a map.
- The titles of readable reports, to name the sources of an entity's aliases.
- The events that happened at a place, for a place's timeline (``readable_entity`` gives those it took
  part in).

Every read goes through the caller's collection (``readable_ids``) and costs a few statements, however many
rows it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, select

from liaison.store.readable_records import ENTITY_EVENTS_SHOWN, ReadableEventSummary
from liaison.store.schema import entities, event_mentions, reports

# Attributes a place entity gets from the gazetteer (never from a report's words): safe to show as they are.
PLACE_ATTRIBUTES = ("place_kind", "country_code")
PLACE_TYPES = ("country", "location")
MAX_IDS = 500  # ids looked up at once at most: keeps the IN list short


@dataclass(frozen=True)
class TimeMark:
    start: int
    end: int
    text: str
    type: str | None  # date, time, duration, set
    value: str | None  # normalised, e.g. 2024-02-20


@dataclass(frozen=True)
class TriggerMark:
    start: int
    end: int
    event_id: str  # the readable event the words tell of
    event_type: str
    plover: str


@dataclass(frozen=True)
class ReportMarks:
    times: tuple[TimeMark, ...]
    triggers: tuple[TriggerMark, ...]


@dataclass(frozen=True)
class ReadablePlace:
    entity_id: str
    name: str
    type: str
    attributes: dict[str, str]  # only PLACE_ATTRIBUTES


def _offsets(item: dict[str, Any]) -> tuple[int, int] | None:
    start, end = item.get("start"), item.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
        return start, end
    return None


class ReadableWebStore:
    """Mixed into ``Store``, after the mixins that define ``readable_ids`` and ``_visible_entities``."""

    engine: Engine

    if TYPE_CHECKING:

        def readable_ids(self, collection_id: str, kind: str) -> Any: ...

        def _visible_entities(self, collection_id: str) -> Any: ...

        def _readable_event_ids(self, collection_id: str) -> Any: ...

        def _event_summaries(
            self, connection: Connection, collection_id: str, event_ids: Sequence[str]
        ) -> list[ReadableEventSummary]: ...

    def readable_report_marks(self, collection_id: str, report_id: str) -> ReportMarks:
        """The time expressions and readable event triggers of a readable report, in text order; none
        for a report the caller may not read."""
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(reports.c.extraction).where(
                    reports.c.id == report_id, reports.c.id.in_(self.readable_ids(collection_id, "report"))
                )
            ).scalar()
            if stored is None:
                return ReportMarks((), ())
            # an account of an event is stored under the ID the extraction gave the event
            accounts = {
                row.id: row
                for row in connection.execute(
                    # this report's own account says what kind of event: not another report's
                    select(
                        event_mentions.c.id,
                        event_mentions.c.event_id,
                        event_mentions.c.type,
                        event_mentions.c.plover,
                    ).where(
                        event_mentions.c.report_id == report_id,
                        event_mentions.c.event_id.in_(self.readable_ids(collection_id, "event")),
                    )
                )
            }
        extraction = json.loads(stored)
        times = []
        for item in extraction.get("times", []):
            offsets = _offsets(item)
            if offsets:
                times.append(
                    TimeMark(*offsets, str(item.get("text", "")), item.get("type"), item.get("value"))
                )
        triggers = []
        for event in extraction.get("events", []):
            account = accounts.get(event.get("id"))
            if account is None:
                continue
            for trigger in event.get("triggers", []):
                offsets = _offsets(trigger)
                if offsets:
                    triggers.append(TriggerMark(*offsets, account.event_id, account.type, account.plover))
        return ReportMarks(
            tuple(sorted(times, key=lambda t: (t.start, t.end))),
            tuple(sorted(triggers, key=lambda t: (t.start, t.end, t.event_id))),
        )

    def readable_places(self, collection_id: str, entity_ids: Iterable[str]) -> list[ReadablePlace]:
        """Of the given canonical entities, the readable places (countries and locations), by name."""
        ids = sorted(set(entity_ids))[:MAX_IDS]
        if not ids:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(entities.c.id, entities.c.name, entities.c.type, entities.c.attributes)
                .where(
                    entities.c.id.in_(ids),
                    entities.c.id == entities.c.canonical_id,
                    entities.c.type.in_(PLACE_TYPES),
                    entities.c.id.in_(self._visible_entities(collection_id)),
                )
                .order_by(entities.c.name, entities.c.id)
            ).all()
        places = []
        for row in rows:
            attributes = json.loads(row.attributes or "{}")
            places.append(
                ReadablePlace(
                    row.id,
                    row.name,
                    row.type,
                    {key: str(attributes[key]) for key in PLACE_ATTRIBUTES if attributes.get(key)},
                )
            )
        return places

    def readable_report_titles(self, collection_id: str, report_ids: Iterable[str]) -> dict[str, str | None]:
        """Report ID -> title, for the given reports the caller may read (others are left out)."""
        ids = sorted(set(report_ids))[:MAX_IDS]
        if not ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reports.c.id, reports.c.title).where(
                    reports.c.id.in_(ids), reports.c.id.in_(self.readable_ids(collection_id, "report"))
                )
            ).all()
        return {row.id: row.title for row in rows}

    def readable_events_at(
        self, collection_id: str, place_id: str, limit: int = ENTITY_EVENTS_SHOWN
    ) -> list[ReadableEventSummary]:
        """The latest readable events a readable account places at the place ``place_id`` (a readable
        canonical entity), oldest first, as ``readable_entity`` orders an entity's events."""
        located = select(entities.c.id).where(
            entities.c.canonical_id == place_id,
            entities.c.canonical_id.in_(self._visible_entities(collection_id)),
        )
        with self.engine.connect() as connection:
            latest = list(
                connection.execute(
                    self._readable_event_ids(collection_id)
                    .where(event_mentions.c.location_id.in_(located))
                    .group_by(event_mentions.c.event_id)
                    .order_by(
                        func.max(event_mentions.c.date_value).desc().nulls_last(), event_mentions.c.event_id
                    )
                    .limit(max(0, limit))
                ).scalars()
            )
            found = self._event_summaries(connection, collection_id, latest)
        return sorted(found, key=lambda e: (e.date is None, e.date or "", e.id))
