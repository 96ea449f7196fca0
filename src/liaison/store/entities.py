"""Canonical entities in the store: listing, lookup, the resolution directory, merge, split, why.

Mentions and roles always point at the entity *as extracted* from their report; ``entities.canonical_id``
says which canonical entity that one currently belongs to. A merge or a split therefore rewrites only
``canonical_id`` and ``merged_into`` of a few entity rows, and is recorded with its reason in
``entity_links`` — so every automatic decision can be explained and every analyst decision undone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select, update

from liaison.domain import Entity, EntityType, KnownName, deterministic_id, normalise_name
from liaison.errors import NotFound, StoreError
from liaison.resolve import KnownEntity, resolution_keys
from liaison.store.schema import entities, entity_aliases, entity_links, mentions, reports, roles, sentences


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
class RoleRecord:
    title: str
    organization: str | None
    country: str | None
    report_id: str
    published: str | None
    evidence: str


@dataclass(frozen=True)
class AliasRecord:
    alias: str
    language: str | None
    first_report_id: str | None
    via: str  # the extracted entity that brought it


@dataclass(frozen=True)
class LinkRecord:
    kind: str
    kept: str
    other: str
    reason: str
    score: float
    report_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class EntityDetail:
    summary: EntitySummary
    mentions: tuple[EntityMention, ...]
    roles: tuple[RoleRecord, ...] = ()
    attributes: dict[str, str] | None = None


@dataclass(frozen=True)
class Explanation:
    summary: EntitySummary
    aliases: tuple[AliasRecord, ...]
    links: tuple[LinkRecord, ...]


_ROOT = entities.c.id == entities.c.canonical_id

# Bound parameters per IN list: SQLite allows 32,766 in one statement; stay far below.
_IN_CHUNK = 500


def _chunked(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


@dataclass(frozen=True)
class PrefetchedDirectory:
    """A snapshot of the store's entities that can answer ``EntityDirectory`` for one report."""

    by_alias: dict[str, list[KnownEntity]]
    by_given_name: dict[str, list[KnownEntity]]
    roots: dict[str, str]
    split_from: dict[str, set[str]]

    def entities_with_alias(self, normalized: Iterable[str]) -> list[KnownEntity]:
        found: dict[str, KnownEntity] = {}
        for key in normalized:
            for known in self.by_alias.get(key, ()):
                found.setdefault(known.id, known)
        return list(found.values())

    def people_with_given_name(self, given_name: str) -> list[KnownEntity]:
        return list(self.by_given_name.get(given_name, ()))

    def cannot_link(self, entity_id: str) -> set[str]:
        root = self.roots.get(entity_id, entity_id)
        return self.split_from.get(entity_id, set()) | self.split_from.get(root, set())


class EntityStore:
    """Entity queries and decisions; mixed into ``Store``, which provides the engine and clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    # -- resolution directory (liaison.resolve.EntityDirectory) ----------------------------------

    def canonical_of(self, entity_id: str) -> str | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(entities.c.canonical_id).where(entities.c.id == entity_id)
            ).first()
        return None if row is None else str(row[0])

    def cannot_link(self, entity_id: str) -> set[str]:
        with self.engine.connect() as connection:
            root = self._root_id(connection, entity_id) or entity_id
            rows = connection.execute(
                select(entity_links.c.kept_id, entity_links.c.other_id).where(
                    entity_links.c.kind == "split",
                    or_(
                        entity_links.c.kept_id.in_([entity_id, root]),
                        entity_links.c.other_id.in_([entity_id, root]),
                    ),
                )
            ).all()
            others = {r.other_id if r.kept_id in (entity_id, root) else r.kept_id for r in rows}
            return {self._root_id(connection, other) or other for other in others}

    def directory_for(self, extracted: Sequence[Entity]) -> PrefetchedDirectory:
        """Everything resolving ``extracted`` can ask, read in a handful of queries.

        Asking the store entity by entity cost some ten queries per entity, a third of an ingest's time.
        Resolution reads the store as it was before the report, so one snapshot answers it exactly.
        """
        keys: set[str] = set()
        given_names: set[str] = set()
        for entity in extracted:
            keys.update(resolution_keys(entity))
            tokens = normalise_name(entity.name).split()
            if entity.type is EntityType.PERSON and len(tokens) >= 2:
                given_names.add(tokens[0])
        ids = sorted({entity.id for entity in extracted})
        with self.engine.connect() as connection:
            alias_roots: dict[str, set[str]] = {}
            for chunk in _chunked(sorted(keys)):
                for key, root in connection.execute(
                    select(entity_aliases.c.normalized, entities.c.canonical_id)
                    .join(entities, entities.c.id == entity_aliases.c.entity_id)
                    .where(entity_aliases.c.normalized.in_(chunk))
                    .distinct()
                ):
                    alias_roots.setdefault(key, set()).add(root)
            given_roots: dict[str, list[str]] = {}
            for given in sorted(given_names):
                pattern = "person:" + given.replace("\\", "").replace("%", "").replace("_", "") + " %"
                given_roots[given] = list(
                    connection.execute(
                        select(entities.c.id).where(_ROOT, entities.c.canonical_key.like(pattern)).limit(200)
                    ).scalars()
                )
            own_roots = dict(
                connection.execute(
                    select(entities.c.id, entities.c.canonical_id).where(entities.c.id.in_(ids))
                ).all()
            )
            split_partners: dict[str, set[str]] = {}
            anchors = sorted(set(ids) | set(own_roots.values()))
            for kept, other in connection.execute(
                select(entity_links.c.kept_id, entity_links.c.other_id).where(
                    entity_links.c.kind == "split",
                    or_(entity_links.c.kept_id.in_(anchors), entity_links.c.other_id.in_(anchors)),
                )
            ):
                split_partners.setdefault(kept, set()).add(other)
                split_partners.setdefault(other, set()).add(kept)
            partners = sorted({p for group in split_partners.values() for p in group})
            partner_roots = dict(
                connection.execute(
                    select(entities.c.id, entities.c.canonical_id).where(entities.c.id.in_(partners))
                ).all()
            )
            every_root = {r for roots in alias_roots.values() for r in roots}
            every_root.update(r for roots in given_roots.values() for r in roots)
            known = {k.id: k for k in self._known(connection, sorted(every_root))}
        return PrefetchedDirectory(
            {key: [known[r] for r in sorted(roots) if r in known] for key, roots in alias_roots.items()},
            {given: [known[r] for r in roots if r in known] for given, roots in given_roots.items()},
            own_roots,
            {
                entity_id: {partner_roots.get(p, p) for p in group}
                for entity_id, group in split_partners.items()
            },
        )

    def _known(self, connection: Connection, roots: list[str]) -> list[KnownEntity]:
        if not roots:
            return []
        rows = connection.execute(select(entities).where(entities.c.id.in_(roots))).all()
        alias_rows = connection.execute(
            select(entities.c.canonical_id, entity_aliases.c.alias)
            .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
            .where(entities.c.canonical_id.in_(roots))
        ).all()
        counts: dict[str, int] = dict(
            connection.execute(
                select(entities.c.canonical_id, func.count())
                .join(mentions, mentions.c.entity_id == entities.c.id)
                .where(entities.c.canonical_id.in_(roots))
                .group_by(entities.c.canonical_id)
            ).all()
        )
        aliases: dict[str, list[str]] = {}
        for root, alias in alias_rows:
            aliases.setdefault(root, []).append(alias)
        return [
            KnownEntity(
                row.id,
                EntityType(row.type),
                row.name,
                tuple(sorted(aliases.get(row.id, []))),
                int(counts.get(row.id, 0)),
                float(row.type_confidence),
            )
            for row in rows
        ]

    @staticmethod
    def _root_id(connection: Connection, entity_id: str) -> str | None:
        row = connection.execute(select(entities.c.canonical_id).where(entities.c.id == entity_id)).first()
        return None if row is None else str(row[0])

    def known_names(self) -> list[KnownName]:
        """Every alias of every canonical entity, for matching reports no pipeline can read."""
        root = entities.alias("root")
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(entity_aliases.c.alias, root.c.type, root.c.name)
                .join(entities, entities.c.id == entity_aliases.c.entity_id)
                .join(root, root.c.id == entities.c.canonical_id)
                .distinct()
            ).all()
        return [KnownName(row.alias, EntityType(row.type), row.name) for row in rows]

    # -- reading -------------------------------------------------------------------------------

    def _entity_summaries(self, where: Any = None, limit: int | None = None) -> list[EntitySummary]:
        stats = (
            select(
                entities.c.canonical_id.label("root"),
                func.count().label("mention_count"),
                # syndicated copies count once, as their original
                func.count(
                    func.distinct(func.coalesce(reports.c.near_duplicate_of, mentions.c.report_id))
                ).label("report_count"),
            )
            .join(entities, entities.c.id == mentions.c.entity_id)
            .join(reports, reports.c.id == mentions.c.report_id)
            .group_by(entities.c.canonical_id)
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
            .outerjoin(stats, stats.c.root == entities.c.id)
            .where(_ROOT)
            .order_by(
                stats.c.report_count.desc().nulls_last(),
                stats.c.mention_count.desc().nulls_last(),
                entities.c.name,
                entities.c.id,
            )
        )
        if where is not None:
            query = query.where(where)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            aliases: dict[str, set[str]] = {}
            for i in range(0, len(ids), 500):
                alias_rows = connection.execute(
                    select(entities.c.canonical_id, entity_aliases.c.alias)
                    .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                    .where(entities.c.canonical_id.in_(ids[i : i + 500]))
                )
                for root, alias in alias_rows:
                    aliases.setdefault(root, set()).add(alias)
        return [
            EntitySummary(
                id=row.id,
                type=row.type,
                name=row.name,
                mention_count=row.mention_count,
                report_count=row.report_count,
                aliases=tuple(sorted(a for a in aliases.get(row.id, set()) if a != row.name)),
            )
            for row in rows
        ]

    def list_entities(self, entity_type: str | None = None, limit: int = 100) -> list[EntitySummary]:
        where = entities.c.type == entity_type if entity_type else None
        return self._entity_summaries(where=where, limit=limit)

    def entity_type_counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(entities.c.type, func.count())
                .where(_ROOT)
                .group_by(entities.c.type)
                .order_by(entities.c.type)
            )
            return {row[0]: row[1] for row in rows}

    def find_entity_id(self, name_or_id: str) -> str:
        """The canonical entity for an ID, ID prefix, name or alias (the most mentioned wins)."""
        identifier = name_or_id.strip().lower()
        with self.engine.connect() as connection:
            if re.fullmatch(r"[0-9a-f-]{4,36}", identifier):
                rows = (
                    connection.execute(
                        select(entities.c.canonical_id)
                        .where(entities.c.id.startswith(identifier, autoescape=True))
                        .distinct()
                        .limit(2)
                    )
                    .scalars()
                    .all()
                )
                if len(rows) == 1:
                    return str(rows[0])
                if len(rows) > 1:
                    raise NotFound(f"ID prefix {identifier!r} matches several entities; give more")
            key = normalise_name(name_or_id)
            roots = (
                connection.execute(
                    select(entities.c.canonical_id)
                    .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
                    .where(entity_aliases.c.normalized == key)
                    .distinct()
                )
                .scalars()
                .all()
            )
        if not roots:
            raise NotFound(f"no entity named {name_or_id!r}")
        summaries = self._entity_summaries(where=entities.c.id.in_(list(roots)), limit=1)
        return summaries[0].id

    def get_entity(self, name_or_id: str) -> EntityDetail:
        """An entity by ID (or prefix), or by a name or alias, with every mention and role."""
        root = self.find_entity_id(name_or_id)
        summary = self._entity_summaries(where=entities.c.id == root)[0]
        members = select(entities.c.id).where(entities.c.canonical_id == root)
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
            .where(mentions.c.entity_id.in_(members))
            .order_by(reports.c.published.desc().nulls_last(), mentions.c.report_id, mentions.c.start)
        )
        with self.engine.connect() as connection:
            found = tuple(
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
            )
            role_records = self._roles_of(connection, root)
            attributes = json.loads(
                connection.execute(select(entities.c.attributes).where(entities.c.id == root)).scalar_one()
            )
        return EntityDetail(summary, found, role_records, attributes)

    def _roles_of(self, connection: Connection, root: str) -> tuple[RoleRecord, ...]:
        members = select(entities.c.id).where(entities.c.canonical_id == root)
        rows = connection.execute(
            select(roles, reports.c.published, reports.c.text.label("report_text"))
            .join(reports, reports.c.id == roles.c.report_id)
            .where(roles.c.person_id.in_(members))
            .order_by(reports.c.published.nulls_last(), roles.c.report_id, roles.c.start)
        ).all()
        names = self._canonical_names(
            connection, {r.organization_id for r in rows} | {r.country_id for r in rows}
        )
        return tuple(
            RoleRecord(
                title=row.title,
                organization=names.get(row.organization_id),
                country=names.get(row.country_id),
                report_id=row.report_id,
                published=row.published.isoformat() if row.published else None,
                evidence=row.report_text[row.start : row.end],
            )
            for row in rows
        )

    @staticmethod
    def _canonical_names(connection: Connection, ids: set[str | None]) -> dict[str | None, str]:
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        root = entities.alias("root")
        rows = connection.execute(
            select(entities.c.id, root.c.name)
            .join(root, root.c.id == entities.c.canonical_id)
            .where(entities.c.id.in_(wanted))
        ).all()
        return {row.id: row.name for row in rows}

    # -- decisions -----------------------------------------------------------------------------

    def merge_entities(self, kept: str, other: str, reason: str = "merged by an analyst") -> str:
        """Merge the canonical entity ``other`` into ``kept``; returns the kept canonical ID."""
        kept_root, other_root = self.find_entity_id(kept), self.find_entity_id(other)
        if kept_root == other_root:
            raise StoreError(f"{kept!r} and {other!r} are already one entity")
        with self.engine.begin() as connection:
            types = dict(
                connection.execute(
                    select(entities.c.id, entities.c.type).where(entities.c.id.in_([kept_root, other_root]))
                ).all()
            )
            if types[kept_root] != types[other_root]:
                raise StoreError(
                    f"cannot merge a {types[other_root]} into a {types[kept_root]}; they are different kinds"
                )
            self._attach(connection, kept_root, other_root, "manual", reason, 1.0, None)
        return kept_root

    def _attach(
        self,
        connection: Connection,
        root: str,
        other_root: str,
        kind: str,
        reason: str,
        score: float,
        report_id: str | None,
    ) -> None:
        connection.execute(
            update(entities).where(entities.c.canonical_id == other_root).values(canonical_id=root)
        )
        connection.execute(update(entities).where(entities.c.id == other_root).values(merged_into=root))
        now = self._clock()
        connection.execute(
            insert(entity_links).values(
                id=deterministic_id("link", kind, root, other_root, now.isoformat()),
                kind=kind,
                kept_id=root,
                other_id=other_root,
                reason=reason,
                score=score,
                report_id=report_id,
                created_at=now,
            )
        )

    def split_entity(self, entity: str, alias: str) -> str:
        """Take the entities read as ``alias`` out of ``entity``; returns the new canonical ID.

        Recorded as a cannot-link, so that ingestion does not merge them back.
        """
        root = self.find_entity_id(entity)
        key = normalise_name(alias)
        with self.engine.begin() as connection:
            members = connection.execute(
                select(entities.c.id, entities.c.name).where(entities.c.canonical_id == root)
            ).all()
            named = {
                row.entity_id
                for row in connection.execute(
                    select(entity_aliases.c.entity_id).where(
                        entity_aliases.c.entity_id.in_([m.id for m in members]),
                        entity_aliases.c.normalized == key,
                    )
                )
            }
            moving = sorted(named | {m.id for m in members if normalise_name(m.name) == key})
            staying = sorted({m.id for m in members} - set(moving))
            if not moving:
                raise NotFound(f"{alias!r} is not an alias of {entity!r}")
            if not staying:
                raise StoreError(f"every mention of {entity!r} is {alias!r}; nothing to split")
            counts = self._mention_counts(connection, [m.id for m in members])
            new_root = root if root in moving else max(moving, key=lambda i: (counts.get(i, 0), i))
            rest_root = root if root in staying else max(staying, key=lambda i: (counts.get(i, 0), i))
            for group, group_root in ((moving, new_root), (staying, rest_root)):
                connection.execute(
                    update(entities).where(entities.c.id.in_(group)).values(canonical_id=group_root)
                )
                connection.execute(
                    update(entities)
                    .where(entities.c.id.in_(group), entities.c.id != group_root)
                    .values(merged_into=group_root)
                )
                connection.execute(
                    update(entities).where(entities.c.id == group_root).values(merged_into=None)
                )
            now = self._clock()
            connection.execute(
                insert(entity_links).values(
                    id=deterministic_id("link", "split", rest_root, new_root, now.isoformat()),
                    kind="split",
                    kept_id=rest_root,
                    other_id=new_root,
                    reason=f"split by an analyst: {alias!r} is someone else",
                    score=1.0,
                    report_id=None,
                    created_at=now,
                )
            )
        return new_root

    @staticmethod
    def _mention_counts(connection: Connection, ids: list[str]) -> dict[str, int]:
        rows = connection.execute(
            select(mentions.c.entity_id, func.count())
            .where(mentions.c.entity_id.in_(ids))
            .group_by(mentions.c.entity_id)
        ).all()
        return {row[0]: int(row[1]) for row in rows}

    def explain_entity(self, name_or_id: str) -> Explanation:
        """Where each alias came from, and every merge and split that shaped the entity."""
        root = self.find_entity_id(name_or_id)
        summary = self._entity_summaries(where=entities.c.id == root)[0]
        with self.engine.connect() as connection:
            member_ids = list(
                connection.execute(select(entities.c.id).where(entities.c.canonical_id == root)).scalars()
            )
            alias_rows = connection.execute(
                select(entity_aliases, entities.c.name.label("via"))
                .join(entities, entities.c.id == entity_aliases.c.entity_id)
                .where(entity_aliases.c.entity_id.in_(member_ids))
                .order_by(entity_aliases.c.alias)
            ).all()
            link_rows = connection.execute(
                select(entity_links)
                .where(or_(entity_links.c.kept_id.in_(member_ids), entity_links.c.other_id.in_(member_ids)))
                .order_by(entity_links.c.created_at, entity_links.c.id)
            ).all()
            names = dict(
                connection.execute(
                    select(entities.c.id, entities.c.name).where(
                        entities.c.id.in_({r.kept_id for r in link_rows} | {r.other_id for r in link_rows})
                    )
                ).all()
            )
        return Explanation(
            summary,
            tuple(AliasRecord(r.alias, r.language, r.first_report_id, r.via) for r in alias_rows),
            tuple(
                LinkRecord(
                    r.kind,
                    names.get(r.kept_id, r.kept_id),
                    names.get(r.other_id, r.other_id),
                    r.reason,
                    r.score,
                    r.report_id,
                    r.created_at,
                )
                for r in link_rows
            ),
        )
