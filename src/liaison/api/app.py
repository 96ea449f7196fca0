"""The server: ``create_app(settings)`` builds the FastAPI application ``liaison serve`` runs on uvicorn.

Routers: the JSON REST API under ``/api`` (``liaison.api.rest``) and TAXII 2.1 under ``/taxii2``
(``liaison.api.taxii``). Every route authenticates (``liaison.api.auth``) and reads through the caller's
organisation's collection, so the handling rules hold on every path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from liaison.settings import Settings
from liaison.store import Store


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
    )
    app.state.settings = settings
    app.state.store = opened
    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    from liaison.api import rest, taxii

    app.include_router(rest.router)
    app.include_router(taxii.router)
