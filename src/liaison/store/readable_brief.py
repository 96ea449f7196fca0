"""Reads for briefs (``liaison.briefing``) that the REST and web reads lack, filtered the same way.

- The marking of readable derived objects (entities and events): the most restrictive TLP of every report
  they come from, by the rule ``Store.shareable`` marks them with for collections and exports (an entity
  named in a GREEN and an AMBER report is AMBER). Only objects the caller may read are answered; every
  report counted is one the caller's collection admitted the object with, so the marking says nothing the
  collection does not.
- The readable events on a topic, for a topic brief.

Every read goes through the caller's collection (``readable_ids``) and costs a few statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, select

from liaison.domain import TLP
from liaison.store.readable_records import ReadableEventSummary, ReadableReport
from liaison.store.schema import entities, event_mentions, event_participants, mentions, reports, roles

MAX_IDS = 500  # ids looked up at once at most: keeps the IN list short
BRIEF_EVENTS = 500  # the latest events a brief reads at most


def _chunks(ids: Iterable[str]) -> list[list[str]]:
    ordered = sorted(set(ids))
    return [ordered[start : start + MAX_IDS] for start in range(0, len(ordered), MAX_IDS)]


def _most_restrictive(levels: Iterable[str]) -> TLP:
    return max((TLP(level) for level in levels), key=lambda level: level.rank, default=TLP.CLEAR)


class ReadableBriefStore:
    """Mixed into ``Store``, after the mixins that define ``readable_ids`` and ``_event_summaries``."""

    engine: Engine

    if TYPE_CHECKING:

        def readable_ids(self, collection_id: str, kind: str) -> Any: ...

        def _visible_entities(self, collection_id: str) -> Any: ...

        def _readable_event_ids(self, collection_id: str) -> Any: ...

        def _event_summaries(
            self, connection: Connection, collection_id: str, event_ids: Sequence[str]
        ) -> list[ReadableEventSummary]: ...

        def _report_columns(self, collection_id: str) -> list[Any]: ...

        def _report_records(
            self, connection: Connection, collection_id: str, rows: Sequence[Any]
        ) -> list[ReadableReport]: ...

    def readable_report_summaries(
        self, collection_id: str, report_ids: Iterable[str]
    ) -> list[ReadableReport]:
        """The given reports the caller may read (others are left out), as the report list shows them."""
        found: list[ReadableReport] = []
        with self.engine.connect() as connection:
            for chunk in _chunks(report_ids):
                rows = connection.execute(
                    select(*self._report_columns(collection_id)).where(
                        reports.c.id.in_(chunk), reports.c.id.in_(self.readable_ids(collection_id, "report"))
                    )
                ).all()
                found.extend(self._report_records(connection, collection_id, rows))
        return found

    def readable_entity_markings(self, collection_id: str, entity_ids: Iterable[str]) -> dict[str, TLP]:
        """Canonical entity ID -> its marking, for the given entities the caller may read.

        An entity comes from every report that mentions it, names it in a role (person, organisation or
        country), has it take part in an event or places an event at it — as ``Store.shareable`` counts.
        """
        found: dict[str, set[str]] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(entity_ids):
                readable = select(entities.c.canonical_id).where(
                    entities.c.canonical_id.in_(chunk),
                    entities.c.canonical_id.in_(self._visible_entities(collection_id)),
                )
                members = select(entities.c.id).where(entities.c.canonical_id.in_(readable))
                from_mentions = (
                    select(entities.c.canonical_id, reports.c.tlp)
                    .join(mentions, mentions.c.entity_id == entities.c.id)
                    .join(reports, reports.c.id == mentions.c.report_id)
                    .where(entities.c.id.in_(members))
                )
                queries = [from_mentions]
                for column in (roles.c.person_id, roles.c.organization_id, roles.c.country_id):
                    queries.append(
                        select(entities.c.canonical_id, reports.c.tlp)
                        .join(roles, column == entities.c.id)
                        .join(reports, reports.c.id == roles.c.report_id)
                        .where(entities.c.id.in_(members))
                    )
                queries.append(
                    select(entities.c.canonical_id, reports.c.tlp)
                    .join(event_participants, event_participants.c.entity_id == entities.c.id)
                    .join(event_mentions, event_mentions.c.id == event_participants.c.mention_id)
                    .join(reports, reports.c.id == event_mentions.c.report_id)
                    .where(entities.c.id.in_(members))
                )
                queries.append(
                    select(entities.c.canonical_id, reports.c.tlp)
                    .join(event_mentions, event_mentions.c.location_id == entities.c.id)
                    .join(reports, reports.c.id == event_mentions.c.report_id)
                    .where(entities.c.id.in_(members))
                )
                for query in queries:
                    for root, level in connection.execute(query.distinct()):
                        found.setdefault(root, set()).add(level)
        return {root: _most_restrictive(levels) for root, levels in found.items()}

    def readable_event_markings(self, collection_id: str, event_ids: Iterable[str]) -> dict[str, TLP]:
        """Event ID -> its marking (every report telling it), for the given events the caller may read."""
        found: dict[str, set[str]] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(event_ids):
                for event_id, level in connection.execute(
                    select(event_mentions.c.event_id, reports.c.tlp)
                    .join(reports, reports.c.id == event_mentions.c.report_id)
                    .where(
                        event_mentions.c.event_id.in_(chunk),
                        event_mentions.c.event_id.in_(self._readable_event_ids(collection_id)),
                    )
                    .distinct()
                ):
                    found.setdefault(event_id, set()).add(level)
        return {event_id: _most_restrictive(levels) for event_id, levels in found.items()}

    def readable_events_on_topic(
        self, collection_id: str, topic: str, limit: int = BRIEF_EVENTS
    ) -> list[ReadableEventSummary]:
        """The latest readable events a readable account gives the topic ``topic``, oldest first."""
        wanted = topic.strip().lower()
        if not wanted:
            return []
        # topics are a JSON list of strings per account: match the quoted value, then check it exactly
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")
        pattern = f'%"{escaped}"%'
        with self.engine.connect() as connection:
            latest = list(
                connection.execute(
                    self._readable_event_ids(collection_id)
                    .where(event_mentions.c.topics.like(pattern, escape="\\"))
                    .group_by(event_mentions.c.event_id)
                    .order_by(
                        func.max(event_mentions.c.date_value).desc().nulls_last(), event_mentions.c.event_id
                    )
                    .limit(max(0, limit))
                ).scalars()
            )
            found = self._event_summaries(connection, collection_id, latest)
        chosen = [event for event in found if wanted in event.topics]
        return sorted(chosen, key=lambda e: (e.date is None, e.date or "", e.id))
