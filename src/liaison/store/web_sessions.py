"""Web UI login sessions, kept server-side: logging out or disabling a user ends them at once.

The cookie's random token never reaches this module: ``liaison.web.session`` passes its SHA-256 digest.
A session is found only while it is neither expired nor idle too long and its user is active.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from liaison.store.accounts import AccountStore, UserRecord
from liaison.store.schema import organizations, users, web_sessions


@dataclass(frozen=True)
class WebSessionRecord:
    user: UserRecord
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class WebSessionStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    def create_web_session(
        self, user_id: str, digest: str, csrf_token: str, lifetime: timedelta
    ) -> WebSessionRecord:
        """Open a session for ``user_id``; expired sessions of every user are dropped on the way."""
        now = self._clock()
        with self.engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))
            connection.execute(
                web_sessions.insert(),
                {
                    "digest": digest,
                    "user_id": user_id,
                    "csrf_token": csrf_token,
                    "created_at": now,
                    "last_seen_at": now,
                    "expires_at": now + lifetime,
                },
            )
        found = self.web_session(digest, idle_timeout=lifetime)
        if found is None:  # the user was disabled in between
            raise LookupError("the session's user is not active")
        return found

    def web_session(
        self, digest: str, idle_timeout: timedelta, touch_after: timedelta | None = None
    ) -> WebSessionRecord | None:
        """The live session of an active user whose cookie has this digest: one indexed query, and one
        update when it was last seen more than ``touch_after`` ago (it stays open while used)."""
        now = self._clock()
        query = (
            select(
                users.c.id,
                users.c.name,
                users.c.role,
                users.c.organization_id,
                users.c.password_hash,
                users.c.disabled,
                organizations.c.name.label("organization"),
                organizations.c.home,
                web_sessions.c.csrf_token,
                web_sessions.c.created_at,
                web_sessions.c.last_seen_at,
                web_sessions.c.expires_at,
            )
            .join(organizations, organizations.c.id == users.c.organization_id)
            .join(web_sessions, web_sessions.c.user_id == users.c.id)
            .where(web_sessions.c.digest == digest)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or row.disabled:
            return None
        expires_at, last_seen_at = _aware(row.expires_at), _aware(row.last_seen_at)
        if expires_at <= now or last_seen_at + idle_timeout <= now:
            return None
        if touch_after is not None and last_seen_at + touch_after <= now:
            self.touch_web_session(digest)
            last_seen_at = now
        return WebSessionRecord(
            AccountStore._user(row), row.csrf_token, _aware(row.created_at), last_seen_at, expires_at
        )

    def touch_web_session(self, digest: str) -> None:
        """Mark the session as used now (it stays open while used, up to its expiry)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(web_sessions).where(web_sessions.c.digest == digest).values(last_seen_at=self._clock())
            )

    def delete_web_session(self, digest: str) -> bool:
        with self.engine.begin() as connection:
            deleted = connection.execute(delete(web_sessions).where(web_sessions.c.digest == digest))
        return bool(deleted.rowcount)

    def delete_web_sessions_of(self, user_id: str) -> int:
        """End every session of a user (after a password change, say)."""
        with self.engine.begin() as connection:
            deleted = connection.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))
        return int(deleted.rowcount)
