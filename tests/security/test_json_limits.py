"""Deeply nested JSON sent to every route that reads a JSON body: refused with a 4xx that says why, never a
server error, never a hang, and nothing stored. The routes: POST /api/reports (a JSON report, and a JSONL
file uploaded to it) and TAXII's POST .../objects/ (an envelope). Depths go from just past what a legitimate
body has to far past Python's recursion limit, and the nesting sits in each place a parser reaches: an
unknown field, a known one, a STIX object's property, a custom property."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from liaison.domain import TLP, AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.security.common import TAXII, Server, add_accounts, serving

DEPTHS = (101, 300, 1_000, 5_000, 50_000)
IDENTITY = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--0b5b5c1a-3b2f-4a61-9d8e-2f7f3c8e9a10",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "name": "Partner desk",
    "identity_class": "organization",
}


def nested(depth: int, opening: str = "[") -> str:
    """``depth`` arrays (or objects) one inside the other, as JSON text."""
    if opening == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def with_nesting(template: dict[str, Any], key: str, depth: int, opening: str = "[") -> str:
    """``template`` as JSON with ``nested(depth)`` at ``key`` (a path of keys joined by dots)."""
    marker = "__NESTED__"
    document = json.loads(json.dumps(template))
    *parents, last = key.split(".")
    place = document
    for parent in parents:
        place = place[int(parent)] if isinstance(place, list) else place[parent]
    place[last] = marker
    return json.dumps(document).replace(json.dumps(marker), nested(depth, opening))


@pytest.fixture
def server(sqlite_settings: Settings) -> Iterator[Server]:
    settings = replace(sqlite_settings, max_report_bytes=400_000, max_bundle_bytes=400_000)
    store = Store.open(settings, clock=lambda: FIXED_TIME)
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    store.set_agreement("Bravo", TLP.GREEN, can_write=True)
    tokens = add_accounts(
        store, {"ann": ("Alpha", AccountRole.ANALYST), "bob": ("Bravo", AccountRole.PARTNER)}
    )
    with serving(settings, store, tokens) as running:
        yield running
    store.close()


def _assert_refused(response: httpx.Response, words: tuple[str, ...]) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    body = response.json()
    message = str(body.get("detail") or body.get("description"))
    assert any(word in message.lower() for word in words), message
    return message


def _nothing_stored(server: Server) -> None:
    assert server.store.current_stix_objects(None) == [] or all(
        "Partner desk" not in row.json for row in server.store.current_stix_objects(None)
    )


def test_a_deeply_nested_json_report_is_refused_with_a_reason(server: Server) -> None:
    client = server.client()
    headers = {**server.bearer("ann"), "Content-Type": "application/json"}
    report = {"text": "Police arrested two men.", "tlp": "clear", "title": "t"}
    for depth in DEPTHS:
        for key in ("extra", "title", "text", "recipients"):
            for opening in "[{":
                body = with_nesting(report, key, depth, opening)
                response = client.post("/api/reports", content=body.encode(), headers=headers)
                _assert_refused(response, ("nested too deeply",))
    assert (
        server.store.readable_counts(
            server.store.collection_for(server.store.organization("Alpha").id).id
        ).reports
        == 0
    )


def test_a_deeply_nested_jsonl_upload_is_refused_with_a_reason(server: Server) -> None:
    client = server.client()
    for depth in DEPTHS:
        line = with_nesting({"text": "Police arrested two men.", "title": "t"}, "title", depth)
        files = {"file": ("reports.jsonl", line.encode() + b"\n")}
        response = client.post(
            "/api/reports", files=files, data={"tlp": "clear"}, headers=server.bearer("ann")
        )
        # The file is read as `liaison ingest` reads one: each line refused, with the reason.
        assert response.status_code == 422, (depth, response.status_code, response.text[:300])
        (failure,) = response.json()["failures"]
        assert "nested deeper" in failure["message"], failure


@pytest.mark.parametrize("user", ["ann", "bob"])
def test_a_deeply_nested_taxii_envelope_is_refused_with_a_taxii_error(server: Server, user: str) -> None:
    client = server.client()
    collection = server.store.collection_for(
        server.store.organization("Alpha" if user == "ann" else "Bravo").id
    )
    path = f"/taxii2/api/collections/{collection.id}/objects/"
    headers = {**server.bearer(user), "Content-Type": TAXII, "Accept": TAXII}
    envelope = {"objects": [IDENTITY]}
    for depth in DEPTHS:
        for key in (
            "objects.0.x_custom",
            "objects.0.name",
            "objects.0.external_references",
            "more",
            "objects",
        ):
            for opening in "[{":
                body = with_nesting(envelope, key, depth, opening)
                response = client.post(path, content=body.encode(), headers=headers)
                assert response.headers["content-type"] == TAXII, response.text[:300]
                assert response.json()["http_status"] == str(response.status_code)
                _assert_refused(response, ("nested too deeply",))
    _nothing_stored(server)
