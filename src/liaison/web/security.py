"""Headers every response carries, whatever produced it: a strict Content-Security-Policy and friends.

Report text is untrusted. Escaping keeps it inert in the HTML; the policy is the second wall: no inline
script or style, no plug-ins, nothing loaded from another origin, no framing. A pure ASGI middleware (not
``BaseHTTPMiddleware``) so streamed and file responses pass through untouched but for their headers.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)

# The API documentation page (/docs, liaison.api.docs) runs Swagger UI from this server; Swagger UI sets
# style attributes on what it draws, so that page alone may use inline styles. Nothing else is loosened:
# every script is a file from this origin, and nothing is loaded from anywhere else.
API_DOCS_PATHS = ("/docs",)
API_DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def add_security_headers(headers: MutableHeaders, path: str = "") -> None:
    """Set each security header the response does not set itself."""
    if path in API_DOCS_PATHS and "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = API_DOCS_POLICY
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response of the application."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), scope.get("path", ""))
            await send(message)

        await self.app(scope, receive, send_with_headers)
