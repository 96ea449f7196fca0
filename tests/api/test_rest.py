"""The REST API: who may call it, and that every route shows a caller exactly what it may read.

The store's scenario (``tests.store.test_readable``): Alpha is home, Bravo a GREEN partner, Charlie an
AMBER partner limited to cybercrime. Users: ann (Alpha analyst), rob (Alpha reader), bob (Bravo), cat
(Charlie).
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette would rather drive its test client with httpx2; the httpx the project has works alike.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from liaison.accounts import create_token, hash_password
from liaison.api.app import create_app
from liaison.domain import TLP, AccountRole
from liaison.settings import Settings
from liaison.share.markings import tlp_of
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.store.test_readable import Scenario, build_scenario, organization, person

PASSWORD = "correct horse battery staple"


@dataclass
class Api:
    client: TestClient
    store: Store
    scenario: Scenario
    tokens: dict[str, dict[str, str]]  # user -> Authorization header

    def get(self, user: str, path: str, **params: object) -> object:
        response = self.client.get(path, headers=self.tokens[user], params=params)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()


def _add_users(store: Store) -> dict[str, dict[str, str]]:
    users = {
        "ann": ("Alpha", AccountRole.ANALYST),
        "rob": ("Alpha", AccountRole.READER),
        "bob": ("Bravo", AccountRole.PARTNER),
        "cat": ("Charlie", AccountRole.PARTNER),
    }
    hashed = hash_password(PASSWORD)
    headers = {}
    for name, (org, role) in users.items():
        store.add_user(name, org, role, hashed)
        token, _ = create_token(store, name)
        headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    scenario = build_scenario(store, settings)
    tokens = _add_users(store)
    with TestClient(create_app(settings, store)) as client:
        yield Api(client, store, scenario, tokens)


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _tags(api: Api, report_ids: list[str]) -> set[str]:
    tags = {report_id: tag for tag, report_id in api.scenario.reports.items()}
    return {tags[i] for i in report_ids}


def test_every_route_needs_credentials(api: Api) -> None:
    paths = [
        "/api/me",
        "/api/stats",
        "/api/reports",
        f"/api/reports/{api.scenario.report('clear')}",
        "/api/reports/" + "0" * 36,
        "/api/entities",
        "/api/events",
        "/api/claims",
        "/api/search?q=ref",
        "/api/exports/stix",
    ]
    cheap = [{}, {"Authorization": "Bearer lsn_not-a-token"}, {"Authorization": "Token whatever"}]
    # A password check costs an Argon2 verification: two routes are enough for those.
    passwords = [_basic("bob", "not the password"), _basic("nobody", PASSWORD)]
    attempts = [(p, h) for p in paths for h in cheap] + [(p, h) for p in paths[2:4] for h in passwords]
    for path, headers in attempts:
        response = api.client.get(path, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert "Basic" in response.headers["www-authenticate"]
        assert response.json() == {"detail": "authentication required"}
    posted = api.client.post("/api/reports", json={"text": "x", "tlp": "clear"})
    assert posted.status_code == 401
    assert api.client.get("/api/me", headers=_basic("bob", PASSWORD)).json()["name"] == "bob"
    failed = [e for e in api.store.audit_entries() if e.action == "login.failed"]
    assert failed and {e.target for e in failed} <= set(p.split("?")[0] for p in paths)


def test_me_names_the_caller_and_what_it_reads(api: Api) -> None:
    bob = api.get("bob", "/api/me")
    assert bob == {
        "name": "bob",
        "organization": "Bravo",
        "home": False,
        "role": "partner",
        "can_write": False,
        "collection_id": api.scenario.collections["Bravo"],
        "tlp_levels": ["clear", "green"],
        "topics": [],
    }
    ann = api.get("ann", "/api/me")
    assert ann["can_write"] and ann["tlp_levels"] == ["clear", "green", "amber", "amber+strict"]
    assert api.get("cat", "/api/me")["topics"] == ["cybercrime"]
    assert api.get("rob", "/api/me")["can_write"] is False


def test_reports_list_and_detail(api: Api) -> None:
    page = api.get("bob", "/api/reports")
    assert page["total"] == 3 and _tags(api, [r["id"] for r in page["items"]]) == {"clear", "green", "red"}
    assert api.get("ann", "/api/reports", limit=2, offset=1)["total"] == 5
    assert len(api.get("ann", "/api/reports", limit=2, offset=4)["items"]) == 1
    assert api.get("ann", "/api/reports", tlp="amber strict")["total"] == 1  # '+' as a query string sends it
    assert api.get("ann", "/api/reports", topic="terrorism")["total"] == 1
    assert api.get("cat", "/api/reports", topic="terrorism")["total"] == 0
    assert api.get("ann", "/api/reports", since="2024-03-01")["total"] == 0
    assert api.client.get("/api/reports?tlp=purple", headers=api.tokens["ann"]).status_code == 422
    assert api.client.get("/api/reports?limit=0", headers=api.tokens["ann"]).status_code == 422
    green = api.get("bob", f"/api/reports/{api.scenario.report('green')}")
    assert "Shared Gang" in green["text"]
    assert green["report"]["tlp"] == "green" and green["report"]["published"] == "2024-02-20"
    assert green["report"]["published_inferred"] is False
    assert green["report"]["near_duplicate_of"] is None
    assert {e["name"] for e in green["entities"]} == {"Green Person", "Green Agency", "Greenland"}
    first = green["entities"][0]
    assert green["text"][first["start"] : first["end"]] == first["text"]
    assert [p["name"] for p in green["events"][0]["participants"]] == ["Green Agency"]
    assert green["claims"][0]["subject_id"] is None and green["roles"][0]["person"] == "Green Person"
    home = api.get("ann", f"/api/reports/{api.scenario.report('green')}")
    assert home["report"]["near_duplicate_of"] == api.scenario.report("amber")
    assert home["marking"] == {"tlp": "green", "recipients": []}
    red = api.get("bob", f"/api/reports/{api.scenario.report('red')}")
    assert red["marking"] == {"tlp": "red", "recipients": None}  # who else got it is not the partner's


def test_withheld_and_unknown_items_answer_alike(api: Api) -> None:
    unknown = "0" * 36
    withheld = {
        "reports": [api.scenario.report(t) for t in ("amber", "strict", "offtopic")],
        "entities": [organization("Shared Gang"), person("Clara Clear"), organization("Strict Agency")],
        "events": [],
    }
    clear_event = next(
        e["id"] for e in api.get("ann", "/api/events")["items"] if e["location"] == "Clearland"
    )
    withheld["events"].append(clear_event)  # the off-topic AMBER report tells it too
    for kind, ids in withheld.items():
        missing = api.client.get(f"/api/{kind}/{unknown}", headers=api.tokens["bob"])
        assert missing.status_code == 404 and missing.json() == {"detail": "not found"}
        for item in ids:
            hidden = api.client.get(f"/api/{kind}/{item}", headers=api.tokens["bob"])
            assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content), kind
            assert hidden.headers["content-type"] == missing.headers["content-type"]
            assert hidden.headers["content-length"] == missing.headers["content-length"]
            assert api.client.get(f"/api/{kind}/{item}", headers=api.tokens["ann"]).status_code == 200
    reads = [e for e in api.store.audit_entries(actor="bob") if e.action == "api.read"]
    assert f"/api/reports/{api.scenario.report('amber')}" in {e.target for e in reads}
    assert {"found": False} in [e.detail for e in reads]


def test_entities_events_claims_search_and_stats(api: Api) -> None:
    entities = api.get("bob", "/api/entities", limit=500)
    names = {e["name"] for e in entities["items"]}
    assert "Shared Gang" not in names and "Clara Clear" not in names and "Green Person" in names
    assert entities["total"] == len(names) == 10
    assert {e["name"] for e in api.get("ann", "/api/entities", type="person")["items"]} == {
        "Clara Clear",
        "Green Person",
        "Amber Person",
        "Strict Person",
    }
    assert [e["name"] for e in api.get("ann", "/api/entities", q="secret")["items"]] == ["Clara Clear"]
    assert api.get("cat", "/api/entities", q="secret")["total"] == 0
    clara = api.get("cat", f"/api/entities/{person('Clara Clear')}")
    assert clara["entity"]["mention_count"] == 1
    assert [a["alias"] for a in clara["aliases"]] == ["Clara Clear"]
    assert [r["organization"] for r in clara["roles"]] == ["Clear Agency"]
    assert clara["mentions"][0]["report_id"] == api.scenario.report("clear")
    assert "Clara the Secret" in api.get("ann", f"/api/entities/{person('Clara Clear')}")["entity"]["aliases"]
    events = api.get("cat", "/api/events")
    assert events["total"] == 3
    joined = next(e for e in events["items"] if e["location"] == "Clearland")
    assert joined["topics"] == ["cybercrime"] and joined["sources"] == 1
    assert joined["plover"] == "COERCE" and joined["cameo"] == "173" and joined["date"] == "2024-02-20"
    detail = api.get("cat", f"/api/events/{joined['id']}")
    assert [s["report_id"] for s in detail["sources"]] == [api.scenario.report("clear")]
    assert detail["sources"][0]["evidence"] == ["Clear Agency arrested Clear Gang members on Tuesday."]
    assert api.get("cat", "/api/events", entity=organization("Shared Gang"))["total"] == 2
    assert api.get("bob", "/api/events", entity=organization("Shared Gang"))["total"] == 0
    assert api.get("ann", "/api/events", type="COERCE", since="2024-02-01", until="2024-02-29")["total"] == 4
    claims = api.get("bob", "/api/claims")
    assert claims["total"] == 3 and {c["evidence"] for c in claims["items"]} == {"34 servers"}
    assert api.get("ann", "/api/claims", subject=organization("Shared Gang"))["total"] == 2
    assert api.get("bob", "/api/claims", subject=organization("Shared Gang"))["total"] == 0
    hits = api.get("bob", "/api/search", q="ref")["items"]
    assert _tags(api, [h["report_id"] for h in hits]) == {"clear", "green", "red"}
    assert api.get("bob", "/api/search", q="amber")["items"] == []
    assert api.get("ann", "/api/search", q="amber")["items"][0]["report_id"] == api.scenario.report("amber")
    for user in ("ann", "bob", "cat"):
        stats = api.get(user, "/api/stats")
        assert stats == {
            "reports": api.get(user, "/api/reports")["total"],
            "entities": api.get(user, "/api/entities")["total"],
            "events": api.get(user, "/api/events")["total"],
            "claims": api.get(user, "/api/claims")["total"],
        }


def test_stix_export_holds_what_the_caller_may_read(api: Api) -> None:
    bundle = api.get("bob", "/api/exports/stix")
    assert bundle["type"] == "bundle" and bundle["id"].startswith("bundle--")
    objects = bundle["objects"]
    assert {o["name"] for o in objects if o["type"] == "report"} == {
        "Report clear",
        "Report green",
        "Report red",
    }
    names = {o.get("name") for o in objects}
    assert "Shared Gang" not in names and "Amber Person" not in names and "Red Person" in names
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))  # current versions only
    clear_only = api.get("bob", "/api/exports/stix", tlp_max="clear")["objects"]
    assert {o["name"] for o in clear_only if o["type"] == "report"} == {"Report clear"}
    assert all((tlp_of(o) or TLP.CLEAR) is TLP.CLEAR for o in clear_only)
    home = api.get("ann", "/api/exports/stix")["objects"]
    assert "Report red" not in {o.get("name") for o in home}
    assert "Report strict" in {o.get("name") for o in home}
    exports = [e for e in api.store.audit_entries(actor="bob") if e.action == "api.export"]
    assert [e.detail["tlp_max"] for e in exports] == [None, "clear"]


def test_openapi_lists_the_routes(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/me",
        "/api/stats",
        "/api/search",
        "/api/reports",
        "/api/reports/{report_id}",
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/events",
        "/api/events/{event_id}",
        "/api/claims",
        "/api/exports/stix",
    ):
        assert "get" in paths[path], path
    assert "post" in paths["/api/reports"]
    assert set(paths["/api/reports"]["post"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    detail = paths["/api/reports/{report_id}"]["get"]["responses"]
    assert detail["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportDetailOut")
    assert "404" in detail
    page = api.client.get("/docs")
    assert page.status_code == 200
    # The documentation page loads nothing from another origin and runs no inline script.
    assert "http" not in page.text and "<script>" not in page.text
    assert "https:" not in page.headers["content-security-policy"]
    assert (
        "'unsafe-inline'" not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    for asset in ("/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css", "/docs/start.js"):
        assert asset in page.text
        assert api.client.get(asset).status_code == 200, asset
    assert api.client.get("/redoc").status_code == 404


# -- ingestion (SQLite only: the real pipeline runs) ---------------------------------------------


@pytest.fixture
def home_api(sqlite_settings: Settings) -> Iterator[Api]:
    settings = replace(sqlite_settings, max_report_bytes=4000)
    store = Store.open(settings, clock=lambda: FIXED_TIME)
    scenario = build_scenario(store, settings)
    tokens = _add_users(store)
    with TestClient(create_app(settings, store)) as client:
        yield Api(client, store, scenario, tokens)
    store.close()


def test_only_home_analysts_ingest_and_bad_requests_are_refused(home_api: Api) -> None:
    body = {"text": "Police in Lyon arrested two men on Monday.", "tlp": "clear"}
    for user in ("rob", "bob", "cat"):
        response = home_api.client.post("/api/reports", json=body, headers=home_api.tokens[user])
        assert response.status_code == 403, user
    ann = home_api.tokens["ann"]
    refused = {
        413: {"text": "x" * 5000, "tlp": "clear"},
        422: {"text": "Something.", "tlp": "green", "recipients": ["Bravo"]},
    }
    for code, given in refused.items():
        assert home_api.client.post("/api/reports", json=given, headers=ann).status_code == code
    for given in (
        {"text": "Something.", "tlp": "red", "recipients": ["Nobody Known"]},
        {"text": "Something.", "tlp": "purple"},
        {"text": "Something."},
        {"text": "Something.", "tlp": "clear", "unknown": 1},
    ):
        assert home_api.client.post("/api/reports", json=given, headers=ann).status_code == 422, given
    oversized = home_api.client.post(
        "/api/reports",
        content=b"{" + b" " * 80_000 + b"}",
        headers={**ann, "Content-Type": "application/json"},
    )
    assert oversized.status_code == 413
    assert home_api.client.post("/api/reports", content=b"text", headers=ann).status_code == 415
    upload = home_api.client.post(
        "/api/reports", files={"file": ("report.exe", b"MZ")}, data={"tlp": "clear"}, headers=ann
    )
    assert upload.status_code == 415
    assert home_api.store.readable_counts(home_api.scenario.collections["Alpha"]).reports == 5  # none stored
    actions = [(e.actor, e.detail) for e in home_api.store.audit_entries() if e.action == "api.ingest"]
    assert ("bob", {"refused": 403}) in actions and ("ann", {"refused": 413}) in actions


def test_an_analyst_ingests_json_and_a_file(home_api: Api) -> None:
    ann = home_api.tokens["ann"]
    body = {
        "text": "Police in Lyon arrested two members of the Vortex gang on Monday.",
        "title": "Arrests in Lyon",
        "published": "2024-03-04",
        "tlp": "green",
    }
    response = home_api.client.post("/api/reports", json=body, headers=ann)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["stored"] == 1 and result["failures"] == []
    (stored,) = result["reports"]
    assert stored["outcome"] == "stored"
    # Published at once: the GREEN partner reads it, with its metadata.
    seen = home_api.get("bob", f"/api/reports/{stored['id']}")
    assert seen["report"]["title"] == "Arrests in Lyon" and seen["report"]["published"] == "2024-03-04"
    assert seen["text"] == body["text"]
    again = home_api.client.post("/api/reports", json=body, headers=ann)
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    upload = home_api.client.post(
        "/api/reports",
        files={"file": ("brief.txt", b"Customs officers in Marseille seized 40 kilograms of cocaine.")},
        data={"tlp": "red", "recipients": ["Bravo"], "source": "Customs"},
        headers=ann,
    )
    assert upload.status_code == 201, upload.text
    red_id = upload.json()["reports"][0]["id"]
    red = home_api.get("bob", f"/api/reports/{red_id}")
    assert red["report"]["tlp"] == "red" and red["report"]["source"] == "Customs"
    assert home_api.client.get(f"/api/reports/{red_id}", headers=home_api.tokens["cat"]).status_code == 404
    assert home_api.client.get(f"/api/reports/{red_id}", headers=ann).status_code == 404  # not named
    entries = [e for e in home_api.store.audit_entries(actor="ann") if e.action == "api.ingest"]
    assert [e.detail["stored"] for e in entries] == [1, 0, 1]
    assert json.dumps(entries[-1].detail["reports"]) == json.dumps([red_id])
