"""TAXII 2.1 over HTTP: every endpoint, paging and filters, errors, writes, and the handling rules.

The server is the real one (uvicorn on loopback, ``tests.live_server``) over the ``store`` fixture, so
every test runs on SQLite and PostgreSQL. Two kinds of collections: ``published`` ones, made by
``liaison.publishing`` from hand-made reports at several TLP levels (who may read what), and a
``synthetic`` one, filled with object versions directly, so that paging and filters have exact answers.
"""

from __future__ import annotations

import http.client
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from liaison.accounts import create_token, hash_password
from liaison.domain import TLP, AccountRole
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.share.stix_json import version_key
from liaison.store import Store
from liaison.store.publication import ObjectFilter, PublishedObject
from tests.conftest import FIXED_TIME
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save

TAXII = "application/taxii+json;version=2.1"
PASSWORD = "correct horse battery staple"
MICROSECOND_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
V1, V2, V3 = "2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"


@dataclass
class Instance:
    """A running server, its store, and a bearer token per user."""

    url: str
    settings: Settings
    store: Store
    http: httpx.Client
    tokens: dict[str, str]

    def collection(self, organization: str) -> str:
        return self.store.collection_for(self.store.organization(organization).id).id

    def headers(self, user: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": TAXII}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return {**headers, **(extra or {})}

    def get(
        self, user: str | None, path: str, params: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers(user, headers))

    def post(self, user: str, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        sent = self.headers(user, {"Content-Type": TAXII, **(headers or {})})
        return self.http.post(path, content=content, headers=sent)


def collection_path(collection_id: str, rest: str = "") -> str:
    return f"/taxii2/api/collections/{collection_id}/{rest}"


@contextmanager
def serving(settings: Settings, store: Store, tokens: dict[str, str]) -> Iterator[Instance]:
    # A POST ingests through the store and republishes: seconds on a loaded CI machine, not five.
    with live_server(settings, store) as url, httpx.Client(base_url=url, timeout=60) as http:
        yield Instance(url, settings, store, http, tokens)


@contextmanager
def recorded_statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements the store runs meanwhile (the server runs in this process)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])  # (connection, cursor, statement, parameters, context, executemany)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def assert_taxii_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body: dict[str, Any] = response.json()
    assert body["http_status"] == str(status) and body["title"] and body["description"]
    return body


# --- published collections: four organisations' users over reports at every level ---


def _accounts(store: Store) -> dict[str, str]:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    store.set_agreement("Bravo", TLP.GREEN)
    store.add_organization("Charlie")
    store.set_agreement("Charlie", TLP.AMBER, can_write=True)
    store.add_user("ann", "Alpha", AccountRole.ANALYST, hash_password(PASSWORD))
    store.add_user("rita", "Alpha", AccountRole.READER, None)
    store.add_user("bob", "Bravo", AccountRole.PARTNER, None)
    store.add_user("carl", "Charlie", AccountRole.PARTNER, None)
    return {name: create_token(store, name)[0] for name in ("ann", "rita", "bob", "carl")}


@pytest.fixture
def published(settings: Settings, store: Store) -> Iterator[Instance]:
    tokens = _accounts(store)
    levels = {"clear": TLP.CLEAR, "green": TLP.GREEN, "amber": TLP.AMBER, "strict": TLP.AMBER_STRICT}
    for tag, level in levels.items():
        save(store, report_extraction(tag, level, person=f"Person {tag}", group=f"Group {tag}"))
    publish(store, settings, now=FIXED_TIME)
    with serving(settings, store, tokens) as instance:
        yield instance


def _report_id(instance: Instance, organization: str, name: str) -> str:
    rows = instance.store.collection_objects(
        instance.collection(organization), ObjectFilter(types=("report",)), limit=100
    )
    return next(row.stix_id for row in rows if json.loads(row.json)["name"] == name)


def _partner_identity(number: int, **changes: Any) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid5(uuid.NAMESPACE_URL, f'partner/{number}')}",
        "created": V1,
        "modified": V1,
        "name": f"Partner desk {number}",
        "identity_class": "organization",
        **changes,
    }


# --- a synthetic collection: object versions added directly, so every answer is exact ---


def synthetic_object(number: int, version: str) -> PublishedObject:
    kind = "identity" if number % 2 == 0 else "location"
    stix_id = f"{kind}--{uuid.uuid5(uuid.NAMESPACE_URL, f'synthetic/{number}')}"
    item = {"type": kind, "spec_version": "2.1", "id": stix_id, "created": V1, "modified": version}
    text = json.dumps(item, sort_keys=True, separators=(",", ":"))
    return PublishedObject(stix_id, version, version_key(version), kind, "2.1", text)


def _home_only(store: Store) -> dict[str, str]:
    store.add_organization("Alpha", home=True)
    store.add_user("ann", "Alpha", AccountRole.ANALYST, None)
    return {"ann": create_token(store, "ann")[0]}


@pytest.fixture
def synthetic(settings: Settings, store: Store) -> Iterator[Instance]:
    """30 objects (even numbers identities, odd ones locations) at V1; 0-4 later at V2; 0-1 at V3."""
    tokens = _home_only(store)
    home = store.collection_for(store.organization("Alpha").id).id
    for version, count in ((V1, 30), (V2, 5), (V3, 2)):
        store.apply_publication(home, [synthetic_object(n, version) for n in range(count)], [], {})
    with serving(settings, store, tokens) as instance:
        yield instance


@pytest.fixture
def large(settings: Settings, store: Store) -> Iterator[Instance]:
    """1,010 objects in the home collection."""
    tokens = _home_only(store)
    home = store.collection_for(store.organization("Alpha").id).id
    store.apply_publication(home, [synthetic_object(n, V1) for n in range(1010)], [], {})
    with serving(settings, store, tokens) as instance:
        yield instance


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json().get("objects", [])]


# --- discovery, API root, collections ---


def test_discovery_and_the_api_root(published: Instance) -> None:
    response = published.get("ann", "/taxii2/")
    assert response.status_code == 200 and response.headers["content-type"] == TAXII
    discovery = response.json()
    assert discovery["title"] and discovery["api_roots"] == ["/taxii2/api/"]
    assert discovery["default"] == "/taxii2/api/"
    root = published.get("bob", "/taxii2/api/").json()
    assert root["title"] and root["versions"] == [TAXII]
    assert root["max_content_length"] == published.settings.max_bundle_bytes


@pytest.mark.parametrize(
    ("user", "organization", "can_write"),
    [("ann", "Alpha", True), ("rita", "Alpha", False), ("bob", "Bravo", False), ("carl", "Charlie", True)],
)
def test_a_caller_sees_only_their_organisations_collection(
    published: Instance, user: str, organization: str, can_write: bool
) -> None:
    listing = published.get(user, "/taxii2/api/collections/")
    assert listing.status_code == 200 and listing.headers["content-type"] == TAXII
    (collection,) = listing.json()["collections"]
    assert collection["id"] == published.collection(organization)
    assert collection["can_read"] is True and collection["can_write"] is can_write
    assert collection["media_types"] == ["application/stix+json;version=2.1"]
    assert collection["title"]
    assert published.get(user, collection_path(collection["id"])).json() == collection


@pytest.mark.parametrize("rest", ["", "objects/", "manifest/", "objects/identity--x/", "objects/x/versions/"])
def test_another_organisations_collection_answers_like_an_unknown_one(published: Instance, rest: str) -> None:
    theirs = published.get("bob", collection_path(published.collection("Alpha"), rest))
    unknown = published.get("bob", collection_path(str(uuid.uuid4()), rest))
    assert_taxii_error(theirs, 404)
    assert (theirs.status_code, theirs.content, theirs.headers) == (
        unknown.status_code,
        unknown.content,
        unknown.headers,
    )


# --- withheld objects: exactly as if they did not exist ---


def test_a_withheld_object_answers_like_a_random_id(published: Instance) -> None:
    amber = _report_id(published, "Alpha", "Report amber")
    charlie = collection_path(published.collection("Charlie"), "objects/")
    assert _ids(published.get("carl", charlie, {"match[id]": amber})) == [amber]
    bravo = published.collection("Bravo")
    random_id = f"report--{uuid.uuid4()}"
    for rest in ("objects/{}/", "objects/{}/versions/"):
        with recorded_statements(published.store) as withheld_queries:
            withheld = published.get("bob", collection_path(bravo, rest.format(amber)))
        with recorded_statements(published.store) as random_queries:
            random = published.get("bob", collection_path(bravo, rest.format(random_id)))
        assert_taxii_error(withheld, 404)
        assert (withheld.status_code, withheld.content) == (random.status_code, random.content)
        assert withheld.headers == random.headers
        assert withheld_queries == random_queries  # the same statements: nothing to tell them apart
        audited = published.store.audit_entries()[-2:]
        assert [(e.actor, e.action, e.detail["count"]) for e in audited] == [("bob", "taxii.read", 0)] * 2
    for rest in ("objects/", "manifest/"):
        withheld = published.get("bob", collection_path(bravo, rest), {"match[id]": amber})
        random = published.get("bob", collection_path(bravo, rest), {"match[id]": random_id})
        assert withheld.status_code == random.status_code == 200
        assert withheld.json() == random.json() == {"more": False}
        assert "x-taxii-date-added-first" not in withheld.headers
    green = _report_id(published, "Alpha", "Report green")
    assert published.get("bob", collection_path(bravo, f"objects/{green}/")).status_code == 200


def test_each_collection_serves_what_its_organisation_may_read(published: Instance) -> None:
    def report_names(user: str, organization: str) -> set[str]:
        response = published.get(
            user, collection_path(published.collection(organization), "objects/"), {"match[type]": "report"}
        )
        return {item["name"] for item in response.json()["objects"]}

    assert report_names("bob", "Bravo") == {"Report clear", "Report green"}
    assert report_names("carl", "Charlie") == {"Report clear", "Report green", "Report amber"}
    assert report_names("rita", "Alpha") == {"Report clear", "Report green", "Report amber", "Report strict"}


# --- objects, paging, headers ---


def test_pages_follow_next_until_more_is_false(synthetic: Instance) -> None:
    objects = collection_path(synthetic.collection("Alpha"), "objects/")
    everything = _ids(synthetic.get("ann", objects, {"limit": 1000}))
    assert len(everything) == 30
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 7}
    while True:
        page = synthetic.get("ann", objects, params)
        body = page.json()
        manifest = synthetic.get("ann", collection_path(synthetic.collection("Alpha"), "manifest/"), params)
        dates = [record["date_added"] for record in manifest.json()["objects"]]
        assert [record["id"] for record in manifest.json()["objects"]] == _ids(page)
        assert (
            page.headers["X-TAXII-Date-Added-First"]
            == dates[0]
            == manifest.headers["X-TAXII-Date-Added-First"]
        )
        assert page.headers["X-TAXII-Date-Added-Last"] == dates[-1]
        assert MICROSECOND_TIMESTAMP.match(dates[0])
        seen.extend(_ids(page))
        if not body["more"]:
            assert "next" not in body and len(body["objects"]) == 2
            break
        assert len(body["objects"]) == 7 and body["next"]
        params = {"limit": 7, "next": body["next"]}
    assert seen == everything  # in the order added, none skipped, none repeated
    exactly = synthetic.get("ann", objects, {"limit": 30}).json()
    assert exactly["more"] is False and len(exactly["objects"]) == 30


def test_the_server_lowers_a_limit_over_its_maximum(large: Instance) -> None:
    objects = collection_path(large.collection("Alpha"), "objects/")
    first = large.get("ann", objects, {"limit": 5000}).json()
    assert len(first["objects"]) == 1000 and first["more"] is True
    rest = large.get("ann", objects, {"limit": 5000, "next": first["next"]}).json()
    assert len(rest["objects"]) == 10 and rest["more"] is False
    assert len(large.get("ann", objects).json()["objects"]) == 100  # the default page


def test_one_page_costs_the_same_few_queries_whatever_its_size(large: Instance) -> None:
    objects = collection_path(large.collection("Alpha"), "objects/")
    large.get("ann", objects, {"limit": 1})  # connections opened, dialect initialised
    counts = {}
    for limit in (10, 500):
        with recorded_statements(large.store) as statements:
            response = large.get("ann", objects, {"limit": limit})
        assert len(response.json()["objects"]) == limit
        counts[limit] = len(statements)
        assert sum("collection_objects" in statement for statement in statements) == 1  # the page
    # Authentication (token, collection, audience: 3), the page (1), the audit append (4).
    assert counts[10] == counts[500] <= 10, counts


def test_added_after_returns_what_was_added_later(synthetic: Instance) -> None:
    home = synthetic.collection("Alpha")
    every_version = synthetic.get("ann", collection_path(home, "manifest/"), {"match[version]": "all"})
    dates = [record["date_added"] for record in every_version.json()["objects"]]
    assert len(dates) == 37 and dates == sorted(dates) and len(set(dates)) == 37
    after_first_batch = dates[29]
    later = synthetic.get(
        "ann", collection_path(home, "objects/"), {"added_after": after_first_batch, "match[version]": "all"}
    )
    assert len(later.json()["objects"]) == 7
    assert later.headers["X-TAXII-Date-Added-First"] == dates[30] > after_first_batch
    current = synthetic.get("ann", collection_path(home, "objects/"), {"added_after": after_first_batch})
    assert {item["modified"] for item in current.json()["objects"]} == {V2, V3}
    assert len(current.json()["objects"]) == 5
    assert synthetic.get("ann", collection_path(home, "objects/"), {"added_after": dates[-1]}).json() == {
        "more": False
    }


def test_match_type_and_id(synthetic: Instance) -> None:
    objects = collection_path(synthetic.collection("Alpha"), "objects/")
    locations = synthetic.get("ann", objects, {"match[type]": "location"}).json()["objects"]
    assert len(locations) == 15 and {item["type"] for item in locations} == {"location"}
    assert len(_ids(synthetic.get("ann", objects, {"match[type]": "identity,location"}))) == 30
    assert _ids(synthetic.get("ann", objects, {"match[type]": "malware"})) == []
    wanted = [synthetic_object(3, V1).stix_id, synthetic_object(8, V1).stix_id]
    assert sorted(_ids(synthetic.get("ann", objects, {"match[id]": ",".join(wanted)}))) == sorted(wanted)
    repeated = synthetic.get("ann", objects, params=[("match[id]", wanted[0]), ("match[id]", wanted[1])])
    assert sorted(_ids(repeated)) == sorted(wanted)
    both = synthetic.get("ann", objects, {"match[id]": ",".join(wanted), "match[type]": "location"})
    assert _ids(both) == [wanted[0]]


def test_match_version(synthetic: Instance) -> None:
    home = synthetic.collection("Alpha")
    zero = synthetic_object(0, V1).stix_id

    def versions(params: dict[str, str], path: str = f"objects/{zero}/") -> list[str]:
        response = synthetic.get("ann", collection_path(home, path), params)
        assert response.status_code == 200, response.text
        return [item["modified"] for item in response.json()["objects"]]

    assert versions({}) == [V3]
    assert versions({"match[version]": "last"}) == [V3]
    assert versions({"match[version]": "first"}) == [V1]
    assert versions({"match[version]": "all"}) == [V1, V2, V3]
    assert versions({"match[version]": "first,last"}) == [V1, V3]
    assert versions({"match[version]": V2}) == [V2]
    assert versions({"match[version]": "2024-02-01T00:00:00Z"}) == [V2]  # another precision, same moment
    assert versions({"match[version]": f"{V1},last"}) == [V1, V3]
    assert len(versions({"match[version]": "all"}, "objects/")) == 37
    assert set(versions({"match[version]": "first"}, "objects/")) == {V1}
    assert len(versions({"match[version]": V2}, "objects/")) == 5
    manifest = synthetic.get("ann", collection_path(home, "manifest/"), {"match[version]": "all"})
    assert len(manifest.json()["objects"]) == 37


def test_match_spec_version(synthetic: Instance) -> None:
    objects = collection_path(synthetic.collection("Alpha"), "objects/")
    assert len(_ids(synthetic.get("ann", objects, {"match[spec_version]": "2.1"}))) == 30
    assert _ids(synthetic.get("ann", objects, {"match[spec_version]": "2.0"})) == []
    assert len(_ids(synthetic.get("ann", objects, {"match[spec_version]": "2.0,2.1"}))) == 30


def test_object_versions_are_listed_oldest_first_and_paged(synthetic: Instance) -> None:
    home = synthetic.collection("Alpha")
    zero = synthetic_object(0, V1).stix_id
    path = collection_path(home, f"objects/{zero}/versions/")
    whole = synthetic.get("ann", path)
    assert whole.status_code == 200 and whole.headers["content-type"] == TAXII
    assert whole.json() == {"more": False, "versions": [V1, V2, V3]}
    assert MICROSECOND_TIMESTAMP.match(whole.headers["X-TAXII-Date-Added-Last"])
    assert synthetic.get("ann", path, {"limit": 3}).json() == {"more": False, "versions": [V1, V2, V3]}
    first = synthetic.get("ann", path, {"limit": 2}).json()
    assert first["versions"] == [V1, V2] and first["more"] is True
    assert synthetic.get("ann", path, {"limit": 2, "next": first["next"]}).json() == {
        "more": False,
        "versions": [V3],
    }
    assert_taxii_error(
        synthetic.get("ann", collection_path(home, f"objects/identity--{uuid.uuid4()}/versions/")), 404
    )


def test_an_object_by_id_and_the_manifest(synthetic: Instance) -> None:
    home = synthetic.collection("Alpha")
    four = synthetic_object(4, V2)
    one = synthetic.get("ann", collection_path(home, f"objects/{four.stix_id}/"))
    assert one.status_code == 200 and one.headers["content-type"] == TAXII
    assert one.json() == {"more": False, "objects": [json.loads(four.json)]}
    assert one.headers["X-TAXII-Date-Added-First"] == one.headers["X-TAXII-Date-Added-Last"]
    assert_taxii_error(synthetic.get("ann", collection_path(home, f"objects/identity--{uuid.uuid4()}/")), 404)
    manifest = synthetic.get("ann", collection_path(home, "manifest/"), {"match[id]": four.stix_id})
    (record,) = manifest.json()["objects"]
    assert set(record) == {"id", "date_added", "version", "media_type"}
    assert (record["id"], record["version"]) == (four.stix_id, V2)
    assert record["media_type"] == "application/stix+json;version=2.1"
    assert record["date_added"] == manifest.headers["X-TAXII-Date-Added-Last"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "ten"},
        [("limit", "1"), ("limit", "2")],
        {"next": "somewhere"},
        {"next": "-5"},
        {"added_after": "yesterday"},
        {"added_after": "2024-01-01"},
        {"added_after": "2024-01-01T00:00:00"},
        {"added_after": "2024-13-01T00:00:00Z"},
        {"match[version]": "recent"},
    ],
)
def test_bad_parameters_are_refused(synthetic: Instance, params: Any) -> None:
    home = synthetic.collection("Alpha")
    for path in ("objects/", "manifest/", f"objects/{synthetic_object(0, V1).stix_id}/"):
        body = assert_taxii_error(synthetic.get("ann", collection_path(home, path), params), 400)
        assert body["title"] == "Bad Request"


# --- media types, authentication, and the rest of /taxii2 ---


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*/*",
        "application/taxii+json",
        TAXII,
        "application/taxii+json; version=2.1",
        "text/html, application/taxii+json;version=2.1;q=0.9",
    ],
)
def test_taxii_answers_are_accepted(synthetic: Instance, accept: str) -> None:
    response = synthetic.get("ann", "/taxii2/api/collections/", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"] == TAXII


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/taxii+json;version=2.0",
        "application/stix+json;version=2.1",
        "text/html",
    ],
)
def test_other_media_types_are_not_acceptable(synthetic: Instance, accept: str) -> None:
    home = synthetic.collection("Alpha")
    for path in ("/taxii2/", collection_path(home, "objects/")):
        assert_taxii_error(synthetic.get("ann", path, headers={"Accept": accept}), 406)


def test_authentication_basic_bearer_and_refusals(published: Instance) -> None:
    objects = collection_path(published.collection("Alpha"), "objects/")
    anonymous = published.get(None, objects)
    assert_taxii_error(anonymous, 401)
    assert "Basic" in anonymous.headers["www-authenticate"]
    assert_taxii_error(published.get(None, "/taxii2/"), 401)
    assert_taxii_error(published.get(None, "/taxii2/api/no-such-thing/"), 401)
    wrong_token = published.get(None, objects, headers={"Authorization": "Bearer lsn_not-a-token"})
    assert_taxii_error(wrong_token, 401)
    basic = published.http.get(objects, headers={"Accept": TAXII}, auth=("ann", PASSWORD))
    assert basic.status_code == 200 and basic.json()["objects"]
    wrong_password = published.http.get(objects, headers={"Accept": TAXII}, auth=("ann", "not the password"))
    assert_taxii_error(wrong_password, 401)
    assert published.get("ann", objects).json() == basic.json()


def test_the_rest_of_taxii2_answers_with_taxii_errors(synthetic: Instance) -> None:
    home = synthetic.collection("Alpha")
    assert_taxii_error(synthetic.get("ann", "/taxii2/api/no-such-thing/"), 404)
    deleted = synthetic.http.delete(
        collection_path(home, f"objects/{synthetic_object(0, V1).stix_id}/"), headers=synthetic.headers("ann")
    )
    assert_taxii_error(deleted, 405)
    assert deleted.headers["allow"] == "GET"
    unslashed = synthetic.get("ann", collection_path(home, "objects"))
    assert unslashed.status_code == 307
    assert unslashed.headers["location"].endswith(collection_path(home, "objects/"))


def test_reads_are_audited(synthetic: Instance) -> None:
    path = collection_path(synthetic.collection("Alpha"), "objects/")
    synthetic.get("ann", path, {"limit": 3, "match[type]": "location"})
    entry = synthetic.store.audit_entries()[-1]
    assert (entry.actor, entry.action, entry.target) == ("ann", "taxii.read", path)
    assert entry.detail == {"count": 3, "more": True, "limit": 3, "types": ["location"]}
    assert synthetic.store.verify_audit().ok


# --- adding objects ---


def test_a_partner_allowed_to_write_adds_objects_and_reads_their_status(published: Instance) -> None:
    charlie = published.collection("Charlie")
    objects = [_partner_identity(1), _partner_identity(2)]
    response = published.post("carl", collection_path(charlie, "objects/"), {"objects": objects})
    assert response.status_code == 202 and response.headers["content-type"] == TAXII
    status = response.json()
    assert status["status"] == "complete" and MICROSECOND_TIMESTAMP.match(status["request_timestamp"])
    assert (
        status["total_count"],
        status["success_count"],
        status["failure_count"],
        status["pending_count"],
    ) == (
        2,
        2,
        0,
        0,
    )
    assert status["successes"] == [{"id": o["id"], "version": V1} for o in objects]
    assert published.get("carl", f"/taxii2/api/status/{status['id']}/").json() == status
    # Someone else's status is no more there than a status that never existed.
    others = published.get("ann", f"/taxii2/api/status/{status['id']}/")
    unknown = published.get("ann", f"/taxii2/api/status/{uuid.uuid4()}/")
    assert_taxii_error(others, 404)
    assert others.content == unknown.content
    # Unmarked, the objects are TLP:CLEAR: published to every organisation.
    for user, organization in (("carl", "Charlie"), ("bob", "Bravo")):
        got = published.get(
            user, collection_path(published.collection(organization), f"objects/{objects[0]['id']}/")
        )
        assert got.json()["objects"] == [objects[0]]
    (entry,) = [e for e in published.store.audit_entries() if e.action == "taxii.write"]
    assert (entry.actor, entry.target) == ("carl", charlie)
    assert entry.detail["status"] == status["id"] and entry.detail["successes"] == 2
    again = published.post("carl", collection_path(charlie, "objects/"), {"objects": objects})
    assert again.status_code == 202 and again.json()["success_count"] == 2
    versions = published.get("carl", collection_path(charlie, f"objects/{objects[0]['id']}/versions/"))
    assert versions.json()["versions"] == [V1]


def test_a_home_analyst_adds_objects(published: Instance) -> None:
    home = published.collection("Alpha")
    response = published.post("ann", collection_path(home, "objects/"), {"objects": [_partner_identity(3)]})
    assert response.status_code == 202 and response.json()["success_count"] == 1


def test_writing_needs_permission(published: Instance) -> None:
    envelope = {"objects": [_partner_identity(4)]}
    for user, organization in (("bob", "Bravo"), ("rita", "Alpha")):
        refused = published.post(
            user, collection_path(published.collection(organization), "objects/"), envelope
        )
        assert_taxii_error(refused, 403)
    theirs = published.post("carl", collection_path(published.collection("Alpha"), "objects/"), envelope)
    unknown = published.post("carl", collection_path(str(uuid.uuid4()), "objects/"), envelope)
    assert_taxii_error(theirs, 404)
    assert theirs.content == unknown.content
    assert published.store.audit_entries()[-1].detail == {"refused": "not found"}


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/taxii+json", "application/stix+json;version=2.1", ""]
)
def test_objects_are_posted_as_taxii_json(published: Instance, content_type: str) -> None:
    charlie = published.collection("Charlie")
    response = published.post(
        "carl",
        collection_path(charlie, "objects/"),
        {"objects": [_partner_identity(5)]},
        {"Content-Type": content_type},
    )
    assert_taxii_error(response, 415)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"objects": [', 400),
        (b"\xff\xfe", 400),
        (b'{"objects": []}', 422),
        (b"[]", 422),
        (b'{"more": false}', 422),
        (b'{"objects": [{"id": 1, "type": "identity"}]}', 422),
    ],
)
def test_malformed_envelopes_are_refused(published: Instance, body: bytes, status: int) -> None:
    charlie = published.collection("Charlie")
    assert_taxii_error(published.post("carl", collection_path(charlie, "objects/"), body), status)


def test_invalid_objects_fail_in_the_status_and_nothing_is_stored(published: Instance) -> None:
    charlie = published.collection("Charlie")
    good, bad = _partner_identity(6), _partner_identity(7, spec_version="2.0")
    response = published.post("carl", collection_path(charlie, "objects/"), {"objects": [good, bad]})
    assert response.status_code == 202
    status = response.json()
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (2, 0, 2)
    failures = {failure["id"]: failure for failure in status["failures"]}
    assert "spec_version" in failures[bad["id"]]["message"]
    assert failures[good["id"]]["message"].startswith("refused with the whole envelope")
    assert failures[good["id"]]["version"] == V1
    assert_taxii_error(published.get("carl", collection_path(charlie, f"objects/{good['id']}/")), 404)


def test_a_body_over_max_content_length_is_refused(settings: Settings, store: Store) -> None:
    tokens = _accounts(store)
    small = replace(settings, max_bundle_bytes=4096)
    with serving(small, store, tokens) as instance:
        assert instance.get("carl", "/taxii2/api/").json()["max_content_length"] == 4096
        path = collection_path(instance.collection("Charlie"), "objects/")
        padded = _partner_identity(8, description="x" * 5000)
        assert_taxii_error(instance.post("carl", path, {"objects": [padded]}), 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes read are counted
            text = json.dumps({"objects": [padded]}).encode("utf-8")
            for start in range(0, len(text), 1000):
                yield text[start : start + 1000]

        chunked = instance.http.post(
            path, content=chunks(), headers=instance.headers("carl", {"Content-Type": TAXII})
        )
        assert "content-length" not in chunked.request.headers
        assert_taxii_error(chunked, 413)
        # Announced too large, the body is refused before it is sent (the server does not wait for it).
        host, port = instance.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=20)
        try:
            connection.putrequest("POST", path)
            for name, value in instance.headers("carl", {"Content-Type": TAXII}).items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(10**9))
            connection.endheaders()
            announced = connection.getresponse()
            assert announced.status == 413
            assert json.loads(announced.read())["http_status"] == "413"
        finally:
            connection.close()
        fits = instance.post("carl", path, {"objects": [_partner_identity(9)]})
        assert fits.status_code == 202 and fits.json()["success_count"] == 1
