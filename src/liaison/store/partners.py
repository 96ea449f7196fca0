"""Partner instances this one pulls from, and how far each pull got.

A partner is a TAXII 2.1 API root (``url``), the bearer token the partner issued to us, the collection we
read there (found on the first pull when not given), and the cursor: the ``X-TAXII-Date-Added-Last`` of
the last page stored, exactly as the partner sent it. The token is kept in clear because it has to be
sent; listings never show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from liaison.domain import deterministic_id
from liaison.errors import NotFound, StoreError
from liaison.store.schema import partners


class PartnerExists(StoreError):
    """A partner with that name is already configured."""


@dataclass(frozen=True)
class PartnerRecord:
    id: str
    name: str
    url: str
    token: str = field(repr=False)  # never in logs or tracebacks
    collection_id: str | None = None
    cursor: str | None = None
    last_pull_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None


def _record(row: Any) -> PartnerRecord:
    return PartnerRecord(
        id=row.id,
        name=row.name,
        url=row.url,
        token=row.token,
        collection_id=row.collection_id,
        cursor=row.cursor,
        last_pull_at=row.last_pull_at,
        last_error=row.last_error,
        created_at=row.created_at,
    )


class PartnerStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    def add_partner(self, name: str, url: str, token: str, collection_id: str | None = None) -> PartnerRecord:
        cleaned = name.strip()
        if not cleaned:
            raise StoreError("a partner needs a name")
        if not url.strip() or not token.strip():
            raise StoreError("a partner needs the URL of its TAXII API root and the token it issued")
        now = self._clock()
        values = {
            "id": deterministic_id("partner", cleaned.casefold()),
            "name": cleaned,
            "name_key": cleaned.casefold(),
            "url": url.strip(),
            "token": token.strip(),
            "collection_id": (collection_id or "").strip() or None,
            "cursor": None,
            "last_pull_at": None,
            "last_error": None,
            "created_at": now,
        }
        with self.engine.begin() as connection:
            try:
                connection.execute(partners.insert(), values)
            except IntegrityError as error:
                raise PartnerExists(
                    f"partner {cleaned!r} already exists (`liaison partner remove {cleaned}` first)"
                ) from error
        return self.partner(cleaned)

    def partner(self, name: str) -> PartnerRecord:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(partners).where(partners.c.name_key == name.strip().casefold())
            ).first()
        if row is None:
            raise NotFound(f"no partner named {name!r} (see `liaison partner list`)")
        return _record(row)

    def partners(self) -> list[PartnerRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(partners).order_by(partners.c.name_key)).all()
        return [_record(row) for row in rows]

    def remove_partner(self, name: str) -> PartnerRecord:
        """Forget a partner and its cursor; what was received from it stays."""
        record = self.partner(name)
        with self.engine.begin() as connection:
            connection.execute(partners.delete().where(partners.c.id == record.id))
        return record

    def set_partner_collection(self, name: str, collection_id: str) -> None:
        """The collection found on the first pull: the cursor is only meaningful within it."""
        record = self.partner(name)
        with self.engine.begin() as connection:
            connection.execute(
                update(partners).where(partners.c.id == record.id).values(collection_id=collection_id)
            )

    def set_partner_cursor(self, name: str, cursor: str) -> None:
        """Record that everything up to ``cursor`` is stored: set right after each stored page."""
        record = self.partner(name)
        with self.engine.begin() as connection:
            connection.execute(update(partners).where(partners.c.id == record.id).values(cursor=cursor))

    def record_partner_pull(self, name: str, error: str | None) -> PartnerRecord:
        """The end of a pull: when it ran and how it ended (``error`` None when it succeeded)."""
        record = self.partner(name)
        with self.engine.begin() as connection:
            connection.execute(
                update(partners)
                .where(partners.c.id == record.id)
                .values(last_pull_at=self._clock(), last_error=error)
            )
        return self.partner(name)
