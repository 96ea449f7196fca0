"""What each organisation's TAXII collection holds, and the TAXII reads over it.

A collection is materialised at publication (``liaison.publishing``): every STIX object its
organisation may read, each version with the moment it was added. Reads are then single, indexed queries
whatever the page size: one per TAXII page, one per object or manifest request. Objects an organisation may
not read are simply not in its collection, so every read path answers for them exactly as for an object
that does not exist.

``date_added`` is strictly increasing within a collection (a microsecond apart at least), so that
``added_after`` set to the last date a client saw never skips an object added in the same instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    update,
)

from liaison.store.schema import collection_members, collection_objects, collections, taxii_statuses

_CHUNK = 500


@dataclass(frozen=True)
class PublishedObject:
    """One version of a STIX object as a collection serves it."""

    stix_id: str
    version: str
    version_key: str
    type: str
    spec_version: str
    json: str


@dataclass(frozen=True)
class CollectionObject:
    """A row of a collection: one object version and when it was added."""

    seq: int
    stix_id: str
    version: str
    type: str
    spec_version: str
    date_added: datetime
    json: str


@dataclass(frozen=True)
class CurrentVersion:
    version: str
    version_key: str
    json: str


@dataclass(frozen=True)
class PublicationResult:
    added: int  # new objects and new versions
    unchanged: int
    withdrawn: int  # objects no longer readable by the collection's organisation: no longer served


@dataclass(frozen=True)
class ObjectFilter:
    """The TAXII 2.1 filters of a read (``match[...]`` and ``added_after``), already parsed."""

    added_after: datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)  # "first", "last", "all" or exact versions
    spec_versions: tuple[str, ...] = ()
    # Exact versions in their sortable form (``share.stix_json.version_key``): a client may write a
    # version with another precision than the object's ``modified`` ("…05Z" for "…05.000Z").
    version_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaxiiStatusRecord:
    """A TAXII status resource: what became of the objects one client posted."""

    id: str
    collection_id: str
    user_id: str
    status: str
    request_timestamp: datetime
    detail: dict[str, Any]  # totals and per-object successes, failures and pendings


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class PublicationStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    def current_versions(self, collection_id: str) -> dict[str, CurrentVersion]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    collection_objects.c.stix_id,
                    collection_objects.c.version,
                    collection_objects.c.version_key,
                    collection_objects.c.json,
                ).where(collection_objects.c.collection_id == collection_id, collection_objects.c.current)
            ).all()
        return {r.stix_id: CurrentVersion(r.version, r.version_key, r.json) for r in rows}

    def apply_publication(
        self,
        collection_id: str,
        new_versions: Sequence[PublishedObject],
        withdrawn: Iterable[str],
        members: Mapping[str, set[str]],
        unchanged: int = 0,
    ) -> PublicationResult:
        """Add new object versions, stop serving withdrawn objects, and set the readable store rows.

        All in one transaction: a reader sees the collection before or after, never half of it.
        """
        gone = sorted(set(withdrawn))
        with self.engine.begin() as connection:
            last = connection.execute(
                select(func.max(collection_objects.c.date_added)).where(
                    collection_objects.c.collection_id == collection_id
                )
            ).scalar()
            moment = self._clock()
            if last is not None and _aware(last) >= moment:
                moment = _aware(last) + timedelta(microseconds=1)
            for start in range(0, len(gone), _CHUNK):
                connection.execute(
                    delete(collection_objects).where(
                        collection_objects.c.collection_id == collection_id,
                        collection_objects.c.stix_id.in_(gone[start : start + _CHUNK]),
                    )
                )
            replaced = sorted({o.stix_id for o in new_versions})
            for start in range(0, len(replaced), _CHUNK):
                connection.execute(
                    update(collection_objects)
                    .where(
                        collection_objects.c.collection_id == collection_id,
                        collection_objects.c.stix_id.in_(replaced[start : start + _CHUNK]),
                        collection_objects.c.current,
                    )
                    .values(current=False)
                )
            rows: list[dict[str, Any]] = []
            for index, item in enumerate(new_versions):
                rows.append(
                    {
                        "collection_id": collection_id,
                        "stix_id": item.stix_id,
                        "version": item.version,
                        "version_key": item.version_key,
                        "type": item.type,
                        "spec_version": item.spec_version,
                        "date_added": moment + timedelta(microseconds=index),
                        "current": True,
                        "json": item.json,
                    }
                )
            for start in range(0, len(rows), _CHUNK):
                connection.execute(collection_objects.insert(), rows[start : start + _CHUNK])
            self._replace_members(connection, collection_id, members)
            connection.execute(
                update(collections)
                .where(collections.c.id == collection_id)
                .values(published_at=self._clock())
            )
        return PublicationResult(len(new_versions), unchanged, len(gone))

    @staticmethod
    def _replace_members(connection: Any, collection_id: str, members: Mapping[str, set[str]]) -> None:
        existing: dict[str, set[str]] = {}
        for kind, local_id in connection.execute(
            select(collection_members.c.kind, collection_members.c.local_id).where(
                collection_members.c.collection_id == collection_id
            )
        ):
            existing.setdefault(kind, set()).add(local_id)
        for kind in set(existing) | set(members):
            wanted, have = members.get(kind, set()), existing.get(kind, set())
            stale = sorted(have - wanted)
            for start in range(0, len(stale), _CHUNK):
                connection.execute(
                    delete(collection_members).where(
                        collection_members.c.collection_id == collection_id,
                        collection_members.c.kind == kind,
                        collection_members.c.local_id.in_(stale[start : start + _CHUNK]),
                    )
                )
            fresh = [
                {"collection_id": collection_id, "kind": kind, "local_id": local_id}
                for local_id in sorted(wanted - have)
            ]
            for start in range(0, len(fresh), _CHUNK):
                connection.execute(collection_members.insert(), fresh[start : start + _CHUNK])

    def readable_ids(self, collection_id: str, kind: str) -> Any:
        """A subquery of the store IDs of ``kind`` ("report", "entity", "event", "claim", "role") that the
        collection's organisation may read: for ``column.in_(...)`` in the store's own queries."""
        return select(collection_members.c.local_id).where(
            collection_members.c.collection_id == collection_id, collection_members.c.kind == kind
        )

    def is_readable(self, collection_id: str, kind: str, local_id: str) -> bool:
        with self.engine.connect() as connection:
            return (
                connection.execute(
                    select(collection_members.c.local_id).where(
                        collection_members.c.collection_id == collection_id,
                        collection_members.c.kind == kind,
                        collection_members.c.local_id == local_id,
                    )
                ).first()
                is not None
            )

    def collection_objects(
        self,
        collection_id: str,
        where: ObjectFilter,
        limit: int,
        after_seq: int = 0,
        with_json: bool = True,
    ) -> list[CollectionObject]:
        """One page of a collection's object versions, in the order they were added; one query.

        Ask for ``limit + 1`` to learn whether there is more. ``with_json=False`` leaves the objects'
        text out (``json`` is then empty): what a manifest or a list of versions needs.
        """
        c = collection_objects.c
        text = c.json if with_json else literal("").label("json")
        with self.engine.connect() as connection:
            if where.added_after is not None:
                # ``date_added`` grows with ``seq`` within a collection (``apply_publication``): the
                # first row added after the date turns the filter into one bound on ``seq``, so the
                # page is a range scan of the (collection_id, seq) index, however large the collection.
                first = connection.execute(
                    select(c.seq)
                    .where(c.collection_id == collection_id, c.date_added > where.added_after)
                    .order_by(c.date_added)
                    .limit(1)
                ).scalar()
                if first is None:
                    return []
                after_seq = max(after_seq, first - 1)
            return self._page(connection, collection_id, where, limit, after_seq, text)

    def _page(
        self,
        connection: Connection,
        collection_id: str,
        where: ObjectFilter,
        limit: int,
        after_seq: int,
        text: Any,
    ) -> list[CollectionObject]:
        c = collection_objects.c
        query = select(c.seq, c.stix_id, c.version, c.type, c.spec_version, c.date_added, text).where(
            c.collection_id == collection_id, c.seq > after_seq
        )
        if where.ids:
            query = query.where(c.stix_id.in_(where.ids))
        if where.types:
            query = query.where(c.type.in_(where.types))
        if where.spec_versions:
            query = query.where(c.spec_version.in_(where.spec_versions))
        if "all" not in where.versions:
            wanted: list[ColumnElement[bool]] = []
            exact = [v for v in where.versions if v not in ("first", "last")]
            if "last" in where.versions:
                wanted.append(c.current)
            if "first" in where.versions:
                earlier = collection_objects.alias("earlier")
                wanted.append(
                    ~select(earlier.c.seq)
                    .where(
                        and_(
                            earlier.c.collection_id == c.collection_id,
                            earlier.c.stix_id == c.stix_id,
                            earlier.c.version_key < c.version_key,
                        )
                    )
                    .exists()
                )
            if exact:
                wanted.append(c.version.in_(exact))
            if where.version_keys:
                wanted.append(c.version_key.in_(where.version_keys))
            query = query.where(or_(*wanted) if wanted else false())
        rows = connection.execute(query.order_by(c.seq).limit(limit)).all()
        return [
            CollectionObject(
                r.seq, r.stix_id, r.version, r.type, r.spec_version, _aware(r.date_added), r.json
            )
            for r in rows
        ]

    def collection_size(self, collection_id: str) -> int:
        """Object versions in a collection (for the operator: `liaison share list`)."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(collection_objects)
                    .where(collection_objects.c.collection_id == collection_id)
                ).scalar_one()
            )

    # --- TAXII status resources ---

    def save_taxii_status(self, record: TaxiiStatusRecord) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                taxii_statuses.insert(),
                {
                    "id": record.id,
                    "collection_id": record.collection_id,
                    "user_id": record.user_id,
                    "status": record.status,
                    "request_timestamp": record.request_timestamp,
                    "detail": json.dumps(record.detail, ensure_ascii=False, separators=(",", ":")),
                },
            )

    def taxii_status(self, status_id: str, user_id: str) -> TaxiiStatusRecord | None:
        """The status ``user_id`` posted under ``status_id``; anyone else's is None, as an unknown one."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(taxii_statuses).where(
                    taxii_statuses.c.id == status_id, taxii_statuses.c.user_id == user_id
                )
            ).first()
        if row is None:
            return None
        return TaxiiStatusRecord(
            row.id,
            row.collection_id,
            row.user_id,
            row.status,
            _aware(row.request_timestamp),
            json.loads(row.detail),
        )
