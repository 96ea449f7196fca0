"""Who is using the web UI: a server-side login session in a cookie, and CSRF protection of its forms.

The session cookie holds 256 random bits; the store keeps only their SHA-256 digest (as for API tokens),
so the cookie cannot be forged and a copy of the database opens no session. Logging out, disabling the
user or letting the session expire (12 hours, or 2 hours unused) ends it on the server at once.

Cookies are ``HttpOnly`` and ``SameSite=Strict``, and ``Secure`` whenever the request came over https
(uvicorn behind a TLS-terminating proxy sets the scheme from ``X-Forwarded-Proto`` with
``--proxy-headers``); the tests run over plain http on loopback, where a browser would drop a Secure
cookie.

Every form a logged-in user posts carries the session's CSRF token (``csrf_token(request)`` in the
templates, checked by the ``verify_csrf`` dependency, or sent by scripts as the ``X-CSRF-Token`` header).
The login form, posted before there is a session, carries a token tied to a short-lived cookie of its own.

Page routes take the caller with ``principal: Viewer`` (``current_principal``): without a live session it
raises ``LoginRequired``, which the application answers with a 303 to ``/login?next=…``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from liaison.accounts import Principal, principal_for
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.accounts import UserRecord
from liaison.store.web_sessions import WebSessionRecord

SESSION_COOKIE = "liaison_session"
LOGIN_CSRF_COOKIE = "liaison_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(hours=2)
# Writing "last seen" on every page view would make each read a write; every few minutes is enough.
TOUCH_INTERVAL = timedelta(minutes=5)
LOGIN_PATH = "/login"
# Form posts other than ingest uploads are small; an upload may be a report of the largest size allowed.
FORM_ENVELOPE_BYTES = 64 * 1024

_NO_SESSION = object()


class LoginRequired(Exception):
    """Raised by ``current_principal`` without a live session: answered with 303 to the login page."""

    def __init__(self, next_url: str = "/") -> None:
        super().__init__("login required")
        self.next_url = next_url

    @property
    def location(self) -> str:
        return f"{LOGIN_PATH}?next={quote(self.next_url, safe='/')}" if self.next_url != "/" else LOGIN_PATH


class CsrfRefused(Exception):
    """A form post without the token of the session (or of the login form): answered with 403."""


class BodyTooLarge(Exception):
    """A form post over the size limit: answered with 413 before its body is read."""


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cookie_secure(request: Request) -> bool:
    """Cookies are Secure when the page was served over https."""
    return request.url.scheme == "https"


def session_of(request: Request) -> WebSessionRecord | None:
    """The live session of the request, looked up once per request."""
    cached = getattr(request.state, "web_session", _NO_SESSION)
    if cached is not _NO_SESSION:
        return cached  # type: ignore[return-value]
    token = request.cookies.get(SESSION_COOKIE, "")
    found: WebSessionRecord | None = None
    if token and len(token) <= 128:
        found = store_of(request).web_session(_digest(token), IDLE_TIMEOUT, touch_after=TOUCH_INTERVAL)
    request.state.web_session = found
    return found


def optional_principal(request: Request) -> Principal | None:
    """The logged-in principal, or None (for pages shown to anyone, such as the login and error pages)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    session = session_of(request)
    if session is None:
        return None
    principal = principal_for(store_of(request), session.user)
    request.state.principal = principal
    return principal


def _here(request: Request) -> str:
    """Where to come back to after logging in: this page for a GET, the dashboard otherwise."""
    if request.method != "GET":
        return "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def current_principal(request: Request) -> Principal:
    """FastAPI dependency of every page: the logged-in principal, or ``LoginRequired``."""
    principal = optional_principal(request)
    if principal is None:
        raise LoginRequired(_here(request))
    return principal


Viewer = Annotated[Principal, Depends(current_principal)]


def safe_next(value: str | None) -> str:
    """A local path to go to after logging in; anything else (another site, a scheme) is the dashboard."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 0x20 for c in value):
        return "/"
    return value


# -- CSRF ------------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token forms of this page must carry: the session's, or before login, the login form's own.

    The login form's token is also set as a cookie by ``render`` (``pending_cookies``)."""
    session = session_of(request)
    if session is not None:
        return session.csrf_token
    existing = getattr(request.state, "login_csrf", None) or request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not existing or len(existing) > 128:
        existing = secrets.token_urlsafe(32)
        request.state.new_login_csrf = existing
    request.state.login_csrf = existing
    return str(existing)


def set_pending_cookies(request: Request, response: Response) -> None:
    """Set the login form's CSRF cookie when this response is the first to hand out its token."""
    token = getattr(request.state, "new_login_csrf", None)
    if token:
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=int(timedelta(hours=1).total_seconds()),
            path=LOGIN_PATH,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
        )


def _check_size(request: Request) -> None:
    declared = request.headers.get("content-length", "")
    limit = settings_of(request).max_report_bytes + FORM_ENVELOPE_BYTES
    if not declared.isdigit() or int(declared) > limit:
        # Browsers always declare the length of a form post; without it the size is not known up front.
        raise BodyTooLarge()


async def _posted_token(request: Request) -> tuple[str, FormData | None]:
    header = request.headers.get(CSRF_HEADER, "")
    if header:
        return header, None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return "", None
    _check_size(request)
    # Parsed once: Starlette keeps the form, so the route reads the same one with ``request.form()``.
    form = await request.form(max_files=1, max_fields=64)
    value = form.get(CSRF_FIELD)
    return (value if isinstance(value, str) else ""), form


def _same(expected: str, given: str) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


async def verify_csrf(request: Request) -> AsyncIterator[None]:
    """FastAPI dependency of every form post of a logged-in user: the session's token, or 403.

    Without a session it raises ``LoginRequired`` (303 to the login page), whatever the token. The form
    it parsed (the route reads it again with ``request.form()``) is closed after the response, with the
    temporary files of its uploads."""
    current_principal(request)
    session = session_of(request)
    given, form = await _posted_token(request)
    try:
        if session is None or not _same(session.csrf_token, given):
            raise CsrfRefused()
        yield
    finally:
        if form is not None:
            await form.close()


async def verify_login_csrf(request: Request) -> AsyncIterator[FormData]:
    """The login form: its token must match the login cookie. Gives the parsed form."""
    given, form = await _posted_token(request)
    try:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if form is None or not _same(expected, given):
            raise CsrfRefused()
        yield form
    finally:
        if form is not None:
            await form.close()


# -- opening and closing sessions ------------------------------------------------------------------


def start_session(request: Request, response: Response, user: UserRecord) -> WebSessionRecord:
    """Open a new session for ``user`` (never reusing a cookie the browser had: no session fixation)."""
    store = store_of(request)
    old = request.cookies.get(SESSION_COOKIE, "")
    if old and len(old) <= 128:
        store.delete_web_session(_digest(old))
    token = secrets.token_urlsafe(32)
    record = store.create_web_session(user.id, _digest(token), secrets.token_urlsafe(32), SESSION_LIFETIME)
    response.set_cookie(
        SESSION_COOKIE, token, path="/", httponly=True, samesite="strict", secure=cookie_secure(request)
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return record


def end_session(request: Request, response: Response) -> bool:
    """Close the request's session on the server and clear the cookie; False when there was none."""
    token = request.cookies.get(SESSION_COOKIE, "")
    ended = bool(token) and len(token) <= 128 and store_of(request).delete_web_session(_digest(token))
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=cookie_secure(request)
    )
    request.state.web_session = None
    request.state.principal = None
    return ended
