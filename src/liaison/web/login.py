"""Logging in and out of the web UI with a user's password (``liaison user add``/``passwd``).

Every login and every failed login is written to the audit log, as the API's are. A failed login says the
same thing whether the user exists or not, and costs the same time (``accounts.check_password``). Failed
logins count with the API's failed authentications (``liaison.api.throttle``): past the limit the form
answers 429, with the reason, without checking the password.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from liaison.accounts import check_password
from liaison.api.auth import audit_throttled, audited_name, client_host, may_exist
from liaison.api.throttle import Refusal, client_key, throttle_of, user_key
from liaison.web.session import (
    current_principal,
    end_session,
    optional_principal,
    safe_next,
    start_session,
    store_of,
    verify_csrf,
    verify_login_csrf,
)
from liaison.web.templates import render

router = APIRouter()

MAX_NAME = 200
MAX_PASSWORD = 1024  # Argon2 takes any length; a cap keeps one request from costing much


THROTTLED_MESSAGE = "Too many failed attempts to log in. Wait a few minutes and try again."


def _client(request: Request) -> str:
    return client_host(request)


def _field(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    if optional_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "user_name": ""})


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
async def login(request: Request, form: Annotated[FormData, Depends(verify_login_csrf)]) -> Response:
    name = _field(form, "username", MAX_NAME).strip()
    password = _field(form, "password", MAX_PASSWORD)
    target = safe_next(_field(form, "next", 2000))
    store = store_of(request)
    keys = [client_key(_client(request))] + ([user_key(name)] if name else [])
    throttle = throttle_of(request.app.state)
    attempt = throttle.begin(keys)
    if isinstance(attempt, Refusal):
        await run_in_threadpool(
            audit_throttled, store, f"password:{audited_name(name)}", "/login", _client(request), attempt
        )
        context = {"next": target, "error": THROTTLED_MESSAGE, "user_name": name}
        headers = {"Retry-After": str(attempt.retry_after)}
        return render(request, "login.html", context, status_code=429, headers=headers)
    checkable = name and password and may_exist(name)
    user = await run_in_threadpool(check_password, store, name, password) if checkable else None
    if user is None:
        await run_in_threadpool(
            store.append_audit,
            f"password:{audited_name(name)}",
            "web.login.failed",
            "/login",
            {"client": _client(request)},
        )
        context = {"next": target, "error": "Wrong user name or password.", "user_name": name}
        # 200, not 401: a 401 must carry an HTTP authentication challenge, and this is a form.
        return render(request, "login.html", context)
    throttle.succeeded(attempt)
    response = RedirectResponse(target, status_code=303)
    await run_in_threadpool(start_session, request, response, user)
    await run_in_threadpool(
        store.append_audit, user.name, "web.login", "/login", {"client": _client(request)}
    )
    return response


@router.post(
    "/logout", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(verify_csrf)]
)
def logout(request: Request) -> Response:
    principal = current_principal(request)
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    store_of(request).append_audit(principal.name, "web.logout", "/logout", {"client": _client(request)})
    return response
