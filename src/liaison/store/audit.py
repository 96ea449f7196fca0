"""The audit log: append-only and hash-chained.

Entry ``n`` stores ``hash = SHA-256(previous_hash ‖ canonical JSON of (seq, at, actor, action, target,
detail))``, the first entry chaining from 64 zeros; ``audit_head`` holds the last sequence number and hash.
Editing an entry breaks its hash; deleting one breaks the chain (a gap in ``seq`` and a ``previous_hash``
that no longer matches); deleting the last ones leaves the head pointing past the end. ``verify_audit``
walks the whole log and names the first entry that does not hold.

Appends are serialised (an advisory lock on PostgreSQL, the database lock on SQLite) so that two writers
never chain from the same entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update

from liaison.store.schema import audit_head, audit_log

GENESIS = "0" * 64
_LOCK_KEY = 0x4C6941756469  # any constant: the advisory lock of audit appends on PostgreSQL
_VERIFY_BATCH = 5_000


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    problem: str | None = None  # the first thing that does not hold


def _moment(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _canonical_detail(detail: Mapping[str, Any] | None) -> str:
    return json.dumps(
        dict(detail or {}), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def entry_hash(
    previous_hash: str, seq: int, at: datetime, actor: str, action: str, target: str, detail: str
) -> str:
    body = json.dumps(
        [seq, _moment(at).astimezone(UTC).isoformat(timespec="microseconds"), actor, action, target, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((previous_hash + body).encode("utf-8")).hexdigest()


class AuditStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    def append_audit(
        self, actor: str, action: str, target: str = "", detail: Mapping[str, Any] | None = None
    ) -> AuditEntry:
        detail_text = _canonical_detail(detail)
        with self.engine.begin() as connection:
            self._lock_audit(connection)
            head = connection.execute(
                select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            ).first()
            seq, previous = (head.seq + 1, head.hash) if head else (1, GENESIS)
            at = self._clock()
            digest = entry_hash(previous, seq, at, actor, action, target, detail_text)
            connection.execute(
                audit_log.insert(),
                {
                    "seq": seq,
                    "at": at,
                    "actor": actor,
                    "action": action,
                    "target": target,
                    "detail": detail_text,
                    "previous_hash": previous,
                    "hash": digest,
                },
            )
            if head:
                connection.execute(
                    update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest)
                )
            else:
                connection.execute(audit_head.insert(), {"id": 1, "seq": seq, "hash": digest})
        return AuditEntry(seq, at, actor, action, target, json.loads(detail_text), previous, digest)

    def _lock_audit(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        else:  # SQLite: take the write lock now, before reading the head
            connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq))

    def audit_entries(
        self, since: datetime | None = None, limit: int | None = None, actor: str | None = None
    ) -> list[AuditEntry]:
        query = select(audit_log)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if actor:
            query = query.where(audit_log.c.actor == actor)
        query = query.order_by(audit_log.c.seq.desc() if limit else audit_log.c.seq)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        entries = [
            AuditEntry(
                r.seq,
                _moment(r.at),
                r.actor,
                r.action,
                r.target,
                json.loads(r.detail),
                r.previous_hash,
                r.hash,
            )
            for r in rows
        ]
        return sorted(entries, key=lambda e: e.seq)

    def _audit_rows(self) -> Iterator[Any]:
        last = 0
        while True:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    select(audit_log)
                    .where(audit_log.c.seq > last)
                    .order_by(audit_log.c.seq)
                    .limit(_VERIFY_BATCH)
                ).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def verify_audit(self) -> AuditVerification:
        """Walk the chain from the first entry; the first entry that does not hold is named."""
        previous, expected_seq, count = GENESIS, 1, 0
        for row in self._audit_rows():
            if row.seq != expected_seq:
                return AuditVerification(False, count, f"entry {expected_seq} is missing (next is {row.seq})")
            if row.previous_hash != previous:
                return AuditVerification(
                    False, count, f"entry {row.seq} does not chain from entry {row.seq - 1}"
                )
            digest = entry_hash(previous, row.seq, row.at, row.actor, row.action, row.target, row.detail)
            if digest != row.hash:
                return AuditVerification(False, count, f"entry {row.seq} was changed after it was written")
            previous, expected_seq, count = row.hash, row.seq + 1, count + 1
        with self.engine.connect() as connection:
            head = connection.execute(
                select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            ).first()
        if head is None and count:
            return AuditVerification(False, count, "the chain's head record is missing")
        if head is not None and (head.seq != count or head.hash != previous):
            return AuditVerification(
                False,
                count,
                f"the log ends at entry {count} but its head says {head.seq}: entries were removed",
            )
        return AuditVerification(True, count)
