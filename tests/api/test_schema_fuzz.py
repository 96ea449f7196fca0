"""Schemathesis against the live server's own OpenAPI schema: every operation, REST and TAXII.

The schema is read from a real server on loopback (``/openapi.json``) over a store holding the scenario of
``tests.store.test_readable`` (Alpha home; Bravo a GREEN partner), and every operation is called with
generated data — valid (positive) and invalid (negative) — as a home analyst and as a partner, each with a
real API token. Every answer must be no server error, a status code the schema documents, the content type
it documents, and a body matching its schema; invalid data must be refused with a 4xx.

Bounded for ``make test``: ``LIAISON_SCHEMA_FUZZ_EXAMPLES`` examples per operation, mode, user and store
(default 5, derandomized: the same cases every run); the TAXII header and paging tests draw a multiple of
it. A longer run (about 12,000 schemathesis calls; 23 minutes on a loaded 2-CPU machine)::

    LIAISON_SCHEMA_FUZZ_EXAMPLES=100 .venv/bin/python -m pytest -s tests/api/test_schema_fuzz.py

``-s`` shows, per user, mode and store, the operations, calls and status codes answered.

Beyond the schema (OpenAPI leaves ``Accept`` and ``Content-Type`` out of parameters, and says nothing of
paging), hypothesis drives the TAXII routes directly: any ``Accept`` header and any query parameters get a
TAXII answer or a TAXII error, a body not declared TAXII is refused with 415, and pages followed with
``next`` join into exactly the one-page answer.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME, _fresh_postgres_database
from tests.live_server import live_server
from tests.security.common import TAXII, add_accounts
from tests.security.test_json_limits import IDENTITY
from tests.store.test_readable import build_scenario

EXAMPLES = int(os.environ.get("LIAISON_SCHEMA_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass
class Target:
    url: str
    store: Store
    tokens: dict[str, str]
    # Path parameter -> values that name something: random ones would only ever reach the "not found"
    # answers. Each holds what one user may read and what only the other may.
    known: dict[str, list[str]] = field(default_factory=dict)


def _known_values(url: str, tokens: dict[str, str]) -> dict[str, list[str]]:
    """IDs of what the analyst reads (a superset of what the partner reads), the two collections, and a
    status resource of the analyst's."""
    known: dict[str, list[str]] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        ann = {"Authorization": f"Bearer {tokens['ann']}", "Accept": TAXII}
        for kind, name in (("reports", "report_id"), ("entities", "entity_id"), ("events", "event_id")):
            page = client.get(f"/api/{kind}", params={"limit": 500}, headers=ann).json()
            known[name] = [item["id"] for item in page["items"]]
        collections = []
        for user in ("ann", "bob"):
            me = client.get("/api/me", headers={"Authorization": f"Bearer {tokens[user]}"}).json()
            collections.append(me["collection_id"])
        known["collection_id"] = collections
        objects = client.get(f"/taxii2/api/collections/{collections[0]}/objects/", headers=ann).json()
        known["object_id"] = sorted({item["id"] for item in objects["objects"]})
        envelope = json.dumps({"objects": [IDENTITY]}).encode()
        added = client.post(
            f"/taxii2/api/collections/{collections[0]}/objects/",
            content=envelope,
            headers={**ann, "Content-Type": TAXII},
        )
        assert added.status_code == 202, added.text
        known["status_id"] = [added.json()["id"]]
        # A watch each, then a report they both match and may read: an alert each to mark read.
        for user in ("ann", "bob"):
            bearer = {"Authorization": f"Bearer {tokens[user]}"}
            watched = client.post(
                "/api/watches", json={"kind": "query", "value": "smugglers"}, headers=bearer
            )
            assert watched.status_code == 201, watched.text
            known.setdefault("watch_id", []).append(watched.json()["watch"]["id"])
        text = "Customs officers stopped smugglers at the northern border crossing on Tuesday."
        ingested = client.post(
            "/api/reports",
            json={"text": text, "tlp": "green"},
            headers={"Authorization": f"Bearer {tokens['ann']}"},
        )
        assert ingested.status_code == 201, ingested.text
        for user in ("ann", "bob"):
            alerts = client.get("/api/alerts", headers={"Authorization": f"Bearer {tokens[user]}"}).json()
            known.setdefault("alert_id", []).extend(alert["id"] for alert in alerts["items"])
    assert all(known.values()), known
    return known


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One server per store kind for the whole module: PostgreSQL refuses what SQLite takes (a NUL, an
    integer over 64 bits), so both are fuzzed."""
    folder: Path = tmp_path_factory.mktemp("schema-fuzz")
    if request.param == "sqlite":
        database_url = f"sqlite:///{folder / 'store.db'}"
    else:
        database_url = _fresh_postgres_database(request.getfixturevalue("postgres_base_url"))
    settings = Settings(database_url=database_url, data_dir=folder / "data")
    settings = replace(settings, max_report_bytes=4000, max_bundle_bytes=64_000)
    store = Store.open(settings, clock=lambda: FIXED_TIME)
    build_scenario(store, settings)
    tokens = add_accounts(
        store, {"ann": ("Alpha", AccountRole.ANALYST), "bob": ("Bravo", AccountRole.PARTNER)}
    )
    with live_server(settings, store) as url:
        yield Target(url, store, tokens, _known_values(url, tokens))
    store.close()


_TLP_NAMES = ["clear", "green", "amber", "amber+strict", "red", "TLP:AMBER", "white"]
_REPORT = st.fixed_dictionaries(
    {"text": st.text(min_size=1, max_size=400), "tlp": st.sampled_from(_TLP_NAMES)},
    optional={
        "title": st.text(max_size=50),
        "published": st.dates().map(str),
        "language": st.sampled_from(["en", "fr", "xx"]),
        "recipients": st.lists(st.sampled_from(["Bravo", "Charlie", "Nobody"]), max_size=2),
    },
)
_WATCH = st.one_of(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["query", "topic", "place", "entity"]),
            "value": st.text(min_size=1, max_size=40),
        },
        optional={"min_tlp": st.sampled_from(_TLP_NAMES)},
    ),
    st.fixed_dictionaries({"kind": st.just("query"), "value": st.sampled_from(["arrest", "ransomware"])}),
)
_ENVELOPE = st.lists(
    st.builds(
        lambda number, name: {
            **IDENTITY,
            "id": f"identity--{uuid.uuid5(uuid.NAMESPACE_URL, str(number))}",
            "name": name,
        },
        st.integers(min_value=1, max_value=2**64),
        st.text(min_size=1, max_size=40),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda item: str(item["id"]),  # the same object twice in an envelope is refused whole
).map(lambda objects: {"objects": objects})


def _cases(
    operation: APIOperation, mode: GenerationMode, known: dict[str, list[str]]
) -> st.SearchStrategy[Case]:
    """Cases schemathesis generates from the schema alone, and, as often, cases whose path names something
    that exists and, for the two writes, whose body is one the server may accept."""
    generated = operation.as_strategy(generation_mode=mode)
    names = re.findall(r"{(\w+)}", operation.path)
    paths = st.fixed_dictionaries({name: st.sampled_from(known[name]) for name in names})
    bodies = {
        "/api/reports": (_REPORT, "application/json"),
        "/api/watches": (_WATCH, "application/json"),
        "/taxii2/api/collections/{collection_id}/objects/": (_ENVELOPE, TAXII),
    }
    realistic_body = bodies.get(operation.path)
    if mode is GenerationMode.NEGATIVE or operation.method.upper() != "POST" or realistic_body is None:
        realistic = paths.flatmap(
            lambda fixed: operation.as_strategy(generation_mode=mode, path_parameters=fixed)
        )
        return generated | realistic if names else generated
    body, media_type = realistic_body
    realistic = st.tuples(paths, body).flatmap(
        lambda drawn: operation.as_strategy(path_parameters=drawn[0], body=drawn[1], media_type=media_type)
    )
    return generated | realistic


@pytest.mark.slow
@pytest.mark.parametrize("user", ["ann", "bob"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_schema_says(target: Target, user: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{target.url}/openapi.json")
    headers = {"Authorization": f"Bearer {target.tokens[user]}"}
    failures: list[str] = []
    calls: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    unsatisfiable: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @given(case=_cases(operation, mode, target.known))
        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Case) -> None:
            calls[case.operation.label] += 1
            response = case.call(base_url=target.url, headers=headers, timeout=60)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except Unsatisfiable:
            # Nothing to make invalid: no parameter but free-text path ones, and no body.
            assert mode is GenerationMode.NEGATIVE, operation.label
            unsatisfiable.append(operation.label)
        except (AssertionError, BaseExceptionGroup) as error:  # all are collected, then reported together
            failures.append(f"{operation.label}: {error}")
    print(
        f"\n{user} {mode.value}: {len(operations)} operations, {sum(calls.values())} calls, "
        f"statuses {dict(sorted(statuses.items()))}, {len(failures)} failing"
    )
    labels = {operation.label for operation in operations}
    assert {"POST /api/reports", "POST /taxii2/api/collections/{collection_id}/objects/"} <= labels
    assert len(labels) >= 20 and (mode is GenerationMode.NEGATIVE or set(calls) == labels)
    assert len(labels) - len(unsatisfiable) >= 12, unsatisfiable
    assert not failures, "\n\n".join(failures)


def test_a_day_is_a_day_not_a_number(target: Target) -> None:
    """Found by the fuzzer: ``since=4.589326140003646e-141`` was read as a Unix time (1970-01-01) and
    answered 200; a day is written YYYY-MM-DD, anything else is refused."""
    headers = {"Authorization": f"Bearer {target.tokens['ann']}"}
    with httpx.Client(base_url=target.url, timeout=60) as client:
        for path, name in (("/api/reports", "since"), ("/api/events", "since"), ("/api/events", "until")):
            for value in ("86400", "4.589326140003646e-141", "1700000000", "2024-02-30", "2024-2-1"):
                response = client.get(path, params={name: value}, headers=headers)
                assert response.status_code == 422, (path, name, value, response.text)
            assert client.get(path, params={name: "2024-02-01"}, headers=headers).status_code == 200
        report = {"text": "Police arrested two men.", "tlp": "clear", "published": 86400}
        refused = client.post("/api/reports", json=report, headers=headers)
        assert refused.status_code == 422 and "YYYY-MM-DD" in refused.json()["detail"], refused.text


def test_a_next_past_any_row_is_refused_not_a_server_error(target: Target) -> None:
    """Found by the fuzzer: ``next=2148550560`` reached PostgreSQL's 32-bit ``seq`` column and failed there
    (500); a ``next`` no row can have was never given out, and is refused as such."""
    headers = {"Authorization": f"Bearer {target.tokens['ann']}", "Accept": TAXII}
    base = f"/taxii2/api/collections/{target.known['collection_id'][0]}/"
    object_id = target.known["object_id"][0]
    paths = [
        f"{base}objects/",
        f"{base}manifest/",
        f"{base}objects/{object_id}/",
        f"{base}objects/{object_id}/versions/",
    ]
    with httpx.Client(base_url=target.url, timeout=60) as client:
        for path in paths:
            for value in ("2147483648", "2148550560", "999999999999999999"):
                response = client.get(path, params={"next": value}, headers=headers)
                body = _assert_taxii_answer(response)
                assert response.status_code == 400 and "next" in body["description"], (path, value, body)
            assert client.get(path, params={"next": str(2**31 - 1)}, headers=headers).status_code in (
                200,
                404,
            )


# --- TAXII beyond the schema: Accept and Content-Type headers, and paging ---------------------------------
# OpenAPI leaves Accept and Content-Type out of a schema's parameters, and says nothing of how pages join:
# these are generated here with hypothesis.

_ASCII = st.characters(min_codepoint=32, max_codepoint=126)
_ACCEPTED = [
    TAXII,
    "application/taxii+json",
    "*/*",
    "application/json, application/taxii+json;version=2.1;q=0.5",
    'application/taxii+json; version="2.1"',
]
_REFUSED = [
    "application/json",
    "text/html",
    "application/taxii+json;version=2.0",
    "application/stix+json;version=2.1",
    f"{TAXII};q=0",
]
_ANY_TEXT = st.text(max_size=30)
_TIMESTAMPS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
)
_TYPES = ["report", "identity", "threat-actor", "marking-definition", "relationship", "location", "x-none"]


def _listed(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=3).map(",".join)


def _taxii_query(object_ids: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "limit": st.integers(-3, 1500).map(str) | _ANY_TEXT,
            "next": st.integers(0, 2**70).map(str) | _ANY_TEXT,
            "added_after": _TIMESTAMPS | _ANY_TEXT,
            "match[type]": _listed(st.sampled_from(_TYPES) | _ANY_TEXT),
            "match[id]": _listed(st.sampled_from(object_ids) | _ANY_TEXT),
            "match[version]": _listed(st.sampled_from(["first", "last", "all"]) | _TIMESTAMPS | _ANY_TEXT),
            "match[spec_version]": _listed(st.sampled_from(["2.1", "2.0"]) | _ANY_TEXT),
        },
    )


def _taxii_paths(known: dict[str, list[str]]) -> list[str]:
    paths = [
        "/taxii2/",
        "/taxii2/api/",
        "/taxii2/api/collections/",
        f"/taxii2/api/status/{known['status_id'][0]}/",
    ]
    for collection in known["collection_id"]:
        base = f"/taxii2/api/collections/{collection}/"
        paths += [base, base + "objects/", base + "manifest/"]
        for object_id in known["object_id"][:3]:
            paths += [f"{base}objects/{object_id}/", f"{base}objects/{object_id}/versions/"]
    return paths


def _assert_taxii_answer(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 500, (response.request.url, response.status_code, response.text[:300])
    assert response.headers["content-type"] == TAXII, (response.request.url, response.headers)
    body: dict[str, Any] = response.json()
    if response.status_code >= 400:
        assert set(body) == {"title", "description", "http_status"}, body
        assert body["http_status"] == str(response.status_code) and body["title"] and body["description"]
    elif "more" in body:
        assert body["more"] is ("next" in body), body
    return body


@pytest.mark.slow
def test_taxii_reads_answer_any_headers_and_parameters_the_taxii_way(target: Target) -> None:
    paths = _taxii_paths(target.known)

    @given(
        user=st.sampled_from(["ann", "bob"]),
        path=st.sampled_from(paths),
        accept=st.none() | st.sampled_from(_ACCEPTED + _REFUSED) | st.text(_ASCII, max_size=60),
        query=_taxii_query(target.known["object_id"]),
    )
    @hypothesis_settings(
        max_examples=EXAMPLES * 10,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def read(user: str, path: str, accept: str | None, query: dict[str, str]) -> None:
        headers = {"Authorization": f"Bearer {target.tokens[user]}"}
        if accept is not None:
            headers["Accept"] = accept
        with httpx.Client(base_url=target.url, timeout=60) as client:
            response = client.get(path, params=query, headers=headers)
        _assert_taxii_answer(response)
        if accept is None or accept in _ACCEPTED:
            assert response.status_code != 406, (accept, response.text)
        elif accept in _REFUSED:
            assert response.status_code == 406, (accept, response.status_code)

    read()


@pytest.mark.slow
def test_taxii_refuses_a_body_not_declared_taxii(target: Target) -> None:
    own = target.known["collection_id"][0]
    path = f"/taxii2/api/collections/{own}/objects/"
    declared = [TAXII, f"{TAXII}; charset=utf-8", "application/json", "application/taxii+json", "text/plain"]

    @given(
        content_type=st.none() | st.sampled_from(declared) | st.text(_ASCII, max_size=60),
        envelope=_ENVELOPE,
    )
    @hypothesis_settings(
        max_examples=EXAMPLES * 2,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def post(content_type: str | None, envelope: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {target.tokens['ann']}", "Accept": TAXII}
        if content_type is not None:
            headers["Content-Type"] = content_type
        with httpx.Client(base_url=target.url, timeout=60) as client:
            response = client.post(path, content=json.dumps(envelope).encode(), headers=headers)
        body = _assert_taxii_answer(response)
        if content_type in (TAXII, f"{TAXII}; charset=utf-8"):
            assert response.status_code == 202 and body["success_count"] == len(envelope["objects"]), body
        elif content_type is None or content_type in declared:
            assert response.status_code == 415, (content_type, response.status_code)

    post()


def _page_keys(body: dict[str, Any], endpoint: str) -> list[tuple[str, str]]:
    items = body.get("objects", [])
    if endpoint == "manifest/":
        return [(item["id"], item["version"]) for item in items]
    return [(item["id"], item.get("modified") or item.get("created") or "") for item in items]


@pytest.mark.slow
def test_taxii_pages_join_into_the_whole_answer(target: Target) -> None:
    """Following ``next`` page by page, under any filter, returns exactly the one-page answer: no item
    skipped, none repeated, each page within its limit, and the date headers those of its first and last."""

    @given(
        user=st.sampled_from(["ann", "bob"]),
        endpoint=st.sampled_from(["objects/", "manifest/"]),
        limit=st.integers(1, 7),
        filters=st.fixed_dictionaries(
            {},
            optional={
                "match[type]": _listed(st.sampled_from(_TYPES)),
                "match[version]": _listed(st.sampled_from(["first", "last", "all"])),
                "match[spec_version]": st.just("2.1"),
            },
        ),
        data=st.data(),
    )
    @hypothesis_settings(
        max_examples=EXAMPLES * 4,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def walk(user: str, endpoint: str, limit: int, filters: dict[str, str], data: st.DataObject) -> None:
        headers = {"Authorization": f"Bearer {target.tokens[user]}", "Accept": TAXII}
        with httpx.Client(base_url=target.url, timeout=60) as client:
            me = client.get("/api/me", headers=headers).json()
            path = f"/taxii2/api/collections/{me['collection_id']}/{endpoint}"
            manifest = _assert_taxii_answer(client.get(path.replace(endpoint, "manifest/"), headers=headers))
            added = sorted({item["date_added"] for item in manifest.get("objects", [])})
            if added and data.draw(st.booleans()):
                filters = {**filters, "added_after": data.draw(st.sampled_from(added))}
            whole = _assert_taxii_answer(client.get(path, params={**filters, "limit": 1000}, headers=headers))
            assert whole["more"] is False
            expected = _page_keys(whole, endpoint)
            walked: list[tuple[str, str]] = []
            query: dict[str, Any] = {**filters, "limit": limit}
            for _ in range(len(expected) // limit + 2):
                response = client.get(path, params=query, headers=headers)
                page = _assert_taxii_answer(response)
                assert response.status_code == 200, page
                keys = _page_keys(page, endpoint)
                assert len(keys) <= limit
                if endpoint == "manifest/" and keys:
                    dates = [item["date_added"] for item in page["objects"]]
                    assert response.headers["X-TAXII-Date-Added-First"] == dates[0]
                    assert response.headers["X-TAXII-Date-Added-Last"] == dates[-1]
                walked += keys
                if not page["more"]:
                    break
                query = {**filters, "limit": limit, "next": page["next"]}
            else:
                pytest.fail(f"paging did not end: {path} {filters} limit {limit}")
        assert walked == expected, (path, filters, limit)

    walk()
