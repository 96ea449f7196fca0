"""Who is asking: HTTP Basic (as TAXII 2.1 requires) or ``Authorization: Bearer TOKEN``.

A request without valid credentials gets 401 and a ``WWW-Authenticate`` challenge, whatever it asked for:
an unauthenticated caller learns nothing about what exists. Failed attempts are written to the audit log.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import HTTPException, Request, status

from liaison.accounts import Principal, check_password, check_token, principal_for
from liaison.store import Store

CHALLENGE = {"WWW-Authenticate": 'Basic realm="liaison", charset="UTF-8", Bearer'}


class Unauthenticated(HTTPException):
    def __init__(self, detail: str = "authentication required") -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, detail, headers=CHALLENGE)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def authenticate(request: Request) -> Principal:
    """FastAPI dependency: the principal of the request, or 401."""
    store = store_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    user = None
    attempted = ""
    # "Token" is what taxii2-client's TokenAuth sends: the same bearer secret under another name.
    if scheme.lower() in ("bearer", "token") and credentials:
        attempted = "token"
        user = check_token(store, credentials)
    elif scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        name, separator, password = decoded.partition(":")
        attempted = f"password:{name[:64]}"
        if separator:
            user = check_password(store, name, password)
    if user is None:
        if attempted:
            client = request.client.host if request.client else "-"
            store.append_audit(attempted, "login.failed", request.url.path, {"client": client})
        raise Unauthenticated()
    return principal_for(store, user)
