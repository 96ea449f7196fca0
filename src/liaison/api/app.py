"""The server: ``create_app(settings)`` builds the FastAPI application ``liaison serve`` runs on uvicorn.

Routers: the JSON REST API under ``/api`` (``liaison.api.rest``), TAXII 2.1 under ``/taxii2``
(``liaison.api.taxii``) and the web UI (``liaison.web``: pages, ``/login``, ``/static``). Every route
authenticates (``liaison.api.auth``, or the web UI's login session) and reads through the caller's
organisation's collection, so the handling rules hold on every path. Every response carries the security
headers of ``liaison.web.security`` (a strict Content-Security-Policy among them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from liaison.api.query_guard import QueryGuardMiddleware
from liaison.settings import Settings
from liaison.store import Store
from liaison.web.security import SecurityHeadersMiddleware


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The application for one instance; ``store`` is opened from ``settings`` when not given."""
    owned = store is None
    opened = store if store is not None else Store.open(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            opened.close()

    app = FastAPI(
        title="Liaison",
        summary="Intelligence cooperation: reports, entities, events, claims, and TAXII 2.1 sharing.",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # liaison.api.docs serves it without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = opened
    _include_routers(app)
    app.add_middleware(QueryGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # added last: outermost, so every answer carries them
    return app


def _include_routers(app: FastAPI) -> None:
    from liaison import web
    from liaison.api import docs, rest, taxii

    app.include_router(rest.router)
    app.include_router(taxii.router)
    app.include_router(docs.router)
    app.include_router(web.router)
    docs.mount_swagger(app)
    web.mount_static(app)
    web.add_exception_handlers(app)
