"""Refuse a NUL character in a query string before any route runs.

PostgreSQL text cannot hold NUL: a filter carrying one would reach the database and fail there (a server
error). No legitimate query has one, so every request with one is answered 400, in the TAXII error format
under ``/taxii2`` and as JSON elsewhere.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
MESSAGE = "a NUL character is not allowed in a query"


def _has_nul(query_string: bytes) -> bool:
    return b"\x00" in query_string or b"%00" in query_string.lower()


class QueryGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_nul(scope.get("query_string", b"")):
            await self.app(scope, receive, send)
            return
        if str(scope.get("path", "")).startswith("/taxii2"):
            body = {"title": "Bad request", "description": MESSAGE, "http_status": "400"}
            media_type = TAXII_MEDIA_TYPE
        else:
            body = {"detail": MESSAGE}
            media_type = "application/json"
        payload = json.dumps(body).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", media_type.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
