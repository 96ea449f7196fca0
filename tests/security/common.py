"""What the security tests share: a live server with two organisations, users, tokens, and clients that
connect from a chosen loopback address (Linux routes all of 127.0.0.0/8 to the loopback interface, so a
test can be "another client" without leaving the machine)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from liaison.accounts import create_token, hash_password
from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.live_server import live_server

PASSWORD = "correct horse battery staple"
TAXII = "application/taxii+json;version=2.1"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Server:
    url: str
    store: Store
    tokens: dict[str, str]  # user -> token secret
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self, address: str = "127.0.0.1") -> httpx.Client:
        """A client whose requests come from ``address`` (a loopback address)."""
        transport = httpx.HTTPTransport(local_address=address)
        opened = httpx.Client(base_url=self.url, transport=transport, timeout=60)
        self.opened.append(opened)
        return opened

    def bearer(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def add_accounts(store: Store, users: dict[str, tuple[str, AccountRole]]) -> dict[str, str]:
    """Users (all with ``PASSWORD``) and one API token each."""
    hashed = hash_password(PASSWORD)
    tokens = {}
    for name, (organization, role) in users.items():
        store.add_user(name, organization, role, hashed)
        tokens[name], _ = create_token(store, name)
    return tokens


@contextmanager
def serving(settings: Settings, store: Store, tokens: dict[str, str]) -> Iterator[Server]:
    with live_server(settings, store) as url:
        server = Server(url, store, tokens)
        try:
            yield server
        finally:
            for client in server.opened:
                client.close()
