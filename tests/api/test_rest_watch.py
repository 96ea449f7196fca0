"""Watches and alerts over the REST API: each caller manages and reads only its own, under handling rules.

The scenario: Alpha is home, Bravo a GREEN partner. Users: ann and ada (Alpha analyst and admin), bob
(Bravo). A CLEAR report names Vera Watched; after the users watch her, a GREEN and an AMBER report naming
her arrive (``arrive``): ann is alerted about both, bob about the GREEN one only.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from liaison import watching
from liaison.accounts import create_token, hash_password
from liaison.api.app import create_app
from liaison.domain import TLP, AccountRole, Extraction
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save

PASSWORD = "correct horse battery staple"
WATCHED = "Vera Watched"
USERS = {
    "ann": ("Alpha", AccountRole.ANALYST),
    "ada": ("Alpha", AccountRole.ADMIN),
    "bob": ("Bravo", AccountRole.PARTNER),
}


def extraction(tag: str, tlp: TLP, person: str = WATCHED) -> Extraction:
    name = tag.capitalize()
    return report_extraction(
        tag, tlp, person=person, organization=f"{name} Agency", country="France", group=f"{name} Gang"
    )


def build_watch_world(store: Store, settings: Settings) -> str:
    """Organisations, users and the CLEAR report that makes Vera Watched known; its report ID."""
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    store.set_agreement("Bravo", TLP.GREEN)
    hashed = hash_password(PASSWORD)
    for name, (organization, role) in USERS.items():
        store.add_user(name, organization, role, hashed)
    seed = extraction("seed", TLP.CLEAR)
    save(store, seed)
    publish(store, settings, now=FIXED_TIME)
    return seed.report.id


def arrive(store: Store, settings: Settings, *extractions: Extraction) -> list[str]:
    """New reports stored and published, then matched against the watches, as ingestion does."""
    for item in extractions:
        save(store, item)
    publish(store, settings)
    report_ids = [item.report.id for item in extractions]
    watching.check_new_reports(store, settings, report_ids)
    return report_ids


@dataclass
class Api:
    client: TestClient
    store: Store
    settings: Settings
    headers: dict[str, dict[str, str]]

    def call(self, method: str, user: str, path: str, expected: int = 200, **kwargs: object) -> object:
        response = self.client.request(method, path, headers=self.headers[user], **kwargs)  # type: ignore[arg-type]
        assert response.status_code == expected, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def watch(
        self, user: str, kind: str = "entity", value: str = WATCHED, **extra: object
    ) -> dict[str, object]:
        created = self.call("POST", user, "/api/watches", 201, json={"kind": kind, "value": value, **extra})
        assert isinstance(created, dict)
        return created

    def alerts(self, user: str, **params: object) -> dict[str, object]:
        page = self.call("GET", user, "/api/alerts", params=params)
        assert isinstance(page, dict)
        return page


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    settings = replace(settings, webhook_allow_private=True)
    build_watch_world(store, settings)
    headers = {}
    for name in USERS:
        token, _ = create_token(store, name)
        headers[name] = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, store)) as client:
        yield Api(client, store, settings, headers)


def _items(page: object) -> list[dict[str, object]]:
    assert isinstance(page, dict)
    items = page["items"]
    assert isinstance(items, list)
    return items


def test_every_route_asks_who_is_calling(api: Api) -> None:
    for method, path in (
        ("GET", "/api/watches"),
        ("POST", "/api/watches"),
        ("DELETE", "/api/watches/x"),
        ("GET", "/api/alerts"),
        ("POST", "/api/alerts/x/read"),
        ("POST", "/api/alerts/read-all"),
    ):
        response = api.client.request(method, path, json={"kind": "entity", "value": WATCHED})
        assert response.status_code == 401, (method, path)
        assert "WWW-Authenticate" in response.headers


def test_a_watch_is_listed_for_its_user_alone(api: Api) -> None:
    created = api.watch("ann", min_tlp="green")
    watch = created["watch"]
    assert isinstance(watch, dict)
    assert watch["kind"] == "entity" and watch["min_tlp"] == "green"
    assert WATCHED in str(watch["label"])
    assert created["webhook_secret"] is None
    assert [w["id"] for w in _items(api.call("GET", "ann", "/api/watches"))] == [watch["id"]]
    assert _items(api.call("GET", "ada", "/api/watches")) == []
    assert _items(api.call("GET", "bob", "/api/watches")) == []


def test_another_users_watch_cannot_be_removed_and_answers_like_an_unknown_one(api: Api) -> None:
    watch_id = api.watch("ann")["watch"]["id"]  # type: ignore[index]
    unknown = api.call("DELETE", "ada", "/api/watches/no-such-watch", 404)
    others = api.call("DELETE", "ada", f"/api/watches/{watch_id}", 404)
    assert others == unknown == {"detail": "not found"}
    assert len(_items(api.call("GET", "ann", "/api/watches"))) == 1
    api.call("DELETE", "ann", f"/api/watches/{watch_id}", 204)
    assert _items(api.call("GET", "ann", "/api/watches")) == []
    api.call("DELETE", "ann", f"/api/watches/{watch_id}", 404)


def test_what_cannot_be_watched_is_refused_with_the_reason(api: Api) -> None:
    for body in (
        {"kind": "entity", "value": "Nobody Of That Name"},
        {"kind": "topic", "value": "no-such-topic-at-all"},
        {"kind": "entity", "value": WATCHED, "min_tlp": "purple"},
    ):
        response = api.client.post("/api/watches", json=body, headers=api.headers["ann"])
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"]
    response = api.client.post(
        "/api/watches", json={"kind": "mood", "value": "x"}, headers=api.headers["ann"]
    )
    assert response.status_code == 422
    assert _items(api.call("GET", "ann", "/api/watches")) == []


def test_a_webhook_secret_is_shown_once_when_the_watch_is_created(api: Api) -> None:
    created = api.watch("ann", webhook_url="http://127.0.0.1:9/hook")
    secret = created["webhook_secret"]
    assert isinstance(secret, str) and len(secret) >= 16
    listed = api.call("GET", "ann", "/api/watches")
    assert secret not in str(listed)
    assert _items(listed)[0]["webhook_url"] == "http://127.0.0.1:9/hook"


def test_alerts_follow_the_handling_rules_of_each_users_organisation(api: Api) -> None:
    api.watch("ann")
    api.watch("bob")
    green, amber = arrive(
        api.store, api.settings, extraction("green", TLP.GREEN), extraction("amber", TLP.AMBER)
    )
    ann = api.alerts("ann")
    assert {a["report_id"] for a in _items(ann)} == {green, amber}
    assert ann["unread"] == 2
    bob = api.alerts("bob")
    assert [a["report_id"] for a in _items(bob)] == [green]
    assert bob["unread"] == 1
    assert amber not in str(bob) and "Report amber" not in str(bob)
    assert api.alerts("ada") == {"unread": 0, "limit": 100, "offset": 0, "items": []}
    alert = _items(bob)[0]
    assert alert["tlp"] == "green" and alert["report_title"] == "Report green" and alert["read"] is False
    assert alert["reason"]
    matches = alert["matches"]
    assert isinstance(matches, list) and matches
    assert all(m["report_id"] == green for m in matches)


def test_alerts_are_marked_read_one_by_one_or_all_at_once_by_their_user_only(api: Api) -> None:
    api.watch("ann")
    api.watch("ada")
    arrive(api.store, api.settings, extraction("green", TLP.GREEN), extraction("amber", TLP.AMBER))
    first, second = (a["id"] for a in _items(api.alerts("ann")))
    theirs = _items(api.alerts("ada"))[0]["id"]
    assert api.call("POST", "ann", f"/api/alerts/{theirs}/read", 404) == {"detail": "not found"}
    api.call("POST", "ann", "/api/alerts/no-such-alert/read", 404)
    assert api.alerts("ada")["unread"] == 2

    assert api.call("POST", "ann", f"/api/alerts/{first}/read") == {"changed": 1}
    assert api.call("POST", "ann", f"/api/alerts/{first}/read") == {"changed": 0}
    unread = api.alerts("ann", unread="true")
    assert [a["id"] for a in _items(unread)] == [second]
    assert unread["unread"] == 1
    assert len(_items(api.alerts("ann"))) == 2

    assert api.call("POST", "ann", "/api/alerts/read-all") == {"changed": 1}
    assert api.alerts("ann", unread="true")["items"] == []
    assert all(a["read"] for a in _items(api.alerts("ann")))
    assert api.alerts("ada")["unread"] == 2


def test_an_alert_whose_report_is_no_longer_readable_is_not_listed(api: Api) -> None:
    api.watch("bob")
    (green,) = arrive(api.store, api.settings, extraction("green", TLP.GREEN))
    assert [a["report_id"] for a in _items(api.alerts("bob"))] == [green]
    api.store.remove_agreement("Bravo")  # Bravo now reads CLEAR only
    publish(api.store, api.settings)
    assert _items(api.alerts("bob")) == []


def test_the_routes_are_in_the_api_schema(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/watches"])
    assert "delete" in paths["/api/watches/{watch_id}"]
    assert "get" in paths["/api/alerts"]
    assert "post" in paths["/api/alerts/{alert_id}/read"]
    assert "post" in paths["/api/alerts/read-all"]


def test_a_nul_character_is_refused_not_a_server_error(api: Api) -> None:
    # PostgreSQL text cannot hold NUL: it must never reach the store.
    assert api.call("DELETE", "ann", "/api/watches/a%00b", 404) == {"detail": "not found"}
    assert api.call("POST", "ann", "/api/alerts/a%00b/read", 404) == {"detail": "not found"}
    for body in (
        {"kind": "entity", "value": "Vera\x00Watched"},
        {"kind": "query", "value": "a", "email": "\x00"},
    ):
        response = api.client.post("/api/watches", json=body, headers=api.headers["ann"])
        assert response.status_code == 422, (body, response.text)


def test_a_partner_cannot_watch_or_learn_of_an_entity_it_may_not_read(api: Api) -> None:
    arrive(api.store, api.settings, extraction("amber", TLP.AMBER, person="Hidden Person"))
    api.watch("ann", value="Hidden Person")  # the home organisation reads the AMBER report

    def refusal(name: str) -> str:
        response = api.client.post(
            "/api/watches", json={"kind": "entity", "value": name}, headers=api.headers["bob"]
        )
        assert response.status_code == 422, response.text
        return str(response.json()["detail"]).replace(name, "NAME")

    assert refusal("Hidden Person") == refusal("Unknown Person")
    assert _items(api.call("GET", "bob", "/api/watches")) == []
