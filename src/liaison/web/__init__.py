"""The web UI: server-rendered pages behind a login, for the analysts of the home organisation and partners.

``router`` holds every page; ``liaison.api.app.create_app`` includes it, mounts the static files
(``mount_static``) and installs the exception handlers that turn a missing login into a redirect and page
errors into HTML (``add_exception_handlers``). Pages read only through the caller's collection
(``liaison.store.readable``), exactly as the REST API does.
"""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from liaison.web import (
    login,
    pages_brief,
    pages_entities,
    pages_events,
    pages_home,
    pages_reports,
    pages_watch,
)
from liaison.web.security import add_security_headers
from liaison.web.session import BodyTooLarge, CsrfRefused, LoginRequired
from liaison.web.templates import (
    NODE_MODULES_DIR,
    STATIC_DIR,
    TEMPLATES_DIR,
    VENDOR_PACKAGES,
    PageError,
    render,
)

__all__ = ["add_exception_handlers", "mount_static", "router"]

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(pages_home.router)
router.include_router(pages_reports.router)
router.include_router(pages_entities.router)
router.include_router(pages_events.router)
router.include_router(pages_watch.router)
router.include_router(pages_brief.router)

# Paths answered by the API's own JSON (or TAXII) errors, never by an HTML page.
_MACHINE_PREFIXES = ("/api", "/taxii2", "/static", "/docs", "/openapi.json", "/redoc")
_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    500: "Something went wrong",
}


def mount_static(app: FastAPI) -> None:
    """``/static/`` from ``web/static``, and each npm package from ``node_modules`` when installed.

    The packages are mounted first: a mount matches by prefix, so ``/static`` would take their paths. A
    package that is not installed answers 404 for its files; pages check ``vendor_available`` first."""
    for package in VENDOR_PACKAGES:
        app.mount(
            f"/static/vendor/{package}",
            StaticFiles(directory=NODE_MODULES_DIR / package, check_dir=False),
            name=f"vendor-{package}",
        )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def _wants_page(request: Request) -> bool:
    path = request.url.path
    if any(path == prefix or path.startswith(prefix + "/") for prefix in _MACHINE_PREFIXES):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or not accept or "*/*" in accept


def error_page(request: Request, status_code: int, message: str = "") -> Response:
    """The HTML error page for ``status_code`` (``errors/<code>.html``, else ``errors/error.html``)."""
    name = f"errors/{status_code}.html"
    if not (TEMPLATES_DIR / name).is_file():
        name = "errors/error.html"
    context = {"status_code": status_code, "title": _TITLES.get(status_code, "Error"), "message": message}
    return render(request, name, context, status_code=status_code)


async def _login_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    return RedirectResponse(error.location, status_code=303, headers={"Cache-Control": "no-store"})


async def _csrf_refused(request: Request, _: Exception) -> Response:
    message = "This form has expired or did not come from this site. Reload the page and send it again."
    return error_page(request, 403, message)


async def _body_too_large(request: Request, _: Exception) -> Response:
    return error_page(request, 413, "What was sent is over the size limit.")


async def _page_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageError)
    return error_page(request, error.status_code, error.message)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if not _wants_page(request) or error.status_code < 400:
        return await http_exception_handler(request, error)
    return error_page(request, error.status_code, "")


async def _server_error(request: Request, _: Exception) -> Response:
    response: Response = PlainTextResponse("Internal Server Error", status_code=500)
    if _wants_page(request):
        # When the error page itself fails, the plain answer stays.
        with contextlib.suppress(Exception):
            response = error_page(request, 500, "")
    # Answered outside the middleware stack (by Starlette's ServerErrorMiddleware): add the headers here.
    add_security_headers(response.headers)
    return response


def add_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
