"""Independent TAXII 2.1 clients against a real Liaison server: the OASIS ``taxii2-client`` and stix2's
``TAXIICollectionSource``. What they send and expect is the specification as others read it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from stix2 import Filter, TAXIICollectionSource
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from liaison.accounts import create_token, hash_password
from liaison.domain import TLP, AccountRole
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save

TAXII = "application/taxii+json;version=2.1"
PASSWORD = "correct horse battery staple"


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer TOKEN`` (taxii2-client's own ``TokenAuth`` sends the ``Token`` scheme)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass
class Running:
    url: str
    store: Store
    home_token: str
    partner_token: str

    def collection_url(self, organization: str) -> str:
        collection = self.store.collection_for(self.store.organization(organization).id)
        return f"{self.url}/taxii2/api/collections/{collection.id}/"

    def home(self, basic: bool = False) -> Collection:
        """The home analyst's collection, by password (Basic) or by token (faster: no Argon2 each time)."""
        if basic:
            return Collection(self.collection_url("Alpha"), user="ann", password=PASSWORD)
        return Collection(self.collection_url("Alpha"), auth=BearerAuth(self.home_token))

    def partner(self) -> Collection:
        return Collection(self.collection_url("Charlie"), auth=BearerAuth(self.partner_token))


@pytest.fixture
def running(sqlite_settings: Settings) -> Iterator[Running]:
    """A home analyst (password and token) and a partner allowed to write (token), over reports at three
    levels."""
    with Store.open(sqlite_settings) as store:
        store.add_organization("Alpha", home=True)
        store.add_organization("Charlie")
        store.set_agreement("Charlie", TLP.AMBER, can_write=True)
        store.add_user("ann", "Alpha", AccountRole.ANALYST, hash_password(PASSWORD))
        store.add_user("carl", "Charlie", AccountRole.PARTNER, None)
        tokens = {name: create_token(store, name)[0] for name in ("ann", "carl")}
        for tag, level in {"clear": TLP.CLEAR, "green": TLP.GREEN, "amber": TLP.AMBER}.items():
            save(store, report_extraction(tag, level, person=f"Person {tag}", group=f"Group {tag}"))
        publish(store, sqlite_settings)
        with live_server(sqlite_settings, store) as url:
            yield Running(url, store, tokens["ann"], tokens["carl"])


def _identity(name: str, modified: str) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid5(uuid.NAMESPACE_URL, f'interop/{name}')}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "name": name,
        "identity_class": "organization",
    }


def _all_ids(collection: Collection, **filters: Any) -> list[str]:
    ids: list[str] = []
    for envelope in as_pages(collection.get_objects, per_request=1000, **filters):
        ids.extend(item["id"] for item in envelope.get("objects", []))
    return ids


def test_discovery_api_root_and_collections(running: Running) -> None:
    server = Server(f"{running.url}/taxii2/", user="ann", password=PASSWORD)
    assert server.title
    api_root = server.default
    assert api_root is not None and [root.url for root in server.api_roots] == [api_root.url]
    assert api_root.versions == [TAXII] and api_root.max_content_length > 0
    (collection,) = api_root.collections
    assert collection.url == running.collection_url("Alpha")
    assert collection.can_read and collection.can_write
    assert collection.media_types == ["application/stix+json;version=2.1"]
    partner_root = ApiRoot(f"{running.url}/taxii2/api/", auth=BearerAuth(running.partner_token))
    assert [c.url for c in partner_root.collections] == [running.collection_url("Charlie")]


def test_pages_added_after_type_manifest_and_one_object(running: Running) -> None:
    collection = running.home()
    everything = _all_ids(collection)
    assert len(everything) == len(set(everything)) > 20
    pages = list(as_pages(collection.get_objects, per_request=7))
    assert all(len(page["objects"]) == 7 and page["more"] for page in pages[:-1])
    assert not pages[-1]["more"]
    assert [item["id"] for page in pages for item in page["objects"]] == everything
    manifest = [
        record for page in as_pages(collection.get_manifest, per_request=5) for record in page["objects"]
    ]
    assert [record["id"] for record in manifest] == everything
    middle = manifest[len(manifest) // 2]["date_added"]
    later = [record["id"] for record in manifest if record["date_added"] > middle]
    assert _all_ids(collection, added_after=middle) == later
    identities = _all_ids(collection, type="identity")
    assert identities and all(stix_id.startswith("identity--") for stix_id in identities)
    assert identities == [stix_id for stix_id in everything if stix_id.startswith("identity--")]
    one = running.home(basic=True).get_object(everything[3])
    assert [item["id"] for item in one["objects"]] == [everything[3]]


def test_add_objects_and_their_status(running: Running) -> None:
    collection = running.partner()
    assert collection.can_write
    posted = _identity("Partner desk", "2024-01-01T00:00:00.000Z")
    status = collection.add_objects({"objects": [posted]})
    assert status.status == "complete" and status.success_count == status.total_count == 1
    assert status.successes == [{"id": posted["id"], "version": posted["modified"]}]
    api_root = ApiRoot(f"{running.url}/taxii2/api/", auth=BearerAuth(running.partner_token))
    again = api_root.get_status(status.id)
    assert (again.id, again.status, again.success_count) == (status.id, "complete", 1)
    assert collection.get_object(posted["id"])["objects"] == [posted]


def test_stix2_collection_source(running: Running) -> None:
    home = running.home()
    first = _identity("Versioned desk", "2024-01-01T00:00:00.000Z")
    second = {**first, "modified": "2024-06-01T00:00:00.000Z", "description": "Moved."}
    assert home.add_objects({"objects": [first]}).success_count == 1
    assert home.add_objects({"objects": [second]}).success_count == 1
    source = TAXIICollectionSource(home)
    identities = source.query([Filter("type", "=", "identity")])
    assert identities and {item.type for item in identities} == {"identity"}
    assert len(identities) == len(_all_ids(home, type="identity"))
    latest = source.get(first["id"])
    assert latest is not None and latest.description == "Moved."
    versions = source.all_versions(first["id"])
    assert sorted(str(item.modified) for item in versions) == [
        "2024-01-01 00:00:00+00:00",
        "2024-06-01 00:00:00+00:00",
    ]
    assert source.get(f"identity--{uuid.uuid4()}") is None
