"""The store behind the report, entity and event page tests (log in with ``tests.web.browsing``).

The readable-store scenario (``tests.store.test_readable``: Alpha home, Bravo a GREEN partner, Charlie an
AMBER partner limited to cybercrime, a RED report for Bravo only, a STRICT one for Alpha only) plus a
CLEAR "hostile" report whose names are HTML and script, with a time expression and an event trigger.
Users: ann (Alpha analyst), rob (Alpha reader), bob (Bravo), cat (Charlie).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

import httpx

from liaison.domain import TLP, AccountRole, Extraction, Time, TimeType
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save
from tests.store.test_readable import Scenario, build_scenario
from tests.web.browsing import add_users, log_in

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
UNKNOWN = "00000000-0000-0000-0000-000000000000"
USERS = {
    "ann": ("Alpha", AccountRole.ANALYST),
    "rob": ("Alpha", AccountRole.READER),
    "bob": ("Bravo", AccountRole.PARTNER),
    "cat": ("Charlie", AccountRole.PARTNER),
}


@dataclass(frozen=True)
class World:
    scenario: Scenario
    hostile: Extraction

    def report(self, tag: str) -> str:
        return self.hostile.report.id if tag == "hostile" else self.scenario.report(tag)


def hostile_extraction() -> Extraction:
    """A CLEAR report whose person and organisation are named with HTML and script, and that ends with
    more of it outside any name; "Tuesday" is read as a time expression and "arrested" as the trigger of
    its arrest; its date was read from its text."""
    extraction = report_extraction("hostile", TLP.CLEAR, person=IMAGE, organization=SCRIPT, country="France")
    text = f"{extraction.report.text} {SCRIPT} {IMAGE}"
    extraction = replace(extraction, report=replace(extraction.report, text=text, published_inferred=True))
    day = text.index("Tuesday")
    verb = text.index("arrested")
    arrest = replace(extraction.events[0], triggers=((verb, verb + len("arrested")),))
    tuesday = Time(day, day + len("Tuesday"), "Tuesday", TimeType.DATE, "2024-02-20", "day")
    return replace(extraction, events=(arrest,), times=(tuesday,))


def build_world(store: Store, settings: Settings) -> World:
    scenario = build_scenario(store, settings)
    hostile = hostile_extraction()
    save(store, hostile)
    publish(store, settings, now=FIXED_TIME)
    add_users(store, USERS)
    return World(scenario, hostile)


@dataclass
class Site:
    base_url: str
    world: World
    store: Store
    clients: dict[str, httpx.Client]

    def client(self, user: str) -> httpx.Client:
        if user not in self.clients:
            client = httpx.Client(base_url=self.base_url, timeout=60)
            assert log_in(client, user).status_code == 303
            self.clients[user] = client
        return self.clients[user]

    def get(self, user: str, path: str, status: int = 200) -> str:
        response = self.client(user).get(path)
        assert response.status_code == status, (user, path, response.status_code, response.text[-800:])
        return response.text


@contextmanager
def serving_world(settings: Settings, store: Store | None = None) -> Iterator[Site]:
    """``build_world`` in the store (opened from ``settings`` when not given) behind a live server."""
    opened = store if store is not None else Store.open(settings, clock=lambda: FIXED_TIME)
    try:
        world = build_world(opened, settings)
        with live_server(settings, opened) as base_url:
            site = Site(base_url, world, opened, {})
            try:
                yield site
            finally:
                for client in site.clients.values():
                    client.close()
    finally:
        if store is None:
            opened.close()


def sqlite_settings_in(directory: Path) -> Settings:
    """Settings of a SQLite store in ``directory``: for a module's site, built once (page tests read
    through store methods that the store tests run on SQLite and PostgreSQL alike)."""
    return Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory / "data")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_inert(html: str) -> None:
    """No markup from a report: every script is ours (a file or a JSON block), no handler, no style."""
    assert SCRIPT not in html and IMAGE not in html
    for tag, attributes in tags_of(html):
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert "style" not in attributes, (tag, attributes)
        assert tag != "img", attributes
        if tag == "script":
            assert attributes.get("type") == "application/json" or (attributes.get("src") or "").startswith(
                "/static/"
            ), attributes
