"""Collection state in the store: near-duplicate fingerprints, feeds and the feed entries handled.

Fingerprints are written in the same transaction as their report (``Store.save_extraction``), so a
report killed half-way has neither; a feed's validators (ETag, Last-Modified) are saved only after its
entries were handled, so a poll that dies is simply done again, and ``feed_entries`` keeps it from
fetching or storing anything twice.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from liaison.domain import TLP, Fingerprint, NearDuplicate, deterministic_id
from liaison.errors import NotFound, StoreError
from liaison.store.schema import feed_entries, feeds, report_fingerprint_bands, report_fingerprints, reports

# A failed entry is tried again on the next polls, up to this many attempts in all.
MAX_ENTRY_ATTEMPTS = 3


@dataclass(frozen=True)
class FeedRecord:
    id: str
    url: str
    name: str | None
    tlp: TLP
    etag: str | None
    last_modified: str | None
    added_at: datetime
    polled_at: datetime | None
    status: str | None
    error: str | None
    entries: int = 0
    reports: int = 0


@dataclass(frozen=True)
class StoredFingerprint:
    report_id: str
    original_id: str  # the report itself, or the one it copies
    fingerprint: Fingerprint


def feed_id_for(url: str) -> str:
    return deterministic_id("feed", url.strip())


def _pack(signature: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(signature)}Q", *signature)


def _unpack(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 8}Q", data)


class CollectionStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    # -- near duplicates ---------------------------------------------------------------------

    def near_duplicate_candidates(self, fingerprint: Fingerprint) -> list[StoredFingerprint]:
        """Stored reports sharing at least one LSH band bucket with ``fingerprint``."""
        conditions = [
            (report_fingerprint_bands.c.band == band) & (report_fingerprint_bands.c.bucket == bucket)
            for band, bucket in enumerate(fingerprint.bands)
        ]
        with self.engine.connect() as connection:
            ids = (
                connection.execute(
                    select(report_fingerprint_bands.c.report_id).where(or_(*conditions)).distinct().limit(200)
                )
                .scalars()
                .all()
            )
            if not ids:
                return []
            rows = connection.execute(
                select(
                    report_fingerprints.c.report_id,
                    report_fingerprints.c.signature,
                    reports.c.near_duplicate_of,
                )
                .join(reports, reports.c.id == report_fingerprints.c.report_id)
                .where(report_fingerprints.c.report_id.in_(ids))
                .order_by(reports.c.ingested_at, reports.c.id)
            ).all()
        return [
            StoredFingerprint(
                row.report_id,
                row.near_duplicate_of or row.report_id,
                Fingerprint(_unpack(row.signature), ()),
            )
            for row in rows
        ]

    @staticmethod
    def _write_fingerprint(
        connection: Connection,
        report_id: str,
        fingerprint: Fingerprint | None,
        near_duplicate: NearDuplicate | None,
    ) -> None:
        if fingerprint is not None:
            connection.execute(
                insert(report_fingerprints),
                {"report_id": report_id, "signature": _pack(fingerprint.signature)},
            )
            connection.execute(
                insert(report_fingerprint_bands),
                [
                    {"band": band, "bucket": bucket, "report_id": report_id}
                    for band, bucket in enumerate(fingerprint.bands)
                ],
            )
        if near_duplicate is not None:
            connection.execute(
                update(reports)
                .where(reports.c.id == report_id)
                .values(
                    near_duplicate_of=near_duplicate.original_id,
                    near_duplicate_similarity=round(near_duplicate.similarity, 4),
                )
            )

    def near_duplicates_of(self, report_id: str) -> list[tuple[str, float]]:
        """Reports stored as copies of this one, with their similarity."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reports.c.id, reports.c.near_duplicate_similarity)
                .where(reports.c.near_duplicate_of == report_id)
                .order_by(reports.c.ingested_at, reports.c.id)
            ).all()
        return [(row.id, float(row.near_duplicate_similarity or 0.0)) for row in rows]

    # -- feeds -------------------------------------------------------------------------------

    def add_feed(self, url: str, name: str | None, tlp: TLP) -> FeedRecord:
        feed_id = feed_id_for(url)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(feeds),
                    {
                        "id": feed_id,
                        "url": url.strip(),
                        "name": name,
                        "tlp": tlp.value,
                        "added_at": self._clock(),
                    },
                )
        except IntegrityError as error:
            raise StoreError(f"the feed {url} is already followed") from error
        return self.get_feed(feed_id)

    def remove_feed(self, identifier: str) -> FeedRecord:
        record = self.get_feed(identifier)
        with self.engine.begin() as connection:
            connection.execute(delete(feed_entries).where(feed_entries.c.feed_id == record.id))
            connection.execute(delete(feeds).where(feeds.c.id == record.id))
        return record

    def list_feeds(self) -> list[FeedRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(feeds).order_by(feeds.c.added_at, feeds.c.url)).all()
            counts = self._entry_counts(connection)
        return [self._feed_record(row, counts) for row in rows]

    def get_feed(self, identifier: str) -> FeedRecord:
        """A feed by URL, ID or unique ID prefix."""
        key = identifier.strip()
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(feeds).where(
                    or_(feeds.c.url == key, feeds.c.id.startswith(key.lower(), autoescape=True))
                )
            ).all()
            if len(rows) != 1:
                raise NotFound(f"no single followed feed matches {identifier!r}; see `liaison feeds list`")
            counts = self._entry_counts(connection, rows[0].id)
        return self._feed_record(rows[0], counts)

    @staticmethod
    def _entry_counts(connection: Connection, feed_id: str | None = None) -> dict[str, tuple[int, int]]:
        query = select(feed_entries.c.feed_id, feed_entries.c.report_id)
        if feed_id is not None:
            query = query.where(feed_entries.c.feed_id == feed_id)
        counts: dict[str, tuple[int, int]] = {}
        for row in connection.execute(query):
            entries, stored = counts.get(row.feed_id, (0, 0))
            counts[row.feed_id] = (entries + 1, stored + (row.report_id is not None))
        return counts

    @staticmethod
    def _feed_record(row: object, counts: dict[str, tuple[int, int]]) -> FeedRecord:
        entries, stored = counts.get(row.id, (0, 0))  # type: ignore[attr-defined]
        return FeedRecord(
            id=row.id,  # type: ignore[attr-defined]
            url=row.url,  # type: ignore[attr-defined]
            name=row.name,  # type: ignore[attr-defined]
            tlp=TLP(row.tlp),  # type: ignore[attr-defined]
            etag=row.etag,  # type: ignore[attr-defined]
            last_modified=row.last_modified,  # type: ignore[attr-defined]
            added_at=row.added_at,  # type: ignore[attr-defined]
            polled_at=row.polled_at,  # type: ignore[attr-defined]
            status=row.status,  # type: ignore[attr-defined]
            error=row.error,  # type: ignore[attr-defined]
            entries=entries,
            reports=stored,
        )

    def record_feed_poll(
        self,
        feed_id: str,
        status: str,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        keep_validators: bool = False,
    ) -> None:
        values: dict[str, object] = {"polled_at": self._clock(), "status": status, "error": error}
        if not keep_validators:
            values.update(etag=etag, last_modified=last_modified)
        with self.engine.begin() as connection:
            connection.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def entries_to_fetch(self, feed_id: str, keys: Iterable[str]) -> set[str]:
        """Which of these entry keys are new, or failed before and may be tried again."""
        wanted = list(dict.fromkeys(keys))
        done: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = connection.execute(
                    select(feed_entries.c.entry_key, feed_entries.c.status, feed_entries.c.attempts).where(
                        feed_entries.c.feed_id == feed_id, feed_entries.c.entry_key.in_(chunk)
                    )
                )
                done.update(
                    row.entry_key
                    for row in rows
                    if row.status != "failed" or row.attempts >= MAX_ENTRY_ATTEMPTS
                )
        return {key for key in wanted if key not in done}

    def record_feed_entry(
        self,
        feed_id: str,
        key: str,
        url: str | None,
        report_id: str | None,
        status: str,
        error: str | None = None,
    ) -> None:
        now = self._clock()
        with self.engine.begin() as connection:
            previous = connection.execute(
                select(feed_entries.c.attempts).where(
                    feed_entries.c.feed_id == feed_id, feed_entries.c.entry_key == key
                )
            ).scalar()
            row = {"url": url, "report_id": report_id, "status": status, "error": error, "seen_at": now}
            if previous is None:
                connection.execute(
                    insert(feed_entries), {"feed_id": feed_id, "entry_key": key, "attempts": 1, **row}
                )
            else:
                connection.execute(
                    update(feed_entries)
                    .where(feed_entries.c.feed_id == feed_id, feed_entries.c.entry_key == key)
                    .values(attempts=int(previous) + 1, **row)
                )
