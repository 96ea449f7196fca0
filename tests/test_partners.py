"""Pulling from partners: two Liaison instances on loopback, one serving TAXII 2.1, the other pulling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from liaison import partners
from liaison.accounts import create_token
from liaison.domain import TLP, AccountRole
from liaison.errors import NotFound
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.share.stix_json import references
from liaison.store import Store
from liaison.store.partners import PartnerExists
from liaison.store.publication import ObjectFilter
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save

LEVELS = {
    "clear": TLP.CLEAR,
    "green": TLP.GREEN,
    "amber": TLP.AMBER,
    "strict": TLP.AMBER_STRICT,
    "red": TLP.RED,
}
WITHHELD = ("amber", "strict", "red")


@dataclass
class Instance:
    settings: Settings
    store: Store


def open_instance(directory: Path, name: str) -> Instance:
    """An instance with its own SQLite store, whose home organisation is ``name``."""
    settings = Settings(
        database_url=f"sqlite:///{directory / f'{name.lower()}.db'}",
        data_dir=directory / name.lower(),
        organization_name=name,
    )
    store = Store.open(settings)
    store.add_organization(name, home=True)
    return Instance(settings, store)


@pytest.fixture
def alpha(tmp_path: Path) -> Iterator[Instance]:
    """Alpha: home organisation Alpha, partner Bravo under a GREEN agreement, a partner user in Bravo."""
    instance = open_instance(tmp_path, "Alpha")
    instance.store.add_organization("Bravo")
    instance.store.set_agreement("Bravo", TLP.GREEN)
    instance.store.add_user("bravo-puller", "Bravo", AccountRole.PARTNER, None)
    yield instance
    instance.store.close()


@pytest.fixture
def bravo(tmp_path: Path) -> Iterator[Instance]:
    instance = open_instance(tmp_path, "Bravo")
    yield instance
    instance.store.close()


@pytest.fixture
def bravo_token(alpha: Instance) -> str:
    token, _ = create_token(alpha.store, "bravo-puller", "pulls from Bravo")
    return token


def _store_reports(instance: Instance, tags: dict[str, TLP]) -> None:
    for tag, level in tags.items():
        recipients = ("Alpha",) if level is TLP.RED else ()
        extraction = report_extraction(
            tag, level, person=f"Person {tag}", group=f"Group {tag}", recipients=recipients
        )
        save(instance.store, extraction)
    publish(instance.store, instance.settings)


def _received(store: Store) -> list[dict[str, Any]]:
    return [json.loads(o.json) for o in store.current_stix_objects()]


def _report_names(objects: list[dict[str, Any]]) -> set[str]:
    return {o["name"] for o in objects if o["type"] == "report"}


def _bravo_collection(alpha: Instance, added_after: datetime | None = None) -> list[dict[str, Any]]:
    """What Alpha serves Bravo (current versions), as Alpha's store holds it."""
    collection = alpha.store.collection_for(alpha.store.organization("Bravo").id)
    rows = alpha.store.collection_objects(collection.id, ObjectFilter(added_after=added_after), 100_000)
    return [json.loads(row.json) for row in rows]


def _all_versions(store: Store) -> list[tuple[str, str, str, str]]:
    """Every kept version of every received object, with who sent it: the whole received store."""
    rows = []
    for current in store.current_stix_objects():
        for version in store.stix_object_history(current.id):
            rows.append((version.id, version.modified, version.json, version.received_from))
    return sorted(rows)


def _stix_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the acceptance test: two instances on loopback ---


def test_a_partner_pulls_exactly_what_its_agreement_allows_then_only_what_is_new(
    alpha: Instance, bravo: Instance, bravo_token: str
) -> None:
    _store_reports(alpha, LEVELS)
    with live_server(alpha.settings, alpha.store) as base:
        bravo.store.add_partner("Alpha", f"{base}/taxii2/api/", bravo_token)

        first = partners.pull(bravo.store, bravo.settings, "Alpha", allow_private=True)
        assert first.ok, first.errors
        received = _received(bravo.store)
        assert _report_names(received) == {"Report clear", "Report green"}
        text = json.dumps(received)
        for tag in WITHHELD:
            assert f"Person {tag}" not in text and f"Group {tag}" not in text
        assert "Person green" in text and "Group clear" in text
        # Exactly Bravo's collection at Alpha, object for object.
        served = {(o["id"], json.dumps(o, sort_keys=True)) for o in _bravo_collection(alpha)}
        assert {(o["id"], json.dumps(o, sort_keys=True)) for o in received} == served
        assert first.stored == first.received == len(served) and first.pages == 1
        assert first.cursor is not None and bravo.store.partner("Alpha").cursor == first.cursor
        # Provenance: who sent each object, in which bundle.
        [report] = [o for o in bravo.store.current_stix_objects() if o.type == "report"][:1]
        assert report.received_from == "Alpha" and report.bundle_id.startswith("bundle--")

        second = partners.pull(bravo.store, bravo.settings, "Alpha", allow_private=True)
        assert second.ok, second.errors
        assert (second.received, second.stored, second.replaced) == (0, 0, 0)
        assert second.cursor == first.cursor

        before = {o["id"] for o in received}
        _store_reports(alpha, {"green2": TLP.GREEN, "amber2": TLP.AMBER})
        third = partners.pull(bravo.store, bravo.settings, "Alpha", allow_private=True)
        assert third.ok, third.errors
        after = _received(bravo.store)
        new = [o for o in after if o["id"] not in before]
        assert _report_names(new) == {"Report green2"}
        assert third.stored == len(new) > 0 and third.replaced == 0
        assert "Person green2" in json.dumps(new)
        assert "Person amber2" not in json.dumps(after) and "Group amber2" not in json.dumps(after)
        # Only what Alpha added to Bravo's collection since the second pull was fetched.
        since = datetime.fromisoformat(first.cursor.replace("Z", "+00:00"))
        assert third.received == len(_bravo_collection(alpha, added_after=since))

    assert bravo.store.partner("Alpha").last_error is None
    pulls = [e for e in bravo.store.audit_entries() if e.action == "partner.pull"]
    assert [e.detail["stored"] for e in pulls] == [first.stored, 0, third.stored]
    assert all(bravo_token not in json.dumps(e.detail) for e in bravo.store.audit_entries())


class FailingTransport(httpx.BaseTransport):
    """A real transport that breaks the connection on the n-th page request."""

    def __init__(self, fail_on_page: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.fail_on_page = fail_on_page
        self.pages = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/objects/"):
            self.pages += 1
            if self.pages == self.fail_on_page:
                raise httpx.ReadError("connection reset (injected)", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_pull_interrupted_half_way_resumes_to_the_same_store(
    alpha: Instance, bravo: Instance, bravo_token: str, tmp_path: Path
) -> None:
    # Three publications: Europol and France get a new version in each, so early pages refer ahead.
    for round_number in range(3):
        _store_reports(alpha, {f"clear{round_number}": TLP.CLEAR, f"green{round_number}": TLP.GREEN})
    total = len(_bravo_collection(alpha))
    uninterrupted = open_instance(tmp_path / "uninterrupted", "Bravo")
    with live_server(alpha.settings, alpha.store) as base:
        for instance in (bravo, uninterrupted):
            instance.store.add_partner("Alpha", f"{base}/taxii2/api/", bravo_token)
        whole = partners.pull(uninterrupted.store, uninterrupted.settings, "Alpha", True, page_size=3)
        assert whole.ok, whole.errors
        assert whole.stored == total and whole.pages == -(-total // 3)

        # The connection breaks half-way through the collection.
        failing = FailingTransport(fail_on_page=whole.pages // 2)
        broken = partners.pull(bravo.store, bravo.settings, "Alpha", True, page_size=3, transport=failing)
        assert not broken.ok and "injected" in broken.errors[0]
        assert bravo.store.partner("Alpha").last_error == broken.errors[0]
        # What came before the break is stored and the cursor passed it; nothing else is.
        assert 0 < broken.stored < total and broken.cursor is not None
        assert bravo.store.partner("Alpha").cursor == broken.cursor
        assert len(_all_versions(bravo.store)) == broken.stored

        resumed = partners.pull(bravo.store, bravo.settings, "Alpha", True, page_size=3)
        assert resumed.ok, resumed.errors
        assert resumed.pages < whole.pages  # from the cursor, not from the start
        assert broken.stored + resumed.stored == total and resumed.replaced == 0
    # The same objects, versions and provenance as the uninterrupted pull: nothing lost, nothing twice.
    assert _all_versions(bravo.store) == _all_versions(uninterrupted.store)
    assert bravo.store.stix_counts() == uninterrupted.store.stix_counts()
    uninterrupted.store.close()


def test_a_partner_on_a_private_address_is_refused_unless_allowed(
    alpha: Instance, bravo: Instance, bravo_token: str
) -> None:
    _store_reports(alpha, {"clear": TLP.CLEAR})
    with live_server(alpha.settings, alpha.store) as base:
        bravo.store.add_partner("Alpha", f"{base}/taxii2/api/", bravo_token)
        refused = partners.pull(bravo.store, bravo.settings, "Alpha")
        assert (
            not refused.ok
            and "private address" in refused.errors[0]
            and "--allow-private" in refused.errors[0]
        )
        assert refused.pages == 0 and bravo.store.current_stix_objects() == []
        assert bravo.store.partner("Alpha").last_error == refused.errors[0]
        [entry] = [e for e in bravo.store.audit_entries() if e.action == "partner.pull"]
        assert entry.target == "Alpha" and entry.detail["error"] == refused.errors[0]
        assert partners.pull(bravo.store, bravo.settings, "Alpha", allow_private=True).ok
        assert bravo.store.partner("Alpha").last_error is None


def test_a_revoked_token_is_named_as_the_problem(alpha: Instance, bravo: Instance, bravo_token: str) -> None:
    alpha.store.revoke_token(bravo_token)
    with live_server(alpha.settings, alpha.store) as base:
        bravo.store.add_partner("Alpha", f"{base}/taxii2/api/", bravo_token)
        summary = partners.pull(bravo.store, bravo.settings, "Alpha", allow_private=True)
    assert not summary.ok and "HTTP 401" in summary.errors[0] and "token" in summary.errors[0]
    assert bravo_token not in summary.errors[0]


# --- the client against a scripted TAXII server (httpx.MockTransport) ---


class ScriptedTaxii:
    """A TAXII 2.1 server over a list of objects, one second of ``date_added`` apart, paged by index."""

    START = datetime(2024, 5, 1, tzinfo=UTC)

    def __init__(
        self, objects: list[dict[str, Any]], collections: list[dict[str, Any]] | None = None
    ) -> None:
        self.objects = objects
        self.collections = collections or [
            {"id": "c1", "title": "ours", "can_read": True, "can_write": False}
        ]
        self.send_next = True
        self.match_ids = True
        self.status = 200
        self.requests: list[httpx.Request] = []

    def date_added(self, index: int) -> datetime:
        return self.START + timedelta(seconds=index + 1)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        headers = {"Content-Type": partners.TAXII_MEDIA_TYPE}
        if self.status != 200:
            return httpx.Response(self.status, headers=headers, json={"title": "no"})
        if request.url.path.endswith("/collections/"):
            return httpx.Response(200, headers=headers, json={"collections": self.collections})
        params = request.url.params
        if "match[id]" in params:
            wanted = set(params["match[id]"].split(",")) if self.match_ids else set()
            found = [o for o in self.objects if o["id"] in wanted]
            return httpx.Response(200, headers=headers, json={"more": False, "objects": found})
        start = 0
        if "added_after" in params:
            after = datetime.fromisoformat(params["added_after"].replace("Z", "+00:00"))
            start = next(
                (i for i in range(len(self.objects)) if self.date_added(i) > after), len(self.objects)
            )
        if "next" in params:
            start = max(start, int(params["next"]))
        end = min(start + int(params.get("limit", "100")), len(self.objects))
        body: dict[str, Any] = {"more": end < len(self.objects), "objects": self.objects[start:end]}
        if body["more"] and self.send_next:
            body["next"] = str(end)
        if end > start:
            headers["X-TAXII-Date-Added-First"] = _stix_time(self.date_added(start))
            headers["X-TAXII-Date-Added-Last"] = _stix_time(self.date_added(end - 1))
        return httpx.Response(200, headers=headers, json=body)


@pytest.fixture
def shared_objects(tmp_path: Path) -> list[dict[str, Any]]:
    """Valid STIX objects as Liaison publishes them, ordered so that references point forward."""
    source = open_instance(tmp_path / "source", "Alpha")
    save(source.store, report_extraction("one", TLP.CLEAR))
    save(source.store, report_extraction("two", TLP.GREEN, person="Anna Berg", group="Conti"))
    publish(source.store, source.settings)
    objects = _collection_of(source.store, "Alpha")
    source.store.close()
    # Referring objects first: a page refers to objects only later pages bring.
    return sorted(objects, key=lambda o: (-len(references(o)), o["id"]))


def _collection_of(store: Store, organization: str) -> list[dict[str, Any]]:
    collection = store.collection_for(store.organization(organization).id)
    return [json.loads(r.json) for r in store.collection_objects(collection.id, ObjectFilter(), 100_000)]


def _scripted_pull(
    settings: Settings, store: Store, server: ScriptedTaxii, page_size: int = 3, url: str | None = None
) -> partners.PullSummary:
    if not store.partners():
        store.add_partner("Scripted", url or "http://127.0.0.1:8000/taxii2/api/", "lsn_scripted")
    transport = httpx.MockTransport(server.handler)
    return partners.pull(store, settings, "Scripted", True, page_size, transport=transport)


def _page_requests(server: ScriptedTaxii) -> list[httpx.Request]:
    return [
        r for r in server.requests if r.url.path.endswith("/objects/") and "match[id]" not in r.url.params
    ]


def test_objects_a_page_refers_to_are_fetched_by_id_and_stored_with_it(
    shared_objects: list[dict[str, Any]], settings: Settings, store: Store
) -> None:
    assert references(shared_objects[0])  # the first page does refer ahead
    server = ScriptedTaxii(shared_objects)
    summary = _scripted_pull(settings, store, server)
    assert summary.ok, summary.errors
    pages = -(-len(shared_objects) // 3)
    assert summary.pages == pages and summary.received > len(shared_objects)  # some fetched twice
    assert summary.stored == len(shared_objects) and summary.unchanged == summary.received - summary.stored
    assert summary.cursor == _stix_time(server.date_added(len(shared_objects) - 1))
    assert {o.id for o in store.current_stix_objects()} == {o["id"] for o in shared_objects}
    # After the first page was stored, the cursor had passed it: it was complete on its own.
    by_id = [r for r in server.requests if "match[id]" in r.url.params]
    assert by_id and by_id[0] == server.requests[2]
    # The partner's requests: bearer token, TAXII media type, the collection found and remembered.
    request = server.requests[-1]
    assert request.headers["Authorization"] == "Bearer lsn_scripted"
    assert request.headers["Accept"] == partners.TAXII_MEDIA_TYPE
    assert request.url.path == "/taxii2/api/collections/c1/objects/" and request.url.params["limit"] == "3"
    assert store.partner("Scripted").collection_id == "c1"
    # Paging followed ``next`` with the first request's filters.
    assert [r.url.params.get("next") for r in _page_requests(server)[:3]] == [None, "3", "6"]


def test_without_fetching_by_id_pages_are_stored_together_once_their_references_resolve(
    shared_objects: list[dict[str, Any]], sqlite_settings: Settings
) -> None:
    server = ScriptedTaxii(shared_objects)
    server.match_ids = False  # a server that finds nothing by ID
    failing = FailingTransport(fail_on_page=0)
    with Store.open(sqlite_settings) as store:
        summary = _scripted_pull(sqlite_settings, store, server)
        assert summary.ok, summary.errors
        assert summary.stored == summary.received == len(shared_objects)
        assert {o.id for o in store.current_stix_objects()} == {o["id"] for o in shared_objects}
    assert failing.pages == 0


def test_objects_referring_to_what_never_comes_are_not_stored_and_the_cursor_stays(
    shared_objects: list[dict[str, Any]], sqlite_settings: Settings
) -> None:
    referred = {ref for o in shared_objects for ref in references(o)}
    missing = next(o for o in shared_objects if o["id"] in referred and o["type"] == "threat-actor")
    server = ScriptedTaxii([o for o in shared_objects if o["id"] != missing["id"]])
    with Store.open(sqlite_settings) as store:
        summary = _scripted_pull(sqlite_settings, store, server)
        assert not summary.ok and missing["id"] in summary.errors[0]
        assert "did not send" in summary.errors[0]
        assert summary.stored == 0 and summary.cursor is None and store.partner("Scripted").cursor is None
        assert store.current_stix_objects() == []


def test_a_server_that_pages_by_date_only_is_followed_by_added_after(
    shared_objects: list[dict[str, Any]], sqlite_settings: Settings
) -> None:
    server = ScriptedTaxii(shared_objects)
    server.send_next = False
    with Store.open(sqlite_settings) as store:
        summary = _scripted_pull(sqlite_settings, store, server, page_size=4)
        assert summary.ok and summary.stored == len(shared_objects)
    object_requests = _page_requests(server)
    assert object_requests[1].url.params["added_after"] == _stix_time(server.date_added(3))


def test_the_collection_is_chosen_only_when_there_is_one_to_read(
    shared_objects: list[dict[str, Any]], sqlite_settings: Settings
) -> None:
    several = [
        {"id": "c1", "title": "first", "can_read": True},
        {"id": "c2", "title": "second", "can_read": True},
        {"id": "c3", "title": "write only", "can_read": False},
    ]
    server = ScriptedTaxii(shared_objects, several)
    with Store.open(sqlite_settings) as store:
        summary = _scripted_pull(sqlite_settings, store, server)
        assert not summary.ok and "--collection" in summary.errors[0] and "c2 (second)" in summary.errors[0]
        assert store.partner("Scripted").collection_id is None
    server = ScriptedTaxii(shared_objects, [several[2]])
    with Store.open(sqlite_settings) as store:
        assert "no collection we may read" in _scripted_pull(sqlite_settings, store, server).errors[0]


def test_a_collection_url_names_its_collection(
    shared_objects: list[dict[str, Any]], sqlite_settings: Settings
) -> None:
    server = ScriptedTaxii(shared_objects, [])
    with Store.open(sqlite_settings) as store:
        url = "http://127.0.0.1:8000/taxii2/api/collections/c9/objects/"
        summary = _scripted_pull(sqlite_settings, store, server, url=url)
        assert summary.ok and summary.collection_id == "c9"
    assert all(r.url.path == "/taxii2/api/collections/c9/objects/" for r in server.requests)


def test_responses_over_the_bundle_limit_and_errors_are_refused(
    shared_objects: list[dict[str, Any]], sqlite_settings: Settings
) -> None:
    small = Settings(database_url=sqlite_settings.database_url, max_bundle_bytes=2_000)
    with Store.open(small) as store:
        summary = _scripted_pull(small, store, ScriptedTaxii(shared_objects), page_size=50)
        assert not summary.ok and "LIAISON_MAX_BUNDLE_BYTES" in summary.errors[0]
        assert store.current_stix_objects() == []
    server = ScriptedTaxii(shared_objects)
    server.status = 302
    with Store.open(sqlite_settings) as store:
        summary = _scripted_pull(sqlite_settings, store, server)
        assert not summary.ok and "redirect, not followed" in summary.errors[0]


def test_partner_urls_are_split_into_api_root_and_collection() -> None:
    split = partners.split_partner_url
    assert split("https://p.example/taxii2/api") == ("https://p.example/taxii2/api/", None)
    assert split("https://p.example/taxii2/api/collections/abc/") == ("https://p.example/taxii2/api/", "abc")
    assert split("http://p.example:8000/r/collections/abc/objects/?x=1") == (
        "http://p.example:8000/r/",
        "abc",
    )
    for bad in ("ftp://p.example/api/", "not a url", "https:///api/"):
        with pytest.raises(partners.PullError):
            split(bad)


# --- the partner rows, on SQLite and PostgreSQL ---


def test_partners_are_kept_with_their_cursor_and_last_pull(store: Store) -> None:
    added = store.add_partner(" CERT-FR ", "https://cert.example/taxii2/api/", " lsn_secret ")
    assert (added.name, added.token, added.collection_id, added.cursor) == (
        "CERT-FR",
        "lsn_secret",
        None,
        None,
    )
    assert "lsn_secret" not in repr(added)
    with pytest.raises(PartnerExists):
        store.add_partner("cert-fr", "https://other.example/", "lsn_other")
    store.set_partner_collection("cert-fr", "c1")
    store.set_partner_cursor("CERT-FR", "2024-05-01T00:00:01.000000Z")
    failed = store.record_partner_pull("CERT-FR", "HTTP 500")
    assert (failed.collection_id, failed.cursor, failed.last_error) == (
        "c1",
        "2024-05-01T00:00:01.000000Z",
        "HTTP 500",
    )
    assert failed.last_pull_at is not None
    assert store.record_partner_pull("CERT-FR", None).last_error is None
    store.add_partner("Bundeskriminalamt", "https://bka.example/taxii2/api/", "lsn_bka", "col")
    assert [p.name for p in store.partners()] == ["Bundeskriminalamt", "CERT-FR"]
    store.remove_partner("cert-fr")
    with pytest.raises(NotFound):
        store.partner("CERT-FR")
