"""A partner guessing the IDs of what it may not read: every answer about a withheld report, entity, event
or STIX object — through REST, TAXII and the web pages — is byte for byte the answer about an ID that
does not exist. Scenario: ``tests.store.test_readable`` (Alpha home; Bravo a GREEN partner)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.security.common import TAXII, Server, add_accounts, serving
from tests.store.test_readable import Scenario, build_scenario
from tests.web.browsing import log_in

_SHIFT = str.maketrans("0123456789abcdef", "123456789abcdef0")


def unknown_like(identifier: str) -> str:
    """An ID of the same shape that names nothing (every hex digit shifted by one)."""
    if "--" in identifier:
        kind, _, rest = identifier.partition("--")
        return f"{kind}--{rest.translate(_SHIFT)}"
    return identifier.translate(_SHIFT)


@pytest.fixture
def world(settings: Settings, store: Store) -> Iterator[tuple[Server, Scenario]]:
    scenario = build_scenario(store, settings)
    tokens = add_accounts(
        store, {"ann": ("Alpha", AccountRole.ANALYST), "bob": ("Bravo", AccountRole.PARTNER)}
    )
    with serving(settings, store, tokens) as server:
        yield server, scenario


def _ids(client: httpx.Client, headers: dict[str, str], path: str) -> set[str]:
    response = client.get(path, headers=headers, params={"limit": 500})
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def _same(first: httpx.Response, second: httpx.Response, first_id: str, second_id: str) -> None:
    assert first.status_code == second.status_code, (first.url, first.status_code, second.status_code)
    assert first.status_code in (303, 404), (first.url, first.status_code)
    assert first.text.replace(first_id, "ID") == second.text.replace(second_id, "ID"), first.url
    assert first.headers.get("location", "").replace(first_id, "ID") == second.headers.get(
        "location", ""
    ).replace(second_id, "ID")


def _withheld(server: Server, kind: str) -> set[str]:
    client = server.client()
    hidden = _ids(client, server.bearer("ann"), f"/api/{kind}") - _ids(
        client, server.bearer("bob"), f"/api/{kind}"
    )
    assert hidden, f"the scenario withholds no {kind} from Bravo"
    return hidden


def test_rest_and_web_answer_withheld_ids_as_unknown_ones(world: tuple[Server, Scenario]) -> None:
    server, scenario = world
    withheld = {kind: _withheld(server, kind) for kind in ("reports", "entities", "events")}
    assert (
        scenario.report("strict") in withheld["reports"] and scenario.report("amber") in withheld["reports"]
    )
    api = server.client()
    web = server.client()
    assert log_in(web, "bob").status_code == 303
    for kind, identifiers in withheld.items():
        for identifier in identifiers:
            fake = unknown_like(identifier)
            for client, headers in ((api, server.bearer("bob")), (web, {})):
                hidden = client.get(f"/{'api/' if headers else ''}{kind}/{identifier}", headers=headers)
                absent = client.get(f"/{'api/' if headers else ''}{kind}/{fake}", headers=headers)
                _same(hidden, absent, identifier, fake)
    # Can fail: the home analyst reads the same IDs.
    for kind, identifiers in withheld.items():
        for identifier in identifiers:
            assert api.get(f"/api/{kind}/{identifier}", headers=server.bearer("ann")).status_code == 200


def _stix_ids(client: httpx.Client, headers: dict[str, str], collection: str) -> set[str]:
    path = f"/taxii2/api/collections/{collection}/manifest/"
    response = client.get(path, headers={**headers, "Accept": TAXII})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return {entry["id"] for entry in body.get("objects", [])}


def test_taxii_answers_withheld_objects_and_collections_as_unknown_ones(
    world: tuple[Server, Scenario],
) -> None:
    server, scenario = world
    client = server.client()
    bob = {**server.bearer("bob"), "Accept": TAXII}
    alpha, bravo = scenario.collections["Alpha"], scenario.collections["Bravo"]
    withheld = _stix_ids(client, server.bearer("ann"), alpha) - _stix_ids(client, server.bearer("bob"), bravo)
    assert any(i.startswith("report--") for i in withheld)
    for identifier in withheld:
        fake = unknown_like(identifier)
        for rest in ("", "versions/"):
            base = f"/taxii2/api/collections/{bravo}/objects/"
            hidden = client.get(f"{base}{identifier}/{rest}", headers=bob)
            absent = client.get(f"{base}{fake}/{rest}", headers=bob)
            _same(hidden, absent, identifier, fake)
        filtered = client.get(
            f"/taxii2/api/collections/{bravo}/objects/", headers=bob, params={"match[id]": identifier}
        )
        nothing = client.get(
            f"/taxii2/api/collections/{bravo}/objects/", headers=bob, params={"match[id]": fake}
        )
        assert filtered.status_code == nothing.status_code and filtered.json() == nothing.json()
    # Another organisation's collection, guessed, is a collection that does not exist.
    fake_collection = unknown_like(alpha)
    for rest in ("", "objects/", "manifest/", f"objects/{next(iter(withheld))}/"):
        hidden = client.get(f"/taxii2/api/collections/{alpha}/{rest}", headers=bob)
        absent = client.get(f"/taxii2/api/collections/{fake_collection}/{rest}", headers=bob)
        _same(hidden, absent, alpha, fake_collection)
    listed = client.get("/taxii2/api/collections/", headers=bob).json()
    assert [c["id"] for c in listed["collections"]] == [bravo]
