"""What matching partners' STIX objects against watches reads from the store (``liaison.watching_received``
decides what matches): the names a watched entity goes by, and which received objects a collection holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from liaison.store.schema import collection_objects, entities, entity_aliases, reports

_CHUNK = 500


class ReceivedAlertStore:
    """Mixed into ``Store``, which provides the engine."""

    engine: Engine

    def entity_name_keys(self, canonical_id: str) -> set[str]:
        """The normalised names and aliases of a canonical entity and of every entity merged into it."""
        with self.engine.connect() as connection:
            return set(
                connection.execute(
                    select(entity_aliases.c.normalized)
                    .join(entities, entities.c.id == entity_aliases.c.entity_id)
                    .where(entities.c.canonical_id == canonical_id)
                    .distinct()
                ).scalars()
            )

    def readable_stix_ids(self, collection_id: str, stix_ids: Iterable[str]) -> set[str]:
        """Those of ``stix_ids`` the collection serves now (its organisation may read them)."""
        wanted = sorted(set(stix_ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), _CHUNK):
                found.update(
                    connection.execute(
                        select(collection_objects.c.stix_id)
                        .where(
                            collection_objects.c.collection_id == collection_id,
                            collection_objects.c.current,
                            collection_objects.c.stix_id.in_(wanted[start : start + _CHUNK]),
                        )
                        .distinct()
                    ).scalars()
                )
        return found

    def stored_report_ids(self, report_ids: Iterable[str]) -> set[str]:
        """Those of ``report_ids`` that are Liaison's own stored reports."""
        wanted = sorted(set(report_ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), _CHUNK):
                found.update(
                    connection.execute(
                        select(reports.c.id).where(reports.c.id.in_(wanted[start : start + _CHUNK]))
                    ).scalars()
                )
        return found
