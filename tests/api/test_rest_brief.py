"""``GET /api/brief``: the caller's organisation's brief, its own strict policy, PDF as an attachment, and
a subject the caller may not brief on answered exactly as an unknown one."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from liaison.accounts import create_token, hash_password
from liaison.api.app import create_app
from liaison.api.rest_brief import BRIEF_CSP
from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.briefing.world import (
    AMBER_MARKERS,
    GREEN_ORG,
    GREEN_PARTNER,
    HOME,
    PERSON,
    RED_MARKERS,
    BriefWorld,
    build_world,
)

USERS = {"hana": (HOME, AccountRole.ANALYST), "gus": (GREEN_PARTNER, AccountRole.PARTNER)}


@dataclass
class BriefApi:
    client: TestClient
    world: BriefWorld
    headers: dict[str, dict[str, str]]

    def get(self, user: str | None, **params: str) -> httpx.Response:
        return self.client.get("/api/brief", params=params, headers=self.headers.get(user or "", {}))


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[BriefApi]:
    world = build_world(store, settings)
    hashed = hash_password("correct horse battery staple")
    headers = {}
    for name, (organisation, role) in USERS.items():
        store.add_user(name, organisation, role, hashed)
        token, _ = create_token(store, name)
        headers[name] = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, store)) as client:
        yield BriefApi(client, world, headers)


def test_brief_needs_credentials(api: BriefApi) -> None:
    response = api.get(None, entity=PERSON)
    assert response.status_code == 401


def test_html_brief_with_its_own_policy(api: BriefApi) -> None:
    response = api.get("hana", entity=PERSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == BRIEF_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    text = response.text
    assert "TLP:RED" in text and RED_MARKERS[0] in text and AMBER_MARKERS[0] in text


def test_pdf_brief_is_an_attachment(api: BriefApi) -> None:
    response = api.get("hana", entity=GREEN_ORG, format="pdf", tlp_max="green")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="brief-Harbour-Watch.pdf"'
    assert response.content.startswith(b"%PDF")


def test_withheld_subjects_answer_as_unknown_ones(api: BriefApi) -> None:
    unknown = api.get("hana", entity="Nobody Known")
    above_limit = api.get("hana", entity=AMBER_MARKERS[0], tlp_max="green")  # named only in AMBER
    not_readable = api.get("gus", entity=PERSON)
    for response in (unknown, above_limit, not_readable):
        assert response.status_code == 404
        assert response.json() == {"detail": "not found"}


def test_a_partner_brief_holds_only_its_collection(api: BriefApi) -> None:
    response = api.get("gus", topic="cybercrime")
    assert response.status_code == 200
    text = response.text
    assert GREEN_ORG in text and "TLP:GREEN" in text
    for marker in (*AMBER_MARKERS, *RED_MARKERS):
        assert marker not in text


@pytest.mark.parametrize(
    "params",
    [
        {"entity": PERSON, "topic": "cybercrime"},
        {},
        {"topic": "cybercrime", "tlp_max": "purple"},
        {"topic": "cybercrime", "from": "2024-03-01", "to": "2024-02-01"},
        {"topic": "cybercrime", "format": "docx"},
        {"topic": "cybercrime", "from": "yesterday"},
    ],
)
def test_bad_requests_are_refused(api: BriefApi, params: dict[str, str]) -> None:
    assert api.get("hana", **params).status_code == 422


def test_brief_is_documented(api: BriefApi) -> None:
    schema = api.client.get("/openapi.json").json()
    operation = schema["paths"]["/api/brief"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "entity",
        "topic",
        "place",
        "from",
        "to",
        "tlp_max",
        "format",
    }
    assert set(operation["responses"]["200"]["content"]) == {"text/html", "application/pdf"}
    assert "404" in operation["responses"]


def test_hostile_subjects_are_no_server_error_and_show_nothing_withheld(api: BriefApi) -> None:
    from tests.security.test_injection import PAYLOADS

    failures = []
    for payload in [*PAYLOADS, "cyber%", "cyber_rime", '"cybercrime"', "x" * 301]:
        for name in ("entity", "topic", "place"):
            response = api.get("gus", **{name: payload})
            if response.status_code not in (200, 400, 404, 422):
                failures.append((name, payload, response.status_code))
            elif response.status_code == 200 and any(
                m in response.text for m in (*AMBER_MARKERS, *RED_MARKERS)
            ):
                failures.append((name, payload, "withheld"))
    assert failures == []
    # wildcards match nothing: a topic is matched whole
    assert "Harbour Watch" not in api.get("gus", topic="cyber%").text
    assert "Harbour Watch" in api.get("gus", topic="cybercrime").text
