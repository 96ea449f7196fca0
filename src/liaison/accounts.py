"""Use cases of accounts: passwords (Argon2id), API tokens, and who a request is.

A token is shown once, when it is created: ``lsn_`` and 43 URL-safe characters (256 random bits). The
store keeps its SHA-256 digest and its first characters, so a listing can name it and a lookup is one
indexed query; a stolen database does not yield usable tokens. Passwords are hashed with Argon2id (the
``argon2-cffi`` defaults, RFC 9106's second recommended profile). Checking a password of an unknown user
still runs one Argon2 verification, so the answer takes the same time whether the user exists or not.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from liaison.domain import AccountRole, Audience
from liaison.store import Store
from liaison.store.accounts import TokenRecord, UserRecord

TOKEN_PREFIX = "lsn_"  # noqa: S105 - a marker, not a secret
_SHOWN_CHARACTERS = 12  # "lsn_" and 8 characters: enough to tell tokens apart in a listing
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password: verified against when the user does not exist, to spend the same
    time. Made on first use, not at import (an Argon2 hash costs tens of milliseconds)."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Principal:
    """Who a request is: the user, the organisation's collection, and the handling rules that apply."""

    user: UserRecord
    collection_id: str
    audience: Audience

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def can_write(self) -> bool:
        """Analysts and admins of the home organisation may ingest and change the store."""
        return self.user.home and self.user.role in (AccountRole.ADMIN, AccountRole.ANALYST)

    @property
    def is_admin(self) -> bool:
        return self.user.home and self.user.role is AccountRole.ADMIN


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, user_name: str, label: str | None = None) -> tuple[str, TokenRecord]:
    """A new token for ``user_name``: the secret (to show once) and its record."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = store.add_token(user_name, token_digest(token), token[:_SHOWN_CHARACTERS], label)
    return token, record


def principal_for(store: Store, user: UserRecord) -> Principal:
    collection = store.collection_for(user.organization_id)
    return Principal(user, collection.id, store.audience_for(user.organization_id))


# HTTP Basic sends the password with every request, and an Argon2 verification costs 100 ms or more:
# a password verified in the last minute is remembered, as an HMAC under a key that lives only in this
# process, together with the hash it matched (a changed password or a disabled account is not served).
_VERIFIED_SECONDS = 60.0
_VERIFIED_MAX = 1024
_verified_key = secrets.token_bytes(32)
_verified: dict[str, tuple[float, str]] = {}


def _credential_key(name: str, password: str) -> str:
    message = name.casefold().encode("utf-8") + b"\0" + password.encode("utf-8")
    return hmac.new(_verified_key, message, hashlib.sha256).hexdigest()


def check_password(store: Store, name: str, password: str) -> UserRecord | None:
    """The user if ``password`` is theirs and the account is active; the same work either way.

    A wrong password always costs one Argon2 verification, whether the user exists or not.
    """
    user = store.find_user(name)
    key = _credential_key(name, password)
    remembered = _verified.get(key)
    if (
        remembered is not None
        and user is not None
        and not user.disabled
        and remembered[1] == user.password_hash
        and remembered[0] > time.monotonic()
    ):
        return user
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matched: bool
    try:
        matched = _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        matched = False
    if not matched or user is None or user.disabled or not user.password_hash:
        return None
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[key] = (time.monotonic() + _VERIFIED_SECONDS, user.password_hash)
    return user


def check_token(store: Store, token: str) -> UserRecord | None:
    """The active user a token belongs to; malformed tokens are refused before any query."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    # An equality lookup on a digest: timing says nothing about how close a guess was.
    return store.user_for_token(token_digest(token))
