"""What may be shared: the reports an export selects and everything derived from them, with markings.

``Store.shareable`` reads it in a bounded number of set-based queries (a few per 500 objects), never one
query per object. The marking rule of Liaison's sharing (issue 6): every object carries the most
restrictive TLP of the reports it comes from — all of them, whatever the filters select — so an entity
named in a TLP:CLEAR and a TLP:RED report is RED, and ``tlp_max`` below RED leaves it out entirely.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from liaison.domain import (
    TLP,
    Audience,
    EntityType,
    ShareableClaim,
    ShareableEntity,
    ShareableEvent,
    ShareableReport,
    ShareableRole,
    ShareableSet,
)
from liaison.store.schema import (
    claims,
    entities,
    entity_aliases,
    event_mentions,
    event_participants,
    events,
    mentions,
    report_recipients,
    report_topics,
    reports,
    roles,
)

_IN_CHUNK = 500

# As in ``liaison.extract.event_building``: an actor says more about the event than a participant.
_ROLE_STRENGTH = {"actor": 3, "visitor": 3, "host": 2, "recipient": 2, "participant": 1}


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(items))
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def _most_restrictive(levels: Iterable[TLP]) -> TLP:
    return max(levels, key=lambda level: level.rank, default=TLP.CLEAR)


@dataclass
class _ReportFacts:
    """What the markings and dates of derived objects need to know about any report."""

    tlp: dict[str, TLP] = field(default_factory=dict)
    recipients: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ingested_at: dict[str, datetime] = field(default_factory=dict)
    topics: dict[str, set[str]] = field(default_factory=dict)
    # every report a derived object (entity, event) is read in, selected or not: its marking's sources
    read_in: dict[str, set[str]] = field(default_factory=dict)

    def sources(self, object_id: str) -> list[tuple[TLP, tuple[str, ...]]]:
        """The marking and RED recipients of every report ``object_id`` was read in."""
        return [(self.tlp[r], self.recipients.get(r, ())) for r in sorted(self.read_in.get(object_id, ()))]


class SharingStore:
    """Mixed into ``Store``, which provides the engine; ``find_entity_id`` comes from ``EntityStore``."""

    engine: Engine

    def find_entity_id(self, name_or_id: str) -> str:
        raise NotImplementedError

    def shareable(
        self,
        since: date | None = None,
        tlp_max: TLP | None = None,
        entity: str | None = None,
        audience: Audience | None = None,
    ) -> ShareableSet:
        """The reports selected and the objects derived from them, each with its marking.

        ``since`` keeps reports ingested on or after that day; ``tlp_max`` leaves out reports and any
        object marked above it; ``entity`` (a name, alias, ID or ID prefix) keeps the reports that
        mention it. Derived objects are the entities those reports mention, the roles, events and
        figures read in them, and the entities those refer to.

        ``audience`` applies an organisation's handling rules (``Audience``): the reports it may read
        (and, for a partner, on its agreement's topics), and the derived objects every source of which
        it may read. Without it, the operator's view up to ``tlp_max``.
        """
        if audience is None:
            audience = Audience.everything(tlp_max)
        elif tlp_max is not None:
            audience = Audience(
                audience.organization,
                frozenset(level for level in audience.levels if level.rank <= tlp_max.rank),
                audience.topics,
            )
        root = self.find_entity_id(entity) if entity else None
        # A partner limited to topics reads nothing from other reports: not an alias, participant, date
        # or topic they contributed to an entity or event (markings still count every source).
        only_selected = bool(audience.topics)
        with self.engine.connect() as connection:
            selected = _selected_reports(connection, since, audience, root)
            texts = {report.id: report.text for report in selected}
            facts = _ReportFacts()
            _add_report_facts(connection, facts, texts)
            mentioned = _mentioned(connection, texts)
            role_list = _roles(connection, texts)
            event_list = [
                e
                for e in _events(connection, texts, facts, only_selected)
                if audience.admits_all(facts.sources(e.id))
            ]
            claim_list = _claims(connection, texts, facts)
            wanted = {entity_id for found in mentioned.values() for entity_id in found}
            for role in role_list:
                wanted.update(i for i in (role.person_id, role.organization_id, role.country_id) if i)
            for event in event_list:
                wanted.update(entity_id for entity_id, _ in event.participants)
                wanted.update([event.location_id] if event.location_id else [])
            wanted.update(claim.subject_id for claim in claim_list if claim.subject_id)
            entity_list = _entities(
                connection, wanted, mentioned, facts, set(texts) if only_selected else None
            )
        return ShareableSet(
            reports=tuple(selected),
            entities=tuple(e for e in entity_list if audience.admits_all(facts.sources(e.id))),
            roles=tuple(role_list),
            events=tuple(event_list),
            claims=tuple(claim_list),
        )


def _selected_reports(
    connection: Connection, since: date | None, audience: Audience, root: str | None
) -> list[ShareableReport]:
    readable: ColumnElement[bool] = reports.c.tlp.in_(audience.sql_levels)
    if audience.organization:
        named = select(report_recipients.c.report_id).where(
            report_recipients.c.organization == audience.organization.casefold()
        )
        readable = readable | ((reports.c.tlp == TLP.RED.value) & reports.c.id.in_(named))
    query = select(reports).where(readable)
    if audience.topics:
        query = query.where(
            reports.c.id.in_(
                select(report_topics.c.report_id).where(report_topics.c.topic.in_(sorted(audience.topics)))
            )
        )
    if since is not None:
        query = query.where(reports.c.ingested_at >= datetime.combine(since, time(), UTC))
    if root is not None:
        query = query.where(
            reports.c.id.in_(
                select(mentions.c.report_id)
                .join(entities, entities.c.id == mentions.c.entity_id)
                .where(entities.c.canonical_id == root)
            )
        )
    rows = connection.execute(query.order_by(reports.c.id)).all()
    topics: dict[str, list[str]] = {}
    for chunk in _chunks(row.id for row in rows):
        for report_id, topic in connection.execute(
            select(report_topics.c.report_id, report_topics.c.topic)
            .where(report_topics.c.report_id.in_(chunk))
            .order_by(report_topics.c.report_id, report_topics.c.topic)
        ):
            topics.setdefault(report_id, []).append(topic)
    return [
        ShareableReport(
            id=row.id,
            title=row.title,
            source=row.source,
            url=row.url,
            published=row.published,
            language=row.language,
            tlp=TLP(row.tlp),
            topics=tuple(topics.get(row.id, [])),
            ingested_at=row.ingested_at,
            text=row.text,
            near_duplicate_of=row.near_duplicate_of,
            near_duplicate_similarity=row.near_duplicate_similarity,
        )
        for row in rows
    ]


def _add_report_facts(connection: Connection, facts: _ReportFacts, report_ids: Iterable[str]) -> None:
    missing = [i for i in report_ids if i not in facts.tlp]
    for chunk in _chunks(missing):
        for row in connection.execute(
            select(reports.c.id, reports.c.tlp, reports.c.ingested_at).where(reports.c.id.in_(chunk))
        ):
            facts.tlp[row.id] = TLP(row.tlp)
            facts.ingested_at[row.id] = row.ingested_at
            facts.topics.setdefault(row.id, set())
            facts.recipients.setdefault(row.id, ())
        named: dict[str, list[str]] = {}
        for report_id, organization in connection.execute(
            select(report_recipients.c.report_id, report_recipients.c.organization).where(
                report_recipients.c.report_id.in_(chunk)
            )
        ):
            named.setdefault(report_id, []).append(organization)
        for report_id, organizations in named.items():
            facts.recipients[report_id] = tuple(sorted(organizations))
        for report_id, topic in connection.execute(
            select(report_topics.c.report_id, report_topics.c.topic).where(
                report_topics.c.report_id.in_(chunk)
            )
        ):
            facts.topics.setdefault(report_id, set()).add(topic)


def _canonical(connection: Connection, entity_ids: Iterable[str | None]) -> dict[str, str]:
    """Each extracted entity ID to the canonical entity it belongs to now."""
    found: dict[str, str] = {}
    for chunk in _chunks(i for i in entity_ids if i):
        found.update(
            connection.execute(
                select(entities.c.id, entities.c.canonical_id).where(entities.c.id.in_(chunk))
            ).all()
        )
    return found


def _mentioned(connection: Connection, texts: dict[str, str]) -> dict[str, set[str]]:
    """The canonical entities each selected report mentions."""
    found: dict[str, set[str]] = {}
    for chunk in _chunks(texts):
        for report_id, root in connection.execute(
            select(mentions.c.report_id, entities.c.canonical_id)
            .join(entities, entities.c.id == mentions.c.entity_id)
            .where(mentions.c.report_id.in_(chunk))
            .distinct()
        ):
            found.setdefault(report_id, set()).add(root)
    return found


def _roles(connection: Connection, texts: dict[str, str]) -> list[ShareableRole]:
    rows = [
        row
        for chunk in _chunks(texts)
        for row in connection.execute(
            select(roles, reports.c.tlp, reports.c.ingested_at)
            .join(reports, reports.c.id == roles.c.report_id)
            .where(roles.c.report_id.in_(chunk))
        )
    ]
    canon = _canonical(
        connection, {i for row in rows for i in (row.person_id, row.organization_id, row.country_id)}
    )
    result = [
        ShareableRole(
            id=row.id,
            person_id=canon.get(row.person_id, row.person_id),
            title=row.title,
            organization_id=canon.get(row.organization_id, row.organization_id)
            if row.organization_id
            else None,
            country_id=canon.get(row.country_id, row.country_id) if row.country_id else None,
            report_id=row.report_id,
            evidence=texts[row.report_id][row.start : row.end],
            tlp=TLP(row.tlp),
            ingested_at=row.ingested_at,
        )
        for row in rows
    ]
    return sorted(result, key=lambda role: role.id)


def _best_date(own: str | None, candidates: Iterable[str]) -> str | None:
    """The most precise date a source gives among those compatible with the event's own (as `events`)."""
    compatible = [d for d in candidates if not own or d.startswith(own) or own.startswith(d)]
    return max(compatible, key=lambda d: (len(d), d)) if compatible else own


def _events(
    connection: Connection, texts: dict[str, str], facts: _ReportFacts, only_selected: bool = False
) -> list[ShareableEvent]:
    event_ids: set[str] = set()
    for chunk in _chunks(texts):
        event_ids.update(
            connection.execute(
                select(event_mentions.c.event_id).where(event_mentions.c.report_id.in_(chunk)).distinct()
            ).scalars()
        )
    event_rows: dict[str, Any] = {}
    mention_rows: list[Any] = []
    participant_rows: list[tuple[str, str, str, str]] = []
    for chunk in _chunks(event_ids):
        event_rows.update(
            (row.id, row) for row in connection.execute(select(events).where(events.c.id.in_(chunk)))
        )
        mention_rows.extend(
            connection.execute(
                select(
                    event_mentions.c.event_id,
                    event_mentions.c.report_id,
                    event_mentions.c.topics,
                    event_mentions.c.date_value,
                    event_mentions.c.evidence,
                ).where(event_mentions.c.event_id.in_(chunk))
            )
        )
        participant_rows.extend(
            connection.execute(
                select(
                    event_mentions.c.event_id,
                    event_participants.c.entity_id,
                    event_participants.c.role,
                    event_mentions.c.report_id,
                )
                .join(event_participants, event_participants.c.mention_id == event_mentions.c.id)
                .where(event_mentions.c.event_id.in_(chunk))
            ).all()
        )
    _add_report_facts(connection, facts, {row.report_id for row in mention_rows})
    read_in_all: dict[str, set[str]] = {}
    for row in mention_rows:
        read_in_all.setdefault(row.event_id, set()).add(row.report_id)
    if only_selected:
        mention_rows = [row for row in mention_rows if row.report_id in texts]
        participant_rows = [row for row in participant_rows if row[3] in texts]
    canon = _canonical(
        connection,
        {row[1] for row in participant_rows} | {r.location_id for r in event_rows.values()},
    )
    reports_of: dict[str, set[str]] = {}
    topics: dict[str, set[str]] = {}
    dates: dict[str, list[str]] = {}
    sources: dict[str, list[tuple[str, str]]] = {}
    for row in mention_rows:
        reports_of.setdefault(row.event_id, set()).add(row.report_id)
        topics.setdefault(row.event_id, set()).update(json.loads(row.topics))
        if row.date_value:
            dates.setdefault(row.event_id, []).append(row.date_value)
        if row.report_id in texts:
            text = texts[row.report_id]
            sources.setdefault(row.event_id, []).extend(
                (row.report_id, text[span["start"] : span["end"]]) for span in json.loads(row.evidence)
            )
    participants: dict[str, dict[str, str]] = {}
    for event_id, entity_id, role, _ in sorted(participant_rows):
        # one role per canonical participant, however many reports tell the event: the most specific
        roles_of = participants.setdefault(event_id, {})
        root = canon.get(entity_id, entity_id)
        if root not in roles_of or _ROLE_STRENGTH.get(role, 0) > _ROLE_STRENGTH.get(roles_of[root], 0):
            roles_of[root] = role
    result = []
    for event_id in sorted(event_rows):
        row = event_rows[event_id]
        sources_read = reports_of.get(event_id, set())
        facts.read_in[event_id] = read_in_all.get(event_id, set())  # the marking counts every source
        latest = max((facts.ingested_at[r] for r in sources_read), default=row.created_at)
        result.append(
            ShareableEvent(
                id=event_id,
                type=row.type,
                plover=row.plover,
                plover_mode=row.plover_mode,
                cameo=row.cameo,
                date=_best_date(row.date_value, dates.get(event_id, [])),
                date_precision=row.date_precision,
                location_id=canon.get(row.location_id, row.location_id) if row.location_id else None,
                status=row.status,
                confidence=float(row.confidence),
                participants=tuple(sorted(participants.get(event_id, {}).items())),
                sources=tuple(sorted(set(sources.get(event_id, [])))),
                topics=tuple(sorted(topics.get(event_id, set()))),
                tlp=_most_restrictive(facts.tlp[r] for r in sources_read),
                created_at=row.created_at,
                modified_at=max(latest, row.created_at),
            )
        )
    return result


def _claims(connection: Connection, texts: dict[str, str], facts: _ReportFacts) -> list[ShareableClaim]:
    rows = [
        row
        for chunk in _chunks(texts)
        for row in connection.execute(select(claims).where(claims.c.report_id.in_(chunk)))
    ]
    canon = _canonical(connection, {row.subject for row in rows})
    names: dict[str, str] = {}
    for chunk in _chunks(canon.values()):
        names.update(
            connection.execute(select(entities.c.id, entities.c.name).where(entities.c.id.in_(chunk))).all()
        )
    result = [
        ShareableClaim(
            id=row.id,
            report_id=row.report_id,
            subject_id=canon.get(row.subject),
            subject=names.get(canon.get(row.subject, ""), row.subject),
            value=float(row.value),
            qualifier=row.qualifier,
            unit=row.unit,
            period=row.period,
            evidence=texts[row.report_id][row.start : row.end],
            tlp=facts.tlp[row.report_id],
            ingested_at=facts.ingested_at[row.report_id],
        )
        for row in rows
    ]
    return sorted(result, key=lambda claim: claim.id)


def _entities(
    connection: Connection,
    roots: set[str],
    mentioned: dict[str, set[str]],
    facts: _ReportFacts,
    selected: set[str] | None = None,
) -> list[ShareableEntity]:
    """The canonical entities ``roots``, marked by every report that names them in any way.

    With ``selected``, what describes them (aliases, titles, event roles, topics) comes from those
    reports only; the marking still counts every report.
    """

    def shown(report_id: str | None) -> bool:
        return selected is None or report_id is None or report_id in selected

    sources: dict[str, set[str]] = {}  # canonical ID -> every report that mentions it or refers to it
    mention_reports: dict[str, set[str]] = {}
    titles: dict[str, set[str]] = {}
    event_roles: dict[str, set[tuple[str, str]]] = {}
    aliases: dict[str, set[str]] = {}
    rows: dict[str, Any] = {}
    created: dict[str, datetime] = {}
    for chunk in _chunks(roots):
        members = select(entities.c.id).where(entities.c.canonical_id.in_(chunk))
        rows.update(
            (row.id, row) for row in connection.execute(select(entities).where(entities.c.id.in_(chunk)))
        )
        created.update(
            connection.execute(
                select(entities.c.canonical_id, func.min(entities.c.created_at))
                .where(entities.c.canonical_id.in_(chunk))
                .group_by(entities.c.canonical_id)
            ).all()
        )
        for root, alias, first_report in connection.execute(
            select(entities.c.canonical_id, entity_aliases.c.alias, entity_aliases.c.first_report_id)
            .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
            .where(entities.c.canonical_id.in_(chunk))
        ):
            if shown(first_report):
                aliases.setdefault(root, set()).add(alias)
        for root, report_id in connection.execute(
            select(entities.c.canonical_id, mentions.c.report_id)
            .join(mentions, mentions.c.entity_id == entities.c.id)
            .where(entities.c.canonical_id.in_(chunk))
            .distinct()
        ):
            mention_reports.setdefault(root, set()).add(report_id)
            sources.setdefault(root, set()).add(report_id)
        for column in (roles.c.person_id, roles.c.organization_id, roles.c.country_id):
            for root, report_id, title in connection.execute(
                select(entities.c.canonical_id, roles.c.report_id, roles.c.title)
                .join(entities, entities.c.id == column)
                .where(column.in_(members))
            ):
                sources.setdefault(root, set()).add(report_id)
                if column is roles.c.person_id and shown(report_id):
                    titles.setdefault(root, set()).add(title)
        for root, report_id, event_type, role in connection.execute(
            select(
                entities.c.canonical_id,
                event_mentions.c.report_id,
                event_mentions.c.type,
                event_participants.c.role,
            )
            .join(event_participants, event_participants.c.entity_id == entities.c.id)
            .join(event_mentions, event_mentions.c.id == event_participants.c.mention_id)
            .where(entities.c.canonical_id.in_(chunk))
        ):
            sources.setdefault(root, set()).add(report_id)
            if shown(report_id):
                event_roles.setdefault(root, set()).add((event_type, role))
        for root, report_id in connection.execute(
            select(entities.c.canonical_id, event_mentions.c.report_id)
            .join(event_mentions, event_mentions.c.location_id == entities.c.id)
            .where(entities.c.canonical_id.in_(chunk))
        ):
            sources.setdefault(root, set()).add(report_id)
    _add_report_facts(connection, facts, {r for reports_read in sources.values() for r in reports_read})
    selected_in: dict[str, set[str]] = {}
    for report_id, found in mentioned.items():
        for root in found:
            selected_in.setdefault(root, set()).add(report_id)
    result = []
    for root in sorted(rows):
        row = rows[root]
        read_in = sources.get(root, set())
        facts.read_in[root] = read_in
        first = created.get(root, row.created_at)
        latest = max((facts.ingested_at[r] for r in read_in), default=first)
        result.append(
            ShareableEntity(
                id=root,
                type=EntityType(row.type),
                name=row.name,
                aliases=tuple(sorted(aliases.get(root, set()) - {row.name})),
                attributes=json.loads(row.attributes),
                tlp=_most_restrictive(facts.tlp[r] for r in read_in),
                report_ids=tuple(sorted(selected_in.get(root, set()))),
                created_at=first,
                modified_at=max(latest, first),
                titles=tuple(sorted(titles.get(root, set()))),
                topics=tuple(
                    sorted({t for r in mention_reports.get(root, set()) if shown(r) for t in facts.topics[r]})
                ),
                event_roles=tuple(sorted(event_roles.get(root, set()))),
            )
        )
    return result
