"""Watches, the alerts they raise and the outbox that delivers them (``liaison.watching`` decides what
matches; this module only keeps and reads rows).

``report_facts`` gathers, in a few statements, everything about one stored report that a watch can match:
its mentions, events, figures and new aliases mapped to canonical entities, its topics and places, with
the sentences that show them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from liaison.domain import TLP, Alert, AlertMatch, Watch, WatchKind
from liaison.errors import NotFound
from liaison.store.schema import (
    alert_deliveries,
    alert_matches,
    alerts,
    claims,
    collection_members,
    collection_objects,
    entities,
    entity_aliases,
    event_mentions,
    event_participants,
    events,
    mentions,
    report_topics,
    reports,
    sentences,
    users,
    watches,
)

PLACE_TYPES = ("country", "location")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class WatchRecord:
    """A watch with what matching and delivery need beyond ``Watch``: whose organisation reads for it."""

    watch: Watch
    user_id: str
    organization_id: str
    webhook_secret: str | None


@dataclass(frozen=True)
class EntityCandidate:
    id: str
    name: str
    type: str
    mentions: int


@dataclass(frozen=True)
class FactMention:
    entity_id: str  # canonical
    name: str
    type: str
    sentence: str
    country_code: str | None


@dataclass(frozen=True)
class FactEvent:
    event_id: str
    type: str
    plover: str
    participants: frozenset[str]  # canonical entity ids
    location_id: str | None  # canonical
    location_country: str | None
    topics: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class FactClaim:
    claim_id: str
    subject_id: str | None  # canonical
    label: str
    evidence: str


@dataclass(frozen=True)
class FactAlias:
    entity_id: str  # canonical
    alias: str
    evidence: str


@dataclass(frozen=True)
class ReportFacts:
    report_id: str
    title: str
    tlp: TLP
    dedupe_key: str  # the report this one copies, or itself
    mentions: tuple[FactMention, ...]
    events: tuple[FactEvent, ...]
    claims: tuple[FactClaim, ...]
    aliases: tuple[FactAlias, ...]
    topics: tuple[str, ...]
    place_names: dict[str, frozenset[str]]  # canonical place id -> its normalised names


@dataclass(frozen=True)
class DeliveryRecord:
    id: str
    alert_id: str
    channel: str
    target: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None


def _sentence_text(text_: str, spans: dict[int, tuple[int, int]], index: int) -> str:
    start, end = spans.get(index, (0, 0))
    return " ".join(text_[start:end].split())


class WatchStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    def current_time(self) -> datetime:
        """The store's clock (fixed in tests), which alerts and deliveries are dated by."""
        return self._clock()

    # --- watches ---

    def insert_watch(self, watch: Watch, user_id: str, webhook_secret: str | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                watches.insert(),
                {
                    "id": watch.id,
                    "user_id": user_id,
                    "kind": watch.kind.value,
                    "value": watch.value,
                    "label": watch.label,
                    "min_tlp": watch.min_tlp.value if watch.min_tlp else None,
                    "webhook_url": watch.webhook_url,
                    "webhook_secret": webhook_secret,
                    "email": watch.email,
                    "created_at": watch.created,
                },
            )

    def watch_records(self, user_id: str | None = None, watch_id: str | None = None) -> list[WatchRecord]:
        query = (
            select(watches, users.c.name.label("user_name"), users.c.organization_id)
            .join(users, users.c.id == watches.c.user_id)
            .where(users.c.disabled.is_(False))
            .order_by(watches.c.created_at, watches.c.id)
        )
        if user_id is not None:
            query = query.where(watches.c.user_id == user_id)
        if watch_id is not None:
            query = query.where(watches.c.id == watch_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            WatchRecord(
                Watch(
                    row.id,
                    row.user_name,
                    WatchKind(row.kind),
                    row.value,
                    row.label,
                    TLP(row.min_tlp) if row.min_tlp else None,
                    row.webhook_url,
                    row.email,
                    _aware(row.created_at),
                ),
                row.user_id,
                row.organization_id,
                row.webhook_secret,
            )
            for row in rows
        ]

    def find_watch_of(self, user_id: str, watch_id: str) -> WatchRecord:
        """The user's watch with this id or unique id prefix; ``NotFound`` for anyone else's."""
        identifier = watch_id.strip().lower()
        if not re.fullmatch(r"[0-9a-f-]{4,36}", identifier):
            raise NotFound(f"no watch with ID {watch_id!r} (see `liaison watch list`)")
        with self.engine.connect() as connection:
            ids = (
                connection.execute(
                    select(watches.c.id)
                    .where(watches.c.user_id == user_id, watches.c.id.startswith(identifier, autoescape=True))
                    .limit(2)
                )
                .scalars()
                .all()
            )
        if len(ids) != 1:
            problem = "matches several watches; give more characters" if ids else "is not one of your watches"
            raise NotFound(f"watch ID {watch_id!r} {problem} (see `liaison watch list`)")
        return self.watch_records(user_id=user_id, watch_id=ids[0])[0]

    def delete_watch(self, watch_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(watches).where(watches.c.id == watch_id))

    # --- what a watch may name ---

    def entity_candidates(self, name: str, key: str) -> list[EntityCandidate]:
        """Canonical entities with ``key`` (a normalised name) among their aliases, or whose id starts with
        ``name``; the most mentioned first."""
        identifier = name.strip().lower()
        with self.engine.connect() as connection:
            roots = set(
                connection.execute(
                    select(entities.c.canonical_id)
                    .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                    .where(entity_aliases.c.normalized == key)
                )
                .scalars()
                .all()
            )
            if re.fullmatch(r"[0-9a-f-]{4,36}", identifier):
                roots.update(
                    connection.execute(
                        select(entities.c.canonical_id).where(
                            entities.c.id.startswith(identifier, autoescape=True)
                        )
                    )
                    .scalars()
                    .all()
                )
            if not roots:
                return []
            member = entities.alias("member")
            counts = (
                select(member.c.canonical_id.label("root"), func.count(mentions.c.id).label("n"))
                .join(mentions, mentions.c.entity_id == member.c.id)
                .where(member.c.canonical_id.in_(sorted(roots)))
                .group_by(member.c.canonical_id)
                .subquery()
            )
            rows = connection.execute(
                select(entities.c.id, entities.c.name, entities.c.type, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.root == entities.c.id)
                .where(entities.c.id.in_(sorted(roots)))
            ).all()
        found = [EntityCandidate(row[0], row[1], row[2], int(row[3])) for row in rows]
        return sorted(found, key=lambda c: (-c.mentions, c.name, c.id))

    def place_candidates(self, key: str) -> list[tuple[str, str, str | None]]:
        """Places (id, name, country code) with the normalised name ``key``."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(entities.c.id, entities.c.name, entities.c.attributes)
                .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                .where(
                    entity_aliases.c.normalized == key,
                    entities.c.type.in_(PLACE_TYPES),
                    entities.c.id == entities.c.canonical_id,
                )
                .distinct()
            ).all()
        return [(row.id, row.name, json.loads(row.attributes or "{}").get("country_code")) for row in rows]

    def known_topics(self, readable_reports: Any = None) -> list[str]:
        """Topic labels of stored reports (of those in ``readable_reports``, a subquery, when given)."""
        query = select(report_topics.c.topic).distinct().order_by(report_topics.c.topic)
        if readable_reports is not None:
            query = query.where(report_topics.c.report_id.in_(readable_reports))
        with self.engine.connect() as connection:
            return [str(topic) for topic in connection.execute(query).scalars()]

    # --- matching ---

    def report_facts(self, report_id: str) -> ReportFacts | None:
        """Everything a watch can match in one stored report, or None when it is not stored."""
        with self.engine.connect() as connection:
            report = connection.execute(
                select(
                    reports.c.id, reports.c.title, reports.c.tlp, reports.c.text, reports.c.near_duplicate_of
                ).where(reports.c.id == report_id)
            ).first()
            if report is None:
                return None
            spans = {
                row.idx: (row.start, row.end)
                for row in connection.execute(
                    select(sentences.c.idx, sentences.c.start, sentences.c.end).where(
                        sentences.c.report_id == report_id
                    )
                )
            }
            root = entities.alias("root")
            member = entities.alias("member")
            mention_rows = connection.execute(
                select(mentions.c.sentence, root.c.id, root.c.name, root.c.type, root.c.attributes)
                .join(member, member.c.id == mentions.c.entity_id)
                .join(root, root.c.id == member.c.canonical_id)
                .where(mentions.c.report_id == report_id)
                .order_by(mentions.c.start)
            ).all()
            canonical = self._canonical_map(connection, report_id)
            event_rows = connection.execute(
                select(
                    event_mentions.c.id,
                    event_mentions.c.event_id,
                    event_mentions.c.type,
                    event_mentions.c.plover,
                    event_mentions.c.location_id,
                    event_mentions.c.topics,
                    event_mentions.c.evidence,
                )
                .join(events, events.c.id == event_mentions.c.event_id)
                .where(event_mentions.c.report_id == report_id)
                .order_by(event_mentions.c.id)
            ).all()
            participants: dict[str, set[str]] = {}
            if event_rows:
                for row in connection.execute(
                    select(event_participants.c.mention_id, event_participants.c.entity_id).where(
                        event_participants.c.mention_id.in_([r.id for r in event_rows])
                    )
                ):
                    participants.setdefault(row.mention_id, set()).add(row.entity_id)
            claim_rows = connection.execute(
                select(claims).where(claims.c.report_id == report_id).order_by(claims.c.start)
            ).all()
            alias_rows = connection.execute(
                select(entity_aliases.c.alias, entities.c.canonical_id, entity_aliases.c.entity_id)
                .join(entities, entities.c.id == entity_aliases.c.entity_id)
                .where(entity_aliases.c.first_report_id == report_id)
                .order_by(entity_aliases.c.alias)
            ).all()
            topics = tuple(
                connection.execute(
                    select(report_topics.c.topic)
                    .where(report_topics.c.report_id == report_id)
                    .order_by(report_topics.c.topic)
                ).scalars()
            )
            place_ids = {row.id for row in mention_rows if row.type in PLACE_TYPES}
            place_ids.update(canonical.get(row.location_id, row.location_id) for row in event_rows)
            place_ids.discard(None)
            place_names, place_countries = self._place_names(connection, place_ids)
        body: str = report.text

        def sentence(index: int) -> str:
            return _sentence_text(body, spans, index)

        fact_mentions = tuple(
            FactMention(
                row.id,
                row.name,
                row.type,
                sentence(row.sentence),
                json.loads(row.attributes or "{}").get("country_code"),
            )
            for row in mention_rows
        )
        fact_events = []
        for event_row in event_rows:
            evidence = json.loads(event_row.evidence or "[]")
            first = evidence[0] if evidence else None
            location = (
                canonical.get(event_row.location_id, event_row.location_id) if event_row.location_id else None
            )
            fact_events.append(
                FactEvent(
                    event_row.event_id,
                    event_row.type,
                    event_row.plover,
                    frozenset(canonical.get(e, e) for e in participants.get(event_row.id, ())),
                    location,
                    place_countries.get(location) if location else None,
                    tuple(json.loads(event_row.topics or "[]")),
                    sentence(first["sentence"]) if first else "",
                )
            )
        fact_claims = tuple(
            FactClaim(
                row.id,
                canonical.get(row.subject, row.subject),
                f"{row.qualifier + ' ' if row.qualifier else ''}{row.value:g} {row.unit}",
                sentence(row.sentence),
            )
            for row in claim_rows
        )
        first_sentence: dict[str, str] = {}
        for mention in fact_mentions:
            first_sentence.setdefault(mention.entity_id, mention.sentence)
        fact_aliases = tuple(
            FactAlias(row.canonical_id, row.alias, first_sentence.get(row.canonical_id, ""))
            for row in alias_rows
        )
        return ReportFacts(
            report.id,
            report.title or report.id,
            TLP(report.tlp),
            report.near_duplicate_of or report.id,
            fact_mentions,
            tuple(fact_events),
            fact_claims,
            fact_aliases,
            topics,
            place_names,
        )

    @staticmethod
    def _canonical_map(connection: Connection, report_id: str) -> dict[str, str]:
        """Extracted entity id -> canonical id for every entity the report mentions or names in events."""
        rows = connection.execute(
            select(entities.c.id, entities.c.canonical_id).where(
                entities.c.id.in_(select(mentions.c.entity_id).where(mentions.c.report_id == report_id))
            )
        ).all()
        return {row.id: row.canonical_id for row in rows}

    @staticmethod
    def _place_names(
        connection: Connection, place_ids: set[str]
    ) -> tuple[dict[str, frozenset[str]], dict[str, str | None]]:
        if not place_ids:
            return {}, {}
        names: dict[str, set[str]] = {}
        for row in connection.execute(
            select(entities.c.canonical_id, entity_aliases.c.normalized)
            .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
            .where(entities.c.canonical_id.in_(sorted(place_ids)))
        ):
            names.setdefault(row.canonical_id, set()).add(row.normalized)
        countries = {
            row.id: json.loads(row.attributes or "{}").get("country_code")
            for row in connection.execute(
                select(entities.c.id, entities.c.attributes).where(entities.c.id.in_(sorted(place_ids)))
            )
        }
        return {key: frozenset(value) for key, value in names.items()}, countries

    def report_query_snippet(self, report_id: str, query: str) -> str | None:
        """The snippet of the report that the full-text ``query`` finds (the search ``search`` runs), or
        None when the report does not match."""
        words = re.findall(r"\w+", query)
        if not words:
            return None
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                row = connection.execute(
                    text(
                        "SELECT ts_headline('simple', text, q, 'MaxWords=30, MinWords=12, "
                        "StartSel=[, StopSel=]') AS snippet "
                        "FROM reports, to_tsquery('simple', :q) AS q "
                        "WHERE id = :id AND search_vector @@ q"
                    ),
                    {"q": " & ".join(f"{word}:*" for word in words), "id": report_id},
                ).first()
            else:
                row = connection.execute(
                    text(
                        "SELECT snippet(report_search, 2, '[', ']', '…', 24) AS snippet "
                        "FROM report_search WHERE report_search MATCH :q AND report_id = :id"
                    ),
                    {"q": " ".join(f'"{word}"*' for word in words), "id": report_id},
                ).first()
        return None if row is None else " ".join(str(row.snippet).split())

    # --- alerts ---

    def alert_exists(self, alert_id: str) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(alerts.c.id).where(alerts.c.id == alert_id)).first() is not None

    def alerted_targets(self, watch_id: str, target_ids: Iterable[str]) -> set[str]:
        """Those of ``target_ids`` (events, figures, aliases) already in an alert of this watch."""
        wanted = sorted(set(target_ids))
        if not wanted:
            return set()
        with self.engine.connect() as connection:
            return set(
                connection.execute(
                    select(alert_matches.c.target_id)
                    .join(alerts, alerts.c.id == alert_matches.c.alert_id)
                    .where(alerts.c.watch_id == watch_id, alert_matches.c.target_id.in_(wanted))
                )
                .scalars()
                .all()
            )

    def insert_alert(
        self,
        alert: Alert,
        user_id: str,
        dedupe_key: str,
        deliveries: Sequence[tuple[str, str, str]],
    ) -> bool:
        """Record an alert, what matched and its pending deliveries ``(id, channel, target)``; False when
        an alert with its id exists already."""
        with self.engine.begin() as connection:
            if connection.execute(select(alerts.c.id).where(alerts.c.id == alert.id)).first() is not None:
                return False
            try:
                connection.execute(
                    alerts.insert(),
                    {
                        "id": alert.id,
                        "watch_id": alert.watch_id,
                        "user_id": user_id,
                        "report_id": alert.report_id,
                        "dedupe_key": dedupe_key,
                        "reason": alert.reason,
                        "created_at": alert.created,
                        "read_at": None,
                        "stix_id": alert.stix_id,
                        "stix_title": alert.report_title if alert.stix_id else None,
                        "stix_tlp": alert.tlp.value if alert.stix_id else None,
                        "received_from": alert.received_from,
                    },
                )
            except IntegrityError:  # recorded concurrently by another process
                return False
            if alert.matches:
                connection.execute(
                    alert_matches.insert(),
                    [
                        {
                            "alert_id": alert.id,
                            "idx": index,
                            "kind": match.kind,
                            "target_id": match.target_id,
                            "label": match.label,
                            "evidence": match.evidence,
                            "report_id": match.report_id,
                        }
                        for index, match in enumerate(alert.matches)
                    ],
                )
            if deliveries:
                connection.execute(
                    alert_deliveries.insert(),
                    [
                        {
                            "id": delivery_id,
                            "alert_id": alert.id,
                            "channel": channel,
                            "target": target,
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": alert.created,
                            "last_error": None,
                            "delivered_at": None,
                            "created_at": alert.created,
                        }
                        for delivery_id, channel, target in deliveries
                    ],
                )
        return True

    def alerts_for(
        self,
        user_id: str,
        *,
        unread_only: bool = False,
        limit: int = 100,
        offset: int = 0,
        alert_ids: Sequence[str] | None = None,
        collection_id: str | None = None,
    ) -> list[Alert]:
        """A user's alerts, unread first then newest first; with ``collection_id``, only those whose report
        that collection still holds (an agreement narrowed after the alert hides it)."""
        query = (
            select(
                alerts,
                users.c.name.label("user_name"),
                func.coalesce(reports.c.title, alerts.c.stix_title).label("title"),
                func.coalesce(reports.c.tlp, alerts.c.stix_tlp).label("tlp"),
            )
            .join(users, users.c.id == alerts.c.user_id)
            .outerjoin(reports, reports.c.id == alerts.c.report_id)
            .where(alerts.c.user_id == user_id)
            .order_by(alerts.c.read_at.is_not(None), alerts.c.created_at.desc(), alerts.c.id)
            .limit(limit)
            .offset(offset)
        )
        if unread_only:
            query = query.where(alerts.c.read_at.is_(None))
        if collection_id is not None:
            query = query.where(_still_readable(collection_id))
        if alert_ids is not None:
            query = query.where(alerts.c.id.in_(list(alert_ids)))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            matches: dict[str, list[AlertMatch]] = {}
            if rows:
                for match in connection.execute(
                    select(alert_matches)
                    .where(alert_matches.c.alert_id.in_([row.id for row in rows]))
                    .order_by(alert_matches.c.alert_id, alert_matches.c.idx)
                ):
                    matches.setdefault(match.alert_id, []).append(
                        AlertMatch(match.kind, match.target_id, match.label, match.evidence, match.report_id)
                    )
        return [
            Alert(
                row.id,
                row.watch_id,
                row.user_name,
                _aware(row.created_at),
                row.report_id,
                row.title or row.report_id or row.stix_id,
                TLP(row.tlp or TLP.CLEAR),
                row.reason,
                tuple(matches.get(row.id, ())),
                row.read_at is not None,
                row.stix_id,
                row.received_from,
            )
            for row in rows
        ]

    def alert_context(self, alert_id: str) -> tuple[WatchRecord, Alert] | None:
        """The watch an alert belongs to and the alert itself (for delivering it)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(alerts.c.watch_id, alerts.c.user_id).where(alerts.c.id == alert_id)
            ).first()
        if row is None:
            return None
        records = self.watch_records(watch_id=row.watch_id)
        found = self.alerts_for(row.user_id, alert_ids=[alert_id], limit=1)
        return (records[0], found[0]) if records and found else None

    def unread_alert_count(self, user_id: str, collection_id: str | None = None) -> int:
        query = (
            select(func.count())
            .select_from(alerts)
            .where(alerts.c.user_id == user_id, alerts.c.read_at.is_(None))
        )
        if collection_id is not None:
            query = query.where(_still_readable(collection_id))
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def mark_alerts_read(self, user_id: str, alert_id: str | None) -> int:
        """Mark one alert of the user (id or unique prefix) or all of them read; how many changed."""
        where = [alerts.c.user_id == user_id]
        if alert_id is not None:
            identifier = alert_id.strip().lower()
            with self.engine.connect() as connection:
                ids = (
                    connection.execute(
                        select(alerts.c.id)
                        .where(
                            alerts.c.user_id == user_id,
                            alerts.c.id.startswith(identifier, autoescape=True),
                        )
                        .limit(2)
                    )
                    .scalars()
                    .all()
                )
            if len(ids) != 1 or not re.fullmatch(r"[0-9a-f-]{4,36}", identifier):
                raise NotFound(f"no alert with ID {alert_id!r} (see `liaison alerts`)")
            where.append(alerts.c.id == ids[0])
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(alerts).where(and_(*where), alerts.c.read_at.is_(None)).values(read_at=self._clock())
            )
        return int(changed.rowcount)

    # --- delivery outbox ---

    def _deliveries(self, where: Any, limit: int | None = None) -> list[DeliveryRecord]:
        query = (
            select(alert_deliveries)
            .where(where)
            .order_by(alert_deliveries.c.next_attempt_at, alert_deliveries.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            DeliveryRecord(
                row.id,
                row.alert_id,
                row.channel,
                row.target,
                row.status,
                row.attempts,
                _aware(row.next_attempt_at) if row.next_attempt_at else None,
                row.last_error,
                _aware(row.delivered_at) if row.delivered_at else None,
            )
            for row in rows
        ]

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[DeliveryRecord]:
        return self._deliveries(
            and_(alert_deliveries.c.status == "pending", alert_deliveries.c.next_attempt_at <= now), limit
        )

    def pending_deliveries_of(self, alert_ids: Sequence[str]) -> list[DeliveryRecord]:
        if not alert_ids:
            return []
        return self._deliveries(
            and_(alert_deliveries.c.status == "pending", alert_deliveries.c.alert_id.in_(list(alert_ids)))
        )

    def deliveries_of(self, alert_id: str) -> list[DeliveryRecord]:
        return self._deliveries(alert_deliveries.c.alert_id == alert_id)

    def pending_delivery_count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(alert_deliveries)
                    .where(alert_deliveries.c.status == "pending")
                ).scalar_one()
            )

    def next_delivery_due(self) -> datetime | None:
        """When the earliest pending delivery is due, or None when nothing is pending."""
        with self.engine.connect() as connection:
            moment = connection.execute(
                select(func.min(alert_deliveries.c.next_attempt_at)).where(
                    alert_deliveries.c.status == "pending"
                )
            ).scalar()
        return _aware(moment) if moment else None

    def claim_delivery_attempt(self, delivery_id: str, attempts_seen: int) -> bool:
        """Count one more attempt if nobody else has since ``attempts_seen`` was read; whether we did."""
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(alert_deliveries)
                .where(
                    alert_deliveries.c.id == delivery_id,
                    alert_deliveries.c.status == "pending",
                    alert_deliveries.c.attempts == attempts_seen,
                )
                .values(attempts=attempts_seen + 1)
            )
        return claimed.rowcount == 1

    def record_delivery_attempt(
        self,
        delivery_id: str,
        *,
        status: str,
        attempts: int,
        next_attempt_at: datetime | None,
        error: str | None,
        delivered_at: datetime | None,
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(alert_deliveries)
                .where(alert_deliveries.c.id == delivery_id)
                .values(
                    status=status,
                    attempts=attempts,
                    next_attempt_at=next_attempt_at,
                    last_error=error,
                    delivered_at=delivered_at,
                )
            )


def _still_readable(collection_id: str) -> Any:
    """Alerts whose report, or received STIX object, the collection holds: the badge and the list count
    the same alerts."""
    return or_(
        alerts.c.report_id.in_(
            select(collection_members.c.local_id).where(
                collection_members.c.collection_id == collection_id, collection_members.c.kind == "report"
            )
        ),
        alerts.c.stix_id.in_(
            select(collection_objects.c.stix_id).where(
                collection_objects.c.collection_id == collection_id, collection_objects.c.current
            )
        ),
    )
