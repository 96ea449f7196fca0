"""STIX objects received from partners: every version kept, the latest one current, with provenance.

A version is ``(id, modified)``. Receiving a version already kept changes nothing (its first provenance
stays); a later ``modified`` becomes the current version and the earlier ones stay as history; an
earlier one is kept as history only. A bundle is written in one transaction, whole or not at all, and
logged in ``stix_imports`` (who sent it, from which file, when, what it changed) when it changed anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from liaison.domain import ReceivedStixObject, StoredStixObject, deterministic_id
from liaison.errors import StoreError
from liaison.store.schema import claims, entities, events, reports, stix_imports, stix_objects

# Bound parameters per IN list: SQLite allows 32,766 in one statement; stay far below.
_IN_CHUNK = 500

# STIX types whose UUID is the ID of a row Liaison produced itself (``liaison.share.stix``), so that a
# partner's object may refer to what Liaison shared with it.
_NATIVE_TABLES = {
    "report": reports.c.id,
    "identity": entities.c.canonical_id,
    "threat-actor": entities.c.canonical_id,
    "location": entities.c.canonical_id,
    "x-liaison-event": events.c.id,
    "note": claims.c.id,
}


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


@dataclass(frozen=True)
class StixSaveResult:
    stored: int = 0  # objects not kept before
    unchanged: int = 0  # versions already kept
    replaced: int = 0  # later versions that became current
    older: int = 0  # earlier versions, kept as history only
    changed: tuple[str, ...] = ()  # IDs of the objects whose current version this bundle brought


class StixObjectStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    def save_stix_objects(
        self,
        objects: Sequence[ReceivedStixObject],
        received_from: str,
        bundle_id: str,
        source: str,
    ) -> StixSaveResult:
        """Keep a bundle's objects with their provenance, in one transaction."""
        now = self._clock()
        ids = sorted({o.id for o in objects})
        try:
            with self.engine.begin() as connection:
                kept = self._versions(connection, ids)
                before = set(kept)  # objects some version of which was kept before this bundle
                rows: list[dict[str, Any]] = []
                counts = {"stored": 0, "unchanged": 0, "replaced": 0, "older": 0}
                changed: list[str] = []
                for item in objects:
                    versions = kept.setdefault(item.id, {})
                    if item.modified in versions:
                        counts["unchanged"] += 1
                        continue
                    latest = max(versions.values(), default=None)
                    if latest is None:
                        counts["stored"] += 1
                        changed.append(item.id)
                    elif item.version_key > latest:
                        counts["replaced"] += 1
                        changed.append(item.id)
                    else:
                        counts["older"] += 1
                    versions[item.modified] = item.version_key
                    rows.append(
                        {
                            "id": item.id,
                            "modified": item.modified,
                            "version_key": item.version_key,
                            "type": item.type,
                            "spec_version": item.spec_version,
                            "json": item.json,
                            "received_from": received_from,
                            "bundle_id": bundle_id,
                            "received_at": now,
                            "current": False,
                        }
                    )
                if rows:
                    self._insert_versions(connection, rows, kept, before)
                result = StixSaveResult(**counts, changed=tuple(dict.fromkeys(changed)))
                if rows:  # a bundle received again changes nothing, not even the log
                    connection.execute(
                        insert(stix_imports),
                        {
                            "id": deterministic_id("stix-import", bundle_id, received_from, now.isoformat()),
                            "bundle_id": bundle_id,
                            "received_from": received_from,
                            "source": source,
                            "received_at": now,
                            **counts,
                        },
                    )
        except SQLAlchemyError as error:
            raise StoreError(f"could not store bundle {bundle_id} from {source}: {error}") from error
        return result

    @staticmethod
    def _versions(connection: Connection, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """Every kept version of these objects: {id: {modified: version_key}}."""
        kept: dict[str, dict[str, str]] = {}
        for chunk in _chunks(ids):
            for row in connection.execute(
                select(stix_objects.c.id, stix_objects.c.modified, stix_objects.c.version_key).where(
                    stix_objects.c.id.in_(chunk)
                )
            ):
                kept.setdefault(row.id, {})[row.modified] = row.version_key
        return kept

    @staticmethod
    def _insert_versions(
        connection: Connection,
        rows: list[dict[str, Any]],
        kept: dict[str, dict[str, str]],
        before: set[str],
    ) -> None:
        """Insert new versions, each current when it is its object's latest (set-based: a few queries)."""
        latest = {
            object_id: max(kept[object_id], key=lambda modified: (kept[object_id][modified], modified))
            for object_id in {row["id"] for row in rows}
        }
        superseded = sorted(
            {row["id"] for row in rows if row["id"] in before and latest[row["id"]] == row["modified"]}
        )
        for chunk in _chunks(superseded):
            connection.execute(update(stix_objects).where(stix_objects.c.id.in_(chunk)).values(current=False))
        for row in rows:
            row["current"] = latest[row["id"]] == row["modified"]
        connection.execute(insert(stix_objects), rows)

    def current_stix_objects(self, since: date | None = None) -> list[StoredStixObject]:
        """The current version of every received object (received on or after ``since``), by ID."""
        query = select(stix_objects).where(stix_objects.c.current.is_(True)).order_by(stix_objects.c.id)
        if since is not None:
            query = query.where(stix_objects.c.received_at >= datetime.combine(since, time(), UTC))
        with self.engine.connect() as connection:
            return [_stored(row) for row in connection.execute(query)]

    def stix_object_history(self, object_id: str) -> list[StoredStixObject]:
        """Every kept version of one received object, earliest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(stix_objects)
                .where(stix_objects.c.id == object_id)
                .order_by(stix_objects.c.version_key, stix_objects.c.modified)
            )
            return [_stored(row) for row in rows]

    def known_stix_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these STIX IDs the store knows: received objects, or objects Liaison shares."""
        wanted = sorted(set(ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(wanted):
                found.update(
                    connection.execute(
                        select(stix_objects.c.id).where(stix_objects.c.id.in_(chunk)).distinct()
                    ).scalars()
                )
            by_type: dict[str, dict[str, str]] = {}
            for stix_id in wanted:
                stix_type, _, uuid = stix_id.partition("--")
                if stix_id not in found and stix_type in _NATIVE_TABLES:
                    by_type.setdefault(stix_type, {})[uuid] = stix_id
            for stix_type, uuids in by_type.items():
                column = _NATIVE_TABLES[stix_type]
                for chunk in _chunks(sorted(uuids)):
                    matched = connection.execute(select(column).where(column.in_(chunk)).distinct())
                    found.update(uuids[value] for value in matched.scalars())
        return found

    def stix_counts(self) -> dict[str, int]:
        """Received objects (current versions) by STIX type."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(stix_objects.c.type, func.count())
                .where(stix_objects.c.current.is_(True))
                .group_by(stix_objects.c.type)
                .order_by(stix_objects.c.type)
            )
            return {row[0]: int(row[1]) for row in rows}


def _stored(row: Any) -> StoredStixObject:
    return StoredStixObject(
        id=row.id,
        type=row.type,
        modified=row.modified,
        json=row.json,
        received_from=row.received_from,
        bundle_id=row.bundle_id,
        received_at=row.received_at,
        current=bool(row.current),
    )
