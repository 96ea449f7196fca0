"""What every REST route shares: the caller, the audit entry, the one "not found", query parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status

from liaison.accounts import Principal
from liaison.api.auth import authenticate, store_of
from liaison.api.rest_models import NotFoundOut, ProblemOut
from liaison.domain import TLP

Caller = Annotated[Principal, Depends(authenticate)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many items at most.")]
# Bounded so that the database never sees an integer it cannot hold (SQLite and PostgreSQL: 64 bits).
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="How many matching items to skip.")]

# What any route under /api may answer besides its own answers (the NUL refusal of
# ``liaison.api.query_guard``, ``liaison.api.auth``'s 401 and 429, and parameters refused).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: {"model": ProblemOut, "description": "A NUL character in the query."},
    status.HTTP_401_UNAUTHORIZED: {
        "model": ProblemOut,
        "description": "No valid credentials (HTTP Basic or a bearer token).",
    },
    status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ProblemOut, "description": "Invalid parameters."},
    status.HTTP_429_TOO_MANY_REQUESTS: {
        "model": ProblemOut,
        "description": "Too many failed authentication attempts from this client or for this user.",
    },
}

# Something that does not exist and something the caller may not read get this very answer.
NOT_FOUND_RESPONSE: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {
        "model": NotFoundOut,
        "description": "No such item, or none the caller may read: the two are not told apart.",
    }
}


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "not found")


def audit(request: Request, principal: Principal, action: str, detail: dict[str, Any]) -> None:
    """Record the request in the audit log: who, what (``api.read``, ``api.ingest``...), which path."""
    store_of(request).append_audit(principal.name, action, request.url.path, detail)


def parse_tlp(value: str | None) -> TLP | None:
    """A TLP level from a query string, where ``amber+strict`` arrives as ``amber strict``."""
    if value is None or not value.strip():
        return None
    try:
        return TLP.parse(value.strip().replace(" ", "+"))
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
