"""Browsing the web UI from tests with httpx against a live server: users, logging in, form tokens.

``Site`` (a live server's URL and store) opens clients and closes them all on ``close()``;
``site.logged_in(user)`` is an ``httpx.Client`` holding that user's session cookie. Read a page's form
token with ``csrf_token_in(html)``, or post with ``post_form(client, path, data)``, which takes the token
from a page of the session (the dashboard by default).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.routing import APIRoute

from liaison.accounts import hash_password
from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.live_server import live_server

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_users(store: Store, users: dict[str, tuple[str, AccountRole]]) -> None:
    """Users by name: (organisation, role), all with ``PASSWORD``."""
    hashed = hash_password(PASSWORD)
    for name, (organization, role) in users.items():
        store.add_user(name, organization, role, hashed)


def csrf_token_in(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def log_in(client: httpx.Client, user: str, password: str = PASSWORD, next_url: str = "/") -> httpx.Response:
    """Post the login form as a browser would: first the form (its cookie and token), then the post."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    data = {"username": user, "password": password, "csrf_token": csrf_token_in(page.text), "next": next_url}
    return client.post("/login", data=data)


@dataclass
class Site:
    """A live server: its base URL, its store, and the clients a test opened on it."""

    url: str
    store: Store
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        opened = httpx.Client(base_url=self.url, timeout=120)
        self.clients.append(opened)
        return opened

    def logged_in(self, user: str) -> httpx.Client:
        client = self.client()
        response = log_in(client, user)
        assert response.status_code == 303, response.text
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()


@contextmanager
def serving(settings: Settings, store: Store) -> Iterator[Site]:
    """The application on a live server, as a ``Site`` whose clients are closed afterwards."""
    with live_server(settings, store) as url:
        site = Site(url, store)
        try:
            yield site
        finally:
            site.close()


def post_form(
    client: httpx.Client, path: str, data: dict[str, Any], page: str = "/", **kwargs: Any
) -> httpx.Response:
    """Post a form with the token of ``page`` (the session's token: any page of it carries the same)."""
    token = csrf_token_in(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def web_routes() -> Iterator[APIRoute]:
    """Every route of the web UI, through the routers that include each other."""
    from liaison import web

    def walk(router: Any) -> Iterator[APIRoute]:
        for route in router.routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router)
            elif isinstance(route, APIRoute):
                yield route

    yield from walk(web.router)


def example_path(route: APIRoute) -> str:
    """The route's path with every parameter filled in."""
    return re.sub(r"\{[^}]+\}", "x", route.path)
