"""Who is asking: HTTP Basic (as TAXII 2.1 requires) or ``Authorization: Bearer TOKEN``.

A request without valid credentials gets 401 and a ``WWW-Authenticate`` challenge, whatever it asked for:
an unauthenticated caller learns nothing about what exists. Failed attempts are written to the audit log,
and too many of them from one address or for one user name are refused unchecked with 429
(``liaison.api.throttle``).
"""

from __future__ import annotations

import base64
import binascii

from fastapi import HTTPException, Request, status

from liaison.accounts import Principal, check_password, check_token, principal_for
from liaison.api.throttle import Refusal, client_key, throttle_of, user_key
from liaison.store import Store
from liaison.store.accounts import UserRecord

CHALLENGE = {"WWW-Authenticate": 'Basic realm="liaison", charset="UTF-8", Bearer'}


class Unauthenticated(HTTPException):
    def __init__(self, detail: str = "authentication required") -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, detail, headers=CHALLENGE)


class Throttled(HTTPException):
    """Too many failed attempts: 429, refused before any credential is checked."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed authentication attempts; try again later",
            headers={"Retry-After": str(retry_after)},
        )


def client_host(request: Request) -> str:
    return request.client.host if request.client else "-"


def audit_throttled(store: Store, actor: str, path: str, client: str, refusal: Refusal) -> None:
    """One audit entry when a lock starts, not one per refused attempt (a flood must not become writes)."""
    if refusal.first:
        detail = {"client": client, "key": refusal.key, "retry_after": refusal.retry_after}
        store.append_audit(actor, "login.throttled", path, detail)


def audited_name(name: str) -> str:
    """A user name as given, fit for the audit log: PostgreSQL text cannot hold NUL, nor should a log
    hold control characters an attacker chose."""
    return "".join(c if c.isprintable() else "?" for c in name[:64])


def may_exist(name: str) -> bool:
    """False for a name no user can have (a NUL, which PostgreSQL would refuse to even look up)."""
    return "\x00" not in name


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def authenticate(request: Request) -> Principal:
    """FastAPI dependency: the principal of the request, or 401 (429 after too many failures)."""
    store = store_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    client = client_host(request)
    user: UserRecord | None = None
    attempted = ""
    keys = [client_key(client)]
    token = ""
    name = password = ""
    separator = ""
    # "Token" is what taxii2-client's TokenAuth sends: the same bearer secret under another name.
    if scheme.lower() in ("bearer", "token") and credentials:
        attempted = "token"
        token = credentials
    elif scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        name, separator, password = decoded.partition(":")
        attempted = f"password:{audited_name(name)}"
        if separator:
            keys.append(user_key(name))
    if not attempted:
        raise Unauthenticated()
    throttle = throttle_of(request.app.state)
    attempt = throttle.begin(keys)
    if isinstance(attempt, Refusal):
        audit_throttled(store, attempted, request.url.path, client, attempt)
        raise Throttled(attempt.retry_after)
    if token:
        user = check_token(store, token)
    elif separator and may_exist(name):
        user = check_password(store, name, password)
    if user is None:
        store.append_audit(attempted, "login.failed", request.url.path, {"client": client})
        raise Unauthenticated()
    throttle.succeeded(attempt)
    return principal_for(store, user)
